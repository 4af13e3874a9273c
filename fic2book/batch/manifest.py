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

from fic2book.backends import BACKENDS
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
    #: :func:`~fic2book.batch.fingerprint.fingerprint` of the options the book was made with.
    fingerprint: str
    #: The book's path relative to the output folder, with ``/`` separators.
    output: str


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

    def _select(self, where: str, value: str) -> list[BookRecord]:
        """The rows matching ``where``, the unsafe ones left out (and noted in ``ignored``)."""
        try:
            rows = self._db.execute(
                "SELECT input, format, hash, size, mtime_ns, fingerprint, output FROM books "
                f"WHERE {where} = ?",
                (value,),
            ).fetchall()
        except sqlite3.DatabaseError as err:
            raise self._corrupt(err) from err
        kept = []
        for row in rows:
            texts, numbers = (row[0], row[1], row[2], row[5], row[6]), (row[3], row[4])
            if not all(isinstance(v, str) for v in texts) or not all(
                isinstance(v, int) for v in numbers
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
