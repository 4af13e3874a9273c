"""The fold simulation's placement tables, against facts about folded sheets.

The tables below are the README's placement table (checked by folding paper); the other
tests hold every layout to rules any correctly folded sheet obeys.
"""

from __future__ import annotations

import pytest

from fic2book.printing.layouts import LAYOUTS, Layout, fold_plan, placement_table, turned

#: One sheet of each layout: front rows then back rows; "r" = upside down.
TABLES = {
    "folio": ["4 1", "2 3"],
    "quarto": ["5r 4r", "8 1", "3r 6r", "2 7"],
    "octavo": ["9r 8r 5r 12r", "16 1 4 13", "11r 6r 7r 10r", "14 3 2 15"],
    "sextodecimo": [
        "29r 4r 5r 28r", "20 13 12 21", "17r 16r 9r 24r", "32 1 8 25",
        "27r 6r 3r 30r", "22 11 14 19", "23r 10r 15r 18r", "26 7 2 31",
    ],
}  # fmt: skip


def _rows(layout: Layout) -> list[str]:
    plan = fold_plan(layout)
    rows = []
    for cells in (plan.front, plan.back):
        for row in range(layout.rows):
            rows.append(
                " ".join(f"{c.page}{'r' if c.rotated else ''}" for c in cells if c.row == row)
            )
    return rows


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_placement_table(name: str) -> None:
    assert _rows(LAYOUTS[name]) == TABLES[name]
    assert len(placement_table(LAYOUTS[name])) == 2 * LAYOUTS[name].rows


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_folded_sheet_rules(name: str) -> None:
    layout = LAYOUTS[name]
    plan = fold_plan(layout)
    pages = sorted(c.page for c in plan.front + plan.back)
    assert pages == list(range(1, layout.pages_per_sheet + 1))
    # The outer forme holds the pages whose number mod 4 is 0 or 1 (binding.md, "Formes").
    assert all(c.page % 4 in (0, 1) for c in plan.front)
    back = {(c.col, c.row): c for c in plan.back}
    for cell in plan.front:
        # Behind each page (the sheet turned over its vertical axis) is the other side of
        # its leaf, the same way up: 1 backs 2, 4 backs 3 and so on.
        partner = back[(layout.cols - 1 - cell.col, cell.row)]
        assert {cell.page, partner.page} in ({p, p + 1} for p in range(1, 64, 2))
        assert partner.rotated == cell.rotated
    for cells in (plan.front, plan.back):
        for row in range(layout.rows):
            ways = {c.rotated for c in cells if c.row == row}
            # A whole row is one way up, and rows pair head to head across the head folds.
            assert ways == {row % 2 == 0} if layout.rows > 1 else ways == {False}


def test_turning_a_side_twice_is_the_same_side() -> None:
    layout = LAYOUTS["octavo"]
    back = fold_plan(layout).back
    assert turned(turned(back, layout), layout) == back
    assert turned(back, layout) != back


def test_the_last_fold_is_the_spine() -> None:
    for layout in LAYOUTS.values():
        assert layout.folds[-1] == "vertical"
        assert len(layout.folds) == layout.cells.bit_length() - 1
