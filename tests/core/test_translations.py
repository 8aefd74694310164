"""The Chinese catalogue: complete, not fuzzy, compiled, and used by the pages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from servicecoach.core.management.commands.messages import catalogues

# The project's catalogue and one per domain app (see `servicecoach manage messages`).
PO_FILES = [folder / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" for folder in catalogues().values()]
PO_FILES = [path for path in PO_FILES if path.exists()]


@pytest.fixture(params=PO_FILES, ids=lambda path: path.parents[3].name)
def PO_FILE(request) -> Path:
    return request.param


def test_the_project_catalogue_is_among_them():
    assert any(path.parents[3].name == "servicecoach" for path in PO_FILES), PO_FILES


def _po(po_file: Path):
    return polib.pofile(str(po_file))


def test_every_entry_is_translated(PO_FILE):
    untranslated = [entry.msgid for entry in _po(PO_FILE).untranslated_entries() if not entry.obsolete]
    assert not untranslated, f"{PO_FILE}: {len(untranslated)} untranslated entries, e.g. {untranslated[:10]}"


def test_no_entry_is_fuzzy(PO_FILE):
    fuzzy = [entry.msgid for entry in _po(PO_FILE).fuzzy_entries()]
    assert not fuzzy, f"{PO_FILE}: fuzzy entries (check and remove the flag): {fuzzy[:10]}"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _placeholders(text: str) -> set[tuple[str, str]]:
    return set(PLACEHOLDER.findall(text))


def test_placeholders_survive_translation(PO_FILE):
    wrong = []
    for entry in _po(PO_FILE).translated_entries():
        source = _placeholders(entry.msgid_plural or entry.msgid)
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        wrong += [(entry.msgid, t) for t in targets if _placeholders(t) != source]
    assert not wrong, f"{PO_FILE}: placeholders differ between English and Chinese: {wrong[:5]}"


def test_compiled_catalogue_agrees_with_the_po_file(PO_FILE):
    """The committed .mo is what Django reads: it must be compiled from the committed .po."""
    MO_FILE = PO_FILE.with_suffix(".mo")
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = []
    for entry in _po(PO_FILE).translated_entries():
        context = entry.msgctxt
        if entry.msgid_plural:
            got = (mo.npgettext(context, entry.msgid, entry.msgid_plural, 1) if context
                   else mo.ngettext(entry.msgid, entry.msgid_plural, 1))
            want = entry.msgstr_plural[0]
        else:
            got = mo.pgettext(context, entry.msgid) if context else mo.gettext(entry.msgid)
            want = entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert not stale, (
        f"{MO_FILE} is out of date for {len(stale)} entries (e.g. {stale[:5]}): run "
        "`.venv/bin/servicecoach manage messages` and commit the .mo"
    )


def test_a_page_is_chinese_by_default_and_english_after_choosing(db):
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    assert "客服培训与质检平台" in html and "用户名" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert "Customer-service training and quality" in html and "Username" in html
