"""Read a work once and write it in each requested format, atomically.

A book is rendered into a hidden temporary file in the target folder and moved into place with
:func:`os.replace`, so a reader never sees half a book and a failed run leaves no debris (nor
destroys the previous good copy).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fic2book.caps import cap_fields
from fic2book.errors import Fic2BookError, OutputError, UsageError
from fic2book.limits import check_input_size
from fic2book.model import Work
from fic2book.nametemplate import book_path, name_fields
from fic2book.naming import unique_path
from fic2book.notes import drop_notes
from fic2book.options import RenderOptions
from fic2book.readers import check_source, read_work
from fic2book.sandbox import run_limited
from fic2book.tempfiles import create_held, remove_stale

if TYPE_CHECKING:
    from fic2book.backends import Backend

__all__ = [
    "backends_for",
    "check_source",
    "convert_combined",
    "convert_file",
    "convert_volumes",
    "plan_targets",
    "prepare",
    "read_work_bytes",
    "render_bytes",
    "write_atomically",
    "write_bytes_atomically",
]


def backends_for(formats: Sequence[str]) -> list[Backend]:
    """Look up each format once, in order, dropping repeats; raises on an unknown name."""
    # Imported here so that importing this module (for check_source) loads no backend library.
    from fic2book.backends import backend_for

    names: list[str] = []
    for name in formats:
        key = name.strip().lower()
        if key and key not in names:
            names.append(key)
    if not names:
        raise UsageError("no output format given")
    return [backend_for(name) for name in names]


def plan_targets(
    work: Work,
    backends: Sequence[Backend],
    output: Path | None,
    *,
    into_folder: bool | None = None,
    taken: set[Path] | None = None,
    name: str | None = None,
) -> list[Path]:
    """Where each backend's book goes (named by the ``--name`` template ``name`` in a folder).

    ``output`` is a folder when it is ``None`` (the current folder), when ``into_folder`` says
    so, or (``into_folder`` unset) when it is an existing folder or several formats are asked
    for; otherwise it is the book's file name.  Books named after the work avoid the paths in
    ``taken`` (those written earlier in the same run).
    """
    output, into_folder = _output_kind(output, backends, into_folder)
    if not into_folder:
        if len(backends) != 1:
            raise UsageError(f"{output} names one file but {len(backends)} formats were asked for")
        return [output]
    avoid = set(taken or ())
    targets = []
    for backend in backends:
        relative = book_path(name, name_fields(work), backend.suffix)
        target = unique_path(output / relative.parent, relative.name, avoid)
        avoid.add(target)
        targets.append(target)
    return targets


def _output_kind(
    output: Path | None, backends: Sequence[Backend], into_folder: bool | None
) -> tuple[Path, bool]:
    """``output`` and whether it is a folder, as :func:`plan_targets` explains."""
    if output is None:
        return Path.cwd(), True
    if into_folder is None:
        into_folder = output.is_dir() or len(backends) > 1
    return output, into_folder


@lru_cache(maxsize=1)
def _file_mode() -> int:
    # mkstemp creates 0600 files; a finished book should get the usual 0666 & ~umask.  Reading
    # the umask means setting it, so do it once.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(backend: Backend, work: Work, target: Path, options: RenderOptions) -> None:
    """Render ``work`` with ``backend`` into ``target`` via a temporary file beside it."""
    _replace_atomically(target, backend.suffix, lambda temp: backend.write(work, temp, options))


def write_bytes_atomically(data: bytes, target: Path) -> None:
    """Write a finished book's bytes to ``target`` via a temporary file beside it."""
    _replace_atomically(target, target.suffix, lambda temp: temp.write_bytes(data))


def _replace_atomically(target: Path, suffix: str, fill: Callable[[Path], object]) -> None:
    """Let ``fill`` write a temporary file beside ``target``, then rename it into place."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The descriptor holds the file's lock until the book is in place, so another run's
        # clean-up (tempfiles.remove_stale) knows the file is not debris.
        handle, temp = create_held(folder, suffix)
    except OSError as err:
        raise OutputError(f"{folder}: {err.strerror or err}") from err
    try:
        try:
            fill(temp)
        except OSError as err:
            if err.filename is None:
                raise
            # A file-system failure (disk full, permission) while writing the book.
            raise OutputError(f"{target}: {err.strerror or err}") from err
        try:
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _file_mode()
            os.chmod(temp, mode)
            os.replace(temp, target)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    finally:
        os.close(handle)


def read_work_bytes(data: bytes, name: str, from_format: str | None = None) -> Work:
    """Read a work from its bytes, as :func:`read_work` reads a file called ``name``.

    For workers that share no file system with the caller (a Dask cluster): the bytes go into
    a private temporary folder so the ordinary readers, which take paths, do the parsing.
    Error messages name ``name``, not the temporary file.
    """
    path = _scratch() / (Path(name).name or "work")
    try:
        path.write_bytes(data)
        return read_work(path, from_format)
    except Fic2BookError as err:
        message = str(err).replace(str(path), name)
        if message == str(err):
            raise
        raise type(err)(message) from err
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def prepare(work: Work, options: RenderOptions) -> Work:
    """Turn a work as read into the work the backends render: every path to a book calls it.

    Titles, names, tags and chapter titles are capped (:func:`fic2book.caps.cap_fields`), the
    placeholders of missing pictures written in the label language, and the text typeset by
    the work's language (``--no-smart`` skips that).  It is idempotent, so preparing an
    already prepared work changes nothing.
    """
    work = cap_fields(work)
    work = drop_notes(work, options.notes, options.summaries)  # --notes/--summaries drop
    # "[Image: ALT]" in the label language (fic2book/html/placeholders.py), before typesetting.
    from fic2book.html.placeholders import localise_work

    work = localise_work(work, options.labels)
    if options.smart:
        from fic2book.typography import typeset

        work = typeset(work)
    return work


def render_bytes(backend: Backend, work: Work, options: RenderOptions) -> bytes:
    """Render ``work`` with ``backend`` and return the book's bytes instead of writing it."""
    work = prepare(work, options)
    target = _scratch() / f"book{backend.suffix}"
    try:
        backend.write(work, target, options)
        return target.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            target.unlink()


#: Scratch folders by (process, thread); see :func:`_scratch`.
_SCRATCH: dict[tuple[int, int], Path] = {}


def _scratch() -> Path:
    """A private temporary folder for this process and thread, reused from call to call.

    Creating and removing a folder per work costs milliseconds on some file systems, more
    than parsing a short work.  multiprocessing's finalizer removes it when the process ends,
    in worker processes too (where ``atexit`` handlers do not run).
    """
    from multiprocessing.util import Finalize

    key = (os.getpid(), threading.get_ident())
    folder = _SCRATCH.get(key)
    if folder is None or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="fic2book-scratch-"))
        _SCRATCH[key] = folder
        Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=0)
    return folder


def _bounded(
    convert: Callable[[], list[Path]],
    options: RenderOptions,
    what: str,
    output: Path | None,
    backends: Sequence[Backend],
    into_folder: bool | None,
) -> list[Path]:
    """Run one conversion under the options' limits; tidy up after a child a limit stopped.

    A child stopped by a limit cannot delete its temporary file (its lock died with it), so
    the output folder's stale temporary files are removed before the error goes on.
    """
    try:
        return run_limited(
            convert, timeout=options.timeout, max_memory=options.max_memory, what=what
        )
    except BaseException:
        folder, into = _output_kind(output, backends, into_folder)
        remove_stale(folder if into else folder.parent)
        raise


def convert_file(
    source: Path,
    formats: Sequence[str],
    output: Path | None,
    options: RenderOptions,
    from_format: str | None = None,
    *,
    into_folder: bool | None = None,
    taken: set[Path] | None = None,
) -> list[Path]:
    """Read ``source`` once and write one book per format; return the paths written.

    ``output`` is a file or a folder as :func:`plan_targets` decides; a folder is created when
    missing.  Paths written are added to ``taken`` when given, so a batch never lets two works
    with the same title and authors overwrite each other.

    With ``options.timeout`` or ``options.max_memory`` set (the CLI's defaults,
    :func:`fic2book.options.bounded_defaults`), the whole conversion — reading, typesetting,
    the cover, every format — runs in a sandboxed child under those limits
    (:func:`fic2book.sandbox.run_limited`); with both ``0`` (the library's default) it runs in
    this process and forks nothing, so a threaded caller is safe.
    """
    backends = backends_for(formats)
    check_source(source)
    check_input_size(source, options.max_input_size)
    avoid = set(taken or ())

    def convert() -> list[Path]:
        return _convert(source, backends, output, options, from_format, into_folder, avoid)

    written = _bounded(convert, options, f"converting {source}", output, backends, into_folder)
    if taken is not None:
        taken.update(written)
    return written


def _convert(
    source: Path,
    backends: Sequence[Backend],
    output: Path | None,
    options: RenderOptions,
    from_format: str | None,
    into_folder: bool | None,
    taken: set[Path],
) -> list[Path]:
    """The conversion :func:`convert_file` runs, in the sandbox or in this process."""
    work = read_work(source, from_format)
    # File names come from the title as typed (straight quotes are easier in a shell).
    targets = plan_targets(
        work, backends, output, into_folder=into_folder, taken=taken, name=options.name
    )
    work = prepare(work, options)
    for target in targets:
        if target.exists() and target.resolve() == source.resolve():
            raise OutputError(f"{target}: would overwrite the input")
        if target.is_dir():
            raise OutputError(f"{target}: is a directory")
    for folder in dict.fromkeys(target.parent for target in targets):
        remove_stale(folder)  # what a killed run left
    written: list[Path] = []
    for backend, target in zip(backends, targets, strict=True):
        write_atomically(backend, work, target, options)
        written.append(target)
    return written


def convert_combined(
    sources: Sequence[Path],
    formats: Sequence[str],
    output: Path | None,
    options: RenderOptions,
    from_format: str | None = None,
    *,
    title: str | None = None,
    into_folder: bool | None = None,
    revise: Callable[[list[Work]], list[Work]] | None = None,
) -> list[Path]:
    """Read every source and write one omnibus book per format (:mod:`fic2book.combine`).

    Each work is prepared (capped, typeset by its own language) before they are combined;
    the limits of ``options`` apply to the whole run, as to one work in :func:`convert_file`.
    ``revise`` changes the works as read, under the same limits (``batch --combine series``
    marks a member's new chapters with it).
    """
    from fic2book.combine import combine

    backends = backends_for(formats)
    for source in sources:
        check_source(source)
        check_input_size(source, options.max_input_size)

    def convert() -> list[Path]:
        works = [read_work(source, from_format) for source in sources]
        check_distinct_works(works, sources)
        if revise is not None:
            works = revise(works)
        # File names come from the titles as typed (straight quotes are easier in a shell).
        targets = plan_targets(
            combine(works, title), backends, output, into_folder=into_folder, name=options.name
        )
        prepared = [prepare(work, options) for work in works]
        labels, numbers = options.labels, str(options.chapter_numbers)
        book = cap_fields(combine(prepared, title, labels=labels, chapter_numbers=numbers))
        resolved = {source.resolve() for source in sources}
        for target in targets:
            if target.exists() and target.resolve() in resolved:
                raise OutputError(f"{target}: would overwrite an input")
            if target.is_dir():
                raise OutputError(f"{target}: is a directory")
        for backend, target in zip(backends, targets, strict=True):
            write_atomically(backend, book, target, options)
        return targets

    what = f"combining {len(sources)} works"
    return _bounded(convert, options, what, output, backends, into_folder)


def check_distinct_works(works: Sequence[Work], sources: Sequence[Path]) -> None:
    """Refuse an omnibus holding one AO3 work twice (two downloads of it, or one file twice).

    Which download is the one wanted cannot be guessed (``fic2book update`` compares two
    downloads of a work), so the user is asked to give one.
    """
    seen: dict[str, Path] = {}
    for work, source in zip(works, sources, strict=True):
        if work.work_id is None:
            continue
        first = seen.setdefault(work.work_id, source)
        if first is not source:
            raise UsageError(
                f"{first} and {source} are the same work (AO3 work {work.work_id}): "
                "combine one of them"
            )


def volume_options(options: RenderOptions, backend: str, number: int) -> RenderOptions:
    """The options of volume ``number``: ``--volume-tags first`` drops later tag summaries."""
    if options.volume_tags == "each" or number == 1:
        return options
    from fic2book.frontmatter import front_parts

    parts = front_parts(options.front_matter, pdf=backend == "pdf")
    rest = tuple(part for part in parts if part != "tags")
    # A book needs some front matter: "--front-matter tags" keeps its only page.
    return dataclasses.replace(options, front_matter=rest) if rest else options


def convert_volumes(
    source: Path,
    formats: Sequence[str],
    output: Path | None,
    options: RenderOptions,
    volumes: str,
    from_format: str | None = None,
    *,
    into_folder: bool | None = None,
    taken: set[Path] | None = None,
    max_pages: int | None = None,
) -> list[Path]:
    """Read ``source`` once and write it as volumes by the chapter ranges ``volumes``.

    Each volume is a complete book (:mod:`fic2book.volumes`) named after the book the work
    would make, with " - Volume 1" before the suffix, padded so the volumes sort.  Ranges
    that make one volume (``1-8`` of 8 chapters, or a short work with ``auto``) write the plain
    book under its plain name: one path per format.
    ``volumes="auto"`` lays the whole work out as a PDF first and cuts volumes of about
    ``max_pages`` pages at chapter breaks.
    """
    from fic2book.render import book_labels
    from fic2book.volumes import auto_volumes, measure_chapters, split_volumes, volume_name

    auto = volumes.strip().lower() == "auto"
    if auto != (max_pages is not None):
        raise UsageError("--volumes auto and --max-pages go together")

    backends = backends_for(formats)
    check_source(source)
    check_input_size(source, options.max_input_size)

    def convert() -> list[Path]:
        work = read_work(source, from_format)
        bases = plan_targets(
            work, backends, output, into_folder=into_folder, taken=taken, name=options.name
        )
        # Typeset once, as a whole: the quotation marks are chosen from the work's opening.
        prepared = prepare(work, options)
        spec = volumes
        if auto and max_pages is not None:
            spec = auto_volumes(*measure_chapters(prepared, options), max_pages)
        books = split_volumes(prepared, spec, book_labels(prepared, options), str(source))
        written: list[Path] = []
        for book in books:
            number, count = book.volume or (1, 1)
            for backend, base in zip(backends, bases, strict=True):
                # One volume is a plain book with the plain name (split_volumes).
                name = volume_name(base.name, backend.suffix, number, count)
                target = base.with_name(name) if book.volume else base
                if target.exists() and target.resolve() == source.resolve():
                    raise OutputError(f"{target}: would overwrite the input")
                own = volume_options(options, backend.name, number)
                write_atomically(backend, book, target, own)
                written.append(target)
        return written

    written = _bounded(convert, options, f"converting {source}", output, backends, into_folder)
    if taken is not None:
        taken.update(written)
    return written
