"""``--notes`` and ``--summaries`` (keep, end, drop) in EPUB and PDF, one work and an omnibus.

The fixture is a real AO3 download whose work and first chapter have a summary, notes and end
notes.  ``drop`` must take every one of them out and nothing else; ``end`` must keep every word,
moved after the story into a "Notes" appendix whose entries and chapters link to each other.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from fic2book.describe import plain_text
from fic2book.model import Work
from fic2book.notes import Placement, drop_notes
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_combined, convert_file
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.epubcheck import failures, run_epubcheck
from tests.fidelity.test_nothing_lost import source_text
from tests.textract import epub_documents, epub_members, missing_words, pdf_text, squashed

SOURCE = DATA / "ao3" / "ao3-2021-chaptered.html"
OTHER = DATA / "markdown" / "full.md"


def _options(notes: str, summaries: str | None = None) -> RenderOptions:
    return RenderOptions(
        source_date_epoch=1_700_000_000,
        notes=Placement(notes),
        summaries=Placement(summaries or notes),
    )


def _notes(work: Work) -> list[str]:
    """Every note of the work and its chapters, as plain text."""
    values = [work.notes, *(c.notes for c in work.chapters), *(c.end_notes for c in work.chapters)]
    return [plain_text(str(value)) for value in values if value is not None]


def _summaries(work: Work) -> list[str]:
    values = [work.summary, *(chapter.summary for chapter in work.chapters)]
    return [plain_text(str(value)) for value in values if value is not None]


@pytest.fixture(scope="module")
def work() -> Work:
    found = read_work(SOURCE)
    assert found.notes and found.summary and found.chapters[0].notes  # the fixture has them
    return found


def test_drop_takes_out_notes_and_summaries_only(work: Work) -> None:
    both = drop_notes(work, Placement.DROP, Placement.DROP)
    assert _notes(both) == [] and _summaries(both) == []
    assert [c.body for c in both.chapters] == [c.body for c in work.chapters]
    notes_only = drop_notes(work, Placement.DROP, Placement.KEEP)
    assert _notes(notes_only) == [] and _summaries(notes_only) == _summaries(work)
    assert drop_notes(work, Placement.END, Placement.KEEP) is work


def test_a_bad_placement_is_a_usage_error() -> None:
    from fic2book.errors import UsageError

    with pytest.raises(UsageError, match="--notes must be one of keep, end, drop"):
        RenderOptions(notes="later")  # type: ignore[arg-type]


def test_drop_leaves_them_out_of_both_books(work: Work, tmp_path: Path) -> None:
    options = _options("drop")
    (epub,) = convert_file(SOURCE, ["epub"], tmp_path / "d.epub", options)
    (pdf,) = convert_file(SOURCE, ["pdf"], tmp_path / "d.pdf", options)
    for book in ("\n".join(epub_documents(epub).values()), pdf_text(pdf)):
        joined = squashed(book)
        for text in [*_notes(work), *_summaries(work)]:
            assert squashed(text) not in joined, text
        for chapter in work.chapters:
            assert squashed(plain_text(str(chapter.body))) in joined


def test_end_moves_them_to_an_appendix_linked_both_ways(work: Work, tmp_path: Path) -> None:
    (epub,) = convert_file(SOURCE, ["epub"], tmp_path / "e.epub", _options("end"))
    documents = {name.rpartition("/")[2]: text for name, text in epub_documents(epub).items()}
    names = list(documents)
    assert names.index("notes.xhtml") > max(names.index(n) for n in names if "chap_" in n)
    book = "\n".join(documents.values())
    assert missing_words(source_text(work), book) == []
    appendix = squashed(documents["notes.xhtml"])
    stories = squashed(" ".join(t for n, t in documents.items() if n.startswith("chap_")))
    for text in [*_notes(work), *_summaries(work)]:
        assert squashed(text) in appendix, text
    for text in (plain_text(str(work.chapters[0].notes)), plain_text(str(work.summary))):
        assert squashed(text) not in stories
    members = epub_members(epub)
    chapter = members["EPUB/chap_001.xhtml"].decode()
    notes = members["EPUB/notes.xhtml"].decode()
    assert 'href="notes.xhtml#notes-chapter-1"' in chapter
    assert 'id="notes-chapter-1"' in notes
    assert 'href="chap_001.xhtml#chapter-1"' in notes
    assert 'href="notes.xhtml#notes-work"' in members["EPUB/title_page.xhtml"].decode()


def test_end_in_the_pdf_puts_them_after_the_story(work: Work, tmp_path: Path) -> None:
    (pdf,) = convert_file(SOURCE, ["pdf"], tmp_path / "e.pdf", _options("end"))
    text = squashed(pdf_text(pdf))
    last_body = squashed(plain_text(str(work.chapters[-1].body)))
    after = text[text.index(last_body) + len(last_body) :]
    for note in [*_notes(work), *_summaries(work)]:
        assert squashed(note) in after, note
    with pikepdf.open(pdf) as document, document.open_outline() as outline:
        assert [item.title for item in outline.root][-1] == "Notes"
        links = [
            annot
            for page in document.pages
            for annot in page.get("/Annots", [])
            if annot.get("/Subtype") == "/Link" and "/URI" not in annot.get("/A", {})
        ]
    # Contents entries plus the notes links and the links back: more than the contents alone.
    assert len(links) >= len(work.chapters) + 4


def test_summaries_end_alone_keeps_the_notes_in_place(work: Work, tmp_path: Path) -> None:
    (epub,) = convert_file(SOURCE, ["epub"], tmp_path / "s.epub", _options("keep", "end"))
    documents = {name.rpartition("/")[2]: text for name, text in epub_documents(epub).items()}
    chapter = squashed(documents["chap_001.xhtml"])
    assert squashed(plain_text(str(work.chapters[0].notes))) in chapter
    assert squashed(plain_text(str(work.chapters[0].summary))) not in chapter
    assert squashed(plain_text(str(work.chapters[0].summary))) in squashed(documents["notes.xhtml"])


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["end", "drop"])
def test_single_and_omnibus_books_pass_epubcheck(mode: str, tmp_path: Path) -> None:
    options = _options(mode)
    (single,) = convert_file(SOURCE, ["epub"], tmp_path / "one.epub", options)
    (omnibus,) = convert_combined([SOURCE, OTHER], ["epub"], tmp_path / "two.epub", options)
    for book in (single, omnibus):
        assert failures(run_epubcheck(book)) == [], book.name
    names = [n for n in epub_members(omnibus) if re.search(r"work\d+_notes\.xhtml$", n)]
    assert len(names) == (2 if mode == "end" else 0)
