"""The imposition plan: settings, the sheet's geometry, and every page's place on every side.

Nothing here reads or writes a PDF; :mod:`fic2book.printing.impose` draws what this plans.
Coordinates are PDF points with the origin at the sheet's lower-left corner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fic2book.errors import UsageError
from fic2book.printing.creep import Paper, creep_shift
from fic2book.printing.layouts import Cell, Layout, fold_plan, get_layout, turned
from fic2book.printing.sheets import SHEET_SIZES, describe_size, parse_size
from fic2book.printing.signatures import BookPlan, Signatures, nesting_depth, signature_page

PRINTERS: tuple[str, ...] = ("duplex-short", "duplex-long", "single")
POSITIONS: tuple[str, ...] = ("centre", "fold")
SCALES: tuple[str, ...] = ("fit", "none")
MARKS: tuple[str, ...] = ("fold", "cut", "sewing", "spine")

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class ImposeSettings:
    """Everything ``fic2book impose`` and ``bind`` can be told about the sheets."""

    layout: str = "folio"
    #: A key of :data:`~fic2book.printing.sheets.SHEET_SIZES` or ``WxH`` with units.
    sheet: str = "a4"
    signatures: Signatures = field(default_factory=Signatures)
    #: Blank leaves (two pages each) before and after the book.
    flyleaves: int = 0
    printer: str = "duplex-short"
    marks: tuple[str, ...] = ()
    #: The paper, for creep compensation (``None``: no creep shift).
    paper: Paper | None = None
    creep_factor: float = 1.0
    #: ``centre`` in the cell, or ``fold``: snug against the spine side.
    position: str = "centre"
    #: ``fit`` (shrink or grow to the cell) or ``none`` (100 %, an error if it does not fit).
    scale: str = "fit"
    #: One file per signature as well as the whole set (``True``), or instead (``"only"``).
    split: bool | str = False
    #: Points kept clear along the sheet's edges (a printer's unprintable border).
    margin: float = 0.0
    sewing_stations: int = 3

    def check(self) -> Layout:
        """Refuse settings that make no sense; return the layout."""
        layout = get_layout(self.layout)
        parse_size(self.sheet)
        for option, value, allowed in (
            ("--printer", self.printer, PRINTERS),
            ("--position", self.position, POSITIONS),
            ("--scale", self.scale, SCALES),
        ):
            if value not in allowed:
                raise UsageError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
        if self.split not in (False, True, "only"):
            raise UsageError(f"split must be true, false or 'only', not {self.split!r}")
        for mark in self.marks:
            if mark not in MARKS:
                raise UsageError(f"--marks takes {', '.join(MARKS)}, not {mark!r}")
        if not 2 <= self.sewing_stations <= 12:
            raise UsageError(f"--stations must be 2 to 12, not {self.sewing_stations}")
        if not 0 <= self.margin <= 72:
            raise UsageError("--margin must be 0 to 1 inch")
        if not 0.5 <= self.creep_factor <= 3:
            raise UsageError(f"--creep-factor must be 0.5 to 3, not {self.creep_factor:g}")
        return layout


@dataclass(frozen=True)
class SheetGeometry:
    """A sheet, turned the way the layout wants it, and its grid of cells."""

    width: float
    height: float
    cols: int
    rows: int
    #: Clear border along the sheet's edges, points.
    margin: float = 0.0

    @property
    def cell_width(self) -> float:
        """Width of one cell."""
        return self.width / self.cols

    @property
    def cell_height(self) -> float:
        """Height of one cell."""
        return self.height / self.rows

    def cell_rect(self, col: int, row: int) -> Rect:
        """The cell's rectangle (x0, y0, x1, y1); row 0 is at the top."""
        x0 = col * self.cell_width
        y1 = self.height - row * self.cell_height
        return x0, y1 - self.cell_height, x0 + self.cell_width, y1

    @property
    def room(self) -> tuple[float, float]:
        """Room for a page in any cell: the cell less the margin on the sheet's edges.

        Every cell of a grid side touches one edge (two in a single row or column), so the
        same room fits all and every page gets the same scale.
        """
        return (
            self.cell_width - self.margin * (2 if self.cols == 1 else 1),
            self.cell_height - self.margin * (2 if self.rows == 1 else 1),
        )

    def room_rect(self, col: int, row: int) -> Rect:
        """The cell less the margin along whichever of its sides are the sheet's edges."""
        x0, y0, x1, y1 = self.cell_rect(col, row)
        m = self.margin
        return (
            x0 + (m if col == 0 else 0),
            y0 + (m if row == self.rows - 1 else 0),
            x1 - (m if col == self.cols - 1 else 0),
            y1 - (m if row == 0 else 0),
        )

    @property
    def natural_edge(self) -> str:
        """``short`` or ``long``: the edge the sheet turns over when the back is seen."""
        return "short" if self.width > self.height else "long"


def _fit(cell: tuple[float, float], trim: tuple[float, float]) -> float:
    return min(cell[0] / trim[0], cell[1] / trim[1])


def plan_sheet(
    layout: Layout, sheet: str, trim: tuple[float, float], scale: str, margin: float = 0.0
) -> SheetGeometry:
    """Turn the sheet so the ``trim``-size pages get the most room in their cells.

    At ``scale="none"`` a trim that fits neither way is a usage error naming the smallest
    named sheet that would hold it.
    """
    width, height = parse_size(sheet)
    options = [
        SheetGeometry(w, h, layout.cols, layout.rows, margin)
        for w, h in (
            (max(width, height), min(width, height)),
            (min(width, height), max(width, height)),
        )
    ]
    options.sort(key=lambda g: -_fit(g.room, trim))
    best = options[0]
    if min(best.room) <= 0:
        raise UsageError(f"--margin leaves no room on a {sheet} sheet")
    if scale == "none" and _fit(best.room, trim) < 1 - 1e-6:
        hint = _sheet_that_fits(layout, trim, margin)
        advice = f"; {hint} would hold it at 100 %" if hint else ""
        raise UsageError(
            f"a {describe_size(trim)} page does not fit one {layout.name} cell of a {sheet} sheet "
            f"({describe_size(best.room)}){advice}, "
            "or use --scale fit"
        )
    return best


def _sheet_that_fits(layout: Layout, trim: tuple[float, float], margin: float) -> str | None:
    for name, (width, height) in SHEET_SIZES.items():
        for w, h in ((width, height), (height, width)):
            room = SheetGeometry(w, h, layout.cols, layout.rows, margin).room
            if room[0] >= trim[0] - 1e-6 and room[1] >= trim[1] - 1e-6:
                return name
    return None


@dataclass(frozen=True)
class PagePlacement:
    """One page on one side of one sheet."""

    cell: Cell
    #: Page of the padded book (flyleaves and blanks counted), 1-based.
    book_page: int
    #: Page of the signature, 1-based.
    signature_page: int
    #: Source page drawn here, 1-based, or ``None`` for a blank.
    source_page: int | None
    #: The page's trim on the sheet (x0, y0, x1, y1).
    rect: Rect
    rotated: bool
    scale: float
    #: The page's spine edge is the rect's left edge (else its right).
    spine_left: bool
    #: Creep shift towards the spine, points.
    shift: float


@dataclass(frozen=True)
class SidePlan:
    """One printed side."""

    signature: int
    #: Sheet of the signature, 1 = outermost.
    sheet: int
    #: Sheet of the whole book, 1-based.
    sheet_number: int
    face: str
    placements: tuple[PagePlacement, ...]
    #: Pages of this signature.
    signature_pages: int


def place(
    cell: Cell,
    geometry: SheetGeometry,
    trim: tuple[float, float],
    settings: ImposeSettings,
    recto: bool,
    shift: float,
) -> tuple[Rect, float, bool]:
    """Where a ``trim``-size page goes in ``cell``: its rect, scale and spine side."""
    x0, y0, x1, y1 = geometry.room_rect(cell.col, cell.row)
    scale = 1.0 if settings.scale == "none" else _fit(geometry.room, trim)
    width, height = trim[0] * scale, trim[1] * scale
    # A recto's spine is its left edge; half a turn puts it on the right.
    spine_left = recto != cell.rotated
    if settings.position == "fold":
        left = x0 if spine_left else x1 - width
    else:
        left = x0 + (x1 - x0 - width) / 2
    left += -shift if spine_left else shift
    bottom = y0 + (y1 - y0 - height) / 2
    return (left, bottom, left + width, bottom + height), scale, spine_left


def printer_turns_back(geometry: SheetGeometry, printer: str) -> bool:
    """Whether the backs must be drawn half a turn round for this printer.

    The plan's backs are seen turned over the sheet's vertical axis: that is a short-edge
    flip for a landscape sheet and a long-edge one for a portrait sheet.  A single-sided
    stack fed back in with the same edge leading is turned over its long edge.
    """
    edge = "short" if printer == "duplex-short" else "long"
    return edge != geometry.natural_edge


def plan_sides(
    book: BookPlan,
    geometry: SheetGeometry,
    settings: ImposeSettings,
    trim_of: Callable[[int | None], tuple[float, float]],
) -> list[SidePlan]:
    """Every side of every sheet, front then back, in sheet order."""
    layout = book.layout
    folded = fold_plan(layout)
    back_cells = folded.back
    if printer_turns_back(geometry, settings.printer):
        back_cells = turned(back_cells, layout)
    sides: list[SidePlan] = []
    sheet_number = 0
    for gathering in book.gatherings:
        for sheet in range(gathering.sheets):
            sheet_number += 1
            for face, cells in (("front", folded.front), ("back", back_cells)):
                placements = []
                for cell in cells:
                    sig_page = signature_page(layout, gathering.sheets, sheet, cell.page)
                    book_page = gathering.first_page + sig_page
                    source = book.source_page(book_page)
                    depth = nesting_depth(gathering.pages, sig_page)
                    shift = creep_shift(depth, settings.paper, settings.creep_factor)
                    trim = trim_of(source)
                    rect, scale, spine_left = place(
                        cell, geometry, trim, settings, sig_page % 2 == 1, shift
                    )
                    placements.append(
                        PagePlacement(
                            cell,
                            book_page,
                            sig_page,
                            source,
                            rect,
                            cell.rotated,
                            scale,
                            spine_left,
                            shift,
                        )
                    )
                sides.append(
                    SidePlan(
                        gathering.index,
                        sheet + 1,
                        sheet_number,
                        face,
                        tuple(placements),
                        gathering.pages,
                    )
                )
    return sides
