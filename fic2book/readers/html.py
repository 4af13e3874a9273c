"""Reader for any other HTML file: best effort.

- **Title**: the ``<title>``, else the first ``<h1>``, else the file name.
- **Authors**: ``<meta name="author">`` (or ``dc.creator``/``DC.creator``), split on commas.
- **Language**: ``<html lang>``, else ``en``.
- **Chapters**: when the body has several ``<h1>`` (or, below one title ``<h1>``, one or
  more ``<h2>``) that share a parent, each starts a chapter titled by its text ("Chapter 3:
  Title" keeps only "Title"); what comes before the first one is kept as the work's notes.
  Otherwise the whole body is one chapter.

The body goes through the same clean-up as AO3's files (:mod:`fic2book.html.clean`).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_fragment
from fic2book.html.images import AssetCollector, AssetLoader, LocalImages
from fic2book.html.parse import Element, parse_html, text_of
from fic2book.language import language_tag
from fic2book.model import Asset, Chapter, Work
from fic2book.readers.common import read_text, title_from_path
from fic2book.readers.headings import keep_heading

_AUTHOR_META = ("author", "dc.creator", "dcterms.creator")


def work_from_html(
    html: str | bytes, *, source_name: str, load_asset: AssetLoader | None = None
) -> Work:
    """Read an arbitrary HTML document into a :class:`Work`; no text raises :class:`InputError`."""
    root = parse_html(html)
    images = AssetCollector(load_asset or _no_assets)
    body = root.find("body")
    if body is None:
        body = root
    _unwrap_heading_anchors(body)
    title, candidates = _title_and_headings(root, body)
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    headings = _sibling_headings(candidates)
    notes = None
    chapters: list[Chapter] = []
    if headings:
        intro, sections = _split_at(headings)
        notes = clean_fragment(intro, context=f"{source_name}: notes", load_asset=images)
        for number, (heading, content) in enumerate(sections, start=1):
            markup = clean_fragment(
                content, context=f"{source_name}: chapter {number}", load_asset=images
            )
            own_title, label = keep_heading(text_of(heading), number)
            chapters.append(
                Chapter(number=number, title=own_title, body=markup or Markup(""), label=label)
            )
    else:
        markup = clean_fragment(body, context=f"{source_name}: text", load_asset=images)
        if markup is not None:
            chapters.append(Chapter(number=1, title=None, body=markup))
    if not any(str(chapter.body).strip() for chapter in chapters):
        raise InputError(f"{source_name}: the HTML file has no text")
    return Work(
        title=title or title_from_path(Path(source_name)),
        authors=_authors(root),
        language=language_tag(lang),
        chapters=tuple(chapters),
        notes=notes,
        assets=images.assets,
        chaptered=len(chapters) > 1,
    )


def _title_and_headings(root: Element, body: Element) -> tuple[str, list[Element]]:
    """The work's title and the headings that may start chapters.

    A single ``<h1>`` is the title (the page title often carries a site name too) and the
    ``<h2>`` elements are the chapters; otherwise the page title is the title and the ``<h1>``
    elements are the chapters.
    """
    h1s = list(body.iter("h1"))
    page_title = text_of(root.find("head/title"))
    if len(h1s) == 1:
        title = text_of(h1s[0]) or page_title
        _drop(h1s[0])
        return title, list(body.iter("h2"))
    return page_title or (text_of(h1s[0]) if h1s else ""), h1s


def _split_at(headings: list[Element]) -> tuple[Element, list[tuple[Element, Element]]]:
    """The content before the first heading, and each heading with the content after it.

    The headings are siblings; their parent's children are moved into new ``<div>`` holders.
    """
    parent = headings[0].getparent()
    assert parent is not None
    wanted = set(headings)
    intro = etree.Element("div")
    intro.text = parent.text
    sections: list[tuple[Element, Element]] = []
    holder = intro
    for child in list(parent):
        if child in wanted:
            holder = etree.Element("div")
            holder.text, child.tail = child.tail, None
            sections.append((child, holder))
        else:
            holder.append(child)
    return intro, sections


def _no_assets(src: str) -> Asset | None:
    return None


def _authors(root: Element) -> tuple[str, ...]:
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in _AUTHOR_META:
            content = " ".join((meta.get("content") or "").split())
            if content:
                return tuple(a.strip() for a in content.split(",") if a.strip())
    return ()


def _unwrap_heading_anchors(body: Element) -> None:
    """Let ``<a name="s1"><h2>…</h2></a>`` count as the heading it wraps.

    FanFicFare and many archives wrap each chapter heading in a named anchor; left wrapped,
    the headings have different parents and could not split the body into chapters.
    """
    for anchor in list(body.iter("a")):
        parent = anchor.getparent()
        if (
            parent is None
            or anchor.get("href") is not None
            or len(anchor) != 1
            or anchor[0].tag not in ("h1", "h2")
            or (anchor.text or "").strip()
            or (anchor[0].tail or "").strip()
        ):
            continue
        heading, tail = anchor[0], anchor.tail
        parent.replace(anchor, heading)
        heading.tail = tail


def _sibling_headings(candidates: list[Element]) -> list[Element]:
    """The headings, when they are all children of one parent (so they can split it)."""
    if not candidates:
        return []
    parent = candidates[0].getparent()
    if parent is None or any(c.getparent() is not parent for c in candidates):
        return []
    return candidates


def _drop(element: Element) -> None:
    """Remove a title heading, keeping any text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail and tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


class HtmlReader:
    """Any HTML page: title, author meta, paragraphs, h1/h2 chapters."""

    def sniff(self, head: bytes) -> int:
        """10 for anything that looks like markup: the AO3 readers win when they recognise it."""
        return 10 if b"<" in head else 1

    def read(self, path: Path) -> Work:
        """Parse the page; local images next to it are embedded."""
        return work_from_html(
            read_text(path, markup=True), source_name=path.name, load_asset=LocalImages(path.parent)
        )
