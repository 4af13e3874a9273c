"""Kobo KEPUB backend: the EPUB, with every sentence in a ``koboSpan`` (``--to kepub``).

Kobo's e-readers open a ``.kepub.epub`` file with their own renderer, which keeps the reading
position, highlights, page numbers and reading statistics by the ids of ``<span
class="koboSpan" id="kobo.P.S">`` elements: ``P`` counts the blocks (paragraphs, headings,
list items) of a content document from 1 and ``S`` the sentences within one block from 1.
A plain EPUB renamed to ``.kepub.epub`` opens too, but without those spans the reader loses
its place inside a chapter.  Converters such as kepubify add the spans and wrap each body's
content in ``<div id="book-columns"><div id="book-inner">``, which Kobo's renderer lays out
in columns; this backend does the same to the EPUB backend's own output.

The book is the EPUB backend's (:func:`build_epub`), so it has the same metadata,
navigation and reproducible zip.  Each XHTML content document is parsed with lxml and
changed only by adding elements: no text is moved out of its element, dropped or rewritten,
so a document's text content is the same before and after (the tests check it).

Sentences are split by one simple rule, :func:`sentences`: a sentence ends after ``.``,
``!``, ``?`` or ``…`` (with any closing quotes or brackets) followed by white space, which
stays with the sentence it follows; or after the CJK full stops ``。！？`` (with closing
quotes ``」』”）``), which need no space.  "Mr. Smith" is split in two, which costs Kobo
nothing: a span is only a place to point at.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lxml import etree

from fic2book.backends import register
from fic2book.backends.epub import build_epub
from fic2book.backends.epub_metadata import build_time, epub_language
from fic2book.backends.epub_zip import finish_zip
from fic2book.errors import OutputError, RenderError
from fic2book.html.parse import Element
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.progress import report

_XHTML = "http://www.w3.org/1999/xhtml"

#: The class and id prefix Kobo's renderer looks for.
SPAN_CLASS = "koboSpan"

#: Elements that start a new ``P`` number for the text inside them.
BLOCKS: frozenset[str] = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div",
        "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip

#: Elements whose text is not reading text (or may not hold a ``<span>``): left alone.
SKIPPED: frozenset[str] = frozenset({"script", "style", "template", "textarea", "option"})

# A sentence ends after Western terminal punctuation plus white space, or after a CJK full
# stop (no space is written in CJK text).  Closing quotes/brackets stay with the sentence.
_SENTENCE_END = re.compile(
    r"[.!?\u2026]+[\"'\u2019\u201d\u00bb)\]]*\s+|[\u3002\uff01\uff1f]+[\u300d\u300f\u201d\uff09]*\s*"
)


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences that join back to exactly ``text`` (see the module)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece]


@register
class KepubBackend:
    """Kobo KEPUB: the EPUB with Kobo's sentence spans, for Kobo e-readers."""

    name: ClassVar[str] = "kepub"
    suffix: ClassVar[str] = ".kepub.epub"
    description: ClassVar[str] = "Kobo EPUB (KEPUB) with sentence spans, for Kobo e-readers"

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Build the KEPUB and write it to ``target`` (the pipeline renames it into place)."""
        report("Writing the KEPUB")
        data = build_kepub(work, options)
        try:
            target.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err


def build_kepub(work: Work, options: RenderOptions) -> bytes:
    """Render ``work`` into the bytes of a reproducible KEPUB file."""
    epub = build_epub(work, options)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xhtml"):
                data = kobo_document(data, info.filename)
            target.writestr(info, data)
    # finish_zip restores the member order, times and compression of the EPUB backend.
    return finish_zip(buffer.getvalue(), build_time(work, options), epub_language(work))


def kobo_document(data: bytes, name: str = "document") -> bytes:
    """One XHTML content document with the book-columns wrappers and sentence spans."""
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise RenderError(f"{name}: not well-formed XHTML ({err})") from err
    body = root.find(f"{{{_XHTML}}}body")
    if body is None:
        return data
    inner = _wrap_columns(body)
    _add_spans(inner)
    # No pretty-printing: it would add white space to the text content.
    out: bytes = etree.tostring(
        root.getroottree(), encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
    )
    return out


def _wrap_columns(body: Element) -> Element:
    """Move the body's content into ``div#book-columns > div#book-inner``; return the inner."""
    columns = etree.Element(f"{{{_XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{{{_XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)  # moves it, with its tail
    body.append(columns)
    return inner


@dataclass
class _Run:
    """A text node to wrap: ``element.text`` (``is_tail`` false) or ``element.tail``."""

    element: Element
    is_tail: bool
    block: Element


def _local(element: Element) -> str | None:
    """The XHTML local name of ``element``; ``None`` for comments and other namespaces."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{_XHTML}}}"):
        return None
    return tag.rsplit("}", 1)[1]


def _collect(element: Element, block: Element, runs: list[_Run]) -> None:
    """Append ``element``'s text nodes to ``runs`` in document order (not its tail)."""
    name = _local(element)
    if name is None or name in SKIPPED:
        return  # SVG, MathML, comments: a koboSpan is not allowed (or not wanted) inside
    if name in BLOCKS:
        block = element
    if name == "img":
        runs.append(_Run(element, is_tail=False, block=element))
    elif element.text and element.text.strip():
        runs.append(_Run(element, is_tail=False, block=block))
    for child in element:
        _collect(child, block, runs)
        if child.tail and child.tail.strip():
            runs.append(_Run(child, is_tail=True, block=block))


def _add_spans(inner: Element) -> None:
    """Wrap each sentence of every text node under ``inner`` in a numbered ``koboSpan``."""
    runs: list[_Run] = []
    _collect(inner, inner, runs)
    paragraph, segment = 0, 0
    current: Element | None = None
    # An image's tail follows the span the image was wrapped in.
    wrapped: dict[Element, Element] = {}
    for run in runs:
        if run.block is not current:
            paragraph, segment, current = paragraph + 1, 0, run.block
        if _local(run.element) == "img" and not run.is_tail:
            segment += 1
            wrapped[run.element] = _wrap_image(run.element, f"kobo.{paragraph}.{segment}")
            continue
        anchor = wrapped.get(run.element, run.element) if run.is_tail else run.element
        text = (anchor.tail if run.is_tail else anchor.text) or ""
        # Leading white space stays outside, so the first span starts with a word.
        stripped = text.lstrip()
        lead = text[: len(text) - len(stripped)] or None
        spans = []
        for sentence in sentences(stripped):
            segment += 1
            spans.append(_span(f"kobo.{paragraph}.{segment}", sentence))
        if run.is_tail:
            anchor.tail = lead
            for span in spans:
                anchor.addnext(span)  # keeps anchor's tail (the lead) before the span
                anchor = span
        else:
            run.element.text = lead
            for position, span in enumerate(spans):
                run.element.insert(position, span)


def _span(kobo_id: str, text: str) -> Element:
    span = etree.Element(f"{{{_XHTML}}}span", {"class": SPAN_CLASS, "id": kobo_id})
    span.text = text
    return span


def _wrap_image(image: Element, kobo_id: str) -> Element:
    """Put ``image`` inside a ``koboSpan`` of its own, where it stood; its tail follows."""
    span = _span(kobo_id, "")
    span.text = None
    image.addprevious(span)
    tail, image.tail = image.tail, None
    span.append(image)
    span.tail = tail
    return span
