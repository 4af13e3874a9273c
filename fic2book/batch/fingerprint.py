"""The options fingerprint: a book is up to date only while this is unchanged."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from fic2book import __version__
from fic2book.batch.job import files_under, path_fields
from fic2book.errors import InputError
from fic2book.options import RenderOptions

#: Options that bound the work but never change a book: a run with other limits (the CLI's
#: bounded defaults, the library's none) finds the same books up to date.
LIMITS = frozenset({"timeout", "max_memory", "max_input_size"})


def fingerprint(options: RenderOptions) -> str:
    """A hash of fic2book's version and every option, including the contents of option files.

    A book is up to date only while this is unchanged: editing the ``--css`` file or a
    template rebuilds the books, as upgrading fic2book does.
    """
    digest = hashlib.sha256(f"fic2book {__version__}\n".encode())
    paths = dict(path_fields(options))
    for spec in dataclasses.fields(options):
        if spec.name in LIMITS:
            continue
        digest.update(f"{spec.name}=".encode())
        value = paths.get(spec.name)
        if value is None:
            digest.update(repr(getattr(options, spec.name)).encode())
        else:
            for path in (value,) if isinstance(value, Path) else value:
                digest.update(b"[" + _content_digest(path) + b"]")
        digest.update(b"\n")
    return digest.hexdigest()


def _content_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for sub in files_under(path):
                digest.update(sub.relative_to(path).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(sub.read_bytes()).digest())
        else:
            digest.update(path.read_bytes())
    except OSError as err:
        raise InputError(f"{err.filename or path}: {err.strerror or err}") from err
    return digest.digest()
