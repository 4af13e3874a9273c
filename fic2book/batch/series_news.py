"""A newer download of a series member: what its omnibus gains, said and marked as for one work.

When ``batch --combine series`` rebuilds an omnibus because a member's file changed, the
previous omnibus (its EPUB) still holds what it had of that work: its chapters, one
``workNN_chap_MMM.xhtml`` file each, and (``fic2book:work`` metadata) the work's AO3 ID, URL
and update log (:func:`fic2book.update.omnibus_states`).  Each member is found there by its
identity, so a member added, removed or reordered pairs no wrong works; in an omnibus from
before works were recorded, a work is paired by its place.  A changed member is compared with
its old self by :func:`fic2book.update.update_work`, exactly as ``fic2book update`` compares a
download with its book (chapters paired by identity, :mod:`fic2book.chapter_match`), which
marks its new chapters "(new)", extends its log and gives the report's ``updated: +1
chapter``; an unchanged member keeps its log.  A work paired by place none of whose chapters
the old one had is another work: it is built plainly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fic2book.batch.works import Update
from fic2book.combine import reading_order
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.update import (
    BookState,
    UpdateResult,
    omnibus_states,
    same_work,
    update_day,
    update_work,
)

__all__ = ["OmnibusNews", "previous_omnibus"]


@dataclass(frozen=True)
class OmnibusNews:
    """The previous omnibus and which of its members' inputs are new since it was made."""

    #: The previous omnibus EPUB's bytes.
    old: bytes
    name: str
    #: Indices (in the member list) of the inputs whose content changed.
    changed: frozenset[int]
    options: RenderOptions

    def pairs(self, works: Sequence[Work]) -> dict[int, tuple[BookState, bool]]:
        """Each member's work in the old omnibus, by index, and whether found by identity.

        A work is found by its AO3 ID or URL among the works the omnibus recorded; one that
        names neither, in an omnibus that recorded none, is paired by place in the reading
        order when the number of works is unchanged.  Others are new to the omnibus.
        """
        states = omnibus_states(self.old, self.name)
        taken: set[int] = set()
        found: dict[int, tuple[BookState, bool]] = {}
        for place, work in enumerate(reading_order(works)):
            index = next(i for i, member in enumerate(works) if member is work)
            if work.work_id or work.url:
                match = next(
                    (
                        k
                        for k, state in enumerate(states)
                        if k not in taken and same_work(state, work)
                    ),
                    None,
                )
                if match is not None:
                    taken.add(match)
                    found[index] = (states[match], True)
                    continue
            if len(states) == len(works) and place not in taken:
                state = states[place]
                if state.work_id is None and state.url is None:
                    taken.add(place)
                    found[index] = (state, False)
        return found

    def results(self, works: Sequence[Work]) -> dict[int, UpdateResult]:
        """The changed members that are newer downloads of a work the omnibus held."""
        found: dict[int, UpdateResult] = {}
        for index, (state, by_identity) in self.pairs(works).items():
            if index not in self.changed:
                continue
            work = works[index]
            result = update_work(state, work, self.options, update_day(self.options))
            entry = result.entry
            unshared = len(entry.added) == len(work.chapters) and len(entry.removed) == len(
                state.prints
            )
            if unshared and not by_identity:
                continue  # no chapter in common: another work took this place
            found[index] = result
        return found

    def revise(self, works: list[Work]) -> list[Work]:
        """The works with their logs kept and each newer download's new chapters marked."""
        results = self.results(works)
        logs = {index: state.updates for index, (state, _) in self.pairs(works).items()}
        revised = []
        for i, work in enumerate(works):
            if i in results:
                work = results[i].work
            elif logs.get(i):
                work = dataclasses.replace(work, updates=logs[i])
            revised.append(work)
        return revised

    def update(self, works: Sequence[Work]) -> Update:
        """The chapters added, changed and removed over all the newer downloads, by name."""
        entries = [result.entry for result in self.results(works).values()]
        return Update(
            tuple(name for entry in entries for name in entry.added),
            tuple(name for entry in entries for name in entry.changed),
            tuple(name for entry in entries for name in entry.removed),
        )


def previous_omnibus(
    found: tuple[str, str, tuple[str, ...]] | None,
    members: Sequence[tuple[str, str]],
    stamp: str,
    output: Path,
    options: RenderOptions,
) -> OmnibusNews | None:
    """What to compare a rebuilt omnibus with: its manifest record's EPUB, when there is one.

    ``found`` is the manifest's record (members, stamp, books); ``members`` the new inputs as
    ``(path, hash)``.  Only a rebuild with the same options compares (a new option changes
    the book, not the story); a member added or removed is fine, since works are paired by
    identity (:meth:`OmnibusNews.pairs`).
    """
    if found is None or found[1] != stamp:
        return None
    old_members = [tuple(member) for member in _members(found[0])]
    epubs = [book for book in found[2] if book.lower().endswith(".epub")]
    epubs.sort(key=lambda book: book.lower().endswith(".kepub.epub"))
    if not epubs:
        return None  # a PDF holds no chapter prints
    old_hashes = {member[1] for member in old_members}
    changed = frozenset(i for i, (_, digest) in enumerate(members) if digest not in old_hashes)
    try:
        data = (output / epubs[0]).read_bytes()
    except OSError:
        return None  # the old book is gone: nothing to compare with
    return OmnibusNews(data, epubs[0], changed, options)


def _members(key: str) -> list[list[str]]:
    import json

    value = json.loads(key)
    return value if isinstance(value, list) else []
