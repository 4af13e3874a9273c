"""Rendering options: one documented field per CLI option, shared by every backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fic2book.errors import UsageError

#: Named trim sizes accepted by ``--page-size``, as CSS ``size`` values.
PAGE_SIZES: dict[str, str] = {
    "a4": "A4",
    "a5": "A5",
    "letter": "letter",
    "5.5x8.5in": "5.5in 8.5in",
    "6x9in": "6in 9in",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render a work; the defaults make a reader's EPUB and an A5 print PDF."""

    #: ``--page-size``: a key of :data:`PAGE_SIZES` or ``WIDTHxHEIGHT`` with CSS units.
    page_size: str = "a5"
    #: ``--template-dir``: searched before the bundled templates, so one file can be overridden.
    template_dir: Path | None = None
    #: ``--css``: extra stylesheets applied after the bundled ones.
    css: tuple[Path, ...] = ()
    #: ``SOURCE_DATE_EPOCH`` or ``None``; fixes every timestamp written into a book.
    source_date_epoch: int | None = None


#: Millimetres per unit accepted in a custom ``--page-size``.
_MM_PER_UNIT: dict[str, float] = {
    "mm": 1.0,
    "cm": 10.0,
    "in": 25.4,
    "pt": 25.4 / 72,
    "px": 25.4 / 96,
}

#: Page dimensions of the named sizes in millimetres (width, height).
_NAMED_MM: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "a5": (148.0, 210.0),
    "letter": (215.9, 279.4),
    "5.5x8.5in": (139.7, 215.9),
    "6x9in": (152.4, 228.6),
}

# One unit for both sides ("140x216mm") or one per side ("5.5inx210mm"); "x" or the
# multiplication sign between them.
_CUSTOM_SIZE = re.compile(
    r"(?P<w>\d+(?:\.\d+)?)\s*(?P<wu>mm|cm|in|pt|px)?\s*[x\u00d7]\s*"
    r"(?P<h>\d+(?:\.\d+)?)\s*(?P<hu>mm|cm|in|pt|px)"
)

#: Smallest and largest page side accepted, in millimetres.  Tiny pages cannot hold the margins
#: and huge ones make huge layouts (a cheap denial of service), so both are refused up front.
MIN_PAGE_MM = 70.0
MAX_PAGE_MM = 600.0


def page_size_mm(value: str) -> tuple[float, float]:
    """Width and height in millimetres of a ``--page-size`` value.

    Raises :class:`~fic2book.errors.UsageError` for anything but a key of :data:`PAGE_SIZES`
    or ``WIDTHxHEIGHT`` with a unit (mm, cm, in, pt, px), such as ``140x216mm``.
    """
    key = value.strip().lower()
    if key in _NAMED_MM:
        return _NAMED_MM[key]
    (width, width_unit), (height, height_unit) = _parse_custom(value)
    return width * _MM_PER_UNIT[width_unit], height * _MM_PER_UNIT[height_unit]


def css_page_size(value: str) -> str:
    """Return the CSS ``size`` for a ``--page-size`` value, e.g. ``"A5"`` or ``"140mm 216mm"``.

    Raises :class:`~fic2book.errors.UsageError` for anything but a key of :data:`PAGE_SIZES`
    or ``WIDTHxHEIGHT`` with a unit (mm, cm, in, pt, px) and sides of a sensible length.
    """
    key = value.strip().lower()
    if key in PAGE_SIZES:
        return PAGE_SIZES[key]
    # Keep the user's units so "5x8in" stays exactly 360x576 pt.
    (width, width_unit), (height, height_unit) = _parse_custom(value)
    return f"{width:g}{width_unit} {height:g}{height_unit}"


def _parse_custom(value: str) -> tuple[tuple[float, str], tuple[float, str]]:
    match = _CUSTOM_SIZE.fullmatch(value.strip().lower())
    if match is None:
        raise UsageError(
            f"page size {value!r} is not one of {', '.join(PAGE_SIZES)} "
            "or WIDTHxHEIGHT with a unit (mm, cm, in, pt, px), e.g. 140x216mm"
        )
    height_unit = match["hu"]
    width_unit = match["wu"] or height_unit
    width, height = float(match["w"]), float(match["h"])
    for side, unit in ((width, width_unit), (height, height_unit)):
        if not MIN_PAGE_MM <= side * _MM_PER_UNIT[unit] <= MAX_PAGE_MM:
            raise UsageError(
                f"page size {value!r}: each side must be between {MIN_PAGE_MM:g} mm "
                f"and {MAX_PAGE_MM:g} mm"
            )
    return (width, width_unit), (height, height_unit)
