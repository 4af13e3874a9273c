"""Discovery: the folders under the input folder, in sorted order, with their candidate inputs.

Symlinked folders are not entered, hidden names and the output folder are left out; which
files are candidates is decided by the registered readers' suffixes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fic2book.readers import READERS, reader_named


def input_suffixes(from_format: str | None = None) -> frozenset[str]:
    """The suffixes batch takes: every registered reader's, or only ``--from``'s."""
    if from_format:
        return frozenset(reader_named(from_format).suffixes)
    return frozenset(s for reader in READERS.values() for s in reader.suffixes)


@dataclass(frozen=True)
class Folder:
    """One folder of the input tree and its candidate inputs (or why it cannot be read)."""

    #: Relative to the input folder, ``/``-separated, ``""`` at the top.
    rel: str
    path: Path
    #: Candidate file names, sorted.
    names: tuple[str, ...] = ()
    error: str | None = None


def join(folder: str, name: str) -> str:
    """The relative path of ``name`` in the relative ``folder`` (``""`` at the top)."""
    return f"{folder}/{name}" if folder else name


def walk(source: Path, skip: os.stat_result | None, suffixes: frozenset[str]) -> Iterator[Folder]:
    """Yield each folder under ``source`` in sorted order with its candidate inputs.

    Symlinked folders are not entered (so a symlink loop cannot trap the walk), hidden names
    and the folder ``skip`` (the output) are left out; a folder that cannot be listed is
    yielded with its error.
    """
    errors: list[OSError] = []

    def flush() -> Iterator[Folder]:
        for err in errors:
            where = Path(err.filename or source)
            rel = Path(os.path.relpath(where, source)).as_posix()
            yield Folder(
                rel if rel != "." else "",
                where,
                error=f"cannot read input: {where}: {err.strerror or err}",
            )
        errors.clear()

    for top, dirs, files in os.walk(source, onerror=errors.append, followlinks=False):
        yield from flush()
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if skip is not None:
                with contextlib.suppress(OSError):
                    if os.path.samestat(os.stat(os.path.join(top, name)), skip):
                        continue
            kept.append(name)
        dirs[:] = kept
        rel = Path(os.path.relpath(top, source)).as_posix()
        names = tuple(
            sorted(
                name
                for name in files
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in suffixes
            )
        )
        yield Folder("" if rel == "." else rel, Path(top), names)
    yield from flush()


def hash_file(path: Path) -> tuple[str, bytes]:
    """The file's SHA-256 (hex) and its bytes, read once."""
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), data


def present(source: Path, relative: str) -> bool:
    """Whether the manifest's input ``relative`` is still a file in the input folder ``source``.

    The manifest can be edited: a name that climbs out of the folder is never looked at.
    """
    if relative.startswith("/") or "\0" in relative or ".." in relative.split("/"):
        return False
    return (source / relative).is_file()
