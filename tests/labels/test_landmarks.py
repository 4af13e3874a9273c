"""The EPUB's landmarks: cover, title page, contents and where the story starts, hidden."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub
from lxml import etree

from fic2book.backends.epub import build_epub
from fic2book.combine import combine
from fic2book.options import RenderOptions
from tests.conftest import make_work
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
TYPE = "{http://www.idpf.org/2007/ops}type"


def landmarks(data: bytes) -> tuple[etree._Element, list[tuple[str, str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    found = nav.findall(".//x:nav[@epub:type='landmarks']", NS)
    assert len(found) == 1
    links = [
        (a.get(TYPE, ""), a.get("href", ""), a.text or "") for a in found[0].iterfind(".//x:a", NS)
    ]
    return found[0], links


def test_a_book_has_its_landmarks_in_its_language_hidden_from_the_page() -> None:
    element, links = landmarks(build_epub(make_work(language="fr"), RenderOptions()))
    assert element.get("hidden") == "hidden"
    assert element.findtext("x:h2", namespaces=NS) == "Repères"
    assert links == [
        ("cover", "cover.xhtml", "Couverture"),
        ("titlepage", "title_page.xhtml", "Page de titre"),
        ("toc", "nav.xhtml", "Table des matières"),
        ("bodymatter", "chap_001.xhtml", "Chapitre 1\u00a0: The Beginning"),
    ]


def test_landmarks_name_only_pages_the_book_has() -> None:
    options = RenderOptions(no_cover=True, front_matter=("tags",))
    _, links = landmarks(build_epub(make_work(), options))
    assert [kind for kind, _, _ in links] == ["toc", "bodymatter"]


def test_an_omnibus_starts_at_its_first_works_first_chapter() -> None:
    book = combine([make_work(title="A"), make_work(title="B")])
    _, links = landmarks(build_epub(book, RenderOptions(no_cover=True)))
    assert links[0][:2] == ("titlepage", "title_page.xhtml")
    assert links[-1][:2] == ("bodymatter", "work01_chap_001.xhtml")


@pytest.mark.slow
def test_books_with_landmarks_pass_epubcheck_and_open_in_ebooklib(tmp_path: Path) -> None:
    jar = require_epubcheck()
    books = []
    for index, work in enumerate([make_work(), combine([make_work(), make_work(title="B")])]):
        path = tmp_path / f"book{index}.epub"
        path.write_bytes(build_epub(work, RenderOptions(labels="ja")))
        books.append(path)
        assert epub.read_epub(str(path)).get_item_with_href("nav.xhtml") is not None
    reports = run_epubcheck_batch(books, jar)
    for path in books:
        assert failures(reports[path]) == [], path.name
