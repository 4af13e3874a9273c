"""``fic2book impose``: the command, its report and its errors (the imposer: tests/printing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.errors import InputError
from fic2book.printing.impose import impose
from tests.printing.readback import numbered_pdf, read_sides

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


@needs_poppler
def test_command_writes_sheets_and_reports(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 10)
    result = CliRunner().invoke(
        app, ["impose", str(book), "--sheet", "letter", "--signature", "2", "--flip", "long"]
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "book-sheets.pdf"
    assert f"wrote {target}" in result.output
    # 10 pages need 3 sheets: one signature of 2 and one of 1, 2 blank pages.
    assert "10 pages, 2 blank on 3 letter sheets, folio (1 signature of 2 sheets, 1 of 1)" in (
        result.output
    )
    sides = read_sides(target, 2, 1)
    assert len(sides) == 6
    # Sheet 1 front: 8 | 1; its back, for a long-edge flip, upside down: 7 | 2.
    assert sorted((f.page, f.col, f.rotated) for f in sides[0].found) == [
        (1, 1, False),
        (8, 0, False),
    ]
    assert sorted((f.page, f.col, f.rotated) for f in sides[1].found) == [
        (2, 1, True),
        (7, 0, True),
    ]


def test_not_a_pdf_is_an_input_error(tmp_path: Path) -> None:
    text = tmp_path / "book.pdf"
    text.write_text("not a pdf at all", encoding="utf-8")
    with pytest.raises(InputError, match="not a PDF"):
        impose(text, tmp_path / "s.pdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    with pytest.raises(InputError):
        impose(broken, tmp_path / "s.pdf")
    with pytest.raises(InputError):
        impose(tmp_path / "missing.pdf", tmp_path / "s.pdf")
    assert not (tmp_path / "s.pdf").exists()


def test_encrypted_pdf_is_an_input_error(tmp_path: Path) -> None:
    with pikepdf.open(numbered_pdf(tmp_path / "b.pdf", 2)) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(InputError, match="encrypted"):
        impose(tmp_path / "locked.pdf", tmp_path / "s.pdf")


def test_a_cropped_or_rotated_page_is_placed_as_seen(tmp_path: Path) -> None:
    with pikepdf.open(numbered_pdf(tmp_path / "b.pdf", 2)) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.pages[1].CropBox = [0, 300, 420, 595]
        pdf.save(tmp_path / "odd.pdf")
    result = impose(tmp_path / "odd.pdf", tmp_path / "s.pdf")
    assert result.sheets == 1
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        assert len(pdf.pages) == 2


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--signature", "0"], 2),
        (["--flip", "diagonal"], 2),
        (["--sheet", "a9"], 2),
    ],
)
def test_command_refuses_bad_settings(tmp_path: Path, args: list[str], code: int) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 3)
    result = CliRunner().invoke(app, ["impose", str(book), "-o", str(tmp_path / "s.pdf"), *args])
    assert result.exit_code == code
    assert "fic2book: usage:" in result.output


def test_command_reports_a_non_pdf_as_input_error(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(app, ["impose", str(tmp_path / "x.pdf")])
    assert result.exit_code == 3
    assert "fic2book: cannot read input:" in result.output


@needs_poppler
def test_command_takes_the_binding_options(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 20)
    target = tmp_path / "s.pdf"
    args = ["impose", str(book), "-o", str(target), "--layout", "octavo", "--printer", "single"]
    args += ["--signatures", "1,1", "--split", "--marks", "fold,sewing", "--paper", "0.1mm"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "20 pages, 12 blank on 2 a4 sheets, octavo (2 signatures of 1 sheet)" in result.output
    names = sorted(p.name for p in tmp_path.glob("s-*.pdf"))
    assert names == [
        "s-backs.pdf", "s-fronts.pdf", "s-sig01-backs.pdf", "s-sig01-fronts.pdf",
        "s-sig02-backs.pdf", "s-sig02-fronts.pdf",
    ]  # fmt: skip
    # Backs come last sheet first: the first back shows the second signature (17-20).
    first_back = read_sides(tmp_path / "s-backs.pdf", 4, 2)[0]
    assert {f.page for f in first_back.found} <= set(range(17, 21))


@pytest.mark.parametrize(
    "args",
    [
        ["--layout", "duodecimo"],
        ["--printer", "laser"],
        ["--signatures", "2", "--signature", "2"],
        ["--paper", "cardboard"],
        ["--marks", "glitter"],
        ["--scale", "none", "--sheet", "a6"],
        ["--stations", "1"],
        ["--paper", "0.1mm", "--creep-factor", "9"],
        ["--margin", "5"],
    ],
)
def test_command_refuses_bad_binding_options(tmp_path: Path, args: list[str]) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 3)
    result = CliRunner().invoke(app, ["impose", str(book), "-o", str(tmp_path / "s.pdf"), *args])
    assert result.exit_code == 2, result.output
    assert "fic2book: usage:" in result.output


def test_a_page_without_size_is_an_input_error(tmp_path: Path) -> None:
    with pikepdf.open(numbered_pdf(tmp_path / "b.pdf", 2)) as pdf:
        pdf.pages[1].MediaBox = [0, 0, 0, 0]
        pdf.save(tmp_path / "flat.pdf")
    result = CliRunner().invoke(app, ["impose", str(tmp_path / "flat.pdf")])
    assert result.exit_code == 3
    assert "page 2 is 0 x 0 pt" in result.output


def test_split_only_writes_the_signatures_alone(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 20)
    args = ["impose", str(book), "-o", str(tmp_path / "s.pdf"), "--signature", "2", "--split-only"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("s*.pdf")) == [
        "s-sig01.pdf",
        "s-sig02.pdf",
        "s-sig03.pdf",
    ]
