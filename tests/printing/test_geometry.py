"""Where pages sit on the sheet: creep, position, scale, marks, flyleaves; read from the PDF."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pikepdf
import pytest

from fic2book.errors import UsageError
from fic2book.printing.creep import parse_paper
from fic2book.printing.impose import impose
from fic2book.printing.layouts import LAYOUTS
from fic2book.printing.marks import ON_FOLD, Segment, clear_of
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.sheets import MM, parse_length, parse_size
from fic2book.printing.signatures import Signatures, parse_signatures, plan_book
from tests.printing.readback import numbered_pdf, read_sides

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def _x_positions(path: Path, cols: int, rows: int) -> dict[int, float]:
    return {f.page: f.x_min for side in read_sides(path, cols, rows) for f in side.found}


@needs_poppler
def test_creep_moves_each_page_towards_the_spine_by_its_depth(tmp_path: Path) -> None:
    # One folio signature of 4 sheets (16 pages) on 0.1 mm paper: page p's leaf lies
    # d = (min(p, 17 - p) - 1) // 2 leaves deep, and moves d x 0.1 mm towards the fold
    # (the sheet's centre line), at the scale the page is drawn (A5 on A4: 1).
    book = numbered_pdf(tmp_path / "book.pdf", 16, size=(148 * MM, 210 * MM))
    plain = impose(book, tmp_path / "plain.pdf", ImposeSettings(scale="none"))
    settings = ImposeSettings(scale="none", paper=parse_paper("0.1mm"))
    impose(book, tmp_path / "creep.pdf", settings)
    before = _x_positions(tmp_path / "plain.pdf", 2, 1)
    after = _x_positions(tmp_path / "creep.pdf", 2, 1)
    centre = plain.geometry.width / 2
    for page in range(1, 17):
        depth = (min(page, 17 - page) - 1) // 2
        towards_spine = 1 if before[page] < centre else -1
        assert after[page] - before[page] == pytest.approx(
            towards_spine * depth * 0.1 * MM, abs=0.02
        )
    assert max(abs(after[p] - before[p]) for p in before) == pytest.approx(0.3 * MM, abs=0.02)


def test_paper_values() -> None:
    assert parse_paper("0.1mm").caliper_mm == pytest.approx(0.1)
    assert parse_paper("80gsm").caliper_mm == pytest.approx(0.1)
    # KDP white: 0.002252 in per page, two pages a leaf.
    assert parse_paper("kdp-white").spine(300) == pytest.approx(300 * 0.002252 * 72)
    assert parse_paper("400ppi").spine(400) == pytest.approx(72)
    for bad in ("thick", "81gsm", "2mm", "0mm"):
        with pytest.raises(UsageError):
            parse_paper(bad)


def test_sizes_and_lengths() -> None:
    assert parse_size("A4") == pytest.approx((595.276, 841.89), abs=0.01)
    assert parse_size("11x17in") == (792.0, 1224.0)
    assert parse_size("legal") == (612.0, 1008.0)
    assert parse_length("3mm") == pytest.approx(8.504, abs=0.001)
    for bad in ("a9", "11x17", "0x0in"):
        with pytest.raises(UsageError):
            parse_size(bad)


def test_at_100_percent_a_page_too_big_names_a_sheet_that_fits(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 4, size=(148 * MM, 210 * MM))
    with pytest.raises(UsageError, match=r"a4 would hold it at 100 %"):
        impose(book, tmp_path / "s.pdf", ImposeSettings(sheet="a5", scale="none"))
    with pytest.raises(UsageError, match="does not fit"):
        impose(book, tmp_path / "s.pdf", ImposeSettings(layout="sextodecimo", scale="none"))
    assert not (tmp_path / "s.pdf").exists()


@needs_poppler
def test_position_fold_puts_pages_against_the_spine(tmp_path: Path) -> None:
    # About A6 pages (298 x 420 pt) on an A4 folio sheet at 100 %: snug to the fold, each
    # page's spine edge is the sheet's centre line.
    book = numbered_pdf(tmp_path / "book.pdf", 4, size=(298.0, 420.0))
    settings = ImposeSettings(position="fold", scale="none", signatures=Signatures("booklet"))
    result = impose(book, tmp_path / "fold.pdf", settings)
    with pikepdf.open(tmp_path / "fold.pdf") as pdf:
        content = pdf.pages[0].Contents.read_bytes().decode()
    centre = result.geometry.width / 2
    # Page 1 (right half, spine on its left) is drawn from x = centre; page 4 ends there.
    assert f"1.000000 0 0 1.000000 {centre:.4f}" in content
    assert f"{centre - 298:.4f}" in content


def test_default_spreading_leaves_at_most_one_sheet_blank() -> None:
    for layout in LAYOUTS.values():
        for pages in (1, 17, 61, 117, 500):
            plan = plan_book(layout, pages)
            assert 0 <= plan.blank_pages < layout.pages_per_sheet
            counts = [g.sheets for g in plan.gatherings]
            assert max(counts) - min(counts) <= 1
    plan = plan_book(LAYOUTS["folio"], 117)
    assert plan.choice == "6 signatures of 4 sheets, 2 of 3"
    assert plan.blank_pages == 3


def test_flyleaves_and_custom_lists() -> None:
    plan = plan_book(LAYOUTS["folio"], 10, Signatures("booklet"), flyleaves=1)
    # 10 pages + 2 blank pages front + 2 back = 14 → 4 sheets, 2 more blanks at the end.
    assert (plan.total_pages, plan.blank_pages, plan.flyleaf_pages) == (16, 2, 2)
    assert plan.source_page(1) is None and plan.source_page(3) == 1
    with pytest.raises(UsageError, match="holds 16 pages; the book needs 30"):
        plan_book(LAYOUTS["folio"], 30, parse_signatures("2,2"))
    for bad in ("4,x", "0", "40"):
        with pytest.raises(UsageError):
            parse_signatures(bad)


def _segments(page: pikepdf.Page) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]]]:
    """Lines (x0, y0, x1, y1) and filled rects (x0, y0, x1, y1) drawn outside the pages."""
    lines: list[tuple[float, ...]] = []
    rects: list[tuple[float, ...]] = []
    point: tuple[float, ...] = (0.0, 0.0)
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        op, operands = str(instruction.operator), instruction.operands
        if op == "m":
            point = tuple(float(v) for v in operands)
        elif op == "l":
            lines.append((*point, *(float(v) for v in operands)))
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            rects.append((x, y, x + w, y + h))
    return lines, rects


def _page_rects(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """Each placed page's trim on the sheet, from its cm and its form's BBox."""
    result, matrix = [], None
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        operator, operands = instruction.operator, instruction.operands
        if str(operator) == "cm":
            matrix = [float(v) for v in operands]
        elif str(operator) == "Do" and matrix is not None:
            form = page.Resources.XObject[str(operands[0])]
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
            a, _b, _c, d, e, f = matrix
            xs, ys = (a * x0 + e, a * x1 + e), (d * y0 + f, d * y1 + f)
            result.append((min(xs), min(ys), max(xs), max(ys)))
    return result


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_marks_stay_outside_the_trim(tmp_path: Path, layout: str) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 40, size=(60 * MM, 90 * MM))
    settings = ImposeSettings(
        layout=layout, sheet="a3", marks=("fold", "cut", "sewing", "spine"), scale="none"
    )
    impose(book, tmp_path / "s.pdf", settings)
    kinds = set()
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        for page in pdf.pages:
            trims = _page_rects(page)
            lines, blocks = _segments(page)
            for x0, y0, x1, y1 in lines:
                across = x0 != x1 and y0 == y1 and abs(x1 - x0) == pytest.approx(2 * ON_FOLD)
                for tx0, ty0, tx1, ty1 in trims:
                    reach = ON_FOLD + 0.01 if across else 0.01
                    for x, y in ((x0, y0), (x1, y1), ((x0 + x1) / 2, (y0 + y1) / 2)):
                        inside_x = tx0 + reach < x < tx1 - reach
                        inside_y = ty0 + 0.01 < y < ty1 - 0.01
                        assert not (inside_x and inside_y), (x0, y0, x1, y1)
                kinds.add("sewing" if across else "line")
            for x0, _y0, x1, _y1 in blocks:
                assert x1 - x0 == pytest.approx(2 * ON_FOLD)
                kinds.add("spine")
    assert kinds == {"sewing", "line", "spine"}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_margin_keeps_pages_off_the_sheet_edges(tmp_path: Path, layout: str) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 8)
    settings = ImposeSettings(layout=layout, margin=parse_length("10mm"))
    impose(book, tmp_path / "s.pdf", settings)
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        for page in pdf.pages:
            width, height = float(page.MediaBox[2]), float(page.MediaBox[3])
            rects = _page_rects(page)
            assert rects
            for x0, y0, x1, y1 in rects:
                assert min(x0, y0, width - x1, height - y1) >= 10 * MM - 0.01


def test_a_margin_too_wide_for_100_percent_says_so(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 4, size=(148 * MM, 210 * MM))
    settings = ImposeSettings(scale="none", margin=parse_length("5mm"))
    with pytest.raises(UsageError, match="b4 would hold it at 100 %"):
        impose(book, tmp_path / "s.pdf", settings)


def test_sewing_stations_sit_on_the_centre_spread(tmp_path: Path) -> None:
    # One folio signature of 2 sheets (8 pages): the centre spread 4|5 is on the back of
    # sheet 2, the innermost; 5 stations there and nowhere else.
    book = numbered_pdf(tmp_path / "book.pdf", 8, size=(60 * MM, 90 * MM))
    settings = ImposeSettings(
        marks=("sewing",), sewing_stations=5, signatures=parse_signatures("booklet")
    )
    result = impose(book, tmp_path / "s.pdf", settings)
    centre = result.geometry.width / 2
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        counts = [len(_segments(page)[0]) for page in pdf.pages]
        ticks = _segments(pdf.pages[3])[0]
    assert counts == [0, 0, 0, 5]
    assert all((x0 + x1) / 2 == pytest.approx(centre, abs=0.01) for x0, _y0, x1, _y1 in ticks)
    ys = sorted(y0 for _x0, y0, _x1, _y1 in ticks)
    gaps = [b - a for a, b in itertools.pairwise(ys)]
    assert max(gaps) - min(gaps) < 0.01  # evenly spaced


def test_spine_blocks_step_down_one_signature_at_a_time(tmp_path: Path) -> None:
    # Four perfect-bound folio signatures: each outer side carries one block on the spine
    # fold, each lower than the last by its own height, so the stack shows a diagonal.
    book = numbered_pdf(tmp_path / "book.pdf", 16, size=(60 * MM, 90 * MM))
    settings = ImposeSettings(marks=("spine",), signatures=parse_signatures("perfect"))
    result = impose(book, tmp_path / "s.pdf", settings)
    centre = result.geometry.width / 2
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        blocks = [_segments(page)[1] for page in pdf.pages]
    assert [len(b) for b in blocks] == [1, 0] * 4
    tops = []
    for (x0, y0, x1, y1), *_rest in blocks[::2]:
        assert (x0 + x1) / 2 == pytest.approx(centre, abs=0.01)
        tops.append((y0, y1))
    for (low, _high), (next_low, next_high) in itertools.pairwise(tops):
        assert next_high == pytest.approx(low, abs=0.01) and next_low < low


def test_a_mark_stops_where_it_would_enter_a_page() -> None:
    page = (5.0, -1.0, 8.0, 1.0)
    assert clear_of((0, 0), (10, 0), [page]) == Segment(0, 0, 5.0, 0.0)
    # Along a page's edge is outside it; starting inside leaves nothing.
    assert clear_of((0, -1), (10, -1), [page]) == Segment(0, -1, 10.0, -1.0)
    assert clear_of((6, 0), (10, 0), [page]) == Segment(6, 0, 6.0, 0.0)
    assert clear_of((6, 5), (6, -5), [page, (0, 2, 9, 3)]) == Segment(6, 5, 6.0, 3.0)
