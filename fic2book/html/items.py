"""A rebuilt fragment as a list of items: its blocks and the marks between them.

:mod:`fic2book.html.structure` rebuilds a fragment into a list of blocks, scene breaks
(``BREAK``) and empty paragraphs (``EMPTY``); :func:`finalise` decides which runs of empty
paragraphs are scene breaks and merges the breaks; :func:`extend` writes the list into a
container.  Kept apart from the rebuilding so that each module holds one job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

from lxml import etree

from fic2book.html.allowlist import BLOCK_TAGS
from fic2book.html.parse import Element

__all__ = [
    "BREAK",
    "EMPTY",
    "Item",
    "Mark",
    "copy_attrs",
    "deep_copy",
    "extend",
    "finalise",
    "has_block_child",
]


class Mark:
    """A placeholder in a list of blocks: a scene break or an empty paragraph."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


BREAK: Final = Mark("BREAK")
EMPTY: Final = Mark("EMPTY")
Item = Element | Mark


def copy_attrs(element: Element) -> dict[str, str]:
    """The attributes of ``element`` as a plain dict, to give a rebuilt element."""
    return {str(k): str(v) for k, v in element.attrib.items()}


def has_block_child(element: Element) -> bool:
    """Whether ``element`` holds blocks (then it is a container, not a paragraph)."""
    return any(child.tag in BLOCK_TAGS for child in element)


def deep_copy(element: Element) -> Element:
    """A copy of ``element`` and its subtree that shares nothing with the source tree."""
    copy = etree.Element(str(element.tag), copy_attrs(element))
    copy.text = element.text
    copy.tail = element.tail
    for child in element:
        copy.append(deep_copy(child))
    return copy


def extend(container: Element, items: Iterable[Item]) -> None:
    """Append ``items`` to ``container``: a break as ``<hr class="scene-break">``, no empties."""
    for item in items:
        if item is BREAK:
            etree.SubElement(container, "hr", {"class": "scene-break"})
        elif isinstance(item, Mark):
            continue
        else:
            container.append(item)


def finalise(items: list[Item], *, edges: bool) -> list[Item]:
    """Turn empty-paragraph runs into breaks or nothing, merge breaks, trim them at the edges.

    A run of empty paragraphs is a scene break when it is longer than the most common run
    between two paragraphs of the same fragment (so a work that spaces every paragraph with
    one empty paragraph breaks scenes with two or more).
    """
    gaps: Counter[int] = Counter()
    run = 0
    seen_content = False
    for item in items:
        if item is EMPTY:
            run += 1
        elif item is BREAK:
            run = 0
        else:
            if seen_content:
                gaps[run] += 1
            seen_content = True
            run = 0
    usual = max((n for n, c in gaps.items() if c == max(gaps.values())), default=0)
    result: list[Item] = []
    run = 0
    for item in items:
        if item is EMPTY:
            run += 1
            continue
        if run > usual:
            result.append(BREAK)
        run = 0
        result.append(item)
    if run > usual:
        result.append(BREAK)
    merged: list[Item] = []
    for item in result:
        if item is BREAK and merged and merged[-1] is BREAK:
            continue
        merged.append(item)
    if edges:
        while merged and merged[0] is BREAK:
            merged.pop(0)
        while merged and merged[-1] is BREAK:
            merged.pop()
    return merged
