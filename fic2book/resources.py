"""Find the bundled ``templates/`` and ``styles/`` folders.

In a wheel they live inside the package (``fic2book/templates``); in a checkout or an editable
install they sit at the repository's top level, next to the package.  Resolve that in one place.
"""

from __future__ import annotations

from pathlib import Path


def data_path(kind: str) -> Path:
    """Folder ``templates`` or ``styles``: inside the installed package, else at the repo top."""
    package = Path(__file__).resolve().parent
    inside = package / kind
    return inside if inside.is_dir() else package.parent / kind
