"""Page sizes, lengths and print margins: what ``--page-size`` and ``--gutter`` mean.

:class:`PageSize` is parsed once, when :class:`~fic2book.options.RenderOptions` is made, and
then carries its CSS ``size`` and its dimensions; :func:`page_geometry` turns a size and a
gutter into the margins of the PDF.  Everything here is plain arithmetic, so options can be
checked without importing WeasyPrint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fic2book.errors import UsageError

#: Named trim sizes accepted by ``--page-size``, as CSS ``size`` values.
PAGE_SIZES: dict[str, str] = {
    "a4": "A4",
    "a5": "A5",
    "letter": "letter",
    "5.5x8.5in": "5.5in 8.5in",
    "6x9in": "6in 9in",
}

#: Millimetres per unit accepted in a custom ``--page-size`` and in ``--gutter``.
MM_PER_UNIT: dict[str, float] = {
    "mm": 1.0,
    "cm": 10.0,
    "in": 25.4,
    "pt": 25.4 / 72,
    "px": 25.4 / 96,
}

#: Page dimensions of the named sizes in millimetres (width, height).
NAMED_MM: dict[str, tuple[float, float]] = {
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

#: Largest ``--gutter`` accepted, in millimetres.
MAX_GUTTER_MM = 40.0

_LENGTH = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mm|cm|in|pt|px)")


@dataclass(frozen=True)
class PageSize:
    """A checked ``--page-size``: its normalised name, CSS ``size`` and millimetres."""

    #: The name as given, lower-cased: ``"a5"`` or ``"140x216mm"``.
    name: str
    #: The CSS ``size`` value, e.g. ``"A5"`` or ``"140mm 216mm"`` (the user's units kept, so
    #: ``5x8in`` stays exactly 360x576 pt).
    css: str
    width_mm: float
    height_mm: float

    @classmethod
    def parse(cls, value: str | PageSize) -> PageSize:
        """Check a ``--page-size`` value: a key of :data:`PAGE_SIZES` or ``WIDTHxHEIGHT``.

        Raises :class:`~fic2book.errors.UsageError` for anything else, and for sides outside
        :data:`MIN_PAGE_MM` to :data:`MAX_PAGE_MM`.
        """
        if isinstance(value, PageSize):
            return value
        key = value.strip().lower()
        if key in PAGE_SIZES:
            width, height = NAMED_MM[key]
            return cls(key, PAGE_SIZES[key], width, height)
        (width, width_unit), (height, height_unit) = _parse_custom(value)
        return cls(
            key,
            f"{width:g}{width_unit} {height:g}{height_unit}",
            width * MM_PER_UNIT[width_unit],
            height * MM_PER_UNIT[height_unit],
        )

    def __str__(self) -> str:
        return self.name


def page_size_mm(value: str | PageSize) -> tuple[float, float]:
    """Width and height in millimetres of a ``--page-size`` value (see :meth:`PageSize.parse`)."""
    size = PageSize.parse(value)
    return size.width_mm, size.height_mm


def css_page_size(value: str | PageSize) -> str:
    """The CSS ``size`` of a ``--page-size`` value, e.g. ``"A5"`` or ``"140mm 216mm"``."""
    return PageSize.parse(value).css


def length_mm(value: str | float) -> float:
    """A ``--gutter`` length (``6mm``, ``0.25in``, ``18pt``; a number is millimetres) in mm.

    Raises :class:`~fic2book.errors.UsageError` for a missing unit or a length outside
    0 to :data:`MAX_GUTTER_MM` millimetres.
    """
    if isinstance(value, str):
        match = _LENGTH.fullmatch(value.strip().lower())
        if match is None:
            raise UsageError(
                f"length {value!r} needs a number and a unit (mm, cm, in, pt, px), e.g. 6mm"
            )
        millimetres = float(match["n"]) * MM_PER_UNIT[match["u"]]
    else:
        millimetres = float(value)
    if not 0 <= millimetres <= MAX_GUTTER_MM:
        raise UsageError(f"gutter {value!r} is not between 0 and {MAX_GUTTER_MM:g} mm")
    return millimetres


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
        if not MIN_PAGE_MM <= side * MM_PER_UNIT[unit] <= MAX_PAGE_MM:
            raise UsageError(
                f"page size {value!r}: each side must be between {MIN_PAGE_MM:g} mm "
                f"and {MAX_PAGE_MM:g} mm"
            )
    return (width, width_unit), (height, height_unit)


#: Margins of the trim sizes print guides give (top, bottom, outside) and the default gutter,
#: in millimetres: A5 from printabook's 20/25/20 mm, the KDP sizes from KDP's calculator
#: (0.625/0.625/0.5 in and 0.75/0.75/0.625 in, the gutter 0.125 in).  The inner margin,
#: outside plus gutter, meets KDP's minimum inside margin up to 500 (5.5x8.5) or 700 (6x9)
#: pages.  Other sizes are scaled from the width (:func:`page_geometry`).
TRIM_MARGINS_MM: dict[str, tuple[float, float, float, float]] = {
    "a5": (20.0, 25.0, 20.0, 5.0),
    "5.5x8.5in": (15.875, 15.875, 12.7, 3.175),
    "6x9in": (19.05, 19.05, 15.875, 3.175),
}

#: The text block must keep at least this share of the page width.
MIN_TEXT_WIDTH = 0.45


@dataclass(frozen=True)
class PageGeometry:
    """Margins and base font size for one trim size, all scaled from the page's dimensions."""

    #: CSS ``size`` value, e.g. ``"A5"``.
    size: str
    top_mm: float
    bottom_mm: float
    outer_mm: float
    #: The inner (binding) margin: the outer margin plus a gutter.
    inner_mm: float
    font_pt: float

    def css(self) -> str:
        """Return the ``@page`` and base font rules for this geometry."""
        return (
            f"@page {{ size: {self.size}; "
            f"margin: {self.top_mm:.1f}mm {self.outer_mm:.1f}mm {self.bottom_mm:.1f}mm; }}\n"
            # Mirrored margins: the gutter is on the left of a recto, the right of a verso.
            f"@page :right {{ margin-left: {self.inner_mm:.1f}mm; "
            f"margin-right: {self.outer_mm:.1f}mm; }}\n"
            f"@page :left {{ margin-left: {self.outer_mm:.1f}mm; "
            f"margin-right: {self.inner_mm:.1f}mm; }}\n"
            f"html {{ font-size: {self.font_pt:.2f}pt; }}\n"
        )


def page_geometry(page_size: str | PageSize, gutter: str | float | None = None) -> PageGeometry:
    """Margins and font size for a ``--page-size`` value and an optional ``--gutter``.

    The trim sizes of :data:`TRIM_MARGINS_MM` use the margins print guides give; other sizes
    are scaled from the page (about 11 % of the width outside, 9 % of the height at the top),
    so a larger page gets wider margins and slightly larger type rather than longer lines.
    The inner margin is the outer one plus the gutter.  Raises
    :class:`~fic2book.errors.UsageError` for a bad page size or a gutter too wide for it.
    """
    size = PageSize.parse(page_size)
    width, height = size.width_mm, size.height_mm
    if size.name in TRIM_MARGINS_MM:
        top, bottom, outer, default_gutter = TRIM_MARGINS_MM[size.name]
    else:
        top, bottom, outer = 0.09 * height, 0.105 * height, 0.11 * width
        # ~3.5 % of the width: 7 mm on A4, in line with the named trim sizes.
        default_gutter = 0.035 * width
    extra = default_gutter if gutter is None else length_mm(gutter)
    inner = outer + extra
    if width - outer - inner < MIN_TEXT_WIDTH * width:
        raise UsageError(f"gutter {gutter!r} leaves too narrow a text block on a {size} page")
    # Body type 10.5 pt on A5, growing with the square root of the width, within 9.5-12 pt.
    font = min(12.0, max(9.5, 10.5 * (width / 148.0) ** 0.5))
    return PageGeometry(
        size=size.css,
        top_mm=top,
        bottom_mm=bottom,
        outer_mm=outer,
        inner_mm=inner,
        font_pt=font,
    )
