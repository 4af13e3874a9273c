"""Numbers Python will not convert, NULs in image URLs, YAML that expands or recurses.

Each of these once ended a whole multi-file ``convert`` with a traceback: ``int()`` refuses
more than 4,300 digits, ``str.isdigit()`` accepts ``²`` which ``int()`` refuses, ``%00`` in an
image path reached ``os.path.realpath``, ``0000-01-01`` is no date, and YAML aliases expand
without bound.  Now each input gives a book or one line, and the others are still converted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.errors import InputError
from fic2book.numbers import MAX_DIGITS, parse_count, parse_whole
from fic2book.readers import read_work
from tests.hostile.conftest import Sandbox, TrapServer, check_books_safe, check_cli, check_contained

DATA = Path(__file__).resolve().parent.parent / "data"
HUGE = "9" * 5000

_ALIAS_BOMB = "\n".join(
    ["title: Bomb", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def _inputs() -> dict[str, str]:
    """File name → content: every shape that used to raise, one per file."""
    ao3 = (DATA / "ao3" / "ao3-2021-chaptered.html").read_text(encoding="utf-8")
    page = (DATA / "ao3" / "saved-page.html").read_text(encoding="utf-8")
    return {
        "null.html": '<p>one</p><img src="x%00.png" alt=""><p>two</p>',
        "control.html": '<p>one</p><img src="%01%02x%0b.png"><p>two</p>',
        "null.md": "# T\n\nhello ![](x%00.png) there\n",
        "colspan.html": (
            f'<table><tr><td colspan="{HUGE}">a</td><td colspan="²">b</td>'
            f'<td rowspan="{HUGE}">c</td></tr></table><ol start="{HUGE}"><li>x</li></ol>'
            f'<p style="font-weight: {HUGE}">w</p><p style="font-weight: ²">w</p>'
        ),
        "counts.txt": (
            f"Title: Counts\nAuthor: A\nWords: {HUGE}\nChapters: {HUGE}/{HUGE}\n"
            f"Series: Part {HUGE} of Big, Name [{HUGE}]\n\nChapter {HUGE}\n\nHello there.\n"
        ),
        "counts.md": (
            f"---\ntitle: Counts\nwords: {HUGE}\nchapters: {HUGE}/{HUGE}\n"
            f"series: Part {HUGE} of Big\nweird: {HUGE}\npublished: 0000-01-01\n"
            f"updated: 2024-13-45\n---\n\nHello\n"
        ),
        "ao3-stats.html": ao3.replace("Words: 1204", f"Words: {HUGE}").replace(
            "Chapters: 2/3", f"Chapters: {HUGE}/{HUGE}"
        ),
        "ao3-page.html": page.replace("Part 2 of", f"Part {HUGE} of")
        .replace("1,337", HUGE)
        .replace("4,096", HUGE),
        "ao3-sup.html": page.replace(
            "Part 2 of <a",
            'Part <a href="https://archiveofourown.org/series/601">²</a> of <a',
        ),
        "ok.txt": "Title: OK\nAuthor: A\n\nHello there.\n",
    }


def test_each_input_is_a_book_and_none_stops_the_others(sandbox: Sandbox, trap: TrapServer) -> None:
    """One multi-file convert: a book for every input, no traceback, nothing outside out/."""
    inputs = _inputs()
    for name, text in inputs.items():
        (sandbox.inputs / name).write_text(text, encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run(
        "convert", *sorted(sandbox.inputs.iterdir()), "--to", "epub", "-o", f"{sandbox.out}/"
    )
    check_cli(result, failures=0)
    books = sandbox.books()
    assert len(books) == len(inputs), result.stderr[-2000:]
    check_books_safe(books)
    check_contained(sandbox, trap, before)


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        (_ALIAS_BOMB, r"front matter on line 4: YAML aliases \(\*a\) are not accepted"),
        ("title: S\nweird: &r [a, *r]", r"on line 3: YAML aliases \(\*r\)"),
        ("title: M\n<<: *base", "YAML aliases"),
        ("title: D\nx: " + "[" * 5000 + "]" * 5000, "nested more than 20 deep"),
    ],
)
def test_front_matter_that_expands_or_recurses_is_one_line(
    tmp_path: Path, front_matter: str, message: str
) -> None:
    """Aliases and deep nesting are refused before PyYAML builds a node."""
    path = tmp_path / "work.md"
    path.write_text(f"---\n{front_matter}\n---\n\nHello\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        read_work(path)
    assert "\n" not in str(caught.value)


def test_front_matter_anchors_without_aliases_still_load(tmp_path: Path) -> None:
    """An anchor alone repeats nothing: the value is read as usual."""
    path = tmp_path / "work.md"
    path.write_text("---\ntitle: &t Anchored\nwords: 12\n---\n\nHello\n", encoding="utf-8")
    work = read_work(path)
    assert work.title == "Anchored"
    assert work.stats.words == 12


def test_huge_counts_are_dropped_not_raised(tmp_path: Path) -> None:
    """A count too long to mean anything is left out of the book's stats."""
    path = tmp_path / "work.txt"
    path.write_text(f"Title: T\nAuthor: A\nWords: {HUGE}\nKudos: 12\n\nHi.\n", encoding="utf-8")
    work = read_work(path)
    assert work.stats.words is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("12,345", 12345),
        ("12 345", 12345),
        ("٣٤", 34),
        ("²", None),
        ("", None),
        (HUGE, None),
        ("9" * MAX_DIGITS, int("9" * MAX_DIGITS)),
        (7, 7),
        (-1, None),
        (True, None),
        (10**MAX_DIGITS, None),
    ],
)
def test_parse_count(text: object, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), (" 12 ", 12), ("²", None), ("٣", None), ("+3", None), ("3px", None), (HUGE, None)],
)
def test_parse_whole(text: str, number: int | None) -> None:
    assert parse_whole(text) == number
