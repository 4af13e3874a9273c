"""``convert --combine``: several real works bound into one EPUB and one PDF, nothing lost.

The fixtures are three different kinds of input (an AO3 HTML download, an AO3 EPUB as calibre
keeps it, a Markdown work); every word of every work must reach both books, each work's
chapter bodies in reading order, and the omnibus's metadata must be the union of theirs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from fic2book.combine import MULTIPLE_LANGUAGES, combine, omnibus_title, reading_order
from fic2book.describe import plain_text
from fic2book.errors import UsageError
from fic2book.model import TAG_ORDER, Asset, SeriesEntry, TagGroup, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_combined
from fic2book.readers import read_work
from tests.conftest import DATA, make_work
from tests.epubcheck import failures, run_epubcheck
from tests.fidelity.test_nothing_lost import source_text
from tests.textract import epub_documents, epub_metadata, missing_words, pdf_text, squashed
from tests.unit.test_epub_reader import AO3_TREE, zip_tree

OPTIONS = RenderOptions(source_date_epoch=1_700_000_000)


# ---- the model ---------------------------------------------------------------------------


def _in_series(title: str, part: int | None, **overrides: object) -> Work:
    series = (SeriesEntry("Saga", part),) if part is not None else ()
    return make_work(title=title, series=series, **overrides)


def test_works_with_a_series_part_come_first_in_part_order() -> None:
    works = [_in_series("C", 3), _in_series("none-1", None), _in_series("A", 1)]
    works.append(_in_series("none-2", None))
    assert [w.title for w in reading_order(works)] == ["A", "C", "none-1", "none-2"]


def test_works_without_parts_keep_the_order_given() -> None:
    works = [make_work(title=t, series=()) for t in ("b", "a", "c")]
    assert [w.title for w in reading_order(works)] == ["b", "a", "c"]


def test_the_title_is_given_else_the_shared_series_else_the_titles() -> None:
    saga = [_in_series("One", 1), _in_series("Two", 2)]
    assert omnibus_title(saga, "Mine") == "Mine"
    assert omnibus_title(saga) == "Saga"
    loose = [make_work(title="X", series=()), make_work(title="Y", series=())]
    assert omnibus_title(loose) == "X & Y"


def test_metadata_is_the_union_of_the_works() -> None:
    first = _in_series(
        "Two",
        2,
        authors=("ann",),
        tag_groups=(
            TagGroup(TagKind.ADDITIONAL_TAGS, ("Fluff",)),
            TagGroup(TagKind.RATING, ("Mature",)),
        ),
    )
    second = _in_series(
        "One",
        1,
        authors=("bob", "ann"),
        language="fr",
        tag_groups=(
            TagGroup(TagKind.ADDITIONAL_TAGS, ("Angst", "Fluff")),
            TagGroup(TagKind.FANDOMS, ("Original Work",)),
        ),
    )
    book = combine([first, second])
    assert [w.title for w in book.works] == ["One", "Two"]
    assert book.authors == ("bob", "ann")
    assert book.language == MULTIPLE_LANGUAGES
    assert [g.kind for g in book.tag_groups] == sorted(
        (g.kind for g in book.tag_groups), key=TAG_ORDER.index
    )
    assert book.all_tags == ("Mature", "Original Work", "Angst", "Fluff")
    assert book.tags(TagKind.ADDITIONAL_TAGS) == ("Angst", "Fluff")
    assert book.tags(TagKind.RATING) == ("Mature",)
    assert [s.name for s in book.series] == ["Saga"]
    assert combine([first, dataclasses.replace(second, language="en")]).language == "en"


def test_chapters_run_together_but_keep_their_headings() -> None:
    book = combine([make_work(title="A"), make_work(title="B", chaptered=False)])
    numbers = [c.number for c in book.chapters]
    assert numbers == list(range(1, len(book.chapters) + 1))
    assert [c.heading for c in book.chapters[:2]] == ["Chapter 1: The Beginning", "Chapter 2"]
    # A one-shot's chapter is headed by its work's title.
    assert [c.heading for c in book.chapters[2:]] == ["B: The Beginning", "B"]


def test_combined_chapters_follow_the_omnibus_labels() -> None:
    works = [make_work(title="A", language="fr"), make_work(title="B", language="de")]
    own = combine(works)  # each work in its own language, as its pages are
    assert [c.label for c in own.chapters] == ["Chapitre 1", "Chapitre 2", "Kapitel 1", "Kapitel 2"]
    book = combine(works, labels="en", chapter_numbers="words")
    assert [c.heading for c in book.chapters[:3]] == [
        "Chapter One: The Beginning",
        "Chapter Two",
        "Chapter One: The Beginning",
    ]


def test_one_work_or_clashing_images_cannot_be_combined() -> None:
    with pytest.raises(UsageError, match="at least two"):
        combine([make_work()])
    one = make_work(title="A", assets=(Asset("images/a.png", "image/png", b"1"),))
    two = make_work(title="B", assets=(Asset("images/a.png", "image/png", b"2"),))
    with pytest.raises(UsageError, match=r"images/a\.png"):
        combine([one, two])
    same = combine([one, dataclasses.replace(one, title="C")])
    assert len(same.assets) == 1


# ---- real works, real books --------------------------------------------------------------


@dataclasses.dataclass
class Omnibus:
    """The works as read, in the order given, and the two books bound from them."""

    works: list[Work]
    epub: Path
    pdf: Path


@pytest.fixture(scope="module")
def omnibus(tmp_path_factory: pytest.TempPathFactory) -> Omnibus:
    out = tmp_path_factory.mktemp("combine")
    sources = [
        DATA / "ao3" / "ao3-2021-chaptered.html",
        zip_tree(AO3_TREE, out / "calibre.epub"),
        DATA / "markdown" / "full.md",
    ]
    works = [read_work(source) for source in sources]
    (epub,) = convert_combined(sources, ["epub"], out / "omnibus.epub", OPTIONS, title="Bound")
    (pdf,) = convert_combined(sources, ["pdf"], out / "omnibus.pdf", OPTIONS, title="Bound")
    return Omnibus(works, epub, pdf)


def _bodies_in_order(works: list[Work], book: str) -> None:
    """Every chapter body of every work is in ``book``, each after the one before it."""
    joined = squashed(book)
    start = 0
    for work in reading_order(works):
        for chapter in work.chapters:
            body = squashed(plain_text(str(chapter.body)))
            found = joined.find(body, start)
            assert found >= 0, (work.title, chapter.number)
            start = found + len(body)


def test_every_word_of_every_work_is_in_the_epub_in_order(omnibus: Omnibus) -> None:
    book = "\n".join(epub_documents(omnibus.epub).values())
    for work in omnibus.works:
        assert missing_words(source_text(work), book) == [], work.title
    _bodies_in_order(omnibus.works, book)


def test_every_word_of_every_work_is_in_the_pdf_in_order(omnibus: Omnibus) -> None:
    text = pdf_text(omnibus.pdf)
    for work in omnibus.works:
        assert missing_words(source_text(work), text) == [], work.title
    _bodies_in_order(omnibus.works, text)


def test_each_work_has_its_own_front_matter_and_contents_section(omnibus: Omnibus) -> None:
    documents = epub_documents(omnibus.epub)
    names = [name.rpartition("/")[2] for name in documents]
    ordered = reading_order(omnibus.works)
    for position, work in enumerate(ordered, start=1):
        title_page = documents[f"EPUB/work{position:02d}_title_page.xhtml"]
        assert squashed(work.title) in squashed(title_page)
        assert f"work{position:02d}_tag_summary.xhtml" in names
    assert names.index("title_page.xhtml") < names.index("nav.xhtml")
    nav = documents["EPUB/nav.xhtml"]
    for work in ordered:
        assert squashed(work.title) in squashed(nav)


def test_the_opf_carries_the_union_of_the_metadata(omnibus: Omnibus) -> None:
    meta = epub_metadata(omnibus.epub)
    book = combine(omnibus.works, "Bound")
    assert meta["title"] == ["Bound"]
    assert meta["creator"] == list(book.authors)
    assert meta["language"] == [book.language]
    assert meta["series"] == [entry.name for entry in book.series]
    for tag in book.all_tags:
        assert tag.replace(",", ";") in meta["subject"], tag


def test_the_pdf_outline_nests_chapters_under_their_work(omnibus: Omnibus) -> None:
    with pikepdf.open(omnibus.pdf) as pdf, pdf.open_outline() as outline:
        # Compared squashed: the book's titles are typeset (curly apostrophes).
        top = {
            squashed(item.title): [squashed(child.title) for child in item.children]
            for item in outline.root
        }
    for work in reading_order(omnibus.works):
        children = top[squashed(work.title)]
        if work.chaptered:
            headings = [squashed(chapter.heading) for chapter in work.chapters]
            assert children[: len(headings)] == headings, work.title


def test_running_heads_name_the_work_of_the_page(omnibus: Omnibus) -> None:
    """Every verso after a work's opening pages is headed by that work's title."""
    pages = pdf_text(omnibus.pdf).split("\f")
    ordered = reading_order(omnibus.works)
    heads = [page.strip().splitlines()[0] if page.strip() else "" for page in pages]
    for work in ordered:
        assert any(squashed(head) == squashed(work.title) for head in heads), work.title
    # The omnibus's own title heads no page of a work.
    assert not any(squashed(head) == squashed("Bound") for head in heads[4:])


@pytest.mark.slow
def test_the_omnibus_passes_epubcheck(omnibus: Omnibus) -> None:
    assert failures(run_epubcheck(omnibus.epub)) == []


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("ebook-meta") is None, reason="calibre's ebook-meta is not installed"
)
def test_calibre_reads_the_omnibus_metadata(omnibus: Omnibus) -> None:
    proc = subprocess.run(
        ["ebook-meta", str(omnibus.epub)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    fields = {}
    for line in proc.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    book = combine(omnibus.works, "Bound")
    assert fields["Title"] == "Bound"
    assert fields["Author(s)"] == " & ".join(book.authors)
    assert [t.strip() for t in fields["Tags"].split(",")] == list(book.all_tags)


def test_an_omnibus_in_two_languages_names_both(tmp_path: Path) -> None:
    """The model says ``mul``; the EPUB names each language (Send to Kindle refuses ``mul``)."""
    from fic2book.backends.epub import build_epub

    book = combine([make_work(title="A"), make_work(title="B", language="de")])
    assert book.language == MULTIPLE_LANGUAGES
    path = tmp_path / "two.epub"
    path.write_bytes(build_epub(book, OPTIONS))
    assert epub_metadata(path)["language"] == ["en", "de"]
