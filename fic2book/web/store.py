"""Uploads and their books, kept in one private temporary folder for the run.

The folder is made by :func:`tempfile.mkdtemp` (mode 700) and removed when the server stops.
Each upload gets a random id and a sub-folder; its file is saved there under a fixed name
(``upload`` plus a suffix a reader takes), so nothing the browser sends becomes a path: the
browser's file name is kept only as a display string.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fic2book.units import human_size

#: Longest file name shown on the page, in characters.
MAX_DISPLAY_NAME = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def too_large(limit: int) -> str:
    """The sentence for a file over the size limit."""
    return f"This file is larger than the {human_size(limit)} fic2book accepts."


class UploadRefused(Exception):
    """An upload the page refuses, with the HTTP status and the sentence to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def display_name(raw: str) -> str:
    """The browser's file name as a display string: last component, no control characters."""
    name = re.split(r"[/\\]", raw)[-1]
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip()
    return name[:MAX_DISPLAY_NAME] or "unnamed file"


def readable_suffixes() -> tuple[str, ...]:
    """Suffixes some reader takes (``.txt``, ``.epub``…), from the readers' own table."""
    from fic2book.readers import reader_infos

    return tuple(dict.fromkeys(s for info in reader_infos() for s in info.suffixes))


@dataclass
class Job:
    """A conversion of one upload: where it stands, and the books made so far."""

    formats: tuple[str, ...]
    state: str = "queued"  # queued, working, done, failed
    current: str | None = None
    #: What the library last reported doing ("Laying out the PDF"), see fic2book.progress.
    stage: str | None = None
    error: str | None = None
    books: dict[str, Path] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The job as the page polls it."""
        return {
            "state": self.state,
            "formats": list(self.formats),
            "current": self.current,
            "stage": self.stage,
            "done": len(self.books),
            "total": len(self.formats),
            "error": self.error,
            "books": [{"format": fmt, "name": path.name} for fmt, path in self.books.items()],
        }


@dataclass
class Upload:
    """One uploaded file: its private folder, its display name and what reading it gave."""

    id: str
    name: str
    folder: Path
    source: Path
    info: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    job: Job | None = None

    def as_json(self) -> dict[str, Any]:
        """The upload as the page shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "info": self.info,
            "warnings": self.warnings,
            "error": self.error,
            "job": self.job.as_json() if self.job else None,
        }


class Store:
    """The run's uploads, by id, in a private temporary folder."""

    def __init__(self, max_input_size: int, max_files: int = 100) -> None:
        """Make the private folder (mode 700)."""
        self.root = Path(tempfile.mkdtemp(prefix="fic2book-serve-"))
        self.max_input_size = max_input_size
        self.max_files = max_files
        self.cover: Path | None = None
        self._uploads: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def get(self, upload_id: str) -> Upload | None:
        """The upload with this id, if there is one."""
        with self._lock:
            return self._uploads.get(upload_id)

    def all(self) -> list[Upload]:
        """Every upload, in the order they came."""
        with self._lock:
            return list(self._uploads.values())

    def new_upload(self, raw_name: str) -> Upload:
        """Make the folder of a new upload named ``raw_name`` (a display string only)."""
        name = display_name(raw_name)
        suffix = Path(name).suffix.lower()
        allowed = readable_suffixes()
        if suffix not in allowed:
            kinds = ", ".join(allowed)
            raise UploadRefused(
                415, f"fic2book cannot read {suffix or 'this kind of'} files; it reads {kinds}."
            )
        with self._lock:
            if len(self._uploads) >= self.max_files:
                raise UploadRefused(
                    429, f"This page holds at most {self.max_files} files; remove some first."
                )
            upload_id = secrets.token_hex(8)
            folder = self.root / upload_id
            folder.mkdir(mode=0o700)
            upload = Upload(upload_id, name, folder, folder / f"upload{suffix}")
            self._uploads[upload_id] = upload
        return upload

    async def save(self, target: Path, chunks: AsyncIterator[bytes], limit: int) -> None:
        """Write ``chunks`` to ``target``, refusing more than ``limit`` bytes (0: no limit)."""
        size = 0
        with target.open("wb") as handle:
            async for chunk in chunks:
                size += len(chunk)
                if limit and size > limit:
                    raise UploadRefused(413, too_large(limit))
                handle.write(chunk)
        if size == 0:
            raise UploadRefused(400, "This file is empty.")

    def remove(self, upload_id: str) -> bool:
        """Forget an upload and delete its folder (the file and its books)."""
        with self._lock:
            upload = self._uploads.pop(upload_id, None)
        if upload is None:
            return False
        shutil.rmtree(upload.folder, ignore_errors=True)
        return True

    def close(self) -> None:
        """Delete every upload and book: the end of the run."""
        with self._lock:
            self._uploads.clear()
        shutil.rmtree(self.root, ignore_errors=True)
