"""FanFicFare's EPUB, HTML and TXT output: every field back in ``inspect --json``, in its slot.

The fixtures in ``tests/data/fanficfare/`` were made by FanFicFare itself from its offline test
site (``make_fixtures.sh`` says how): ``test1-sid1.*`` is its built-in test story (a prologue,
"Chapter 4 & 4.5", "Chapter 7" as the eighth chapter, a series, in progress) and
``ao3like-1001.*`` a story written the way FanFicFare writes an AO3 work (fandoms in
"Category", AO3 categories and freeform tags in "Genre", two authors, French, complete).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.model import Chapter, SeriesEntry, Status, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_file
from fic2book.readers import SNIFF_BYTES, read_work, reader_for
from fic2book.readers.fanficfare.fields import TitlePage, build_work
from fic2book.readers.headings import keep_heading
from tests.conftest import DATA
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

FFF = DATA / "fanficfare"
FORMATS = ("epub", "html", "txt")

TEST1: dict[str, Any] = {
    "title": "Test Story Title 1",
    "authors": ["Test Author aa"],
    "language": "en",
    "rating": "Tweenie",
    "warnings": ["Swearing", "Violence"],
    "categories": [],
    "fandoms": [
        "Furbie",
        "Harry Potter",
        "Magical Girl Lyrical Nanoha",
        "Once Upon a Time (TV)",
        "Puella Magi Madoka Magica/魔法少女まどか★マギカ",
    ],
    "characters": ["Bob Smith", "Fred Smythe", "George Johnson"],
    "relationships": [
        "Harry Potter & Hermione Granger",
        "Harry Potter/Ginny Weasley",
        "Harry Potter/Ginny Weasley/Albus Dumbledore",
    ],
    "additional_tags": ["Comedy", "Fantasy", "Noir", "Sci-Fi"],
    "series": [{"name": "The Great Test", "part": 1, "url": "http://test1.com/seriesid=1"}],
    "url": "http://test1.com?sid=1",
    "published": "1975-03-15",
    "updated": "1975-04-15",
    "words_declared": 123456,
    "chapters_posted": 9,
    "chapters_total": None,
    "chapters_label": "9/?",
    "status": "In Progress",
    "kudos": None,
    "extra": [{"label": "Publisher", "value": "test1.com"}],
}
TEST1_HEADINGS = [
    "Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]",
    "Chapter 1, Xenos on Cinnabar",
    "Chapter 2, Sinmay on Kintikin",
    'Chapter 3, "Over" Cinnabar',
    "Chapter 4 & 4.5",
    "Chapter 5 < 5.4",
    "Chapter A & B < C > D",
    "Chapter 7",
    "Chapter 8",
]
AO3LIKE: dict[str, Any] = {
    "title": "The Lighthouse Keeper's Daughter",
    "authors": ["quillwright", "Second Pen"],
    "language": "fr",
    "language_name": "French",
    "rating": "Teen And Up Audiences",
    "warnings": ["No Archive Warnings Apply"],
    "categories": ["F/F", "Gen"],
    "fandoms": ["Les Misérables - Victor Hugo", "Original Work"],
    "characters": ["Cosette Fauchelevent", "Éponine Thénardier"],
    "relationships": ["Cosette Fauchelevent/Éponine Thénardier"],
    "additional_tags": ["Found Family", "Lighthouses", "Slow Burn"],
    "series": [],
    "url": "https://archiveofourown.org/works/48213377",
    "work_id": "48213377",
    "published": "2023-06-01",
    "updated": "2024-01-20",
    "words_declared": 2941,
    "chapters_posted": 4,
    "chapters_total": 4,
    "chapters_label": "4/4",
    "status": "Completed",
    "kudos": 1204,
    "hits": 15337,
    "summary": "A storm, a lamp, and two girls who will not leave. Nor will the sea.",
}
AO3LIKE_HEADINGS = ["Chapter 1: The Storm", "Interlude", "Chapter 3", "Chapter 4: Tides & Lamps"]
CASES = {
    "test1-sid1": (TEST1, TEST1_HEADINGS),
    "ao3like-1001": (AO3LIKE, AO3LIKE_HEADINGS),
}
FILES = [f"{stem}.{fmt}" for stem in CASES for fmt in FORMATS]
# What FanFicFare adds to every EPUB's subjects and the TXT's and HTML's title lines.
NOISE = ("FanFiction", "Last Update", "Completed", "In-Progress", "Packaged", "by ")


def inspect_json(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def described() -> dict[str, dict[str, Any]]:
    return {name: inspect_json(FFF / name) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_every_field_comes_back_in_its_slot(
    described: dict[str, dict[str, Any]], name: str
) -> None:
    expected, _ = CASES[name.rsplit(".", 1)[0]]
    data = described[name]
    for key, value in expected.items():
        if key == "summary":
            assert " ".join(data["summary"].split()) == value
        else:
            assert data[key] == value, key


@pytest.mark.parametrize("name", FILES)
def test_fields_have_the_right_types(described: dict[str, dict[str, Any]], name: str) -> None:
    data = described[name]
    assert isinstance(data["words_declared"], int)
    assert isinstance(data["chapters_posted"], int)
    for key in ("warnings", "fandoms", "characters", "relationships", "additional_tags"):
        assert data[key] and all(isinstance(tag, str) and tag for tag in data[key]), key
    assert isinstance(data["summary"], str) and data["summary"].strip()


@pytest.mark.parametrize("name", FILES)
def test_no_noise_in_the_tags(described: dict[str, dict[str, Any]], name: str) -> None:
    data = described[name]
    tags = [
        tag
        for key in ("warnings", "categories", "fandoms", "characters", "relationships")
        for tag in data[key]
    ] + data["additional_tags"]
    assert not [tag for tag in tags if tag.startswith(NOISE)]
    assert " by " not in data["title"]


@pytest.mark.parametrize("name", FILES)
def test_chapter_headings_are_the_sources_own(
    described: dict[str, dict[str, Any]], name: str
) -> None:
    _, headings = CASES[name.rsplit(".", 1)[0]]
    assert [chapter["heading"] for chapter in described[name]["chapters"]] == headings


@pytest.mark.parametrize("name", FILES)
def test_chosen_by_content(name: str) -> None:
    assert reader_for(FFF / name).name == "fanficfare"


@pytest.mark.parametrize("name", FILES)
def test_metadata_is_not_story(name: str) -> None:
    """The title page, the HTML's table and contents, the TXT's header stay out of chapters."""
    work = read_work(FFF / name)
    bodies = " ".join(str(chapter.body) for chapter in work.chapters)
    for marker in ("Packaged", "Table of Contents", "TABLE OF CONTENTS", "Words:", "Story URL"):
        assert marker not in bodies, marker
    assert "End file." not in bodies
    # Each chapter keeps its own text: the test site writes the chapter's URL into it.
    for chapter in work.chapters[1:]:
        assert f"chapter={chapter.number}" in str(chapter.body).replace("&amp;", "&")


def test_other_files_keep_their_readers(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text("<html><body><h1>T</h1><h2>One</h2><p>a</p></body></html>", encoding="utf-8")
    text = tmp_path / "story.txt"
    text.write_text("Title: T\nAuthor: a\n\nSome text.\n", encoding="utf-8")
    prose = tmp_path / "prose.txt"
    prose.write_text("\n\nA Title\n\nby the sea we walked.\n\nIt was cold.\n", encoding="utf-8")
    assert reader_for(html).name == "html"
    assert reader_for(text).name == "text"
    assert reader_for(prose).name == "text"


@pytest.mark.parametrize(
    ("text", "number", "expected"),
    [
        ("Chapter 7", 8, (None, "Chapter 7")),
        ("Chapter 4 & 4.5", 5, (None, "Chapter 4 & 4.5")),
        ("Chapter 1, Xenos on Cinnabar", 2, (None, "Chapter 1, Xenos on Cinnabar")),
        ("Chapter 3", 3, (None, None)),
        ("Chapter 2: The Storm", 2, ("The Storm", None)),
        ("The Storm", 1, ("The Storm", None)),
        ("3. The Storm", 3, ("The Storm", None)),
        ("Prologue", 1, ("Prologue", "Prologue")),
        ("Prologue: Dawn", 1, ("Dawn", "Prologue")),
        ("Prologue tests", 1, (None, "Prologue tests")),
        ("  ", 1, (None, None)),
    ],
)
def test_keep_heading(text: str, number: int, expected: tuple[str | None, str | None]) -> None:
    assert keep_heading(text, number) == expected


# --- the books made from them ------------------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Work, Path]]:
    """Each fixture made into an EPUB (the words reaching EPUB and PDF: tests/fidelity)."""
    folder = tmp_path_factory.mktemp("fanficfare")
    options = RenderOptions(source_date_epoch=1_700_000_000)
    built = {}
    for name in sorted(path.name for path in FFF.iterdir() if path.suffix != ".sh"):
        epub = folder / f"{name}.epub"
        convert_file(FFF / name, ["epub"], epub, options)
        built[name] = (read_work(FFF / name), epub)
    return built


@pytest.mark.slow
def test_books_pass_epubcheck(books: dict[str, tuple[Work, Path]]) -> None:
    jar = require_epubcheck()
    reports = run_epubcheck_batch([epub for _, epub in books.values()], jar)
    assert {name: failures(reports[epub]) for name, (_, epub) in books.items()} == {
        name: [] for name in books
    }


def test_fanficfare_epub_with_its_marks_past_the_sniffed_head(tmp_path: Path) -> None:
    """A large image first (FanFicFare writes images before the text) still reads in full."""
    path = tmp_path / "big.epub"
    with zipfile.ZipFile(FFF / "ao3like-1001.epub") as source, zipfile.ZipFile(path, "w") as out:
        out.writestr("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
        out.writestr("OEBPS/images/big.bin", os.urandom(SNIFF_BYTES + 1), zipfile.ZIP_STORED)
        for info in source.infolist()[1:]:
            out.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED)
    assert reader_for(path).name == "epub"
    data = inspect_json(path)
    assert data["fandoms"] == AO3LIKE["fandoms"] and data["categories"] == ["F/F", "Gen"]
    assert [chapter["heading"] for chapter in data["chapters"]] == AO3LIKE_HEADINGS


# --- the same headings in the other readers ----------------------------------------------


def headings(work: Work) -> list[str]:
    return [chapter.heading for chapter in work.chapters]


def test_html_headings_wrapped_in_named_anchors_split_chapters(tmp_path: Path) -> None:
    """A reported file: ``<a name=…><h2>…</h2></a>`` chapters were one chapter."""
    path = tmp_path / "b.html"
    path.write_text(
        '<html><body><h1>T</h1><a name="s1"><h2>Chapter 1: One</h2></a><p>a</p>'
        '<a name="s2"><h2>Chapter 2: Two</h2></a><p>b</p></body></html>',
        encoding="utf-8",
    )
    work = read_work(path)
    assert work.title == "T" and headings(work) == ["Chapter 1: One", "Chapter 2: Two"]
    assert [str(chapter.body) for chapter in work.chapters] == ["<p>a</p>", "<p>b</p>"]


def test_html_and_markdown_keep_a_numbered_heading_after_a_prologue(tmp_path: Path) -> None:
    html = tmp_path / "p.html"
    html.write_text(
        "<html><body><h1>T</h1><h2>Prologue</h2><p>a</p><h2>Chapter 1</h2><p>b</p>"
        "<h2>Chapter 2 &amp; 2.5</h2><p>c</p></body></html>",
        encoding="utf-8",
    )
    markdown = tmp_path / "p.md"
    markdown.write_text(
        "---\ntitle: T\n---\n\n# Prologue\n\na\n\n# Chapter 1\n\nb\n\n# Chapter 2 & 2.5\n\nc\n",
        encoding="utf-8",
    )
    for path in (html, markdown):
        assert headings(read_work(path)) == ["Prologue", "Chapter 1", "Chapter 2 & 2.5"], path


def test_epub_keeps_a_numbered_heading_after_a_prologue(tmp_path: Path) -> None:
    chapters = ["Prologue", "Chapter 1", "Chapter 2 & 2.5"]
    items = "".join(
        f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
        for i in range(len(chapters))
    )
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    path = tmp_path / "p.epub"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
        out.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        out.writestr(
            "content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0">'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title>'
            f"<dc:language>en</dc:language></metadata><manifest>{items}</manifest>"
            f"<spine>{spine}</spine></package>",
        )
        for i, heading in enumerate(chapters):
            out.writestr(
                f"c{i}.xhtml",
                '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>'
                f"<body><h1>{heading.replace('&', '&amp;')}</h1><p>text {i}</p></body></html>",
            )
    assert reader_for(path).name == "epub"
    assert headings(read_work(path)) == chapters


# --- settings users change ---------------------------------------------------------------


def test_epub_without_its_title_page_uses_the_opf() -> None:
    """``include_titlepage: false``: the OPF's subjects, minus FanFicFare's own, are the tags."""
    data = inspect_json(FFF / "test1-sid2-notitlepage.epub")
    assert data["title"] == "Test Story Title 2" and data["authors"] == ["Test Author aa"]
    assert data["status"] == "Completed"
    assert (data["published"], data["updated"]) == ("1975-03-15", "1975-04-15")
    assert "Harry Potter & Hermione Granger" in data["additional_tags"]
    assert not [t for t in data["additional_tags"] if t.startswith(NOISE) or "&amp;" in t]
    assert [chapter["heading"] for chapter in data["chapters"]] == TEST1_HEADINGS


def test_txt_with_windows_line_ends_unwrapped_and_no_contents() -> None:
    data = inspect_json(FFF / "test1-sid83-crlf.txt")
    assert data["title"] == "Test Story Title 83" and data["authors"] == ["Test Author aa"]
    assert data["fandoms"] == ["Pitch Perfect", "Rizzoli & Isles"]
    assert data["relationships"] == ["Chloe B. & J. Rizzoli"]
    assert data["characters"] == ["Chloe B.", "J. Rizzoli"]
    assert data["words_declared"] == 123456 and data["status"] == "In Progress"
    assert [chapter["heading"] for chapter in data["chapters"]] == TEST1_HEADINGS


def test_field_values_as_other_sites_and_settings_write_them() -> None:
    page = TitlePage(
        title="T",
        authors=("a",),
        fields=[
            ("Fandoms", "A, B"),
            ("Category", "B, C"),
            ("AO3 Categories", "F/M"),
            ("Freeform Tags", "Fluff"),
            ("Chapters/Total Chapters", "3/5"),
            ("Words", "12 345"),
            ("Status", "In-Progress"),
            ("Series", "Plain Name"),
            ("Series URL", "https://example.org/series/1"),
            ("Story URL", "https://example.org/s/9"),
            ("Collections", "One, Two"),
            ("Reviews", "17"),
            ("Packaged", "2026-01-01 10:00:00"),
            ("Updated", "not a date"),
        ],
    )
    chapter = Chapter(number=1, title=None, body=Markup("<p>x</p>"))
    work = build_work(page, [chapter])
    assert work.tags(TagKind.FANDOMS) == ("A", "B", "C")
    assert work.tags(TagKind.CATEGORIES) == ("F/M",)
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("Fluff",)
    assert (work.stats.chapters_posted, work.stats.chapters_total) == (3, 5)
    assert work.stats.words == 12345 and work.stats.updated is None
    assert work.status is Status.IN_PROGRESS
    assert work.series == (SeriesEntry("Plain Name", None, "https://example.org/series/1"),)
    assert work.url == "https://example.org/s/9" and work.work_id is None
    assert work.collections == ("One", "Two")
    assert [(f.label, f.value) for f in work.extra_fields] == [
        ("Reviews", "17"),
        ("Updated", "not a date"),
    ]
    assert not work.chaptered


def test_only_web_links_are_kept(tmp_path: Path) -> None:
    """A hostile file's title and series links (``javascript:``) never reach the book."""
    path = tmp_path / "hostile.html"
    path.write_text(
        '<html><body><h1><a href="javascript:alert(1)">T</a> by '
        "<a class='authorlink' href='x'>A</a></h1><table class=\"full\">"
        "<tr><td><b>Series:</b></td><td><a class='serieslink' href='javascript:x()'>S [2]</a>"
        "</td></tr><tr><td><b>Packaged:</b></td><td>2026-01-01</td></tr></table>"
        '<a name="section0001"><h2>One</h2></a><div><p>Text.</p></div></body></html>',
        encoding="utf-8",
    )
    data = inspect_json(path)
    assert (data["title"], data["authors"], data["url"]) == ("T", ["A"], None)
    assert data["series"] == [{"name": "S", "part": 2, "url": None}]
