"""The batch manifest: which book each input became, so a rerun skips what is up to date.

One SQLite file in the output folder (:data:`MANIFEST_NAME`) holds a row per input and
format: the input's content hash and its size and modification time (so an untouched file is
not read again just to be hashed), the options fingerprint (fic2book's version included), and
the book's path relative to the output folder.  A row is written only after its book has been
renamed into place, one transaction per input, so a run killed at any moment leaves rows that
are all true; a book written just before the kill and not yet recorded is rebuilt next time.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fic2book.errors import OutputError

#: File name of the manifest inside the output folder.
MANIFEST_NAME = ".fic2book-manifest.sqlite"

#: Bumped when the table layout changes; an older manifest is then started afresh.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
    PRIMARY KEY (input, format)
);
CREATE INDEX IF NOT EXISTS books_folder ON books (folder);
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
    #: :func:`fic2book.batch.fingerprint` of the options (and version) the book was made with.
    fingerprint: str
    #: The book's path relative to the output folder, with ``/`` separators.
    output: str


def folder_of(relative: str) -> str:
    """The folder part of a ``/``-separated relative path (``""`` at the top)."""
    return relative.rpartition("/")[0]


class Manifest:
    """The SQLite manifest of one output folder; use as a context manager."""

    def __init__(self, output: Path) -> None:
        self.path = output / MANIFEST_NAME
        try:
            # isolation_level=None: transactions are explicit (one per input, see record()).
            self._db = sqlite3.connect(self.path, isolation_level=None)
            # WAL with synchronous=NORMAL makes a commit cheap (no fsync) yet never leaves a
            # half-written transaction after a crash; a lost tail only means rebuilding books.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise OutputError(f"{self.path}: {err}") from err

    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] != str(SCHEMA_VERSION):
            # A manifest from another layout cannot be trusted: forget it (books get rebuilt).
            self._db.executescript("DROP TABLE books; DROP TABLE meta;")
            self._db.executescript(_SCHEMA)
            row = None
        if row is None:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (SQLite folds the write-ahead log back into the file)."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    def records(self, relative: str) -> dict[str, BookRecord]:
        """The rows of one input, by format."""
        rows = self._db.execute(
            "SELECT input, format, hash, size, mtime_ns, fingerprint, output FROM books "
            "WHERE input = ?",
            (relative,),
        )
        return {row[1]: BookRecord(*row) for row in rows}

    def in_folder(self, folder: str) -> Iterator[BookRecord]:
        """The rows of every input directly in ``folder`` (relative, ``""`` at the top)."""
        rows = self._db.execute(
            "SELECT input, format, hash, size, mtime_ns, fingerprint, output FROM books "
            "WHERE folder = ?",
            (folder,),
        )
        for row in rows:
            yield BookRecord(*row)

    def record(self, books: list[BookRecord], seconds: float) -> None:
        """Remember the books just written for one input, in one transaction."""
        now = time.time()
        try:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO books (input, format, folder, hash, size, mtime_ns, "
                "fingerprint, output, seconds, written) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    )
                    for book in books
                ],
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise OutputError(f"{self.path}: {err}") from err
