"""The lesson HTML sanitiser: allowed markup stays, anything that could run script goes."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.training.engine.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitise_html


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)


def parsed(html: str) -> _Collect:
    collector = _Collect()
    collector.feed(html)
    return collector


def test_allowed_markup_is_kept():
    html = '<h2>标题</h2><p>一段<strong>重点</strong>和<a href="https://example.cn/x">链接</a></p><ul><li>一</li></ul>'
    assert sanitise_html(html) == html.replace('">链接', '" rel="noopener noreferrer">链接')


def test_script_style_and_event_handlers_are_removed():
    out = sanitise_html('<p onmouseover="x()">a<script>alert(1)</script><style>p{}</style>'
                        '<img src=x onerror=alert(1)><iframe src="//evil"></iframe>b</p>')
    assert out == "<p>ab</p>"


def test_dangerous_link_targets_are_dropped_even_when_disguised():
    for href in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                 "vbscript:x"):
        assert "href" not in sanitise_html(f'<a href="{href}">x</a>'), href
    assert 'href="/learning/"' in sanitise_html('<a href="/learning/">x</a>')


def test_plain_text_becomes_escaped_paragraphs():
    assert sanitise_html("第一段\n第二行\n\n第二段 & 3 < 4") == "<p>第一段<br>第二行</p><p>第二段 &amp; 3 &lt; 4</p>"


def test_unclosed_and_misnested_tags_are_closed():
    assert sanitise_html("<p><strong>粗<em>斜</p>尾") == "<p><strong>粗<em>斜</em></strong></p>尾"


TAGS = sorted(ALLOWED_TAGS | {"script", "style", "img", "iframe", "svg", "object", "form", "input", "textarea"})
ATTRS = ["href", "onclick", "onerror", "style", "src", "title", "colspan", "formaction"]
VALUES = st.sampled_from(["javascript:alert(1)", "https://ok.cn", "/x", "1", "x\" onmouseover=\"y", "expression()"])
FRAGMENT = st.one_of(
    st.text(alphabet="ab<>&\"'= /:;", max_size=8),
    st.builds(lambda t, a, v: f'<{t} {a}="{v}">', st.sampled_from(TAGS), st.sampled_from(ATTRS), VALUES),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENT, max_size=20).map("".join))
def test_output_only_ever_holds_allowed_tags_and_attributes(html):
    out = sanitise_html(html)
    found = parsed(out)
    assert set(found.tags) <= ALLOWED_TAGS
    for tag, name, value in found.attrs:
        assert name in ALLOWED_ATTRIBUTES.get(tag, ()) or (tag, name) == ("a", "rel")
        if name == "href":
            assert not value.strip().lower().startswith(("javascript", "data", "vbscript"))
    assert sanitise_html(out) == out  # sanitising is stable


def test_engine_imports_no_django():
    code = ("import sys, servicecoach.training.engine.sanitise, servicecoach.training.engine.quiz;"
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
