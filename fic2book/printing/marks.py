"""Printer's marks on a side: fold and cut lines, sewing stations and spine-order blocks.

Fold and cut marks are short lines in the sheet's free margins: each one starts at the sheet
edge or a page corner and stops before it would enter any page's trim, so they are always
outside the trim (a page filling its cell leaves them no room, and then they are left out).
Sewing stations and spine-order blocks belong *on* the spine fold: they sit on the fold line,
reaching at most :data:`ON_FOLD` points either side of it, inside the gutter margin.

- **fold**: dashed ticks where every fold falls (spine, head and fore-edge folds);
- **cut**: crop marks at every page's corners, for trimming;
- **sewing**: on the centre spread of each signature (the inner side of its innermost
  sheet), ticks across the fold at the stations: the first and last ``margin`` from head and
  tail, the others evenly between;
- **spine**: on the outer side of each signature's outermost sheet, a block on the spine
  fold that moves down one step per signature, so a collated stack shows one diagonal.
"""

from __future__ import annotations

from dataclasses import dataclass

from fic2book.printing.plan import PagePlacement, Rect, SheetGeometry, SidePlan
from fic2book.printing.sheets import MM

#: How far (points) a mark on the spine fold reaches to either side of it.
ON_FOLD = 2.0
#: Length of a fold or cut tick, and the gap between a crop mark and its page corner.
TICK = 8 * MM
GAP = 2.0


@dataclass(frozen=True)
class Segment:
    """A straight mark from (x0, y0) to (x1, y1), axis-aligned."""

    x0: float
    y0: float
    x1: float
    y1: float


def _entry(start: tuple[float, float], end: tuple[float, float], rect: Rect) -> float:
    """Where (0 to 1) the segment first enters the open ``rect``; 1 when it never does."""
    low, high = 0.0, 1.0
    for axis in (0, 1):
        origin, delta = start[axis], end[axis] - start[axis]
        lo, hi = rect[axis], rect[axis + 2]
        if delta == 0:
            if not lo < origin < hi:
                return 1.0
            continue
        t1, t2 = sorted(((lo - origin) / delta, (hi - origin) / delta))
        low, high = max(low, t1), min(high, t2)
    return low if low < high else 1.0


def clear_of(start: tuple[float, float], end: tuple[float, float], rects: list[Rect]) -> Segment:
    """The part of a segment from ``start`` towards ``end`` that stays out of every rect."""
    t = min((_entry(start, end, rect) for rect in rects), default=1.0)
    (x0, y0), (x1, y1) = start, end
    return Segment(x0, y0, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)


def _long_enough(segment: Segment) -> bool:
    return abs(segment.x1 - segment.x0) + abs(segment.y1 - segment.y0) >= 2.0


def fold_lines(geometry: SheetGeometry, side: SidePlan) -> tuple[list[float], list[float], float]:
    """The x of every vertical fold, the y of every horizontal one, and the spine's x.

    A vertical grid line is a spine fold when the page left of it has its spine on the right;
    the others are fore-edge folds, cut open later, as are all horizontal ones (head folds).
    """
    xs = [geometry.cell_width * col for col in range(1, geometry.cols)]
    ys = [geometry.cell_height * row for row in range(1, geometry.rows)]
    spine = xs[len(xs) // 2] if xs else geometry.width / 2
    for placement in side.placements:
        if placement.cell.row == 0 and not placement.spine_left:
            spine = geometry.cell_width * (placement.cell.col + 1)
            break
    return xs, ys, spine


def fold_marks(geometry: SheetGeometry, side: SidePlan) -> list[Segment]:
    """Ticks at the sheet's edges along every fold line."""
    rects = [p.rect for p in side.placements]
    xs, ys, _spine = fold_lines(geometry, side)
    marks = []
    for x in xs:
        marks.append(clear_of((x, 0.0), (x, TICK), rects))
        marks.append(clear_of((x, geometry.height), (x, geometry.height - TICK), rects))
    for y in ys:
        marks.append(clear_of((0.0, y), (TICK, y), rects))
        marks.append(clear_of((geometry.width, y), (geometry.width - TICK, y), rects))
    return [m for m in marks if _long_enough(m)]


def cut_marks(side: SidePlan) -> list[Segment]:
    """Crop marks at the corners of every page, stopped short of any trim."""
    rects = [p.rect for p in side.placements]
    marks = []
    for x0, y0, x1, y1 in rects:
        for x, y, dx, dy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
            # One tick along each edge's line, pointing away from the page.
            marks.append(clear_of((x, y + dy * GAP), (x, y + dy * (GAP + TICK)), rects))
            marks.append(clear_of((x + dx * GAP, y), (x + dx * (GAP + TICK), y), rects))
    return [m for m in marks if _long_enough(m)]


def _page(side: SidePlan, signature_page: int) -> PagePlacement | None:
    return next((p for p in side.placements if p.signature_page == signature_page), None)


def _head_and_tail(placement: PagePlacement) -> tuple[float, float]:
    """The y of the page's head and tail on the sheet (upside down: head at the bottom)."""
    _x0, y0, _x1, y1 = placement.rect
    return (y0, y1) if placement.rotated else (y1, y0)


def sewing_marks(side: SidePlan, stations: int, total_sheets: int) -> list[Segment]:
    """Stations across the spine fold of the signature's centre spread, if on this side."""
    middle = side.signature_pages // 2
    left, right = _page(side, middle), _page(side, middle + 1)
    if side.sheet != total_sheets or left is None or right is None:
        return []
    x = (
        (left.rect[2] + right.rect[0]) / 2
        if left.rect[0] < right.rect[0]
        else ((right.rect[2] + left.rect[0]) / 2)
    )
    head, tail = _head_and_tail(left)
    direction = 1 if tail > head else -1
    return [
        Segment(x - ON_FOLD, head + direction * offset, x + ON_FOLD, head + direction * offset)
        for offset in station_offsets(abs(head - tail), stations)
    ]


def station_offsets(height: float, stations: int) -> list[float]:
    """Distances of the sewing stations from the head of a ``height``-tall page.

    The first and last sit ``min(15 mm, height / 5)`` from head and tail (the kettle
    stitches), the others evenly between.
    """
    margin = min(15 * MM, height / 5)
    step = (height - 2 * margin) / (stations - 1)
    return [margin + step * i for i in range(stations)]


def spine_block(side: SidePlan, signatures: int) -> Rect | None:
    """The spine-order block on the signature's outer fold, if this side carries it."""
    first, last = _page(side, 1), _page(side, side.signature_pages)
    if side.sheet != 1 or side.face != "front" or first is None or last is None:
        return None
    x = (
        (first.rect[0] + last.rect[2]) / 2
        if last.rect[0] < first.rect[0]
        else ((last.rect[0] + first.rect[2]) / 2)
    )
    head, tail = _head_and_tail(first)
    height = abs(head - tail)
    block = max(min(8 * MM, height / (signatures + 1)), 2 * MM)
    per_column = max(1, int(height * 0.9 // block))
    offset = height * 0.05 + ((side.signature - 1) % per_column) * block
    direction = 1 if tail > head else -1
    top = head + direction * offset
    bottom = top + direction * block
    return (x - ON_FOLD, min(top, bottom), x + ON_FOLD, max(top, bottom))


def marks_content(
    geometry: SheetGeometry,
    side: SidePlan,
    marks: tuple[str, ...],
    signatures: int,
    sheets_in_signature: int,
    stations: int,
) -> bytes:
    """The content-stream operators drawing the chosen marks on ``side``."""
    ops = ["q 0 G 0 g 0.5 w"]
    if "fold" in marks:
        ops.append("[3 2] 0 d")
        ops += [
            f"{s.x0:.2f} {s.y0:.2f} m {s.x1:.2f} {s.y1:.2f} l S" for s in fold_marks(geometry, side)
        ]
        ops.append("[] 0 d")
    if "cut" in marks:
        ops += [f"{s.x0:.2f} {s.y0:.2f} m {s.x1:.2f} {s.y1:.2f} l S" for s in cut_marks(side)]
    if "sewing" in marks:
        ops += [
            f"{s.x0:.2f} {s.y0:.2f} m {s.x1:.2f} {s.y1:.2f} l S"
            for s in sewing_marks(side, stations, sheets_in_signature)
        ]
    if "spine" in marks:
        block = spine_block(side, signatures)
        if block is not None:
            x0, y0, x1, y1 = block
            ops.append(f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f")
    ops.append("Q")
    return "\n".join(ops).encode("ascii") + b"\n" if len(ops) > 2 else b""
