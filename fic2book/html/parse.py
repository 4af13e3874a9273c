"""Decode and parse HTML files and fragments into lxml trees, tolerantly and within limits.

The first step of every HTML-based reader: bytes are decoded by the one rule for every text
input (:func:`fic2book.readers.common.decode_text`), characters XML cannot hold are dropped,
XHTML's self-closed elements are opened and closed, and nesting deeper than :data:`MAX_DEPTH`
is flattened.
"""

from __future__ import annotations

import logging
import re

from lxml import etree
from lxml import html as lxml_html

from fic2book.errors import InputError
from fic2book.readers.common import decode_text

logger = logging.getLogger(__name__)

#: An element of a parsed tree: lxml's element class, which lxml's API reference and type
#: stubs name ``_Element``; written here once, so the rest of fic2book says ``Element``.
Element = etree._Element

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)
# An XHTML self-closed element that HTML parsers would leave open (``<div id="x"/>``).
_SELF_CLOSED = re.compile(
    r"<(?!(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b)"
    r"([a-zA-Z][\w:.-]*)((?:\s+[^\s/>\"'=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*/>"
)


#: Characters XML 1.0 forbids (tab, newline and carriage return are allowed).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _drop_illegal_reference(match: re.Match[str]) -> str:
    """Drop a numeric character reference to a character XML cannot hold; keep the rest."""
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    legal = (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code < 0xD800
        or 0xE000 <= code < 0xFFFE
        or 0x10000 <= code <= 0x10FFFF
    )
    return match.group(0) if legal else ""


def parse_html(source: str | bytes) -> Element:
    """Parse a whole document or a run of fragments into an ``<html>`` element, tolerantly.

    XHTML's self-closed non-void elements (``<div/>``, ``<a id="x"/>``) are opened and closed
    first, since an HTML parser would leave them open around the rest of the document.
    """
    # Bytes are decoded by the one rule every text input follows (a BOM, UTF-8, <meta charset>…).
    text = decode_text(source, "the HTML", markup=True) if isinstance(source, bytes) else source
    # lxml refuses to store NUL, C0 controls and noncharacters in the tree it builds (a
    # ValueError mid-clean), and none of them can appear in an EPUB's XHTML anyway.
    text = XML_ILLEGAL.sub("", text)
    if "&#" in text:
        # The same characters written as references ("&#1;") would be decoded into the tree.
        text = _NUMERIC_REFERENCE.sub(_drop_illegal_reference, text)
    text = _XML_DECLARATION.sub("", text.lstrip("\ufeff"), count=1)
    text = _SELF_CLOSED.sub(r"<\1\2></\1>", text)
    if not text.strip():
        text = "<html><body></body></html>"
    # huge_tree lifts libxml2's depth (256) and text-node (10 MB) limits, which would drop the
    # rest of a deep or long document silently; the HTML parser expands no entities, input
    # size is capped (fic2book.limits) and depth is flattened below instead.
    parser = lxml_html.HTMLParser(huge_tree=True, no_network=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except etree.ParserError:
        # Only a comment, a doctype or "<!" ("Document is empty"): no content, an empty page.
        return lxml_html.document_fromstring("<html><body></body></html>")
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # libxml2 stops reading at 2,048 levels even with huge_tree; the rest would be lost.
        raise InputError("the HTML nests elements more than 2,048 levels deep; refusing it")
    limit_depth(root)
    return root


#: Deepest element nesting kept; deeper markup is flattened into its text (see limit_depth).
MAX_DEPTH = 48


def limit_depth(root: Element, max_depth: int = MAX_DEPTH) -> int:
    """Flatten every element nested deeper than ``max_depth`` into its text, in place.

    Cleaning, typesetting and WeasyPrint's layout all recurse over the tree, so a hostile
    ``<div>`` nested 100,000 deep would end in a RecursionError.  No story needs more than a
    dozen levels; past ``max_depth`` the words are kept and the markup is dropped (scripts,
    styles and comments with it).  Returns how many subtrees were flattened.
    """
    flattened = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth < max_depth:
            stack.extend((child, depth + 1) for child in element)
            continue
        if not len(element):
            continue
        words: list[str] = [element.text or ""]
        for node in element.iterdescendants():
            if isinstance(node.tag, str) and node.tag not in ("script", "style"):
                words.append(node.text or "")
            words.append(node.tail or "")
        for child in list(element):
            element.remove(child)
        element.text = "".join(words)
        flattened += 1
    if flattened:
        logger.warning("flattened markup nested more than %d levels deep", max_depth)
    return flattened


def text_of(element: Element | None) -> str:
    """The element's text with whitespace runs collapsed to single spaces."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def class_list(element: Element) -> list[str]:
    """The element's classes."""
    return (element.get("class") or "").split()


def remove_keeping_tail(element: Element) -> None:
    """Remove an element and its content but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
