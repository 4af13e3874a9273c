"""Content documents: parsed safely, namespaces dropped, images and internal links resolved."""

from __future__ import annotations

import html
import posixpath
import re

from lxml import etree
from lxml import html as lxml_html

from fic2book.errors import InputError
from fic2book.html.images import MAX_IMAGE_BYTES, image_href, sniff_image
from fic2book.html.parse import Element
from fic2book.model import (
    Asset,
)
from fic2book.readers.epub.archive import OPS_TYPE, XML_LANG, Archive, parse_xml

CHAPTER_HEADINGS = ("h1", "h2", "h3")

_C0_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_document(raw: bytes, where: str) -> Element:
    """Parse an XHTML document safely, with the HTML parser as a fallback for tag soup.

    Namespaces are stripped (``<html:p>`` → ``<p>``, ``xml:lang`` → ``lang``, ``epub:type``
    dropped) so the rest of fic2book sees ordinary HTML.
    """
    try:
        root = parse_xml(raw, where)
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
            if name == XML_LANG and "lang" not in element.attrib:
                element.set("lang", value)
            elif name == OPS_TYPE:
                element.set("data-epub-type", value)
    etree.cleanup_namespaces(root)
    return root


def inner_html(element: Element) -> str:
    """The element's content as HTML (``<br>``, ``<div></div>``: never XML's ``<div/>``)."""
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(
        etree.tostring(child, method="html", encoding="unicode", with_tail=True)
        for child in element
    )
    return "".join(parts)


class Images:
    """Images inside the EPUB, embedded as :class:`Asset` under unique ASCII names."""

    def __init__(self, archive: Archive) -> None:
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


def unlink_internal(body: Element) -> None:
    """Unwrap links into the old book's files: they would point at nothing in the new one.

    The link text stays; an ``<a>`` without ``href`` is invalid in EPUB 3, so the element goes.
    """
    for link in list(body.iter("a")):
        href = (link.get("href") or "").strip()
        if not re.match(r"(?:https?|mailto):", href, re.IGNORECASE):
            _unwrap(link)


def _unwrap(element: Element) -> None:
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
