"""The rules every reader shares (``fic2book.readers.common``), tested once here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fic2book.errors import InputError
from fic2book.model import SeriesEntry, Status
from fic2book.numbers import MAX_DIGITS
from fic2book.readers.common import (
    ao3_absolute_url,
    ao3_work_id,
    decode_text,
    is_scene_break,
    link_work,
    parse_chapter_count,
    parse_date,
    parse_series,
    parse_status,
    read_text,
    split_authors,
    split_list,
    title_from_path,
    web_url,
    written_count,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", 12345),
        (" 12,345 ", 12345),
        ("12 345", 12345),
        ("12.345", 12345),
        ("12'345", 12345),
        ("1\u202f234\u202f567", 1234567),
        ("\uff11\uff12", 12),  # fullwidth digits are digits
        ("0", 0),
        ("9" * MAX_DIGITS, int("9" * MAX_DIGITS)),
    ],
)
def test_written_count_reads_counts_as_people_write_them(text: str, expected: int) -> None:
    assert written_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\u00b2",  # superscript two: isdigit() but int() raises
        "1\u00b2",
        "9" * 4301,  # past Python's int() digit guard
        "9" * (MAX_DIGITS + 1),
        "1,2345",
        "-3",
        "3.5",
        "three",
        "1 2",
    ],
)
def test_written_count_refuses_everything_else_without_raising(text: str) -> None:
    assert written_count(text) is None


def test_parse_chapter_count() -> None:
    assert parse_chapter_count("3/4") == (3, 4)
    assert parse_chapter_count("3 / ?") == (3, None)
    assert parse_chapter_count("1,200/1,200") == (1200, 1200)
    assert parse_chapter_count("\u00b2/3") is None
    assert parse_chapter_count("1/" + "9" * 5000) is None
    assert parse_chapter_count("3") is None


# --------------------------------------------------------------------------------------------
# Decoding


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Café\r\nnaïve\rend".encode(), "Café\nnaïve\nend"),
        ("\ufeffCafé".encode(), "Café"),
        ("Café".encode("utf-16"), "Café"),
        ("Café".encode("utf-32"), "Café"),
        ("Caf\u00e9 \u2019".encode("cp1252"), "Caf\u00e9 \u2019"),
        # UTF-8 with one stray cp1252 quote keeps its UTF-8.
        ("naïve déjà vu ".encode() + b"\x92s", "naïve déjà vu \u2019s"),
        (b"form\x0cfeed\x1a", "formfeed"),
    ],
)
def test_decode_text(data: bytes, text: str) -> None:
    assert decode_text(data, "x.txt") == text


@pytest.mark.parametrize(
    "data",
    [
        b"a NUL\x00 here",
        b"\x01\x02\x03\x04\x05\x06" * 10,
        b"undefined \x81\x8d",
        b"\xff\xfe\x00\xd8",
    ],
)
def test_decode_text_refuses_binary_plain_text(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^x\.txt: looks like a binary file"):
        decode_text(data, "x.txt")


def test_decode_markup_honours_meta_charset_and_never_refuses() -> None:
    page = '<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1")
    assert decode_text(page, "p.html", markup=True).endswith("<p>café</p>")
    # A stale declaration on a page re-saved as UTF-8 does not garble it.
    stale = '<meta charset="koi8-r"><p>café</p>'.encode()
    assert decode_text(stale, "p.html", markup=True).endswith("<p>café</p>")
    assert decode_text(b"<p>a\x00b\x07c</p>", "p.html", markup=True) == "<p>abc</p>"


def test_read_text_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_bytes(b"\xef\xbb\xbf \n\r\n")
    with pytest.raises(InputError, match="empty"):
        read_text(path)


# --------------------------------------------------------------------------------------------
# Scene breaks


@pytest.mark.parametrize(
    "line",
    [
        "***",
        "* * *",
        "~~~",
        "---",
        "- - -",
        "#",
        "⁂",
        "◇◇◇",
        "___",
        "oOo",
        "xXx",
        "-x-",
        "~o~",
        "*\u200b*\u200b*",
        "\u00a0* * *\u00a0",
        "•",
    ],
)
def test_scene_breaks(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "--",
        "-",
        "1.",
        "***1",
        '"..."',
        "ox",
        "Hello",
        "* * * Then",
        "ooxo",
        "x" * 3 + "y",
    ],
)
def test_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line)


# --------------------------------------------------------------------------------------------
# Names and links


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("the-lighthouse-keeper.txt", "the lighthouse keeper"),
        ("the_salt-road.md", "the salt-road"),
        ("Well-Met in Paris.epub", "Well-Met in Paris"),
        ("My__Story  draft.html", "My Story draft"),
        ("___.txt", "Untitled"),
    ],
)
def test_title_from_path(name: str, title: str) -> None:
    assert title_from_path(Path(name)) == title


@pytest.mark.parametrize(
    ("url", "work_id"),
    [
        ("https://archiveofourown.org/works/123", "123"),
        ("http://www.archiveofourown.org/works/123/chapters/456?view_adult=true", "123"),
        ("https://ao3.org/works/77", "77"),
        ("/works/9#main", "9"),
        ("https://example.com/works/123", None),
        ("https://archiveofourown.org/series/5", None),
        ("https://archiveofourown.org/works/123abc", None),
        ("", None),
        (None, None),
    ],
)
def test_ao3_work_id(url: str | None, work_id: str | None) -> None:
    assert ao3_work_id(url) == work_id


def test_links() -> None:
    assert link_work(None, "https://archiveofourown.org/works/5") == (
        "5",
        "https://archiveofourown.org/works/5",
    )
    assert link_work("5", None) == ("5", "https://archiveofourown.org/works/5")
    assert link_work("abc", None) == ("abc", None)
    assert ao3_absolute_url("/works/5") == "https://archiveofourown.org/works/5"
    assert ao3_absolute_url("//evil.example/x") is None
    assert ao3_absolute_url("javascript:alert(1)") is None
    assert web_url(" https://example.com/a ") == "https://example.com/a"
    assert web_url("file:///etc/passwd") is None


# --------------------------------------------------------------------------------------------
# Metadata values written as text


def test_lists_and_authors() -> None:
    assert split_list(" Angst,Fluff ,  Hurt/Comfort,, 中文\uff0c日本語\u3001한국어 ") == [
        "Angst",
        "Fluff",
        "Hurt/Comfort",
        "中文",
        "日本語",
        "한국어",
    ]
    assert split_list("Slow   Burn") == ["Slow Burn"]
    assert split_authors("Ann, Bo Pseud (bo),Cy") == ["Ann", "Bo Pseud (bo),Cy"]


@pytest.mark.parametrize(
    ("value", "entries"),
    [
        ("Part 2 of Tides", [SeriesEntry("Tides", 2)]),
        (
            "Part 3 of Salt, Sea, Part 1 of Ash",
            [SeriesEntry("Salt, Sea", 3), SeriesEntry("Ash", 1)],
        ),
        ("Tides [2]", [SeriesEntry("Tides", 2)]),
        ("Tides #4", [SeriesEntry("Tides", 4)]),
        ("Lonely Name", [SeriesEntry("Lonely Name")]),
        ("Part " + "9" * 5000 + " of Huge", [SeriesEntry("Huge")]),
    ],
)
def test_parse_series(value: str, entries: list[SeriesEntry]) -> None:
    assert parse_series(value) == entries


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2025-05-04", dt.date(2025, 5, 4)),
        ("2025/5/4 10:00", dt.date(2025, 5, 4)),
        ("4 May 2025", dt.date(2025, 5, 4)),
        ("May 4th, 2025", dt.date(2025, 5, 4)),
        ("04.05.2025", dt.date(2025, 5, 4)),
        ("0000-01-01", None),
        ("2025-02-30", None),
        ("someday", None),
    ],
)
def test_parse_date(value: str, date: dt.date | None) -> None:
    assert parse_date(value) == date


def test_parse_status() -> None:
    assert parse_status("Completed") is Status.COMPLETE
    assert parse_status(" work-in-progress ") is Status.IN_PROGRESS
    assert parse_status("WIP") is Status.IN_PROGRESS
    assert parse_status("Abandoned?") is None


def test_a_huge_chapter_count_is_refused_at_once() -> None:
    # Many slashes and a space at the end made the pattern backtrack quadratically.
    assert parse_chapter_count("a/" * 200_000 + " x") is None


def test_a_series_name_of_many_spaces_is_read_at_once() -> None:
    name = "a" + " " * 200_000 + "b"
    assert parse_series(name) == [SeriesEntry(name)]
    assert parse_series("Tides [x]") == [SeriesEntry("Tides [x]")]
    assert parse_series("#5") == [SeriesEntry("#5")]
