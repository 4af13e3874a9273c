"""EPUB 3 backend (ebooklib's public API) with an NCX fallback, reproducible to the byte.

The recipe: metadata, stylesheets, the content documents in reading order (which ones, and
their titles, come from :mod:`fic2book.backends.epub_documents`), navigation,
:func:`ebooklib.epub.write_epub`, then a re-pack of its zip.  Every
XHTML file sits at the root of the content folder so the relative URLs a chapter body uses
(``images/map.png``, ``styles/book.css``) resolve.

The content documents are complete XHTML built here (:func:`xhtml_document`) and handed to
ebooklib as plain items, so ebooklib writes them as they are: it never re-parses them (its
parser would drop a text node over 10 MB) and cannot silently write an empty file.  What
ebooklib leaves to its caller is done after it has written the book (:func:`finish_zip`):
``xml:lang`` on ``<package>``, and zip entries with the book's own timestamp and fixed modes
instead of the clock's.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from fic2book.backends import register
from fic2book.backends.epub_documents import Document, book_documents, contents
from fic2book.backends.epub_fonts import font_items
from fic2book.backends.epub_landmarks import NAV_FILE, hide_landmarks, landmarks
from fic2book.backends.epub_metadata import (
    build_time,
    epub_language,
    set_metadata,
)
from fic2book.backends.epub_nav import mark_new_entries
from fic2book.backends.epub_zip import XML_LANG, Rewrites, finish_zip
from fic2book.cover import CoverImage, book_cover, cover_alt
from fic2book.design import design_css
from fic2book.errors import OutputError, RenderError
from fic2book.labels import Labels
from fic2book.language import text_direction
from fic2book.model import Asset, Work
from fic2book.options import RenderOptions
from fic2book.progress import report
from fic2book.render import book_labels, option_styles, render_template
from fic2book.resources import data_path
from fic2book.usercss import clean_user_css

#: Bundled stylesheets, linked from every content document in this order (user CSS after).
BUNDLED_STYLES: tuple[str, ...] = ("book.css", "epub.css")


# EPUB 3 core media types: anything else needs a fallback chain, so it is refused up front.
_CORE_IMAGE_TYPES = frozenset(
    {"image/gif", "image/jpeg", "image/png", "image/svg+xml", "image/webp"}
)


logger = logging.getLogger(__name__)


@register
class EpubBackend:
    """EPUB 3 for e-readers, EPUBCheck-clean, with an NCX for older readers."""

    name: ClassVar[str] = "epub"
    suffix: ClassVar[str] = ".epub"
    description: ClassVar[str] = "EPUB 3 e-book (with NCX) for e-readers and calibre"

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Build the book and write it to ``target`` (the pipeline renames it into place)."""
        report("Writing the EPUB")
        data = build_epub(work, options)
        try:
            target.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err


def build_epub(work: Work, options: RenderOptions) -> bytes:
    """Render ``work`` into the bytes of a reproducible EPUB 3 file."""
    # Imported here so that looking the backend up (``fic2book formats``) stays cheap.
    from ebooklib import epub

    book, language, rewrites = _book(epub, work, options)
    with tempfile.TemporaryDirectory(prefix="fic2book-epub-") as folder:
        written = Path(folder) / "book.epub"
        epub.write_epub(
            str(written),
            book,
            {
                "mtime": build_time(work, options),
                "raise_exceptions": True,
                "play_order": {"enabled": True, "start_from": 1},
                # The nav document's landmarks, from book.guide (fic2book/backends/
                # epub_landmarks.py); the OPF <guide> is EPUB 2's and stays out.
                "epub3_landmark": True,
                "landmark_title": book_labels(work, options).gettext("Landmarks"),
                "epub2_guide": False,
                # Page lists need page-break markers we never write; skip the scan of every file.
                "epub3_pages": False,
                # finish_zip compresses every member again, once, at level 9.
                "compresslevel": 0,
            },
        )
        raw = written.read_bytes()
    return finish_zip(raw, build_time(work, options), language, rewrites)


def _book(epub: Any, work: Work, options: RenderOptions) -> tuple[Any, str, Rewrites]:
    """The ebooklib book, ready to write, the language on ``<package>``, and rewrites.

    The rewrites change files ebooklib writes itself: the contents' "new" marks, and the
    landmarks list hidden.
    """
    cover = book_cover(work, options)
    labels = book_labels(work, options)
    book = epub.EpubBook()
    language = epub_language(work)
    set_metadata(book, work, has_cover=cover is not None, language=language, options=options)

    styles = _style_items(epub, options)
    skins = _skin_items(epub, work, options)
    for item in [*styles, *skins.values()]:
        book.add_item(item)

    def sheets(group: int | None) -> list[Any]:
        # The skin goes before the --css sheets, so the reader's own CSS has the last word;
        # in an omnibus, a work's skin styles that work's documents only.
        first_user = len(styles) - len(options.css)
        skin = skins.get(None) or skins.get(group)
        return [*styles[:first_user], *([skin] if skin else []), *styles[first_user:]]

    front, back = book_documents(work, options)

    covers = _cover_documents(book, work, options, cover, labels)
    if options.embed_fonts:  # the design's fonts, subset (fic2book/backends/epub_fonts.py)
        embedded = font_items(
            epub, options, (d.content + d.title for d in [*covers, *front, *back])
        )
        styles[len(BUNDLED_STYLES) : len(BUNDLED_STYLES)] = embedded[:1]
        for font in embedded:
            book.add_item(font)

    # Arabic, Hebrew…: dir="rtl" on every document and a right-to-left page progression.
    direction = "rtl" if text_direction(work.language) == "rtl" else None
    if direction:
        book.set_direction(direction)
    items = {}
    for doc in [*covers, *front, *back]:
        links = [style.file_name for style in sheets(doc.work)]
        # An omnibus's work is in its own language (lang), whatever the book's first one.
        lang = epub_language(work.works[doc.work - 1]) if doc.work else language
        item = epub.EpubItem(
            uid=doc.uid,
            file_name=doc.file_name,
            media_type="application/xhtml+xml",
            content=xhtml_document(doc, lang, direction, links),
        )
        book.add_item(item)
        items[doc.uid] = item

    for position, asset in enumerate(work.assets, start=1):
        book.add_item(_image_item(epub, position, asset))

    # The contents page is ebooklib's nav document, titled and styled like the rest and read
    # in order after the front matter; its landmarks list is hidden (hide_landmarks).
    nav = epub.EpubNav(file_name=NAV_FILE, title=labels.gettext("Contents"), direction=direction)
    _link_styles(nav, sheets(None))
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    book.toc = contents(epub, [*front, *back])
    book.guide = landmarks([*covers, *front, *back], labels)
    # The cover page is linear and first, so it is the first page a reader shows.
    book.spine = [
        *(items[doc.uid] for doc in covers),
        *(items[doc.uid] for doc in front),
        nav,
        *(items[doc.uid] for doc in back),
    ]
    marked = {doc.file_name: (doc.title, doc.mark) for doc in [*front, *back] if doc.mark}
    nav_member = posixpath.join(book.FOLDER_NAME, nav.file_name)
    mark = functools.partial(mark_new_entries, marked=marked)
    return book, language, {nav_member: lambda data: hide_landmarks(mark(data))}


def _cover_documents(
    book: Any, work: Work, options: RenderOptions, cover: CoverImage | None, labels: Labels
) -> list[Document]:
    """Add the cover picture to ``book``; return the cover page (none without a cover)."""
    if cover is None:
        return []
    cover_href = _cover_href(work, cover.suffix)
    # The image gets the cover-image property; ebooklib's own cover page is not used: it
    # is non-linear (OPF-096 once it is in the spine) and hard-codes lang="en".
    book.set_cover(cover_href, cover.data, create_page=False)
    cover_page = render_template(
        "parts/cover.html.j2",
        options,
        work=work,
        cover_src=cover_href,
        cover_alt=cover_alt(work, labels),
    )
    return [Document("cover", "cover.xhtml", labels.gettext("Cover"), cover_page)]


def _cover_href(work: Work, suffix: str) -> str:
    """A file name for the cover image that no embedded image of the work already uses."""
    taken = {posixpath.normpath(asset.href) for asset in work.assets}
    href = f"cover{suffix}"
    number = 1
    while href in taken:
        href = f"cover-{number}{suffix}"
        number += 1
    return href


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
    # --ornament and --opening: generated rules, after the bundled sheets (fic2book/design.py).
    design = design_css(options.ornament, options.opening).encode("utf-8")
    if design:
        items.append(
            epub.EpubItem(
                uid="style_design",
                file_name="styles/design.css",
                media_type="text/css",
                content=design,
            )
        )
    for position, path in enumerate(options.css, start=1):
        items.append(
            epub.EpubItem(
                uid=f"style_user_{position}",
                file_name=f"styles/user_{position}.css",
                media_type="text/css",
                # Without @import and url()s that would fetch (fic2book/usercss.py).
                content=clean_user_css(_read_css(path).decode("utf-8"), path).encode("utf-8"),
            )
        )
    return items


def _skin_items(epub: Any, work: Work, options: RenderOptions) -> dict[int | None, Any]:
    """The work skin as ``styles/skin.css``, linked after the bundled styles, before ``--css``.

    The reader sanitised and scoped it (fic2book/skin.py); ``--no-skin`` leaves it out.  The
    key is the contents group whose documents link it: ``None`` (every document) for one
    work; in an omnibus, each work's place, its skin in ``styles/skin-02.css``.
    """
    if options.no_skin:
        return {}
    found: dict[int | None, str] = {}
    if work.works:
        found.update((n, part.skin_css) for n, part in enumerate(work.works, 1) if part.skin_css)
    elif work.skin_css:
        found[None] = work.skin_css
    return {
        group: epub.EpubItem(
            uid="style_skin" if group is None else f"style_skin_{group:02d}",
            file_name="styles/skin.css" if group is None else f"styles/skin-{group:02d}.css",
            media_type="text/css",
            content=css.encode("utf-8"),
        )
        for group, css in found.items()
    }


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


_XHTML_NS = "http://www.w3.org/1999/xhtml"
_EPUB_NS = "http://www.idpf.org/2007/ops"

#: The document every content file starts from: XHTML with the EPUB namespace, as EPUB 3
#: content documents are written (the same root ebooklib gives its own documents).
_DOCUMENT_ROOT = (
    f'<html xmlns="{_XHTML_NS}" xmlns:epub="{_EPUB_NS}" '
    'epub:prefix="z3998: http://www.daisy.org/z3998/2012/vocab/structure/#"/>'
)


def xhtml_document(
    doc: Document, language: str, direction: str | None, stylesheets: Sequence[str]
) -> bytes:
    """A complete XHTML content document: ``doc``'s body with a head linking ``stylesheets``.

    The body is HTML as the templates render it; it is parsed with lxml's HTML parser (with
    ``huge_tree``, so one enormous paragraph is kept whole) and serialised as XML.  A body that
    parses to nothing is a :class:`RenderError` naming the file.
    """
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True)
    source = doc.content.encode("utf-8")
    parsed = lxml_html.document_fromstring(source, parser=parser) if source.strip() else None
    body = parsed.find("body") if parsed is not None else None
    if body is None or (len(body) == 0 and not (body.text or "").strip()):
        raise RenderError(f"{doc.file_name} ({doc.title}) rendered to an empty document")

    root = etree.fromstring(_DOCUMENT_ROOT)
    root.set("lang", language)
    root.set(XML_LANG, language)
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = doc.title
    for href in stylesheets:
        etree.SubElement(head, "link", {"href": href, "rel": "stylesheet", "type": "text/css"})
    new_body = etree.SubElement(root, "body")
    if direction:
        new_body.set("dir", direction)
        root.set("dir", direction)
    new_body.text = body.text
    for child in body:
        new_body.append(child)
    data: bytes = etree.tostring(
        root.getroottree(),
        pretty_print=True,
        encoding="utf-8",
        xml_declaration=True,
        doctype="<!DOCTYPE html>",
    )
    return data


def _link_styles(item: Any, styles: Sequence[Any]) -> None:
    # ebooklib builds the nav document's <head> itself: stylesheets are links on the item.
    for style in styles:
        item.add_link(href=style.file_name, rel="stylesheet", type="text/css")


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
