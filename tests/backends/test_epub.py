"""The EPUB backend: container, package document, navigation, content, reproducibility.

Structure is asserted with a namespace-aware parser; validity with EPUBCheck 5.3 (0 errors and
0 warnings) on every book the session fixture builds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree, html

from fic2book.backends import backend_for, backend_for_path
from fic2book.backends.epub import EpubBackend, build_epub
from fic2book.backends.epub_metadata import book_identifier
from fic2book.errors import OutputError, RenderError
from fic2book.model import Status, Work
from fic2book.options import RenderOptions
from fic2book.render import book_labels
from tests.backends.conftest import BROKEN, MADE_WORKS, Book, build, input_files, read_input
from tests.conftest import ROOT, make_work
from tests.epubcheck import failures, run_epubcheck

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

BOOK_NAMES = [*MADE_WORKS, *(path.stem for path in input_files())]
#: Books of works without chapters (``chaptered=False``).
ONE_SHOTS = ["bare", "russian", "no-office-relations", "the-lighthouse-keepers-ledger"]
#: Books whose every field and word must survive into the EPUB.
COMPLETE_BOOKS = ["make-work", "extras", *(path.stem for path in input_files())]


class Epub:
    """Read access to a built EPUB: its entries, package document and content documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info) for info in self.infos}

    @cached_property
    def opf_path(self) -> str:
        container = etree.fromstring(self.files["META-INF/container.xml"])
        paths = container.xpath("//c:rootfile/@full-path", namespaces=NS)
        assert isinstance(paths, list) and len(paths) == 1
        return str(paths[0])

    @cached_property
    def opf(self) -> etree._Element:
        return etree.fromstring(self.files[self.opf_path])

    def xpath(self, expr: str) -> list[str]:
        found = self.opf.xpath(expr, namespaces=NS)
        assert isinstance(found, list)
        return [str(item) for item in found]

    def meta(self, prop: str) -> list[str]:
        return self.xpath(f"/opf:package/opf:metadata/opf:meta[@property='{prop}']/text()")

    def href(self, idref: str) -> str:
        (href,) = self.xpath(f"//opf:manifest/opf:item[@id='{idref}']/@href")
        return href

    def entry(self, href: str) -> str:
        """Return the zip path of a manifest href (relative to the package document)."""
        folder = self.opf_path.rpartition("/")[0]
        return f"{folder}/{href}" if folder else href

    @property
    def spine(self) -> list[str]:
        return self.xpath("//opf:spine/opf:itemref/@idref")

    def document(self, idref: str) -> etree._Element:
        return etree.fromstring(self.files[self.entry(self.href(idref))])

    def text(self, idref: str) -> str:
        return " ".join(" ".join(self.document(idref).itertext()).split())

    @property
    def chapter_ids(self) -> list[str]:
        return [idref for idref in self.spine if idref.startswith("chap_")]

    @property
    def reading_text(self) -> str:
        """Return all text a reader sees, in spine order."""
        return " ".join(self.text(idref) for idref in self.spine)


@pytest.fixture(params=BOOK_NAMES)
def book(request: pytest.FixtureRequest, epub_books: dict[str, Book]) -> Book:
    name = str(request.param)
    if name not in epub_books:
        pytest.skip(f"{name}: no text reader registered yet")
    return epub_books[name]


@pytest.fixture(params=COMPLETE_BOOKS)
def complete_book(request: pytest.FixtureRequest, epub_books: dict[str, Book]) -> Book:
    name = str(request.param)
    if name not in epub_books:
        pytest.skip(f"{name}: no text reader registered yet")
    return epub_books[name]


def words(markup: str) -> list[str]:
    """Split an HTML fragment's text into words."""
    # itertext, not text_content(): adjacent blocks must not run their words together.
    return " ".join(html.fragment_fromstring(markup, create_parent="div").itertext()).split()


def normalise(text: str) -> str:
    return " ".join(text.split())


# ---- registry and validity ---------------------------------------------------------------------


def test_backend_is_registered() -> None:
    assert isinstance(backend_for("epub"), EpubBackend)
    assert isinstance(backend_for_path(Path("x.EPUB")), EpubBackend)
    assert EpubBackend.description


@pytest.mark.slow
def test_epubcheck_reports_nothing(
    book: Book, epubcheck_reports: dict[str, list[dict[str, object]]]
) -> None:
    problems = failures(epubcheck_reports[book.name])
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
def test_epubcheck_catches_a_broken_book(
    epubcheck_reports: dict[str, list[dict[str, object]]],
) -> None:
    ids = {(m["severity"], m["ID"]) for m in epubcheck_reports[BROKEN]}
    assert ("ERROR", "RSC-005") in ids
    assert ("WARNING", "RSC-017") in ids


@pytest.mark.slow
def test_single_epubcheck_run_agrees(
    epub_books: dict[str, Book], epubcheck_reports: dict[str, list[dict[str, object]]]
) -> None:
    # The one-JVM batch and the plain command line must report the same problems.
    broken = epub_books["bare"].path.with_name(f"{BROKEN}.epub")
    single = run_epubcheck(broken)
    assert failures(single) == failures(epubcheck_reports[BROKEN])


# ---- container ---------------------------------------------------------------------------------


def test_mimetype_first_stored_without_extra(book: Book) -> None:
    epub = Epub(book.path)
    first = epub.infos[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b""
    assert epub.files["mimetype"] == b"application/epub+zip"
    # The raw header: a reader sniffs "mimetypeapplication/epub+zip" at byte 30.
    assert book.path.read_bytes()[30:58] == b"mimetypeapplication/epub+zip"
    for info in epub.infos[1:]:
        # Images are compressed formats already and are stored; everything else is deflated.
        image = info.filename.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))
        expected = zipfile.ZIP_STORED if image else zipfile.ZIP_DEFLATED
        assert info.compress_type == expected, info.filename


def test_file_names_are_ascii_without_spaces(book: Book) -> None:
    for name in Epub(book.path).files:
        assert name.isascii() and " " not in name, name


# ---- package document --------------------------------------------------------------------------


def test_package_metadata(epub_books: dict[str, Book]) -> None:
    work = epub_books["make-work"].work
    epub = Epub(epub_books["make-work"].path)
    opf = epub.opf
    assert opf.get("version") == "3.0"
    assert opf.get(XML_LANG) == "en"
    assert epub.xpath("//dc:title/text()") == ["A Test Work"]
    assert epub.xpath("//dc:language/text()") == ["en"]
    assert epub.xpath("//dc:creator/text()") == ["alpha", "Beta Pseud (beta)"]
    assert epub.xpath("//dc:creator/@id") == ["author_1", "author_2"]
    assert not epub.xpath("//dc:publisher")

    unique = opf.get("unique-identifier")
    assert epub.xpath(f"//dc:identifier[@id='{unique}']/text()") == [book_identifier(work)]
    identifiers = epub.xpath("//dc:identifier/text()")
    assert identifiers[0].startswith("urn:uuid:")
    assert "url:https://archiveofourown.org/works/123456" in identifiers
    assert "ao3:123456" in identifiers

    assert epub.xpath("//dc:subject/text()") == list(work.all_tags)
    assert epub.xpath("//dc:description/text()") == ["<p>The work&#39;s summary.</p>"]
    assert epub.xpath("//dc:date/text()") == ["2024-01-02T00:00:00Z"]
    # Without SOURCE_DATE_EPOCH the last revision (updated 2024-02-03) dates the book.
    assert epub.meta("dcterms:modified") == ["2024-02-03T00:00:00Z"]

    (series_id,) = epub.xpath("//opf:meta[@property='belongs-to-collection']/@id")
    assert epub.meta("belongs-to-collection") == ["The Series"]
    assert epub.xpath(
        f"//opf:meta[@refines='#{series_id}'][@property='collection-type']/text()"
    ) == ["series"]
    assert epub.xpath(
        f"//opf:meta[@refines='#{series_id}'][@property='group-position']/text()"
    ) == ["2"]
    assert epub.xpath("//opf:meta[@name='calibre:series']/@content") == ["The Series"]
    assert epub.xpath("//opf:meta[@name='calibre:series_index']/@content") == ["2"]

    # The generated cover is an image: a visual mode, described by its alt text.
    assert epub.meta("schema:accessMode") == ["textual", "visual"]
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    assert set(epub.meta("schema:accessibilityFeature")) >= {
        "tableOfContents",
        "readingOrder",
        "structuralNavigation",
        "ARIA",
        "displayTransformability",
        "alternativeText",
    }
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert epub.meta("schema:accessibilitySummary")[0].strip()


def test_manifest_ids_unique_and_spine_order(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["make-work"].path)
    ids = epub.xpath("//opf:manifest/opf:item/@id")
    assert len(ids) == len(set(ids))
    assert epub.spine == [
        "cover",
        "title_page",
        "credits",
        "tag_summary",
        "nav",
        "chap_001",
        "chap_002",
        "afterword",
    ]
    assert epub.href("chap_001") == "chap_001.xhtml"
    assert epub.href("afterword") == "afterword.xhtml"
    assert epub.xpath("//opf:item[@properties='nav']/@id") == ["nav"]
    assert epub.xpath("//opf:spine/@toc") == ["ncx"]
    assert not epub.xpath("//opf:guide")


def test_extra_metadata(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["extras"].path)
    # Commas would split the tag in calibre; AO3 tags never have them, these are replaced.
    subjects = epub.xpath("//dc:subject/text()")
    assert "Flags; Semaphore" in subjects
    assert all("," not in s for s in subjects)
    assert epub.meta("belongs-to-collection") == ["The Series", "Another Series"]
    assert epub.xpath("//opf:meta[@property='group-position']/text()") == ["2"]
    assert epub.xpath("//dc:date/text()") == ["2023-12-01T00:00:00Z"]
    assert epub.meta("dcterms:modified") == ["2024-03-04T00:00:00Z"]


def test_bare_work_metadata(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["bare"].path)
    assert epub.xpath("//dc:creator/@id") == ["author_1"]
    assert epub.xpath("//dc:subject") == []
    assert epub.xpath("//dc:identifier/text()") == [book_identifier(epub_books["bare"].work)]
    assert epub.meta("dcterms:modified") == ["2000-01-01T00:00:00Z"]
    assert not epub.xpath("//opf:meta[@name='calibre:series']")
    assert "afterword" not in epub.spine


def test_content_identifier_is_stable_and_content_based() -> None:
    work = make_work(url=None)
    assert book_identifier(work) == book_identifier(make_work(url=None))
    assert book_identifier(work) != book_identifier(make_work(url=None, title="Other"))
    assert book_identifier(work) != book_identifier(make_work())
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", book_identifier(work))


def test_non_latin_language(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["russian"].path)
    assert epub.opf.get(XML_LANG) == "ru"
    assert epub.xpath("//dc:title/text()") == ["Белые ночи"]
    assert epub.xpath("//dc:language/text()") == ["ru"]
    assert "Русский" in epub.text("tag_summary")


# ---- content documents -------------------------------------------------------------------------


def test_every_document_has_lang_title_and_styles(book: Book) -> None:
    epub = Epub(book.path)
    lang = book.work.language
    for idref in epub.spine:
        doc = epub.document(idref)
        assert doc.get("lang") == lang and doc.get(XML_LANG) == lang, idref
        title = doc.xpath("string(/x:html/x:head/x:title)", namespaces=NS)
        assert str(title).strip(), idref
        links = doc.xpath("/x:html/x:head/x:link[@rel='stylesheet']/@href", namespaces=NS)
        assert links == ["styles/book.css", "styles/epub.css"], idref


def test_chapters_non_empty_and_contain_their_text(book: Book) -> None:
    epub = Epub(book.path)
    assert len(epub.chapter_ids) == len(book.work.chapters)
    for idref, chapter in zip(epub.chapter_ids, book.work.chapters, strict=True):
        assert epub.files[epub.entry(epub.href(idref))].strip(), idref
        text = epub.text(idref)
        assert normalise(" ".join(words(str(chapter.body)))) in text, idref
        (section,) = epub.document(idref).xpath("//x:section[@role='doc-chapter']", namespaces=NS)
        assert section.get(f"{{{NS['epub']}}}type") == "chapter"


def test_nav_and_ncx_list_every_part(book: Book) -> None:
    epub = Epub(book.path)
    work = book.work
    nav = epub.document("nav")
    labels = [
        normalise(a) for a in nav.xpath("//x:nav[@epub:type='toc']//x:a/text()", namespaces=NS)
    ]
    hrefs = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS)
    # In the work's language: the Russian sample's contents say "Содержание".
    in_its_language = book_labels(work, RenderOptions())
    assert str(nav.xpath("string(//x:nav/x:h2)", namespaces=NS)) == in_its_language.gettext(
        "Contents"
    )
    expected = [in_its_language.gettext(name) for name in ("Title Page", "Credits", "Tag Summary")]
    if work.chaptered:
        expected += [in_its_language.heading(chapter) for chapter in work.chapters]
    else:
        expected += [work.chapters[0].title or work.title]
    if work.end_notes:
        expected.append(in_its_language.gettext("Afterword"))
    assert labels == expected
    assert all(isinstance(h, str) and h.endswith(".xhtml") for h in hrefs)
    # The landmarks list is for the reading system's menus, hidden on the contents page.
    assert nav.xpath("//x:nav[@epub:type='landmarks']/@hidden", namespaces=NS) == ["hidden"]

    ncx = etree.fromstring(epub.files[epub.entry(epub.href("ncx"))])
    points = ncx.xpath("//ncx:navPoint", namespaces=NS)
    assert [
        normalise(str(p.xpath("string(ncx:navLabel/ncx:text)", namespaces=NS))) for p in points
    ] == expected
    assert [p.get("playOrder") for p in points] == [str(n) for n in range(1, len(points) + 1)]


@pytest.mark.parametrize("name", ONE_SHOTS)
def test_one_shot_has_no_chapter_heading(name: str, epub_books: dict[str, Book]) -> None:
    if name not in epub_books:
        pytest.skip(f"{name}: no text reader registered yet")
    book = epub_books[name]
    assert not book.work.chaptered
    epub = Epub(book.path)
    (idref,) = epub.chapter_ids
    doc = epub.document(idref)
    assert doc.xpath("//x:body//x:h1|//x:body//x:h2|//x:body//x:h3", namespaces=NS) == []
    assert "Chapter 1" not in epub.text(idref)
    title = str(doc.xpath("string(//x:head/x:title)", namespaces=NS))
    assert title == (book.work.chapters[0].title or book.work.title)


def test_chaptered_headings(epub_books: dict[str, Book]) -> None:
    book = epub_books["extras"]
    epub = Epub(book.path)
    headings = [
        normalise(str(epub.document(idref).xpath("string(//x:h2)", namespaces=NS)))
        for idref in epub.chapter_ids
    ]
    # An empty title falls back to "Chapter N", never an empty heading or nav entry.
    assert headings == ["Chapter 1: The Beginning", "Chapter 2", "Chapter 3: Last"]
    assert "Chapter by Guest Writer" in epub.text("chap_001")


def test_title_page_and_tag_summary_parts(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["make-work"].path)
    title_page = epub.text("title_page")
    for needle in [
        "A Test Work",
        "alpha",
        "Beta Pseud (beta)",
        "Original Work",
        "Teen And Up Audiences",
        "Chapters: 2/?",
        "In Progress",
        "Part 2 of The Series",
        "The work's summary.",
    ]:
        assert needle in title_page, needle
    tags = epub.document("tag_summary")
    labels = [normalise(str(dt)) for dt in tags.xpath("//x:dl/x:div/x:dt/text()", namespaces=NS)]
    assert labels == [
        "Rating:",
        "Archive Warning:",
        "Categories:",
        "Fandom:",
        "Relationship:",
        "Characters:",
        "Additional Tags:",
        "Language:",
        "Series:",
        "Collections:",
        "Stats:",
        "Source:",
    ]
    groups = tags.xpath("//x:div[contains(@class, 'tag-group')]/@class", namespaces=NS)
    assert "tag-group relationships" in groups
    (section,) = tags.xpath("/x:html/x:body/x:section", namespaces=NS)
    assert section.get("class") == "tag-summary"
    assert section.get("role") == "doc-preface"


def test_status_completed(epub_books: dict[str, Book]) -> None:
    work = epub_books["extras"].work
    assert work.status is Status.COMPLETE
    assert "Completed" in Epub(epub_books["extras"].path).text("title_page")


def test_afterword_holds_end_notes(epub_books: dict[str, Book]) -> None:
    epub = Epub(epub_books["make-work"].path)
    doc = epub.document("afterword")
    (section,) = doc.xpath("/x:html/x:body/x:section", namespaces=NS)
    assert section.get("role") == "doc-afterword"
    assert "The work's end notes." in epub.text("afterword")


def expected_strings(work: Work) -> Iterator[str]:
    """Yield every metadata value a reader must find somewhere in the book's text."""
    yield work.title
    yield from work.authors
    yield from work.all_tags
    yield work.language_name or work.language
    for entry in work.series:
        yield entry.name
        if entry.part is not None:
            yield f"Part {entry.part} of {entry.name}"
    yield from work.collections
    stats = work.stats
    for date in (stats.published, stats.updated, stats.completed):
        if date is not None:
            yield date.isoformat()
    for number in (stats.words, stats.kudos, stats.hits, stats.bookmarks, stats.comments):
        if number is not None:
            yield f"{number:,}"
    if stats.chapters_label:
        yield f"Chapters: {stats.chapters_label}"
    if work.status is not None:
        yield work.status.value
    for extra in work.extra_fields:
        yield f"{extra.label}: {extra.value}"
    if work.url:
        yield work.url
    if work.work_id:
        yield work.work_id
    for chapter in work.chapters:
        if chapter.title:
            yield chapter.title
        yield from chapter.authors


def test_nothing_lost(complete_book: Book) -> None:
    epub = Epub(complete_book.path)
    work = complete_book.work
    text = epub.reading_text
    for needle in expected_strings(work):
        assert normalise(needle) in text, needle
    seen = set(text.split())
    blocks = [work.summary, work.notes, work.end_notes]
    for chapter in work.chapters:
        blocks += [chapter.body, chapter.summary, chapter.notes, chapter.end_notes]
    for block in blocks:
        if block is not None:
            missing = [w for w in words(str(block)) if w not in seen]
            assert missing == []
    assert epub.xpath("//dc:subject/text()") == [t.replace(",", ";") for t in work.all_tags]


def test_images_are_embedded(epub_books: dict[str, Book]) -> None:
    book = epub_books["assets"]
    epub = Epub(book.path)
    for asset in book.work.assets:
        (item,) = epub.opf.xpath(f"//opf:item[@href='{asset.href}']", namespaces=NS)
        assert item.get("media-type") == "image/png"
        assert epub.files[epub.entry(asset.href)] == asset.data
    srcs = epub.document("chap_001").xpath("//x:img/@src", namespaces=NS)
    assert srcs == ["images/map.png", "images/flags.png"]
    assert set(epub.meta("schema:accessMode")) == {"textual", "visual"}


# ---- options and errors ------------------------------------------------------------------------


def test_user_css_is_linked_after_the_bundled_styles(tmp_path: Path) -> None:
    css = tmp_path / "mine.css"
    css.write_text("p { text-indent: 2em; }\n", encoding="utf-8")
    target = build(make_work(), tmp_path / "styled.epub", RenderOptions(css=(css,)))
    epub = Epub(target)
    assert epub.files[epub.entry("styles/user_1.css")] == css.read_bytes()
    links = epub.document("chap_001").xpath("//x:link/@href", namespaces=NS)
    assert links == ["styles/book.css", "styles/epub.css", "styles/user_1.css"]


def test_unreadable_css_is_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError):
        build_epub(make_work(), RenderOptions(css=(tmp_path / "missing.css",)))


def test_unwritable_target_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        EpubBackend().write(
            make_work(), tmp_path / "no" / "such" / "dir" / "x.epub", RenderOptions()
        )


def test_asset_outside_the_book_is_refused() -> None:
    from fic2book.model import Asset

    work = make_work(assets=(Asset("../escape.png", "image/png", b"x"),))
    with pytest.raises(RenderError):
        build_epub(work, RenderOptions())


# ---- reproducibility ---------------------------------------------------------------------------


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    work = make_work()
    first = build(work, tmp_path / "a.epub").read_bytes()
    second = build(work, tmp_path / "b.epub").read_bytes()
    assert first == second
    for info in zipfile.ZipFile(tmp_path / "a.epub").infolist():
        assert info.date_time == (2024, 2, 3, 0, 0, 0)
        assert info.external_attr == 0o644 << 16


_BUILD_SCRIPT = """
import os, sys
from pathlib import Path
from fic2book.backends.epub import build_epub
from fic2book.options import RenderOptions
from fic2book.render import book_labels
from tests.conftest import make_work
epoch = os.environ.get("SOURCE_DATE_EPOCH")
options = RenderOptions(source_date_epoch=int(epoch) if epoch else None)
Path(sys.argv[1]).write_bytes(build_epub(make_work(), options))
"""


def _build_in_subprocess(target: Path, env: dict[str, str]) -> bytes:
    subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT, str(target)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        timeout=120,
    )
    return target.read_bytes()


def test_source_date_epoch_is_used_whatever_the_time_zone(tmp_path: Path) -> None:
    epoch = "1700000000"  # 2023-11-14T22:13:20Z
    tokyo = _build_in_subprocess(
        tmp_path / "tokyo.epub", {"SOURCE_DATE_EPOCH": epoch, "TZ": "Asia/Tokyo"}
    )
    new_york = _build_in_subprocess(
        tmp_path / "ny.epub", {"SOURCE_DATE_EPOCH": epoch, "TZ": "America/New_York"}
    )
    assert tokyo == new_york
    epub = Epub(tmp_path / "tokyo.epub")
    assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert epub.infos[0].date_time == (2023, 11, 14, 22, 13, 20)
    plain = _build_in_subprocess(tmp_path / "plain.epub", {"TZ": "Pacific/Kiritimati"})
    assert plain == build_epub(make_work(), RenderOptions())
    assert plain != tokyo


# ---- calibre -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("ebook-meta") is None, reason="calibre's ebook-meta is not installed"
)
def test_calibre_reads_the_metadata(epub_books: dict[str, Book]) -> None:
    book = epub_books["make-work"]
    proc = subprocess.run(
        ["ebook-meta", str(book.path)],
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    fields = {}
    for line in proc.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    assert fields["Title"] == "A Test Work"
    assert fields["Author(s)"] == "alpha & Beta Pseud (beta)"
    assert [t.strip() for t in fields["Tags"].split(",")] == list(book.work.all_tags)
    assert fields["Series"] == "The Series #2"
    assert fields["Languages"] == "eng"
    assert fields["Published"].startswith("2024-01-02")
    assert "url:https://archiveofourown.org/works/123456" in fields["Identifiers"]


def test_samples_read_through_the_reader() -> None:
    # Guards the session fixture: once the reader lands, the samples must be part of the run.
    for path in input_files():
        work = read_input(path)
        assert work.chapters
