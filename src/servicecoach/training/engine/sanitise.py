"""An allow-list HTML sanitiser for lesson content, on the standard library's html.parser.

Only the tags in ``ALLOWED_TAGS`` survive, with only the attributes listed for them; every other tag is
dropped but its text kept (escaped), except the content of ``script``, ``style`` and similar, which is
dropped whole. Links keep only http(s), mailto and relative targets, so no ``javascript:`` URL gets through.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code",
    "pre", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "mark",
})
VOID_TAGS = frozenset({"br", "hr"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
DROP_CONTENT_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "svg",
                               "math", "textarea", "select"})
SAFE_URL_PREFIXES = ("http://", "https://", "mailto:", "/", "#")
# Text is taken as HTML when it holds something like a tag or a character reference; else as plain text.
LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z/!?]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


def _safe_url(value: str) -> bool:
    cleaned = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
    if ":" not in cleaned.split("/", 1)[0]:
        return True  # relative: no scheme at all
    return cleaned.startswith(SAFE_URL_PREFIXES)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT_TAGS:
            self.dropping += 1
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()) or value is None:
                continue
            if name == "href" and not _safe_url(value):
                continue
            if name in {"colspan", "rowspan"} and not value.isdigit():
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "a":
            kept.append(' rel="noopener noreferrer"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT_TAGS:
            return
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS and not self.dropping and self.open and self.open[-1] == tag:
            self.open.pop()
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT_TAGS:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in ALLOWED_TAGS or tag in VOID_TAGS or tag not in self.open:
            return
        while self.open:  # close anything left open inside it, so the output stays well nested
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def sanitise_html(text: str) -> str:
    """Lesson HTML reduced to the allow-list; plain text without any tag becomes paragraphs."""
    if not LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join(f"<p>{escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    parser = _Sanitiser()
    parser.feed(text)
    result = parser.result()
    if not result.strip():
        return ""
    if not LOOKS_LIKE_HTML.search(result):
        result = f"<p>{result}</p>"  # only text was left: keep it HTML, so sanitising again changes nothing
    return result
