"""Titles, names and chapter titles of 100,000 characters: capped, and the cover stays linear.

Drawing the cover measured the whole rest of an over-long word for every line it cut off,
so a 10,000-character title took a minute and a 100,000-character one never finished.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.caps import ELLIPSIS, MAX_FIELD_CHARS, cap_fields, shorten
from fic2book.cover.layout import _Measurer
from fic2book.model import Chapter, SeriesEntry, TagGroup, TagKind, Work
from tests.hostile.conftest import Sandbox, TrapServer, check_books_safe, check_cli, check_contained
from tests.textract import epub_members

LONG = 100_000


class _CountingFont:
    """A font whose every character is 10 px wide and which counts what it measured."""

    def __init__(self) -> None:
        self.measured = 0

    def getlength(self, text: str) -> float:
        self.measured += len(text)
        return 10.0 * len(text)


@pytest.mark.parametrize("text", ["x" * LONG, "word " * (LONG // 5)])
def test_wrapping_measures_each_character_a_bounded_number_of_times(text: str) -> None:
    """Characters measured grow linearly with the text (old code: 100,000 → ~10^9)."""
    font = _CountingFont()
    lines = _Measurer(font, None).wrap(text, 400.0)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) <= 40 for line in lines)
    assert font.measured < 40 * len(text)


def test_wrapping_stops_once_the_box_is_full() -> None:
    font = _CountingFont()
    lines = _Measurer(font, None).wrap("x" * LONG, 400.0, max_lines=5)
    assert len(lines) <= 7
    assert font.measured < 10_000


def test_shorten_cuts_at_a_word_and_ends_in_an_ellipsis() -> None:
    assert shorten("short") == "short"
    cut = shorten("word " * 1000)
    assert len(cut) <= MAX_FIELD_CHARS
    assert cut.endswith("word" + ELLIPSIS)
    assert shorten("x" * 1000) == "x" * (MAX_FIELD_CHARS - 1) + ELLIPSIS


def test_cap_fields_caps_every_shown_field(caplog: pytest.LogCaptureFixture) -> None:
    long = "y" * LONG
    work = Work(
        title=long,
        authors=(long, "Short"),
        language="en",
        chapters=(Chapter(1, long, Markup("<p>" + long + "</p>"), label=long),),
        tag_groups=(TagGroup(TagKind.FANDOMS, (long,)),),
        series=(SeriesEntry(long, 2),),
        collections=(long,),
    )
    with caplog.at_level(logging.WARNING):
        capped = cap_fields(work, "in.txt")
    assert "in.txt: title of 100000 characters shortened" in caplog.text
    shown = [
        capped.title,
        *capped.authors,
        capped.chapters[0].title,
        capped.chapters[0].label,
        *capped.tags(TagKind.FANDOMS),
        capped.series[0].name,
        *capped.collections,
    ]
    assert all(text is not None and len(text) <= MAX_FIELD_CHARS for text in shown)
    assert capped.authors[1] == "Short"
    assert capped.chapters[0].body == work.chapters[0].body  # prose is not a field
    assert cap_fields(capped) is capped  # nothing left to cut: the same object
    ordinary = Work("Title", ("A",), "en", (Chapter(1, "One", Markup("<p>x</p>")),))
    assert cap_fields(ordinary) is ordinary


def test_a_hundred_thousand_character_title_makes_a_book(
    sandbox: Sandbox, trap: TrapServer
) -> None:
    """EPUB and PDF, cover included, within a tight --timeout; the title is capped."""
    title = "Long " * (LONG // 5)
    text = f"Title: {title}\nAuthor: {'N' * LONG}\n\nChapter 1: {'C' * LONG}\n\nHello.\n"
    (sandbox.inputs / "long.txt").write_text(text, encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run(
        "convert",
        sandbox.inputs / "long.txt",
        "--to",
        "epub,pdf",
        "--timeout",
        "120",
        "-o",
        f"{sandbox.out}/",
    )
    check_cli(result, failures=0)
    books = sandbox.books()
    assert sorted(book.suffix for book in books) == [".epub", ".pdf"]
    check_books_safe(books)
    check_contained(sandbox, trap, before)
    epub = next(book for book in books if book.suffix == ".epub")
    opf = next(data for name, data in epub_members(epub).items() if name.endswith(".opf"))
    assert b"Long " * 10 in opf
    assert b"Long " * (MAX_FIELD_CHARS // 5 + 1) not in opf


def test_fit_text_of_a_huge_title_keeps_a_few_lines(tmp_path: Path) -> None:
    """The cover of an uncapped 100,000-character title: a boxful of lines and an ellipsis."""
    from fic2book.cover import generate_cover

    work = Work("z" * LONG, ("a",), "en", (Chapter(1, None, Markup("<p>x</p>")),))
    cover = generate_cover(work)
    assert 1 < len(cover.lines) < 60
    assert cover.lines[-2].endswith(ELLIPSIS) or cover.lines[-1].endswith(ELLIPSIS)
