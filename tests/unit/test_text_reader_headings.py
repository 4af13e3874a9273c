"""Chapter headings in the seed text format, on generated works.

Real chapter titles end in full stops, spaced dots, ``?!``, quotes and brackets.  Each test
here builds works in every heading style and layout the text reader supports, titles taken
from real prose fragments (``tests/data/text/prose_fragments.txt``), and checks that every
heading is found, through the reader and through ``fic2book inspect --json``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.model import Work
from fic2book.readers.text import TextReader
from tests.conftest import DATA

READER = TextReader()

FRAGMENTS = [
    line
    for line in (DATA / "text" / "prose_fragments.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
# Trailing punctuation the fragments must cover (a test below checks they do).
ENDINGS = (".", ". . .", "! . .", "...", "?", "!", "\u201d", "\u2019", ")", "]", ":", ";", "\u2014")
# Core fragments to which every ending is added as well, for the endings no fragment has.
CORES = ("The end of it all", "Cosette", "What is it", "Javert")
EXTRA_ENDINGS = ("?!", "!?", "\u2026", " . . .", '."', ".)", ".]", "!\u201d")

_WORDS = [
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
]
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass(frozen=True)
class Style:
    """One way of writing a chapter heading, and the title the reader keeps from it."""

    name: str
    heading: Callable[[int, str], str]
    title: Callable[[str], str] = lambda title: title


STYLES = (
    Style("colon", lambda n, t: f"Chapter {n}: {t}"),
    Style("hyphen", lambda n, t: f"Chapter {n} - {t}"),
    Style("en-dash", lambda n, t: f"Chapter {n} \u2013 {t}"),
    Style("em-dash", lambda n, t: f"Chapter {n} \u2014 {t}"),
    Style("full-stop", lambda n, t: f"Chapter {n}. {t}"),
    Style("roman", lambda n, t: f"CHAPTER {_ROMAN[n - 1]}\u2014{t}"),
    Style("words", lambda n, t: f"Chapter {_WORDS[n - 1]} - {t}"),
    Style("ch", lambda n, t: f"Ch. {n}: {t}"),
    Style("chap", lambda n, t: f"Chap. {n}: {t}"),
    Style("spaced-colon", lambda n, t: f"chapter {n} : {t}"),
    Style("part", lambda n, t: f"Part {n}: {t}"),
    Style("lower", lambda n, t: f"chapter {n}. {t.lower()}", lambda t: t.lower()),
)
LAYOUTS = ("lines", "blank", "wrapped")


def titles() -> list[str]:
    """Every fragment as written, then the core fragments with every extra ending."""
    made = [core + ending for core, ending in itertools.product(CORES, EXTRA_ENDINGS)]
    return FRAGMENTS + made


def groups(size: int = 4) -> Iterator[list[str]]:
    """Runs of titles, so that every title is chapter 1 of one work and later in another."""
    every = titles()
    for start in range(0, len(every), 2):
        yield [every[(start + k) % len(every)] for k in range(size)]


def paragraphs_for(number: int) -> list[str]:
    """Two long paragraphs of real prose for chapter ``number`` (long enough to wrap)."""
    prose = [f for f in FRAGMENTS if f[-1] in ".!?"]
    first = " ".join(prose[(number + k) % len(prose)] for k in range(8))
    second = " ".join(prose[(number * 3 + k) % len(prose)] for k in range(6))
    return [f"{first} ({number}a)", f"{second} ({number}b)"]


def work_text(headings: list[str], layout: str, declared: bool) -> str:
    """A whole seed-format file with these headings, laid out one of three ways."""
    header = ["Title: Generated", "Author: test"]
    if declared:
        header.append(f"Chapters: {len(headings)}/{len(headings)}")
    blocks: list[str] = []
    for number, heading in enumerate(headings, start=1):
        texts = paragraphs_for(number)
        if layout == "lines":
            blocks.append("\n".join([heading, *texts]))
        elif layout == "blank":
            blocks.append("\n\n".join([heading, *texts]))
        else:
            blocks.append("\n\n".join([heading, *(textwrap.fill(t, 72) for t in texts)]))
    joiner = "\n" if layout == "lines" else "\n\n"
    return "\n".join(header) + "\n\n" + joiner.join(blocks) + "\n"


def read(tmp_path: Path, text: str) -> Work:
    path = tmp_path / "work.txt"
    path.write_text(text, encoding="utf-8")
    return READER.read(path)


def body_paragraphs(work: Work) -> list[list[str]]:
    """The text of each chapter's paragraphs, entities decoded."""
    return [
        [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", str(c.body), re.DOTALL)]
        for c in work.chapters
    ]


def test_the_fragments_cover_every_ending() -> None:
    for ending in ENDINGS:
        assert any(f.endswith(ending) for f in FRAGMENTS), ending


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.name)
def test_every_heading_style_keeps_every_title(tmp_path: Path, style: Style, layout: str) -> None:
    for index, group in enumerate(groups()):
        headings = [style.heading(n, t) for n, t in enumerate(group, start=1)]
        work = read(tmp_path, work_text(headings, layout, declared=index % 2 == 0))
        context = f"{style.name}/{layout}: {headings}"
        assert work.chaptered, context
        assert [c.title for c in work.chapters] == [style.title(t) for t in group], context
        assert body_paragraphs(work) == [paragraphs_for(n) for n in range(1, 5)], context
        assert work.notes is None, context


@pytest.mark.parametrize("layout", LAYOUTS)
def test_special_headings_with_sentence_titles(tmp_path: Path, layout: str) -> None:
    for group in itertools.islice(groups(size=5), 0, None, 3):
        headings = [
            f"Prologue: {group[0]}",
            f"Chapter 1: {group[1]}",
            f"Interlude: {group[2]}",
            f"Chapter 2: {group[3]}",
            f"Epilogue: {group[4]}",
        ]
        work = read(tmp_path, work_text(headings, layout, declared=False))
        got = [(c.label, c.title) for c in work.chapters]
        assert got == [
            ("Prologue", group[0]),
            ("Chapter 1", group[1]),
            ("Interlude", group[2]),
            ("Chapter 2", group[3]),
            ("Epilogue", group[4]),
        ], headings
        assert work.notes is None


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.name)
def test_inspect_json_shows_every_heading(tmp_path: Path, style: Style, layout: str) -> None:
    group = ["PRUDENCE COUNSELLED TO WISDOM.", "Cosette! . .", "Holy Land . . .", "What?!"]
    headings = [style.heading(n, t) for n, t in enumerate(group, start=1)]
    path = tmp_path / "work.txt"
    path.write_text(work_text(headings, layout, declared=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["title"] for c in data["chapters"]] == [style.title(t) for t in group]
    assert data["chaptered"] is True
    assert data["notes"] is None


# --------------------------------------------------------------------------------------------
# Headings that once split wrongly, and the rules behind the fix


def test_title_ending_in_a_full_stop_keeps_every_chapter(tmp_path: Path) -> None:
    text = (
        "Title: T\nAuthor: a\n\n"
        "Chapter 1: The end of it all.\nSome text here.\nChapter 2: Next\nMore text.\n"
    )
    work = read(tmp_path, text)
    assert [c.heading for c in work.chapters] == [
        "Chapter 1: The end of it all.",
        "Chapter 2: Next",
    ]
    assert body_paragraphs(work) == [["Some text here."], ["More text."]]


@pytest.mark.parametrize("title", ["Cosette! . .", "Cosette . . .", "The end of it all."])
def test_chapter_one_text_never_becomes_the_notes(tmp_path: Path, title: str) -> None:
    text = (
        "Title: T\nAuthor: a\nChapters: 3/3\n\n"
        f"Chapter 1: {title}\nOne.\nChapter 2: Two\nTwo.\nChapter 3: Three\nThree.\n"
    )
    work = read(tmp_path, text)
    assert work.notes is None
    assert [c.title for c in work.chapters] == [title, "Two", "Three"]


def test_text_before_a_first_chapter_two_is_chapter_one(tmp_path: Path) -> None:
    # Chapter 1's heading is too long to be taken for one; chapter 2's is found.
    long_heading = "Chapter 1: " + "A title that runs on and on and on " * 3
    text = f"Title: T\nAuthor: a\n\n{long_heading}\nOne.\nChapter 2: Two\nTwo.\nChapter 3\nThree.\n"
    work = read(tmp_path, text)
    assert work.notes is None
    assert [c.heading for c in work.chapters] == ["Chapter 1", "Chapter 2: Two", "Chapter 3"]
    assert body_paragraphs(work)[0] == [long_heading.strip(), "One."]


def test_declared_chapter_count_wins_over_fewer(tmp_path: Path) -> None:
    long_heading = "Chapter 1: " + "A title that runs on and on and on " * 3
    body = f"{long_heading}\nOne.\nChapter 2: Two\nTwo.\n"
    # Without the header's count a lone "Chapter 2" in the middle of prose is prose.
    assert len(read(tmp_path, f"Title: T\n\n{body}").chapters) == 1
    work = read(tmp_path, f"Title: T\nChapters: 2/2\n\n{body}")
    assert [c.heading for c in work.chapters] == ["Chapter 1", "Chapter 2: Two"]


def test_declared_one_shot_keeps_sentences_that_look_like_headings(tmp_path: Path) -> None:
    body = (
        "It began quietly.\nChapter 1: she read the first page twice.\nMore.\n"
        "Chapter 2: she closed the book.\nThe end.\n"
    )
    work = read(tmp_path, f"Title: T\nChapters: 1/1\n\n{body}")
    assert len(work.chapters) == 1
    assert work.notes is None
    assert "Chapter 2: she closed the book." in str(work.chapters[0].body)


def test_a_sentence_does_not_steal_the_place_of_the_real_heading(tmp_path: Path) -> None:
    body = (
        "Chapter 1: Start\nOne.\nChapter 2: she never wrote it.\nStill one.\n"
        "Chapter 2: Middle\nTwo.\nChapter 3: End\nThree.\n"
    )
    work = read(tmp_path, f"Title: T\n\n{body}")
    assert [c.title for c in work.chapters] == ["Start", "Middle", "End"]
    assert body_paragraphs(work)[0] == ["One.", "Chapter 2: she never wrote it.", "Still one."]


def test_a_skipped_number_does_not_lose_the_chapters_after_it(tmp_path: Path) -> None:
    # The author skipped "Chapter 4"; chapters 5 and 6 follow, so the run goes on.
    body = "".join(f"Chapter {n}: Part {n}\nText {n}.\n" for n in (1, 2, 3, 5, 6))
    work = read(tmp_path, f"Title: T\n\n{body}")
    assert [c.title for c in work.chapters] == [f"Part {n}" for n in (1, 2, 3, 5, 6)]
    assert [c.heading for c in work.chapters][3:] == ["Chapter 5: Part 5", "Chapter 6: Part 6"]


def test_a_lost_heading_in_the_middle_keeps_the_rest(tmp_path: Path) -> None:
    long_heading = "Chapter 2: " + "A title that runs on and on and on " * 3
    body = f"Chapter 1\nOne.\n{long_heading}\nTwo.\nChapter 3\nThree.\nChapter 4\nFour.\n"
    work = read(tmp_path, f"Title: T\n\n{body}")
    assert [c.heading for c in work.chapters] == ["Chapter 1", "Chapter 3", "Chapter 4"]
    assert body_paragraphs(work)[0] == ["One.", long_heading.strip(), "Two."]


def test_a_single_skip_is_bridged_to_match_the_declared_count(tmp_path: Path) -> None:
    body = "Chapter 1\nOne.\nChapter 3\nThree.\n"
    # Without the header, "Chapter 3" after "Chapter 1" alone is prose.
    assert len(read(tmp_path, f"Title: T\n\n{body}").chapters) == 1
    work = read(tmp_path, f"Title: T\nChapters: 2/2\n\n{body}")
    assert [c.heading for c in work.chapters] == ["Chapter 1", "Chapter 3"]
