"""``fic2book bind`` with convert's design options: the text block is the designed book.

The kit is read back: the text block's text layer (labels in French, chapter numbers as
words, the PDF's half title and credits page), and the binding sheet (JSON and PDF) naming
the design it was bound in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from tests.textract import has_text, pdf_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

WORDS = "The tide came in over the causeway and the lamps were lit one by one. " * 30


def _work(path: Path) -> Path:
    lines = ["Title: The Binder's Test", "Authors: tidewright", "Language: English", ""]
    for number in range(1, 4):
        lines += [f"Chapter {number}: Part {number}", "", *([WORDS] * 3), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _page_text(path: Path, page: int) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("designed")
    work = _work(folder / "work.txt")
    result = CliRunner().invoke(
        app,
        [
            "bind", str(work), "-o", str(folder / "kit"), "--theme", "modern",
            "--opening", "smallcaps", "--labels", "fr", "--chapter-numbers", "words",
            "--bound-by", "Ana Relieuse", "--timeout", "300", "--max-memory", "3G",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((folder / "kit" / "binding.json").read_text(encoding="utf-8"))
    return folder / "kit", data


@pytest.mark.slow
def test_text_block_is_set_in_the_chosen_design(kit: tuple[Path, dict[str, object]]) -> None:
    folder, _data = kit
    textblock = folder / "textblock.pdf"
    text = pdf_text(textblock)
    # French labels, chapter numbers in French words (the contents and the headings).
    assert has_text(text, "Table des matières")
    assert has_text(text, "Chapitre un : Part 1") and has_text(text, "Chapitre trois : Part 3")
    assert "Chapter 1" not in text and "Contents" not in text
    # The PDF's front matter by default: the half title (the title alone) first, then the
    # title page and the credits page with the binder's name.
    assert _page_text(textblock, 1).split() == ["The", "Binder\u2019s", "Test"]
    assert has_text(text, "par tidewright")
    assert has_text(text, "Relié par Ana Relieuse")


@pytest.mark.slow
def test_binding_sheet_records_the_design(kit: tuple[Path, dict[str, object]]) -> None:
    folder, data = kit
    design = data["design"]
    assert isinstance(design, dict)
    assert design["theme"] == "modern" and design["opening"] == "smallcaps"
    assert design["labels"] == "fr" and design["chapter_numbers"] == "words"
    assert design["front_matter"] == ["half-title", "title", "credits", "tags"]
    assert design["bound_by"] == "Ana Relieuse" and design["ornament"] == "asterism"
    sheet = pdf_text(folder / "binding.pdf")
    assert has_text(sheet, "modern theme, smallcaps opening")
    assert has_text(sheet, "labels fr, chapter numbers in words")
    assert has_text(sheet, "Bound by") and has_text(sheet, "Ana Relieuse")


@pytest.mark.slow
def test_default_labels_follow_the_work(tmp_path: Path) -> None:
    """Without --labels the sheet names the work's language, and the book is in English."""
    work = _work(tmp_path / "w.txt")
    result = CliRunner().invoke(
        app, ["bind", str(work), "-o", str(tmp_path / "kit"), "--front-matter", "title,tags"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "kit" / "binding.json").read_text(encoding="utf-8"))
    assert data["design"]["labels"] == "en" and data["design"]["theme"] == "classic"
    assert data["design"]["front_matter"] == ["title", "tags"]
    text = pdf_text(tmp_path / "kit" / "textblock.pdf")
    assert has_text(text, "Chapter 1: Part 1") and "Relié" not in text


def test_bind_refuses_a_bad_design_option(tmp_path: Path) -> None:
    work = _work(tmp_path / "w.txt")
    for flag, value in (("--theme", "nope"), ("--opening", "x"), ("--labels", "not a tag")):
        result = CliRunner().invoke(
            app, ["bind", str(work), "-o", str(tmp_path / "k"), flag, value]
        )
        assert result.exit_code == 2, (flag, result.output)
        assert flag in result.output
    assert not (tmp_path / "k").exists()


def test_bind_keeps_to_max_input_size(tmp_path: Path) -> None:
    """``bind`` takes convert's limits: a work larger than --max-input-size is refused unread."""
    work = _work(tmp_path / "w.txt")
    result = CliRunner().invoke(
        app, ["bind", str(work), "-o", str(tmp_path / "k"), "--max-input-size", "1K"]
    )
    assert result.exit_code == 3, result.output
    assert "larger than the 1 KiB allowed (--max-input-size)" in result.output
    assert not (tmp_path / "k" / "textblock.pdf").exists()
