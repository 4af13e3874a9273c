"""The EPUB's landmarks: where a reading system's "go to" menu takes the reader.

EPUB 3 reading systems offer "go to the cover / title page / contents / beginning" from the
``landmarks`` list of the nav document.  ebooklib writes that list from ``book.guide`` when
its ``epub3_landmark`` option is on (:func:`landmarks` makes the entries), but shows it on
the contents page, which is in the reading order; :func:`hide_landmarks` sets the list's
``hidden`` attribute after ebooklib has written the book, as EPUB 3 provides, so the contents
page shows the contents alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lxml import etree

from fic2book.labels import Labels

__all__ = ["NAV_FILE", "hide_landmarks", "landmarks"]

#: The nav document's name (ebooklib's default, named here for the landmarks).
NAV_FILE = "nav.xhtml"

_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


class Page(Protocol):
    """What a landmark needs of a content document (the EPUB backend's ``Document``)."""

    @property
    def uid(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def title(self) -> str: ...


def landmarks(documents: Sequence[Page], labels: Labels) -> list[dict[str, str]]:
    """The book's landmarks, as ebooklib's ``book.guide`` takes them.

    The cover page and the title page when the book has them (an omnibus's own title page),
    the contents, and ``bodymatter``, where the story starts: the first chapter, the first
    work's in an omnibus.
    """
    by_uid = {doc.uid: doc for doc in documents}
    marks = []
    for uid, kind in (("cover", "cover"), ("title_page", "titlepage")):
        if uid in by_uid:
            doc = by_uid[uid]
            marks.append({"href": doc.file_name, "title": doc.title, "type": kind})
    marks.append({"href": NAV_FILE, "title": labels.gettext("Contents"), "type": "toc"})
    first = next((doc for doc in documents if doc.uid.endswith("chap_001")), None)
    if first is not None:
        marks.append({"href": first.file_name, "title": first.title, "type": "bodymatter"})
    return marks


def hide_landmarks(nav: bytes) -> bytes:
    """The nav document with ``hidden`` on its ``landmarks`` nav, otherwise as written."""
    root = etree.fromstring(nav, etree.XMLParser(resolve_entities=False, no_network=True))
    found = [
        element
        for element in root.iter(f"{_XHTML}nav")
        if "landmarks" in (element.get(_EPUB_TYPE) or "").split()
    ]
    if not found:
        return nav
    for element in found:
        element.set("hidden", "hidden")
    data: bytes = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    return data
