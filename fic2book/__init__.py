"""fic2book: turn fan-fiction works into EPUBs and print-ready PDFs.

The public API is :func:`convert_file` and :func:`read_work`; the CLI is a thin layer over them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
