"""Limits that keep a hostile or broken input from exhausting the machine.

Three bounds, each an option of ``convert`` and ``batch`` (see ``docs/security.md``):

* ``--max-input-size`` (default 64 MiB): a larger input file is refused before any reader
  sees it (:func:`check_input_size`).  A novel-length work is a few MiB even with pictures;
  EPUB members are capped separately when unpacked (``fic2book/readers/epub.py``).
* ``--timeout`` (default 600 s) and ``--max-memory`` (default 4 GiB of address space): each
  book is rendered in a forked child process (:func:`run_limited`) whose address space is
  capped with ``RLIMIT_AS`` and which is killed when the wall-clock time runs out.  Layout
  engines (WeasyPrint above all) can be driven into super-linear time or memory by pathological
  markup and CSS; a child process is the one sound way to stop C code (Pango, HarfBuzz)
  mid-call, and it leaves the caller's memory untouched.  The child writes the book to the
  temporary file the pipeline gave it and reports only an exception back through a pipe, so
  the cost is one ``fork`` per book (a few milliseconds).  ``convert`` forks the PDF's child
  before it reads the work (:class:`Prestarted`), so the child imports WeasyPrint meanwhile;
  it then gets the book through a pipe and runs under the same bounds.

Where ``os.fork`` does not exist (Windows) books are rendered in-process without these two
bounds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from fic2book.errors import InputError, RenderError, UsageError

#: Default of ``--max-input-size``: larger input files are refused.
DEFAULT_MAX_INPUT_SIZE = 64 * 1024 * 1024
#: Default of ``--timeout``: seconds one book may take to render.
DEFAULT_TIMEOUT = 600.0
#: Default of ``--max-memory``: the address space a rendering process may map.  Generous,
#: because address space is not resident memory: Python, Pango and the fonts map ~1 GiB
#: before a page is laid out.
DEFAULT_MAX_MEMORY = 4 * 1024**3

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")


def parse_size(value: str | int) -> int:
    """Bytes in a size such as ``64M``, ``64MiB``, ``1.5G``, ``500kB`` or ``1000`` (bytes).

    ``K``/``M``/``G`` alone are binary (1024-based), as in ``ulimit``; ``kB``/``MB``/``GB`` are
    decimal.  ``0`` means no limit.  Raises :class:`UsageError` for anything else.
    """
    if isinstance(value, int):
        return value
    match = _SIZE.fullmatch(value.strip().lower())
    if match is None or match[2] not in _UNITS:
        raise UsageError(f"size {value!r} needs a number and optionally K, M or G, e.g. 64M")
    return int(float(match[1]) * _UNITS[match[2]])


def parse_seconds(value: str | float) -> float:
    """Seconds in a ``--timeout`` value (``600``, ``1.5``); ``0`` means no limit."""
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"--timeout must be a number of seconds, not {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses NaN
        raise UsageError(f"--timeout must be zero or a positive number of seconds, not {value!r}")
    return seconds


def human_size(size: int) -> str:
    """``67108864`` → ``64 MiB``, for error messages."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def check_input_size(path: Path, limit: int) -> None:
    """Refuse ``path`` when it is larger than ``limit`` bytes (``0``: no limit)."""
    if not limit:
        return
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader reports a missing or unreadable file in its own words
    if size > limit:
        raise InputError(
            f"{path}: {human_size(size)} is larger than the {human_size(limit)} allowed "
            "(--max-input-size)"
        )


def check_data_size(data: bytes, name: str, limit: int) -> None:
    """Refuse an input already in memory (a batch job) when it is larger than ``limit``."""
    if limit and len(data) > limit:
        raise InputError(
            f"{name}: {human_size(len(data))} is larger than the {human_size(limit)} allowed "
            "(--max-input-size)"
        )


def run_limited(
    task: Callable[[], object],
    *,
    timeout: float | None,
    max_memory: int | None,
    what: str,
) -> None:
    """Run ``task`` in a forked child under a wall-clock ``timeout`` and an address-space cap.

    ``task``'s return value is dropped: it must leave its result in a file.  An exception it
    raises is re-raised here (pickled back through a pipe); running out of time or memory
    raises :class:`RenderError` naming ``what`` ("the PDF").  With neither limit, or without
    ``fork``, ``task`` runs in this process.
    """
    if not (timeout or max_memory) or not hasattr(os, "fork"):
        task()
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its exit status is checked by the parent
        os.close(read_end)
        _child(task, write_end, max_memory)
    os.close(write_end)
    try:
        payload, status = _wait(pid, read_end, timeout, what)
    finally:
        os.close(read_end)
    _finish(payload, status, max_memory, what)


def _finish(payload: bytes, status: int, max_memory: int | None, what: str) -> None:
    """Replay a finished child's log records and raise what it raised or how it ended."""
    error: BaseException | None = None
    if payload:
        error_bytes, records = pickle.loads(payload)
        # The child's warnings (refused URLs, missing fonts) reach this process's handlers.
        for record in records:
            logging.getLogger(record.name).handle(record)
        error = pickle.loads(error_bytes) if error_bytes else None
    if error is not None:
        # C extensions that do not check an allocation report it as a SystemError ("error
        # return without exception set"); under an address-space cap that is the cap.
        if isinstance(error, MemoryError) or (max_memory and isinstance(error, SystemError)):
            raise RenderError(
                f"rendering {what} needed more than {human_size(max_memory or 0)} of memory "
                "(--max-memory)"
            )
        raise error
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        # C libraries abort when an allocation fails (GLib raises SIGTRAP or SIGABRT), so a
        # killed child under a memory cap most likely hit it.
        hint = f"; out of memory? (--max-memory {human_size(max_memory)})" if max_memory else ""
        raise RenderError(
            f"rendering {what} was stopped by signal {signal.Signals(number).name}{hint}"
        )
    if os.WEXITSTATUS(status) != 0:
        raise RenderError(f"rendering {what} failed (exit status {os.WEXITSTATUS(status)})")


def _child(
    task: Callable[[], object], write_end: int, max_memory: int | None
) -> None:  # pragma: no cover - runs in the forked child
    """Run ``task`` and leave through ``os._exit``: a child must never return into the caller."""
    code = 0
    error = b""
    records: list[logging.LogRecord] = []
    # Log records go back to the parent, which emits them through its own handlers; the
    # inherited handlers are removed so nothing is printed twice.
    for logger in (logging.getLogger(), *logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            logger.handlers = []
    logging.getLogger().addHandler(_Collector(records))
    try:
        if max_memory:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        task()
    except BaseException as err:  # every failure goes back to the parent
        code = 1
        error = _pickle_error(err)
    try:
        portable = [record for record in records if _portable(record)]
        payload = pickle.dumps((error, portable))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        # _exit: no atexit handlers, no flushing of the parent's buffers a second time.
        os._exit(code)


class Prestarted:
    """A render child forked before its book exists, to get ready while the parent reads.

    Starting a PDF render means importing WeasyPrint (a quarter of a second), which does not
    depend on the book.  ``Prestarted(ready)`` forks at once and runs ``ready`` (the import)
    in the child while the parent reads and typesets the work; :meth:`run` then sends the
    job, and from there on the child is the one :func:`run_limited` would have forked: the
    same address-space cap, timeout, log records and pickled exceptions.  The job crosses a
    pipe, so it must be picklable: a module-level function and data arguments.  A child that
    gets no job (:meth:`close`, or the parent dies) exits without doing anything more.
    """

    def __init__(self, ready: Callable[[], object]) -> None:
        """Fork the child, which runs ``ready`` and waits for its job."""
        job_read, self._job_write = os.pipe()
        self._report_read, report_write = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # pragma: no cover - the child; it leaves through os._exit
            os.close(self._job_write)
            os.close(self._report_read)
            _prestarted_child(ready, job_read, report_write)
        os.close(job_read)
        os.close(report_write)
        self._done = False

    def run(
        self,
        task: Callable[..., object],
        *args: object,
        timeout: float | None,
        max_memory: int | None,
        what: str,
    ) -> None:
        """Have the child run ``task(*args)`` under the limits, as :func:`run_limited` does.

        The timeout counts from now, when the child has the job.
        """
        if self._done:
            raise RuntimeError("a prestarted child runs one job")
        self._done = True
        job = pickle.dumps((task, args, max_memory), protocol=pickle.HIGHEST_PROTOCOL)
        # The child reads the job once it is ready; a thread writes it, so a child that never
        # gets ready is still stopped by the timeout rather than blocking this write.
        sender = threading.Thread(target=self._send, args=(job,), daemon=True)
        sender.start()
        try:
            payload, status = _wait(self._pid, self._report_read, timeout, what)
        finally:
            os.close(self._report_read)
            sender.join()
        _finish(payload, status, max_memory, what)

    def _send(self, job: bytes) -> None:
        # A child that died (or was killed) has closed its end: its exit status tells why.
        with contextlib.suppress(OSError), os.fdopen(self._job_write, "wb") as pipe:
            pipe.write(job)

    def close(self) -> None:
        """Stop a child that will get no job (the work could not be read, say)."""
        if self._done:
            return
        self._done = True
        os.close(self._job_write)
        os.close(self._report_read)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


_LOCAL = threading.local()


@contextlib.contextmanager
def prestarted(children: dict[str, Prestarted]) -> Iterator[None]:
    """Offer ``children`` (by backend name) to :func:`take_prestarted` in this thread.

    Children nobody took are stopped on the way out.
    """
    previous = getattr(_LOCAL, "children", None)
    _LOCAL.children = children
    try:
        yield
    finally:
        _LOCAL.children = previous
        for child in children.values():
            child.close()


def take_prestarted(name: str) -> Prestarted | None:
    """The prestarted render child for backend ``name``, if :func:`prestarted` offers one."""
    children: dict[str, Prestarted] | None = getattr(_LOCAL, "children", None)
    return children.pop(name, None) if children else None


def _prestarted_child(
    ready: Callable[[], object], job_read: int, report_write: int
) -> None:  # pragma: no cover - runs in the forked child
    """Get ready, wait for the job, run it as :func:`_child` does; never returns."""
    failure: BaseException | None = None
    try:
        ready()
    except BaseException as err:  # reported with the job, where the parent expects errors
        failure = err
    with os.fdopen(job_read, "rb") as pipe:
        job = pipe.read()
    if not job:
        os._exit(0)  # no job: the parent has closed the pipe or died
    task, args, max_memory = pickle.loads(job)

    def run_job() -> None:
        if failure is not None:
            raise failure
        task(*args)

    _child(run_job, report_write, max_memory)


class _Collector(logging.Handler):
    """Keeps every log record of the child, to be sent to the parent."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        """Remember ``record``."""
        self.records.append(record)


def _portable(record: logging.LogRecord) -> bool:
    """Make ``record`` picklable in place (message formatted, traceback as text)."""
    try:
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        pickle.dumps(record)
    except Exception:  # a record that cannot cross the pipe is dropped, not the render
        return False
    return True


def _pickle_error(err: BaseException) -> bytes:
    """The exception, pickled; an unpicklable one becomes a RuntimeError with the traceback."""
    text = "".join(traceback.format_exception(err))
    if isinstance(err, MemoryError):
        return pickle.dumps(MemoryError())
    try:
        err.add_note(f"(raised while rendering in a child process)\n{text}")
        payload = pickle.dumps(err)
        pickle.loads(payload)  # an exception whose __init__ takes other arguments fails here
        return payload
    except Exception:  # any pickling problem means: send the text instead
        return pickle.dumps(RuntimeError(f"rendering failed in a child process:\n{text}"))


def _wait(pid: int, read_end: int, timeout: float | None, what: str) -> tuple[bytes, int]:
    """Collect the child's report and exit status; kill it when ``timeout`` runs out."""
    deadline = time.monotonic() + timeout if timeout else None
    chunks: list[bytes] = []
    finished = False
    try:
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise RenderError(f"rendering {what} took longer than {timeout:g} s (--timeout)")
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 65536)
            if not chunk:
                break  # end of file: the child has exited or is exiting
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        finished = True
        return b"".join(chunks), status
    finally:
        if not finished:
            # Timed out or interrupted (Ctrl-C): the child must not outlive the request.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
