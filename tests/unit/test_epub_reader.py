"""The EPUB reader: AO3's calibre EPUBs, any other EPUB, and every way an EPUB can be hostile.

Every fixture is built here: the AO3-like book is zipped from the unzipped tree in
``tests/data/epub/ao3-calibre/`` (calibre's split files and renamed classes, written for these
tests), the generic EPUB 3 is made with ebooklib, and the hostile ones are written byte by byte.
Books read from the good fixtures are written back with the real EPUB backend, checked for lost
words, and validated by EPUBCheck in one JVM.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from fic2book.backends.epub import build_epub
from fic2book.errors import InputError
from fic2book.model import SeriesEntry, Stats, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.readers import read_work, reader_for
from fic2book.readers.epub import MAX_MEMBER_BYTES, EpubReader
from tests.backends.conftest import png_bytes
from tests.conftest import DATA
from tests.epubcheck import failures, require_epubcheck, run_epubcheck_batch

AO3_TREE = DATA / "epub" / "ao3-calibre"
CONTAINER = b"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""
AES = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
FONT_OBFUSCATION = "http://www.idpf.org/2008/embedding"


# --- building fixtures -------------------------------------------------------------------


def zip_tree(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    """Zip an unzipped EPUB tree: ``mimetype`` first and stored, the rest deflated."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("mimetype", (folder / "mimetype").read_bytes(), zipfile.ZIP_STORED)
        for file in sorted(folder.rglob("*")):
            name = file.relative_to(folder).as_posix()
            if file.is_file() and name != "mimetype":
                archive.write(file, name, zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return target


def ao3_epub(folder: Path, extra: dict[str, bytes] | None = None) -> Path:
    """AO3's EPUB 2 as calibre 6.13 makes it, with an image inside."""
    files = {"images/lamp.png": png_bytes(4, 3), **(extra or {})}
    return zip_tree(AO3_TREE, folder / "lamplighter.epub", files)


def generic_epub(folder: Path) -> Path:
    """An EPUB 3 from ebooklib: cover, nav, two chapters, an image, a remote image, a link."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("urn:isbn:9780000000002")
    book.set_title("Tidewater Almanac")
    book.set_language("en")
    book.add_author("Corin Ashdown")
    book.add_author("Pell Marrow", role="ill", uid="illustrator")
    book.add_metadata("DC", "subject", "Almanacs")
    book.add_metadata("DC", "subject", "Mature")
    book.add_metadata("DC", "subject", "Coastal Life")
    book.add_metadata("DC", "description", "<p>Tables of <b>tides</b> and one small storm.</p>")
    book.add_metadata("DC", "date", "2023-09-14")
    book.add_metadata("DC", "source", "https://example.org/almanac")
    book.add_metadata("DC", "publisher", "Driftwood Press")
    book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": "Almanacs"})
    book.add_metadata(None, "meta", "", {"name": "calibre:series_index", "content": "2"})
    book.set_cover("cover.png", png_bytes(6, 8))
    book.add_item(
        epub.EpubImage(
            uid="wave", file_name="images/wave.png", media_type="image/png", content=png_bytes()
        )
    )
    first = epub.EpubHtml(title="Spring Tides", file_name="text/spring.xhtml", lang="en")
    first.content = (
        "<h1>Spring Tides</h1><p>The sea climbs highest when the moon is new.</p>"
        '<p><img src="../images/wave.png" alt="A breaking wave"/></p>'
        "<p>Fishermen mark the <em>stairs</em> with chalk.</p>"
    )
    second = epub.EpubHtml(title="Chapter 2: Neap Tides", file_name="text/neap.xhtml", lang="en")
    second.content = (
        "<h2>Neap Tides</h2><p>Between the spring tides the water barely moves.</p>"
        '<p><img src="https://example.invalid/lighthouse.png" alt="A distant lighthouse"/></p>'
        '<p>See <a href="spring.xhtml">the first table</a> again, or'
        ' <a href="https://example.org/tides">the tide office</a>.</p>'
        "<hr/><p>A storm came anyway.</p>"
    )
    for item in (first, second):
        book.add_item(item)
    book.toc = [first, second]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["cover", "nav", first, second]
    target = folder / "almanac.epub"
    epub.write_epub(str(target), book)
    return target


def opf(metadata: str, doctype: str = "") -> bytes:
    """A minimal OPF with one chapter, ``metadata`` inside ``<metadata>``."""
    return f"""<?xml version="1.0" encoding="utf-8"?>{doctype}
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{metadata}
    <dc:identifier id="id">urn:uuid:12345678-1234-1234-1234-123456789abc</dc:identifier>
    <dc:language>en</dc:language>
  </metadata>
  <manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>
  <spine><itemref idref="c1"/></spine>
</package>""".encode()


CHAPTER = b"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head>
<body><h1>One</h1><p>Plain words.</p></body></html>"""


def small_epub(path: Path, members: dict[str, bytes]) -> Path:
    """A one-chapter EPUB with ``members`` added or replacing the defaults."""
    files = {
        "META-INF/container.xml": CONTAINER,
        "OEBPS/content.opf": opf("<dc:title>Small</dc:title>"),
        "OEBPS/c1.xhtml": CHAPTER,
        **members,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def encryption(algorithm: str, uri: str) -> bytes:
    """``META-INF/encryption.xml`` encrypting ``uri`` with ``algorithm``."""
    return f"""<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
            xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>""".encode()


# --- reading the text back ---------------------------------------------------------------


def words(text: str) -> Counter[str]:
    """Words as runs of letters and digits, case-folded: punctuation is typography's business."""
    return Counter(re.findall(r"\w+", text.casefold()))


def epub_text(data: bytes) -> str:
    """The visible text of every XHTML document in an EPUB."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                texts.append(" ".join(html.fromstring(archive.read(name)).itertext()))
    return "\n".join(texts)


def ao3_story_text() -> str:
    """Every passage of the AO3 fixture a reader wrote: summaries, notes and chapter bodies."""
    texts = []
    for file in sorted(AO3_TREE.glob("*.xhtml")):
        root = html.fromstring(file.read_bytes())
        for node in root.xpath(
            "//blockquote[@class='userstuff'] | //div[@class='userstuff2'] | //h1 | //dd"
        ):
            texts.append(" ".join(node.itertext()))
    # The "xxx" divider paragraph becomes a scene break: it is markup, not a word.
    return re.sub(r"\bxxx\b", " ", "\n".join(texts))


def missing_words(source: str, book: bytes) -> Counter[str]:
    """Words of ``source`` the book lacks (with multiplicity)."""
    return words(source) - words(epub_text(book))


# --- books built once, validated once ----------------------------------------------------


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Work, Path]]:
    """Each good fixture read and written back as a fic2book EPUB."""
    folder = tmp_path_factory.mktemp("epub-reader")
    sources = {"generic": generic_epub(folder), "ao3": ao3_epub(folder)}
    built = {}
    for name, source in sources.items():
        work = read_work(source)
        target = folder / f"out-{name}.epub"
        target.write_bytes(build_epub(work, RenderOptions()))
        built[name] = (work, target)
    return built


@pytest.fixture(scope="module")
def epubcheck(books: dict[str, tuple[Work, Path]]) -> dict[str, list[dict[str, Any]]]:
    """EPUBCheck's messages for every book written back, from one JVM."""
    jar = require_epubcheck()
    reports = run_epubcheck_batch([path for _work, path in books.values()], jar)
    return {name: reports[path] for name, (_work, path) in books.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["generic", "ao3"])
def test_books_pass_epubcheck(
    name: str, books: dict[str, tuple[Work, Path]], epubcheck: dict[str, list[dict[str, Any]]]
) -> None:
    assert failures(epubcheck[name]) == []


# --- AO3's EPUB --------------------------------------------------------------------------


def test_ao3_metadata(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["ao3"]
    assert work.title == "The Lamplighter's Wager"
    assert work.authors == ("quillfeather", "Second Pseud (second)")
    assert work.tags(TagKind.RATING) == ("Teen And Up Audiences",)
    assert work.tags(TagKind.WARNINGS) == ("No Archive Warnings Apply",)
    assert work.tags(TagKind.CATEGORIES) == ("F/F", "Gen")
    assert work.tags(TagKind.FANDOMS) == ("Original Work",)
    assert work.tags(TagKind.RELATIONSHIPS) == ("Marisol Vance/Odile Thorne",)
    assert work.tags(TagKind.CHARACTERS) == ("Marisol Vance", "Odile Thorne")
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("Friendly Rivalry", "Harbour Towns")
    assert work.language == "en" and work.language_name == "English"
    assert work.work_id == "70000001"
    assert work.url == "https://archiveofourown.org/works/70000001"
    assert work.stats == Stats(
        published=dt.date(2025, 1, 5),
        completed=dt.date(2025, 2, 20),
        words=1234,
        chapters_posted=2,
        chapters_total=2,
    )
    assert "light the harbour first" in str(work.summary)
    assert "dusk and small rivalries" in str(work.notes)
    assert "grandmother" in str(work.end_notes)


def test_ao3_series_from_calibre_when_the_preface_has_none(
    books: dict[str, tuple[Work, Path]],
) -> None:
    work, _ = books["ao3"]
    assert work.series == (SeriesEntry("Lamps and Ledgers", 3),)


def test_ao3_chapters_and_notes(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["ao3"]
    assert [(c.number, c.title) for c in work.chapters] == [(1, "Wicks"), (2, None)]
    first, second = work.chapters
    assert "before noon" in str(first.summary)
    assert "invented, cheerfully" in str(first.notes)
    assert "terrible at counting" in str(first.end_notes)
    assert "Forty-one" in str(first.body) and "candied ginger" in str(second.body)
    # Preface and afterword boilerplate is not story text.
    for chapter in work.chapters:
        assert "Posted originally" not in str(chapter.body)
        assert "drop by the Archive" not in str(chapter.body)


def test_ao3_image_inside_the_epub_is_embedded(books: dict[str, tuple[Work, Path]]) -> None:
    work, path = books["ao3"]
    (asset,) = work.assets
    assert asset.media_type == "image/png" and asset.data == png_bytes(4, 3)
    assert f'src="{asset.href}"' in str(work.chapters[1].body)
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(asset.href) for name in archive.namelist())


def test_ao3_no_word_lost(books: dict[str, tuple[Work, Path]]) -> None:
    _, path = books["ao3"]
    assert missing_words(ao3_story_text(), path.read_bytes()) == Counter()


def test_ao3_detected_without_publisher(tmp_path: Path) -> None:
    """Calibre names and AO3's preface are enough, even with the publisher edited away."""
    source = ao3_epub(tmp_path)
    edited = tmp_path / "edited.epub"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(edited, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "content.opf":
                data = data.replace(b"<dc:publisher>Archive of Our Own</dc:publisher>", b"")
            dst.writestr(info, data)
    work = read_work(edited)
    assert work.tags(TagKind.FANDOMS) == ("Original Work",)
    assert len(work.chapters) == 2


# --- any other EPUB ----------------------------------------------------------------------


def test_generic_metadata(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["generic"]
    assert work.title == "Tidewater Almanac"
    assert work.authors == ("Corin Ashdown",)  # the illustrator is not an author
    assert work.language == "en" and work.language_name == "English"
    assert work.tags(TagKind.RATING) == ("Mature",)
    assert work.tags(TagKind.ADDITIONAL_TAGS) == ("Almanacs", "Coastal Life")
    assert work.series == (SeriesEntry("Almanacs", 2),)
    assert work.stats.published == dt.date(2023, 9, 14)
    assert work.url == "https://example.org/almanac"
    assert "<b>tides</b>" in str(work.summary)
    extras = {(field.label, field.value) for field in work.extra_fields}
    assert ("Publisher", "Driftwood Press") in extras
    assert ("Identifier", "urn:isbn:9780000000002") in extras


def test_generic_chapters_skip_cover_and_nav(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["generic"]
    assert work.chaptered
    assert [(c.title, c.heading) for c in work.chapters] == [
        ("Spring Tides", "Chapter 1: Spring Tides"),
        ("Neap Tides", "Chapter 2: Neap Tides"),
    ]
    # The heading that gave the title is not repeated in the body.
    assert "<h1>" not in str(work.chapters[0].body)
    assert re.search(r'<hr class="scene-break"/?>', str(work.chapters[1].body))


def test_generic_images(books: dict[str, tuple[Work, Path]]) -> None:
    work, _ = books["generic"]
    (asset,) = work.assets  # the wave; the cover page was skipped, the remote one not fetched
    assert asset.href == "images/wave.png" and asset.data == png_bytes()
    first, second = (str(c.body) for c in work.chapters)
    assert 'src="images/wave.png"' in first and 'alt="A breaking wave"' in first
    assert "example.invalid" not in second and "A distant lighthouse" in second


def test_generic_internal_links_dropped(books: dict[str, tuple[Work, Path]]) -> None:
    body = str(books["generic"][0].chapters[1].body)
    assert "spring.xhtml" not in body and "the first table" in body
    assert 'href="https://example.org/tides"' in body


def test_generic_no_word_lost(books: dict[str, tuple[Work, Path]], tmp_path: Path) -> None:
    source = generic_epub(tmp_path)
    with zipfile.ZipFile(source) as archive:
        text = "\n".join(
            " ".join(html.fromstring(archive.read(f"EPUB/text/{name}.xhtml")).itertext())
            for name in ("spring", "neap")
        )
    assert missing_words(text, books["generic"][1].read_bytes()) == Counter()


def test_font_obfuscation_is_not_drm(tmp_path: Path) -> None:
    path = small_epub(
        tmp_path / "fonts.epub",
        {"META-INF/encryption.xml": encryption(FONT_OBFUSCATION, "OEBPS/fonts/a.otf")},
    )
    work = read_work(path)
    assert work.title == "Small" and "Plain words." in str(work.chapters[0].body)
    assert not work.chaptered or work.chapters[0].title == "One"


def test_html_content_document_is_read(tmp_path: Path) -> None:
    """Tag soup that is not XML (``<br>``, ``&nbsp;``) still reads, via the HTML parser."""
    soup = b"<html><body><h1>Soup</h1><p>One<br>two&nbsp;three</p><p>four</body></html>"
    work = read_work(small_epub(tmp_path / "soup.epub", {"OEBPS/c1.xhtml": soup}))
    assert words(str(work.chapters[0].body)) >= words("One two three four")


# --- hostile and broken files ------------------------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.epub"
    path.write_text("Title: not an epub\n\nJust text.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip"):
        read_work(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_work(tmp_path / "nope.epub")


def test_zip_without_opf(tmp_path: Path) -> None:
    path = tmp_path / "bare.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip")
        archive.writestr("chapter.xhtml", CHAPTER)
    with pytest.raises(InputError, match="no OPF"):
        read_work(path)


@pytest.mark.parametrize(
    "member", ["../evil.xhtml", "OEBPS/../../evil.xhtml", "/etc/evil.xhtml", "C:/evil.xhtml"]
)
def test_zip_slip_names_refused(tmp_path: Path, member: str) -> None:
    path = small_epub(tmp_path / "slip.epub", {})
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("placeholder")
        info.filename = member  # ZipInfo() would clean the name; an attacker's tool does not
        archive.writestr(info, b"<p>gotcha</p>")
    with pytest.raises(InputError, match="unsafe file name"):
        read_work(path)


@pytest.mark.parametrize(
    "members",
    [
        {"META-INF/encryption.xml": encryption(AES, "OEBPS/c1.xhtml")},
        {"META-INF/rights.xml": b"<rights/>"},
    ],
    ids=["encryption.xml", "rights.xml"],
)
def test_drm_refused(tmp_path: Path, members: dict[str, bytes]) -> None:
    with pytest.raises(InputError, match=r"encrypted \(DRM\) EPUB"):
        read_work(small_epub(tmp_path / "drm.epub", members))


def test_xxe_not_resolved(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
    path = small_epub(
        tmp_path / "xxe.epub", {"OEBPS/content.opf": opf("<dc:title>&xxe;</dc:title>", doctype)}
    )
    with pytest.raises(InputError, match="declares XML entities") as info:
        read_work(path)
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in str(info.value)


def test_xxe_in_a_chapter_not_resolved(tmp_path: Path) -> None:
    chapter = CHAPTER.replace(
        b"<html", b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html', 1
    ).replace(b"Plain words.", b"&xxe;")
    with pytest.raises(InputError, match="declares XML entities"):
        read_work(small_epub(tmp_path / "xxe.epub", {"OEBPS/c1.xhtml": chapter}))


def test_billion_laughs_not_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    path = small_epub(
        tmp_path / "laughs.epub",
        {"OEBPS/content.opf": opf("<dc:title>&lol9;</dc:title>", f"<!DOCTYPE p [{entities}]>")},
    )
    with pytest.raises(InputError, match="declares XML entities"):
        read_work(path)


def test_zip_bomb_refused(tmp_path: Path) -> None:
    path = small_epub(tmp_path / "bomb.epub", {})
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("OEBPS/huge.xhtml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(MAX_MEMBER_BYTES // len(chunk) + 1):
                member.write(chunk)
    assert path.stat().st_size < 1 << 20  # tiny on disk, over the cap unpacked
    with pytest.raises(InputError, match="zip bomb"):
        read_work(path)


def test_damaged_member(tmp_path: Path) -> None:
    path = small_epub(tmp_path / "damaged.epub", {})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo("OEBPS/c1.xhtml").header_offset
    # Past the local header (30 bytes, then the name and extra field) lies the deflated text.
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    for index in range(start + 5, start + 15):
        data[index] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"damaged|not well-formed|cannot be parsed"):
        read_work(path)


def test_empty_spine(tmp_path: Path) -> None:
    package = opf("<dc:title>Empty</dc:title>").replace(b'<itemref idref="c1"/>', b"")
    with pytest.raises(InputError, match="spine"):
        read_work(small_epub(tmp_path / "empty.epub", {"OEBPS/content.opf": package}))


def test_reader_claims_epub_and_sniffs_zip(tmp_path: Path) -> None:
    path = small_epub(tmp_path / "small.epub", {})
    assert reader_for(path).name == "epub"
    head = path.read_bytes()[:1024]
    assert EpubReader().sniff(head) == 100
    assert EpubReader().sniff(b"Title: x\n") == 0


def test_opf_found_without_container(tmp_path: Path) -> None:
    path = tmp_path / "nocontainer.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip")
        archive.writestr("OEBPS/content.opf", opf("<dc:title>Lost Container</dc:title>"))
        archive.writestr("OEBPS/c1.xhtml", CHAPTER)
    assert read_work(path).title == "Lost Container"


def test_parses_with_namespaced_prefixes() -> None:
    """A sanity check of the fixture tree itself: every file is well-formed XML."""
    for file in AO3_TREE.rglob("*"):
        if file.suffix in (".xhtml", ".opf", ".ncx", ".xml"):
            etree.fromstring(file.read_bytes())
