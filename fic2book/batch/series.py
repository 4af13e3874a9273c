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

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fic2book.batch.discover import hash_file, input_suffixes, walk
from fic2book.batch.fingerprint import fingerprint
from fic2book.batch.manifest import Manifest
from fic2book.errors import Fic2BookError, InputError
from fic2book.options import RenderOptions

__all__ = ["SeriesRun", "convert_series"]


@dataclass
class SeriesRun:
    """What a ``--combine series`` run wrote and what failed (one line each)."""

    written: list[Path] = field(default_factory=list)
    #: Books up to date, left as they were.
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


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
    failed: Callable[[str], None],
    first_series: Callable[[Path], str | None] | None = None,
) -> tuple[dict[str, list[Path]], list[Path]]:
    """The inputs by their first series (in the order found), and those in none.

    ``first_series`` finds a work's first series (by default, it reads the work).
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
            failed(str(err))  # the message names the file
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
) -> SeriesRun:
    """Convert the works under ``source`` into ``output``: one book per series, as above.

    ``force`` rebuilds the books that are up to date too.
    """
    run = SeriesRun()
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

        groups, alone = group_by_series(
            paths, options, from_format, run.failed.append, first_series
        )
        taken: set[Path] = set()
        jobs = _jobs(groups, alone, formats, output, options, from_format, taken)
        stamp = f"{fingerprint(options)} {from_format} {','.join(formats)}"
        for what, members, job in jobs:
            key = json.dumps([hashes[path] for path in members], ensure_ascii=False)
            kept = None if force else _up_to_date(manifest, what, key, stamp, output)
            if kept is None:
                kept = _build(run, what, job)
                if kept is None:
                    continue
                relative = [path.relative_to(output).as_posix() for path in kept]
                manifest.record_omnibus(what, key, stamp, relative)
            else:
                run.skipped.extend(kept)
            taken.update(kept)
    return run


#: One book to make: what to call it in a failure, its inputs, and the job that writes it.
_Job = tuple[str, list[Path], Callable[[], list[Path]]]


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

        def combined(members: list[Path] = members) -> list[Path]:
            return convert_combined(
                members, formats, output, options, from_format, into_folder=True
            )

        jobs.append((f"series {series!r}", members, combined))
    for path in alone:

        def single(path: Path = path) -> list[Path]:
            return convert_file(
                path, formats, output, options, from_format, into_folder=True, taken=taken
            )

        jobs.append((str(path), [path], single))
    return jobs


def _build(run: SeriesRun, what: str, job: Callable[[], list[Path]]) -> list[Path] | None:
    """Run one book's job: the paths written, or ``None`` (and a failure noted)."""
    try:
        written = job()
    except Fic2BookError as err:
        run.failed.append(f"{what}: {err}")
        return None
    run.written.extend(written)
    return written


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
