"""The batch manifest: which book each input became, so a rerun skips what is up to date.

One SQLite file in the output folder (:data:`MANIFEST_NAME`) holds a row per input and
format: the input's content hash and its size and modification time (so an untouched file is
not read again just to be hashed), the options fingerprint (fic2book's version included), and
the book's path relative to the output folder.  A row is written only after its book has been
renamed into place, one transaction per input, so a run killed at any moment leaves rows that
are all true; a book written just before the kill and not yet recorded is rebuilt next time.

A book of a work with an AO3 work ID or URL also records the work's key and the book's state
(:mod:`fic2book.batch.works`), so a newer download under another name updates that book
(:meth:`Manifest.by_work`).  An input whose work is built from another, newer input is
remembered as *superseded* by it, so it makes no second book.  ``batch --combine series``
remembers its omnibuses' members (:meth:`Manifest.omnibus`) and each input's series.  A
manifest of schema 1 gains the new columns and tables in place; a manifest of any other
layout is started afresh.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fic2book.backends import BACKENDS
from fic2book.errors import OutputError

#: File name of the manifest inside the output folder.
MANIFEST_NAME = ".fic2book-manifest.sqlite"

#: Bumped when the table layout changes; see the module for what happens to older manifests.
SCHEMA_VERSION = 2

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

#: What schema 1 lacks; the tables and index it lacks are created by :data:`_SCHEMA`.
_FROM_1 = """
ALTER TABLE books ADD COLUMN work TEXT;
ALTER TABLE books ADD COLUMN state TEXT;
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS books (
    input TEXT NOT NULL,
    format TEXT NOT NULL,
    folder TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    output TEXT NOT NULL,
    seconds REAL NOT NULL,
    written REAL NOT NULL,
    work TEXT,
    state TEXT,
    PRIMARY KEY (input, format)
);
CREATE INDEX IF NOT EXISTS books_folder ON books (folder);
CREATE INDEX IF NOT EXISTS books_work ON books (work);
CREATE TABLE IF NOT EXISTS superseded (
    input TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS series_of (
    input TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    reader TEXT NOT NULL,
    series TEXT
);
CREATE TABLE IF NOT EXISTS omnibuses (
    name TEXT PRIMARY KEY,
    members TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    outputs TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class BookRecord:
    """One manifest row: the book ``output`` made from ``input`` in ``format``."""

    #: The input's path relative to the input folder, with ``/`` separators.
    input: str
    #: Backend name, e.g. ``"epub"``.
    format: str
    #: SHA-256 of the input's bytes, hex.
    hash: str
    #: The input's size and modification time when it was hashed.
    size: int
    mtime_ns: int
    #: :func:`~fic2book.batch.fingerprint.fingerprint` of the options the book was made with.
    fingerprint: str
    #: The book's path relative to the output folder, with ``/`` separators.
    output: str
    #: The work's :func:`~fic2book.batch.works.work_key`, ``None`` when it has no ID or URL.
    work: str | None = None
    #: The book's :func:`~fic2book.batch.works.encode_state` (with ``work``).
    state: str | None = None


@dataclass(frozen=True)
class Superseded:
    """An input whose work is built from the newer input ``by``; it makes no book of its own."""

    input: str
    hash: str
    size: int
    mtime_ns: int
    by: str


def folder_of(relative: str) -> str:
    """The folder part of a ``/``-separated relative path (``""`` at the top)."""
    return relative.rpartition("/")[0]


def _within(folder: str, mirror: str) -> bool:
    """Whether the ``/``-separated ``folder`` is ``mirror`` or inside it."""
    return not mirror or folder == mirror or folder.startswith(mirror + "/")


def confined_output(root: Path, record: BookRecord) -> Path | None:
    """The book path of ``record`` under the output folder ``root``, or ``None`` if unsafe.

    The manifest is a file anyone with write access to the output folder can edit, and batch
    deletes and overwrites the books it names.  A book lives in the folder that mirrors its
    input's (or in folders a ``--name`` template made inside it), under a plain visible
    name with its format's suffix, and nowhere else: a
    ``../`` or absolute path, a hidden name (the manifest itself) or a folder symlinked out
    of ``root`` is refused.  ``root`` must be resolved.
    """
    output = record.output
    name = output.rpartition("/")[2]
    if (
        "\0" in output
        or "\\" in output
        or not _within(folder_of(output), folder_of(record.input))
        or name.startswith(".")
        or record.format not in BACKENDS
        or not name.lower().endswith(BACKENDS[record.format].suffix)
        or any(part in ("", ".", "..") for part in output.split("/"))
    ):
        return None
    path = root / output
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return None
    # Resolved, the book must still sit in its mirror folder: no symlink leads elsewhere.
    return path if real.parent == root / folder_of(output) else None


class Manifest:
    """The SQLite manifest of one output folder; use as a context manager.

    Rows whose book path is not safely inside the output folder (:func:`confined_output`) are
    never returned: they are collected in :attr:`ignored`, one line each, for the caller to
    report.  A corrupt database is refused with one line, or started afresh when ``rebuild``
    (``--force``) is given.
    """

    def __init__(self, output: Path, rebuild: bool = False) -> None:
        self.path = output / MANIFEST_NAME
        self.root = output.resolve()
        #: One line per manifest row that was ignored because its book path is unsafe.
        self.ignored: list[str] = []
        self._seen: set[tuple[str, str]] = set()
        try:
            self._open()
        except sqlite3.DatabaseError as err:
            with contextlib.suppress(AttributeError):
                self.close()
            if not rebuild:
                raise self._corrupt(err) from err
            self._remove_files()
            try:
                self._open()
            except sqlite3.DatabaseError as again:
                raise OutputError(f"{self.path}: {again}") from again

    def _open(self) -> None:
        # isolation_level=None: transactions are explicit (one per input, see record()).
        self._db = sqlite3.connect(self.path, isolation_level=None)
        # WAL with synchronous=NORMAL makes a commit cheap (no fsync) yet never leaves a
        # half-written transaction after a crash; a lost tail only means rebuilding books.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # A damaged page would otherwise surface as an error in the middle of the run.
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(map(str, problems[:3])))
        self._migrate()

    def _corrupt(self, err: sqlite3.Error) -> OutputError:
        return OutputError(
            f"{self.path}: the batch manifest is corrupt ({err}); "
            "run again with --force to rebuild it"
        )

    def _remove_files(self) -> None:
        for extra in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                self.path.with_name(self.path.name + extra).unlink()

    def _migrate(self) -> None:
        self._db.executescript(_META)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] == "1":
            # Schema 1 lacks only the work columns and new tables: its rows stay true.
            self._db.executescript(_FROM_1)
        elif row is not None and row[0] != str(SCHEMA_VERSION):
            # A manifest from another layout cannot be trusted: forget it (books get rebuilt).
            for table in ("books", "superseded", "series_of", "omnibuses"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
        self._db.executescript(_SCHEMA)
        if row is None or row[0] != str(SCHEMA_VERSION):
            # Written only when it changes: a run that skips every book leaves the file alone.
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (SQLite folds the write-ahead log back into the file)."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    def _select(self, where: str, value: str) -> list[BookRecord]:
        """The rows matching ``where``, the unsafe ones left out (and noted in ``ignored``)."""
        try:
            rows = self._db.execute(
                "SELECT input, format, hash, size, mtime_ns, fingerprint, output, work, state "
                f"FROM books WHERE {where} = ? ORDER BY input, format",
                (value,),
            ).fetchall()
        except sqlite3.DatabaseError as err:
            raise self._corrupt(err) from err
        kept = []
        for row in rows:
            texts, numbers = (row[0], row[1], row[2], row[5], row[6]), (row[3], row[4])
            if (
                not all(isinstance(v, str) for v in texts)
                or not all(isinstance(v, int) for v in numbers)
                or not all(v is None or isinstance(v, str) for v in row[7:])
            ):
                self._ignore(str(row[0]), str(row[1]), "it is not a row batch wrote")
                continue
            record = BookRecord(*row)
            if confined_output(self.root, record) is None:
                why = f"its book {record.output!r} is not a book in the output folder"
                self._ignore(record.input, record.format, why)
            else:
                kept.append(record)
        return kept

    def _ignore(self, relative: str, fmt: str, why: str) -> None:
        if (relative, fmt) not in self._seen:
            self._seen.add((relative, fmt))
            self.ignored.append(f"ignored the manifest's {fmt} row for {relative!r}: {why}")

    def records(self, relative: str) -> dict[str, BookRecord]:
        """The rows of one input, by format."""
        return {record.format: record for record in self._select("input", relative)}

    def in_folder(self, folder: str) -> Iterator[BookRecord]:
        """The rows of every input directly in ``folder`` (relative, ``""`` at the top)."""
        yield from self._select("folder", folder)

    def by_work(self, key: str, folder: str | None = None) -> dict[str, list[BookRecord]]:
        """The rows of the work ``key`` (:func:`~fic2book.batch.works.work_key`), by input.

        With ``folder``, only those of inputs directly in that folder.
        """
        found: dict[str, list[BookRecord]] = {}
        for record in self._select("work", key):
            if folder is None or folder_of(record.input) == folder:
                found.setdefault(record.input, []).append(record)
        return found

    def record(self, books: list[BookRecord], seconds: float, replaces: str | None = None) -> None:
        """Remember the books just written for one input, in one transaction.

        ``replaces`` names another input of the same folder whose books these are now (an
        older download of the same work): its rows of the formats written go; the rest follow
        the work to the new input, marked out of date.
        """
        now = time.time()
        try:
            self._db.execute("BEGIN")
            if books:
                # A superseded input that changed and made a book is an input like any other.
                self._db.execute("DELETE FROM superseded WHERE input = ?", (books[0].input,))
            if replaces is not None and books:
                self._hand_over(replaces, books[0].input, [book.format for book in books])
            self._db.executemany(
                "INSERT OR REPLACE INTO books (input, format, folder, hash, size, mtime_ns, "
                "fingerprint, output, seconds, written, work, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        book.input,
                        book.format,
                        folder_of(book.input),
                        book.hash,
                        book.size,
                        book.mtime_ns,
                        book.fingerprint,
                        book.output,
                        seconds,
                        now,
                        book.work,
                        book.state,
                    )
                    for book in books
                ],
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise OutputError(f"{self.path}: {err}") from err

    def _hand_over(self, old: str, new: str, formats: list[str]) -> None:
        """Give the books of input ``old`` to input ``new`` (in :meth:`record`'s transaction)."""
        marks = ", ".join("?" * len(formats))
        self._db.execute(
            f"DELETE FROM books WHERE input = ? AND format IN ({marks})", (old, *formats)
        )
        # An empty hash never matches: the next run with that format rebuilds the book.
        self._db.execute(
            "UPDATE OR IGNORE books SET input = ?, hash = '' WHERE input = ?", (new, old)
        )
        self._db.execute("DELETE FROM books WHERE input = ?", (old,))

    def superseded(self, relative: str) -> Superseded | None:
        """The input's superseded row, if it has one."""
        try:
            row = self._db.execute(
                "SELECT input, hash, size, mtime_ns, by FROM superseded WHERE input = ?",
                (relative,),
            ).fetchone()
        except sqlite3.DatabaseError as err:
            raise self._corrupt(err) from err
        if row is None or not all(isinstance(v, int) for v in row[2:4]):
            return None
        if not all(isinstance(v, str) for v in (row[0], row[1], row[4])):
            return None
        return Superseded(*row)

    def newest(self, entry: Superseded) -> str:
        """The input holding the book now: ``entry.by``, unless superseded in turn."""
        owner, seen = entry.by, {entry.input}
        while (later := self.superseded(owner)) is not None and owner not in seen:
            seen.add(owner)
            owner = later.by
        return owner

    def supersede(self, entry: Superseded) -> None:
        """Remember that an input's work is built from a newer input (its own rows go)."""
        self._write(
            ("DELETE FROM books WHERE input = ?", (entry.input,)),
            (
                "INSERT OR REPLACE INTO superseded (input, hash, size, mtime_ns, by) "
                "VALUES (?, ?, ?, ?, ?)",
                (entry.input, entry.hash, entry.size, entry.mtime_ns, entry.by),
            ),
        )

    def forget_superseded(self, relative: str) -> None:
        """The input changed since it was superseded: it is an input like any other again."""
        self._write(("DELETE FROM superseded WHERE input = ?", (relative,)))

    def omnibus(self, name: str) -> tuple[str, str, tuple[str, ...]] | None:
        """An omnibus's recorded members (JSON), options fingerprint and books, if any."""
        try:
            row = self._db.execute(
                "SELECT members, fingerprint, outputs FROM omnibuses WHERE name = ?", (name,)
            ).fetchone()
            outputs = () if row is None else tuple(map(str, json.loads(row[2])))
        except (sqlite3.DatabaseError, ValueError, TypeError) as err:
            if isinstance(err, sqlite3.DatabaseError):
                raise self._corrupt(err) from err
            return None
        return None if row is None else (str(row[0]), str(row[1]), outputs)

    def record_omnibus(self, name: str, members: str, fingerprint: str, outputs: list[str]) -> None:
        """Remember an omnibus just written (``members``: JSON of its inputs and hashes)."""
        self._write(
            (
                "INSERT OR REPLACE INTO omnibuses (name, members, fingerprint, outputs) "
                "VALUES (?, ?, ?, ?)",
                (name, members, fingerprint, json.dumps(outputs, ensure_ascii=False)),
            )
        )

    def series_of(self, relative: str, digest: str, reader: str) -> tuple[str | None] | None:
        """The remembered first series of an input with this content read by ``reader``.

        ``(None,)`` for a work in no series; ``None`` when the input must be read.
        """
        try:
            row = self._db.execute(
                "SELECT series FROM series_of WHERE input = ? AND hash = ? AND reader = ?",
                (relative, digest, reader),
            ).fetchone()
        except sqlite3.DatabaseError as err:
            raise self._corrupt(err) from err
        if row is None or not (row[0] is None or isinstance(row[0], str)):
            return None
        return (row[0],)

    def remember_series(self, relative: str, digest: str, reader: str, series: str | None) -> None:
        """Remember an input's first series, so the next run need not read it."""
        self._write(
            (
                "INSERT OR REPLACE INTO series_of (input, hash, reader, series) "
                "VALUES (?, ?, ?, ?)",
                (relative, digest, reader, series),
            )
        )

    def _write(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        """Run ``statements`` in one transaction."""
        try:
            self._db.execute("BEGIN")
            for sql, values in statements:
                self._db.execute(sql, values)
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise OutputError(f"{self.path}: {err}") from err
