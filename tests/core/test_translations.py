"""The Chinese catalogue: complete, not fuzzy, compiled, and used by the pages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
from django.conf import settings
from django.test import Client

import servicecoach

CATALOGUE_DIR = Path(servicecoach.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE_DIR / "django.po"
MO_FILE = CATALOGUE_DIR / "django.mo"


def _po():
    return polib.pofile(str(PO_FILE))


def test_every_entry_is_translated():
    untranslated = [entry.msgid for entry in _po().untranslated_entries() if not entry.obsolete]
    assert not untranslated, f"{PO_FILE}: {len(untranslated)} untranslated entries, e.g. {untranslated[:10]}"


def test_no_entry_is_fuzzy():
    fuzzy = [entry.msgid for entry in _po().fuzzy_entries()]
    assert not fuzzy, f"{PO_FILE}: fuzzy entries (check and remove the flag): {fuzzy[:10]}"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _placeholders(text: str) -> set[tuple[str, str]]:
    return set(PLACEHOLDER.findall(text))


def test_placeholders_survive_translation():
    wrong = []
    for entry in _po().translated_entries():
        source = _placeholders(entry.msgid_plural or entry.msgid)
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        wrong += [(entry.msgid, t) for t in targets if _placeholders(t) != source]
    assert not wrong, f"{PO_FILE}: placeholders differ between English and Chinese: {wrong[:5]}"


def test_compiled_catalogue_agrees_with_the_po_file():
    """The committed .mo is what Django reads: it must be compiled from the committed .po."""
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = []
    for entry in _po().translated_entries():
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
        "`cd src/servicecoach && ../../.venv/bin/servicecoach manage compilemessages` and commit the .mo"
    )


def test_a_page_is_chinese_by_default_and_english_after_choosing(db):
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    assert "客服培训与质检平台" in html and "用户名" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert "Customer-service training and quality" in html and "Username" in html
