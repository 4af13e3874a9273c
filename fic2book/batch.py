"""Convert a whole folder tree of works: in parallel, incrementally, and safely interrupted.

``fic2book batch library/ -o books/`` walks ``library/`` (sorted, not following symlinked
folders, skipping hidden names and the output folder), takes every file a registered reader
claims by suffix, and mirrors its folder under ``books/``.  A symlinked file that leads out of
``library/`` is skipped with a warning unless ``--follow-symlinks`` is given: batch reads
nothing outside the folder it was given, and deletes or overwrites nothing outside ``-o``
whatever the manifest says (:func:`fic2book.manifest.confined_output`).

The parent process reads each input, hashes it and decides whether its books are up to date
(see :mod:`fic2book.manifest`); the rest go to workers as *bytes*, and the workers send back
the books as bytes.  Workers are a local process pool or, with ``--scheduler``, a Dask
cluster, so workers need no shared file system.  The parent alone names and writes books
(atomically, through :func:`fic2book.pipeline.write_bytes_atomically`) and records them in
the manifest, in input order, which keeps collision numbering ("Title - Author (2).epub")
deterministic.

Memory stays flat: folders are streamed, at most a small window of works is in flight, the
report is written as it goes, and local workers are replaced after a fixed number of works.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from fic2book import __version__
from fic2book.backends import BACKENDS, backend_for
from fic2book.errors import (
    BackendUnavailableError,
    Fic2BookError,
    InputError,
    OutputError,
    UsageError,
)
from fic2book.limits import check_data_size
from fic2book.manifest import MANIFEST_NAME, BookRecord, Manifest
from fic2book.naming import TakenPaths, output_name, shown, unique_path
from fic2book.options import RenderOptions
from fic2book.pipeline import (
    backends_for,
    read_work_bytes,
    render_bytes,
    write_bytes_atomically,
)
from fic2book.readers import READERS, reader_named
from fic2book.sandbox import run_limited
from fic2book.tempfiles import create_held, remove_stale

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = [
    "MANIFEST_NAME",
    "BatchConfig",
    "Outcome",
    "Rendered",
    "Status",
    "Summary",
    "fingerprint",
    "input_suffixes",
    "render_job",
    "run_batch",
]

#: Works a local worker process converts before it is replaced (bounds slow leaks in native
#: libraries such as WeasyPrint's; replacement is cheap with the forkserver).
TASKS_PER_WORKER = 500
#: Works in flight per worker: enough to hide the parent's reading and writing.
WINDOW_PER_WORKER = 4
#: Failures kept in memory for the summary table (the report has them all).
SUMMARY_FAILURES = 20


class Status(StrEnum):
    """What happened to one input."""

    CONVERTED = "converted"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class BatchConfig:
    """Everything ``fic2book batch`` was asked to do."""

    source: Path
    output: Path
    formats: tuple[str, ...] = ("epub",)
    options: RenderOptions = field(default_factory=RenderOptions)
    #: ``--from``: read every input with this reader (and take only its suffixes).
    from_format: str | None = None
    #: ``-j``: local worker processes; 0 means one per available core.
    jobs: int = 0
    #: ``--force``: rebuild books even when the manifest says they are up to date.
    force: bool = False
    #: ``--scheduler``: a Dask scheduler address; ``None`` runs a local process pool.
    scheduler: str | None = None
    #: ``--report``: where to write the JSON report.
    report: Path | None = None
    #: ``--follow-symlinks``: read symlinked files that lead out of the input folder.
    follow_symlinks: bool = False


@dataclass(frozen=True)
class Outcome:
    """The result for one input, as shown in the summary and the report."""

    #: Path relative to the input folder, ``/``-separated.
    input: str
    status: Status
    #: Books relative to the output folder (for a skipped input: the existing ones).
    outputs: tuple[str, ...] = ()
    #: One line, ``label: message``, for a failure.
    error: str | None = None
    seconds: float = 0.0
    #: A traceback for ``--debug`` when the failure was a bug.
    detail: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The report entry."""
        return {
            "input": self.input,
            "status": str(self.status),
            "outputs": list(self.outputs),
            "error": self.error,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class Summary:
    """Counts for the end-of-run table and the exit code."""

    total: int = 0
    converted: int = 0
    skipped: int = 0
    failed: int = 0
    books_written: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    #: The first :data:`SUMMARY_FAILURES` failures.
    failures: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Inputs dealt with so far."""
        return self.converted + self.skipped + self.failed

    def as_json(self) -> dict[str, Any]:
        """The report's summary object."""
        return {
            "total": self.total,
            "converted": self.converted,
            "skipped": self.skipped,
            "failed": self.failed,
            "not_processed": self.total - self.done if self.interrupted else 0,
            "books_written": self.books_written,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
        }


# ----------------------------------------------------------------------------- the worker job


@dataclass(frozen=True)
class Rendered:
    """What a worker sends back: the books' bytes by format, or a one-line error."""

    title: str = ""
    authors: tuple[str, ...] = ()
    books: tuple[tuple[str, bytes], ...] = ()
    error: str | None = None
    detail: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Resources:
    """Options whose files (``--css``, ``--template-dir``…) travel with them to remote workers.

    Every :class:`Path` in the options is replaced by a path relative to a bundle folder,
    and ``files`` holds that folder's contents; a worker recreates it once per process.
    """

    options: RenderOptions
    files: tuple[tuple[str, bytes], ...]
    digest: str


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def render_job(
    data: bytes,
    name: str,
    from_format: str | None,
    formats: tuple[str, ...],
    options: RenderOptions | Resources,
) -> Rendered:
    """Parse one work from its bytes and render it in each format; never raises for bad input.

    This is the unit of work sent to local worker processes and to Dask workers alike.
    """
    start = time.perf_counter()
    try:
        if isinstance(options, Resources):
            options = _unpack(options)
        check_data_size(data, name, options.max_input_size)
        _warm_up(formats, options)
        settings = options
        # Reading and rendering run in a sandboxed child under --timeout and --max-memory.
        title, authors, books = run_limited(
            lambda: _render(data, name, from_format, formats, settings),
            timeout=options.timeout,
            max_memory=options.max_memory,
            what=f"converting {name}",
        )
    except Fic2BookError as err:
        return Rendered(error=f"{err.label}: {_one_line(err)}", seconds=time.perf_counter() - start)
    except Exception as err:
        # A bug in one work must not stop a batch of thousands; the traceback goes to --debug.
        return Rendered(
            error=f"internal error: {type(err).__name__}: {_one_line(err)}",
            detail=traceback.format_exc(),
            seconds=time.perf_counter() - start,
        )
    return Rendered(title=title, authors=authors, books=books, seconds=time.perf_counter() - start)


#: The formats this worker process has rendered its probe work in (see :func:`_warm_up`).
_WARMED: set[tuple[str, ...]] = set()


def _warm_up(formats: tuple[str, ...], options: RenderOptions) -> None:
    """Render the probe work once per worker process before forking a child per work.

    Each work is converted in a child forked from this worker (:func:`run_limited`); what a
    child loads — modules, compiled templates, the font list, WeasyPrint — dies with it.
    Loaded here once, every child inherits it: 13 works/s rather than 4 on two cores.
    """
    if formats in _WARMED:
        return
    _WARMED.add(formats)
    with contextlib.suppress(Exception):  # a real problem is reported by the real work
        check_options(formats, options)


def _render(
    data: bytes,
    name: str,
    from_format: str | None,
    formats: tuple[str, ...],
    options: RenderOptions,
) -> tuple[str, tuple[str, ...], tuple[tuple[str, bytes], ...]]:
    """Read one work and render each format: the job's part that runs under the limits."""
    work = read_work_bytes(data, name, from_format)
    books = tuple(
        (fmt, render_bytes(backend_for(fmt), work, options)) for fmt in dict.fromkeys(formats)
    )
    return work.title, tuple(work.authors), books


def _path_fields(options: RenderOptions) -> Iterator[tuple[str, Path | tuple[Path, ...]]]:
    """The option fields that name files or folders (found by value, so new ones count)."""
    for spec in dataclasses.fields(options):
        value = getattr(options, spec.name)
        is_paths = isinstance(value, tuple) and value and all(isinstance(v, Path) for v in value)
        if isinstance(value, Path) or is_paths:
            yield spec.name, value


def _files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def pack_options(options: RenderOptions) -> Resources:
    """Bundle the files the options name, for workers that cannot see this machine's files."""
    files: list[tuple[str, bytes]] = []
    changes: dict[str, Any] = {}
    slots = iter(range(1_000_000))

    def pack(path: Path) -> Path:
        slot = Path(f"r{next(slots)}")
        try:
            if path.is_dir():
                for sub in _files_under(path):
                    files.append(((slot / sub.relative_to(path)).as_posix(), sub.read_bytes()))
                files.append(((slot / ".keep").as_posix(), b""))
                return slot
            files.append(((slot / path.name).as_posix(), path.read_bytes()))
        except OSError as err:
            raise InputError(f"{err.filename or path}: {err.strerror or err}") from err
        return slot / path.name

    for name, value in _path_fields(options):
        changes[name] = pack(value) if isinstance(value, Path) else tuple(map(pack, value))
    digest = hashlib.sha256()
    for rel, data in files:
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return Resources(dataclasses.replace(options, **changes), tuple(files), digest.hexdigest())


#: Bundles already unpacked in this worker process, by digest.
_UNPACKED: dict[str, RenderOptions] = {}


def _unpack(resources: Resources) -> RenderOptions:
    cached = _UNPACKED.get(resources.digest)
    if cached is not None:
        return cached
    folder = Path(tempfile.mkdtemp(prefix="fic2book-resources-"))
    atexit.register(shutil.rmtree, folder, True)
    for rel, data in resources.files:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    changes: dict[str, Any] = {}
    for name, value in _path_fields(resources.options):
        changes[name] = (
            folder / value if isinstance(value, Path) else tuple(folder / v for v in value)
        )
    options = dataclasses.replace(resources.options, **changes)
    _UNPACKED[resources.digest] = options
    return options


#: Options that change how a book is made but not the book (``--pdf-jobs`` gives the same PDF
#: page for page), so changing them rebuilds nothing.
_SAME_BOOK_OPTIONS = frozenset({"pdf_jobs"})


def fingerprint(options: RenderOptions) -> str:
    """A hash of fic2book's version and every option, including the contents of option files.

    A book is up to date only while this is unchanged: editing the ``--css`` file or a
    template rebuilds the books, as upgrading fic2book does.
    """
    digest = hashlib.sha256(f"fic2book {__version__}\n".encode())
    paths = dict(_path_fields(options))
    for spec in dataclasses.fields(options):
        if spec.name in _SAME_BOOK_OPTIONS:
            continue
        digest.update(f"{spec.name}=".encode())
        value = paths.get(spec.name)
        if value is None:
            digest.update(repr(getattr(options, spec.name)).encode())
        else:
            for path in (value,) if isinstance(value, Path) else value:
                digest.update(b"[" + _content_digest(path) + b"]")
        digest.update(b"\n")
    return digest.hexdigest()


def _content_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for sub in _files_under(path):
                digest.update(sub.relative_to(path).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(sub.read_bytes()).digest())
        else:
            digest.update(path.read_bytes())
    except OSError as err:
        raise InputError(f"{err.filename or path}: {err.strerror or err}") from err
    return digest.digest()


# ----------------------------------------------------------------------------- runners


class _Handle(Protocol):
    def result(self) -> Rendered: ...


class _Runner(Protocol):
    """Where :func:`render_job` runs: a local pool or a Dask cluster."""

    #: How many works to keep in flight.
    window: int

    def submit(self, data: bytes, name: str, formats: tuple[str, ...]) -> _Handle: ...

    def close(self, cancel: bool) -> None: ...


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides how to stop, and a
    # worker finishing its current work is part of stopping cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _LocalHandle:
    def __init__(
        self, runner: _LocalRunner, data: bytes, name: str, formats: tuple[str, ...]
    ) -> None:
        self.runner, self.data, self.name, self.formats = runner, data, name, formats
        self.retried = False
        self.generation = runner.generation
        self.future: Future[Rendered] = runner.pool.submit(
            render_job, data, name, runner.from_format, formats, runner.options
        )

    def result(self) -> Rendered:
        try:
            return self.future.result()
        except BrokenProcessPool:
            # A worker died (a crash in a native library, the OOM killer).  Every work in
            # flight then fails with this error; each gets one more try in a fresh pool, so
            # only the work that kills a worker twice is reported.
            if self.retried:
                return Rendered(error="internal error: the worker process died on this work")
            self.runner.replace_broken(self.generation)
            self.retried, self.generation = True, self.runner.generation
            self.future = self.runner.pool.submit(
                render_job,
                self.data,
                self.name,
                self.runner.from_format,
                self.formats,
                self.runner.options,
            )
            return self.result()


class _LocalRunner:
    """A pool of worker processes on this machine, forked from a preloaded forkserver."""

    def __init__(self, jobs: int, from_format: str | None, options: RenderOptions) -> None:
        import multiprocessing

        self.jobs, self.from_format, self.options = jobs, from_format, options
        self.window = jobs * WINDOW_PER_WORKER
        # forkserver: workers fork from a server that imported fic2book and ebooklib once, so
        # starting (and replacing) a worker costs milliseconds, and no worker inherits the
        # parent's threads (the progress bar's) as a plain fork would.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["fic2book.batch", "ebooklib.epub"])
        self.generation = 0
        self._submitted = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=self._context, initializer=_worker_init
        )

    def submit(self, data: bytes, name: str, formats: tuple[str, ...]) -> _LocalHandle:
        if self._submitted >= TASKS_PER_WORKER * self.jobs:
            # Workers are replaced pool by pool; the old pool finishes its queue on its own
            # (max_tasks_per_child has a deadlock on Python 3.11 when a worker exits).
            self.pool.shutdown(wait=False)
            self.pool, self._submitted = self._new_pool(), 0
            self.generation += 1
        self._submitted += 1
        return _LocalHandle(self, data, name, formats)

    def replace_broken(self, generation: int) -> None:
        """Start a fresh pool if the one of ``generation`` is still the current one."""
        if generation == self.generation:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self._submitted = self._new_pool(), 0
            self.generation += 1

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _DaskHandle:
    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> Rendered:
        try:
            rendered = self.future.result()
        except Exception as err:
            # KilledWorker, a worker without fic2book installed, a lost connection...
            return Rendered(error=f"dask: {type(err).__name__}: {_one_line(err)}")
        finally:
            self.future.release()
        if not isinstance(rendered, Rendered):
            return Rendered(error=f"dask: unexpected result {type(rendered).__name__}")
        return rendered


class _DaskRunner:
    """A ``dask.distributed`` cluster: inputs go out as bytes, books come back as bytes."""

    def __init__(
        self,
        address: str,
        from_format: str | None,
        options: RenderOptions,
    ) -> None:
        import importlib

        try:
            # Typed as Any: distributed ships no complete annotations.
            distributed: Any = importlib.import_module("distributed")
        except ImportError as err:
            raise BackendUnavailableError(
                "--scheduler needs Dask's distributed package: pip install 'fic2book[dask]'"
            ) from err
        try:
            self.client: Any = distributed.Client(address, timeout=20, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            raise BackendUnavailableError(
                f"cannot reach the Dask scheduler at {address}: {_one_line(err)}"
            ) from err
        self.from_format = from_format
        threads = sum(self.client.nthreads().values()) or 1
        self.window = max(threads * WINDOW_PER_WORKER, 8)
        # The options and their files are sent to every worker once, not with each work.
        self.options = self.client.scatter(pack_options(options), broadcast=True, hash=False)

    def submit(self, data: bytes, name: str, formats: tuple[str, ...]) -> _DaskHandle:
        return _DaskHandle(
            self.client.submit(
                render_job,
                data,
                name,
                self.from_format,
                formats,
                self.options,
                pure=False,
            )
        )

    def close(self, cancel: bool) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


# ----------------------------------------------------------------------------- discovery


def input_suffixes(from_format: str | None = None) -> frozenset[str]:
    """The suffixes batch takes: every registered reader's, or only ``--from``'s."""
    if from_format:
        return frozenset(reader_named(from_format).suffixes)
    return frozenset(s for reader in READERS.values() for s in reader.suffixes)


@dataclass(frozen=True)
class _Folder:
    #: Relative to the input folder, ``/``-separated, ``""`` at the top.
    rel: str
    path: Path
    #: Candidate file names, sorted.
    names: tuple[str, ...] = ()
    error: str | None = None


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _walk(source: Path, skip: os.stat_result | None, suffixes: frozenset[str]) -> Iterator[_Folder]:
    """Yield each folder under ``source`` in sorted order with its candidate inputs.

    Symlinked folders are not entered (so a symlink loop cannot trap the walk), hidden names
    and the folder ``skip`` (the output) are left out; a folder that cannot be listed is
    yielded with its error.
    """
    errors: list[OSError] = []

    def flush() -> Iterator[_Folder]:
        for err in errors:
            where = Path(err.filename or source)
            rel = Path(os.path.relpath(where, source)).as_posix()
            yield _Folder(
                rel if rel != "." else "",
                where,
                error=f"cannot read input: {where}: {err.strerror or err}",
            )
        errors.clear()

    for top, dirs, files in os.walk(source, onerror=errors.append, followlinks=False):
        yield from flush()
        kept = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            if skip is not None:
                with contextlib.suppress(OSError):
                    if os.path.samestat(os.stat(os.path.join(top, name)), skip):
                        continue
            kept.append(name)
        dirs[:] = kept
        rel = Path(os.path.relpath(top, source)).as_posix()
        names = tuple(
            sorted(
                name
                for name in files
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in suffixes
            )
        )
        yield _Folder("" if rel == "." else rel, Path(top), names)
    yield from flush()


def _hash_file(path: Path) -> tuple[str, bytes]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), data


# ----------------------------------------------------------------------------- display


class Display(Protocol):
    """How progress is shown; :func:`run_batch` calls these in input order."""

    def start(self, total: int) -> None:
        """Called once the inputs are counted."""

    def working(self, relative: str) -> None:
        """The parent is now waiting for this input."""

    def update(self, outcome: Outcome, summary: Summary) -> None:
        """One input is done."""

    def warn(self, message: str) -> None:
        """Something the user should know that is no input's failure."""

    def stop(self) -> None:
        """The run is over (finished or interrupted)."""


class PlainDisplay:
    """One line per input for logs and pipes; failures go to stderr, even when quiet."""

    def __init__(self, quiet: bool = False, debug: bool = False, out: TextIO | None = None):
        self.quiet, self.debug = quiet, debug
        self.out = out or sys.stdout
        self.total = 0

    def start(self, total: int) -> None:
        """Remember the total for the ``[n/total]`` prefix."""
        self.total = total

    def working(self, relative: str) -> None:
        """Plain output shows finished inputs only."""

    def update(self, outcome: Outcome, summary: Summary) -> None:
        """Print the input's line."""
        prefix = f"[{summary.done}/{max(self.total, summary.done)}]"
        name = shown(outcome.input)
        if outcome.error is not None:
            # A failure, or a skip with a warning (a symlink out of the library).
            kind = "" if outcome.status is Status.FAILED else "warning: "
            print(
                f"fic2book: {kind}{prefix} {outcome.status} {name}: {shown(outcome.error)}",
                file=sys.stderr,
            )
            if self.debug and outcome.detail:
                print(outcome.detail, file=sys.stderr, end="")
            return
        if self.quiet:
            return
        books = ", ".join(map(shown, outcome.outputs)) or "-"
        print(f"{prefix} {outcome.status} {name} -> {books}", file=self.out, flush=True)

    def warn(self, message: str) -> None:
        """Print the warning on stderr, even when quiet."""
        print(f"fic2book: warning: {shown(message)}", file=sys.stderr)

    def stop(self) -> None:
        """Nothing to tidy up."""


class RichDisplay:
    """A progress bar on the terminal (counts, rate, ETA, the file in hand)."""

    def __init__(self, debug: bool = False) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.debug = debug
        # Titles and paths are never Rich markup: "[Chapter 1].txt" prints as typed.
        self.console = Console(stderr=True, highlight=False, markup=False)
        self.progress: Progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", markup=False),
            console=self.console,
            transient=False,
        )
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        """Show the bar."""
        self.progress.start()
        self.task = self.progress.add_task("converting", total=total, current="")

    def working(self, relative: str) -> None:
        """Name the input being waited for."""
        if self.task is not None:
            self.progress.update(self.task, current=_shorten(shown(relative)))

    def update(self, outcome: Outcome, summary: Summary) -> None:
        """Advance the bar; print failures above it."""
        if outcome.error is not None:
            self.progress.console.print(
                f"{outcome.status} {shown(outcome.input)}: {shown(outcome.error)}"
            )
            if self.debug and outcome.detail:
                self.progress.console.print(outcome.detail, end="")
        if self.task is not None:
            self.progress.update(self.task, completed=summary.done, current="")

    def warn(self, message: str) -> None:
        """Print the warning above the bar."""
        self.progress.console.print(f"warning: {shown(message)}")

    def stop(self) -> None:
        """Leave the final bar on screen."""
        self.progress.stop()


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def print_summary(summary: Summary, config: BatchConfig, out: TextIO | None = None) -> None:
    """Print the end-of-run table: counts, time, rate and the first failures."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out or sys.stdout, highlight=False, markup=False)
    table = Table(title="fic2book batch")
    table.add_column("Status")
    table.add_column("Inputs", justify="right")
    table.add_row("converted", str(summary.converted))
    table.add_row("skipped (up to date)", str(summary.skipped))
    table.add_row("failed", str(summary.failed))
    if summary.interrupted:
        table.add_row("not processed (interrupted)", str(summary.total - summary.done))
    table.add_row("total", str(summary.total))
    console.print(table)
    rate = summary.converted / summary.seconds if summary.seconds > 0 else 0.0
    console.print(
        f"{summary.books_written} book(s) written in {summary.seconds:.1f} s "
        f"({rate:.1f} works/s converted)"
    )
    if summary.failures:
        failures = Table(title="Failures")
        failures.add_column("Input", overflow="fold")
        failures.add_column("Error", overflow="fold")
        for outcome in summary.failures:
            failures.add_row(shown(outcome.input), shown(outcome.error or ""))
        console.print(failures)
        if summary.failed > len(summary.failures):
            console.print(f"… and {summary.failed - len(summary.failures)} more (see --report)")
    if summary.interrupted:
        console.print("Interrupted: run the same command again to carry on.")


# ----------------------------------------------------------------------------- the report


class ReportWriter:
    """The JSON report, streamed to a temporary file and renamed into place at the end."""

    def __init__(self, path: Path, config: BatchConfig) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(path.parent)  # what a killed run left
            # The open file holds the temporary file's lock until the report is in place.
            handle, self.temp = create_held(path.parent, ".json")
        except OSError as err:
            raise OutputError(f"{path}: {err.strerror or err}") from err
        self.file = os.fdopen(handle, "w", encoding="utf-8")
        head = {
            "fic2book": __version__,
            "input_folder": str(config.source),
            "output_folder": str(config.output),
            "formats": list(config.formats),
            "scheduler": config.scheduler,
        }
        self.file.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "works": [')
        self.first = True

    def add(self, outcome: Outcome) -> None:
        """Append one input's entry."""
        self.file.write(("\n    " if self.first else ",\n    ") + _dumps(outcome.as_json()))
        self.first = False

    def finish(self, summary: Summary) -> None:
        """Write the summary and move the report into place."""
        self.file.write(("\n  " if not self.first else "") + '],\n  "summary": ')
        self.file.write(_dumps(summary.as_json()) + "\n}\n")
        try:
            self.file.flush()
            # Renamed while still open: closing first would drop the lock that tells another
            # run's clean-up the file is not debris.
            os.replace(self.temp, self.path)
        except OSError as err:
            raise OutputError(f"{self.path}: {err.strerror or err}") from err
        finally:
            self.file.close()

    def abort(self) -> None:
        """Drop the unfinished report."""
        self.file.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


# ----------------------------------------------------------------------------- the run


@dataclass
class _FolderState:
    """Book paths of one output folder that a new book must not take (case-insensitively)."""

    taken: TakenPaths


@dataclass
class _Item:
    """One input on its way through the window."""

    rel: str
    path: Path
    state: _FolderState
    formats: tuple[str, ...] = ()
    #: Books that are up to date, by format (relative to the output folder).
    kept: dict[str, str] = field(default_factory=dict)
    #: The manifest's previous book of each format being rebuilt.
    previous: dict[str, str] = field(default_factory=dict)
    hash: str = ""
    size: int = 0
    mtime_ns: int = 0
    started: float = field(default_factory=time.perf_counter)
    handle: _Handle | None = None
    outcome: Outcome | None = None


def _check_folders(source: Path, output: Path) -> None:
    if not source.exists():
        raise InputError(f"{source}: no such folder")
    if not source.is_dir():
        raise UsageError(f"{source} is not a folder (use 'fic2book convert' for single files)")
    real_source, real_output = source.resolve(), output.resolve()
    if real_source == real_output:
        raise UsageError("the output folder must not be the input folder")
    if real_source.is_relative_to(real_output):
        raise UsageError(
            f"the input folder {source} is inside the output folder {output}; "
            "books would be read back as inputs"
        )


class _Batch:
    def __init__(self, config: BatchConfig, display: Display) -> None:
        self.config, self.display = config, display
        self.formats = tuple(backend.name for backend in backends_for(config.formats))
        self.fingerprint = fingerprint(config.options)
        self.suffixes = input_suffixes(config.from_format)
        self.summary = Summary()
        self.report: ReportWriter | None = None
        self.manifest: Manifest | None = None
        self.real_source = config.source.resolve()
        #: Manifest rows reported as ignored so far.
        self.warned = 0

    # -- planning -------------------------------------------------------------------------

    def plan_folder(self, folder: _Folder, manifest: Manifest) -> list[_Item]:
        """Decide, for each candidate input of a folder, which of its books need building."""
        out_dir = self.config.output / folder.rel
        remove_stale(out_dir)  # what a killed run left
        state = _FolderState(TakenPaths())
        items = [self.plan_input(folder, name, state, manifest) for name in folder.names]
        rebuilding = {(item.rel, fmt) for item in items for fmt in item.formats}
        # Books of this folder that stay (up to date, or their input failed or vanished) keep
        # their names; a rebuilt book may take back its own old name.
        state.taken.update(
            self.config.output / record.output
            for record in manifest.in_folder(folder.rel)
            if (record.input, record.format) not in rebuilding
        )
        for message in manifest.ignored[self.warned :]:
            self.display.warn(message)
        self.warned = len(manifest.ignored)
        return items

    def plan_input(
        self, folder: _Folder, name: str, state: _FolderState, manifest: Manifest
    ) -> _Item:
        rel = _join(folder.rel, name)
        item = _Item(rel, folder.path / name, state)
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            return self._failed(item, "cannot read input: the file name is not valid UTF-8")
        try:
            info = os.stat(item.path)  # follows a symlinked file; a loop raises ELOOP
        except OSError as err:
            return self._failed(item, f"cannot read input: {item.rel}: {err.strerror or err}")
        outside = self._leads_outside(item.path)
        if outside is not None:
            item.outcome = Outcome(rel, Status.SKIPPED, error=outside)
            return item
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block the reader forever; devices and sockets are no works.
            return self._failed(item, f"cannot read input: {item.rel}: not a regular file")
        item.size, item.mtime_ns = info.st_size, info.st_mtime_ns
        records = manifest.records(rel)
        todo = list(self.formats)
        if records and not self.config.force:
            stored = {record.hash for record in records.values()}
            unchanged = all(
                r.size == info.st_size and r.mtime_ns == info.st_mtime_ns for r in records.values()
            )
            if len(stored) == 1 and unchanged:
                # Same size and nanosecond mtime as when hashed: trust the hash, read nothing.
                item.hash = stored.pop()
            else:
                try:
                    item.hash = _hash_file(item.path)[0]
                except OSError as err:
                    return self._failed(
                        item, f"cannot read input: {item.rel}: {err.strerror or err}"
                    )
            todo = [
                fmt
                for fmt in self.formats
                if fmt not in records
                or records[fmt].hash != item.hash
                or records[fmt].fingerprint != self.fingerprint
                or not (self.config.output / records[fmt].output).is_file()
            ]
        item.formats = tuple(todo)
        item.kept = {
            fmt: records[fmt].output for fmt in self.formats if fmt not in todo and fmt in records
        }
        item.previous = {fmt: records[fmt].output for fmt in todo if fmt in records}
        if not todo:
            item.outcome = Outcome(rel, Status.SKIPPED, tuple(item.kept.values()))
        return item

    def _leads_outside(self, path: Path) -> str | None:
        """Why a symlinked input is skipped, or ``None`` if it may be read."""
        if self.config.follow_symlinks or not path.is_symlink():
            return None
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None  # the stat before it would have failed; a race reads what is there
        if real.is_relative_to(self.real_source):
            return None
        return (
            "not read: it is a symlink to a file outside the input folder "
            "(--follow-symlinks reads such files)"
        )

    def _failed(self, item: _Item, error: str) -> _Item:
        item.outcome = Outcome(
            item.rel, Status.FAILED, error=error, seconds=time.perf_counter() - item.started
        )
        return item

    # -- finishing ------------------------------------------------------------------------

    def finish(self, item: _Item, manifest: Manifest) -> None:
        """Wait for the item's books, write them, record them, and report the outcome."""
        if item.outcome is None:
            assert item.handle is not None
            self.display.working(item.rel)
            rendered = item.handle.result()
            item.handle = None
            item.outcome = self.write_books(item, rendered, manifest)
        self.emit(item.outcome)

    def write_books(self, item: _Item, rendered: Rendered, manifest: Manifest) -> Outcome:
        output = self.config.output
        if rendered.error is not None:
            return Outcome(
                item.rel,
                Status.FAILED,
                tuple(item.kept.values()),
                rendered.error,
                rendered.seconds,
                rendered.detail,
            )
        writing = time.perf_counter()
        out_dir = output / item.rel.rpartition("/")[0]
        written: dict[str, str] = {}
        records: list[BookRecord] = []
        error: str | None = None
        try:
            for fmt, data in rendered.books:
                suffix = BACKENDS[fmt].suffix
                target = unique_path(
                    out_dir, output_name(rendered.title, rendered.authors, suffix), item.state.taken
                )
                if target.is_dir():
                    raise OutputError(f"{target}: is a directory")
                write_bytes_atomically(data, target)
                item.state.taken.add(target)
                relative = target.relative_to(output).as_posix()
                written[fmt] = relative
                records.append(
                    BookRecord(
                        item.rel,
                        fmt,
                        item.hash,
                        item.size,
                        item.mtime_ns,
                        self.fingerprint,
                        relative,
                    )
                )
                self.summary.books_written += 1
                old = item.previous.get(fmt)
                if old is not None and old != relative and output / old not in item.state.taken:
                    # The work's title changed: its old book would be a stale duplicate.
                    with contextlib.suppress(OSError):
                        (output / old).unlink()
        except Fic2BookError as err:
            error = f"{err.label}: {_one_line(err)}"
        finally:
            if records:
                manifest.record(records, rendered.seconds)
        outputs = tuple(sorted({**item.kept, **written}.values()))
        # The work's own time: parsing and rendering on the worker, writing here.
        seconds = rendered.seconds + time.perf_counter() - writing
        if error is not None:
            return Outcome(item.rel, Status.FAILED, outputs, error, seconds)
        return Outcome(item.rel, Status.CONVERTED, outputs, None, seconds)

    def emit(self, outcome: Outcome) -> None:
        summary = self.summary
        if outcome.status is Status.CONVERTED:
            summary.converted += 1
        elif outcome.status is Status.SKIPPED:
            summary.skipped += 1
        else:
            summary.failed += 1
            if len(summary.failures) < SUMMARY_FAILURES:
                summary.failures.append(outcome)
        if self.report is not None:
            self.report.add(outcome)
        self.display.update(outcome, summary)

    # -- the loop -------------------------------------------------------------------------

    def submit(self, item: _Item, runner: _Runner) -> None:
        try:
            digest, data = _hash_file(item.path)
        except OSError as err:
            self._failed(item, f"cannot read input: {item.rel}: {err.strerror or err}")
            return
        # The manifest records the hash of exactly the bytes converted.
        item.hash = digest
        # The relative path names the work in error messages; its last part is the file name.
        item.handle = runner.submit(data, item.rel, item.formats)

    def run(self, runner_factory: Callable[[], _Runner]) -> Summary:
        config = self.config
        started = time.perf_counter()
        skip = os.stat(config.output)
        self.summary.total = sum(
            len(folder.names) + (folder.error is not None)
            for folder in _walk(config.source, skip, self.suffixes)
        )
        if config.report is not None:
            self.report = ReportWriter(config.report, config)
        pending: deque[_Item] = deque()
        in_flight = 0
        runner: _Runner | None = None
        try:
            with Manifest(config.output, rebuild=config.force) as manifest:
                self.display.start(self.summary.total)
                try:
                    for folder in _walk(config.source, skip, self.suffixes):
                        if folder.error is not None:
                            self.emit(Outcome(folder.rel or ".", Status.FAILED, error=folder.error))
                            continue
                        for item in self.plan_folder(folder, manifest):
                            if item.outcome is None:
                                if runner is None:
                                    runner = runner_factory()
                                self.submit(item, runner)
                            pending.append(item)
                            in_flight += item.handle is not None
                            # Report finished heads at once (skips must not pile up), and
                            # wait for the oldest work while the window is full.
                            while pending and (
                                pending[0].handle is None
                                or (runner is not None and in_flight >= runner.window)
                            ):
                                head = pending.popleft()
                                in_flight -= head.handle is not None
                                self.finish(head, manifest)
                    while pending:
                        self.finish(pending.popleft(), manifest)
                except KeyboardInterrupt:
                    self.summary.interrupted = True
                finally:
                    if runner is not None:
                        runner.close(cancel=True)
                    self.display.stop()
        except BaseException:
            if self.report is not None:
                self.report.abort()
            raise
        self.summary.seconds = time.perf_counter() - started
        if self.report is not None:
            self.report.finish(self.summary)
        return self.summary


#: A tiny work rendered once before a batch, so a bad option fails the run, not every work.
_PROBE = b"Title: fic2book option check\nAuthor: fic2book\n\nOne paragraph.\n"


def check_options(formats: tuple[str, ...], options: RenderOptions) -> None:
    """Render a tiny work with ``options`` in each format; raise what any backend raises.

    Every option is checked by the code that uses it (page size, templates, stylesheets,
    cover pictures…, including options added after this was written), once, up front.
    """
    work = read_work_bytes(_PROBE, "probe.txt", "text")
    for backend in backends_for(formats):
        render_bytes(backend, work, options)


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_batch(config: BatchConfig, display: Display | None = None) -> Summary:
    """Convert every input under ``config.source`` into ``config.output``; return the counts.

    Bad inputs become failures in the summary, never exceptions; a :class:`Fic2BookError` is
    raised only for a problem with the whole run (a bad option, an input folder that does
    not exist, an unreachable scheduler).  Ctrl-C (``KeyboardInterrupt``) stops after the
    works in hand and returns a summary marked ``interrupted``.
    """
    _check_folders(config.source, config.output)
    try:
        config.output.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{config.output}: {err.strerror or err}") from err
    if config.scheduler:
        import importlib.util

        # Say so before any work is read, even when every book turns out up to date.
        if importlib.util.find_spec("distributed") is None:
            raise BackendUnavailableError(
                "--scheduler needs Dask's distributed package: pip install 'fic2book[dask]'"
            )
    batch = _Batch(config, display or PlainDisplay(quiet=True))
    jobs = config.jobs or default_jobs()

    def make_runner() -> _Runner:
        if config.scheduler:
            return _DaskRunner(config.scheduler, config.from_format, config.options)
        return _LocalRunner(jobs, config.from_format, config.options)

    return batch.run(make_runner)
