"""Which work a book holds and what it held: how batch keeps books of works in progress current.

A book built from a work with an AO3 work ID or URL is remembered in the manifest under
:func:`work_key` together with its :class:`~fic2book.update.BookState` (the chapter
fingerprints and the update log, :func:`encode_state`).  The state is read back from the EPUB
rendering of the book with :func:`fic2book.update.read_state`, so it is the state
``fic2book update`` would read from the EPUB; kept in the manifest, it serves PDF-only runs as
well (a PDF carries no state of its own) and the parent never parses a book.  When a newer
download of the work comes in, the worker compares and marks its chapters with
:func:`fic2book.update.update_work` (:func:`updated_work`), exactly as ``fic2book update`` does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fic2book.errors import UsageError
from fic2book.model import UpdateEntry, Work
from fic2book.options import RenderOptions
from fic2book.update import BookState, check_same_work, read_state, update_work


def work_key(work: Work) -> str | None:
    """The manifest's name for the work: ``ao3:ID``, else ``url:`` and its URL, else ``None``.

    The URL is compared without its scheme, ``www.``, final slash and case, as
    :func:`fic2book.update.check_same_work` compares URLs; that check still decides.
    """
    if work.work_id:
        return f"ao3:{work.work_id}"
    if work.url:
        return "url:" + work.url.split("://", 1)[-1].removeprefix("www.").rstrip("/").lower()
    return None


@dataclass(frozen=True)
class Update:
    """What a worker's update of a book did: the chapters added and changed, by name."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed)


def update_date(options: RenderOptions) -> dt.date:
    """The date of an update log entry: ``SOURCE_DATE_EPOCH``'s when set, else today (UTC)."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def updated_work(
    previous: BookState, work: Work, options: RenderOptions, name: str
) -> tuple[Work, Update] | None:
    """``work`` with the chapters the old book lacks (or has with other words) marked new.

    ``None`` when ``work`` is not the old book's work.  A download that adds or changes no
    chapter keeps the book's log as it was and marks nothing (an options change, or a
    re-download whose only news is its kudos, is no update).
    """
    try:
        check_same_work(previous, work, name)
    except UsageError:
        return None
    result = update_work(previous, work, options, update_date(options))
    update = Update(result.entry.added, result.entry.changed)
    if not update:
        return dataclasses.replace(result.work, updates=previous.updates), update
    return result.work, update


def book_state(epub: bytes, name: str) -> str:
    """The manifest's state of a book, from the book's EPUB rendering (:func:`encode_state`)."""
    return encode_state(read_state(epub, name))


def encode_state(state: BookState) -> str:
    """A :class:`BookState` as JSON text for the manifest."""
    return json.dumps(
        {
            "work_id": state.work_id,
            "url": state.url,
            "updates": [
                {"date": e.date.isoformat(), "added": e.added, "changed": e.changed}
                for e in state.updates
            ],
            "chapters": list(state.chapters),
        },
        ensure_ascii=False,
    )


def decode_state(text: str | None) -> BookState | None:
    """The :class:`BookState` of :func:`encode_state`, or ``None`` if the text is not one.

    The manifest is a file anyone who can write the output folder can edit: a row that does
    not hold a state batch wrote makes its book be rebuilt as a new one, nothing worse.
    """
    if not text:
        return None
    try:
        raw: Any = json.loads(text)
        updates = tuple(
            UpdateEntry(
                dt.date.fromisoformat(entry["date"]),
                tuple(map(str, entry["added"])),
                tuple(map(str, entry["changed"])),
            )
            for entry in raw["updates"]
        )
        return BookState(
            _text_or_none(raw["work_id"]),
            _text_or_none(raw["url"]),
            updates,
            tuple(map(str, raw["chapters"])),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _text_or_none(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(value)
