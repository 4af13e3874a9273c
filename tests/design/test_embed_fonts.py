"""``--embed-fonts``: the design's faces in the EPUB, subset to the book's characters."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.backends.epub_fonts import find_face, font_families
from fic2book.backends.kepub import build_kepub
from fic2book.cli import app
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from tests.conftest import make_work
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

if find_face("Noto Serif", "regular", "roman") is None:
    pytest.skip("fontconfig has no Noto Serif (fonts-noto-core)", allow_module_level=True)

WIP = Path(__file__).parent.parent / "data" / "ao3" / "ao3-2023-wip.html"
OPTIONS = RenderOptions(embed_fonts=True, theme="modern", source_date_epoch=0, no_cover=True)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


@pytest.fixture(scope="module")
def book() -> bytes:
    return build_epub(make_work(title="Crème brûlée"), OPTIONS)


def test_the_families_are_the_text_face_and_the_themes() -> None:
    assert font_families(RenderOptions()) == ["Noto Serif"]
    assert font_families(RenderOptions(theme="modern")) == ["Noto Serif", "Noto Sans"]


def test_fontconfig_finds_faces_and_refuses_stand_ins() -> None:
    italic = find_face("Noto Serif", "bold", "italic")
    assert italic is not None and (italic.weight, italic.style) == (700, "italic")
    assert italic.path.is_file()
    assert find_face("No Such Family Anywhere", "regular", "roman") is None


def test_the_epub_carries_subset_fonts_and_their_sheet(book: bytes) -> None:
    files = members(book)
    fonts = sorted(name for name in files if name.startswith("EPUB/fonts/"))
    assert len(fonts) == 8  # Noto Serif and Noto Sans, four faces each
    opf = files["EPUB/content.opf"].decode()
    for name in fonts:
        href = name.removeprefix("EPUB/")
        assert re.search(rf'href="{re.escape(href)}" id="[^"]+" media-type="font/ttf"', opf)
    sheet = files["EPUB/styles/fonts.css"].decode()
    assert sheet.count("@font-face") == 8 and 'font-family: "Noto Serif", Georgia' in sheet
    chapter = files["EPUB/chap_001.xhtml"].decode()
    links = re.findall(r'<link href="([^"]+)"', chapter)
    assert links[:4] == [
        "styles/book.css",
        "styles/epub.css",
        "styles/fonts.css",
        "styles/themes/modern/theme.css",
    ]
    regular = TTFont(io.BytesIO(files["EPUB/fonts/NotoSerif-Regular.ttf"]))
    cmap = regular.getBestCmap()
    assert {ord(c) for c in "Crème brûlée"} <= set(cmap)
    assert ord("Ж") not in cmap  # Noto Serif has Cyrillic; this book has none
    assert len(cmap) < 300


def test_embedding_is_reproducible_and_off_by_default(book: bytes) -> None:
    assert build_epub(make_work(title="Crème brûlée"), OPTIONS) == book
    plain = members(build_epub(make_work(), RenderOptions(no_cover=True)))
    assert not any(name.startswith("EPUB/fonts/") for name in plain)
    assert "EPUB/styles/fonts.css" not in plain


def test_the_kepub_has_them_too() -> None:
    files = members(build_kepub(make_work(), OPTIONS))
    assert "EPUB/styles/fonts.css" in files
    assert any(name.startswith("EPUB/fonts/NotoSerif") for name in files)


def test_convert_takes_embed_fonts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "work.txt"
    source.write_text("Title: Fonts\nAuthor: someone\n\nOne line.\n", encoding="utf-8")
    target = tmp_path / "book.epub"
    with caplog.at_level(logging.WARNING):
        args = ["convert", str(source), "--embed-fonts", "-o", str(target)]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "not found" not in caplog.text
    assert "EPUB/fonts/NotoSerif-Regular.ttf" in members(target.read_bytes())


@pytest.mark.slow
def test_books_with_fonts_pass_epubcheck_and_open_in_ebooklib(book: bytes, tmp_path: Path) -> None:
    jar = require_epubcheck()
    path = tmp_path / "fonts.epub"
    path.write_bytes(book)
    opened = epub.read_epub(str(path))
    assert opened.get_item_with_href("fonts/NotoSerif-Italic.ttf") is not None
    reports = run_epubcheck_batch([path], jar)
    assert failures(reports[path]) == []


def _fonts(path: Path) -> list[str]:
    return sorted(name for name in members(path.read_bytes()) if name.startswith("EPUB/fonts/"))


def test_update_keeps_the_fonts_and_can_add_them(tmp_path: Path) -> None:
    """The fonts are part of the recorded design; ``update --embed-fonts`` adds them."""
    work = read_work(WIP, None)
    early = dataclasses.replace(work, chapters=work.chapters[:2])
    runner = CliRunner()
    for embed, args in ((True, []), (False, ["--embed-fonts"])):
        options = dataclasses.replace(OPTIONS, embed_fonts=embed)
        book = tmp_path / f"old-{embed}.epub"
        book.write_bytes(build_epub(prepare(early, options), options))
        assert bool(_fonts(book)) is embed
        newer = tmp_path / f"new-{embed}.epub"
        result = runner.invoke(app, ["update", str(book), str(WIP), *args, "-o", str(newer)])
        assert result.exit_code == 0, result.output
        assert "EPUB/fonts/NotoSerif-Regular.ttf" in _fonts(newer)
        assert "EPUB/fonts/NotoSans-Regular.ttf" in _fonts(newer)  # the recorded theme's


@pytest.mark.slow
def test_batch_embeds_fonts_in_every_epub_and_they_pass_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    library = tmp_path / "library"
    (library / "sub").mkdir(parents=True)
    (library / "one.txt").write_text("Title: One\nAuthor: a\n\nCrème brûlée.\n", "utf-8")
    (library / "sub" / "two.txt").write_text("Title: Two\nAuthor: b\n\nЖизнь.\n", "utf-8")
    out = tmp_path / "books"
    command = [sys.executable, "-m", "fic2book", "batch", str(library), "-o", str(out)]
    done = subprocess.run(
        [*command, "-j", "2", "--to", "epub,kepub", "--embed-fonts", "--theme", "modern"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(out.rglob("*.epub"))
    assert len(made) == 4  # two works, EPUB and KEPUB each
    for path in made:
        fonts = _fonts(path)
        assert len(fonts) == 8, (path, fonts)  # Noto Serif and Noto Sans, four faces each
        assert "EPUB/styles/fonts.css" in members(path.read_bytes())
    for path in made:  # each book's fonts are cut to its own characters
        regular = members(path.read_bytes())["EPUB/fonts/NotoSerif-Regular.ttf"]
        cyrillic = ord("Ж") in TTFont(io.BytesIO(regular)).getBestCmap()
        assert cyrillic is (path.parent.name == "sub"), path
    reports = run_epubcheck_batch(made, jar)
    assert {path: failures(reports[path]) for path in made} == {path: [] for path in made}
