"""AO3 HTML downloads of every generation, and every HTML fixture end to end (EPUB, PDF).

The fixtures in tests/data/ao3/ are small original works written in each generation's markup
(see their <dl class="tags">): the parsed metadata must equal what the preface says, no word
of the chapters or notes may go missing on the way into the EPUB or the PDF, and every EPUB
must pass EPUBCheck with no error or warning.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from PIL import Image

from fic2book.backends.epub import build_epub
from fic2book.describe import describe
from fic2book.errors import InputError
from fic2book.model import Asset, Work
from fic2book.options import RenderOptions
from fic2book.readers import read_work, reader_for
from fic2book.readers.ao3_html import work_from_ao3_html
from fic2book.readers.ao3_preface import parse_stats
from tests.conftest import DATA
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

AO3 = DATA / "ao3"


def no_assets(src: str) -> Asset | None:
    return None


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def with_images(folder: Path) -> Path:
    """Copy the 2025 fixture next to its lantern image, with a symlink and a file outside."""
    work = folder / "work"
    (work / "images").mkdir(parents=True, exist_ok=True)
    target = work / "ao3-2025-chapters.html"
    shutil.copy(AO3 / "ao3-2025-chapters.html", target)
    (work / "images" / "lantern.png").write_bytes(png())
    (folder / "outside.png").write_bytes(png())
    link = work / "images" / "link-out.png"
    if not link.exists():
        link.symlink_to(folder / "outside.png")
    return target


# ---- metadata -------------------------------------------------------------------------------

EXPECTED: dict[str, dict[str, Any]] = {
    "ao3-2018-oneshot": {
        "title": "The Quiet Orchard",
        "authors": ["bramblewren"],
        "rating": "General Audiences",
        "warnings": ["Choose Not To Use Archive Warnings"],
        "categories": ["Gen"],
        "fandoms": ["Original Work"],
        "relationships": [],
        "characters": ["Original Female Character", "Original Male Character"],
        "additional_tags": ["Orchards", "Autumn", "Ladders"],
        "language": "en",
        "language_name": None,
        "series": [],
        "collections": [],
        "work_id": "1000001",
        "url": "http://archiveofourown.org/works/1000001",
        "published": "2016-09-14",
        "updated": None,
        "completed": None,
        "words_declared": 164,
        "chapters_label": None,
        "chaptered": False,
        "headings": ["Chapter 1"],
        "extra": [],
    },
    "ao3-2021-chaptered": {
        "title": "Ferry Crossing",
        "authors": ["Moth Lantern (mothlantern)", "quillfeather"],
        "rating": "Teen And Up Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "categories": ["F/F", "Gen"],
        "fandoms": ["Original Work"],
        "relationships": ["Ferrywoman/Cartographer"],
        "characters": ["Ferrywoman", "Cartographer", "The Harbourmaster"],
        "additional_tags": ["Rivers", "Maps", "Slow Burn"],
        "language": "en",
        "language_name": "English",
        "series": [],
        "collections": [],
        "work_id": "2000002",
        "url": "http://archiveofourown.org/works/2000002",
        "published": "2020-05-01",
        "updated": "2021-02-11",
        "completed": None,
        "words_declared": 1204,
        "chapters_label": "2/3",
        "status": "In Progress",
        "chaptered": True,
        "headings": ["Chapter 1: The Ferry", "Chapter 2"],
        "extra": [],
    },
    "ao3-2023-wip": {
        "title": "Lamplighter's Round",
        "authors": ["tallowmere"],
        "rating": "Not Rated",
        "warnings": ["Creator Chose Not To Use Archive Warnings"],
        "categories": ["Other"],
        "fandoms": ["Original Work"],
        "relationships": [],
        "characters": ["Lamplighter"],
        "additional_tags": ["Night", "Work In Progress"],
        "language": "en",
        "language_name": "English",
        "series": [
            {"name": "Lanterns", "part": 1, "url": "http://archiveofourown.org/series/301"},
            {
                "name": "Small Hours, Collected",
                "part": 3,
                "url": "http://archiveofourown.org/series/302",
            },
        ],
        "collections": ["Autumn Exchange 2023", "Night Works"],
        "work_id": "3000003",
        "url": "http://archiveofourown.org/works/3000003",
        "published": "2023-05-02",
        "updated": "2023-08-19",
        "completed": None,
        "words_declared": 2310,
        "chapters_label": "3/?",
        "status": "In Progress",
        "chaptered": True,
        "headings": ["Chapter 1: Dusk", "Chapter 2: Midnight", "Chapter 3"],
        "extra": [],
    },
    "ao3-2024-plural": {
        "title": "Kite Weather",
        "authors": ["Anonymous"],
        "rating": "Mature",
        "warnings": ["Graphic Depictions Of Violence", "Major Character Death"],
        "categories": ["M/M", "Multi"],
        "fandoms": ["Original Work", "Weather Personified"],
        "relationships": ["North Wind/South Wind", "North Wind & Kite"],
        "characters": ["North Wind", "South Wind"],
        "additional_tags": ["Kites"],
        "language": "en",
        "language_name": "English",
        "series": [],
        "collections": [],
        "work_id": "4000004",
        "url": "http://archiveofourown.org/works/4000004",
        "published": "2024-01-05",
        "updated": None,
        "completed": "2024-03-09",
        "words_declared": 1050,
        "chapters_label": "1/1",
        "status": "Completed",
        "chaptered": False,
        "headings": ["Chapter 1"],
        "extra": [],
    },
    "ao3-2025-chapters": {
        "title": "Salt Roads",
        "authors": ["wickhollow"],
        "rating": "Explicit",
        "warnings": ["No Archive Warnings Apply"],
        "categories": ["F/M"],
        "fandoms": ["Original Work"],
        "relationships": ["Salter/Carter"],
        "characters": ["Salter", "Carter"],
        "additional_tags": ["Road Trip", "Salt"],
        "language": "fr",
        "language_name": "Français",
        "series": [{"name": "Roads", "part": 2, "url": "https://archiveofourown.org/series/501"}],
        "collections": ["Road Stories"],
        "work_id": "5000005",
        "url": "https://archiveofourown.org/works/5000005",
        "published": "2025-10-20",
        "updated": None,
        "completed": "2025-12-01",
        "words_declared": 12480,
        "chapters_label": "3/3",
        "status": "Completed",
        "chaptered": True,
        "headings": ["Chapter 1: Inland", "Chapter 2", "Chapter 3: Coast"],
        "extra": [{"label": "Gifted To", "value": "a dear friend"}],
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_matches_the_preface(name: str) -> None:
    work = read_work(AO3 / f"{name}.html")
    data = describe(work)
    expected = dict(EXPECTED[name])
    headings = expected.pop("headings")
    assert [chapter.heading for chapter in work.chapters] == headings
    assert len(work.chapters) == len(headings)
    for key, value in expected.items():
        assert data[key] == value, key


def test_stats_in_any_order_with_or_without_separators() -> None:
    for text in (
        "Published: 2015-01-10 Completed: 2020-11-05 Words: 12,345 Chapters: 2/2",
        "Words: 12345 Chapters: 2/2 Completed: 2020-11-05 Published: 2015-01-10",
        "Published: 2015-01-10\n  Completed: 2020-11-05\n  Chapters: 2/2\n  Words:\n 12 345",
    ):
        stats, extras = parse_stats(text)
        assert (stats.published, stats.completed) == (dt.date(2015, 1, 10), dt.date(2020, 11, 5))
        assert (stats.words, stats.chapters_posted, stats.chapters_total) == (12345, 2, 2)
        assert extras == []
    stats, _ = parse_stats("Published: 2024-01-01 Updated: 2024-02-01 Words: 5 Chapters: 3/?")
    assert (stats.updated, stats.chapters_posted, stats.chapters_total) == (
        dt.date(2024, 2, 1),
        3,
        None,
    )


def test_chapter_notes_bylines_and_work_notes() -> None:
    work = read_work(AO3 / "ao3-2021-chaptered.html")
    first, second = work.chapters
    assert "unrolled on a wet deck" in str(first.summary)
    assert "every hour" in str(first.notes)
    assert "more or less" in str(first.end_notes)
    assert first.authors == ()
    assert second.authors == ("quillfeather",)
    assert second.summary is second.notes is second.end_notes is None
    assert "<em>properly</em>" in str(work.summary)
    assert "for the beta" in str(work.notes)
    assert "on its way" in str(work.end_notes)
    for markup in (work.notes, work.end_notes, work.summary):
        assert "See the end" not in str(markup) and "drop by" not in str(markup)


def test_related_and_inspired_works_are_kept() -> None:
    work = read_work(AO3 / "ao3-2024-plural.html")
    notes, end_notes = str(work.notes), str(work.end_notes)
    assert "Inspired by a beach" in notes
    assert "Translation into" in notes and "Temps de cerf-volant" in notes
    assert 'href="http://archiveofourown.org/works/3999999"' in notes
    assert "No kites were harmed." in end_notes
    assert "Works inspired by this one" in end_notes and "String Theory" in end_notes


# ---- chapter bodies -------------------------------------------------------------------------


def test_br_runs_in_an_old_download() -> None:
    body = str(read_work(AO3 / "ao3-2018-oneshot.html").chapters[0].body)
    assert body.count("<p>") == 5
    assert body.count('<hr class="scene-break"/>') + body.count('<hr class="scene-break">') == 1
    assert "<br" not in body


def hr_count(markup: object) -> int:
    return len(re.findall(r"<hr\b", str(markup)))


def test_google_docs_spans_center_font_align_and_spacing() -> None:
    body = str(read_work(AO3 / "ao3-2021-chaptered.html").chapters[0].body)
    assert "<span>" not in body and "c3" not in body
    assert '<p class="center">Ferry Rules</p>' in body
    assert (
        '<p class="align-center"><span class="big">No</span> <span class="big">horses</span>'
        in body
    )
    assert '<p class="align-right">' in body and "<code>the Harbourmaster</code>" in body
    assert '<abbr title="Her Majesty\'s">HM</abbr>' in body or "<abbr" in body
    assert "<s>running</s>" in body
    # One empty paragraph spaces every paragraph; the run of three is the scene break.
    assert hr_count(body) == 1
    assert body.index("<hr") < body.index("The cartographer arrived")


def test_dividers_merge_and_drop_at_edges_and_keep_lang_dir() -> None:
    work = read_work(AO3 / "ao3-2023-wip.html")
    first, second, _third = (str(c.body) for c in work.chapters)
    assert hr_count(first) == 2
    assert first.startswith("<p>The first lamp")
    assert first.rstrip().endswith("</p>")
    assert hr_count(second) == 1
    assert '<p lang="ja">' in first and '<p lang="ar" dir="rtl">' in first.replace(
        'dir="rtl" lang="ar"', 'lang="ar" dir="rtl"'
    )
    for divider in ("***", "oOo", "◇◇◇", "xXx"):
        assert divider not in first + second


def test_unsafe_content_is_removed_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        work = read_work(AO3 / "ao3-2024-plural.html")
    body = str(work.chapters[0].body)
    for needle in ("<script", "tracking", "<iframe", "onclick", "javascript", "<form", "<input"):
        assert needle not in body
    assert "<object" not in body and "<embed" not in body
    assert "mostly" in body
    assert "removed unsafe content" in caplog.text
    assert "not fetched" in caplog.text
    assert '<span class="image-placeholder" title="A red kite">[Image: A red kite]</span>' in body
    assert "[Image]" in body and "string.png" not in body
    assert "said<em> </em>nothing" in body
    assert work.assets == ()


def test_local_images_are_embedded_and_escapes_refused(tmp_path: Path) -> None:
    work = read_work(with_images(tmp_path))
    assert [(a.href, a.media_type) for a in work.assets] == [("images/lantern.png", "image/png")]
    body = str(work.chapters[0].body)
    assert '<img src="images/lantern.png" alt="A paper lantern"' in body
    for alt in ("escape", "absolute", "symlink"):
        assert f"[Image: {alt}]" in body
    assert "[Image]" in body and "missing.png" not in body


def test_split_calibre_files_concatenated() -> None:
    """AO3's EPUB: the download split into files, containers repeated, classes renamed."""
    bodies = """
    <div id="preface" class="calibre1"><h2 class="toc-heading">Preface</h2>
      <p class="message"><b class="calibre2">Split</b><br class="calibre1"/>Posted originally on
      the <a href="https://archiveofourown.org/">Archive of Our Own</a> at
      <a href="https://archiveofourown.org/works/77">https://archiveofourown.org/works/77</a>.</p>
      <div class="calibre1"><dl class="tags"><dt class="calibre3">Fandom:</dt>
      <dd class="calibre4"><a href="x">Original Work</a></dd></dl></div></div>
    <div id="preface" class="calibre1"><div class="calibre1"><h1 class="calibre6">Split</h1>
      <div class="byline">by <a href="u" rel="author">someone</a></div></div></div>
    <div class="userstuff1" id="chapters"><div class="calibre1">
      <div class="calibre8" id="calibre_pb_2"/></div></div>
    <div class="userstuff1" id="chapters"><div class="calibre1">
      <h2 class="heading" id="calibre_toc_3">Chapter 1: One</h2></div>
      <div class="userstuff2"><p class="calibre7">First part of one.</p></div></div>
    <div class="userstuff1" id="chapters">
      <div class="userstuff2"><p class="calibre7">Second part of one.</p></div>
      <div class="calibre1" id="endnotes1"><p class="calibre7">Chapter End Notes</p>
      <blockquote class="userstuff"><p class="calibre7">End of one.</p></blockquote></div></div>
    <div class="userstuff1" id="chapters"><div class="calibre1">
      <h2 class="heading">Chapter 2: Two</h2></div>
      <div class="userstuff2"><p class="calibre7">Text of two.</p></div></div>
    <div id="afterword" class="calibre1"><h2 class="toc-heading">Afterword</h2></div>
    """
    work = work_from_ao3_html(bodies, source_name="split.epub", load_asset=no_assets)
    assert work.title == "Split" and work.authors == ("someone",) and work.work_id == "77"
    assert work.tags(next(iter(work.tag_groups)).kind) == ("Original Work",)
    assert [c.heading for c in work.chapters] == ["Chapter 1: One", "Chapter 2: Two"]
    first = str(work.chapters[0].body)
    assert "First part of one." in first and "Second part of one." in first
    assert "calibre" not in first
    assert "End of one." in str(work.chapters[0].end_notes)


def test_not_an_ao3_download_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not an AO3 download"):
        work_from_ao3_html("<p>hello</p>", source_name="x.html", load_asset=no_assets)
    with pytest.raises(InputError, match="no chapter text"):
        work_from_ao3_html(
            '<div id="preface"><h1>T</h1></div><div id="chapters"></div>',
            source_name="x.html",
            load_asset=no_assets,
        )


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("ao3-2018-oneshot", "ao3-html"),
        ("ao3-2021-chaptered", "ao3-html"),
        ("ao3-2023-wip", "ao3-html"),
        ("ao3-2024-plural", "ao3-html"),
        ("ao3-2025-chapters", "ao3-html"),
        ("saved-page", "ao3-page"),
        ("generic", "html"),
        ("messy", "html"),
    ],
)
def test_the_content_picks_the_reader(name: str, reader: str) -> None:
    assert reader_for(AO3 / f"{name}.html").name == reader


def test_from_overrides_the_sniffing() -> None:
    work = read_work(AO3 / "ao3-2021-chaptered.html", "html")
    assert work.tag_groups == ()


# ---- end to end: EPUB, EPUBCheck, PDF --------------------------------------------------------


@dataclass(frozen=True)
class Book:
    name: str
    source: Path
    work: Work
    epub: Path


def source_words(name: str, path: Path) -> Counter[str]:
    """Every word the fixture's author wrote in chapters and notes, read independently."""
    root = lxml_html.parse(str(path)).getroot()
    for junk in root.xpath("//script|//style|//svg|//math|//h3[contains(@class,'landmark')]"):
        junk.drop_tree()
    if name in ("generic", "messy"):
        parts = root.xpath("//body")
    elif name == "saved-page":
        parts = root.xpath(
            "//div[@id='workskin']//blockquote|//div[@id='chapters']//div[contains(@class,'userstuff')]"
        )
    else:
        parts = root.xpath(
            "//blockquote[contains(@class,'userstuff')]"
            "|//div[@id='chapters']//div[contains(@class,'userstuff')]"
        )
    words: Counter[str] = Counter()
    for part in parts:
        words.update(re.findall(r"\w+", " ".join(part.itertext())))
    for divider in ("oOo", "xXx"):
        words.pop(divider, None)
    return words


def epub_words(path: Path) -> Counter[str]:
    words: Counter[str] = Counter()
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                root = lxml_html.fromstring(book.read(name))
                words.update(re.findall(r"\w+", " ".join(root.itertext())))
    return words


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    folder = tmp_path_factory.mktemp("ao3-books")
    sources = {p.stem: p for p in sorted(AO3.glob("*.html"))}
    sources["ao3-2025-chapters-images"] = with_images(folder / "images-case")
    result = {}
    for name, source in sources.items():
        work = read_work(source)
        epub = folder / f"{name}.epub"
        epub.write_bytes(build_epub(work, RenderOptions()))
        result[name] = Book(name, source, work, epub)
    return result


@pytest.fixture(scope="module")
def epubcheck_reports(books: dict[str, Book]) -> dict[Path, list[dict[str, Any]]]:
    jar = require_epubcheck()
    return run_epubcheck_batch([book.epub for book in books.values()], jar)


def test_every_fixture_is_covered(books: dict[str, Book]) -> None:
    assert len(books) == 9


@pytest.mark.slow
def test_every_epub_passes_epubcheck(
    books: dict[str, Book], epubcheck_reports: dict[Path, list[dict[str, Any]]]
) -> None:
    problems = {
        name: failures(epubcheck_reports[book.epub])
        for name, book in books.items()
        if failures(epubcheck_reports[book.epub])
    }
    assert problems == {}


@pytest.mark.parametrize(
    "name",
    [
        "ao3-2018-oneshot",
        "ao3-2021-chaptered",
        "ao3-2023-wip",
        "ao3-2024-plural",
        "ao3-2025-chapters",
        "ao3-2025-chapters-images",
        "saved-page",
        "generic",
        "messy",
    ],
)
def test_no_word_is_lost_in_the_epub(books: dict[str, Book], name: str) -> None:
    book = books[name]
    expected = source_words(name.removesuffix("-images"), book.source)
    assert sum(expected.values()) > 20
    missing = expected - epub_words(book.epub)
    assert missing == Counter()


def test_embedded_image_is_in_the_epub(books: dict[str, Book]) -> None:
    with zipfile.ZipFile(books["ao3-2025-chapters-images"].epub) as book:
        names = book.namelist()
        assert any(n.endswith("images/lantern.png") for n in names)
        chapter = next(n for n in names if n.endswith("chap_001.xhtml"))
        assert 'src="images/lantern.png"' in book.read(chapter).decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils)")
@pytest.mark.parametrize("name", ["ao3-2021-chaptered", "ao3-2025-chapters-images"])
def test_no_word_is_lost_in_the_pdf(books: dict[str, Book], name: str, tmp_path: Path) -> None:
    from fic2book.backends.pdf import PdfBackend

    book = books[name]
    target = tmp_path / f"{name}.pdf"
    PdfBackend().write(book.work, target, RenderOptions())
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    squashed = "".join(re.sub(r"[\u2010-]\s*\n", "", text).split())
    missing = [
        w for w in source_words(name.removesuffix("-images"), book.source) if w not in squashed
    ]
    assert missing == []
    if name.endswith("-images"):
        assert b"/Subtype /Image" in target.read_bytes() or b"/Image" in target.read_bytes()
