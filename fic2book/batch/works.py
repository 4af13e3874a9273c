"""Which work a book holds and what it held: how batch keeps books of works in progress current.

A book built from a work with an AO3 work ID or URL is remembered in the manifest under
:func:`work_key`.  When a newer download of the work comes in, the worker compares and marks
its chapters with :func:`fic2book.update.update_work` (:func:`updated_work`), exactly as
``fic2book update`` does, against the old book's :class:`~fic2book.update.BookState`:

- when the run makes EPUBs, the old EPUB carries its state: its bytes go to the worker, which
  reads them with :func:`fic2book.update.read_state` under the run's limits;
- a PDF carries no state, so the manifest also keeps a compact copy (:func:`encode_state`:
  the update log and each chapter's name, heading and word fingerprint, read from the EPUB
  rendering of the same work).  It lacks the chapters' words (a library's whole text would
  bloat the manifest), which ``update`` uses to pair an edited chapter with its old self
  when no title of its own pairs them; in a PDF-only library an edited untitled chapter is
  therefore logged as removed and added rather than changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fic2book.batch.manifest import BookRecord
from fic2book.chapter_match import ChapterPrint
from fic2book.errors import Fic2BookError, UsageError
from fic2book.model import UpdateEntry, Work
from fic2book.options import RenderOptions
from fic2book.update import (
    BookState,
    check_same_work,
    read_state,
    update_day,
    update_work,
    url_key,
)


def work_key(work: Work) -> str | None:
    """The manifest's name for the work: ``ao3:ID``, else ``url:`` and its URL, else ``None``.

    The URL is compared without its scheme, ``www.``, final slash and case, as
    :func:`fic2book.update.check_same_work` compares URLs; that check still decides.
    """
    if work.work_id:
        return f"ao3:{work.work_id}"
    if work.url:
        return "url:" + url_key(work.url)
    return None


@dataclass(frozen=True)
class Before:
    """What a worker gets to know the book it rebuilds: the old EPUB, the manifest's state."""

    #: The old EPUB's bytes, when the run keeps EPUBs (the state it carries is complete).
    epub: bytes | None
    #: The manifest's :func:`encode_state` of the book.
    state: str | None
    #: Whether the input is byte for byte the one the book was made from (an options change,
    #: ``--force``, a format added): then nothing is compared and the log is kept as it is.
    same_input: bool = False

    def book_state(self, name: str) -> BookState | None:
        """The old book's state: the EPUB's, else the manifest's; ``None`` when neither reads."""
        if self.epub is not None:
            try:
                return read_state(self.epub, name)
            except Fic2BookError:
                pass  # a damaged or replaced book: the manifest's copy may still serve
        return decode_state(self.state)


@dataclass(frozen=True)
class Update:
    """What a worker's update of a book did: the chapters added, changed and removed, by name."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def before(output: Path, rows: Sequence[BookRecord], digest: str) -> Before | None:
    """What a worker needs to update the book of ``rows`` (``None``: it holds no known work).

    The old EPUB's bytes when there is one (it carries the whole state), and the manifest's
    copy of the state, which serves a PDF-only run.  ``digest`` is the input's hash now.
    """
    if not any(row.work for row in rows):
        return None
    epub = None
    for row in rows:
        if row.format == "epub":
            # The row is confined to the output folder (Manifest never returns another).
            with contextlib.suppress(OSError):
                epub = (output / row.output).read_bytes()
    state = next((row.state for row in rows if row.state), None)
    return Before(epub, state, same_input=all(row.hash == digest for row in rows))


def superseded_note(by: str) -> str:
    """Why an input makes no book: ``by`` holds the same work and every chapter it has."""
    return f"superseded by {by}: the same work, with every chapter of this download"


def updated_work(
    before: Before, work: Work, options: RenderOptions, name: str
) -> tuple[Work, Update] | None:
    """``work`` with the chapters the old book lacks (or has with other words) marked new.

    ``None`` when ``work`` is not the old book's work (or the old book's state is lost).  A
    download that adds, changes and removes no chapter keeps the book's log as it was and
    marks nothing: an options change, or a re-download whose only news is its kudos, is no
    update.
    """
    previous = before.book_state(name)
    if previous is None:
        return None
    if before.same_input:
        # The same chapters as before: the ones the last update marked stay marked.
        marked = marked_chapters(before.state)
        chapters = tuple(
            dataclasses.replace(chapter, is_new=index in marked)
            for index, chapter in enumerate(work.chapters)
        )
        return dataclasses.replace(work, chapters=chapters, updates=previous.updates), Update()
    try:
        check_same_work(previous, work, name)
    except UsageError:
        return None
    # A download with no news adds no log entry (update_work keeps the log as it was).
    result = update_work(previous, work, options, update_day(options))
    entry = result.entry
    return result.work, Update(entry.added, entry.changed, entry.removed)


def book_state(epub: bytes, name: str, work: Work) -> str:
    """The manifest's state of ``work``'s book, from its EPUB rendering (:func:`encode_state`)."""
    marked = [index for index, chapter in enumerate(work.chapters) if chapter.is_new]
    return encode_state(read_state(epub, name), marked)


def encode_state(state: BookState, marked: Sequence[int] = ()) -> str:
    """The manifest's compact copy of a :class:`BookState`, as JSON (no chapter words).

    ``marked`` are the indexes of the chapters the book marks new, so a rebuild for other
    options keeps the marks (:func:`updated_work`).
    """
    return json.dumps(
        {
            "marked": list(marked),
            "work_id": state.work_id,
            "url": state.url,
            "updates": [
                {**dataclasses.asdict(entry), "date": entry.date.isoformat()}
                for entry in state.updates
            ],
            "prints": [
                {"name": p.name, "heading": p.heading, "fingerprint": p.fingerprint}
                for p in state.prints
            ],
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
                **{
                    key: tuple(map(str, value)) if isinstance(value, list) else value
                    for key, value in entry.items()
                    if key != "date"
                },
                date=dt.date.fromisoformat(entry["date"]),
            )
            for entry in raw["updates"]
        )
        prints = tuple(
            ChapterPrint(_text(p["name"]), _text(p["heading"]), _text(p["fingerprint"]), ())
            for p in raw["prints"]
        )
        return BookState(
            work_id=_text_or_none(raw["work_id"]),
            url=_text_or_none(raw["url"]),
            updates=updates,
            chapters=tuple(p.fingerprint for p in prints),
            prints=prints,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def marked_chapters(text: str | None) -> frozenset[int]:
    """The indexes of the chapters a state of :func:`encode_state` marks new (none if unread)."""
    try:
        raw: Any = json.loads(text or "{}")
        return frozenset(index for index in raw.get("marked", ()) if isinstance(index, int))
    except (ValueError, TypeError, AttributeError):
        return frozenset()


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(value)


def _text_or_none(value: object) -> str | None:
    return None if value is None else _text(value)
