"""A newer download of a series member: what its omnibus gains, said and marked as for one work.

When ``batch --combine series`` rebuilds an omnibus because a member's file changed, the
previous omnibus (its EPUB) still holds what it had of that work: its chapters, one
``workNN_chap_MMM.xhtml`` file each (:func:`fic2book.update.omnibus_states`).  The changed
member is compared with the work at the same place in the old book's reading order by
:func:`fic2book.update.update_work`, exactly as ``fic2book update`` compares a download with
its book (chapters paired by identity, :mod:`fic2book.chapter_match`), which marks its new
chapters "(new)" and gives the report's ``updated: +1 chapter``.  A work none of whose
chapters the old one had is not the same work (a new member in that place): it is built
plainly.  The omnibus names no work ID of its own, so the pairing is by place and chapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fic2book.batch.works import Update, update_date
from fic2book.combine import reading_order
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.update import UpdateResult, omnibus_states, update_work

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

    def results(self, works: Sequence[Work]) -> dict[int, UpdateResult]:
        """The changed members that are newer downloads of a work the omnibus held."""
        states = omnibus_states(self.old, self.name)
        if len(states) != len(works):
            return {}  # a member added or removed: places no longer pair works
        found: dict[int, UpdateResult] = {}
        for place, work in enumerate(reading_order(works)):
            index = next(i for i, member in enumerate(works) if member is work)
            if index not in self.changed:
                continue
            state = states[place]
            result = update_work(state, work, self.options, update_date(self.options))
            entry = result.entry
            if len(entry.added) == len(work.chapters) and len(entry.removed) == len(state.prints):
                continue  # no chapter in common: another work took this place
            found[index] = result
        return found

    def revise(self, works: list[Work]) -> list[Work]:
        """The works with the new chapters of each newer download marked (for the build)."""
        results = self.results(works)
        return [results[i].work if i in results else work for i, work in enumerate(works)]

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
    ``(path, hash)``.  Only a rebuild with the same options and as many members compares: a
    new option changes the book, not the story.
    """
    if found is None or found[1] != stamp:
        return None
    old_members = [tuple(member) for member in _members(found[0])]
    if len(old_members) != len(members):
        return None
    epubs = [book for book in found[2] if book.lower().endswith(".epub")]
    epubs.sort(key=lambda book: book.lower().endswith(".kepub.epub"))
    if not epubs:
        return None  # a PDF holds no chapter prints
    old_hashes = {member[1] for member in old_members}
    changed = frozenset(i for i, (_, digest) in enumerate(members) if digest not in old_hashes)
    if not changed:
        return None
    try:
        data = (output / epubs[0]).read_bytes()
    except OSError:
        return None  # the old book is gone: nothing to compare with
    return OmnibusNews(data, epubs[0], changed, options)


def _members(key: str) -> list[list[str]]:
    import json

    value = json.loads(key)
    return value if isinstance(value, list) else []
