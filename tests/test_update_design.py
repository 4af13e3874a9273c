"""``fic2book update`` keeps the design a book was made with; its own options override it."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.cli import app
from fic2book.design_record import DESIGN_FIELDS, apply_design, design_record, read_design
from fic2book.errors import InputError
from fic2book.notes import Placement
from fic2book.options import ChapterNumbers, PageSize, ParagraphStyle, RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work

DATA = Path(__file__).parent / "data" / "ao3"
WIP = DATA / "ao3-2023-wip.html"

#: A design far from the defaults in every way a test can see.
DESIGN = RenderOptions(
    theme="modern",
    chapter_numbers=ChapterNumbers.WORDS,
    ornament="dinkus",
    style=ParagraphStyle.BLOCK,
    notes=Placement.END,
    page_size=PageSize.parse("6x9in"),
    front_matter=("title", "credits"),
    bound_by="Ada",
)


def _old_book(tmp_path: Path, options: RenderOptions, keep: int = 2) -> Path:
    work = read_work(WIP, None)
    early = dataclasses.replace(work, chapters=work.chapters[:keep])
    book = tmp_path / "old.epub"
    book.write_bytes(build_epub(prepare(early, options), options))
    return book


def _opf(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("EPUB/content.opf").decode()


def _design(path: Path) -> dict[str, object]:
    match = re.search(r'<meta property="fic2book:design">([^<]*)</meta>', _opf(path))
    assert match is not None
    return dict(json.loads(match.group(1).replace("&quot;", '"')))


def _member(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


def test_the_record_round_trips_every_design_field() -> None:
    design = read_design(design_record(DESIGN), "book")
    assert set(design) == set(DESIGN_FIELDS)
    again = apply_design(RenderOptions(), design)
    assert all(getattr(again, name) == getattr(DESIGN, name) for name in DESIGN_FIELDS)
    # What the user gives for this run wins; limits and paths are never recorded.
    mine = apply_design(RenderOptions(timeout=9), design, given={"theme"})
    assert mine.theme == "classic" and mine.style == "block" and mine.timeout == 9
    assert "css" not in design and "cover" not in design and "timeout" not in design


@pytest.mark.parametrize(
    "text",
    ['{"theme": 5}', '{"front_matter": [1]}', '{"smart": "yes"}', "[]", "{", '{"theme": "gone"}'],
)
def test_a_damaged_record_is_one_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="book"):
        apply_design(RenderOptions(), read_design(text, "book"), where="book")


def test_update_keeps_the_books_design_and_takes_overrides(tmp_path: Path) -> None:
    book = _old_book(tmp_path, DESIGN)
    runner = CliRunner()
    kept = tmp_path / "kept.epub"
    result = runner.invoke(app, ["update", str(book), str(WIP), "-o", str(kept)])
    assert result.exit_code == 0, result.output
    assert _design(kept) == _design(book)
    assert "styles/themes/modern/theme.css" in _opf(kept)
    nav = _member(kept, "EPUB/nav.xhtml")
    assert "Chapter Three" in nav and "Chapter 3" not in nav
    assert "styles/block.css" in _opf(kept)  # --style block
    # An option on update's command line changes that option alone, and is recorded.
    ao3 = tmp_path / "ao3.epub"
    result = runner.invoke(app, ["update", str(kept), str(WIP), "--theme", "ao3", "-o", str(ao3)])
    assert result.exit_code == 0, result.output
    assert _design(ao3) == {**_design(book), "theme": "ao3"}
    assert "styles/themes/ao3/theme.css" in _opf(ao3)


def test_a_book_without_a_record_is_updated_with_the_defaults(tmp_path: Path) -> None:
    book = _old_book(tmp_path, DESIGN)
    buffer = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                data = re.sub(rb'<meta property="fic2book:design">[^<]*</meta>', b"", data)
            target.writestr(info, data)
    book.write_bytes(buffer.getvalue())
    out = tmp_path / "new.epub"
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _design(out)["theme"] == "classic"
    assert "Chapter 3" in _member(out, "EPUB/nav.xhtml")


@pytest.mark.slow
def test_update_to_pdf_keeps_the_page_size(tmp_path: Path) -> None:
    book = _old_book(tmp_path, DESIGN)
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "--to", "pdf"])
    assert result.exit_code == 0, result.output
    pdf = book.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    assert "432 x 648 pts" in info.stdout  # 6x9in


def test_a_new_design_changes_no_chapter(tmp_path: Path) -> None:
    # Typography, drop caps, labels and numbering change the rendered text, not the story.
    book = _old_book(tmp_path, RenderOptions(), keep=3)
    flags = ["--opening", "dropcap", "--no-smart", "--labels", "fr", "--chapter-numbers", "words"]
    out = tmp_path / "new.epub"
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"up to date: ao3-2023-wip.html has no new, changed or removed chapters; wrote {out}"
    )
    assert _design(out)["opening"] == "dropcap" and _design(out)["smart"] is False
    assert "dropcap" in _member(out, "EPUB/chap_001.xhtml")


def test_to_and_output_must_agree(tmp_path: Path) -> None:
    book = _old_book(tmp_path, RenderOptions())
    out = tmp_path / "new.epub"
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "--to", "pdf", "-o", str(out)])
    assert result.exit_code == 2 and "does not match --to pdf" in result.output
    assert not out.exists()


def test_a_flag_the_book_was_made_with_can_be_turned_off_again(tmp_path: Path) -> None:
    # --no-skin, --pdf-ua, --pdf-cover and --embed-fonts are recorded; each has an "off" form,
    # or a book once made with one could never be updated without it.
    skin = Path(__file__).parent / "data" / "skins" / "chat-log.html"
    book = tmp_path / "chat.epub"
    runner = CliRunner()
    made = runner.invoke(app, ["convert", str(skin), "--no-skin", "--embed-fonts", "-o", str(book)])
    assert made.exit_code == 0, made.output
    assert _design(book)["no_skin"] is True and "EPUB/styles/skin.css" not in _names(book)
    result = runner.invoke(app, ["update", str(book), str(skin), "--skin", "--no-embed-fonts"])
    assert result.exit_code == 0, result.output
    assert _design(book)["no_skin"] is False and _design(book)["embed_fonts"] is False
    assert "EPUB/styles/skin.css" in _names(book)
    assert not [name for name in _names(book) if name.startswith("EPUB/fonts/")]


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()
