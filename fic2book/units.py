"""Sizes and durations as users write them on the command line: ``64M``, ``1.5G``, ``600``.

Used by the options that take them (``--max-input-size``, ``--max-memory``, ``--timeout``)
and by the messages that show them back (:func:`human_size`).
"""

from __future__ import annotations

import re

from fic2book.errors import UsageError

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"(\d{1,15}(?:\.\d{1,15})?)\s*([a-z]*)")


def parse_size(value: str | int) -> int:
    """Bytes in a size such as ``64M``, ``64MiB``, ``1.5G``, ``500kB`` or ``1000`` (bytes).

    ``K``/``M``/``G`` alone are binary (1024-based), as in ``ulimit``; ``kB``/``MB``/``GB`` are
    decimal.  ``0`` means no limit.  Raises :class:`UsageError` for anything else.
    """
    if isinstance(value, int):
        return value
    match = _SIZE.fullmatch(value.strip().lower())
    if match is None or match[2] not in _UNITS:
        raise UsageError(f"size {value!r} needs a number and optionally K, M or G, e.g. 64M")
    return int(float(match[1]) * _UNITS[match[2]])


def parse_seconds(value: str | float) -> float:
    """Seconds in a ``--timeout`` value (``600``, ``1.5``); ``0`` means no limit."""
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"--timeout must be a number of seconds, not {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses NaN
        raise UsageError(f"--timeout must be zero or a positive number of seconds, not {value!r}")
    return seconds


def human_size(size: int) -> str:
    """``67108864`` → ``64 MiB``, for messages."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"
