"""Any other HTML file: best-effort title, author, language, chapters and paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.errors import InputError
from fic2book.readers import read_work
from fic2book.readers.html import HtmlReader, work_from_html
from tests.conftest import DATA


def test_title_authors_language_and_h2_chapters() -> None:
    work = read_work(DATA / "ao3" / "generic.html")
    assert work.title == "Tide Tables"
    assert work.authors == ("harbourlight", "tidewatcher")
    assert work.language == "en-GB"
    assert [c.heading for c in work.chapters] == ["Chapter 1: Low Water", "Chapter 2: High Water"]
    assert work.chaptered
    assert "first posted on my blog" in str(work.notes)
    assert "bicycle nobody claimed" in str(work.chapters[0].body)


def test_several_h1_are_chapters_titled_by_the_page_title() -> None:
    work = work_from_html(
        "<title>Book</title><h1>One</h1><p>a</p><h1>Two</h1><p>b</p>", source_name="b.html"
    )
    assert work.title == "Book"
    assert [c.title for c in work.chapters] == ["One", "Two"]


def test_no_headings_is_a_one_shot_named_after_the_file() -> None:
    work = work_from_html("<p>Only<br><br>text.</p>", source_name="draft.html")
    assert work.title == "draft" and not work.chaptered
    assert str(work.chapters[0].body) == "<p>Only</p><p>text.</p>"


def test_empty_page_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no text"):
        work_from_html("<html><body><script>x()</script></body></html>", source_name="e.html")
    empty = tmp_path / "empty.html"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        HtmlReader().read(empty)


def test_messy_markup_keeps_every_word() -> None:
    work = read_work(DATA / "ao3" / "messy.html")
    body = str(work.chapters[0].body)
    for words in (
        "nested paragraph",
        "italic paragraph two",
        "still both",
        "orphan cell",
        "block in pre",
        "office paragraph",
        "scrolling words",
        "closing words",
    ):
        assert words in body
    assert "<center" not in body and "<font" not in body and "vector words" not in body


def test_sniff_is_low_so_ao3_readers_win() -> None:
    assert HtmlReader().sniff(b"<html>") == 10
