"""The Markdown reader: front matter fields, ``#`` chapters, scene breaks, sanitised raw HTML.

The fixtures in ``tests/data/markdown/`` and the sample draft are read, written back with the
real EPUB backend, checked for lost words and validated by EPUBCheck in one JVM.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from fic2book.backends.epub import build_epub
from fic2book.errors import InputError
from fic2book.model import ExtraField, SeriesEntry, Stats, Status, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.readers import read_work, reader_for
from fic2book.readers.markdown import MarkdownReader
from tests.backends.conftest import png_bytes
from tests.conftest import DATA, SAMPLES
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

MARKDOWN = DATA / "markdown"
FIXTURES = {
    "full": MARKDOWN / "full.md",
    "plain": MARKDOWN / "plain.md",
    "raw-html": MARKDOWN / "raw-html.md",
    "sample": SAMPLES / "the-ferry-at-low-water.md",
}
BREAK = re.compile(r'<hr class="scene-break"/?>')


def write(folder: Path, text: str, name: str = "draft.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def epub_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            " ".join(html.fromstring(archive.read(name)).itertext())
            for name in archive.namelist()
            if name.endswith(".xhtml")
        )


def prose(path: Path) -> str:
    """The Markdown after the front matter, with markup characters and break lines removed."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    text = re.sub(r"^(?:\*\*\*|---)$", " ", text, flags=re.MULTILINE)
    return text


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Work, Path]]:
    folder = tmp_path_factory.mktemp("markdown-reader")
    built = {}
    for name, source in FIXTURES.items():
        work = read_work(source)
        target = folder / f"{name}.epub"
        target.write_bytes(build_epub(work, RenderOptions()))
        built[name] = (work, target)
    return built


@pytest.fixture(scope="module")
def epubcheck(books: dict[str, tuple[Work, Path]]) -> dict[str, list[dict[str, Any]]]:
    jar = require_epubcheck()
    reports = run_epubcheck_batch([path for _work, path in books.values()], jar)
    return {name: reports[path] for name, (_work, path) in books.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_books_pass_epubcheck(name: str, epubcheck: dict[str, list[dict[str, Any]]]) -> None:
    assert failures(epubcheck[name]) == []


@pytest.mark.parametrize("name", ["full", "plain", "sample"])
def test_no_word_lost(name: str, books: dict[str, tuple[Work, Path]]) -> None:
    _, path = books[name]
    assert words(prose(FIXTURES[name])) - words(epub_text(path.read_bytes())) == Counter()


# --- front matter ------------------------------------------------------------------------


def test_every_front_matter_field(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["full"]
    assert work.title == "The Cartographer's Apprentice"
    assert work.authors == ("inkwell_moth", "Second Hand (secondhand)")
    assert work.tags(TagKind.FANDOMS) == ("Original Work", "Maps & Legends")
    assert work.tags(TagKind.RATING) == ("Teen And Up Audiences",)
    assert work.tags(TagKind.WARNINGS) == ("No Archive Warnings Apply",)
    assert work.tags(TagKind.CATEGORIES) == ("Gen", "F/F")
    assert work.tags(TagKind.RELATIONSHIPS) == ("Ysolde/Bram",)
    assert work.tags(TagKind.CHARACTERS) == ("Ysolde", "Bram", "The Guildmistress")
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("Apprenticeship", "Found Family")
    assert (work.language, work.language_name) == ("en", "English")
    assert work.series == (
        SeriesEntry("Atlas Stories", 2),
        SeriesEntry("Ink Weather", 5, "https://archiveofourown.org/series/424242"),
    )
    assert work.collections == ("Tiny Atlas 2025", "Small Fandoms")
    assert work.stats == Stats(
        published=dt.date(2025, 3, 1),
        updated=dt.date(2025, 4, 12),
        words=1204,
        chapters_posted=3,
        chapters_total=4,
    )
    assert work.declared_status is Status.IN_PROGRESS
    assert work.work_id == "99887766"
    assert work.url == "https://archiveofourown.org/works/99887766"
    assert (
        str(work.summary).strip() == "<p>An apprentice maps a city that keeps <em>moving</em>.</p>"
    )
    assert "<strong>Tiny Atlas</strong>" in str(work.notes)
    assert "north from south" in str(work.end_notes)
    assert work.extra_fields == (
        ExtraField("mood", "studious"),
        ExtraField("beta readers", "Ada, Osric"),
    )


def test_chapters_from_headings(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["full"]
    assert work.chaptered
    # The "# Title" at the top repeats the front matter's title: not a chapter.
    assert [(c.number, c.title, c.label, c.heading) for c in work.chapters] == [
        (1, "North Is a Suggestion", None, "Chapter 1: North Is a Suggestion"),
        (2, None, None, "Chapter 2"),
        (3, "Before the Guild", "Prologue", "Prologue: Before the Guild"),
    ]
    first = str(work.chapters[0].body)
    assert len(BREAK.findall(first)) == 1
    assert "<em>twice</em>" in first and "brass mice" in first


def test_no_headings_is_one_unchaptered_chapter(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["plain"]
    assert work.title == "plain"  # from the file name: there is no front matter
    assert work.authors == ("Anonymous",)
    assert not work.chaptered and len(work.chapters) == 1
    body = str(work.chapters[0].body)
    assert len(BREAK.findall(body)) == 1 and "<li>a list item</li>" in body


def test_raw_html_is_sanitised(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["raw-html"]
    body = str(work.chapters[0].body)
    # markdown-it leaves a javascript: link as literal text; it must never become a link.
    for gone in ("<script", '"gone"', "onclick", "steal", 'href="javascript', "<iframe", "<center"):
        assert gone not in body, gone
    for kept in ("Safe words before.", "Clicked words stay.", "Centred words stay too.", "after"):
        assert kept in body, kept
    assert 'href="https://example.org/"' in body


def test_title_heading_kept_when_it_differs(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: Book\n---\n# Opening\n\nText one.\n\n# Closing\n\nTwo.\n")
    work = read_work(path)
    assert [c.title for c in work.chapters] == ["Opening", "Closing"]


def test_text_before_first_heading_becomes_notes(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: Book\nnotes: Front.\n---\nA foreword.\n\n# One\n\nText.\n")
    work = read_work(path)
    assert "Front." in str(work.notes) and "A foreword." in str(work.notes)
    assert len(work.chapters) == 1 and "A foreword" not in str(work.chapters[0].body)


def test_local_image_embedded(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "map.png").write_bytes(png_bytes(5, 5))
    path = write(
        tmp_path,
        "---\ntitle: Maps\n---\n![The map](art/map.png)\n\n![Far](https://x.invalid/a.png)\n",
    )
    work = read_work(path)
    (asset,) = work.assets
    assert asset.media_type == "image/png"
    body = str(work.chapters[0].body)
    assert f'src="{asset.href}"' in body and "x.invalid" not in body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("chapters: 2/?", Stats(chapters_posted=2, chapters_total=None)),
        ("chapters: 4", Stats(chapters_posted=4, chapters_total=4)),
        ("words: 12345", Stats(words=12345)),
        ("published: 6 May 2024", Stats(published=dt.date(2024, 5, 6))),
        ("completed: 2024-05-06T10:00:00", Stats(completed=dt.date(2024, 5, 6))),
    ],
)
def test_stats_values(tmp_path: Path, value: str, expected: Stats) -> None:
    work = read_work(write(tmp_path, f"---\ntitle: T\n{value}\n---\nText.\n"))
    assert work.stats == expected


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("status: Completed", Status.COMPLETE),
        ("status: WIP", Status.IN_PROGRESS),
        ("completed: true", Status.COMPLETE),
        ("completed: no", Status.IN_PROGRESS),
    ],
)
def test_status_values(tmp_path: Path, value: str, status: Status) -> None:
    work = read_work(write(tmp_path, f"---\ntitle: T\n{value}\n---\nText.\n"))
    assert work.declared_status is status


def test_series_forms(tmp_path: Path) -> None:
    path = write(tmp_path, "---\ntitle: T\nseries: Part 3 of Tides, Part 1 of Salt\n---\nText.\n")
    # As in every header: a work in two series lists both.
    assert read_work(path).series == (SeriesEntry("Tides", 3), SeriesEntry("Salt", 1))
    path = write(tmp_path, "---\ntitle: T\nseries: Lonely Name\n---\nText.\n")
    assert read_work(path).series == (SeriesEntry("Lonely Name"),)


@pytest.mark.parametrize(
    "value", ["words: lots", "url: javascript:alert(1)", "published: someday", "series: [[1]]"]
)
def test_unparsable_values_kept_as_extra(tmp_path: Path, value: str) -> None:
    work = read_work(write(tmp_path, f"---\ntitle: T\n{value}\n---\nText.\n"))
    key = value.split(":", 1)[0]
    assert [field.label for field in work.extra_fields] == [key]
    assert work.url is None


def test_author_string_split_on_commas(tmp_path: Path) -> None:
    work = read_work(write(tmp_path, "---\nauthor: Ann, Bo Pseud (bo)\n---\nText.\n"))
    assert work.authors == ("Ann", "Bo Pseud (bo)")


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nText.\n", r"front matter on line \d+"),
        ("---\n- just\n- a list\n---\nText.\n", "must be 'key: value' lines, not a list"),
        ("---\ntitle: Never closed\n\nText.\n", "never closed"),
        ("---\ntitle: Only matter\n---\n\n", "no story"),
        ("", "empty"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        read_work(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_binary_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="binary"):
        read_work(path)


def test_reader_claims_markdown_suffixes(tmp_path: Path) -> None:
    for name in ("a.md", "b.markdown", "C.MD"):
        assert reader_for(write(tmp_path, "# x\n", name)).name == "markdown"
    assert MarkdownReader().sniff(b"---\ntitle: x\n---\n") == 100
