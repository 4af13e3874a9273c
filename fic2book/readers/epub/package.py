"""The package document (OPF): metadata, manifest, spine and the table of contents' labels."""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from fic2book.errors import InputError
from fic2book.html.parse import Element
from fic2book.model import (
    SeriesEntry,
)
from fic2book.readers.epub.archive import (
    CONTAINER,
    OPS_TYPE,
    Archive,
    element_text,
    refuse_drm,
    resolve,
)
from fic2book.readers.epub.content import parse_document

logger = logging.getLogger(__name__)


OPF_MEDIA_TYPE = "application/oebps-package+xml"

AO3_PUBLISHER = "Archive of Our Own"

AO3_MESSAGE = b"Posted originally on the"

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}

_OPF_ROLE = "{http://www.idpf.org/2007/opf}role"

_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml"})

_SPLIT_NAME = re.compile(r".*_split_\d{3}\.x?html?", re.IGNORECASE)

_SKIPPED_TYPES = frozenset({"cover", "title-page", "titlepage", "toc", "nav"})

_SKIPPED_NAMES = re.compile(
    r"(?:.*[_-])?(?:cover|titlepage|title[_-]page|toc|nav|contents|table[_-]of[_-]contents)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Item:
    """A manifest item: its member name, media type and EPUB 3 properties."""

    id: str
    member: str
    media_type: str
    properties: frozenset[str]


@dataclass(frozen=True)
class SpineDocument:
    """A spine document, parsed, with namespaces stripped so it reads as plain HTML."""

    item: _Item
    root: Element
    body: Element
    raw: bytes


@dataclass
class Metadata:
    """What the OPF's ``<metadata>`` says."""

    titles: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    description: str | None = None
    publisher: str | None = None
    dates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    series: list[SeriesEntry] = field(default_factory=list)


class Package:
    """The OPF of an opened EPUB: metadata, manifest, spine and the table of contents labels."""

    def __init__(self, archive: Archive, opf_path: str, root: Element) -> None:
        self.archive = archive
        self.path = archive.path
        self.opf_path = opf_path
        self.metadata = _read_metadata(root)
        self.manifest: dict[str, _Item] = {}
        for item in root.iterfind("{*}manifest/{*}item"):
            href, item_id = item.get("href"), item.get("id")
            member = resolve(opf_path, href) if href else None
            if item_id and member:
                props = frozenset((item.get("properties") or "").split())
                media_type = (item.get("media-type") or "").strip().lower()
                self.manifest[item_id] = _Item(item_id, member, media_type, props)
        self.by_member = {item.member: item for item in self.manifest.values()}
        spine = root.find("{*}spine")
        self.spine: list[_Item] = []
        self.toc_id = spine.get("toc") if spine is not None else None
        if spine is not None:
            for ref in spine.iterfind("{*}itemref"):
                found = self.manifest.get(ref.get("idref") or "")
                if found is not None:
                    self.spine.append(found)
        # Documents that are the cover, title page or contents, by the guide's types.
        self.skipped: set[str] = set()
        for ref in root.iterfind("{*}guide/{*}reference"):
            href = ref.get("href")
            member = resolve(opf_path, href) if href else None
            if member and (ref.get("type") or "").lower() in _SKIPPED_TYPES:
                self.skipped.add(member)
        self.labels: dict[str, str] = {}

    @classmethod
    def load(cls, archive: Archive, path: Path) -> Package:
        """Find the OPF through ``container.xml``, refuse DRM, read the package."""
        refuse_drm(archive)
        opf_path = _find_opf(archive)
        root = archive.xml(opf_path)
        if root is None or etree.QName(root).localname != "package":
            raise InputError(f"{path}: {opf_path!r} is not an OPF package document")
        package = cls(archive, opf_path, root)
        package.labels = package._toc_labels()
        return package

    def _toc_labels(self) -> dict[str, str]:
        """The first contents label of each document: EPUB 3 navigation, else the NCX."""
        labels: dict[str, str] = {}
        for item in self.manifest.values():
            if "nav" in item.properties:
                root = self.archive.xml(item.member) if item.member in self.archive.names else None
                if root is not None:
                    self._nav_labels(item.member, root, labels)
        ncx = self.manifest.get(self.toc_id or "")
        if ncx is None:
            ncx = next(
                (i for i in self.manifest.values() if i.media_type == "application/x-dtbncx+xml"),
                None,
            )
        if ncx is not None and ncx.member in self.archive.names:
            root = self.archive.xml(ncx.member)
            if root is not None:
                for point in root.iter("{*}navPoint"):
                    text = point.findtext("{*}navLabel/{*}text")
                    content = point.find("{*}content")
                    src = content.get("src") if content is not None else None
                    member = resolve(ncx.member, src) if src else None
                    if member and text and text.strip():
                        labels.setdefault(member, " ".join(text.split()))
        return labels

    def _nav_labels(self, member: str, root: Element, labels: dict[str, str]) -> None:
        """Collect ``toc`` labels and ``landmarks`` types from an EPUB 3 navigation document."""
        for nav in root.iter("{*}nav"):
            kind = (nav.get(OPS_TYPE) or "").split()
            for link in nav.iter("{*}a"):
                href = link.get("href")
                target = resolve(member, href) if href else None
                if target is None:
                    continue
                if "toc" in kind:
                    text = " ".join("".join(link.itertext()).split())
                    if text:
                        labels.setdefault(target, text)
                elif "landmarks" in kind and (link.get(OPS_TYPE) or "") in _SKIPPED_TYPES:
                    self.skipped.add(target)

    def spine_documents(self) -> list[SpineDocument]:
        """The spine's (X)HTML documents in reading order, parsed."""
        documents = []
        for item in self.spine:
            if item.media_type not in _XHTML_TYPES or "nav" in item.properties:
                continue
            raw = self.archive.read(item.member)
            if raw is None:
                logger.warning("%s: the spine names a missing file %r", self.path.name, item.member)
                continue
            root = parse_document(raw, f"{self.path}: {item.member}")
            body = root.find("body")
            if body is not None:
                documents.append(SpineDocument(item, root, body, raw))
        return documents

    def is_ao3(self, first: SpineDocument) -> bool:
        """Whether this is AO3's download: its publisher, its preface message or split names."""
        if (self.metadata.publisher or "").strip() == AO3_PUBLISHER:
            return True
        if AO3_MESSAGE in first.raw and b"Archive of Our Own" in first.raw:
            return True
        split = all(_SPLIT_NAME.fullmatch(posixpath.basename(i.member)) for i in self.spine)
        return split and first.body.find(".//*[@id='preface']") is not None


def _find_opf(archive: Archive) -> str:
    """The OPF named by ``container.xml``; without one, the only ``.opf`` in the archive."""
    container = archive.xml(CONTAINER)
    if container is not None:
        for rootfile in container.iter("{*}rootfile"):
            full_path = rootfile.get("full-path")
            media_type = rootfile.get("media-type") or OPF_MEDIA_TYPE
            if full_path and media_type == OPF_MEDIA_TYPE and full_path in archive.names:
                return full_path
    candidates = sorted(name for name in archive.names if name.lower().endswith(".opf"))
    if len(candidates) == 1:
        return candidates[0]
    raise InputError(f"{archive.path}: no OPF package document inside; not an EPUB?")


def _read_metadata(root: Element) -> Metadata:
    """Read Dublin Core and the calibre and EPUB 3 series metas from ``<metadata>``."""
    found = Metadata()
    metadata = root.find("{*}metadata")
    if metadata is None:
        return found
    refines: dict[str, dict[str, str]] = {}
    for meta in metadata.iter("{*}meta"):
        target = (meta.get("refines") or "").lstrip("#")
        if target and meta.get("property"):
            refines.setdefault(target, {})[meta.get("property") or ""] = element_text(meta)
    calibre: dict[str, str] = {}
    collections: list[tuple[str, str]] = []
    for element in metadata.iter(tag=etree.Element):
        qname = etree.QName(element)
        if qname.namespace and qname.namespace.startswith("http://purl.org/dc/elements/"):
            _add_dublin_core(found, qname.localname, element, refines)
        elif qname.localname == "meta":
            name = element.get("name")
            if name and name.startswith("calibre:"):
                calibre[name] = element.get("content") or ""
            elif element.get("property") == "belongs-to-collection" and not element.get("refines"):
                collections.append((element.get("id") or "", element_text(element)))
    if calibre.get("calibre:series", "").strip():
        found.series.append(
            SeriesEntry(
                calibre["calibre:series"].strip(), _part(calibre.get("calibre:series_index"))
            )
        )
    for collection_id, name in collections:
        if name and all(entry.name != name for entry in found.series):
            position = refines.get(collection_id, {}).get("group-position")
            found.series.append(SeriesEntry(name, _part(position)))
    return found


def _add_dublin_core(
    found: Metadata, name: str, element: Element, refines: dict[str, dict[str, str]]
) -> None:
    """Record one ``dc:`` element."""
    value = element_text(element)
    if not value:
        return
    if name == "title":
        found.titles.append(value)
    elif name == "creator":
        role = element.get(_OPF_ROLE) or refines.get(element.get("id") or "", {}).get("role")
        if role in (None, "", "aut"):
            found.creators.append(value)
    elif name == "language":
        found.languages.append(value)
    elif name == "subject":
        found.subjects.append(value)
    elif name == "description" and found.description is None:
        found.description = "".join(element.itertext())
    elif name == "publisher" and found.publisher is None:
        found.publisher = value
    elif name == "date":
        found.dates.append(value)
    elif name == "identifier":
        found.identifiers.append(value)
    elif name == "source":
        found.sources.append(value)


def _part(index: str | None) -> int | None:
    """A series position ("2", "2.0"); fractional or missing positions have no part number."""
    try:
        number = float(index) if index else None
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() and number > 0 else None


def skipped(package: Package, document: SpineDocument) -> bool:
    """Whether a document is the cover, title page or contents rather than part of the story."""
    member = document.item.member
    if member in package.skipped:
        return True
    stem = posixpath.splitext(posixpath.basename(member))[0]
    if _SKIPPED_NAMES.fullmatch(stem) or _SKIPPED_NAMES.fullmatch(document.item.id):
        return True
    types = " ".join(
        element.get("data-epub-type") or element.get("epub:type") or ""
        for element in (document.body, *document.body[:1])
    )
    return any(kind in _SKIPPED_TYPES for kind in types.split())
