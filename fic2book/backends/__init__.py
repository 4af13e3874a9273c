"""Backend registry: one class per output format, looked up by ``--to`` name or file suffix.

Backends describe themselves with class attributes and are registered by the modules imported
at the bottom of this file.  Heavy libraries (WeasyPrint) are imported inside ``write()``, so
looking a backend up costs nothing.  Backends render in the calling process; the pipeline
runs the whole conversion of a work in a sandboxed child (:mod:`fic2book.sandbox`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol, TypeVar

from fic2book.errors import UnknownFormatError
from fic2book.model import Work
from fic2book.options import RenderOptions


class Backend(Protocol):
    """What every output format provides."""

    #: Value of ``--to``.
    name: ClassVar[str]
    #: File suffix including the dot, e.g. ``".epub"``.
    suffix: ClassVar[str]
    #: One line for ``fic2book formats``.
    description: ClassVar[str]

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Render ``work`` into the file ``target`` (its folder exists)."""
        ...


BACKENDS: dict[str, type[Backend]] = {}

B = TypeVar("B", bound=type[Backend])


def register(cls: B) -> B:
    """Class decorator adding a backend; a second backend with the same name is refused."""
    if cls.name in BACKENDS:
        raise ValueError(f"backend {cls.name!r} is already registered")
    BACKENDS[cls.name] = cls
    return cls


def backend_for(name: str) -> Backend:
    """Instantiate the backend called ``name``; the error lists the choices."""
    key = name.strip().lower().lstrip(".")
    if key not in BACKENDS:
        raise UnknownFormatError(f"{name!r} (choose from {', '.join(sorted(BACKENDS))})")
    return BACKENDS[key]()


def backend_for_path(path: Path) -> Backend:
    """The backend whose suffix matches ``path``, as pandoc guesses a writer from ``-o``."""
    name = path.name.lower()
    # The longest matching suffix wins: "book.kepub.epub" is a KEPUB, not an EPUB.
    matches = [cls for cls in BACKENDS.values() if name.endswith(cls.suffix)]
    if matches:
        return max(matches, key=lambda cls: len(cls.suffix))()
    raise UnknownFormatError(
        f"cannot tell the format from {path.name!r}; use --to ({', '.join(sorted(BACKENDS))})"
    )


# Registration happens on import; keep these at the bottom.
from fic2book.backends import epub as _epub  # noqa: E402,F401
from fic2book.backends import kepub as _kepub  # noqa: E402,F401
from fic2book.backends import pdf as _pdf  # noqa: E402,F401
