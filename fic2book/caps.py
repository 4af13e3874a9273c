"""How much of one field a book shows: titles, names, tags and chapter titles are capped.

A title is a line, not a chapter.  AO3 caps a title at 255 characters, a pseud at 40 and a
tag at 150, but other inputs cap nothing, and a field of 100,000 characters ends up on the
cover, in every running head of the PDF, in the contents and the navigation document.  Every
path to a book runs through :func:`fic2book.pipeline.prepare`, which calls :func:`cap_fields`:
each of those fields longer than :data:`MAX_FIELD_CHARS` (255) characters is cut there, at a word
boundary when there is one, and ends in an ellipsis; a warning says which field was cut.
Bodies, summaries and notes are prose and are not capped here (``--max-input-size`` bounds them).
"""

from __future__ import annotations

import dataclasses
import logging

from fic2book.model import Chapter, TagGroup, Work

logger = logging.getLogger(__name__)

#: The most characters a title, a name, a tag or a chapter title contributes to a book: AO3's
#: own cap on a title, and the longest file name most file systems allow.
MAX_FIELD_CHARS = 255

ELLIPSIS = "\u2026"


def shorten(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """``text`` when it has at most ``limit`` characters, else its start and an ellipsis.

    The cut falls on the last space in the final fifth of the kept text when there is one,
    so a long title loses whole words.
    """
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    space = kept.rfind(" ")
    if space >= limit * 4 // 5:
        kept = kept[:space]
    return kept.rstrip() + ELLIPSIS


def cap_fields(work: Work, name: str = "") -> Work:
    """``work`` with every title, name, tag and chapter title cut to :data:`MAX_FIELD_CHARS`.

    The same object comes back when nothing is too long (the usual case, checked cheaply).
    ``name`` (the input's) starts the warnings.
    """
    if not _too_long(work):
        return work
    where = f"{name}: " if name else ""
    changes: dict[str, object] = {}
    if len(work.title) > MAX_FIELD_CHARS:
        logger.warning("%stitle of %d characters shortened", where, len(work.title))
        changes["title"] = shorten(work.title)
    changes["authors"] = _cap_all(work.authors, "creator", where)
    changes["tag_groups"] = tuple(
        TagGroup(group.kind, _cap_all(group.tags, group.kind.singular.lower(), where))
        for group in work.tag_groups
    )
    changes["series"] = tuple(
        dataclasses.replace(entry, name=_cap(entry.name, "series name", where))
        for entry in work.series
    )
    changes["collections"] = _cap_all(work.collections, "collection", where)
    changes["chapters"] = tuple(_cap_chapter(chapter, where) for chapter in work.chapters)
    return dataclasses.replace(work, **changes)  # type: ignore[arg-type]


def _too_long(work: Work) -> bool:
    texts: list[str] = [work.title, *work.authors, *work.collections]
    texts += [tag for group in work.tag_groups for tag in group.tags]
    texts += [entry.name for entry in work.series]
    for chapter in work.chapters:
        texts += [chapter.title or "", chapter.label or "", *chapter.authors]
    return any(len(text) > MAX_FIELD_CHARS for text in texts)


def _cap(text: str, what: str, where: str) -> str:
    if len(text) > MAX_FIELD_CHARS:
        logger.warning("%s%s of %d characters shortened", where, what, len(text))
        return shorten(text)
    return text


def _cap_all(texts: tuple[str, ...], what: str, where: str) -> tuple[str, ...]:
    return tuple(_cap(text, what, where) for text in texts)


def _cap_chapter(chapter: Chapter, where: str) -> Chapter:
    title = chapter.title
    label = chapter.label
    return dataclasses.replace(
        chapter,
        title=None if title is None else _cap(title, f"chapter {chapter.number}'s title", where),
        label=None if label is None else _cap(label, f"chapter {chapter.number}'s label", where),
        authors=_cap_all(chapter.authors, "chapter creator", where),
    )
