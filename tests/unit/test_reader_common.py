"""The rules every reader shares (``fic2book.readers.common``), tested once here."""

from __future__ import annotations

import pytest

from fic2book.numbers import MAX_DIGITS
from fic2book.readers.common import parse_chapter_count, written_count


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
