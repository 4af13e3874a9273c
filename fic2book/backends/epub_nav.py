"""The "new" mark on the EPUB's contents page, as markup the stylesheets can set apart.

ebooklib writes the contents page (``nav.xhtml``) itself, each entry's label as plain text,
so a chapter ``fic2book update`` marks reads "Chapter 3 (new)" with nothing to style.  After
ebooklib has written the book, :func:`mark_new_entries` wraps that trailing "(new)" of the
marked entries in ``<span class="new">``, as the PDF's contents has it: the word stays in the
text (a screen reader reads "Chapter 3, new"; the NCX of older readers keeps the plain
label), and book.css and the themes give it its look.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

__all__ = ["MARK_CLASS", "mark_new_entries"]

#: The class of the mark, in the EPUB's contents as in the PDF's.
MARK_CLASS = "new"

_XHTML = "{http://www.w3.org/1999/xhtml}"


def mark_new_entries(nav: bytes, marked: Mapping[str, tuple[str, str]]) -> bytes:
    """``nav`` with the mark of each entry in ``marked`` in a span of its own.

    ``marked`` maps a document's file name to its label and its mark ("Chapter 3",
    "(new)"): an entry is changed only when its text is exactly "label mark", so nothing
    else on the page can be touched.
    """
    if not marked:
        return nav
    root = etree.fromstring(nav, etree.XMLParser(resolve_entities=False, no_network=True))
    for link in root.iter(f"{_XHTML}a"):
        entry = marked.get(str(link.get("href") or ""))
        if entry is None or len(link) or link.text != f"{entry[0]} {entry[1]}":
            continue
        link.text = f"{entry[0]} "
        span = etree.SubElement(link, f"{_XHTML}span", {"class": MARK_CLASS})
        span.text = entry[1]
    data: bytes = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    return data
