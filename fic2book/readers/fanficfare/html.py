"""FanFicFare's HTML: the heading, the metadata table, the contents and the chapter sections.

FanFicFare's HTML writer (``writer_html.py``) writes, in ``<body>``: ``<h1><a href=URL>Title</a>
by <a class="authorlink">Author</a></h1>``, a ``<table class="full">`` of ``<b>Label:</b>``
rows, the contents as ``<a name="TOCTOP"><h2>Table of Contents</h2></a>`` and a ``<p>`` of
links, then each chapter as ``<a name="section0001"><h2>Title</h2></a>`` followed by the
chapter's ``<div>``.  The heading's "by Author", the table and the contents are metadata, not
story: they never reach a chapter body.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from fic2book.errors import InputError
from fic2book.html.clean import clean_fragment
from fic2book.html.images import AssetCollector, LocalImages
from fic2book.html.parse import Element, text_of
from fic2book.model import Chapter, Work
from fic2book.readers.common import title_from_path
from fic2book.readers.fanficfare.fields import build_work
from fic2book.readers.fanficfare.page import entries_in_table, title_page
from fic2book.readers.headings import keep_heading
from fic2book.skin import keeping_classes, page_skin, with_skin

_SECTION = re.compile(r"section\d+")


def _section_heading(element: Element) -> Element | None:
    """The ``<h2>`` of a chapter's ``<a name="sectionNNNN">`` anchor, else ``None``."""
    if element.tag != "a" or not _SECTION.fullmatch(element.get("name") or ""):
        return None
    return next(element.iter("h1", "h2", "h3"), None)


def read_fanficfare_html(root: Element, path: Path) -> Work:
    """Read FanFicFare's HTML document, already parsed."""
    body = root.find("body")
    if body is None:
        raise InputError(f"{path}: the HTML file has no body")
    table = next((t for t in body.iter("table") if "full" in (t.get("class") or "")), None)
    if table is not None:
        page = title_page(entries_in_table(table), body.find("h1"), context=path.name)
    else:
        page = title_page([], body.find("h1"), context=path.name)
    if not page.title:
        page.title = title_from_path(path)
    images = AssetCollector(LocalImages(path.parent))
    sections: list[tuple[str, Element]] = []
    for child in list(body):
        heading = _section_heading(child)
        if heading is not None:
            holder = etree.Element("div")
            holder.text = child.tail
            sections.append((text_of(heading), holder))
        elif sections and isinstance(child.tag, str):
            sections[-1][1].append(child)  # its tail text moves with it
    chapters: list[Chapter] = []
    # FanFicFare's use_workskin puts an AO3 work skin in the page's <style> (fic2book/skin.py).
    skin = page_skin(root, f"{path.name}: work skin")
    with keeping_classes(skin.classes if skin else ()):
        for heading_text, holder in sections:
            number = len(chapters) + 1
            context = f"{path.name}: chapter {number}"
            markup = clean_fragment(holder, context=context, load_asset=images)
            if markup is None:
                continue
            title, label = keep_heading(heading_text, number)
            chapters.append(Chapter(number=number, title=title, body=markup, label=label))
    if not chapters:
        raise InputError(f"{path}: the FanFicFare HTML file has no chapters")
    return with_skin(build_work(page, chapters, assets=images.assets), skin)
