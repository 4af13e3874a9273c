"""``fic2book impose``: folding order, padding, placement and errors, read back from the PDF.

The input is a hand-written PDF whose page ``n`` shows the word ``Pn``; pdftotext -bbox then
says which page number lies on which half of each sheet and whether it is upside down.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.errors import InputError, UsageError
from fic2book.impose import (
    SHEETS,
    impose,
    padded_count,
    sheet_sides,
    sides_table,
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)


def numbered_pdf(path: Path, pages: int, size: tuple[float, float] = (420.0, 595.0)) -> Path:
    """Write a PDF whose page n shows ``Pn`` near its top-left corner (Helvetica, no fonts)."""
    width, height = size
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page ids are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for number in range(1, pages + 1):
        text = f"BT /F1 40 Tf 40 {height - 80:.0f} Td (P{number}) Tj ET".encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (width, height, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        pages,
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


@dataclass(frozen=True)
class Word:
    """A page label found on a sheet: which half and whether it reads upside down."""

    page: int
    half: str
    rotated: bool


def sheet_words(path: Path) -> list[list[Word]]:
    """For every output page, the ``Pn`` labels with their half and orientation."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    sides: list[list[Word]] = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S):
        width, height, body = float(page[0]), float(page[1]), page[2]
        words = []
        for x_min, y_min, x_max, _y_max, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(P\d+)</word>',
            body,
        ):
            centre = (float(x_min) + float(x_max)) / 2
            # Upright labels sit near the top of the page; upside-down ones near the bottom.
            rotated = float(y_min) > height / 2
            words.append(Word(int(text[1:]), "left" if centre < width / 2 else "right", rotated))
        sides.append(words)
    return sides


def layout(path: Path) -> list[tuple[str, str]]:
    """Each output page as (left, right) labels like sides_table: "3", "3↻" or "blank"."""
    result = []
    for words in sheet_words(path):
        halves = {"left": "blank", "right": "blank"}
        for word in words:
            assert halves[word.half] == "blank", f"two pages on one half: {words}"
            halves[word.half] = f"{word.page}\u21bb" if word.rotated else str(word.page)
        result.append((halves["left"], halves["right"]))
    return result


# ---- the order, as numbers -----------------------------------------------------------------


def test_sixteen_pages_match_the_folding_table() -> None:
    # typography notes §5: s = 4, n = 16.
    assert sides_table(sheet_sides(16, 4, "short")) == [
        ("16", "1"), ("2", "15"), ("14", "3"), ("4", "13"),
        ("12", "5"), ("6", "11"), ("10", "7"), ("8", "9"),
    ]  # fmt: skip
    assert sides_table(sheet_sides(16, 4, "long"))[1::2] == [
        ("15\u21bb", "2\u21bb"), ("13\u21bb", "4\u21bb"),
        ("11\u21bb", "6\u21bb"), ("9\u21bb", "8\u21bb"),
    ]  # fmt: skip


@pytest.mark.parametrize("signature", [1, 2, 3, 5])
@pytest.mark.parametrize("pages", [1, 7, 10, 24, 37])
def test_every_page_appears_once_and_pairs_fold_together(pages: int, signature: int) -> None:
    sides = sheet_sides(pages, signature)
    padded = padded_count(pages, signature)
    assert padded % (4 * signature) == 0 and padded - pages < 4 * signature
    assert len(sides) == padded // 2
    numbers = [slot.page for side in sides for slot in (side.left, side.right)]
    assert sorted(n for n in numbers if n is not None) == list(range(1, pages + 1))
    assert numbers.count(None) == padded - pages
    per = 4 * signature
    for side in sides:
        left, right = side.left.page, side.right.page
        if left is not None and right is not None:
            # Facing halves of one sheet sum to n + 1 within their signature.
            base = (min(left, right) - 1) // per * per
            assert (left - base) + (right - base) == per + 1


def test_bad_settings_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        sheet_sides(10, 0)
    with pytest.raises(UsageError):
        sheet_sides(10, 2, "sideways")  # type: ignore[arg-type]


# ---- the order, read from real sheets ------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("flip", ["short", "long"])
@pytest.mark.parametrize("signature", [1, 2, 3])
def test_sheets_carry_the_pages_in_folding_order(tmp_path: Path, signature: int, flip: str) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 10)
    sheets = tmp_path / "sheets.pdf"
    result = impose(book, sheets, "letter", signature, flip)  # type: ignore[arg-type]
    padded = padded_count(10, signature)
    assert (result.source_pages, result.padded_pages) == (10, padded)
    assert result.sheets == padded // 4
    assert len(pypdf.PdfReader(sheets).pages) == padded // 2
    assert layout(sheets) == sides_table(sheet_sides(10, signature, flip))  # type: ignore[arg-type]


@needs_poppler
def test_explicit_order_for_ten_pages_in_one_signature_of_three(tmp_path: Path) -> None:
    # 10 pages → 12; sheet 1 front: 12 (blank) | 1, back: 2 | 11 (blank); …
    sheets = impose(numbered_pdf(tmp_path / "b.pdf", 10), tmp_path / "s.pdf", "a4", 3, "short")
    assert sheets.blank_pages == 2
    assert layout(tmp_path / "s.pdf") == [
        ("blank", "1"), ("2", "blank"),
        ("10", "3"), ("4", "9"),
        ("8", "5"), ("6", "7"),
    ]  # fmt: skip


@needs_poppler
def test_pages_are_scaled_to_fit_and_centred(tmp_path: Path) -> None:
    # A 6x9 in page on a letter sheet: each half is 5.5x8.5 in, so the page shrinks to fit
    # the width (5.5/6) and is centred in its half: no side margin, equal ones above and below.
    book = numbered_pdf(tmp_path / "b.pdf", 4, size=(432.0, 648.0))
    impose(book, tmp_path / "s.pdf", "letter", 1, "short")
    reader = pypdf.PdfReader(tmp_path / "s.pdf")
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == SHEETS["letter"]
    scale = 396.0 / 432.0
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "s.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>P1<', bbox)
    assert found is not None
    # The text starts 40 pt into the page and its baseline 80 pt below the top.
    assert float(found[1]) == pytest.approx(396.0 + 40 * scale, abs=1.0)
    top_margin = (612.0 - 648.0 * scale) / 2
    # Helvetica's ascender is 0.718 em (40 pt type): the word's box starts there.
    assert float(found[2]) == pytest.approx(top_margin + (80 - 0.718 * 40) * scale, abs=1.5)


def test_a_cropped_or_rotated_page_is_placed_as_seen(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "b.pdf", 2)
    writer = pypdf.PdfWriter(clone_from=book)
    writer.pages[0].rotate(90)
    writer.pages[1].cropbox = pypdf.generic.RectangleObject((0, 300, 420, 595))
    with (tmp_path / "odd.pdf").open("wb") as handle:
        writer.write(handle)
    impose(tmp_path / "odd.pdf", tmp_path / "s.pdf", "a4", 1, "short")
    assert len(pypdf.PdfReader(tmp_path / "s.pdf").pages) == 2


# ---- errors and the command ----------------------------------------------------------------


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
    writer = pypdf.PdfWriter(clone_from=numbered_pdf(tmp_path / "b.pdf", 2))
    writer.encrypt("secret", algorithm="RC4-128")
    with (tmp_path / "locked.pdf").open("wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError, match="encrypted"):
        impose(tmp_path / "locked.pdf", tmp_path / "s.pdf")


def test_command_writes_sheets_and_reports(tmp_path: Path) -> None:
    book = numbered_pdf(tmp_path / "book.pdf", 10)
    runner = CliRunner()
    result = runner.invoke(
        app, ["impose", str(book), "--sheet", "letter", "--signature", "2", "--flip", "long"]
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "book-sheets.pdf"
    assert f"wrote {target}" in result.output
    assert "10 pages, 6 blank on 4 letter sheets (2 signatures of 2)" in result.output
    assert len(pypdf.PdfReader(target).pages) == 8


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--signature", "0"], 2),
        (["--flip", "diagonal"], 2),
        (["--sheet", "legal"], 2),
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
