"""The plain-text reader (fic2book.readers.text): header, body, headings, breaks, encodings."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import random
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from fic2book.errors import InputError
from fic2book.model import SeriesEntry, Status, TagKind, Work
from fic2book.readers import READERS, reader_for
from fic2book.readers.text import TextReader
from tests.conftest import DATA, sample

READER = TextReader()
_TAG = re.compile(r"<[^>]+>")


def write(tmp_path: Path, text: str, name: str = "work.txt", encoding: str = "utf-8") -> Path:
    """Write ``text`` to a file in ``tmp_path`` with exact newlines."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_text(tmp_path: Path, text: str, name: str = "work.txt") -> Work:
    return READER.read(write(tmp_path, text, name))


def with_header(body: str, *header: str) -> str:
    return "\n".join(["Title: T", "Author: a", *header, "", body])


def plain(markup: str | None) -> str:
    """Text of a markup fragment, tags removed and entities decoded."""
    return html.unescape(_TAG.sub(" ", markup or ""))


def paras(markup: str) -> list[str]:
    """Return the text of each ``<p>`` in a fragment."""
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", markup, re.DOTALL)]


def breaks(work: Work) -> int:
    return sum(str(c.body).count('<hr class="scene-break"/>') for c in work.chapters)


def all_paras(work: Work) -> list[str]:
    return [p for c in work.chapters for p in paras(c.body)]


# --------------------------------------------------------------------------------------------
# Registry and sniffing


def test_registered_for_txt(tmp_path: Path) -> None:
    assert READERS["text"].load() is TextReader
    assert READERS["text"].suffixes == (".txt",)
    assert reader_for(write(tmp_path, "Title: x\n\nBody.\n")).name == "text"


@pytest.mark.parametrize(
    ("head", "score"),
    [
        (b"Title: Something\nAuthor: a\n", 100),
        (b"\xef\xbb\xbfTitle: Something\n", 100),
        ("Title: Что-то\n".encode("utf-16"), 100),
        (b"\n\n  Title: Something\n", 100),
        (b"Author: someone\nTitle: x\n", 80),
        (b"RELATIONSHIPS: A/B\n", 80),
        (b"It was a dark and stormy night.\n", 10),
        (b"<html><body>", 1),
        (b"", 0),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 0),
    ],
)
def test_sniff(head: bytes, score: int) -> None:
    assert READER.sniff(head) == score


# --------------------------------------------------------------------------------------------
# Header labels


def _tags(kind: TagKind) -> Callable[[Work], object]:
    return lambda work: work.tags(kind)


_LABEL_CASES: list[tuple[str, str, Callable[[Work], object], object]] = [
    ("Title", "Salt, Sea and Sky", lambda w: w.title, "Salt, Sea and Sky"),
    ("TITLE", "Loud", lambda w: w.title, "Loud"),
    ("Author", "solo", lambda w: w.authors, ("solo",)),
    ("Authors", "a, B Pseud (b)", lambda w: w.authors, ("a", "B Pseud (b)")),
    ("Author(s)", "a, b", lambda w: w.authors, ("a", "b")),
    ("Creator", "c", lambda w: w.authors, ("c",)),
    ("Creators", "c, d", lambda w: w.authors, ("c", "d")),
    ("Rating", "Mature", _tags(TagKind.RATING), ("Mature",)),
    (
        "Archive Warning",
        "No Archive Warnings Apply",
        _tags(TagKind.WARNINGS),
        ("No Archive Warnings Apply",),
    ),
    (
        "Archive Warnings",
        "Major Character Death, Rape/Non-Con",
        _tags(TagKind.WARNINGS),
        ("Major Character Death", "Rape/Non-Con"),
    ),
    ("Archive Warning(s)", "Underage Sex", _tags(TagKind.WARNINGS), ("Underage Sex",)),
    (
        "Warnings",
        "Graphic Depictions Of Violence",
        _tags(TagKind.WARNINGS),
        ("Graphic Depictions Of Violence",),
    ),
    ("Category", "Gen", _tags(TagKind.CATEGORIES), ("Gen",)),
    ("Categories", "F/M, M/M", _tags(TagKind.CATEGORIES), ("F/M", "M/M")),
    # FanFicFare's "Category" holds fandoms.
    (
        "Category",
        "Les Misérables - Victor Hugo",
        _tags(TagKind.FANDOMS),
        ("Les Misérables - Victor Hugo",),
    ),
    ("Fandom", "Original Work", _tags(TagKind.FANDOMS), ("Original Work",)),
    ("Fandoms", "A | B, C (TV)", _tags(TagKind.FANDOMS), ("A | B", "C (TV)")),
    ("Relationship", "Javert/Jean Valjean", _tags(TagKind.RELATIONSHIPS), ("Javert/Jean Valjean",)),
    ("Relationships", "A/B, A & C", _tags(TagKind.RELATIONSHIPS), ("A/B", "A & C")),
    ("Ships", "A/B", _tags(TagKind.RELATIONSHIPS), ("A/B",)),
    ("Pairing", "A/B", _tags(TagKind.RELATIONSHIPS), ("A/B",)),
    ("Pairing(s)", "A/B, C/D", _tags(TagKind.RELATIONSHIPS), ("A/B", "C/D")),
    ("Character", "Javert", _tags(TagKind.CHARACTERS), ("Javert",)),
    ("Characters", "Javert, Jean Valjean", _tags(TagKind.CHARACTERS), ("Javert", "Jean Valjean")),
    ("Additional Tags", "Fluff, Angst", _tags(TagKind.ADDITIONAL_TAGS), ("Fluff", "Angst")),
    ("additional tags", "Fluff", _tags(TagKind.ADDITIONAL_TAGS), ("Fluff",)),
    ("Freeform Tags", "Fluff", _tags(TagKind.ADDITIONAL_TAGS), ("Fluff",)),
    ("Tags", "Fluff,Angst", _tags(TagKind.ADDITIONAL_TAGS), ("Fluff", "Angst")),
    (
        "Genre",
        "Gen, Humor",
        lambda w: (w.tags(TagKind.CATEGORIES), w.tags(TagKind.ADDITIONAL_TAGS)),
        (("Gen",), ("Humor",)),
    ),
    ("Language", "Русский", lambda w: (w.language, w.language_name), ("ru", "Русский")),
    ("Language", "pt-BR", lambda w: w.language, "pt-BR"),
    (
        "Series",
        "Part 2 of The Harbour Letters",
        lambda w: w.series,
        (SeriesEntry("The Harbour Letters", 2),),
    ),
    (
        "Series",
        "Part 1 of Salt, Sea and Sky, Part 3 of Other",
        lambda w: w.series,
        (SeriesEntry("Salt, Sea and Sky", 1), SeriesEntry("Other", 3)),
    ),
    (
        "Series",
        "The Harbour Letters [4]",
        lambda w: w.series,
        (SeriesEntry("The Harbour Letters", 4),),
    ),
    (
        "Series",
        "Loose Threads, Volume One",
        lambda w: w.series,
        (SeriesEntry("Loose Threads, Volume One"),),
    ),
    ("Collections", "Exchange 2025, Other", lambda w: w.collections, ("Exchange 2025", "Other")),
    ("Collection", "Exchange", lambda w: w.collections, ("Exchange",)),
    ("Published", "2015-01-10", lambda w: w.stats.published, dt.date(2015, 1, 10)),
    ("Published", "10 January 2015", lambda w: w.stats.published, dt.date(2015, 1, 10)),
    ("Published", "Jan 10th, 2015", lambda w: w.stats.published, dt.date(2015, 1, 10)),
    ("Updated", "2020/11/05", lambda w: w.stats.updated, dt.date(2020, 11, 5)),
    (
        "Completed",
        "2020-11-05",
        lambda w: (w.stats.completed, w.declared_status),
        (dt.date(2020, 11, 5), Status.COMPLETE),
    ),
    ("Words", "12,345", lambda w: w.stats.words, 12345),
    ("Words", "987", lambda w: w.stats.words, 987),
    (
        "Chapters",
        "3/?",
        lambda w: (w.stats.chapters_posted, w.stats.chapters_total, w.status),
        (3, None, Status.IN_PROGRESS),
    ),
    (
        "Chapters",
        "3/4",
        lambda w: (w.stats.chapters_posted, w.stats.chapters_total, w.status),
        (3, 4, Status.IN_PROGRESS),
    ),
    (
        "Chapters",
        "2/2",
        lambda w: (w.stats.chapters_posted, w.stats.chapters_total, w.status),
        (2, 2, Status.COMPLETE),
    ),
    ("Status", "Completed", lambda w: w.declared_status, Status.COMPLETE),
    ("Status", "Complete", lambda w: w.declared_status, Status.COMPLETE),
    ("Status", "Finished", lambda w: w.declared_status, Status.COMPLETE),
    ("Status", "In-Progress", lambda w: w.declared_status, Status.IN_PROGRESS),
    ("Status", "Work in Progress", lambda w: w.declared_status, Status.IN_PROGRESS),
    ("Status", "WIP", lambda w: w.declared_status, Status.IN_PROGRESS),
    ("Status", "Updated", lambda w: w.declared_status, Status.IN_PROGRESS),
    ("Status", "ongoing", lambda w: w.declared_status, Status.IN_PROGRESS),
    (
        "Summary",
        "A <b>bold</b> summary, with commas.",
        lambda w: str(w.summary),
        "<p>A &lt;b&gt;bold&lt;/b&gt; summary, with commas.</p>",
    ),
    ("Notes", "Thanks, beta.", lambda w: str(w.notes), "<p>Thanks, beta.</p>"),
    ("End Notes", "Bye.", lambda w: str(w.end_notes), "<p>Bye.</p>"),
    (
        "Work ID",
        "8621107",
        lambda w: (w.work_id, w.url),
        ("8621107", "https://archiveofourown.org/works/8621107"),
    ),
    (
        "URL",
        "https://archiveofourown.org/works/42/chapters/7",
        lambda w: (w.work_id, w.url),
        ("42", "https://archiveofourown.org/works/42/chapters/7"),
    ),
    (
        "Story URL",
        "https://example.org/s/1",
        lambda w: (w.work_id, w.url),
        (None, "https://example.org/s/1"),
    ),
    ("Work URL", "https://archiveofourown.org/works/9", lambda w: w.work_id, "9"),
    ("Kudos", "1,024", lambda w: w.stats.kudos, 1024),
    ("Hits", "50 000", lambda w: w.stats.hits, 50000),
    ("Bookmarks", "12", lambda w: w.stats.bookmarks, 12),
    ("Comments", "3", lambda w: w.stats.comments, 3),
    (
        "Stats",
        "Published: 2015-01-10 Completed: 2020-11-05 Words: 9 Chapters: 2/2",
        lambda w: (w.stats.published, w.stats.completed, w.stats.words, w.stats.chapters_label),
        (dt.date(2015, 1, 10), dt.date(2020, 11, 5), 9, "2/2"),
    ),
]


@pytest.mark.parametrize(
    ("label", "value", "get", "expected"),
    _LABEL_CASES,
    ids=[f"{c[0]}={c[1][:20]}" for c in _LABEL_CASES],
)
def test_header_label(
    tmp_path: Path,
    label: str,
    value: str,
    get: Callable[[Work], object],
    expected: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    header = [f"{label}: {value}"]
    if label.lower() not in ("title", "author", "authors", "author(s)", "creator", "creators"):
        header = ["Title: T", "Author: a", *header]
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, "\n".join([*header, "", "Body text."]))
    assert get(work) == expected
    assert work.extra_fields == ()
    assert not caplog.records


def test_title_with_comma_is_not_split(tmp_path: Path) -> None:
    work = read_text(tmp_path, "Title: One, Two, Three\n\nBody.\n")
    assert work.title == "One, Two, Three"


@pytest.mark.parametrize(
    ("given", "title"),
    [
        ('"No Office Relations"', "No Office Relations"),
        ("“Curly”", "Curly"),
        ("'Single'", "Single"),
        ("'Don't Go'", "Don't Go"),
        ('"Yes" and "No"', '"Yes" and "No"'),
        ("'Tis the 'Season'", "'Tis the 'Season'"),
        ("Plain", "Plain"),
        ('"Unbalanced', '"Unbalanced'),
        ('""', '""'),
    ],
)
def test_title_quotes(tmp_path: Path, given: str, title: str) -> None:
    assert read_text(tmp_path, f"Title: {given}\n\nBody.\n").title == title


def test_unknown_keys_kept_in_order(tmp_path: Path) -> None:
    text = with_header(
        "Body.", "Mood: Brisk", "Beta: Someone: Else", "Rating: Mature", "Gift For: x"
    )
    work = read_text(tmp_path, text)
    assert [(f.label, f.value) for f in work.extra_fields] == [
        ("Mood", "Brisk"),
        ("Beta", "Someone: Else"),
        ("Gift For", "x"),
    ]
    assert work.tags(TagKind.RATING) == ("Mature",)


@pytest.mark.parametrize(
    "line",
    [
        "Published: sometime last year",
        "Words: lots",
        "Chapters: three",
        "Status: Abandoned?",
        "URL: javascript:alert(1)",
    ],
)
def test_unparsable_values_kept_as_extra(
    tmp_path: Path, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, with_header("Body.", line))
    label, value = line.split(": ", 1)
    assert [(f.label, f.value) for f in work.extra_fields] == [(label, value)]
    assert caplog.records
    assert work.url is None


def test_repeated_scalar_kept_as_extra(tmp_path: Path) -> None:
    work = read_text(tmp_path, "Title: First\nTitle: Second\n\nBody.\n")
    assert work.title == "First"
    assert [(f.label, f.value) for f in work.extra_fields] == [("Title", "Second")]


def test_repeated_tag_fields_merge(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("Body.", "Tags: A, B", "Additional Tags: B, C"))
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("A", "B", "C")


def test_tag_groups_in_ao3_order(tmp_path: Path) -> None:
    text = with_header("Body.", "Characters: C", "Rating: Mature", "Fandom: F")
    kinds = [g.kind for g in read_text(tmp_path, text).tag_groups]
    assert kinds == [TagKind.RATING, TagKind.FANDOMS, TagKind.CHARACTERS]


def test_summary_continues_on_next_header_line(tmp_path: Path) -> None:
    text = (
        "Title: T\nSummary: A long summary\nthat wraps onto a second line.\n"
        "Rating: Mature\n\nBody.\n"
    )
    work = read_text(tmp_path, text)
    assert str(work.summary) == "<p>A long summary that wraps onto a second line.</p>"
    assert work.tags(TagKind.RATING) == ("Mature",)


def test_header_without_blank_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, "Title: T\nRating: Mature\nThe story starts here.\n")
    assert all_paras(work) == ["The story starts here."]
    assert caplog.records


def test_defaults_when_header_is_sparse(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, "Rating: Mature\n\nBody.\n", name="my_great-story.txt")
    assert work.title == "my great-story"
    assert work.authors == ("Anonymous",)
    assert (work.language, work.language_name) == ("en", None)
    assert work.url is None and work.work_id is None
    assert work.declared_status is None and work.status is None
    assert not caplog.records


def test_unknown_language_falls_back_to_english(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, with_header("Body.", "Language: Gibberishian"))
    assert (work.language, work.language_name) == ("en", "Gibberishian")
    assert caplog.records


def test_explicit_status_beats_completed_date(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("Body.", "Status: WIP", "Completed: 2020-01-01"))
    assert work.declared_status is Status.IN_PROGRESS
    assert work.stats.completed == dt.date(2020, 1, 1)


def test_url_and_work_id_both_given(tmp_path: Path) -> None:
    text = with_header("Body.", "Work ID: 5", "URL: https://example.org/x")
    work = read_text(tmp_path, text)
    assert (work.work_id, work.url) == ("5", "https://example.org/x")


# --------------------------------------------------------------------------------------------
# Chapter count and chaptered


@pytest.mark.parametrize(
    ("chapters", "chaptered"),
    [(None, False), ("1/1", False), ("1/3", True), ("1/?", True), ("2/2", True)],
)
def test_headingless_work_is_one_chapter(
    tmp_path: Path, chapters: str | None, chaptered: bool
) -> None:
    header = [f"Chapters: {chapters}"] if chapters else []
    work = read_text(tmp_path, with_header("One.\nTwo.", *header))
    assert work.chaptered is chaptered
    assert len(work.chapters) == 1
    chapter = work.chapters[0]
    assert (chapter.number, chapter.title, chapter.label) == (1, None, None)
    assert paras(chapter.body) == ["One.", "Two."]


# --------------------------------------------------------------------------------------------
# Paragraph layouts


def test_one_paragraph_per_line(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("First line.\nSecond line.\n\nThird after a gap.\n"))
    assert all_paras(work) == ["First line.", "Second line.", "Third after a gap."]


def test_blank_line_separated_paragraphs(tmp_path: Path) -> None:
    body = "First paragraph.\n\nSecond paragraph\ncontinues here.\n\n\nThird.\n\nFourth.\n"
    work = read_text(tmp_path, with_header(body))
    assert all_paras(work) == [
        "First paragraph.",
        "Second paragraph continues here.",
        "Third.",
        "Fourth.",
    ]


def _long_paragraphs(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["harbour", "signal", "flag", "tower", "lantern", "quiet", "message", "gull"]
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(25, 90))).capitalize() + "."
        for _ in range(count)
    ]


@pytest.mark.parametrize("width", [70, 72, 78])
def test_hard_wrapped_paragraphs_are_rejoined(tmp_path: Path, width: int) -> None:
    originals = _long_paragraphs(8)
    body = "\n\n".join("\n".join(textwrap.wrap(p, width)) for p in originals)
    assert max(len(line) for line in body.splitlines()) <= width
    work = read_text(tmp_path, with_header(body))
    assert all_paras(work) == originals


def test_hard_wrapped_crlf_with_chapters_and_breaks(tmp_path: Path) -> None:
    originals = _long_paragraphs(6, seed=3)
    wrapped = ["\n".join(textwrap.wrap(p, 78)) for p in originals]
    body = "\n\n".join(
        ["Chapter 1", *wrapped[:2], "* * *", wrapped[2], "Chapter 2: The Turn", *wrapped[3:]]
    )
    path = tmp_path / "w.txt"
    path.write_bytes(with_header(body).replace("\n", "\r\n").encode())
    work = READER.read(path)
    assert [c.title for c in work.chapters] == [None, "The Turn"]
    assert all_paras(work) == originals
    assert breaks(work) == 1


def test_wrapped_line_starting_with_chapter_is_prose(tmp_path: Path) -> None:
    # The greedy wrap puts "Chapter 3: ..." at the start of a full line inside a paragraph.
    filler = "She had drafted the whole of it in one sleepless night and then"
    tail = "Chapter 3: The Reckoning was the part they all quoted at parties for years"
    paragraph = [filler, tail, "and years afterwards."]
    others = ["\n".join(textwrap.wrap(p, 78)) for p in _long_paragraphs(4)]
    body = "\n\n".join(
        ["Chapter 1", others[0], others[1], "Chapter 2", "\n".join(paragraph), *others[2:]]
    )
    work = read_text(tmp_path, with_header(body))
    assert len(work.chapters) == 2
    assert " ".join(paragraph) in all_paras(work)


# --------------------------------------------------------------------------------------------
# Chapter headings


def _chaptered(headings: list[str], prose: str = "Some prose here.") -> str:
    return with_header("\n\n".join(f"{h}\n\n{prose} ({i})" for i, h in enumerate(headings)))


@pytest.mark.parametrize(
    ("headings", "titles"),
    [
        (["Chapter 1", "Chapter 2", "Chapter 3"], [None, None, None]),
        (["Chapter 1: Red", "Chapter 2: Orders", "Chapter 3"], ["Red", "Orders", None]),
        (
            ["Chapter One - Title", "Chapter Two \u2013 Next", "Chapter Three — Jump"],
            ["Title", "Next", "Jump"],
        ),
        (
            ["CHAPTER I—THE START", "CHAPTER II—THE MIDDLE", "CHAPTER III—THE END"],
            ["THE START", "THE MIDDLE", "THE END"],
        ),
        (["Chapter 3. Title", "Chapter 4. Another", "Chapter 5."], ["Title", "Another", None]),
        (
            ["chapter 1 : lower", "Ch. 2 - short", "Chap. 3: abbreviated"],
            ["lower", "short", "abbreviated"],
        ),
        (
            ["Chapter 1: Who Goes There?", "Chapter 2: Wait...", "Chapter 3: Go!"],
            ["Who Goes There?", "Wait...", "Go!"],
        ),
        (["Chapter 0: Before", "Chapter 1: After"], ["Before", "After"]),
        (["Chapter XII", "Chapter XIII", "Chapter XIV"], [None, None, None]),
    ],
)
def test_heading_sequences(tmp_path: Path, headings: list[str], titles: list[str | None]) -> None:
    work = read_text(tmp_path, _chaptered(headings))
    assert work.chaptered
    assert [c.title for c in work.chapters] == titles
    assert [c.number for c in work.chapters] == list(range(1, len(titles) + 1))
    for index, chapter in enumerate(work.chapters):
        assert paras(chapter.body) == [f"Some prose here. ({index})"]


def test_number_words_and_roman_numerals_form_sequences(tmp_path: Path) -> None:
    words = ["Chapter Nineteen", "Chapter Twenty", "Chapter Twenty-One", "Chapter Twenty Two"]
    assert len(read_text(tmp_path, _chaptered(words)).chapters) == 4
    romans = [f"Chapter {r}" for r in ("IV", "V", "VI", "VII", "VIII", "IX", "X")]
    assert len(read_text(tmp_path, _chaptered(romans)).chapters) == 7


def test_heading_directly_after_prose_line(tmp_path: Path) -> None:
    body = "Chapter 1\n\nOne.\nMore one.\nChapter 2\nTwo.\n"
    work = read_text(tmp_path, with_header(body))
    assert [paras(c.body) for c in work.chapters] == [["One.", "More one."], ["Two."]]


def test_sequence_may_start_after_one(tmp_path: Path) -> None:
    work = read_text(tmp_path, _chaptered(["Chapter 5", "Chapter 6"]))
    assert [c.number for c in work.chapters] == [1, 2]
    assert [c.heading for c in work.chapters] == ["Chapter 5", "Chapter 6"]


def test_lone_first_line_heading(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("Chapter 1: Only\n\nText.", "Chapters: 1/?"))
    assert [(c.title, paras(c.body)) for c in work.chapters] == [("Only", ["Text."])]


def test_special_headings(tmp_path: Path) -> None:
    headings = ["Prologue", "Chapter 1", "Interlude: Storm", "Chapter 2: Calm", "Epilogue"]
    work = read_text(tmp_path, _chaptered(headings))
    got = [(c.number, c.title, c.label, c.heading) for c in work.chapters]
    assert got == [
        (1, "Prologue", "Prologue", "Prologue"),
        # The author's own numbers are kept, not the positions.
        (2, None, "Chapter 1", "Chapter 1"),
        (3, "Storm", "Interlude", "Interlude: Storm"),
        (4, "Calm", "Chapter 2", "Chapter 2: Calm"),
        (5, "Epilogue", "Epilogue", "Epilogue"),
    ]


def test_prologue_with_title_and_epilogue_only(tmp_path: Path) -> None:
    work = read_text(tmp_path, _chaptered(["Prologue: The Storm", "Epilogue - After"]))
    assert [c.heading for c in work.chapters] == ["Prologue: The Storm", "Epilogue: After"]


def test_parts_count_when_there_are_no_chapters(tmp_path: Path) -> None:
    work = read_text(tmp_path, _chaptered(["Part One", "Part Two", "Part Three: End"]))
    assert [c.title for c in work.chapters] == [None, None, "End"]
    assert [c.heading for c in work.chapters] == ["Part 1", "Part 2", "Part 3: End"]


def test_parts_win_over_a_stray_chapter_line(tmp_path: Path) -> None:
    body = "Part One\nIt began.\nChapter 7\nStill part one.\nPart Two\nThe end.\n"
    work = read_text(tmp_path, with_header(body))
    assert [paras(c.body) for c in work.chapters] == [
        ["It began.", "Chapter 7", "Still part one."],
        ["The end."],
    ]


def test_prologue_then_lone_first_chapter(tmp_path: Path) -> None:
    body = "Prologue\nLong ago.\nChapter 1: Now\nToday.\n"
    work = read_text(tmp_path, with_header(body, "Chapters: 2/?"))
    assert [c.heading for c in work.chapters] == ["Prologue", "Chapter 1: Now"]


def test_parts_inside_chapters_stay_prose(tmp_path: Path) -> None:
    work = read_text(tmp_path, _chaptered(["Chapter 1", "Part Two", "Chapter 2"]))
    assert len(work.chapters) == 2
    assert "Part Two" in paras(work.chapters[0].body)


@pytest.mark.parametrize(
    "line",
    [
        "Chapter two of her life began when the letter came.",
        "Chapter two of her life began when…",
        "Chapter 5 was the worst one, she said.",
        "Chapter 7",
        "Chapter 3: she left the harbour and never came back.",
        "Chapter 3. she said nothing more",
        "Prologue",
        "Part One",
        "Chapter 3.5",
    ],
)
def test_heading_lookalikes_in_prose_stay_prose(tmp_path: Path, line: str) -> None:
    body = f"It began quietly.\nShe read on.\n{line}\nThen she closed the book.\n"
    work = read_text(tmp_path, with_header(body))
    assert not work.chaptered
    assert len(work.chapters) == 1
    assert all_paras(work) == [
        "It began quietly.",
        "She read on.",
        line,
        "Then she closed the book.",
    ]


def test_out_of_sequence_number_stays_prose(tmp_path: Path) -> None:
    body = "Chapter 1\nOne.\nChapter 7\nStill one.\nMore.\nChapter 2\nTwo.\nThree.\n"
    work = read_text(tmp_path, with_header(body))
    assert [paras(c.body) for c in work.chapters] == [
        ["One.", "Chapter 7", "Still one.", "More."],
        ["Two.", "Three."],
    ]


def test_long_heading_like_line_is_prose(tmp_path: Path) -> None:
    long_title = "Chapter 2: " + "An Extremely Long Title That Goes On " * 3
    work = read_text(tmp_path, _chaptered(["Chapter 1", long_title.strip()]))
    assert len(work.chapters) == 1


@pytest.mark.parametrize("crlf", [False, True])
def test_table_of_contents_is_not_the_chapters(tmp_path: Path, crlf: bool) -> None:
    originals = _long_paragraphs(4, seed=5)
    wrapped = ["\n".join(textwrap.wrap(p, 78)) for p in originals]
    lines = ["TABLE OF CONTENTS", "", "\tChapter 1: Red", "\tChapter 2: Orders", "", ""]
    lines += ["\tChapter 1: Red", "", wrapped[0], "", wrapped[1], ""]
    lines += ["\tChapter 2: Orders", "", wrapped[2], "", wrapped[3], "", "End file."]
    text = "\n".join(lines)
    work = read_text(tmp_path, text.replace("\n", "\r\n") if crlf else text, name="toc.txt")
    assert [c.title for c in work.chapters] == ["Red", "Orders"]
    assert [paras(c.body) for c in work.chapters] == [originals[:2], [*originals[2:], "End file."]]
    assert "Chapter 2: Orders" in plain(work.notes)


def test_text_before_first_heading_becomes_work_notes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = "A dedication, first.\n\nChapter 1\n\nOne.\n\nChapter 2\n\nTwo.\n"
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, with_header(body, "Notes: Header notes."))
    assert paras(work.notes or "") == ["Header notes.", "A dedication, first."]
    assert len(work.chapters) == 2
    assert caplog.records


# --------------------------------------------------------------------------------------------
# Chapter notes


def test_chapter_notes_convention(tmp_path: Path) -> None:
    body = (
        "Chapter 1: A\n\nChapter Summary: Sum one.\nChapter Notes: Note one.\n\nText one.\n"
        "Chapter End Notes: End one.\n\nChapter 2: B\n\nChapter Notes: Note two.\nText two.\n"
        "Chapter Summary: not at the top, so prose.\n"
    )
    work = read_text(tmp_path, with_header(body))
    one, two = work.chapters
    assert (str(one.summary), str(one.notes), str(one.end_notes)) == (
        "<p>Sum one.</p>",
        "<p>Note one.</p>",
        "<p>End one.</p>",
    )
    assert paras(one.body) == ["Text one."]
    assert (two.summary, str(two.notes), two.end_notes) == (None, "<p>Note two.</p>", None)
    assert paras(two.body) == ["Text two.", "Chapter Summary: not at the top, so prose."]


def test_chapter_notes_in_blank_line_layout(tmp_path: Path) -> None:
    body = (
        "Chapter 1\n\nChapter Summary: Sum\nwrapped on.\n\nChapter Notes: Note.\n\n"
        "Para one.\n\nPara two\nwrapped.\n\nChapter End Notes: The end.\n\nChapter 2\n\nTwo.\n"
    )
    work = read_text(tmp_path, with_header(body))
    one = work.chapters[0]
    assert str(one.summary) == "<p>Sum wrapped on.</p>"
    assert str(one.notes) == "<p>Note.</p>"
    assert str(one.end_notes) == "<p>The end.</p>"
    assert paras(one.body) == ["Para one.", "Para two wrapped."]


def test_chapter_notes_in_a_one_shot(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("Chapter Notes: Hi.\nBody.\nChapter End Notes: Bye."))
    chapter = work.chapters[0]
    assert (str(chapter.notes), str(chapter.end_notes)) == ("<p>Hi.</p>", "<p>Bye.</p>")
    assert paras(chapter.body) == ["Body."]
    assert not work.chaptered


# --------------------------------------------------------------------------------------------
# Scene breaks


@pytest.mark.parametrize(
    "line",
    [
        "***",
        "* * *",
        "~~~",
        "---",
        "#",
        "oOo",
        "xXx",
        "-x-",
        "~o~",
        "◇◇◇",
        "❀",
        "___",
        "+++",
        "=====",
        "•••",
        "⁂",
        "*",
        "OoO",
        "xxx",
        "~*~*~",
        "—  —  —",
        "★ ★ ★",
        "\u00a0*\u00a0*\u00a0*",
    ],
)
def test_scene_breaks(tmp_path: Path, line: str) -> None:
    work = read_text(tmp_path, with_header(f"Before.\n{line}\nAfter."))
    assert str(work.chapters[0].body) == '<p>Before.</p>\n<hr class="scene-break"/>\n<p>After.</p>'


@pytest.mark.parametrize(
    "line",
    [
        "--",
        "—",
        "-",
        "...",
        '"..."',
        "#1",
        "- item",
        "Ooo",
        "XOXO",
        "-_-",
        "x",
        "o",
        "__",
        "***!",
        "* 1 *",
        "“***”",
        "==",
    ],
)
def test_not_scene_breaks(tmp_path: Path, line: str) -> None:
    work = read_text(tmp_path, with_header(f"Before.\n{line}\nAfter."))
    assert breaks(work) == 0
    assert all_paras(work) == ["Before.", line, "After."]


def test_adjacent_breaks_merge_and_edge_breaks_drop(tmp_path: Path) -> None:
    body = "Chapter 1\n\n***\nOne.\n***\n\n~~~\nTwo.\n***\nChapter 2\n\nThree.\n* * *\n"
    work = read_text(tmp_path, with_header(body))
    assert [str(c.body) for c in work.chapters] == [
        '<p>One.</p>\n<hr class="scene-break"/>\n<p>Two.</p>',
        "<p>Three.</p>",
    ]


def test_scene_breaks_in_blank_line_layout(tmp_path: Path) -> None:
    body = "Para one\nwrapped.\n\n* * *\n\nPara two.\n\nPara three.\n#\nPara four.\n\nFive.\n\nSix."
    work = read_text(tmp_path, with_header(body))
    assert all_paras(work) == [
        "Para one wrapped.",
        "Para two.",
        "Para three.",
        "Para four.",
        "Five.",
        "Six.",
    ]
    assert breaks(work) == 2


# --------------------------------------------------------------------------------------------
# Escaping and control characters


def test_body_is_escaped(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("<script>alert(1)</script> & <b>x</b>"))
    body = str(work.chapters[0].body)
    assert "<script" not in body and "<b>" not in body
    assert paras(body) == ["<script>alert(1)</script> & <b>x</b>"]


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    work = read_text(tmp_path, with_header("Bell\x07 and\x0b vertical\x1b tab\tkept.\x0c"))
    assert all_paras(work) == ["Bell and vertical tab\tkept."]


# --------------------------------------------------------------------------------------------
# Encodings and line ends

_ENCODED_TEXT = "Title: Café “Noir”\nAuthor: zoë\n\nShe said “bonjour” — naïvely.\nSecond line.\n"


@pytest.mark.parametrize(
    "data",
    [
        _ENCODED_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + _ENCODED_TEXT.encode("utf-8"),
        _ENCODED_TEXT.encode("utf-16"),
        b"\xff\xfe" + _ENCODED_TEXT.encode("utf-16-le"),
        b"\xfe\xff" + _ENCODED_TEXT.encode("utf-16-be"),
        _ENCODED_TEXT.encode("cp1252"),
        _ENCODED_TEXT.replace("\n", "\r\n").encode("utf-8"),
        _ENCODED_TEXT.replace("\n", "\r").encode("utf-8"),
        _ENCODED_TEXT.replace("\n", "\r\n").encode("cp1252"),
        b"\xef\xbb\xbf" + _ENCODED_TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16",
        "utf16le-bom",
        "utf16be-bom",
        "cp1252",
        "crlf",
        "cr",
        "cp1252-crlf",
        "utf8-bom-crlf",
    ],
)
def test_encodings_and_line_ends(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "enc.txt"
    path.write_bytes(data)
    work = READER.read(path)
    assert work.title == "Café “Noir”"
    assert work.authors == ("zoë",)
    assert all_paras(work) == ["She said “bonjour” — naïvely.", "Second line."]


def test_utf8_with_stray_cp1252_bytes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(_ENCODED_TEXT.encode("utf-8") + b"A stray \x93quote\x94.\n")
    with caplog.at_level(logging.WARNING):
        work = READER.read(path)
    assert work.title == "Café “Noir”"
    assert all_paras(work)[-1] == "A stray “quote”."
    assert caplog.records


# --------------------------------------------------------------------------------------------
# Errors


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        READER.read(path)
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "folder" in _error(folder)


def test_unreadable_name(tmp_path: Path) -> None:
    assert "too long" in _error(tmp_path / ("x" * 300 + ".txt"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "Title: x\n\nBody.\n")
    path.chmod(0)
    try:
        assert "ermission" in _error(path)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"Title: x\n\nBody with a NUL\x00 in it.\n",
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10" * 20,
        b"Title: \x81\x8d\x8f\x90\x9d\n\nBody.\n",
        b"\xff\xfe\x00\xd8",  # UTF-16 BOM then a lone surrogate
    ],
    ids=["png", "nul", "controls", "undefined-cp1252", "bad-utf16"],
)
def test_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(data)
    assert "binary" in _error(path)


@pytest.mark.parametrize("data", [b"", b"   \n\n\t \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n \n"])
def test_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    assert "empty" in _error(path)


@pytest.mark.parametrize("text", ["Title: x\nAuthor: y\n", "Title: x\nAuthor: y\n\n\n  \n"])
def test_header_without_body(tmp_path: Path, text: str) -> None:
    assert "header" in _error(write(tmp_path, text))


# --------------------------------------------------------------------------------------------
# Bare text


def test_bare_text_without_header(tmp_path: Path) -> None:
    text = "It was a dark night.\nThe rain fell: hard.\n***\nMorning came.\n"
    work = read_text(tmp_path, text, name="a_dark-night.txt")
    assert work.title == "a dark-night"
    assert work.authors == ("Anonymous",)
    assert work.language == "en"
    assert work.extra_fields == ()
    assert all_paras(work) == ["It was a dark night.", "The rain fell: hard.", "Morning came."]
    assert breaks(work) == 1
    assert not work.chaptered


def test_bare_text_first_line_with_unknown_key(tmp_path: Path) -> None:
    work = read_text(tmp_path, "Dear diary: today was long.\n\nVery long.\n")
    assert all_paras(work) == ["Dear diary: today was long.", "Very long."]


def test_bare_text_with_chapters(tmp_path: Path) -> None:
    work = read_text(tmp_path, "Chapter 1\n\nOne.\n\nChapter 2\n\nTwo.\n", name="x.txt")
    assert len(work.chapters) == 2 and work.chaptered


# --------------------------------------------------------------------------------------------
# The seed and the samples


def _body_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return lines[lines.index("") + 1 :]


def test_seed_file() -> None:
    path = DATA / "no-office-relations.txt"
    work = READER.read(path)
    assert work.title == "No Office Relations"
    assert work.authors == ("movielover55",)
    assert work.work_id == "8621107"
    assert work.url == "https://archiveofourown.org/works/8621107"
    assert work.tags(TagKind.RATING) == ("Teen And Up Audiences",)
    assert work.tags(TagKind.RELATIONSHIPS) == ("Javert/Jean Valjean",)
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("Tumblr Prompt", "Kissing")
    assert (work.language, work.language_name) == ("en", "English")
    assert work.declared_status is Status.COMPLETE
    assert work.stats.chapters_label == "1/1"
    assert not work.chaptered
    assert len(work.chapters) == 1
    assert work.chapters[0].title is None
    expected = [line.strip() for line in _body_lines(path) if line.strip()]
    assert paras(work.chapters[0].body) == expected
    assert len(expected) > 20


def test_salt_and_semaphore_sample() -> None:
    work = READER.read(sample("salt-and-semaphore.txt"))
    assert work.title == "Salt and Semaphore"
    assert work.authors == ("tidewright", "Juniper Vale (jvale)")
    assert work.chaptered
    assert [c.title for c in work.chapters] == ["Red Over White", "Standing Orders", None]
    assert [c.heading for c in work.chapters] == [
        "Chapter 1: Red Over White",
        "Chapter 2: Standing Orders",
        "Chapter 3",
    ]
    one, two, three = work.chapters
    assert str(one.summary) == "<p>Ada sends a message she should not.</p>"
    assert str(one.notes) == "<p>The flag meanings here are invented.</p>"
    assert str(one.end_notes) == "<p>Red over white means nothing in any real code. Probably.</p>"
    assert str(two.summary) == "<p>Rules are consulted. Rules are bent.</p>"
    assert three.summary is None and three.notes is None
    assert breaks(work) == 3
    assert all(str(c.body).count("scene-break") == 1 for c in work.chapters)
    assert paras(two.body)[-1].startswith("By the end of the month")
    assert (
        paras(three.body)[0]
        == "Nobody in the harbour would admit to having started the betting pool."
    )
    assert str(work.end_notes) == (
        "<p>The fourth chapter is drafted. Come and shout at me about flags.</p>"
    )
    assert work.series == (SeriesEntry("The Harbour Letters", 2),)
    assert work.collections == ("Small Boats Exchange 2025",)
    assert [(f.label, f.value) for f in work.extra_fields] == [("Mood", "Brisk")]
    assert work.tags(TagKind.CATEGORIES) == ("F/F", "Gen")
    assert work.stats.words == 1204
    assert (work.stats.chapters_posted, work.stats.chapters_total) == (3, 4)
    assert work.status is Status.IN_PROGRESS


def test_lighthouse_sample() -> None:
    work = READER.read(sample("the-lighthouse-keepers-ledger.txt"))
    assert work.title == "The Lighthouse Keeper's Ledger"
    assert not work.chaptered
    assert len(work.chapters) == 1
    assert breaks(work) == 2
    assert work.stats.published == dt.date(2024, 3, 1)
    assert work.status is Status.COMPLETE


_NOTE_LABEL = re.compile(r"^Chapter (Summary|Notes|End Notes):", re.MULTILINE)
# Scene-break ornaments are not words of the story.
_ORNAMENT = re.compile(r"^(?:[oOxX]{3}|\W+)$", re.MULTILINE)


@pytest.mark.parametrize(
    "path",
    [
        DATA / "no-office-relations.txt",
        sample("salt-and-semaphore.txt"),
        sample("the-lighthouse-keepers-ledger.txt"),
    ],
    ids=lambda p: p.name,
)
def test_nothing_lost(path: Path) -> None:
    work = READER.read(path)
    source = _ORNAMENT.sub("", _NOTE_LABEL.sub("", "\n".join(_body_lines(path))))
    output = " ".join(
        f"{c.heading} {plain(c.summary)} {plain(c.notes)} {plain(c.body)} {plain(c.end_notes)}"
        for c in work.chapters
    )
    wanted = Counter(re.findall(r"\w+", source))
    got = Counter(re.findall(r"\w+", output))
    assert not wanted - got


# --------------------------------------------------------------------------------------------
# A long file


def test_large_file_is_read_whole(tmp_path: Path) -> None:
    paragraphs = _long_paragraphs(3000, seed=11)
    lines = []
    for index, paragraph in enumerate(paragraphs):
        if index % 150 == 0:
            lines += [f"Chapter {index // 150 + 1}: Part", ""]
        lines.append(paragraph)
        if index % 40 == 39:
            lines.append("* * *")
    path = write(tmp_path, with_header("\n".join(lines)))
    assert sum(len(p.split()) for p in paragraphs) > 150_000
    work = READER.read(path)
    assert len(work.chapters) == 20
    assert len(all_paras(work)) == 3000


@pytest.mark.parametrize(
    "line",
    [
        "Words: " + "9" * 5000,
        "Words: \u00b2",
        "Chapters: \u00b2/3",
        "Chapters: 1/" + "9" * 4400,
        "Chapters: " + "7" * 4400,
        "Kudos: 1\u00b2",
        "Series: Part " + "9" * 5000 + " of Huge",
    ],
)
def test_huge_and_superscript_numbers_are_kept_as_written(tmp_path: Path, line: str) -> None:
    # int() raises on more than 4,300 digits and on superscripts that pass str.isdigit().
    work = read_text(tmp_path, with_header("Body.", line))
    assert work.stats.words is None
    assert work.stats.chapters_total in (None, 3)
    assert all(entry.part is None for entry in work.series)


def test_a_flood_of_bad_header_lines_warns_briefly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header = ["Words: " + "9" * 5000] + ["Words: 5"] * 1000
    with caplog.at_level(logging.WARNING):
        work = read_text(tmp_path, with_header("Body.", *header))
    assert work.stats.words is None and len(work.extra_fields) == 1001
    assert len(caplog.records) == 2
    assert all(len(record.getMessage()) < 200 for record in caplog.records)
