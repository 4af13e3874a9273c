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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["SIMILAR", "ChapterPrint", "Match", "match_chapters"]

#: The least word similarity (:meth:`difflib.SequenceMatcher.ratio`) for an edited chapter
#: to count as the same chapter changed rather than one removed and another added.
SIMILAR = 0.5


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
