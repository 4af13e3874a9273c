"""``fic2book batch --combine series``: one omnibus per series found in a folder.

The folder is walked as batch walks it (:mod:`fic2book.batch.discover`); each work is read
once, under the run's limits in a sandboxed child, only to learn its first series.  Every
series with two works or more becomes one book (:func:`fic2book.pipeline.convert_combined`,
named after the series); a series of one and works in no series become books of their own
(:func:`fic2book.pipeline.convert_file`).  A file that cannot be read is reported and the
run goes on.  The output folder's batch manifest remembers each book's inputs (by content
hash) and the options fingerprint (:meth:`fic2book.batch.manifest.Manifest.omnibus`): a rerun
with the same member files and options skips the book, a changed, added or removed member
rebuilds it.  Each input's first series is remembered by its content too, so an unchanged
work is not read again to group it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fic2book.batch.config import BatchConfig
from fic2book.batch.discover import hash_file, input_suffixes, walk
from fic2book.batch.display import Display
from fic2book.batch.fingerprint import fingerprint
from fic2book.batch.job import one_line
from fic2book.batch.manifest import Manifest
from fic2book.batch.outcome import InputStatus, Outcome, Summary
from fic2book.batch.report import ReportWriter
from fic2book.batch.series_news import OmnibusNews, previous_omnibus
from fic2book.batch.works import Update
from fic2book.errors import Fic2BookError, InputError
from fic2book.model import Work
from fic2book.options import RenderOptions

__all__ = ["SeriesRun", "convert_series", "run_series"]


@dataclass
class SeriesRun:
    """What a ``--combine series`` run wrote and what failed (one line each)."""

    written: list[Path] = field(default_factory=list)
    #: Books up to date, left as they were.
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: One per omnibus, per other work and per input that could not be read, in order:
    #: what ``batch``'s display, summary and ``--report`` show.
    outcomes: list[Outcome] = field(default_factory=list)


def _first_series(path: Path, options: RenderOptions, from_format: str | None) -> str | None:
    """The name of the first series of the work in ``path``, read in a limited child."""
    from fic2book.limits import check_input_size
    from fic2book.readers import read_work
    from fic2book.sandbox import run_limited

    check_input_size(path, options.max_input_size)

    def read() -> str | None:
        series = read_work(path, from_format).series
        return series[0].name if series else None

    return run_limited(
        read, timeout=options.timeout, max_memory=options.max_memory, what=f"reading {path}"
    )


def group_by_series(
    paths: list[Path],
    options: RenderOptions,
    from_format: str | None,
    failed: Callable[[Path, Fic2BookError], None],
    first_series: Callable[[Path], str | None] | None = None,
) -> tuple[dict[str, list[Path]], list[Path]]:
    """The inputs by their first series (in the order found), and those in none.

    ``first_series`` finds a work's first series (by default, it reads the work);
    ``failed`` is told of each input that cannot be read.
    """
    groups: dict[str, list[Path]] = {}
    alone: list[Path] = []
    for path in paths:
        try:
            if first_series is not None:
                name = first_series(path)
            else:
                name = _first_series(path, options, from_format)
        except Fic2BookError as err:
            failed(path, err)
            continue
        if name is None:
            alone.append(path)
        else:
            groups.setdefault(name, []).append(path)
    return groups, alone


def convert_series(
    source: Path,
    output: Path,
    formats: tuple[str, ...],
    options: RenderOptions,
    from_format: str | None = None,
    force: bool = False,
    *,
    start: Callable[[int], None] | None = None,
    emit: Callable[[Outcome], None] | None = None,
) -> SeriesRun:
    """Convert the works under ``source`` into ``output``: one book per series, as above.

    ``force`` rebuilds the books that are up to date too.  ``start`` is told how many
    outcomes will come once the works are grouped, and ``emit`` gets each as it is decided
    (:func:`run_series` shows and reports them as ``batch`` does).
    """
    run = SeriesRun()

    def decided(outcome: Outcome) -> None:
        run.outcomes.append(outcome)
        if emit is not None:
            emit(outcome)

    output.mkdir(parents=True, exist_ok=True)
    skip = os.stat(output)
    paths = [
        folder.path / name
        for folder in walk(source, skip, input_suffixes(from_format))
        for name in folder.names
    ]
    with Manifest(output, rebuild=force) as manifest:
        hashes: dict[Path, tuple[str, str]] = {}

        def first_series(path: Path) -> str | None:
            # An input read before with the same content is not read again.
            hashes[path] = rel, digest = _member(source, path)
            known = manifest.series_of(rel, digest, from_format or "")
            if known is not None:
                return known[0]
            name = _first_series(path, options, from_format)
            manifest.remember_series(rel, digest, from_format or "", name)
            return name

        unread: list[Outcome] = []

        def failed(path: Path, err: Fic2BookError) -> None:
            run.failed.append(str(err))  # the message names the file
            rel = _relative(source, path)
            unread.append(Outcome(rel, InputStatus.FAILED, error=f"{err.label}: {one_line(err)}"))

        groups, alone = group_by_series(paths, options, from_format, failed, first_series)
        taken: set[Path] = set()
        jobs = _jobs(groups, alone, formats, output, options, from_format, taken)
        if start is not None:
            start(len(unread) + len(jobs))
        for outcome in unread:
            decided(outcome)
        stamp = f"{fingerprint(options)} {from_format} {','.join(formats)}"
        for what, members, job in jobs:
            began = time.perf_counter()
            key = json.dumps([hashes[path] for path in members], ensure_ascii=False)
            kept = None if force else _up_to_date(manifest, what, key, stamp, output)
            status = InputStatus.SKIPPED
            error = None
            update = Update()
            if kept is None:
                try:
                    found = None if force else manifest.omnibus(what)
                    news = previous_omnibus(
                        found, [hashes[path] for path in members], stamp, output, options
                    )
                    if news is not None and len(members) > 1:
                        update = _news(news, members, options, from_format)
                    # Even with nothing new, the rebuild keeps each work's update log.
                    revise = news.revise if news is not None and len(members) > 1 else None
                    kept = _build(run, job, revise)
                    status = InputStatus.UPDATED if update else InputStatus.CONVERTED
                    relative = [path.relative_to(output).as_posix() for path in kept]
                    manifest.record_omnibus(what, key, stamp, relative)
                except Fic2BookError as err:
                    run.failed.append(f"{what}: {err}")
                    error = f"{err.label}: {one_line(err)}"
                    status, kept = InputStatus.FAILED, []
            else:
                run.skipped.extend(kept)
            taken.update(kept)
            outcome = _outcome(source, output, what, members, kept, status, error, began)
            decided(dataclasses.replace(outcome, **dataclasses.asdict(update)))
    return run


def _outcome(
    source: Path,
    output: Path,
    what: str,
    members: list[Path],
    books: list[Path],
    status: InputStatus,
    error: str | None,
    began: float,
) -> Outcome:
    """One book's line in the display and the report: a work by its path, an omnibus by name."""
    inputs = tuple(_relative(source, path) for path in members)
    omnibus = len(members) > 1
    return Outcome(
        what if omnibus else inputs[0],
        status,
        tuple(book.relative_to(output).as_posix() for book in books),
        error,
        time.perf_counter() - began,
        members=inputs if omnibus else (),
    )


def _relative(source: Path, path: Path) -> str:
    """An input as the report names it: relative to the input folder, ``/``-separated."""
    return path.relative_to(source).as_posix() if path.is_relative_to(source) else str(path)


#: The outcomes whose books were written this run.
_WRITTEN = frozenset({InputStatus.CONVERTED, InputStatus.UPDATED})


def run_series(config: BatchConfig, display: Display) -> Summary:
    """``batch --combine series`` with ``batch``'s display, summary and JSON report.

    Each omnibus, other work and unreadable input is one outcome, counted and reported by
    the same code as an ordinary batch's inputs (:class:`Summary`, :class:`ReportWriter`).
    """
    summary = Summary()
    report = None if config.report is None else ReportWriter(config.report, config)
    began = time.perf_counter()

    def start(total: int) -> None:
        summary.total = total
        display.start(total)

    def emit(outcome: Outcome) -> None:
        summary.count(outcome)
        summary.books_written += len(outcome.outputs) * (outcome.status in _WRITTEN)
        if report is not None:
            report.add(outcome)
        display.update(outcome, summary)

    try:
        try:
            convert_series(
                config.source,
                config.output,
                config.formats,
                config.options,
                config.from_format,
                config.force,
                start=start,
                emit=emit,
            )
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            display.stop()
    except BaseException:
        if report is not None:
            report.abort()
        raise
    summary.seconds = time.perf_counter() - began
    if report is not None:
        report.finish(summary)
    return summary


#: What marks the new chapters of an omnibus's works as they are read (or ``None``).
_Revise = Callable[[list[Work]], list[Work]] | None
#: One book to make: what to call it in a failure, its inputs, and the job that writes it.
_Job = tuple[str, list[Path], Callable[[_Revise], list[Path]]]


def _jobs(
    groups: dict[str, list[Path]],
    alone: list[Path],
    formats: tuple[str, ...],
    output: Path,
    options: RenderOptions,
    from_format: str | None,
    taken: set[Path],
) -> list[_Job]:
    """One omnibus per series of two works or more, then one book per other work."""
    from fic2book.pipeline import convert_combined, convert_file

    jobs: list[_Job] = []
    alone = list(alone)
    for series, members in groups.items():
        if len(members) == 1:
            alone.append(members[0])
            continue

        def combined(revise: _Revise, members: list[Path] = members) -> list[Path]:
            return convert_combined(
                members, formats, output, options, from_format, into_folder=True, revise=revise
            )

        jobs.append((f"series {series!r}", members, combined))
    for path in alone:

        def single(revise: _Revise, path: Path = path) -> list[Path]:
            return convert_file(
                path, formats, output, options, from_format, into_folder=True, taken=taken
            )

        jobs.append((str(path), [path], single))
    return jobs


def _build(run: SeriesRun, job: Callable[[_Revise], list[Path]], revise: _Revise) -> list[Path]:
    """Run one book's job: the paths written (a failure raises)."""
    written = job(revise)
    run.written.extend(written)
    return written


def _news(
    news: OmnibusNews, members: list[Path], options: RenderOptions, from_format: str | None
) -> Update:
    """What the newer downloads among ``members`` add, read and compared in a limited child."""
    from fic2book.readers import read_work
    from fic2book.sandbox import run_limited

    def compare() -> Update:
        return news.update([read_work(path, from_format) for path in members])

    return run_limited(
        compare, timeout=options.timeout, max_memory=options.max_memory, what="comparing"
    )


def _member(source: Path, path: Path) -> tuple[str, str]:
    """A book's input as the manifest remembers it: its relative path and content hash."""
    try:
        return path.relative_to(source).as_posix(), hash_file(path)[0]
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err


def _up_to_date(
    manifest: Manifest, what: str, members: str, stamp: str, output: Path
) -> list[Path] | None:
    """The book's files when the manifest says they were made from ``members`` as asked."""
    found = manifest.omnibus(what)
    if found is None or found[:2] != (members, stamp):
        return None
    books = [output / relative for relative in found[2]]
    return books if books and all(book.is_file() for book in books) else None
