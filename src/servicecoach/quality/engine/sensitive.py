"""Personal data an agent must not send in clear: Chinese mobile numbers, resident ID-card numbers
(GB 11643 check digit and a real birth date) and bank-card numbers (Luhn check digit).

Masked numbers (``138****5678``) are not found: masking is what the rules ask agents to do."""

from __future__ import annotations

import re
from datetime import date

_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_BANK_CARD = re.compile(r"(?<![0-9])[0-9]{4}(?:[ -]?[0-9]{4}){2,3}(?:[ -]?[0-9]{1,3})?(?![0-9])")
# Any text that can hold one of the above has a run of 4 digits: a cheap first look.
PREFILTER = re.compile(r"[0-9]{4}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    """True when the last digit is the Luhn check digit of the others (bank cards)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def id_card_ok(number: str) -> bool:
    """True for an 18-character resident ID number with a valid GB 11643 check character and birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS)) % 11]
    if number[17].upper() != check:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date(2100, 1, 1)


def find_sensitive(text: str, kinds: tuple[str, ...] | frozenset[str]) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every mobile / ID-card / bank-card number in ``text``, by start."""
    found: list[tuple[int, int, str]] = []
    if "mobile" in kinds:
        for m in _MOBILE.finditer(text):
            found.append((m.start(), m.end(), "mobile"))
    ids: set[tuple[int, int]] = set()
    for m in _ID_CARD.finditer(text):
        if id_card_ok(m.group()):
            ids.add(m.span())
            if "id_card" in kinds:
                found.append((m.start(), m.end(), "id_card"))
    if "bank_card" in kinds:
        for m in _BANK_CARD.finditer(text):
            digits = re.sub(r"[ -]", "", m.group())
            if 16 <= len(digits) <= 19 and m.span() not in ids and luhn_ok(digits):
                found.append((m.start(), m.end(), "bank_card"))
    found.sort()
    return found
