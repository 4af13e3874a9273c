"""Reader registry: one module per input format, each turning a file into a :class:`Work`.

A reader says how sure it is that a file is its format (``sniff``) so an ambiguous file (a
``.txt`` that may be the seed format or bare prose, an ``.html`` that may be an AO3 download)
goes to the reader that recognises its content; ``--from`` overrides the choice.

:data:`BUILTIN_READERS` is the one place a built-in reader's name, suffixes and description are
written; the reader class itself only sniffs and reads.  An entry imports its class on first
use, so ``inspect work.txt``, ``formats`` and ``--help`` do not load lxml, markdown-it and
friends.  Code outside this package adds a reader with :func:`register`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, TypeVar

from fic2book.errors import Fic2BookError, InputError, UnknownFormatError
from fic2book.model import Work


class Reader(Protocol):
    """What a reader class provides; its name, suffixes and description live in its entry."""

    def sniff(self, head: bytes) -> int:
        """How sure the reader is that ``head`` (the first :data:`SNIFF_BYTES`) is its format.

        0 = not at all.
        """
        ...

    def read(self, path: Path) -> Work:
        """Parse the file into a work, raising :class:`InputError` for anything unusable."""
        ...


@dataclass(frozen=True)
class ReaderInfo:
    """A reader as the registry knows it: what ``formats`` shows, and where its code is.

    An entry is itself a reader (``sniff``, ``read``), importing its class the first time it
    is used.
    """

    #: Value of ``--from``.
    name: str
    #: Suffixes (with the dot, lower case) this reader is tried for.
    suffixes: tuple[str, ...]
    #: One line for ``fic2book formats``.
    description: str
    #: ``"package.module:Class"``, or the class itself for a reader registered at run time.
    target: str | type[Reader] = field(repr=False)

    @property
    def module(self) -> str:
        """The module that holds the reader's code."""
        if isinstance(self.target, str):
            return self.target.partition(":")[0]
        return self.target.__module__

    def load(self) -> type[Reader]:
        """The reader's class, importing its module on first use."""
        if not isinstance(self.target, str):
            return self.target
        module, _, attribute = self.target.partition(":")
        cls: type[Reader] = getattr(importlib.import_module(module), attribute)
        return cls

    def sniff(self, head: bytes) -> int:
        """The reader's sniff score for ``head``."""
        return self.load()().sniff(head)

    def read(self, path: Path) -> Work:
        """The reader's work for ``path``."""
        return self.load()().read(path)


_HTML = (".html", ".htm", ".xhtml")

#: The built-in readers, in the order ties between sniff scores go.
BUILTIN_READERS: tuple[ReaderInfo, ...] = (
    ReaderInfo(
        "ao3-html",
        _HTML,
        "AO3 HTML download (any generation)",
        "fic2book.readers.ao3_html:Ao3HtmlReader",
    ),
    ReaderInfo(
        "ao3-page",
        _HTML,
        "AO3 work page saved from the browser (Entire Work)",
        "fic2book.readers.ao3_page:Ao3PageReader",
    ),
    ReaderInfo(
        "epub",
        (".epub",),
        "EPUB e-books: AO3 downloads in full, others best effort",
        "fic2book.readers.epub:EpubReader",
    ),
    ReaderInfo(
        "fanficfare",
        (".epub", ".html", ".htm", ".txt"),
        "FanFicFare downloads (EPUB, HTML, TXT) with all their metadata",
        "fic2book.readers.fanficfare:FanFicFareReader",
    ),
    ReaderInfo(
        "html",
        _HTML,
        "any other HTML page (best effort)",
        "fic2book.readers.html:HtmlReader",
    ),
    ReaderInfo(
        "markdown",
        (".md", ".markdown"),
        "Markdown (CommonMark) with YAML front matter; '#' = chapter",
        "fic2book.readers.markdown:MarkdownReader",
    ),
    ReaderInfo(
        "text",
        (".txt",),
        "plain text with an optional 'Key: value' header (the seed)",
        "fic2book.readers.text:TextReader",
    ),
)

_READERS: dict[str, ReaderInfo] = {info.name: info for info in BUILTIN_READERS}

#: Every reader by name, built-in ones first (a read-only view; add with :func:`register`).
READERS: Mapping[str, ReaderInfo] = MappingProxyType(_READERS)

#: How much of a file ``sniff`` sees: an AO3 download's markers follow about 1 KiB of CSS, and a
#: saved work page's follow tens of KiB of navigation.
SNIFF_BYTES = 64 * 1024

R = TypeVar("R", bound=type[Reader])


def register(name: str, suffixes: tuple[str, ...], description: str) -> Callable[[R], R]:
    """Class decorator adding a reader from outside this package; a taken name is refused."""

    def add(cls: R) -> R:
        key = name.strip().lower()
        if key in _READERS:
            raise ValueError(f"reader {key!r} is already registered")
        lowered = tuple(suffix.lower() for suffix in suffixes)
        _READERS[key] = ReaderInfo(key, lowered, description, cls)
        return cls

    return add


def reader_infos() -> list[ReaderInfo]:
    """Every reader's entry: the built-in ones in table order, then the others as registered."""
    return list(_READERS.values())


def _names() -> str:
    return ", ".join(sorted(_READERS))


def reader_named(name: str) -> ReaderInfo:
    """The reader called ``name``; the error lists the choices."""
    key = name.strip().lower()
    if key not in _READERS:
        raise UnknownFormatError(f"{name!r} (choose from {_names()})")
    return _READERS[key]


def reader_for(path: Path) -> ReaderInfo:
    """Choose a reader by suffix, then by the best sniff score among the candidates.

    Only the candidates' modules are imported.
    """
    suffix = path.suffix.lower()
    candidates = [info for info in _READERS.values() if suffix in info.suffixes]
    if not candidates:
        raise UnknownFormatError(f"no reader for {path.name!r}; use --from ({_names()})")
    if len(candidates) == 1:
        return candidates[0]
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    return max(candidates, key=lambda reader: reader.sniff(head))


def check_source(source: Path) -> None:
    """Refuse a missing path or a directory before any reader sees it."""
    if not source.exists():
        raise InputError(f"{source}: no such file")
    if source.is_dir():
        raise InputError(f"{source}: is a directory, not a work")


def read_file(path: Path) -> bytes:
    """An input file's bytes; every way of not being a readable file is an :class:`InputError`.

    The readers share this, so a folder, a FIFO (which would block) or a missing file reads
    the same whatever the format.
    """
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not a file")
        if path.exists() and not path.is_file():
            raise InputError(f"{path}: is not a regular file")
        return path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err


def read_work(path: Path, from_format: str | None = None) -> Work:
    """Read ``path`` with the named reader or the one chosen for it.

    Whatever goes wrong while reading this one input is an :class:`InputError` naming it, on
    one line: a reader's unforeseen exception (a ``ValueError`` deep in a parser, a
    ``RecursionError``) must not end a batch or print a traceback.  The original exception is
    kept as the cause, so ``--debug`` still shows where it came from.  Running out of memory
    is not the input's fault alone and is left to the memory limit's own report.
    """
    try:
        reader = reader_named(from_format) if from_format else reader_for(path)
        return reader.read(path)
    except InputError as err:
        # Shared helpers (HTML parsing) do not know the file; the user must see which one.
        if str(path) in str(err):
            raise
        raise InputError(f"{path}: {err}") from err
    except (Fic2BookError, MemoryError):
        raise
    except Exception as err:  # the one place every reader's surprise ends
        detail = " ".join(str(err).split())
        if len(detail) > _MAX_DETAIL:
            detail = detail[: _MAX_DETAIL - 1] + "\u2026"
        what = type(err).__name__ + (f": {detail}" if detail else "")
        raise InputError(f"{path}: could not be read ({what})") from err


#: How much of an unforeseen exception's message the one-line error quotes.
_MAX_DETAIL = 160
