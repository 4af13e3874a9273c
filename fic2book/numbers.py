"""Whole numbers read from untrusted text: word counts, chapter numbers, series parts, colspans.

Two habits of Python turn a hostile number into a traceback: ``int()`` refuses strings of more
than 4,300 digits (``ValueError``, a guard against quadratic conversion), and ``str.isdigit()``
accepts characters ``int()`` refuses, such as the superscript ``²``.  Every reader and cleaner
parses numbers through these two functions instead, which never raise: a number no book could
mean (more than :data:`MAX_DIGITS` digits) or no number at all is ``None``.
"""

from __future__ import annotations

import unicodedata

#: More digits than this is not a count of anything in a book (10^15 words is a lot).
MAX_DIGITS = 15


def parse_count(text: object) -> int | None:
    """The count in ``text``, ignoring separators: ``12,345``, ``12 345`` and ``12.345`` → 12345.

    Any decimal digit counts (Arabic-Indic ``٣`` is 3); superscripts and other digit-like
    characters do not.  ``None`` when there is no digit or more than :data:`MAX_DIGITS`.  An
    ``int`` (a YAML value) is taken as it is when it is in range.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text < 10**MAX_DIGITS else None
    if not isinstance(text, str):
        return None
    digits = [unicodedata.decimal(ch) for ch in text if ch.isdecimal()]
    return _fold(digits)


def parse_whole(text: str | None) -> int | None:
    """``text`` as a plain whole number (``"3"``, ``" 12 "``), as an attribute value must be.

    Only ASCII digits with surrounding white space; a sign, separators, superscripts or more
    than :data:`MAX_DIGITS` digits give ``None``.
    """
    if text is None:
        return None
    stripped = text.strip()
    if not stripped or not stripped.isascii() or not stripped.isdigit():
        return None
    return _fold([ord(ch) - 48 for ch in stripped])


def _fold(digits: list[int]) -> int | None:
    if not digits or len(digits) > MAX_DIGITS:
        return None
    number = 0
    for digit in digits:
        number = number * 10 + digit
    return number
