"""Where authors' notes and summaries go: ``--notes`` and ``--summaries`` (keep, end, drop).

``keep`` prints them where the author put them (AO3's layout).  ``drop`` leaves them out: that
is a change to the work, made once in :func:`fic2book.pipeline.prepare` by :func:`drop_notes`,
so neither backend has to know.  ``end`` moves them to a "Notes" appendix after the story
(``templates/parts/notes_appendix.html.j2``), each with a link back to its chapter, and leaves
a link in their place; that is layout, so the templates do it, asking :func:`moved_notes`
whether a work needs the appendix at all.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING

from fic2book.model import Chapter, Work

if TYPE_CHECKING:
    from fic2book.options import RenderOptions

__all__ = ["Placement", "drop_notes", "moved_notes"]


class Placement(StrEnum):
    """``--notes`` and ``--summaries``: where the author's notes or summaries go."""

    #: Where the author put them (AO3's layout).
    KEEP = "keep"
    #: In a "Notes" appendix after the story, with links both ways.
    END = "end"
    #: Left out of the book.
    DROP = "drop"


def drop_notes(work: Work, notes: Placement, summaries: Placement) -> Work:
    """``work`` without the notes and/or summaries the placements drop (an omnibus's too)."""
    drop_notes_ = notes is Placement.DROP
    drop_summaries = summaries is Placement.DROP
    if not (drop_notes_ or drop_summaries):
        return work

    def chapter(item: Chapter) -> Chapter:
        changes: dict[str, None] = {}
        if drop_notes_:
            changes.update(notes=None, end_notes=None)
        if drop_summaries:
            changes.update(summary=None)
        return dataclasses.replace(item, **changes)  # type: ignore[arg-type]

    changes: dict[str, object] = {
        "chapters": tuple(chapter(item) for item in work.chapters),
        "works": tuple(drop_notes(part, notes, summaries) for part in work.works),
    }
    if drop_notes_:
        changes.update(notes=None, end_notes=None)
    if drop_summaries:
        changes.update(summary=None)
    return dataclasses.replace(work, **changes)  # type: ignore[arg-type]


def moved_notes(work: Work, options: RenderOptions) -> bool:
    """Whether ``--notes end`` or ``--summaries end`` moves anything of ``work`` to its appendix.

    An omnibus has none of its own: each of its works has its appendix.
    """
    if work.works:
        return False
    notes = options.notes is Placement.END
    summaries = options.summaries is Placement.END
    if (notes and work.notes) or (summaries and work.summary):
        return True
    return any(
        (notes and (chapter.notes or chapter.end_notes)) or (summaries and chapter.summary)
        for chapter in work.chapters
    )
