"""Which chapter of a newer download is which chapter of the old book (``fic2book update``).

Comparing chapters by position marks every chapter after an inserted or deleted one as
changed.  Neither AO3's downloads nor the model carry a chapter's own id, so a chapter is
known by its words: the two books' chapters, as word fingerprints, are aligned with
:class:`difflib.SequenceMatcher`, which keeps the longest runs of identical chapters in
order.  Between those runs (a stretch of the old book replaced by a stretch of the new one)
a chapter is paired with an old one of the same title first, then with the old one whose
words it shares most (at least :data:`SIMILAR` of them); a new chapter paired with nothing
was added, an old one paired with nothing was removed.  A pair is changed when its words
differ or its heading does (a chapter renamed); a heading that differs only by its number
(chapter 4 is now chapter 5) is no change.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from fic2book.html.parse import Element

__all__ = ["SIMILAR", "ChapterPrint", "Match", "chapter_print", "match_chapters"]

#: The least word similarity (:meth:`difflib.SequenceMatcher.ratio`) for an edited chapter
#: to count as the same chapter changed rather than one removed and another added.
SIMILAR = 0.5
#: The most chapter pairs compared word by word within one replaced stretch; beyond that
#: (a whole book re-typeset) only chapters in the same order are compared.
MAX_PAIRS = 400

_XHTML = "{http://www.w3.org/1999/xhtml}"
#: Elements whose edges separate words, so "<p>end</p><p>Next" is two words, while a drop
#: cap's ``<span>H</span>er`` is one.
_BLOCKS = frozenset(
    f"{_XHTML}{tag}"
    for tag in (
        "p", "div", "section", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2",
        "h3", "h4", "h5", "h6", "br", "hr", "table", "tr", "td", "th", "pre", "figure",
        "figcaption", "aside", "header", "footer", "body",
    )
)  # fmt: skip
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ChapterPrint:
    """What identifies one chapter of a rendered book."""

    #: How the contents names it (the document's ``<title>``): the log's name when removed.
    name: str
    #: Its heading as shown ("Chapter 3: Midnight"); empty in a one-shot.
    heading: str
    #: A hash of its words without the heading: the same for the same text, wherever it is.
    fingerprint: str
    #: Its words without the heading, to tell an edited chapter from another one.
    words: tuple[str, ...]


def chapter_print(root: Element) -> ChapterPrint:
    """What identifies the chapter in a parsed chapter document of a fic2book EPUB.

    The words are the runs of letters and digits, so typography (``--smart``, a language's
    spaces before punctuation), a drop cap's span and markup leave them alone: a design
    change is no change to a chapter.  The heading is kept apart, its number being where the
    chapter stands rather than what it is.
    """
    title = root.find(f".//{_XHTML}title")
    heading = next(
        (h for h in root.iter(f"{_XHTML}h2") if "heading" in str(h.get("class") or "").split()),
        None,
    )
    heading_text = "" if heading is None else " ".join(" ".join(heading.itertext()).split())
    if heading is not None:
        heading.clear(keep_tail=True)
    body = root.find(f"{_XHTML}body")
    words = tuple(_WORD.findall(_text(body if body is not None else root)))
    return ChapterPrint(
        name=" ".join(" ".join(title.itertext()).split()) if title is not None else "",
        heading=heading_text,
        fingerprint=hashlib.sha256(" ".join(words).encode()).hexdigest(),
        words=words,
    )


def _text(element: Element) -> str:
    """The element's text, a space at the edges of blocks, none inside a line's markup."""
    # Comments say nothing, but their tails are text: strip them, keeping the tails.
    etree.strip_tags(element, etree.Comment, etree.ProcessingInstruction)
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if node.tag in _BLOCKS:
            parts.append(" ")
        if event == "start":
            parts.append(node.text or "")
        elif node is not element:
            parts.append(node.tail or "")
    return "".join(parts)


@dataclass(frozen=True)
class Match:
    """The outcome for the newer work: per new chapter, the old one it is, if any."""

    #: For each new chapter, the index of the old chapter it is, or ``None`` when added.
    old_of: tuple[int | None, ...]
    #: For each new chapter, whether it is added or changed (the contents marks it new).
    is_new: tuple[bool, ...]
    #: The indexes of the old chapters the newer work no longer has.
    removed: tuple[int, ...]


#: ``heading_at(old_index, new_index)``: the heading the new chapter would have in the old
#: chapter's place (its number being the old one's), to compare with the old heading.
HeadingAt = Callable[[int, int], str]


def match_chapters(
    old: Sequence[ChapterPrint],
    new: Sequence[ChapterPrint],
    heading_at: HeadingAt,
    titled: Sequence[bool],
) -> Match:
    """Pair the chapters of ``new`` with those of ``old`` (see the module's docstring).

    ``titled`` says which new chapters have a title of their own: only those are paired by
    heading, since every untitled "Chapter N" has the heading of any other in its place.
    """

    def same_heading(i: int, j: int) -> bool:
        # A one-shot's chapter has no heading to compare.
        return not old[i].heading or old[i].heading in (heading_at(i, j), new[j].heading)

    matcher = difflib.SequenceMatcher(
        None, [c.fingerprint for c in old], [c.fingerprint for c in new], autojunk=False
    )
    old_of: list[int | None] = [None] * len(new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                old_of[j1 + offset] = i1 + offset
        else:
            titled_same = [
                (i, j)
                for j in range(j1, j2)
                for i in range(i1, i2)
                if titled[j] and old[i].heading and same_heading(i, j)
            ]
            for i, j in _pair_block(old, new, range(i1, i2), range(j1, j2), titled_same):
                old_of[j] = i
    matched = {i for i in old_of if i is not None}
    is_new = tuple(
        i is None or old[i].fingerprint != new[j].fingerprint or not same_heading(i, j)
        for j, i in enumerate(old_of)
    )
    removed = tuple(i for i in range(len(old)) if i not in matched)
    return Match(tuple(old_of), is_new, removed)


def _pair_block(
    old: Sequence[ChapterPrint],
    new: Sequence[ChapterPrint],
    olds: range,
    news: range,
    titled_same: Sequence[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Pairs (old, new) within one replaced stretch: same title first, then similar words."""
    pairs: list[tuple[int, int]] = []
    free_old = list(olds)
    free_new = list(news)
    for i, j in titled_same:
        if i in free_old and j in free_new:
            pairs.append((i, j))
            free_old.remove(i)
            free_new.remove(j)
    # Chapters in the same order first: an edited chapter usually stays where it was.
    for i, j in list(zip(free_old, free_new, strict=False)):
        if _similarity(old[i].words, new[j].words) >= SIMILAR:
            pairs.append((i, j))
            free_old.remove(i)
            free_new.remove(j)
    if len(free_old) * len(free_new) > MAX_PAIRS:
        return pairs
    scores = sorted(
        ((_similarity(old[i].words, new[j].words), i, j) for i in free_old for j in free_new),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    for score, i, j in scores:
        if score < SIMILAR:
            break
        if i in free_old and j in free_new:
            pairs.append((i, j))
            free_old.remove(i)
            free_new.remove(j)
    return pairs


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How many words two chapters share, 0 to 1 (cheap upper bounds first)."""
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()
