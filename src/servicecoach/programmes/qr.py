"""The QR code shown in the room beside the day's sign-in code: the sign-in page's address with the code in it,
drawn server-side as inline SVG (segno, no CDN). Scanning it opens the sign-in page with the code filled in; the
sign-in itself is the same as typing the code (expired and reused codes are refused the same way)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def sign_in_path(session_pk: int, code: str) -> str:
    """The sign-in page of a session with the code as a query parameter (relative)."""
    return f"{reverse('programmes:session-sign-in', args=[session_pk])}?{urlencode({'code': code})}"


def sign_in_url(request, session_pk: int, code: str) -> str:
    """The absolute sign-in address a phone opens when it scans the code in the room."""
    return request.build_absolute_uri(sign_in_path(session_pk, code))


def qr_svg(data: str, *, title: str = "", scale: int = 8) -> SafeString:
    """``data`` as an inline SVG QR code (error correction M, quiet zone kept)."""
    svg = segno.make(data, error="m", micro=False).svg_inline(scale=scale, title=title or None,
                                                               svgclass="sign-in-qr")
    return mark_safe(svg)  # noqa: S308 - segno's own SVG; segno escapes the title
