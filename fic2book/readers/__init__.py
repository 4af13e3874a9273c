"""Reader registry: one module per input format, each turning a file into a :class:`Work`.

A reader declares the suffixes it takes and a ``sniff`` score so an ambiguous file (a ``.txt``
that may be the seed format or bare prose, an ``.html`` that may be an AO3 download) goes to
the reader that recognises its content; ``--from`` overrides the choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol, TypeVar

from fic2book.errors import InputError, UnknownFormatError
from fic2book.model import Work


class Reader(Protocol):
    """What every input format provides."""

    #: Value of ``--from``.
    name: ClassVar[str]
    #: Suffixes (with the dot, lower case) this reader is tried for.
    suffixes: ClassVar[tuple[str, ...]]
    #: One line for ``fic2book formats``.
    description: ClassVar[str]

    def sniff(self, head: bytes) -> int:
        """How sure the reader is that ``head`` (the first :data:`SNIFF_BYTES`) is its format.

        0 = not at all.
        """
        ...

    def read(self, path: Path) -> Work:
        """Parse the file into a work, raising :class:`InputError` for anything unusable."""
        ...


READERS: dict[str, type[Reader]] = {}

#: How much of a file ``sniff`` sees: an AO3 download's markers follow about 1 KiB of CSS, and a
#: saved work page's follow tens of KiB of navigation.
SNIFF_BYTES = 64 * 1024

R = TypeVar("R", bound=type[Reader])


def register(cls: R) -> R:
    """Class decorator adding a reader; a second reader with the same name is refused."""
    if cls.name in READERS:
        raise ValueError(f"reader {cls.name!r} is already registered")
    READERS[cls.name] = cls
    return cls


def reader_named(name: str) -> Reader:
    """Instantiate the reader called ``name``; the error lists the choices."""
    key = name.strip().lower()
    if key not in READERS:
        raise UnknownFormatError(f"{name!r} (choose from {', '.join(sorted(READERS))})")
    return READERS[key]()


def reader_for(path: Path) -> Reader:
    """Choose a reader by suffix, then by the best sniff score among the candidates."""
    suffix = path.suffix.lower()
    candidates = [cls() for cls in READERS.values() if suffix in cls.suffixes]
    if not candidates:
        raise UnknownFormatError(
            f"no reader for {path.name!r}; use --from ({', '.join(sorted(READERS))})"
        )
    if len(candidates) == 1:
        return candidates[0]
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    return max(candidates, key=lambda reader: reader.sniff(head))


def read_work(path: Path, from_format: str | None = None) -> Work:
    """Read ``path`` with the named reader or the one chosen for it."""
    reader = reader_named(from_format) if from_format else reader_for(path)
    try:
        return reader.read(path)
    except InputError as err:
        # Shared helpers (HTML parsing) do not know the file; the user must see which one.
        if str(path) in str(err):
            raise
        raise InputError(f"{path}: {err}") from err


# Registration happens on import; keep these at the bottom.
from fic2book.readers import ao3_html as _ao3_html  # noqa: E402,F401
from fic2book.readers import ao3_page as _ao3_page  # noqa: E402,F401
from fic2book.readers import epub as _epub  # noqa: E402,F401
from fic2book.readers import html as _html  # noqa: E402,F401
from fic2book.readers import markdown as _markdown  # noqa: E402,F401
from fic2book.readers import text as _text  # noqa: E402,F401
