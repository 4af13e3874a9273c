"""Every layout x signature format x printer, read back from the files a binder prints.

A numbered book is imposed; pdftotext says which page label sits in which cell, which way
up.  Expectations come from the placement tables (test_layouts.TABLES), the nesting rule for
signatures and how a sheet turns over in the printer, never from the imposer's plan.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from fic2book.printing.impose import impose
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.signatures import parse_signatures
from tests.printing.readback import ReadSide, numbered_pdf, qpdf_ok, read_sides, viewer_preferences
from tests.printing.test_layouts import TABLES

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("qpdf") is None,
    reason="needs poppler-utils and qpdf",
)

PAGES = 37
GRIDS = {"folio": (2, 1), "quarto": (2, 2), "octavo": (4, 2), "sextodecimo": (4, 4)}
#: Sheets per signature the imposer should choose, per format (37 pages).
FORMATS = {
    "folio": {"booklet": [10], "perfect": [1] * 10, "3": [3, 3, 2, 2], "4,4,2": [4, 4, 2]},
    "quarto": {"booklet": [5], "perfect": [1] * 5, "2": [2, 2, 1], "2,2,1": [2, 2, 1]},
    "octavo": {"booklet": [3], "perfect": [1] * 3, "2": [2, 1], "1,2": [1, 2]},
    "sextodecimo": {"booklet": [2], "perfect": [1, 1], "1": [1, 1], "1,1": [1, 1]},
}


def _table(layout: str) -> tuple[dict[tuple[int, int], tuple[int, bool]], ...]:
    """The pinned table as (front, back) maps of (col, row) → (page, upside down)."""
    rows = GRIDS[layout][1]
    lines = TABLES[layout]
    sides = []
    for start in (0, rows):
        cells = {}
        for row, line in enumerate(lines[start : start + rows]):
            for col, label in enumerate(line.split()):
                cells[(col, row)] = (int(label.rstrip("r")), label.endswith("r"))
        sides.append(cells)
    return sides[0], sides[1]


def _turned(side: ReadSide, printer: str) -> bool:
    """Whether the printer turns this sheet over its horizontal axis (as seen on screen).

    Backs are drawn for turning over the vertical axis: a landscape sheet's short edge, a
    portrait sheet's long edge.  Single-sided stacks go back in turned over the long edge.
    """
    edge = "short" if printer == "duplex-short" else "long"
    vertical_edge = "short" if side.width > side.height else "long"
    return edge != vertical_edge


def _expected(
    layout: str, counts: list[int], side: ReadSide, face: int, sheet: int, printer: str
) -> dict[tuple[int, int], tuple[int, bool]]:
    """What sheet ``sheet`` (0-based, whole book) should show on ``face`` (0 front, 1 back)."""
    cols, rows = GRIDS[layout]
    if side.height > side.width:
        cols, rows = min(cols, rows), max(cols, rows)
    per_sheet = 2 * cols * rows
    half = per_sheet // 2
    first, index = 0, sheet
    for count in counts:
        if index < count:
            break
        first += count * per_sheet
        index -= count
    total = count * per_sheet
    table = _table(layout)[face]
    expected = {}
    for (col, row), (local, rotated) in table.items():
        # Nested sheets: sheet i carries the i-th run of half-sheets from each end.
        in_sig = (
            index * half + local if local <= half else total - (index + 1) * half + local - half
        )
        page = first + in_sig
        if face == 1 and _turned(side, printer):
            col, row, rotated = cols - 1 - col, rows - 1 - row, not rotated
        if page <= PAGES:
            expected[(col, row)] = (page, rotated)
    return expected


def _sheets(files: list[Path], printer: str, layout: str) -> list[tuple[ReadSide, ReadSide]]:
    grid = GRIDS[layout]
    if printer == "single":
        fronts = read_sides(files[0], *grid)
        backs = read_sides(files[1], *grid)[::-1]
        return list(zip(fronts, backs, strict=True))
    sides = read_sides(files[0], *grid)
    return list(zip(sides[::2], sides[1::2], strict=True))


@pytest.mark.parametrize("printer", ["duplex-short", "duplex-long", "single"])
@pytest.mark.parametrize("fmt", ["booklet", "perfect", "standard", "custom"])
@pytest.mark.parametrize("layout", list(GRIDS))
def test_pages_land_in_their_cells(tmp_path: Path, layout: str, fmt: str, printer: str) -> None:
    choice = list(FORMATS[layout])[["booklet", "perfect", "standard", "custom"].index(fmt)]
    counts = FORMATS[layout][choice]
    book = numbered_pdf(tmp_path / "book.pdf", PAGES)
    settings = ImposeSettings(
        layout=layout, signatures=parse_signatures(choice), printer=printer, split=True
    )
    result = impose(book, tmp_path / "book-sheets.pdf", settings)
    assert [g.sheets for g in result.book.gatherings] == counts
    for path in result.files:
        assert qpdf_ok(path), path
    main = [p for p in result.files if "-sig" not in p.name]
    sheets = _sheets(main, printer, layout)
    assert len(sheets) == sum(counts)
    seen = []
    for number, (front, back) in enumerate(sheets):
        for face, side in enumerate((front, back)):
            assert side.grid() == _expected(layout, counts, side, face, number, printer), (
                f"sheet {number + 1} {'back' if face else 'front'}"
            )
            seen += [f.page for f in side.found]
    assert sorted(seen) == list(range(1, PAGES + 1))
    prefs = viewer_preferences(main[0])
    assert prefs["/PrintScaling"] == "/None"
    duplex = {"duplex-short": "/DuplexFlipShortEdge", "duplex-long": "/DuplexFlipLongEdge"}
    assert prefs["/Duplex"] == duplex.get(printer, "/Simplex")
    # Split files: one per signature (two when single-sided) holding that signature's sheets.
    parts = [p for p in result.files if "-sig" in p.name]
    assert len(parts) == len(counts) * (2 if printer == "single" else 1)
    for index, count in enumerate(counts, start=1):
        files = sorted(p for p in parts if f"-sig{index:02d}" in p.name)
        if printer == "single":
            files.sort(key=lambda p: "backs" in p.name)
        with pikepdf.open(files[0]) as pdf:
            assert len(pdf.pages) == (count if printer == "single" else 2 * count)


def test_a_leaf_backs_onto_its_partner_in_every_mode(tmp_path: Path) -> None:
    # Whatever the printer, page 1's back (the same spot, seen through the paper) is page 2.
    book = numbered_pdf(tmp_path / "book.pdf", 8)
    for printer in ("duplex-short", "duplex-long", "single"):
        settings = ImposeSettings(layout="quarto", printer=printer)
        result = impose(book, tmp_path / f"{printer}.pdf", settings)
        front, back = _sheets(list(result.files), printer, "quarto")[0]
        one = next(f for f in front.found if f.page == 1)
        two = next(f for f in back.found if f.page == 2)
        turned = _turned(back, printer)
        cols, rows = 2, 2
        spot = (one.col, rows - 1 - one.row) if turned else (cols - 1 - one.col, one.row)
        assert (two.col, two.row) == spot
        assert two.rotated == (one.rotated != turned)
