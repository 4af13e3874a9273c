"""Reader for EPUB files: AO3's own downloads in full, any other EPUB on a best-effort basis.

An EPUB is untrusted input from the web, so it is opened by hand rather than with ebooklib's
reader: :mod:`zipfile` with caps on member count and sizes (zip bombs), member names checked
for ``..`` and absolute paths (zip slip; nothing is ever extracted to disk either), and every
XML document parsed by lxml without DTDs, entity expansion or network access (XXE, billion
laughs).  Encrypted (DRM) books are refused with a clear message.

AO3's EPUBs (EPUB 2 by calibre, the download HTML split into ``Title_split_NNN.xhtml``) are
recognised by their publisher, the "Posted originally on the Archive of Our Own" preface or
calibre's split names with AO3's ``#preface``; their bodies are joined in spine order and
handed to the AO3 HTML reader, which knows the preface, chapters, notes and afterword.  The
OPF fills in what that HTML lacks (calibre's series, the language).

Any other EPUB gives its metadata from the OPF (title, creators, language, subjects as tags,
description as summary, date, identifiers, calibre or EPUB 3 series) and one chapter per spine
document, titled from the NCX or navigation document or the first heading, skipping the
navigation, cover and title pages.  Images inside the EPUB are embedded in the new book.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_markup
from fic2book.html.images import MAX_IMAGE_BYTES, image_href, sniff_image
from fic2book.html.sanitize import text_block
from fic2book.language import language_tag
from fic2book.model import (
    Asset,
    Chapter,
    ExtraField,
    SeriesEntry,
    Stats,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers.common import ao3_work_id, title_from_path, web_url
from fic2book.readers.headings import keep_heading, split_heading

logger = logging.getLogger(__name__)

#: Largest uncompressed member; a fan work's biggest file is an image of a few MiB.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: Largest total uncompressed size of all members.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: Most members an archive may list.
MAX_MEMBERS = 10_000

CONTAINER = "META-INF/container.xml"
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
_OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml"})
# Font obfuscation (IDPF and Adobe) scrambles fonts only; everything else in encryption.xml
# means the text itself is encrypted.
_FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)
_SPLIT_NAME = re.compile(r".*_split_\d{3}\.x?html?", re.IGNORECASE)
_SKIPPED_TYPES = frozenset({"cover", "title-page", "titlepage", "toc", "nav"})
_SKIPPED_NAMES = re.compile(
    r"(?:.*[_-])?(?:cover|titlepage|title[_-]page|toc|nav|contents|table[_-]of[_-]contents)",
    re.IGNORECASE,
)
_UUID = re.compile(
    r"(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I
)
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_HEADINGS = ("h1", "h2", "h3")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_C0_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# AO3's fixed vocabularies, to sort flat subjects (calibre's dc:subject has no types).
_RATINGS = frozenset(
    {"General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"}
)
_WARNINGS = frozenset(
    {
        "Creator Chose Not To Use Archive Warnings",
        "Choose Not To Use Archive Warnings",
        "No Archive Warnings Apply",
        "Graphic Depictions Of Violence",
        "Major Character Death",
        "Rape/Non-Con",
        "Underage",
        "Underage Sex",
    }
)
_CATEGORIES = frozenset({"Gen", "F/M", "M/M", "F/F", "Multi", "Other"})


def _xml_parser() -> etree.XMLParser:
    """A parser that never loads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class EpubReader:
    """EPUB 2 and 3 books: AO3's downloads in full, others from their metadata and spine."""

    def sniff(self, head: bytes) -> int:
        """100 for a zip whose first member is the EPUB ``mimetype``, 20 for another zip."""
        if not head.startswith(b"PK\x03\x04"):
            return 0
        return 100 if b"mimetypeapplication/epub+zip" in head[:100] else 20

    def read(self, path: Path) -> Work:
        """Parse ``path`` into a :class:`Work`; unusable input raises :class:`InputError`."""
        with _open_archive(path) as archive:
            package = _Package.load(archive, path)
            if any(i.startswith("fanficfare-uid:") for i in package.metadata.identifiers):
                # FanFicFare's book, its marks past the sniffed head (large images come first).
                from fic2book.readers.fanficfare.epub import read_fanficfare_epub

                return read_fanficfare_epub(path)
            documents = package.spine_documents()
            if not documents:
                raise InputError(f"{path}: the EPUB's spine lists no readable documents")
            if package.is_ao3(documents[0]):
                return _read_ao3(package, documents, path)
            return _read_generic(package, documents, path)


# ---------------------------------------------------------------------------------------------
# The archive


class _Archive:
    """A zip opened for reading with every member name checked and every read capped."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self.zip = archive
        self.path = path
        self.read_total = 0
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"{path}: the EPUB lists {len(infos)} files; refusing (zip bomb?)")
        total = 0
        for info in infos:
            if not _safe_member_name(info.filename):
                raise InputError(f"{path}: unsafe file name inside the EPUB: {info.filename!r}")
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(
                    f"{path}: {info.filename!r} would unpack to {info.file_size:,} bytes;"
                    f" refusing files over {MAX_MEMBER_BYTES:,} (zip bomb?)"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise InputError(
                f"{path}: the EPUB would unpack to {total:,} bytes;"
                f" refusing more than {MAX_TOTAL_BYTES:,} (zip bomb?)"
            )
        self.names = {info.filename for info in infos}

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def read(self, name: str) -> bytes | None:
        """The member's bytes, or ``None`` when there is no such member."""
        if name not in self.names:
            return None
        try:
            with self.zip.open(name) as member:
                # The header's size is checked already; a header that lies is caught here.
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            raise InputError(f"{self.path}: {name!r} is damaged inside the EPUB ({err})") from err
        except RuntimeError as err:  # zipfile's "File is encrypted, password required"
            raise InputError(f"{self.path}: the EPUB is password-protected") from err
        except NotImplementedError as err:
            raise InputError(f"{self.path}: {name!r} uses an unsupported compression") from err
        self.read_total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self.read_total > MAX_TOTAL_BYTES:
            raise InputError(f"{self.path}: {name!r} unpacks to too much data (zip bomb?)")
        return data

    def xml(self, name: str) -> etree._Element | None:
        """Parse a member as XML safely; ``None`` when it is missing."""
        data = self.read(name)
        if data is None:
            return None
        return _parse_xml(data, f"{self.path}: {name}")


def _open_archive(path: Path) -> _Archive:
    """Open ``path`` as a zip, turning every way of not being one into :class:`InputError`."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise InputError(f"{path}: not an EPUB (not a zip archive)") from err
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    try:
        return _Archive(archive, path)
    except BaseException:
        archive.close()
        raise


def _safe_member_name(name: str) -> bool:
    """Whether a member name stays inside the archive: no ``..``, root, drive or NUL."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    return ".." not in re.split(r"[/\\]", name)


def _parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML with no DTD, no entity expansion and no network; refuse entity declarations."""
    if _ENTITY_DECLARATION.search(data[:65536]):
        # Nothing legitimate in an EPUB declares entities; expanding them is how XXE and
        # "billion laughs" attacks work, so the file is refused rather than half-read.
        raise InputError(f"{where}: declares XML entities; refusing (unsafe XML)")
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as err:
        raise InputError(f"{where}: not well-formed XML ({err})") from err
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{where}: declares XML entities; refusing (unsafe XML)")
    return root


def _resolve(base: str, href: str) -> str | None:
    """The member an ``href`` in member ``base`` points at, without its fragment.

    ``None`` for web links and paths leaving the archive; ``base`` itself for ``#fragment``.
    """
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    target = unquote(parts.path)
    if not target:
        return base
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith(("/", "../")) or joined == "..":
        return None
    return joined


# ---------------------------------------------------------------------------------------------
# The package document


@dataclass(frozen=True)
class _Item:
    """A manifest item: its member name, media type and EPUB 3 properties."""

    id: str
    member: str
    media_type: str
    properties: frozenset[str]


@dataclass(frozen=True)
class _Document:
    """A spine document, parsed, with namespaces stripped so it reads as plain HTML."""

    item: _Item
    root: etree._Element
    body: etree._Element
    raw: bytes


@dataclass
class _Metadata:
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


class _Package:
    """The OPF of an opened EPUB: metadata, manifest, spine and the table of contents labels."""

    def __init__(self, archive: _Archive, opf_path: str, root: etree._Element) -> None:
        self.archive = archive
        self.path = archive.path
        self.opf_path = opf_path
        self.metadata = _read_metadata(root)
        self.manifest: dict[str, _Item] = {}
        for item in root.iterfind("{*}manifest/{*}item"):
            href, item_id = item.get("href"), item.get("id")
            member = _resolve(opf_path, href) if href else None
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
            member = _resolve(opf_path, href) if href else None
            if member and (ref.get("type") or "").lower() in _SKIPPED_TYPES:
                self.skipped.add(member)
        self.labels: dict[str, str] = {}

    @classmethod
    def load(cls, archive: _Archive, path: Path) -> _Package:
        """Find the OPF through ``container.xml``, refuse DRM, read the package."""
        _refuse_drm(archive)
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
                    member = _resolve(ncx.member, src) if src else None
                    if member and text and text.strip():
                        labels.setdefault(member, " ".join(text.split()))
        return labels

    def _nav_labels(self, member: str, root: etree._Element, labels: dict[str, str]) -> None:
        """Collect ``toc`` labels and ``landmarks`` types from an EPUB 3 navigation document."""
        for nav in root.iter("{*}nav"):
            kind = (nav.get(_OPS_TYPE) or "").split()
            for link in nav.iter("{*}a"):
                href = link.get("href")
                target = _resolve(member, href) if href else None
                if target is None:
                    continue
                if "toc" in kind:
                    text = " ".join("".join(link.itertext()).split())
                    if text:
                        labels.setdefault(target, text)
                elif "landmarks" in kind and (link.get(_OPS_TYPE) or "") in _SKIPPED_TYPES:
                    self.skipped.add(target)

    def spine_documents(self) -> list[_Document]:
        """The spine's (X)HTML documents in reading order, parsed."""
        documents = []
        for item in self.spine:
            if item.media_type not in _XHTML_TYPES or "nav" in item.properties:
                continue
            raw = self.archive.read(item.member)
            if raw is None:
                logger.warning("%s: the spine names a missing file %r", self.path.name, item.member)
                continue
            root = _parse_document(raw, f"{self.path}: {item.member}")
            body = root.find("body")
            if body is not None:
                documents.append(_Document(item, root, body, raw))
        return documents

    def is_ao3(self, first: _Document) -> bool:
        """Whether this is AO3's download: its publisher, its preface message or split names."""
        if (self.metadata.publisher or "").strip() == AO3_PUBLISHER:
            return True
        if AO3_MESSAGE in first.raw and b"Archive of Our Own" in first.raw:
            return True
        split = all(_SPLIT_NAME.fullmatch(posixpath.basename(i.member)) for i in self.spine)
        return split and first.body.find(".//*[@id='preface']") is not None


def _refuse_drm(archive: _Archive) -> None:
    """Raise for Adobe or other DRM: ``rights.xml``, or encrypted content in encryption.xml."""
    if "META-INF/rights.xml" in archive.names:
        raise InputError(f"{archive.path}: encrypted (DRM) EPUB; fic2book cannot read it")
    root = archive.xml("META-INF/encryption.xml")
    if root is None:
        return
    for data in root.iter("{*}EncryptedData"):
        method = data.find("{*}EncryptionMethod")
        algorithm = method.get("Algorithm") if method is not None else None
        if algorithm not in _FONT_OBFUSCATION:
            raise InputError(f"{archive.path}: encrypted (DRM) EPUB; fic2book cannot read it")


def _find_opf(archive: _Archive) -> str:
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


def _text(element: etree._Element) -> str:
    """The element's text with whitespace collapsed (entity references are left out)."""
    return " ".join("".join(element.itertext(with_tail=False)).split())


def _read_metadata(root: etree._Element) -> _Metadata:
    """Read Dublin Core and the calibre and EPUB 3 series metas from ``<metadata>``."""
    found = _Metadata()
    metadata = root.find("{*}metadata")
    if metadata is None:
        return found
    refines: dict[str, dict[str, str]] = {}
    for meta in metadata.iter("{*}meta"):
        target = (meta.get("refines") or "").lstrip("#")
        if target and meta.get("property"):
            refines.setdefault(target, {})[meta.get("property") or ""] = _text(meta)
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
                collections.append((element.get("id") or "", _text(element)))
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
    found: _Metadata, name: str, element: etree._Element, refines: dict[str, dict[str, str]]
) -> None:
    """Record one ``dc:`` element."""
    value = _text(element)
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


# ---------------------------------------------------------------------------------------------
# Content documents


def _parse_document(raw: bytes, where: str) -> etree._Element:
    """Parse an XHTML document safely, with the HTML parser as a fallback for tag soup.

    Namespaces are stripped (``<html:p>`` → ``<p>``, ``xml:lang`` → ``lang``, ``epub:type``
    dropped) so the rest of fic2book sees ordinary HTML.
    """
    try:
        root = _parse_xml(raw, where)
    except InputError as err:
        if "entities" in str(err):
            raise
        # Many EPUB generators write HTML, not XHTML; libxml2's HTML parser loads no DTD.
        parser = lxml_html.HTMLParser(no_network=True, remove_comments=False)
        if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            # libxml2's HTML parser keeps C0 controls that lxml then refuses to set as text
            # (a ValueError when links are unwrapped); in UTF-8 those bytes are only controls.
            raw = _C0_BYTES.sub(b"", raw)
        try:
            root = lxml_html.document_fromstring(raw, parser=parser)
        except (etree.ParserError, ValueError) as html_err:
            raise InputError(f"{where}: cannot be parsed ({html_err})") from html_err
    for element in root.iter(tag=etree.Element):
        try:
            element.tag = etree.QName(element).localname
        except ValueError:
            # libxml2's HTML parser accepts names like "a<" that lxml will not set; a <span>
            # keeps the element's text and is unwrapped by the cleaner.
            element.tag = "span"
        for name in list(element.attrib):
            if not name.startswith("{"):
                continue
            value = element.attrib.pop(name)
            if name == _XML_LANG and "lang" not in element.attrib:
                element.set("lang", value)
            elif name == _OPS_TYPE:
                element.set("data-epub-type", value)
    etree.cleanup_namespaces(root)
    return root


def _inner_html(element: etree._Element) -> str:
    """The element's content as HTML (``<br>``, ``<div></div>``: never XML's ``<div/>``)."""
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(
        etree.tostring(child, method="html", encoding="unicode", with_tail=True)
        for child in element
    )
    return "".join(parts)


class _Images:
    """Images inside the EPUB, embedded as :class:`Asset` under unique ASCII names."""

    def __init__(self, archive: _Archive) -> None:
        self.archive = archive
        self.by_member: dict[str, Asset | None] = {}
        self.hrefs: set[str] = set()

    def asset(self, member: str | None) -> Asset | None:
        """The asset for a member, ``None`` when it is missing or not a usable image.

        Images are identified by their bytes (``html.images.sniff_image``: PNG, JPEG, GIF and
        WebP kept, other rasters converted, SVG refused since it can carry scripts).
        """
        if member is None or member not in self.archive.names:
            return None
        if member in self.by_member:
            return self.by_member[member]
        data = self.archive.read(member)
        sniffed = sniff_image(data, member) if data and len(data) <= MAX_IMAGE_BYTES else None
        asset = None
        if sniffed is not None:
            content, media_type, suffix = sniffed
            stem = posixpath.splitext(posixpath.basename(member))[0]
            asset = Asset(image_href(stem, suffix, self.hrefs), media_type, content)
        self.by_member[member] = asset
        return asset

    @property
    def assets(self) -> tuple[Asset, ...]:
        """Every asset found so far, in first-use order."""
        return tuple(asset for asset in self.by_member.values() if asset is not None)


def _images_to_members(document: _Document) -> None:
    """Point each in-book ``<img>`` at its archive member name (what ``load_asset`` takes)."""
    for img in document.body.iter("img"):
        src = img.get("src")
        member = _resolve(document.item.member, src) if src else None
        if member is not None:
            img.set("src", member)


def _unlink_internal(body: etree._Element) -> None:
    """Unwrap links into the old book's files: they would point at nothing in the new one.

    The link text stays; an ``<a>`` without ``href`` is invalid in EPUB 3, so the element goes.
    """
    for link in list(body.iter("a")):
        href = (link.get("href") or "").strip()
        if not re.match(r"(?:https?|mailto):", href, re.IGNORECASE):
            _unwrap(link)


def _unwrap(element: etree._Element) -> None:
    """Replace an element by its content (text, children and tail)."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    leading = (element.text or "") if len(element) else (element.text or "") + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + leading
    else:
        parent.text = (parent.text or "") + leading
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


# ---------------------------------------------------------------------------------------------
# AO3's own EPUBs


def _read_ao3(package: _Package, documents: list[_Document], path: Path) -> Work:
    """Join the split files' bodies and let the AO3 HTML reader parse the download."""
    from fic2book.readers.ao3_html import work_from_ao3_html

    images = _Images(package.archive)
    for document in documents:
        _images_to_members(document)
    title = documents[0].root.findtext("head/title") or ""
    joined = "\n".join(_inner_html(document.body) for document in documents)
    source = f"<html><head><title>{html.escape(title)}</title></head><body>{joined}</body></html>"

    def load_asset(src: str) -> Asset | None:
        # The sources were rewritten to member names above; tolerate one more URL-quoting.
        member = posixpath.normpath(unquote(urlsplit(src.strip()).path))
        return images.asset(member if member in package.archive.names else src)

    work = work_from_ao3_html(source, source_name=path.name, load_asset=load_asset)
    return _fill_from_opf(work, package.metadata)


def _fill_from_opf(work: Work, metadata: _Metadata) -> Work:
    """Add what the AO3 HTML lacked and the OPF has: calibre's series, language, URL."""
    changes: dict[str, object] = {}
    if not work.series and metadata.series:
        changes["series"] = tuple(metadata.series)
    if work.language_name is None and metadata.languages:
        changes["language"] = language_tag(metadata.languages[0])
    if work.url is None:
        url = _web_url(metadata)
        if url is not None:
            changes["url"] = url
            if work.work_id is None and ao3_work_id(url) is not None:
                changes["work_id"] = ao3_work_id(url)
    return dataclasses.replace(work, **changes) if changes else work  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Any other EPUB


def _read_generic(package: _Package, documents: list[_Document], path: Path) -> Work:
    """One chapter per content document; metadata from the OPF."""
    metadata = package.metadata
    images = _Images(package.archive)
    chapters: list[Chapter] = []
    for document in documents:
        if _skipped(package, document):
            continue
        chapter = _chapter(package, document, images, len(chapters) + 1)
        if chapter is not None:
            chapters.append(chapter)
    if not chapters:
        raise InputError(f"{path}: the EPUB has no text")
    chaptered = len(chapters) > 1 or chapters[0].title is not None
    if not chaptered:
        chapters[0] = dataclasses.replace(chapters[0], title=None, label=None)
    language = metadata.languages[0] if metadata.languages else None
    url = _web_url(metadata)
    return Work(
        title=metadata.titles[0] if metadata.titles else title_from_path(path),
        authors=tuple(dict.fromkeys(metadata.creators)) or ("Anonymous",),
        language=language_tag(language),
        language_name=_language_name(language),
        chapters=tuple(chapters),
        tag_groups=_tag_groups(metadata.subjects),
        series=tuple(metadata.series),
        stats=Stats(published=_date(metadata.dates)),
        summary=_summary(metadata.description),
        work_id=ao3_work_id(url),
        url=url,
        extra_fields=_extras(metadata),
        assets=images.assets,
        chaptered=chaptered,
    )


def _skipped(package: _Package, document: _Document) -> bool:
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


def _chapter(
    package: _Package, document: _Document, images: _Images, number: int
) -> Chapter | None:
    """Turn one content document into a chapter; ``None`` when it has no text or image."""
    body = document.body
    heading = next((el for el in body.iter(*_HEADINGS)), None)
    heading_text = _text(heading) if heading is not None else ""
    label = package.labels.get(document.item.member)
    if heading is not None and (label is None or _same_heading(label, heading_text)):
        # The book prints the heading itself; keeping it in the body would print it twice.
        label = label or heading_text
        _remove_keeping_tail(heading)
    _unlink_internal(body)
    member = document.item.member
    markup = clean_markup(
        _inner_html(body),
        context=f"{package.path.name}: {member}",
        load_asset=lambda src: images.asset(_resolve(member, src)),
    )
    if markup is None:
        return None
    title, chapter_label = keep_heading(label, number) if label else (None, None)
    return Chapter(number=number, title=title, body=markup, label=chapter_label)


def _same_heading(label: str, heading: str) -> bool:
    """Whether a contents label and a heading name the same chapter ("Chapter 2: X" and "X")."""

    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    return key(label) == key(heading) or key(split_heading(label)[0] or "") == key(heading)


def _remove_keeping_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _language_name(code: str | None) -> str | None:
    """The language's own name for display ("Français"), or ``None``."""
    if not code:
        return None
    import langcodes

    try:
        name = str(langcodes.Language.get(language_tag(code)).autonym())
    except (ValueError, LookupError):
        return None
    return name[:1].upper() + name[1:] if name else None


def _tag_groups(subjects: list[str]) -> tuple[TagGroup, ...]:
    """Sort flat subjects: AO3's fixed ratings, warnings and categories, the rest as tags."""
    groups: dict[TagKind, list[str]] = {}
    for subject in subjects:
        if subject == "Fanworks":
            continue  # AO3 puts it first so Apple Books shows it as the category.
        if subject in _RATINGS:
            kind = TagKind.RATING
        elif subject in _WARNINGS:
            kind = TagKind.WARNINGS
        elif subject in _CATEGORIES:
            kind = TagKind.CATEGORIES
        else:
            kind = TagKind.ADDITIONAL_TAGS
        tags = groups.setdefault(kind, [])
        if subject not in tags:
            tags.append(subject)
    return tuple(TagGroup(kind, tuple(groups[kind])) for kind in TagKind if kind in groups)


def _summary(description: str | None) -> Markup | None:
    """The description as markup: HTML cleaned, plain text escaped."""
    if description is None or not description.strip():
        return None
    if re.search(r"<[a-zA-Z/]", description):
        return clean_markup(description, context="the EPUB's description")
    return text_block(description)


def _date(values: list[str]) -> dt.date | None:
    """The first ISO date (``2024``, ``2024-05`` or ``2024-05-06T…``)."""
    for value in values:
        match = _ISO_DATE.match(value.strip())
        if match is None:
            continue
        try:
            return dt.date(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
        except ValueError:
            continue
    return None


def _web_url(metadata: _Metadata) -> str | None:
    """The first web link among the identifiers and sources (``url:`` prefixes dropped)."""
    for value in _iter_ids(metadata):
        if web_url(value) is not None:
            return value
    return None


def _iter_ids(metadata: _Metadata) -> Iterator[str]:
    for value in [*metadata.sources, *metadata.identifiers]:
        yield re.sub(r"^(?:url|uri):", "", value.strip(), flags=re.IGNORECASE)


def _extras(metadata: _Metadata) -> tuple[ExtraField, ...]:
    """What has no slot in the model: the publisher and identifiers other than UUIDs and links."""
    extras = []
    if metadata.publisher and metadata.publisher != AO3_PUBLISHER:
        extras.append(ExtraField("Publisher", metadata.publisher))
    for value in _iter_ids(metadata):
        if not _UUID.fullmatch(value) and web_url(value) is None:
            extras.append(ExtraField("Identifier", value))
    return tuple(extras)


__all__ = ["MAX_MEMBERS", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "EpubReader"]
