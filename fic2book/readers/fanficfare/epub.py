"""FanFicFare's EPUB: its title page's fields, its chapter files and its own chapter titles.

FanFicFare writes EPUB 2 with a fixed layout (``writer_epub.py``): ``content.opf`` naming
FanFicFare as contributor and ``fanficfare-uid:SITE-uAUTHOR-sSTORY`` as identifier, a title page
``title_page.xhtml`` (manifest id ``title_page``) carrying every field it knows, and one file
per chapter, ``OEBPS/fileNNNN.xhtml`` (id ``fileNNNN``), whose ``<meta name="chapterorigtitle">``
and ``<h3 class="fff_chapter_title">`` give the chapter's title as the site had it.  The OPF's
subjects are a flat mix of every tag plus "FanFiction", "Last Update: …" and the status, so
they are used only when the title page is missing (``include_titlepage: false``).

The archive is opened with the same caps as the EPUB reader (members, sizes, names; nothing is
extracted) and XML is parsed without DTDs, entities or network.  An EPUB that turns out not to
be FanFicFare's goes to the EPUB reader.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fic2book.errors import InputError
from fic2book.html.clean import clean_fragment
from fic2book.html.images import AssetCollector
from fic2book.html.parse import Element, parse_html, remove_keeping_tail, text_of
from fic2book.html.sanitize import text_block
from fic2book.model import Asset, Chapter, Work
from fic2book.readers.common import title_from_path
from fic2book.readers.epub import EpubReader
from fic2book.readers.epub.archive import Archive, open_archive
from fic2book.readers.epub.content import Images
from fic2book.readers.fanficfare.fields import TitlePage, build_work
from fic2book.readers.fanficfare.page import entries_in, title_page
from fic2book.readers.headings import keep_heading
from fic2book.skin import keeping_classes, sheets_skin, with_skin

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_OPF_EVENT = "{http://www.idpf.org/2007/opf}event"
_CHAPTER_ID = re.compile(r"file\d+")
_STORY_ID = re.compile(r"fanficfare-uid:.*-s([^-]+)$")
# Subjects FanFicFare adds to every book: not tags of the work.
_NOISE = re.compile(r"FanFiction|Last Update( Year/Month)?:.*|Completed|In-Progress", re.I)


@dataclass
class _Opf:
    """What the OPF says: metadata, manifest and spine."""

    path: str
    root: Element
    manifest: dict[str, str] = field(default_factory=dict)
    spine: list[str] = field(default_factory=list)

    def texts(self, name: str) -> list[str]:
        return [
            " ".join((el.text or "").split())
            for el in self.root.iterfind(f"opf:metadata/dc:{name}", _NS)
            if (el.text or "").strip()
        ]

    def is_fanficfare(self) -> bool:
        """FanFicFare names itself as contributor and in the unique identifier."""
        marks = [*self.texts("contributor"), *self.texts("identifier")]
        return any("fanficfare" in mark.casefold() for mark in marks)

    def date(self, event: str) -> str | None:
        for element in self.root.iterfind("opf:metadata/dc:date", _NS):
            if element.get(_OPF_EVENT) == event and (element.text or "").strip():
                return (element.text or "").strip()
        return None


def _load_opf(archive: Archive) -> _Opf | None:
    container = archive.xml("META-INF/container.xml")
    rootfile = container.find(".//c:rootfile", _NS) if container is not None else None
    path = rootfile.get("full-path") if rootfile is not None else None
    root = archive.xml(path) if path else None
    if path is None or root is None:
        return None
    opf = _Opf(path, root)
    base = posixpath.dirname(path)
    for item in root.iterfind("opf:manifest/opf:item", _NS):
        href = unquote(item.get("href") or "")
        opf.manifest[item.get("id") or ""] = posixpath.normpath(posixpath.join(base, href))
    opf.spine = [ref.get("idref") or "" for ref in root.iterfind("opf:spine/opf:itemref", _NS)]
    return opf


class _Images(Images):
    """The EPUB reader's images, found from the ``src`` of each chapter's ``<img>``."""

    def loader(self, document: str) -> AssetCollector:
        """An asset loader resolving ``src`` against the document that uses it."""

        def load(src: str) -> Asset | None:
            relative = unquote(urlsplit(src.strip()).path)
            member = posixpath.normpath(posixpath.join(posixpath.dirname(document), relative))
            return self.asset(member)

        return AssetCollector(load)


def _chapter(archive: Archive, member: str, number: int, images: _Images) -> Chapter | None:
    """One ``fileNNNN.xhtml``: its original title, its body without FanFicFare's heading."""
    data = archive.read(member)
    if data is None:
        return None
    root = parse_html(data)
    metas = {meta.get("name"): meta.get("content") or "" for meta in root.iter("meta")}
    body = root.find("body")
    if body is None:
        return None
    heading = next(
        (h for h in body.iter("h1", "h2", "h3") if "fff_chapter_title" in (h.get("class") or "")),
        None,
    )
    title_text = metas.get("chapterorigtitle") or metas.get("chaptertitle") or text_of(heading)
    if heading is not None:
        remove_keeping_tail(heading)
    markup = clean_fragment(
        body, context=f"{archive.path.name}: {member}", load_asset=images.loader(member)
    )
    if markup is None:
        return None
    title, label = keep_heading(title_text, number)
    return Chapter(number=number, title=title, body=markup, label=label)


def _page_from_opf(opf: _Opf) -> TitlePage:
    """The fields the OPF alone gives, for a book made without a title page."""
    # FanFicFare escapes subjects twice ("Harry &amp;amp; Hermione" in the OPF).
    subjects = [html.unescape(s) for s in opf.texts("subject") if not _NOISE.fullmatch(s)]
    fields = [("Genre", ", ".join(subjects))] if subjects else []
    status = next((s for s in opf.texts("subject") if s in ("Completed", "In-Progress")), None)
    for label, value in (
        ("Status", status),
        ("Published", opf.date("publication")),
        ("Updated", opf.date("modification")),
    ):
        if value:
            fields.append((label, value))
    description = opf.texts("description")
    return TitlePage(
        title="",
        authors=(),
        fields=fields,
        summary=text_block(description[0]) if description else None,
    )


def read_fanficfare_epub(path: Path) -> Work:
    """Read FanFicFare's EPUB; another EPUB is read by the EPUB reader."""
    with open_archive(path) as archive:
        opf = _load_opf(archive)
        if opf is None or not opf.is_fanficfare():
            return EpubReader().read(path)
        page_member = opf.manifest.get("title_page")
        page_root = parse_html(archive.read(page_member) or b"") if page_member else None
        page_body = page_root.find("body") if page_root is not None else None
        fields = page_body.find("div") if page_body is not None else None
        if page_body is not None and fields is not None:
            page = title_page(entries_in(fields), page_body.find("h3"), context=path.name)
        else:
            page = _page_from_opf(opf)
        images = _Images(archive)
        chapters: list[Chapter] = []
        # FanFicFare's use_workskin adds an AO3 work skin to its stylesheet (fic2book/skin.py).
        sheets = (archive.read(m) or b"" for m in opf.manifest.values() if m.endswith(".css"))
        skin = sheets_skin((s.decode("utf-8", "replace") for s in sheets), f"{path.name}: skin")
        with keeping_classes(skin.classes if skin else ()):
            for idref in opf.spine:
                if _CHAPTER_ID.fullmatch(idref) and idref in opf.manifest:
                    chapter = _chapter(archive, opf.manifest[idref], len(chapters) + 1, images)
                    if chapter is not None:
                        chapters.append(chapter)
    if not chapters:
        raise InputError(f"{path}: the FanFicFare EPUB has no chapters")
    page.title = (opf.texts("title") or [page.title])[0] or title_from_path(path)
    page.authors = tuple(opf.texts("creator")) or page.authors
    page.url = page.url or next(iter(opf.texts("source")), None)
    languages = opf.texts("language")
    page.language_code = languages[0] if languages else None
    story = next((m for i in opf.texts("identifier") if (m := _STORY_ID.match(i))), None)
    page.story_id = story.group(1) if story else None
    return with_skin(build_work(page, chapters, assets=images.assets), skin)
