"""The limits that keep a hostile or broken input from exhausting the machine, and their defaults.

Three bounds, each an option of ``convert``, ``batch`` and the web page (``docs/security.md``
lists what each stage costs per input megabyte):

* ``--max-input-size`` (default 16 MiB): a larger input file is refused before any reader
  sees it (:func:`check_input_size`, :func:`check_data_size`).  EPUB members are capped
  separately when unpacked (``fic2book/readers/epub/archive.py``).
* ``--timeout`` (default 600 s) and ``--max-memory`` (default 4 GiB of address space): the
  whole conversion of one work — reading, cleaning, typesetting, the cover, every format —
  runs in a forked child under both (:func:`fic2book.sandbox.run_limited`, called by
  :func:`fic2book.pipeline.convert_file`; a batch worker keeps one such child from work to
  work, :class:`fic2book.sandbox_resident.ResidentSandbox`).  These are the CLI's and the
  web page's defaults (:func:`fic2book.options.bounded_defaults`); the library's
  :class:`~fic2book.options.RenderOptions` has no limits unless its caller sets them.

Sizes and durations are parsed by :mod:`fic2book.units`.
"""

from __future__ import annotations

from pathlib import Path

from fic2book.errors import InputError
from fic2book.units import human_size

#: Default of ``--max-input-size``: larger input files are refused.  Chosen so that the
#: costliest input per byte measured (millions of one-letter paragraphs: ~170 MB of memory
#: and ~2 s per input megabyte to make an EPUB, ``docs/security.md``) still converts within
#: the default ``--max-memory`` and ``--timeout``.  A novel is about 1 MiB of text.
DEFAULT_MAX_INPUT_SIZE = 16 * 1024 * 1024
#: Default of ``--timeout``: seconds one work may take to convert.
DEFAULT_TIMEOUT = 600.0
#: Default of ``--max-memory``: the address space converting one work may map.  Generous,
#: because address space is not resident memory: Python, Pango and the fonts map ~1 GiB
#: before a page is laid out.
DEFAULT_MAX_MEMORY = 4 * 1024**3


def check_input_size(path: Path, limit: int) -> None:
    """Refuse ``path`` when it is larger than ``limit`` bytes (``0``: no limit)."""
    if not limit:
        return
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader reports a missing or unreadable file in its own words
    if size > limit:
        raise InputError(
            f"{path}: {human_size(size)} is larger than the {human_size(limit)} allowed "
            "(--max-input-size)"
        )


def check_data_size(data: bytes, name: str, limit: int) -> None:
    """Refuse an input already in memory (a batch job) when it is larger than ``limit``."""
    if limit and len(data) > limit:
        raise InputError(
            f"{name}: {human_size(len(data))} is larger than the {human_size(limit)} allowed "
            "(--max-input-size)"
        )
