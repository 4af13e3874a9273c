"""Rendering options: one documented field per CLI option, shared by every backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fic2book.errors import UsageError
from fic2book.limits import DEFAULT_MAX_INPUT_SIZE, DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT

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
    #: ``--smart/--no-smart``: typeset quotes, dashes and ellipses by the work's language.
    smart: bool = True
    #: ``--chapter-titles``: ``full`` ("Chapter 3: Title") or ``title`` (the title alone).
    chapter_titles: str = "full"
    #: ``--style``: ``book`` (indented paragraphs) or ``block`` (spaced, as AO3 shows them).
    style: str = "book"
    #: ``--cover``: the reader's own cover picture (PNG or JPEG) instead of a generated one.
    cover: Path | None = None
    #: ``--no-cover``: no cover image and no cover page at all.
    no_cover: bool = False
    #: ``--pdf-cover``: start the PDF with the cover as a full-bleed page (off for print).
    pdf_cover: bool = False
    #: ``--pdf-ua``: a tagged PDF/UA-1 file (structure tree, language, document title shown).
    pdf_ua: bool = False
    #: ``--gutter``: extra inner margin for the binding, a CSS length such as ``6mm``;
    #: ``None`` picks the trim size's default (see ``fic2book.backends.pdf``).
    gutter: str | None = None
    #: ``--max-input-size``: input files larger than this many bytes are refused (0: no limit).
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE
    #: ``--timeout``: seconds one book may take to render (0: no limit; see fic2book.limits).
    timeout: float = DEFAULT_TIMEOUT
    #: ``--max-memory``: bytes of address space a rendering process may map (0: no limit).
    max_memory: int = DEFAULT_MAX_MEMORY
    #: ``--pdf-jobs``: processes that lay a PDF out together (0: one per core; 1: this one
    #: only; see ``fic2book.backends.pdf_parallel``).
    pdf_jobs: int = 1


#: Values of ``--chapter-titles``.
CHAPTER_TITLES: tuple[str, ...] = ("full", "title")
#: Values of ``--style``.
STYLES: tuple[str, ...] = ("book", "block")


def choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` normalised if it is one of ``allowed``; else a usage error."""
    key = value.strip().lower()
    if key not in allowed:
        raise UsageError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    return key


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


#: Largest ``--gutter`` accepted, in millimetres.
MAX_GUTTER_MM = 40.0

_LENGTH = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>mm|cm|in|pt|px)")


def length_mm(value: str) -> float:
    """A ``--gutter`` length (``6mm``, ``0.25in``, ``18pt``) in millimetres.

    Raises :class:`~fic2book.errors.UsageError` for a missing unit or a length outside
    0 to :data:`MAX_GUTTER_MM` millimetres.
    """
    match = _LENGTH.fullmatch(value.strip().lower())
    if match is None:
        raise UsageError(
            f"length {value!r} needs a number and a unit (mm, cm, in, pt, px), e.g. 6mm"
        )
    millimetres = float(match["n"]) * _MM_PER_UNIT[match["u"]]
    if millimetres > MAX_GUTTER_MM:
        raise UsageError(f"gutter {value!r} is wider than {MAX_GUTTER_MM:g} mm")
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
        if not MIN_PAGE_MM <= side * _MM_PER_UNIT[unit] <= MAX_PAGE_MM:
            raise UsageError(
                f"page size {value!r}: each side must be between {MIN_PAGE_MM:g} mm "
                f"and {MAX_PAGE_MM:g} mm"
            )
    return (width, width_unit), (height, height_unit)
