"""Reader for AO3's HTML download, every generation.

The download is three containers keyed on ids, never on whitespace::

    div#preface      p.message (title, work URL), div.meta > dl.tags (dt "Label:" / dd),
                     h1, div.byline, "Summary"/"Notes" paragraphs + blockquote.userstuff,
                     an optional ul of translations and "inspired by" links
    div#chapters     per chapter: div.meta.group (h2.heading, p.byline "Chapter by …",
                     "Chapter Summary"/"Chapter Notes" + blockquote), the body div.userstuff,
                     div#endnotesN ("Chapter End Notes"); a one-shot has one div.userstuff
    div#afterword    div#endnotes, dl "Works inspired by this one", p.message

Files made before 2019 have no ``#preface``/``#afterword``: what comes before ``#chapters`` is
the preface and what follows is the afterword.  Labels are singular or plural, the stats come
in any order with or without thousands separators, and chapter headings are "Chapter 3:
Title" (2025 on), the bare title (before) or "Chapter 3" (untitled).

:func:`work_from_ao3_html` also reads the XHTML of AO3's EPUBs: calibre splits the download
into files (so each container may appear several times, each holding a part) and renames
``div.meta``/``div.userstuff`` to ``calibreN`` classes, so chapter parts are recognised by
their ``h2.heading`` and by the paragraph labels' text, not by those classes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_fragment
from fic2book.html.images import AssetCollector, LocalImages
from fic2book.html.parse import Element, class_list, parse_html, text_of
from fic2book.model import (
    Asset,
    Chapter,
    Work,
)
from fic2book.readers.ao3_preface import Preface, parse_byline
from fic2book.readers.common import (
    read_text,
)

logger = logging.getLogger(__name__)


_CHAPTER_HEADING = re.compile(r"Chapter\s+(\d+)\s*(?::\s*(.*))?", re.IGNORECASE | re.DOTALL)

_INSPIRED = "works inspired by this one"


@dataclass
class _ChapterParts:
    """One chapter's elements as they are found, cleaned once the whole input is read."""

    heading: str | None = None
    byline: tuple[str, ...] = ()
    summary: Element | None = None
    notes: Element | None = None
    end_notes: Element | None = None
    body: list[Element] = field(default_factory=list)


def _label_is(element: Element, *labels: str) -> bool:
    return element.tag in ("p", "h3", "h4", "div") and text_of(element).lower() in labels


def _next_blockquote(element: Element) -> Element | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    if following is not None and following.tag == "blockquote":
        return following
    return None


def _by_id(root: Element, name: str) -> list[Element]:
    return [e for e in root.iter() if e.get("id") == name]


def is_ao3_download(root: Element) -> bool:
    """Whether a parsed document is an AO3 download (or a split file of one)."""
    for element in root.iter():
        ident = element.get("id")
        if ident in ("preface", "chapters", "afterword"):
            return True
        if element.tag == "dl" and "tags" in class_list(element):
            return True
        if (
            element.tag == "p"
            and "message" in class_list(element)
            and "archive of our own" in text_of(element).lower()
        ):
            return True
    return False


def work_from_ao3_html(
    html: str | bytes, *, source_name: str, load_asset: Callable[[str], Asset | None]
) -> Work:
    """Parse an AO3 HTML download into a :class:`Work`.

    ``html`` is one download, or the ``<body>`` contents of several XHTML files concatenated
    (calibre's split files in AO3's EPUBs), so each container may appear several times and is
    read in order.  ``load_asset(src)`` returns the embedded image for a relative ``src``, or
    ``None``.  Raises :class:`InputError` when the document is not an AO3 work or has no text.
    """
    root = parse_html(html)
    if not is_ao3_download(root):
        raise InputError(f"{source_name}: not an AO3 download (no preface, chapters or AO3 notice)")
    images = AssetCollector(load_asset)
    preface = Preface()
    chapter_containers = _by_id(root, "chapters")
    preface_parts, afterword_parts = _regions(root, chapter_containers)

    for part in preface_parts:
        _read_preface(part, preface, source_name, images)
    chapters_parts: list[_ChapterParts] = []
    chaptered = False
    for container in chapter_containers:
        chaptered = _read_chapters(container, chapters_parts) or chaptered
    for part in afterword_parts:
        _read_afterword(part, preface, source_name, images)

    chapters = _build_chapters(chapters_parts, preface.authors, source_name, images)
    if not chapters:
        raise InputError(f"{source_name}: the AO3 download has no chapter text")
    return preface.build(
        chapters, chaptered=chaptered, assets=images.assets, source_name=source_name
    )


def _regions(root: Element, chapters: list[Element]) -> tuple[list[Element], list[Element]]:
    """The preface and afterword containers; before 2019 they are what surrounds #chapters."""
    prefaces = _by_id(root, "preface")
    afterwords = _by_id(root, "afterword")
    if prefaces or afterwords or not chapters:
        return prefaces, afterwords
    body = root.find("body")
    if body is None:
        return [], []
    before: list[Element] = []
    after: list[Element] = []
    first, last = chapters[0], chapters[-1]
    passed_first = passed_last = False
    for child in body:
        if child is first:
            passed_first = True
        if not passed_first:
            before.append(child)
        elif passed_last:
            after.append(child)
        if child is last:
            passed_last = True
    return before, after


def walk(root: Element) -> Iterator[Element]:
    """The elements under ``root`` in document order, not entering quoted user content.

    Summaries and notes (``blockquote``) are user markup: a "Notes" paragraph or a list
    inside one must not be read as part of AO3's own layout.  The list is taken first, so
    elements may be moved out of the tree while walking.
    """
    result: list[Element] = []
    stack = [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        result.append(element)
        if element.tag != "blockquote" or element is root:
            stack.extend(reversed(list(element)))
    return iter(result)


def _read_preface(
    part: Element, preface: Preface, source_name: str, images: AssetCollector
) -> None:
    for element in walk(part):
        classes = class_list(element)
        if element.tag == "dl" and "tags" in classes:
            _read_tag_list(element, preface)
        elif element.tag == "p" and "message" in classes:
            links = element.findall(".//a")
            if len(links) >= 2:
                preface.set_url(links[1].get("href"))
            bold = element.find(".//b")
            if preface.title is None and bold is not None and text_of(bold):
                preface.title = text_of(bold)
        elif element.tag == "h1":
            preface.title = text_of(element) or preface.title
        elif "byline" in classes and not preface.authors:
            preface.authors = parse_byline(text_of(element))
        elif _label_is(element, "summary"):
            quote = _next_blockquote(element)
            if quote is not None and preface.summary is None:
                preface.summary = clean_fragment(
                    quote, context=f"{source_name}: summary", load_asset=images
                )
        elif _label_is(element, "notes"):
            quote = _next_blockquote(element)
            if quote is not None:
                _add(preface.notes, quote, f"{source_name}: notes", images)
        elif element.tag == "ul" and _is_related(element):
            _add(preface.notes, element, f"{source_name}: related works", images, wrap="ul")


def _is_related(ul: Element) -> bool:
    """The preface's list of translations and works this one was inspired by."""
    text = text_of(ul).lower()
    return any(
        marker in text
        for marker in ("translation into", "translation of", "inspired by", "[restricted work]")
    )


def _add(
    target: list[Markup],
    element: Element,
    context: str,
    images: AssetCollector,
    *,
    wrap: str | None = None,
    heading: str | None = None,
) -> None:
    """Clean ``element`` (or, with ``wrap``, the element itself inside a holder) into ``target``."""
    if wrap is not None:
        holder = etree.Element("div")
        if heading:
            etree.SubElement(holder, "p").text = heading
        # Appending moves the element out of the document; its tail is not part of it.
        element.tail = None
        holder.append(element)
        element = holder
    markup = clean_fragment(element, context=context, load_asset=images)
    if markup is not None and markup not in target:
        target.append(markup)


def _read_tag_list(dl: Element, preface: Preface) -> None:
    label: str | None = None
    for child in dl:
        if child.tag == "dt":
            label = text_of(child).rstrip(":").strip()
        elif child.tag == "dd" and label:
            preface.add_field(label, child)


def _read_chapters(container: Element, parts: list[_ChapterParts]) -> bool:
    """Append the chapters (or chapter parts) of one ``#chapters`` container.

    Returns True when the container has chapter headings (a chaptered work).
    """
    chaptered = False
    current: _ChapterParts | None = parts[-1] if parts else None
    stray: list[str] = [container.text or ""]
    for child in list(container):
        tail = child.tail or ""
        if not isinstance(child.tag, str):
            continue
        heading = _chapter_heading(child)
        ident = child.get("id") or ""
        if heading is not None:
            chaptered = True
            current = _ChapterParts()
            parts.append(current)
            _read_chapter_meta(child, heading, current)
        elif "toc-heading" in class_list(child):
            pass
        elif ident.startswith("endnotes"):
            if current is not None:
                for element in child.iter():
                    if _label_is(element, "chapter end notes", "end notes"):
                        current.end_notes = _next_blockquote(element)
                        break
        elif _is_blank(child):
            pass
        else:
            if current is None:
                current = _ChapterParts()
                parts.append(current)
            current.body.append(child)
        stray.append(tail)
        if "".join(stray).strip() and current is not None:
            # Text loose in #chapters belongs to the chapter it is in.
            paragraph = etree.Element("p")
            paragraph.text = "".join(stray)
            current.body.append(paragraph)
        stray = []
    return chaptered


def _chapter_heading(element: Element) -> Element | None:
    """The ``h2.heading`` that marks a chapter's meta group (or is it, in a flattened split)."""
    if element.tag == "h2" and "heading" in class_list(element):
        return element
    if element.tag != "div":
        return None
    for child in element:
        if child.tag == "h2" and "heading" in class_list(child):
            return child
    return None


def _read_chapter_meta(group: Element, heading: Element, parts: _ChapterParts) -> None:
    parts.heading = text_of(heading)
    for element in walk(group):
        if element is heading:
            continue
        text = text_of(element)
        if element.tag == "p" and text.lower().startswith("chapter by "):
            parts.byline = parse_byline(text)
        elif _label_is(element, "chapter summary"):
            parts.summary = _next_blockquote(element)
        elif _label_is(element, "chapter notes"):
            parts.notes = _next_blockquote(element)


def _is_blank(element: Element) -> bool:
    """Calibre's empty page-break markers and whitespace-only wrappers."""
    if element.find(".//img") is not None:
        return False
    return not "".join(element.itertext()).strip()


def _read_afterword(
    part: Element, preface: Preface, source_name: str, images: AssetCollector
) -> None:
    for element in walk(part):
        if element.get("id") == "endnotes":
            for label in element.iter():
                if _label_is(label, "end notes"):
                    quote = _next_blockquote(label)
                    if quote is not None:
                        _add(preface.end_notes, quote, f"{source_name}: end notes", images)
                    break
        elif element.tag == "dl" and text_of(element.find("dt")).lower() == _INSPIRED:
            _read_inspired(element, preface, source_name, images)


def _read_inspired(dl: Element, preface: Preface, source_name: str, images: AssetCollector) -> None:
    """Keep "Works inspired by this one" as a list at the end of the end notes."""
    items = etree.Element("ul")
    for dd in dl.findall("dd"):
        if not text_of(dd):
            continue  # an empty entry (AO3 writes the heading even with no works)
        item = etree.SubElement(items, "li")
        item.text = dd.text
        for child in list(dd):
            item.append(child)
    if len(items):
        _add(
            preface.end_notes,
            items,
            f"{source_name}: works inspired by this one",
            images,
            wrap="ul",
            heading="Works inspired by this one:",
        )


def chapter_title(heading: str | None, number: int) -> str | None:
    """The chapter's own title from its heading.

    "Chapter 3: Title" → "Title", "Chapter 3" → ``None``, a bare title (before 2025) → itself.
    """
    if not heading:
        return None
    match = _CHAPTER_HEADING.fullmatch(heading)
    if match is None:
        return heading
    title = (match.group(2) or "").strip()
    return title or None


def _build_chapters(
    parts: list[_ChapterParts],
    work_authors: tuple[str, ...],
    source_name: str,
    images: AssetCollector,
) -> tuple[Chapter, ...]:
    chapters: list[Chapter] = []
    for number, part in enumerate(parts, start=1):
        context = f"{source_name}: chapter {number}"
        holder = etree.Element("div")
        for element in part.body:
            element.tail = None
            holder.append(element)
        body = clean_fragment(holder, context=context, load_asset=images)
        summary = clean_fragment(part.summary, context=f"{context} summary", load_asset=images)
        notes = clean_fragment(part.notes, context=f"{context} notes", load_asset=images)
        end_notes = clean_fragment(
            part.end_notes, context=f"{context} end notes", load_asset=images
        )
        if body is None and part.heading is None:
            continue
        if body is None:
            logger.warning("%s has no text", context)
        chapters.append(
            Chapter(
                number=len(chapters) + 1,
                title=chapter_title(part.heading, number),
                body=body or Markup(""),
                summary=summary,
                notes=notes,
                end_notes=end_notes,
                authors=part.byline if set(part.byline) != set(work_authors) else (),
            )
        )
    return tuple(chapters)


class Ao3HtmlReader:
    """AO3's "Download → HTML" file, every generation since 2011."""

    def sniff(self, head: bytes) -> int:
        """100 with AO3's "Posted originally" notice, 90 with the download's ids or CSS."""
        text = head.lower()
        if b"posted originally on the" in text and b"archive of our own" in text:
            return 100
        if b'id="preface"' in text or (b'id="chapters"' in text and b"userstuff" in text):
            return 90
        if b"p.message" in text and b".meta dl.tags" in text:
            return 90
        return 0

    def read(self, path: Path) -> Work:
        """Parse the download; local images next to it are embedded."""
        return work_from_ao3_html(
            read_text(path, markup=True), source_name=path.name, load_asset=LocalImages(path.parent)
        )
