"""fic2book: turn fan-fiction works into EPUBs and print-ready PDFs.

The public API is :func:`convert_file` and :func:`read_work`; the CLI is a thin layer over them.
Both are imported on first use (PEP 562) so that ``import fic2book`` and commands that never
write a book (``fic2book inspect``, ``--help``) do not pay for the backends' libraries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "convert_file", "read_work"]

if TYPE_CHECKING:
    from fic2book.pipeline import convert_file
    from fic2book.readers import read_work


def __getattr__(name: str) -> Any:
    """Import the public functions lazily."""
    if name == "convert_file":
        from fic2book.pipeline import convert_file

        return convert_file
    if name == "read_work":
        from fic2book.readers import read_work

        return read_work
    raise AttributeError(f"module 'fic2book' has no attribute {name!r}")
