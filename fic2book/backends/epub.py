"""EPUB 3 backend (ebooklib 0.20) with an NCX fallback, reproducible to the byte.

The recipe: metadata, stylesheets, title page, tag summary, contents, one file per chapter,
afterword, navigation, write, re-pack.  Every XHTML file sits at the root of the content folder
so the relative URLs a chapter body uses (``images/map.png``, ``styles/book.css``) resolve.

ebooklib has a handful of traps (see the comments where they are avoided): it drops a content
document's ``<head>``, writes "now" into ``dcterms:modified`` and the zip entries, never writes
``xml:lang`` on ``<package>`` and silently writes an empty file for content it cannot parse.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import posixpath
import re
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from fic2book.backends import register
from fic2book.cover import GENERATED_COVER_SUFFIX, CoverImage, book_cover, cover_alt, generate_cover
from fic2book.errors import OutputError, RenderError
from fic2book.language import text_direction
from fic2book.model import Asset, Chapter, Work
from fic2book.options import RenderOptions
from fic2book.render import has_tag_wall, option_styles, render_part, render_template
from fic2book.resources import data_path

#: Bundled stylesheets, linked from every content document in this order (user CSS after).
BUNDLED_STYLES: tuple[str, ...] = ("book.css", "epub.css")

#: ``dcterms:modified`` when neither ``SOURCE_DATE_EPOCH`` nor any work date is known.
FALLBACK_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

#: Hosts whose work URLs also give an ``ao3:ID`` identifier.
AO3_HOSTS: frozenset[str] = frozenset({"archiveofourown.org", "www.archiveofourown.org", "ao3.org"})

# EPUB 3 core media types: anything else needs a fallback chain, so it is refused up front.
_CORE_IMAGE_TYPES = frozenset(
    {"image/gif", "image/jpeg", "image/png", "image/svg+xml", "image/webp"}
)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Document:
    """One XHTML content document: file name, ``<title>``/navigation label and body fragment."""

    uid: str
    file_name: str
    title: str
    content: str


@register
class EpubBackend:
    """EPUB 3 for e-readers, EPUBCheck-clean, with an NCX for older readers."""

    name: ClassVar[str] = "epub"
    suffix: ClassVar[str] = ".epub"
    description: ClassVar[str] = "EPUB 3 e-book (with NCX) for e-readers and calibre"

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Build the book and write it to ``target`` (the pipeline renames it into place)."""
        data = build_epub(work, options)
        try:
            target.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err


def build_epub(work: Work, options: RenderOptions) -> bytes:
    """Render ``work`` into the bytes of a reproducible EPUB 3 file."""
    # Imported here so that looking the backend up (``fic2book formats``) stays cheap.
    from ebooklib import epub

    # ebooklib re-parses every document with lxml's default HTML parser, which silently drops
    # a text node over 10 MB (one enormous paragraph); its HTML parser expands no entities,
    # so lifting that limit is safe.  ebooklib looks the function up in its own namespace.
    epub.parse_html_string = _parse_html_string

    # The generated cover (Fontconfig's font list, drawing, JPEG) is made on a second thread
    # while this one renders the documents: most of its time is spent outside the GIL.  The
    # EPUB needs its bytes only when the zip is written; see _CoverJob.
    cover_job = _CoverJob(work, options)
    try:
        return _build(epub, work, options, cover_job)
    except BaseException:
        # An error in the cover wins, as it did when the cover was made first.
        cover_job.result()
        raise


def _build(epub: Any, work: Work, options: RenderOptions, cover_job: _CoverJob) -> bytes:
    mtime = build_time(work, options)
    book = epub.EpubBook()
    _set_metadata(book, work, has_cover=cover_job.has_cover)

    styles = _style_items(epub, options)
    for item in styles:
        book.add_item(item)

    documents = [
        Document(
            "title_page", "title_page.xhtml", "Title Page", render_part("title_page", work, options)
        ),
        Document(
            "tag_summary",
            "tag_summary.xhtml",
            "Tag Summary",
            render_part("tag_summary", work, options),
        ),
    ]
    chapters = [
        Document(
            f"chap_{position:03d}",
            f"chap_{position:03d}.xhtml",
            chapter_label(work, chapter, options.chapter_titles),
            render_part("chapter", work, options, chapter=chapter),
        )
        for position, chapter in enumerate(work.chapters, start=1)
    ]
    afterword = (
        [
            Document(
                "afterword", "afterword.xhtml", "Afterword", render_part("afterword", work, options)
            )
        ]
        if work.has_end_notes
        else []
    )
    if has_tag_wall(work):
        # Hundreds of tags go after the story; the tag summary shows the first ones.
        afterword.append(
            Document(
                "tag_appendix",
                "tag_appendix.xhtml",
                "Appendix: All Tags",
                render_part("tag_appendix", work, options),
            )
        )

    cover_documents = []
    cover_item = None
    if cover_job.has_cover:
        cover_href = _cover_href(work, cover_job.suffix)
        # The image gets the cover-image property; ebooklib's own cover page is not used: it
        # is non-linear (OPF-096 once it is in the spine) and hard-codes lang="en".  Its bytes
        # are filled in before writing (the item's place in the manifest is what matters).
        book.set_cover(cover_href, b"", create_page=False)
        cover_item = book.get_item_with_id("cover-img")
        cover_page = render_template(
            "parts/cover.html.j2",
            options,
            work=work,
            cover_src=cover_href,
            cover_alt=cover_alt(work),
        )
        cover_documents.append(Document("cover", "cover.xhtml", "Cover", cover_page))

    # Arabic, Hebrew…: dir="rtl" on every document and a right-to-left page progression.
    direction = "rtl" if text_direction(work.language) == "rtl" else None
    if direction:
        book.set_direction(direction)
    items = {}
    html_class = _html_class(epub)
    for doc in [*cover_documents, *documents, *chapters, *afterword]:
        item = html_class(
            uid=doc.uid,
            file_name=doc.file_name,
            title=doc.title,
            content=doc.content,
            lang=work.language,
            direction=direction,
        )
        _link_styles(item, styles)
        book.add_item(item)
        _check_parses(item.freeze(), doc)
        items[doc.uid] = item

    for position, asset in enumerate(work.assets, start=1):
        book.add_item(_image_item(epub, position, asset))

    # The contents page is ebooklib's nav document, titled and styled like the rest and read
    # in order after the front matter; the book has no guide, so no visible landmarks list.
    nav = epub.EpubNav(title="Contents", direction=direction)
    _link_styles(nav, styles)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    front = [items["title_page"], items["tag_summary"]]
    back = [items[doc.uid] for doc in [*chapters, *afterword]]
    book.toc = [*front, *back]
    # The cover page is linear and first, so it is the first page a reader shows.
    covers = [items["cover"]] if "cover" in items else []
    book.spine = [*covers, *front, nav, *back]

    if cover_item is not None:
        cover = cover_job.result()
        if cover is None or cover.suffix != cover_job.suffix:
            raise RenderError("the cover picture is not the kind of picture expected")
        cover_item.content = cover.data

    target = _ReproducibleZip(mtime)
    writer = _writer_class(epub)(
        target,
        book,
        {
            "mtime": mtime,
            "raise_exceptions": True,
            "play_order": {"enabled": True, "start_from": 1},
            "epub3_landmark": False,
            "epub2_guide": False,
            # Page lists need page-break markers we never write; skip the scan of every file.
            "epub3_pages": False,
        },
    )
    writer.process()
    writer.write()
    return target.getvalue()


def chapter_label(work: Work, chapter: Chapter, style: str = "full") -> str:
    """Return the chapter's ``<title>`` and contents entry; a one-shot is named after the work.

    ``style`` is the ``--chapter-titles`` value (see :meth:`Chapter.heading_for`).
    """
    if work.chaptered:
        return chapter.heading_for(style)
    return chapter.title or work.title or chapter.heading


def build_time(work: Work, options: RenderOptions) -> dt.datetime:
    """Return the one timestamp written into the book, in UTC.

    ``SOURCE_DATE_EPOCH`` wins; else the work's last revision at midnight UTC; else a fixed
    date, so that building the same input twice gives the same bytes.
    """
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, tz=dt.UTC)
    revised = work.stats.last_revised
    if revised is not None:
        return dt.datetime(revised.year, revised.month, revised.day, tzinfo=dt.UTC)
    return FALLBACK_TIME


def book_identifier(work: Work) -> str:
    """Return a stable ``urn:uuid:``: uuid5 of the work URL, else of the work's content."""
    if work.url:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, work.url)}"
    digest = hashlib.sha256()
    for part in _content_parts(work):
        digest.update(part.encode("utf-8"))
        # A separator that cannot occur in text keeps ("ab", "c") apart from ("a", "bc").
        digest.update(b"\x00")
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:sha256:' + digest.hexdigest())}"


def _content_parts(work: Work) -> Iterable[str]:
    yield work.title
    yield from work.authors
    yield work.language
    for chapter in work.chapters:
        yield chapter.title or ""
        yield str(chapter.body)


def subject(tag: str) -> str:
    """Turn a tag into a ``dc:subject``; calibre splits subjects on commas (AO3 tags have none)."""
    return tag.replace(",", ";")


def _cover_href(work: Work, suffix: str) -> str:
    """A file name for the cover image that no embedded image of the work already uses."""
    taken = {posixpath.normpath(asset.href) for asset in work.assets}
    href = f"cover{suffix}"
    number = 1
    while href in taken:
        href = f"cover-{number}{suffix}"
        number += 1
    return href


class _CoverJob:
    """The book's cover, generated on a thread of its own; ``--cover`` files are read at once.

    Drawing and encoding the generated cover, and waiting for ``fc-list``, mostly run outside
    the GIL, so they overlap the rendering of the documents.  :meth:`result` waits for it and
    raises what making it raised.  Where no thread can be started (a tight ``--max-memory``),
    the cover is made at once.
    """

    def __init__(self, work: Work, options: RenderOptions) -> None:
        self.has_cover = not options.no_cover
        self._cover: CoverImage | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if not self.has_cover or options.cover is not None:
            self._run(lambda: book_cover(work, options))
        else:
            self._thread = threading.Thread(
                target=self._run, args=(lambda: generate_cover(work),), name="fic2book-cover"
            )
            try:
                self._thread.start()
            except RuntimeError:
                self._thread = None
                self._run(lambda: generate_cover(work))
        self.suffix = self._cover.suffix if self._cover is not None else GENERATED_COVER_SUFFIX

    def _run(self, make: Callable[[], CoverImage | None]) -> None:
        try:
            self._cover = make()
        except BaseException as err:  # handed to the thread that waits, in result()
            self._error = err

    def result(self) -> CoverImage | None:
        """Wait for the cover; re-raise its error (once) if making it failed."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error
        return self._cover


def _set_metadata(book: Any, work: Work, has_cover: bool = False) -> None:
    """Set the Dublin Core, calibre and EPUB Accessibility 1.1 metadata."""
    book.set_identifier(book_identifier(work))
    for extra_id in _extra_identifiers(work):
        book.add_metadata("DC", "identifier", extra_id)
    book.set_title(work.title.strip() or "Untitled")
    book.set_language(work.language or "und")
    # Unique ids: ebooklib's default "creator" for every author is a duplicate-id error.
    for position, author in enumerate(work.authors, start=1):
        book.add_author(author, role="aut", uid=f"author_{position}")
    for tag in work.all_tags:
        book.add_metadata("DC", "subject", subject(tag))
    if work.summary:
        # HTML as text, as calibre and AO3 store it; lxml escapes it.
        book.add_metadata("DC", "description", str(work.summary))
    published = work.stats.published or work.stats.last_revised
    if published is not None:
        # A date-only value is shown a day late by calibre: write a full UTC timestamp.
        book.add_metadata("DC", "date", f"{published.isoformat()}T00:00:00Z")
    _set_series(book, work)
    _set_accessibility(book, work, has_cover)


def _extra_identifiers(work: Work) -> list[str]:
    ids: list[str] = []
    host = ""
    if work.url:
        ids.append(f"url:{work.url}")
        host = (urlsplit(work.url).hostname or "").lower()
    if work.work_id and (not work.url or host in AO3_HOSTS):
        ids.append(f"ao3:{work.work_id}")
    return ids


def _set_series(book: Any, work: Work) -> None:
    """Series in the EPUB 3 form (every series) and calibre's form (the first one)."""
    for position, entry in enumerate(work.series, start=1):
        ref = f"series_{position}"
        book.add_metadata(
            None, "meta", entry.name, {"property": "belongs-to-collection", "id": ref}
        )
        book.add_metadata(
            None, "meta", "series", {"refines": f"#{ref}", "property": "collection-type"}
        )
        if entry.part is not None:
            book.add_metadata(
                None, "meta", str(entry.part), {"refines": f"#{ref}", "property": "group-position"}
            )
    if work.series:
        first = work.series[0]
        book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": first.name})
        if first.part is not None:
            book.add_metadata(
                None, "meta", "", {"name": "calibre:series_index", "content": str(first.part)}
            )


def _set_accessibility(book: Any, work: Work, has_cover: bool = False) -> None:
    """EPUB Accessibility 1.1 discovery metadata, one element per value."""
    has_images = has_cover or bool(work.assets)
    # Pictures add a visual mode; the text alone still carries the work (accessModeSufficient).
    modes = ["textual", "visual"] if has_images else ["textual"]
    features = [
        "tableOfContents",
        "readingOrder",
        "structuralNavigation",
        "ARIA",
        # True of the bundled CSS: no fixed font sizes, so readers may restyle the text.
        "displayTransformability",
    ]
    if has_images and _images_described(work):
        # The cover's alt text names the book.  The sanitiser gives an image the author did not
        # describe an empty alt (decoration), and then this is not claimed.
        features.append("alternativeText")
    values: list[tuple[str, str]] = [
        *(("schema:accessMode", mode) for mode in modes),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Reflowable text with a navigable table of contents, structured headings "
            "and the work's tags and notes as text.",
        ),
    ]
    for prop, value in values:
        book.add_metadata(None, "meta", value, {"property": prop})


_EMPTY_ALT = re.compile(r'<img\b[^>]*\salt=""')


def _images_described(work: Work) -> bool:
    """Whether every image in the work's text has a non-empty alt text."""
    texts = [work.summary, work.notes, work.end_notes]
    for chapter in work.chapters:
        texts += [chapter.body, chapter.summary, chapter.notes, chapter.end_notes]
    return not any(text is not None and _EMPTY_ALT.search(str(text)) for text in texts)


def _style_items(epub: Any, options: RenderOptions) -> list[Any]:
    """Make manifest items of the bundled stylesheets, then of each ``--css`` file."""
    folder = data_path("styles")
    items = [
        epub.EpubItem(
            uid=f"style_{Path(name).stem}",
            file_name=f"styles/{name}",
            media_type="text/css",
            content=_read_css(folder / name),
        )
        for name in (*BUNDLED_STYLES, *option_styles(options))
    ]
    for position, path in enumerate(options.css, start=1):
        items.append(
            epub.EpubItem(
                uid=f"style_user_{position}",
                file_name=f"styles/user_{position}.css",
                media_type="text/css",
                content=_read_css(path),
            )
        )
    return items


def _read_css(path: Path) -> bytes:
    try:
        data = path.read_bytes()
        # EPUB requires UTF-8 (or UTF-16) CSS; refuse anything else rather than ship mojibake.
        data.decode("utf-8")
    except OSError as err:
        raise RenderError(f"stylesheet {path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise RenderError(f"stylesheet {path} is not UTF-8") from err
    return data


def _parse_html_string(source: str | bytes) -> Any:
    """Parse as ebooklib's ``parse_html_string`` does, without the 10 MB text-node limit."""
    from lxml import html

    return html.document_fromstring(
        source, parser=html.HTMLParser(encoding="utf-8", huge_tree=True)
    )


def _link_styles(item: Any, styles: Sequence[Any]) -> None:
    # ebooklib throws away the <head> of content, so stylesheets must be links on the item.
    for style in styles:
        item.add_link(href=style.file_name, rel="stylesheet", type="text/css")


# What ebooklib writes for a document whose body came out empty (a self-closed <body/> last).
_EMPTY_BODY = re.compile(rb"<body\b[^>]*/>\s*</html>\s*$")


def _check_parses(written: bytes, doc: Document) -> None:
    # ebooklib writes an empty file, without a word, for content its HTML parser rejects, and
    # an empty body for content it parses to nothing.
    if not written or _EMPTY_BODY.search(written):
        raise RenderError(f"{doc.file_name} ({doc.title}) rendered to an empty document")


@functools.cache
def _html_class(epub: Any) -> Any:
    """The content document class of ebooklib, building its XHTML once (see ``freeze``)."""

    class Fic2BookEpubHtml(epub.EpubHtml):  # type: ignore[misc]
        _written: bytes | None = None

        def freeze(self) -> bytes:
            """Build the XHTML now, and write exactly that; call once the item is complete.

            ebooklib re-parses the content every time it is asked for it: once for checking
            and once for writing was a tenth of the build.
            """
            self._written = super().get_content()
            return self._written

        def get_content(self, default: Any = None) -> Any:
            if self._written is not None:
                return self._written
            return super().get_content(default)

    return Fic2BookEpubHtml


def _image_item(epub: Any, position: int, asset: Asset) -> Any:
    """Make an embedded image at the same relative URL the chapter markup uses."""
    href = posixpath.normpath(asset.href)
    if href.startswith(("/", "../")) or href == ".." or not href.isascii() or " " in href:
        raise RenderError(f"image {asset.href!r} must be a relative ASCII path inside the book")
    if asset.media_type not in _CORE_IMAGE_TYPES:
        raise RenderError(f"image {asset.href!r} has an unsupported type {asset.media_type!r}")
    return epub.EpubImage(
        uid=f"image_{position}", file_name=href, media_type=asset.media_type, content=asset.data
    )


def _writer_class(epub: Any) -> Any:
    """Subclass ebooklib's writer: ``xml:lang`` on ``<package>``, and a reproducible zip."""

    class Fic2BookEpubWriter(epub.EpubWriter):  # type: ignore[misc]
        def _write_opf_file(self, root: Any) -> None:
            root.set(_XML_LANG, self.book.language)
            super()._write_opf_file(root)

        def write(self) -> None:
            # ebooklib's write(), with its own zip file replaced by the _ReproducibleZip given
            # as the file: each member is compressed once, straight into the final zip.
            self.out = self.file_name
            self.out.writestr("mimetype", "application/epub+zip")
            self._write_container()
            self._write_opf()
            self._write_items()
            self.out.close()

    return Fic2BookEpubWriter


#: Members written without deflate because their format is compressed already.
_COMPRESSED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class _ReproducibleZip:
    """A zip whose bytes depend only on the members and ``mtime``: what ebooklib writes into.

    ``mimetype`` must come first and is stored (the OCF rule), and so are images; the rest is
    deflated at level 9.  Every entry gets the time of ``mtime`` (UTC), never the clock's or
    the local time zone's, and Unix mode 0644.
    """

    def __init__(self, mtime: dt.datetime) -> None:
        self._date_time = _zip_date_time(mtime)
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w")
        self._names: set[str] = set()

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        """Add a member; ``compress_type`` is ignored (the rule above decides)."""
        if not self._names and name != "mimetype":
            raise RenderError("ebooklib did not write the mimetype entry first")
        if name in self._names:
            raise RenderError(f"two files in the book are named {name!r}")
        self._names.add(name)
        info = zipfile.ZipInfo(name, self._date_time)
        # JPEG, PNG, GIF and WebP are compressed already: deflating them again costs time
        # (a cover is most of a short book's bytes) and saves nothing.
        stored = name == "mimetype" or name.lower().endswith(_COMPRESSED_SUFFIXES)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, so the mode below means what it says
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, data, compresslevel=9)

    def close(self) -> None:
        """Write the central directory."""
        self._zip.close()

    def getvalue(self) -> bytes:
        """The zip's bytes (after :meth:`close`)."""
        return self._buffer.getvalue()


def repack(raw: bytes, mtime: dt.datetime) -> bytes:
    """Rewrite any zip as :class:`_ReproducibleZip` would have written it.

    ``build_epub`` has ebooklib write into that directly; this is for zips made another way.
    """
    target = _ReproducibleZip(mtime)
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    target.close()
    return target.getvalue()


def _zip_date_time(mtime: dt.datetime) -> tuple[int, int, int, int, int, int]:
    # The zip format cannot store years before 1980 (or after 2107).
    stamp = mtime.astimezone(dt.UTC)
    year = min(max(stamp.year, 1980), 2107)
    if year != stamp.year:
        return (year, 1, 1, 0, 0, 0)
    # DOS times have a two-second resolution; round down explicitly.
    return (year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second - stamp.second % 2)
