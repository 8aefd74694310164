"""Platform pages: home, login/logout, language switch, health check, API schema and docs."""

from __future__ import annotations

from tests.permissions.matrix import LOGIN, Entry, expect, public, signed_in

ENTRIES = [
    Entry("home", expect=signed_in()),
    Entry("login", expect=public()),
    # Logging out (a POST) sends everyone, signed in or not, to the login page.
    Entry("logout", method="POST", expect=expect(LOGIN, anonymous=LOGIN)),
    Entry("healthz", expect=public()),
    # Django's language switch: a POST that redirects back; open to everyone (the login page has it too).
    Entry("set_language", method="POST", data={"language": "en", "next": "/"}, expect=public()),
    # The OpenAPI schema and its docs need a signed-in user (any role); anonymous gets 401.
    Entry("api-schema", expect=signed_in()),
    Entry("api-docs", expect=signed_in()),
    Entry("api-redoc", expect=signed_in()),
]
