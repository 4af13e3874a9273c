"""Reading FanFicFare's title page markup: the EPUB's ``title_page.xhtml`` and the HTML's table.

Both come from the same templates in FanFicFare's writers: a heading ``<a href=URL>Title</a>
by <a class="authorlink">Author</a>`` and one entry per field, ``<b>Label:</b> value<br/>`` on
the EPUB's page and ``<tr><td><b>Label:</b></td><td>value</td></tr>`` in the HTML.  The
summary's value is markup; every other value is read as text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence

from lxml import etree
from markupsafe import Markup

from fic2book.html.clean import clean_fragment
from fic2book.html.parse import Element, text_of
from fic2book.readers.fanficfare.fields import TitlePage, split_list

#: One field: its label ("Category") and the nodes of its value (strings and elements).
Entry = tuple[str, list[str | Element]]

_LABEL = re.compile(r"\s*(?P<label>[^:\n]{1,60}?)\s*:\s*")


def label_of(element: Element) -> str | None:
    """The field label a ``<b>Label:</b>`` element holds, or ``None``."""
    if not isinstance(element.tag, str) or element.tag not in ("b", "strong"):
        return None
    text = "".join(element.itertext())
    match = _LABEL.fullmatch(text)
    return match.group("label") if match else None


def entries_in(container: Element) -> list[Entry]:
    """The ``<b>Label:</b> value`` entries among a container's children (the EPUB's page).

    A field runs from its label to the next top-level label; its trailing ``<br/>`` goes.
    """
    entries: list[Entry] = []
    for child in container:
        label = label_of(child)
        if label is not None:
            entries.append((label, [child.tail or ""]))
        elif entries:
            entries[-1][1].extend([child, child.tail or ""])
    for _, nodes in entries:
        while nodes and (
            (isinstance(nodes[-1], str) and not nodes[-1].strip())
            or (not isinstance(nodes[-1], str) and nodes[-1].tag == "br")
        ):
            nodes.pop()
    return entries


def entries_in_table(table: Element) -> list[Entry]:
    """The ``<tr><td><b>Label:</b></td><td>value</td></tr>`` rows of the HTML's table."""
    entries: list[Entry] = []
    for row in table.iter("tr"):
        cells = row.findall("td")
        if len(cells) < 2:
            continue
        labels = [label_of(el) for el in cells[0].iter()]
        label = next((found for found in labels if found), None)
        if label is None:
            continue
        value = cells[1]
        entries.append((label, [value.text or "", *[n for c in value for n in (c, c.tail or "")]]))
    return entries


def text_value(nodes: Iterable[str | Element]) -> str:
    """A value's text with whitespace collapsed."""
    parts = [node if isinstance(node, str) else "".join(node.itertext()) for node in nodes]
    return " ".join("".join(parts).split())


def markup_value(nodes: Sequence[str | Element], context: str) -> Markup | None:
    """A value as cleaned markup (the summary)."""
    holder = etree.Element("div")
    last: Element | None = None
    for node in nodes:
        if isinstance(node, str):
            if last is None:
                holder.text = (holder.text or "") + node
            else:
                last.tail = (last.tail or "") + node
        else:
            last = copy.deepcopy(node)
            last.tail = None
            holder.append(last)
    return clean_fragment(holder, context=context)


def link_href(nodes: Sequence[str | Element]) -> str | None:
    """The first link's target in a value (the series' page)."""
    for node in nodes:
        if not isinstance(node, str):
            for link in node.iter("a"):
                if link.get("href"):
                    return link.get("href")
    return None


def heading_parts(heading: Element | None) -> tuple[str, tuple[str, ...], str | None]:
    """Title, authors and story URL from ``<a href=URL>Title</a> by <a class=authorlink>…``."""
    if heading is None:
        return "", (), None
    links = list(heading.iter("a"))
    authors = tuple(text_of(a) for a in links if "authorlink" in (a.get("class") or "").split())
    title_link = next((a for a in links if "authorlink" not in (a.get("class") or "")), None)
    text = text_of(heading)
    if title_link is not None:
        title = text_of(title_link)
    else:
        title = re.split(r"\s+by\s+", text, maxsplit=1)[0] if authors else text
    if not authors and " by " in text:
        authors = split_list(text.rsplit(" by ", 1)[1])
    url = title_link.get("href") if title_link is not None else None
    return title, authors, url


def title_page(
    entries: Sequence[Entry],
    heading: Element | None,
    *,
    context: str,
) -> TitlePage:
    """The :class:`TitlePage` of a heading and its entries; the summary is kept as markup."""
    title, authors, url = heading_parts(heading)
    page = TitlePage(title=title, authors=authors, fields=[], url=url)
    for label, nodes in entries:
        key = label.casefold()
        if key == "summary":
            page.summary = markup_value(nodes, f"{context}: summary")
            continue
        if key == "series":
            page.series_url = link_href(nodes)
        page.fields.append((label, text_value(nodes)))
    return page
