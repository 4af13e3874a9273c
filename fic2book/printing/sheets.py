"""Sheet sizes and lengths: the named papers binders print on, and ``WxH`` with units.

Sizes are kept portrait, in PostScript points (1/72 in); the imposer turns the sheet whichever
way gives the pages the most room (see :func:`fic2book.printing.impose.plan_sheet`).
"""

from __future__ import annotations

import re

from fic2book.errors import UsageError

#: Points per unit accepted in lengths and custom sizes.
POINTS_PER_UNIT: dict[str, float] = {
    "pt": 1.0,
    "mm": 72 / 25.4,
    "cm": 720 / 25.4,
    "in": 72.0,
    "px": 0.75,
}

MM = POINTS_PER_UNIT["mm"]


def _mm(width: float, height: float) -> tuple[float, float]:
    return width * MM, height * MM


#: Named sheet sizes, portrait, in points (width, height), smallest area first.
SHEET_SIZES: dict[str, tuple[float, float]] = {
    "a6": _mm(105, 148),
    "a5": _mm(148, 210),
    "b5": _mm(176, 250),
    "letter": (612.0, 792.0),
    "a4": _mm(210, 297),
    "legal": (612.0, 1008.0),
    "b4": _mm(250, 353),
    "tabloid": (792.0, 1224.0),
    "a3": _mm(297, 420),
}

_LENGTH = re.compile(r"(?P<n>\d+(?:\.\d+)?|\.\d+)\s*(?P<u>mm|cm|in|pt|px)")
_SIZE = re.compile(
    r"(?P<w>\d+(?:\.\d+)?)\s*(?P<wu>mm|cm|in|pt|px)?\s*[x\u00d7]\s*"
    r"(?P<h>\d+(?:\.\d+)?)\s*(?P<hu>mm|cm|in|pt|px)"
)

#: Sheets and trims outside these sides (points) are refused: nothing prints on them.
MIN_SIDE = 36.0
MAX_SIDE = 2500.0


def parse_length(value: str, option: str = "length") -> float:
    """A length such as ``0.1mm``, ``3 mm``, ``0.125in`` or ``18pt``, in points.

    Raises :class:`~fic2book.errors.UsageError` when the unit is missing or unknown.
    """
    match = _LENGTH.fullmatch(value.strip().lower())
    if match is None:
        raise UsageError(
            f"{option} {value!r} needs a number and a unit (mm, cm, in, pt, px), e.g. 3mm"
        )
    return float(match["n"]) * POINTS_PER_UNIT[match["u"]]


def parse_size(value: str, option: str = "--sheet") -> tuple[float, float]:
    """A named size or ``WIDTHxHEIGHT`` with units (``11x17in``, ``210x297mm``) in points.

    Named sizes come back portrait; a custom size as written.  Raises
    :class:`~fic2book.errors.UsageError` for anything else.
    """
    key = value.strip().lower()
    if key in SHEET_SIZES:
        return SHEET_SIZES[key]
    match = _SIZE.fullmatch(key)
    if match is None:
        raise UsageError(
            f"{option} must be one of {', '.join(SHEET_SIZES)} or WIDTHxHEIGHT with a unit "
            f"(mm, cm, in, pt), e.g. 11x17in, not {value!r}"
        )
    height_unit = match["hu"]
    width_unit = match["wu"] or height_unit
    width = float(match["w"]) * POINTS_PER_UNIT[width_unit]
    height = float(match["h"]) * POINTS_PER_UNIT[height_unit]
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise UsageError(f"{option} {value!r}: each side must be 0.5 to 35 inches")
    return width, height


def describe_size(size: tuple[float, float]) -> str:
    """``210x297mm``: a size in whole-ish millimetres, for messages."""
    return f"{size[0] / MM:.0f}x{size[1] / MM:.0f}mm"
