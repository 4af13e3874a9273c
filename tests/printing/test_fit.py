"""``--fit-signatures``: the nudges, and a fitted book that is never worse than the plain one."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.options import RenderOptions
from fic2book.printing.fit import Fit, fit_css

PARAGRAPH = "The tide came in over the causeway and the lamps were lit one by one. " * 12


def _work(path: Path, chapters: int, paragraphs: int) -> Path:
    lines = ["Title: Fitted", "Authors: tidewright", ""]
    for number in range(1, chapters + 1):
        lines += [f"Chapter {number}: Part {number}", "", *([PARAGRAPH] * paragraphs), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_tightness_sets_leading_and_bottom_margin() -> None:
    options = RenderOptions()  # A5: 25 mm bottom margin
    assert (
        fit_css(options, 1.0) == "body { line-height: 1.4910 }\n@page { margin-bottom: 28.00mm }\n"
    )
    assert "margin-bottom: 22.00mm" in fit_css(options, -1.0)
    assert Fit(0.5, 96, 0, 2, 93).leading == pytest.approx(1.42 * 1.025)
    assert "93 → 96 pages, 0 blank" in Fit(0.5, 96, 0, 2, 93).describe(16)
    assert "no change needed" in Fit(0.0, 96, 0, 1, 96).describe(16)


@pytest.mark.slow
def test_convert_fit_signatures_never_adds_blanks(tmp_path: Path) -> None:
    work = _work(tmp_path / "w.txt", 3, 14)
    plain = tmp_path / "plain.pdf"
    assert CliRunner().invoke(app, ["convert", str(work), "-o", str(plain)]).exit_code == 0
    fitted = tmp_path / "fitted.pdf"
    args = ["convert", str(work), "-o", str(fitted), "--fit-signatures", "8"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "fitted" in result.output
    with pikepdf.open(plain) as a, pikepdf.open(fitted) as b:
        before, after = len(a.pages), len(b.pages)
    assert -after % 8 <= -before % 8
    assert f"{after} pages, {-after % 8} blank" in result.output


@pytest.mark.slow
def test_bind_records_the_fit(tmp_path: Path) -> None:
    work = _work(tmp_path / "w.txt", 2, 10)
    args = ["bind", str(work), "-o", str(tmp_path / "kit"), "--fit-signatures"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "kit" / "binding.json").read_text(encoding="utf-8"))
    assert set(data["fit"]) == {"tightness", "leading", "original_pages"}
    assert data["text_pages"] <= data["total_pages"]


def test_fit_signatures_range_is_checked(tmp_path: Path) -> None:
    work = _work(tmp_path / "w.txt", 1, 1)
    args = ["convert", str(work), "-o", str(tmp_path / "b.pdf"), "--fit-signatures", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--fit-signatures must be 4 to 128" in result.output
