"""An omnibus's design: its half title and credits page, and each work in its own language."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup
from pypdf import PdfReader

from fic2book.backends.epub import build_epub
from fic2book.backends.pdf import render_pdf
from fic2book.combine import combine
from fic2book.frontmatter import omnibus_front
from fic2book.model import Work
from fic2book.options import ChapterNumbers, RenderOptions
from tests.conftest import make_work
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch
from tests.textract import epub_documents, pdf_text

PERMISSION = "Feel free to podfic or bind this work."
DAY = 1_700_000_000  # 2023-11-14


def omnibus() -> Work:
    """A French work and an English one, each with its own link, ID and creators."""
    french = make_work(
        title="Le phare",
        authors=("lune",),
        language="fr",
        work_id="111",
        url="https://archiveofourown.org/works/111",
    )
    english = make_work(
        title="The Lighthouse",
        authors=("sun", "Other Pseud (star)"),
        work_id="222",
        url="https://archiveofourown.org/works/222",
        notes=Markup(f"<p>{PERMISSION}</p>"),
    )
    return combine([french, english], "Lights")


def spine(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        opf = book.read("EPUB/content.opf").decode()
    return re.findall(r'<itemref idref="([^"]+)"', opf)


def test_the_omnibus_has_its_own_front_matter_and_each_work_its_title_page() -> None:
    assert omnibus_front(None, pdf=True) == ("half-title", "title", "credits")
    assert omnibus_front(None, pdf=False) == ("title", "credits")
    assert omnibus_front(None, pdf=False, work=True) == ("title", "tags")
    chosen = ("credits", "tags")
    assert omnibus_front(chosen, pdf=True) == ("credits",)
    assert omnibus_front(chosen, pdf=True, work=True) == ("title", "tags")
    assert omnibus_front(("title",), pdf=True, work=True) == ("title",)


def test_the_epub_speaks_each_works_language(tmp_path: Path) -> None:
    path = tmp_path / "lights.epub"
    data = build_epub(omnibus(), RenderOptions(source_date_epoch=DAY, no_cover=True))
    path.write_bytes(data)
    order = spine(data)
    assert order[:3] == ["title_page", "credits", "nav"]
    assert "work01_credits" not in order  # the book's credits page lists every work
    assert order[3:5] == ["work01_title_page", "work01_tag_summary"]
    documents = {name.rpartition("/")[2]: text for name, text in epub_documents(path).items()}
    assert "Chapitre 1\u00a0: The Beginning" in documents["work01_chap_001.xhtml"]
    assert "Récapitulatif des tags" in documents["work01_tag_summary.xhtml"]
    assert "Chapter 1: The Beginning" in documents["work02_chap_001.xhtml"]
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        langs = {
            name: re.search(r'<html[^>]* lang="([^"]+)"', book.read(f"EPUB/{name}").decode())
            for name in ("title_page.xhtml", "work01_chap_001.xhtml", "work02_chap_001.xhtml")
        }
    # Each work's pages in its own language; the book's own pages in the first work's.
    assert {name: m and m[1] for name, m in langs.items()} == {
        "title_page.xhtml": "fr",
        "work01_chap_001.xhtml": "fr",
        "work02_chap_001.xhtml": "en",
    }
    credits = " ".join(documents["credits.xhtml"].split())
    for words in [
        "Lights par lune, sun et Other Pseud (star)",  # the first work's language
        "Le phare par lune",
        "https://archiveofourown.org/works/111",
        "Œuvre n° 111",
        "The Lighthouse par sun et Other Pseud (star)",
        "Œuvre n° 222",
        PERMISSION,
        "Réalisé avec fic2book 0.1.0 le 14 novembre 2023",
    ]:
        assert words in credits
    assert credits.index("Œuvre n° 111") < credits.index("The Lighthouse")


def test_labels_and_chapter_numbers_reach_every_work(tmp_path: Path) -> None:
    path = tmp_path / "lights.epub"
    options = RenderOptions(labels="de", chapter_numbers=ChapterNumbers.WORDS, no_cover=True)
    path.write_bytes(build_epub(omnibus(), options))
    text = "\n".join(epub_documents(path).values())
    assert text.count("Kapitel eins") >= 2 and "Kapitel zwei" in text
    assert "Chapitre" not in text and "Chapter 1" not in text
    assert "Inhaltsverzeichnis" in text and "Gebunden" not in text


def pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.split()) for page in pdf_text(path).split("\f")]


@pytest.mark.slow
def test_the_pdf_has_a_half_title_a_credits_page_and_works_in_their_language(
    tmp_path: Path,
) -> None:
    target = tmp_path / "lights.pdf"
    options = RenderOptions(source_date_epoch=DAY, bound_by="Ada", labels=None)
    render_pdf(omnibus(), target, options)
    pages = pdf_pages(target)
    assert pages[0] == "Lights"  # the half title: the omnibus's title alone
    assert not pages[1]  # its blank verso
    assert pages[2].startswith("Lights par lune")
    credits = pages[3]
    for words in [
        "Le phare par lune",
        "Publié à l\u2019origine sur l\u2019Archive of Our Own, à l\u2019adresse https://",
        "archiveofourown.org/works/111.",
        "Œuvre n° 222",
        PERMISSION,
        "Relié par Ada",
        "Réalisé avec fic2book 0.1.0 le 14 novembre 2023",
    ]:
        assert words in credits
    contents = pages[4]
    assert "Chapitre 1 : The Beginning" in contents and "Chapter 1: The Beginning" in contents
    reader = PdfReader(target)
    titles = [str(item.title) for item in reader.outline if not isinstance(item, list)]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert titles[:2] == ["Lights", "Le phare"]
    first = nested[0][0]
    assert not isinstance(first, list) and first.title == "Chapitre 1\u00a0: The Beginning"
    text = " ".join(pages)
    assert "Récapitulatif des tags" in text and "Tag Summary" in text


@pytest.mark.slow
def test_the_pdf_follows_front_matter_and_labels_words(tmp_path: Path) -> None:
    target = tmp_path / "lights.pdf"
    options = RenderOptions(
        front_matter=("title", "tags"),
        labels="fr",
        chapter_numbers=ChapterNumbers.WORDS,
        source_date_epoch=DAY,
    )
    render_pdf(omnibus(), target, options)
    pages = pdf_pages(target)
    assert pages[0].startswith("Lights par lune")  # no half title, no credits page
    assert not any("Réalisé avec fic2book" in page for page in pages)
    text = " ".join(pages)
    assert text.count("Chapitre un : The Beginning") >= 2
    assert "Chapter 1" not in text and "Chapter One" not in text


@pytest.mark.slow
def test_omnibus_epubs_with_every_front_page_pass_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    books = []
    every = ("half-title", "credits", "title", "tags")
    for index, parts in enumerate([None, every, ("tags",)]):
        target = tmp_path / f"lights{index}.epub"
        options = RenderOptions(front_matter=parts, bound_by="Ada", source_date_epoch=DAY)
        target.write_bytes(build_epub(omnibus(), options))
        books.append(target)
    reports = run_epubcheck_batch(books, jar)
    for book in books:
        assert failures(reports[book]) == [], book.name
