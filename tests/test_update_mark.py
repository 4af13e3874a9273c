"""The contents' "new" mark: styled in every theme, translated, and still a word in the text."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest
import tinycss2
from lxml import etree
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.cli import app
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from fic2book.themes import THEMES
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.textract import pdf_text

WIP = Path(__file__).parent / "data" / "ao3" / "ao3-2023-wip.html"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _old_book(tmp_path: Path, theme: str) -> Path:
    work = read_work(WIP, None)
    options = RenderOptions(theme=theme)
    early = dataclasses.replace(work, chapters=work.chapters[:1])
    book = tmp_path / f"old-{theme}.epub"
    book.write_bytes(build_epub(prepare(early, options), options))
    return book


def _update(book: Path, out: Path, *flags: str) -> None:
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output


def _styles_new(css: str) -> bool:
    """Whether a sheet has a rule for the mark's class."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return any(
        isinstance(rule, tinycss2.ast.QualifiedRule)
        and ".new" in tinycss2.serialize(rule.prelude).split(",")[0].strip()
        for rule in rules
    )


@pytest.mark.parametrize("theme", list(THEMES))
def test_the_epub_contents_marks_new_chapters_with_a_styled_span(
    tmp_path: Path, theme: str
) -> None:
    book = _old_book(tmp_path, theme)
    out = tmp_path / "new.epub"
    _update(book, out, "--labels", "fr")
    with zipfile.ZipFile(out) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        links = nav.xpath("//x:nav//x:a", namespaces=XHTML)
        marked = [a for a in links if a.xpath("x:span[@class='new']", namespaces=XHTML)]
        # Exactly the two added chapters, the word translated, the text read as shown.
        assert ["".join(a.itertext()) for a in marked] == [
            "Chapitre 2\u00a0: Midnight (nouveau)",
            "Chapitre 3 (nouveau)",
        ]
        hrefs = [str(href) for href in nav.xpath("//x:link/@href", namespaces=XHTML)]
        sheets = {href: archive.read(f"EPUB/{href}").decode() for href in hrefs}
    assert _styles_new(sheets["styles/book.css"])
    if theme != "classic":  # the theme restyles it, after book.css
        assert _styles_new(sheets[f"styles/themes/{theme}/theme.css"])


@pytest.mark.slow
@pytest.mark.parametrize("theme", list(THEMES))
def test_the_pdf_contents_reads_the_mark(tmp_path: Path, theme: str) -> None:
    book = _old_book(tmp_path, theme)
    out = tmp_path / "new.pdf"
    _update(book, out)
    text = " ".join(pdf_text(out).split())
    assert "Chapter 2: Midnight (new)" in text and "Chapter 3 (new)" in text
    assert "Dusk (new)" not in text


@pytest.mark.slow
def test_a_marked_contents_passes_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    out = tmp_path / "new.epub"
    _update(_old_book(tmp_path, "modern"), out)
    messages = run_epubcheck(out, jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]
