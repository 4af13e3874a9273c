"""Hidden temporary files beside the books and reports they become, and their clean-up.

Books and reports are written to ``.fic2book-XXXXXXXX.ext`` in the target folder and renamed
into place (:mod:`fic2book.pipeline`).  A run killed with SIGKILL cannot delete its temporary
file, so the next run in that folder does.  It must not delete the file of a run still going
(a 500-page PDF takes minutes), so the writer holds an advisory lock (:func:`fcntl.flock`) on
its file for as long as it lives; the kernel drops the lock when the process dies, whatever
killed it, and a file nobody holds is debris.  Where ``fcntl`` does not exist only files older
than :data:`STALE_AFTER` seconds are removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

#: Prefix of the temporary files books and reports are written to.
TEMP_PREFIX = ".fic2book-"

#: A temporary file of ours: :func:`tempfile.mkstemp` adds eight characters from
#: ``[a-z0-9_]`` after the prefix, then the suffix.
TEMP_FILE = re.compile(re.escape(TEMP_PREFIX) + r"[a-z0-9_]{8}\.[A-Za-z0-9]+\Z")

#: Age in seconds after which an unlocked temporary file is debris where locks do not exist.
STALE_AFTER = 60.0

#: The manifest's name fits :data:`TEMP_FILE` ("manifest" has eight letters): never debris.
_KEEP = ".fic2book-manifest"

__all__ = ["STALE_AFTER", "TEMP_FILE", "TEMP_PREFIX", "create_held", "remove_stale"]


def create_held(folder: Path, suffix: str) -> tuple[int, Path]:
    """Create a new temporary file in ``folder``; return its descriptor, holding its lock.

    The lock lasts until the descriptor is closed (or the process dies).  Raises ``OSError``.
    """
    while True:
        handle, name = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=suffix)
        if fcntl is None:
            return handle, Path(name)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            # A file system without locks (some NFS): no cleaner can lock the file either,
            # so none removes it.
            return handle, Path(name)
        # Between mkstemp and flock a cleaner may have taken the fresh file for debris and
        # deleted it: then make another (the name is no longer ours).
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(handle), os.stat(name, follow_symlinks=False)):
                return handle, Path(name)
        os.close(handle)


def remove_stale(folder: Path) -> int:
    """Delete the temporary files killed runs left directly in ``folder``; return how many."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    now = time.time()
    for entry in entries:
        if entry.name.startswith(_KEEP) or not TEMP_FILE.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if fcntl is None:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER:
                    os.unlink(entry.path)
                    removed += 1
                continue
        except OSError:
            continue
        if _unlink_if_unheld(entry.path):
            removed += 1
    return removed


def _unlink_if_unheld(path: str) -> bool:
    """Delete ``path`` unless a live process holds its lock; tell whether it was deleted."""
    assert fcntl is not None
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Locked by us now; the path must still be this file, not one made since.
        if not os.path.samestat(os.fstat(handle), os.stat(path, follow_symlinks=False)):
            return False
        os.unlink(path)
    except OSError:
        return False
    finally:
        os.close(handle)
    return True
