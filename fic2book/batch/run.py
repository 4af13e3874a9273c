"""The run: plan each folder against the manifest, keep a window of works in flight, write.

The parent alone names and writes books (atomically) and records them in the manifest, in
input order, which keeps collision numbering ("Title - Author (2).epub") deterministic.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fic2book.backends import BACKENDS
from fic2book.batch.config import BatchConfig
from fic2book.batch.discover import Folder, hash_file, input_suffixes, join, present, walk
from fic2book.batch.display import Display, PlainDisplay
from fic2book.batch.fingerprint import fingerprint
from fic2book.batch.job import Rendered, one_line
from fic2book.batch.manifest import BookRecord, Manifest, Superseded, folder_of
from fic2book.batch.outcome import InputStatus, Outcome, Summary
from fic2book.batch.report import ReportWriter
from fic2book.batch.runners import DaskRunner, Handle, LocalRunner, Runner, default_jobs
from fic2book.batch.works import before, superseded_note
from fic2book.errors import (
    BackendUnavailableError,
    Fic2BookError,
    InputError,
    OutputError,
    UsageError,
)
from fic2book.nametemplate import book_path
from fic2book.naming import TakenPaths, unique_path
from fic2book.pipeline import backends_for, write_bytes_atomically
from fic2book.tempfiles import remove_stale


@dataclass
class FolderState:
    """Book paths of one output folder that a new book must not take (case-insensitively)."""

    taken: TakenPaths


@dataclass
class _Planned:
    """One input on its way through the window."""

    rel: str
    path: Path
    state: FolderState
    formats: tuple[str, ...] = ()
    #: Books that are up to date, by format (relative to the output folder).
    kept: dict[str, str] = field(default_factory=dict)
    #: The manifest's previous book of each format being rebuilt.
    previous: dict[str, str] = field(default_factory=dict)
    #: The manifest's rows of the book being rebuilt, for the worker to mark what is new.
    rows: list[BookRecord] = field(default_factory=list)
    #: The book (one row of it) of the input this newer download takes over
    #: (see :meth:`_Batch.take_over`).
    replaces: BookRecord | None = None
    hash: str = ""
    size: int = 0
    mtime_ns: int = 0
    started: float = field(default_factory=time.perf_counter)
    handle: Handle | None = None
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


def _written(
    item: _Planned, rendered: Rendered, outputs: tuple[str, ...], seconds: float
) -> Outcome:
    """The outcome of an input whose books are written: converted, or updated and how."""
    replaces = None if item.replaces is None else item.replaces.input
    news = rendered.update
    if not news:
        return Outcome(item.rel, InputStatus.CONVERTED, outputs, None, seconds, replaces=replaces)
    return Outcome(
        item.rel,
        InputStatus.UPDATED,
        outputs,
        seconds=seconds,
        added=news.added,
        changed=news.changed,
        removed=news.removed,
        replaces=replaces,
    )


def _remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and its parents up to ``stop`` (kept) while they are empty.

    A book renamed by a new ``--name`` leaves its old ``{fandom}/{series}/`` folders behind;
    ``rmdir`` removes only empty ones, so nothing else is touched.
    """
    while folder != stop and folder.is_relative_to(stop):
        folder.rmdir()  # OSError when not empty: the caller stops there
        folder = folder.parent


class _Batch:
    def __init__(self, config: BatchConfig, display: Display) -> None:
        self.config, self.display = config, display
        self.formats = tuple(backend.name for backend in backends_for(config.formats))
        self.fingerprint = fingerprint(config.options)
        self.suffixes = input_suffixes(config.from_format)
        self.summary = Summary()
        self.report: ReportWriter | None = None
        self.manifest: Manifest | None = None
        self.runner: Runner | None = None
        self.real_source = config.source.resolve()
        #: Manifest rows reported as ignored so far.
        self.warned = 0
        #: Folders made by --name whose leftover temporary files are already removed.
        self.cleaned: set[Path] = set()

    # -- planning -------------------------------------------------------------------------

    def plan_folder(self, folder: Folder, manifest: Manifest) -> list[_Planned]:
        """Decide, for each candidate input of a folder, which of its books need building."""
        out_dir = self.config.output / folder.rel
        remove_stale(out_dir)  # what a killed run left
        state = FolderState(TakenPaths())
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
        self, folder: Folder, name: str, state: FolderState, manifest: Manifest
    ) -> _Planned:
        rel = join(folder.rel, name)
        item = _Planned(rel, folder.path / name, state)
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
            item.outcome = Outcome(rel, InputStatus.SKIPPED, error=outside)
            return item
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block the reader forever; devices and sockets are no works.
            return self._failed(item, f"cannot read input: {item.rel}: not a regular file")
        item.size, item.mtime_ns = info.st_size, info.st_mtime_ns
        gone = manifest.superseded(rel)
        if gone is not None and self._superseded(item, gone, manifest):
            return item
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
                    item.hash = hash_file(item.path)[0]
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
        item.rows = list(records.values())
        if not todo:
            item.outcome = Outcome(rel, InputStatus.SKIPPED, tuple(item.kept.values()))
        return item

    def _superseded(self, item: _Planned, gone: Superseded, manifest: Manifest) -> bool:
        """Skip an input a newer download of its work superseded, unless it changed since.

        Returns whether the item's outcome is decided (skipped, or failed to be read).
        """
        if not present(self.config.source, gone.by):
            # The newer download is gone: this one is the work's download again.
            manifest.forget_superseded(item.rel)
            return False
        if (gone.size, gone.mtime_ns) != (item.size, item.mtime_ns):
            try:
                item.hash = hash_file(item.path)[0]
            except OSError as err:
                self._failed(item, f"cannot read input: {item.rel}: {err.strerror or err}")
                return True
            if item.hash != gone.hash:
                manifest.forget_superseded(item.rel)  # an input like any other again
                return False
        books = tuple(record.output for record in manifest.records(manifest.newest(gone)).values())
        note = superseded_note(gone.by)
        item.outcome = Outcome(item.rel, InputStatus.SKIPPED, books, note=note)
        return True

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

    def _failed(self, item: _Planned, error: str) -> _Planned:
        item.outcome = Outcome(
            item.rel, InputStatus.FAILED, error=error, seconds=time.perf_counter() - item.started
        )
        return item

    # -- finishing ------------------------------------------------------------------------

    def finish(self, item: _Planned, manifest: Manifest) -> None:
        """Wait for the item's books, write them, record them, and report the outcome."""
        if item.outcome is None:
            assert item.handle is not None
            self.display.working(item.rel)
            rendered = item.handle.result()
            item.handle = None
            if rendered.error is None and rendered.update is None and rendered.work_key:
                rendered = self.take_over(item, rendered, manifest)
            if item.outcome is None:
                item.outcome = self.write_books(item, rendered, manifest)
        self.emit(item.outcome)

    def take_over(self, item: _Planned, rendered: Rendered, manifest: Manifest) -> Rendered:
        """An input whose work another input's book in its folder holds: update that book.

        The download takes the book over (same path while the title stays) when the other
        input is gone (renamed), or when it adds or changes chapters and removes none; the
        other input, still there, is then superseded.  Otherwise, the other input still
        there, the download is superseded itself: it is an older one, or the same, and
        makes no second book.
        """
        assert rendered.work_key is not None and self.runner is not None
        # Books mirror their inputs' folders: a copy of the work elsewhere has its own book.
        owners = manifest.by_work(rendered.work_key, folder_of(item.rel))
        owners.pop(item.rel, None)
        if not owners:
            return rendered
        rows = next(iter(owners.values()))
        try:
            item.hash, data = hash_file(item.path)
        except OSError as err:
            self._failed(item, f"cannot read input: {item.rel}: {err.strerror or err}")
            return rendered
        old = before(self.config.output, rows, item.hash)
        again = self.runner.submit(data, item.rel, item.formats, old).result()
        if again.error is not None:
            return again
        if again.update is None:  # not the same work after all (check_same_work decides)
            return rendered
        owner, news = rows[0].input, again.update
        still_there = present(self.config.source, owner)
        if still_there and (news.removed or not (news.added or news.changed)):
            manifest.supersede(Superseded(item.rel, item.hash, item.size, item.mtime_ns, owner))
            note = superseded_note(owner)
            books = tuple(row.output for row in rows)
            item.outcome = Outcome(item.rel, InputStatus.SKIPPED, books, note=note)
            return again
        item.replaces = rows[0]
        for row in rows:
            item.previous[row.format] = row.output
            item.state.taken.discard(self.config.output / row.output)
        return again

    def write_books(self, item: _Planned, rendered: Rendered, manifest: Manifest) -> Outcome:
        output = self.config.output
        if rendered.error is not None:
            return Outcome(
                item.rel,
                InputStatus.FAILED,
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
                # --name may add folders: they sit inside the input's mirror folder.
                named = book_path(self.config.options.name, dict(rendered.fields), suffix)
                target = unique_path(out_dir / named.parent, named.name, item.state.taken)
                if target.is_dir():
                    raise OutputError(f"{target}: is a directory")
                if target.parent != out_dir and target.parent not in self.cleaned:
                    remove_stale(target.parent)  # what a killed run left in --name's folders
                    self.cleaned.add(target.parent)
                write_bytes_atomically(data, target)
                item.state.taken.add(target)
                relative = target.relative_to(output).as_posix()
                written[fmt] = relative
                records.append(
                    BookRecord(
                        *(item.rel, fmt, item.hash, item.size, item.mtime_ns, self.fingerprint),
                        *(relative, rendered.work_key, rendered.state),
                    )
                )
                self.summary.books_written += 1
                old = item.previous.get(fmt)
                if old is not None and old != relative and output / old not in item.state.taken:
                    # The work's title changed: its old book would be a stale duplicate.
                    with contextlib.suppress(OSError):
                        (output / old).unlink()
                        _remove_empty_folders((output / old).parent, out_dir)
        except Fic2BookError as err:
            error = f"{err.label}: {one_line(err)}"
        finally:
            if records:
                self.record(item, records, rendered.seconds, manifest)
        outputs = tuple(sorted({**item.kept, **written}.values()))
        # The work's own time: parsing and rendering on the worker, writing here.
        seconds = rendered.seconds + time.perf_counter() - writing
        if error is not None:
            return Outcome(item.rel, InputStatus.FAILED, outputs, error, seconds)
        return _written(item, rendered, outputs, seconds)

    def record(
        self, item: _Planned, records: list[BookRecord], seconds: float, manifest: Manifest
    ) -> None:
        """Record the books written; an older download they took over is superseded."""
        was = item.replaces
        manifest.record(records, seconds, None if was is None else was.input)
        if was is not None and present(self.config.source, was.input):
            # The older download stays in the folder: it must make no second book.
            manifest.supersede(Superseded(was.input, was.hash, was.size, was.mtime_ns, item.rel))

    def emit(self, outcome: Outcome) -> None:
        self.summary.count(outcome)
        if self.report is not None:
            self.report.add(outcome)
        self.display.update(outcome, self.summary)

    # -- the loop -------------------------------------------------------------------------

    def submit(self, item: _Planned, runner: Runner) -> None:
        try:
            digest, data = hash_file(item.path)
        except OSError as err:
            self._failed(item, f"cannot read input: {item.rel}: {err.strerror or err}")
            return
        # The manifest records the hash of exactly the bytes converted.
        item.hash = digest
        # The relative path names the work in error messages; its last part is the file name.
        item.handle = runner.submit(
            data, item.rel, item.formats, before(self.config.output, item.rows, digest)
        )

    def run(self, runner_factory: Callable[[], Runner]) -> Summary:
        config = self.config
        started = time.perf_counter()
        skip = os.stat(config.output)
        self.summary.total = sum(
            len(folder.names) + (folder.error is not None)
            for folder in walk(config.source, skip, self.suffixes)
        )
        if config.report is not None:
            self.report = ReportWriter(config.report, config)
        pending: deque[_Planned] = deque()
        in_flight = 0
        runner: Runner | None = None
        try:
            with Manifest(config.output, rebuild=config.force) as manifest:
                self.display.start(self.summary.total)
                try:
                    for folder in walk(config.source, skip, self.suffixes):
                        if folder.error is not None:
                            self.emit(
                                Outcome(folder.rel or ".", InputStatus.FAILED, error=folder.error)
                            )
                            continue
                        for item in self.plan_folder(folder, manifest):
                            if item.outcome is None:
                                if runner is None:
                                    runner = self.runner = runner_factory()
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

    def make_runner() -> Runner:
        if config.scheduler:
            return DaskRunner(config.scheduler, config.from_format, config.options)
        return LocalRunner(jobs, config.from_format, config.options)

    return batch.run(make_runner)
