"""Reader registry: one module per input format, each turning a file into a :class:`Work`.

A reader declares the suffixes it takes and a ``sniff`` score so an ambiguous file (a ``.txt``
that may be the seed format or bare prose, an ``.html`` that may be an AO3 download) goes to
the reader that recognises its content; ``--from`` overrides the choice.

The built-in readers are listed in :data:`BUILTIN_READERS` (name, module, suffixes,
description) and a reader's module is imported only when that reader is chosen or must sniff
a file: the modules pull in lxml, markdown-it and friends, which ``inspect work.txt`` and
``formats`` do not need.  A module registers its class with :func:`register` when imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import ClassVar, NamedTuple, Protocol, TypeVar

from fic2book.errors import Fic2BookError, InputError, UnknownFormatError
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


class ReaderInfo(NamedTuple):
    """What is known about a reader without importing it."""

    #: Value of ``--from``.
    name: str
    #: The module whose import registers the reader.
    module: str
    #: Suffixes (with the dot, lower case) this reader is tried for.
    suffixes: tuple[str, ...]
    #: One line for ``fic2book formats``.
    description: str


#: The built-in readers, in the order ties between sniff scores go.  Each entry must match the
#: class attributes of the reader its module registers (a test checks that they do).
BUILTIN_READERS: tuple[ReaderInfo, ...] = (
    ReaderInfo(
        "ao3-html",
        "fic2book.readers.ao3_html",
        (".html", ".htm", ".xhtml"),
        "AO3 HTML download (any generation)",
    ),
    ReaderInfo(
        "ao3-page",
        "fic2book.readers.ao3_page",
        (".html", ".htm", ".xhtml"),
        "AO3 work page saved from the browser (Entire Work)",
    ),
    ReaderInfo(
        "epub",
        "fic2book.readers.epub",
        (".epub",),
        "EPUB e-books: AO3 downloads in full, others best effort",
    ),
    ReaderInfo(
        "fanficfare",
        "fic2book.readers.fanficfare",
        (".epub", ".html", ".htm", ".txt"),
        "FanFicFare downloads (EPUB, HTML, TXT) with all their metadata",
    ),
    ReaderInfo(
        "html",
        "fic2book.readers.html",
        (".html", ".htm", ".xhtml"),
        "any other HTML page (best effort)",
    ),
    ReaderInfo(
        "markdown",
        "fic2book.readers.markdown",
        (".md", ".markdown"),
        "Markdown (CommonMark) with YAML front matter; '#' = chapter",
    ),
    ReaderInfo(
        "text",
        "fic2book.readers.text",
        (".txt",),
        "plain text with an optional 'Key: value' header (the seed)",
    ),
)
_BUILTIN = {info.name: info for info in BUILTIN_READERS}

# Reader classes registered so far, by name: the built-in ones whose module has been imported,
# and any other reader registered by code outside this package.
_REGISTERED: dict[str, type[Reader]] = {}

#: How much of a file ``sniff`` sees: an AO3 download's markers follow about 1 KiB of CSS, and a
#: saved work page's follow tens of KiB of navigation.
SNIFF_BYTES = 64 * 1024

R = TypeVar("R", bound=type[Reader])


def register(cls: R) -> R:
    """Class decorator adding a reader; a second reader with the same name is refused.

    A built-in name is taken only by the class its own module defines.
    """
    builtin = _BUILTIN.get(cls.name)
    if cls.name in _REGISTERED or (builtin is not None and builtin.module != cls.__module__):
        raise ValueError(f"reader {cls.name!r} is already registered")
    _REGISTERED[cls.name] = cls
    return cls


def _load(name: str) -> type[Reader]:
    """The class of the reader called ``name``, importing its module on first use."""
    if name not in _REGISTERED:
        info = _BUILTIN[name]
        importlib.import_module(info.module)
        if name not in _REGISTERED:
            raise RuntimeError(f"{info.module} did not register the reader {name!r}")
    return _REGISTERED[name]


def reader_infos() -> list[ReaderInfo]:
    """Every reader's name, suffixes and description, importing none of them.

    Built-in readers come first in :data:`BUILTIN_READERS` order, then readers registered from
    elsewhere in registration order.
    """
    extra = [
        ReaderInfo(cls.name, cls.__module__, tuple(cls.suffixes), cls.description)
        for name, cls in _REGISTERED.items()
        if name not in _BUILTIN
    ]
    return [*BUILTIN_READERS, *extra]


class _Readers(Mapping[str, type[Reader]]):
    """Reader classes by name; looking one up imports its module (iterating costs nothing)."""

    def __getitem__(self, name: str) -> type[Reader]:
        if name not in _BUILTIN and name not in _REGISTERED:
            raise KeyError(name)
        return _load(name)

    def __iter__(self) -> Iterator[str]:
        return iter([info.name for info in reader_infos()])

    def __len__(self) -> int:
        return len(reader_infos())

    def __contains__(self, name: object) -> bool:
        return name in _BUILTIN or name in _REGISTERED


#: Every reader class by name, as a read-only mapping.  Keys and ``in`` need no import; a
#: value (``READERS["text"]``, ``.values()``, ``.items()``) imports that reader's module.
READERS: Mapping[str, type[Reader]] = _Readers()


def _names() -> str:
    return ", ".join(sorted(READERS))


def reader_named(name: str) -> Reader:
    """Instantiate the reader called ``name``; the error lists the choices."""
    key = name.strip().lower()
    if key not in READERS:
        raise UnknownFormatError(f"{name!r} (choose from {_names()})")
    return READERS[key]()


def reader_for(path: Path) -> Reader:
    """Choose a reader by suffix, then by the best sniff score among the candidates.

    Only the candidates' modules are imported.
    """
    suffix = path.suffix.lower()
    names = [info.name for info in reader_infos() if suffix in info.suffixes]
    if not names:
        raise UnknownFormatError(f"no reader for {path.name!r}; use --from ({_names()})")
    if len(names) == 1:
        return READERS[names[0]]()
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    candidates = [READERS[name]() for name in names]
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
