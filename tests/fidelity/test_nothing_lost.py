"""Nothing is lost: every word and every metadata field of every fixture reaches both books.

Each fixture (``samples/``, ``tests/data/**``) is read once, rendered once as an EPUB and once
as a PDF (module-scoped: PDF renders are the slow part), and the text is pulled back out with
``tests/textract.py``.  Words are compared as tokens (see :func:`tests.textract.words`), since
typography curls quotes and closes dashes and the PDF hyphenates.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fic2book.describe import plain_text
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_file
from fic2book.readers import read_work
from tests.conftest import DATA, SAMPLES
from tests.textract import (
    epub_documents,
    epub_metadata,
    missing_words,
    pdf_metadata,
    pdf_text,
    squashed,
    words,
)
from tests.unit.test_epub_reader import AO3_TREE, zip_tree

OPTIONS = RenderOptions(source_date_epoch=1_700_000_000)


def fixtures() -> list[Path]:
    """Every work fixture in the repository (the calibre EPUB tree is zipped at run time)."""
    found = [
        *sorted(SAMPLES.glob("*.txt")),
        *sorted(SAMPLES.glob("*.md")),
        *sorted(DATA.glob("*.txt")),
        *sorted((DATA / "ao3").glob("*.html")),
        *sorted((DATA / "markdown").glob("*.md")),
        *sorted(p for p in (DATA / "fanficfare").iterdir() if p.suffix != ".sh"),
    ]
    return [*found, AO3_TREE]


@dataclasses.dataclass
class Rendered:
    """One fixture: the work as read and its two books."""

    work: Work
    epub: Path
    pdf: Path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Read and render every fixture once."""
    out = tmp_path_factory.mktemp("fidelity")
    books: dict[str, Rendered] = {}
    for source in fixtures():
        if source.is_dir():
            source = zip_tree(source, out / f"{source.name}.epub")
        work = read_work(source)
        epub, pdf = (out / f"{source.name}{suffix}" for suffix in (".epub", ".pdf"))
        convert_file(source, ["epub"], epub, OPTIONS)
        convert_file(source, ["pdf"], pdf, OPTIONS)
        books[source.name] = Rendered(work, epub, pdf)
    return books


NAMES = [path.name if path.is_file() else f"{path.name}.epub" for path in fixtures()]


def source_text(work: Work) -> str:
    """Every body, summary, note and chapter title of the work as plain text."""
    parts: list[str] = [work.title]
    for value in (work.summary, work.notes, work.end_notes):
        if value is not None:
            parts.append(plain_text(str(value)))
    for chapter in work.chapters:
        parts.append(chapter.title or "")
        for value in (chapter.body, chapter.summary, chapter.notes, chapter.end_notes):
            if value is not None:
                parts.append(plain_text(str(value)))
    return "\n".join(parts)


@pytest.mark.parametrize("name", NAMES)
def test_every_word_in_the_epub(rendered: dict[str, Rendered], name: str) -> None:
    """Every word of the input is in the EPUB, and every body in order."""
    item = rendered[name]
    book = "\n".join(epub_documents(item.epub).values())
    assert missing_words(source_text(item.work), book) == []
    joined = squashed(book)
    for chapter in item.work.chapters:
        assert squashed(plain_text(str(chapter.body))) in joined, chapter.number


@pytest.mark.parametrize("name", NAMES)
def test_every_word_in_the_pdf(rendered: dict[str, Rendered], name: str) -> None:
    """Every word of the input is in the PDF's text."""
    item = rendered[name]
    assert missing_words(source_text(item.work), pdf_text(item.pdf)) == []


@pytest.mark.parametrize("name", NAMES)
def test_metadata_in_the_tag_summary(rendered: dict[str, Rendered], name: str) -> None:
    """Every tag, the language, series and collections are in the tag summary (or appendix)."""
    item = rendered[name]
    documents = epub_documents(item.epub)
    summary = squashed(
        " ".join(
            text for doc, text in documents.items() if "tag_summary" in doc or "appendix" in doc
        )
    )
    work = item.work
    expected = [*work.all_tags, *work.collections, *(entry.name for entry in work.series)]
    if work.language_name:
        expected.append(work.language_name)
    for field in expected:
        assert squashed(field) in summary, field


@pytest.mark.parametrize("name", NAMES)
def test_metadata_in_the_opf(rendered: dict[str, Rendered], name: str) -> None:
    """Title, creators, subjects, language, description, series and ids reach the OPF."""
    item = rendered[name]
    work = item.work
    meta = epub_metadata(item.epub)
    assert [words(t) for t in meta["title"]] == [words(work.title)]
    assert meta["creator"] == [a for a in work.authors if a.strip()]
    subjects = set(meta["subject"])
    for tag in work.all_tags:
        assert tag.replace(",", ";") in subjects, tag
    assert meta["language"] == [work.language or "und"]
    if work.summary is not None:
        assert meta["description"], "summary missing"
        assert (
            missing_words(plain_text(str(work.summary)), plain_text(meta["description"][0])) == []
        )
    assert meta["series"] == [entry.name for entry in work.series]
    identifiers = " ".join(meta["identifier"])
    if work.url:
        assert work.url in identifiers
    if work.work_id:
        assert work.work_id in identifiers


@pytest.mark.parametrize("name", NAMES)
def test_metadata_in_the_pdf(rendered: dict[str, Rendered], name: str) -> None:
    """/Title, /Author and /Keywords carry the title, creators and tags."""
    item = rendered[name]
    info = pdf_metadata(item.pdf)
    work = item.work
    assert words(info["/Title"]) == words(work.title)
    for author in work.authors:
        assert author in info.get("/Author", ""), author
    keywords = info.get("/Keywords", "")
    for tag in work.all_tags:
        assert tag in keywords, tag
