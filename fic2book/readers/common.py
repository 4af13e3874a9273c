"""Rules every reader shares, in one place so a fix reaches every input format.

Readers meet the same small questions in different clothes: is this number a count, is this
line a scene break, which encoding are these bytes, what is the work called when nothing says,
which AO3 work does this link name.  Each answer lives here once; a reader that needs a
variation says so with a parameter rather than with a copy.

Nothing here imports a parser library, so the text reader stays cheap to load.
"""

from __future__ import annotations

import re

from fic2book.numbers import MAX_DIGITS, parse_count

# ``\d`` is Unicode decimal digits (category Nd: ASCII, fullwidth, Arabic-Indic…); superscripts
# such as "²" are category No and are not digits here.
_COUNT = re.compile(r"\d{1,3}(?:[,.'\u2019\u00a0\u202f\u2009 ]\d{3})+|\d+")
_CHAPTER_COUNT = re.compile(r"(\S+?)\s*/\s*(\S+)")


def written_count(value: str) -> int | None:
    """A count as people write one in a header, or ``None`` when ``value`` is not just that.

    ``12345``, ``12,345``, ``12 345``, ``12.345`` and ``12'345`` are all 12345; digits of any
    script count.  Unlike :func:`fic2book.numbers.parse_count`, which reads the digits out of
    any text, the whole value must be the number: ``12 apples``, signs, fractions and
    superscripts are not counts, so the header keeps them as written.  Never raises, however
    many digits (see :mod:`fic2book.numbers`).
    """
    text = value.strip()
    if len(text) > 2 * MAX_DIGITS or _COUNT.fullmatch(text) is None:
        return None
    return parse_count(text)


def parse_chapter_count(value: str) -> tuple[int, int | None] | None:
    """AO3's ``posted/total`` chapter count (``3/4``, ``3/?``); ``None`` when unreadable.

    The total is ``None`` for ``?`` (the author has not said how many chapters there will be).
    """
    match = _CHAPTER_COUNT.fullmatch(value.strip())
    if match is None:
        return None
    posted = written_count(match.group(1))
    total = None if match.group(2) == "?" else written_count(match.group(2))
    if posted is None or (total is None and match.group(2) != "?"):
        return None
    return posted, total
