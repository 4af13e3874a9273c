"""Layouts: where each page of one folded sheet sits, and which way up, found by folding.

A layout is a grid of ``cols`` x ``rows`` cells on each side of a sheet: folio 2x1 (4 pages a
sheet), quarto 2x2 (8), octavo 4x2 (16) and sextodecimo 4x4 (32).  Rather than copying a
table, :func:`fold_plan` *folds* the sheet the way the binder will and reads the page order
off the folded packet, so every layout comes out of the same few lines:

1. Lay the sheet front side up.  While more than one cell is left: when the packet is wider
   (in cells) than tall, fold the left half over onto the right half; otherwise fold the top
   half down onto the bottom half.  The last fold is always vertical: it is the spine, and
   the earlier folds at the head and fore-edge are cut open after sewing.
2. Each fold mirrors the moving half, flips it face down and stacks it, reversed, on top of
   the staying half.  Every cell carries its position, its layer and the signs of its
   reflections in x and y.
3. In the folded packet (spine left, head up) leaf ``k`` from the top shows page ``2k+1`` on
   its upper face and ``2k+2`` underneath.  A face reflected an even number of times faces
   up; one reflected in both x and y is upside down on the flat sheet (head to head with
   its neighbour across a head fold).

The side holding page 1 is the *front* (outer forme); the back is seen turned over about the
sheet's vertical axis.  The resulting table (pages of a single sheet, ``↻`` upside down) is in
the README's "Binding a book" section; :func:`placement_table` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fic2book.errors import UsageError


@dataclass(frozen=True)
class Layout:
    """A fold pattern: the grid of pages on each side of a sheet."""

    name: str
    cols: int
    rows: int

    @property
    def cells(self) -> int:
        """Pages on one side of a sheet."""
        return self.cols * self.rows

    @property
    def pages_per_sheet(self) -> int:
        """Pages on both sides of one sheet."""
        return 2 * self.cells

    @property
    def folds(self) -> tuple[str, ...]:
        """The folds in order, ``"vertical"`` or ``"horizontal"`` (the last is the spine)."""
        cols, rows, folds = self.cols, self.rows, []
        while cols * rows > 1:
            if cols > rows:
                folds.append("vertical")
                cols //= 2
            else:
                folds.append("horizontal")
                rows //= 2
        return tuple(folds)


LAYOUTS: dict[str, Layout] = {
    "folio": Layout("folio", 2, 1),
    "quarto": Layout("quarto", 2, 2),
    "octavo": Layout("octavo", 4, 2),
    "sextodecimo": Layout("sextodecimo", 4, 4),
}


def get_layout(name: str) -> Layout:
    """The layout called ``name``; a usage error names the choices."""
    key = name.strip().lower()
    if key not in LAYOUTS:
        raise UsageError(f"--layout must be one of {', '.join(LAYOUTS)}, not {name!r}")
    return LAYOUTS[key]


@dataclass(frozen=True)
class Cell:
    """One page position on one side of a flat sheet, as that side is seen face up."""

    #: 0 left to ``cols - 1`` right.
    col: int
    #: 0 top to ``rows - 1`` bottom.
    row: int
    #: 1-based page of the folded sheet read as a booklet.
    page: int
    #: Printed upside down.
    rotated: bool


@dataclass(frozen=True)
class FoldPlan:
    """Both sides of one sheet: ``front`` holds page 1, both seen face up."""

    layout: Layout
    front: tuple[Cell, ...]
    back: tuple[Cell, ...]
    #: Whether the front faces up while folding (else the back does).
    front_up: bool = True


@dataclass
class _Piece:
    """One cell of the flat sheet while it is being folded (front-side view)."""

    col: int
    row: int
    layer: int = 0
    sign_x: int = 1
    sign_y: int = 1


def _fold(pieces: list[_Piece], direction: str, cols: int, rows: int, layers: int) -> None:
    """Fold the left half over the right, or the top half down over the bottom."""
    for piece in pieces:
        if direction == "vertical":
            half = cols // 2
            moving = piece.col < half
            piece.col = (cols - 1 - piece.col - half) if moving else piece.col - half
            if moving:
                piece.sign_x = -piece.sign_x
        else:
            half = rows // 2
            moving = piece.row < half
            piece.row = (rows - 1 - piece.row - half) if moving else piece.row - half
            if moving:
                piece.sign_y = -piece.sign_y
        if moving:
            # The moving half turns over and lands, reversed, on top of the staying half.
            piece.layer = 2 * layers - 1 - piece.layer


@cache
def fold_plan(layout: Layout) -> FoldPlan:
    """Fold one sheet of ``layout`` and say which page every cell of each side carries."""
    pieces = {(c, r): _Piece(c, r) for r in range(layout.rows) for c in range(layout.cols)}
    cols, rows, layers = layout.cols, layout.rows, 1
    for direction in layout.folds:
        _fold(list(pieces.values()), direction, cols, rows, layers)
        layers *= 2
        if direction == "vertical":
            cols //= 2
        else:
            rows //= 2
    side_a: list[Cell] = []  # the side seen first (front-side view)
    side_b: list[Cell] = []  # the other side, seen turned over about the vertical axis
    for (col, row), piece in pieces.items():
        leaf = layers - 1 - piece.layer
        recto, verso = 2 * leaf + 1, 2 * leaf + 2
        back_col = layout.cols - 1 - col
        if piece.sign_x * piece.sign_y == 1:
            # This face looks up in the packet: the recto; the face behind it is the verso.
            side_a.append(Cell(col, row, recto, piece.sign_x == -1))
            side_b.append(Cell(back_col, row, verso, piece.sign_x == -1))
        else:
            # Face down: it is read once the leaf is turned over the spine (one more x flip).
            side_a.append(Cell(col, row, verso, piece.sign_y == -1))
            side_b.append(Cell(back_col, row, recto, piece.sign_x == 1))
    key = lambda cell: (cell.row, cell.col)  # noqa: E731
    side_a.sort(key=key)
    side_b.sort(key=key)
    if any(cell.page == 1 for cell in side_a):
        return FoldPlan(layout, tuple(side_a), tuple(side_b), front_up=True)
    return FoldPlan(layout, tuple(side_b), tuple(side_a), front_up=False)


def folding_steps(layout: Layout) -> list[str]:
    """How to fold one sheet of ``layout``, step by step, as :func:`fold_plan` folds it."""
    plan = fold_plan(layout)
    if plan.front_up:
        steps = ["Lay the sheet front side up, the way the sheets file shows its front."]
    else:
        steps = [
            "Hold the sheet front side up, the way the sheets file shows its front, and turn "
            "it over from left to right: the back now faces up."
        ]
    for direction in layout.folds:
        if direction == "vertical":
            steps.append("Fold the left half over onto the right half; crease.")
        else:
            steps.append("Fold the top half down onto the bottom half; crease.")
    return steps


def turned(cells: tuple[Cell, ...], layout: Layout) -> tuple[Cell, ...]:
    """A side rotated half a turn: for a printer that turns the sheet the other way."""
    return tuple(
        sorted(
            (
                Cell(layout.cols - 1 - c.col, layout.rows - 1 - c.row, c.page, not c.rotated)
                for c in cells
            ),
            key=lambda cell: (cell.row, cell.col),
        )
    )


#: The mark for an upside-down page in tables.
TURNED = "\u21bb"


def placement_table(layout: Layout) -> list[str]:
    """The placement table as text rows: ``front``/``back`` and each grid row's pages."""
    plan = fold_plan(layout)
    lines = []
    for name, cells in (("front", plan.front), ("back", plan.back)):
        for row in range(layout.rows):
            labels = [f"{c.page}{TURNED if c.rotated else ''}" for c in cells if c.row == row]
            lines.append(f"{name if row == 0 else '':5} | " + " | ".join(f"{x:>3}" for x in labels))
    return lines
