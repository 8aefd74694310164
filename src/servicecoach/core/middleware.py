"""The interface language: the user's choice (a cookie set by ``set_language``), else the site default.

Django's LocaleMiddleware would follow the browser's Accept-Language header; ServiceCoach is
Chinese first for everyone and English only when the user picks it, so this replaces it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def language_for_request(request) -> str:
    """The language code for this request: the cookie's when it names a configured language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            code = translation.get_supported_language_variant(chosen)
        except LookupError:
            code = None
        if code and code in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        # Restore the thread's previous language afterwards, so a worker thread (or a test)
        # never carries one user's choice into the next piece of work.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
