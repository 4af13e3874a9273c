"""Half title, credits page and --front-matter: pages, outline, numbers and both books."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup
from pypdf import PdfReader
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.backends.pdf import render_pdf
from fic2book.cli import app
from fic2book.describe import describe
from fic2book.errors import UsageError
from fic2book.frontmatter import parse_front_matter
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.epubcheck import epubcheck_jar, failures, must_validate, run_epubcheck_batch

FIXTURE = DATA / "ao3" / "ao3-2021-chaptered.html"
PERMISSION = "Blanket permission to podfic, translate or bind this work."


@pytest.fixture(scope="module")
def work() -> Work:
    base = read_work(FIXTURE)
    notes = Markup(f"<p>Thanks to my beta.</p><p>{PERMISSION}</p>")
    return dataclasses.replace(base, notes=notes)


def test_front_matter_values() -> None:
    assert parse_front_matter(" Credits, title ") == ("credits", "title")
    for bad in ["", "title,title", "title,index"]:
        with pytest.raises(UsageError):
            parse_front_matter(bad)
    result = CliRunner().invoke(app, ["convert", str(FIXTURE), "--front-matter", "colophon"])
    assert result.exit_code != 0
    assert "--front-matter takes a list of" in result.output


def test_inspect_reports_the_permission(work: Work) -> None:
    assert describe(work)["permissions"] == [PERMISSION]


def epub_spine(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        opf = book.read("EPUB/content.opf").decode()
    return re.findall(r'<itemref idref="([^"]+)"', opf)


def test_epub_has_credits_and_no_half_title_by_default(work: Work) -> None:
    spine = epub_spine(build_epub(work, RenderOptions()))
    assert spine[:4] == ["cover", "title_page", "credits", "tag_summary"]
    chosen = RenderOptions(front_matter=("half-title", "tags"), no_cover=True)
    assert epub_spine(build_epub(work, chosen))[:3] == ["half_title", "tag_summary", "nav"]


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@pytest.mark.slow
def test_pdf_half_title_credits_outline_and_numbers(work: Work, tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    options = RenderOptions(source_date_epoch=1_700_000_000, bound_by="Ada  Binder")
    render_pdf(work, target, options)
    pages = pdf_pages(target)
    assert pages[0].split() == ["Ferry", "Crossing"]  # the half title: the title alone
    assert not pages[1].strip()  # its blank verso
    reader = PdfReader(target)
    outline = {
        str(entry.title): reader.get_destination_page_number(entry) or 0
        for entry in reader.outline
        if not isinstance(entry, list)
    }
    assert outline["Ferry Crossing"] == 2
    assert outline["Tag Summary"] == 4
    credits = " ".join(pages[3].split())
    for words in [
        "Posted originally on the Archive of Our Own at http://",
        "Work ID 2000002",
        "Published 2020-05-01",
        PERMISSION,
        "Bound by Ada Binder",
        "Made with fic2book 0.1.0 on 2023-11-14",
    ]:
        assert words in credits
    assert credits.split()[-1] == "iv"  # roman folios go on through the front matter
    assert pages[2].split()[-1] != "iii"  # no folio on the title page
    first = outline["Chapter 1: The Ferry"]
    assert pages[first].split()[-1] == "1"  # the story starts at arabic 1
    contents = next(page for page in pages if page.startswith("Contents"))
    assert re.search(r"Chapter 1: The Ferry[ .]*\s+1\s", contents)


@pytest.mark.slow
def test_epubcheck_with_every_front_page(work: Work, tmp_path: Path) -> None:
    books = []
    for index, parts in enumerate([None, ("half-title", "credits", "title", "tags")]):
        target = tmp_path / f"book{index}.epub"
        options = RenderOptions(front_matter=parts, bound_by="Ada", source_date_epoch=0)
        target.write_bytes(build_epub(work, options))
        books.append(target)
    if epubcheck_jar() is None:
        if must_validate():
            pytest.fail("EPUBCheck is not available")
        pytest.skip("EPUBCheck is not available")
    reports = run_epubcheck_batch(books)
    for book in books:
        assert failures(reports[book]) == [], book.name
