"""``fic2book batch --combine series``: one omnibus per series found in a folder.

The folder is walked as batch walks it (:mod:`fic2book.batch.discover`); each work is read
once, under the run's limits in a sandboxed child, only to learn its first series.  Every
series with two works or more becomes one book (:func:`fic2book.pipeline.convert_combined`,
named after the series); a series of one and works in no series become books of their own
(:func:`fic2book.pipeline.convert_file`).  A file that cannot be read is reported and the
run goes on.  This path keeps no manifest: every book is written again on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fic2book.batch.discover import input_suffixes, walk
from fic2book.errors import Fic2BookError
from fic2book.options import RenderOptions

__all__ = ["SeriesRun", "convert_series"]


@dataclass
class SeriesRun:
    """What a ``--combine series`` run wrote and what failed (one line each)."""

    written: list[Path] = field(default_factory=list)
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
) -> tuple[dict[str, list[Path]], list[Path]]:
    """The inputs by their first series (in the order found), and those in none."""
    groups: dict[str, list[Path]] = {}
    alone: list[Path] = []
    for path in paths:
        try:
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
) -> SeriesRun:
    """Convert the works under ``source`` into ``output``: one book per series, as above."""
    from fic2book.pipeline import convert_combined, convert_file

    run = SeriesRun()
    output.mkdir(parents=True, exist_ok=True)
    skip = os.stat(output)
    paths = [
        folder.path / name
        for folder in walk(source, skip, input_suffixes(from_format))
        for name in folder.names
    ]
    groups, alone = group_by_series(paths, options, from_format, run.failed.append)
    taken: set[Path] = set()
    jobs: list[tuple[str, Callable[[], list[Path]]]] = []
    for series, members in groups.items():
        if len(members) == 1:
            alone.append(members[0])
            continue

        def combined(members: list[Path] = members) -> list[Path]:
            return convert_combined(
                members, formats, output, options, from_format, into_folder=True
            )

        jobs.append((f"series {series!r}", combined))
    for path in alone:

        def single(path: Path = path) -> list[Path]:
            return convert_file(
                path, formats, output, options, from_format, into_folder=True, taken=taken
            )

        jobs.append((str(path), single))
    for what, job in jobs:
        try:
            written = job()
        except Fic2BookError as err:
            run.failed.append(f"{what}: {err}")
            continue
        taken.update(written)
        run.written.extend(written)
    return run
