"""Load WeasyPrint's native libraries without a compiler run per candidate name.

WeasyPrint opens Pango, GObject, HarfBuzz and Fontconfig through cffi, trying several names
per library for the different platforms (``libgobject-2.0-0``, ``gobject-2.0-0``,
``gobject-2.0``, ``libgobject-2.0.so.0``…).  cffi hands each name it cannot open directly to
:func:`ctypes.util.find_library`, which on Linux runs ``ldconfig -p`` and, when that finds
nothing, ``gcc`` and ``ld`` as well: about 22 subprocesses and a quarter of a second on every
PDF conversion, most of it for names that are Windows or macOS spellings.

:func:`quick_find_library` answers those lookups from one ``ldconfig -p`` listing while the
import runs.  A name the listing does not have gets ``None`` at once: WeasyPrint's later
candidates include the full sonames (``libpango-1.0.so.0``), which the dynamic loader finds
by its own search path (``LD_LIBRARY_PATH`` included).  Should the import still fail, the
caller imports again with the standard lookup, so no system that worked before stops working.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator

#: ``ldconfig -p`` lines: ``\tlibpango-1.0.so.0 (libc6,x86-64) => /usr/lib/…/libpango-1.0.so.0``.
_ENTRY = re.compile(r"^\s+(\S+)\s+\(([^)]*)\)", re.MULTILINE)


def ldconfig_sonames() -> list[tuple[str, str]] | None:
    """The ``(soname, flags)`` pairs of the loader cache, or ``None`` if it cannot be listed."""
    program = shutil.which("ldconfig") or (
        "/sbin/ldconfig" if os.path.exists("/sbin/ldconfig") else None
    )
    if program is None:
        return None
    try:
        listing = subprocess.run(
            [program, "-p"],
            capture_output=True,
            text=True,
            check=True,
            # The flags column is translated in some locales.
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [(match[1], match[2]) for match in _ENTRY.finditer(listing)]


def soname_finder(entries: list[tuple[str, str]]) -> Callable[[str], str | None]:
    """A :func:`ctypes.util.find_library` look-alike over a fixed loader-cache listing.

    ``find("pango-1.0")`` gives the first soname ``libpango-1.0.<something>``, as the
    standard function's ``ldconfig`` step does.  Entries of the machine's own word size come
    first so a 32-bit compatibility copy is not chosen over the native one.
    """
    native = "64" if sys.maxsize > 2**32 else ""

    def own_size(flags: str) -> bool:
        # 64-bit entries carry "x86-64", "64bit", "AArch64", "IA-64"…; 32-bit ones none.
        return ("64" in flags) == bool(native)

    ordered = [name for name, flags in entries if own_size(flags)]
    ordered += [name for name, flags in entries if not own_size(flags)]

    def find(name: str) -> str | None:
        prefix = f"lib{name}."
        return next((soname for soname in ordered if soname.startswith(prefix)), None)

    return find


@contextlib.contextmanager
def quick_find_library() -> Iterator[None]:
    """Answer :func:`ctypes.util.find_library` from one ``ldconfig -p`` run meanwhile.

    Does nothing outside Linux or when ``ldconfig`` cannot be run.
    """
    entries = ldconfig_sonames() if sys.platform.startswith("linux") else None
    if entries is None:
        yield
        return
    original = ctypes.util.find_library
    # setattr: typeshed types the module attribute as a plain function, not a variable.
    setattr(ctypes.util, "find_library", soname_finder(entries))  # noqa: B010
    try:
        yield
    finally:
        setattr(ctypes.util, "find_library", original)  # noqa: B010
