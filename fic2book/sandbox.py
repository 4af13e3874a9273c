"""The process sandbox: one work's conversion in a forked child with a time and a memory limit.

Reading, cleaning, typesetting, drawing the cover and laying out the PDF can each be driven
into super-linear time or memory by a hostile input (a YAML alias bomb, millions of tiny
paragraphs, pathological CSS in C code such as Pango).  A child process is the one sound way
to stop C code mid-call, and it leaves the caller's memory untouched: :func:`run_limited`
forks, caps the child's address space with ``RLIMIT_AS`` (``--max-memory``), kills it when
the wall-clock time runs out (``--timeout``), and pickles back the task's result or the
exception it raised, with the log records it emitted meanwhile.

Hitting a limit is always one :class:`~fic2book.errors.RenderError` line naming the limit:
an allocation that fails raises ``MemoryError`` (or, from C extensions that do not check,
``SystemError`` or a signal), and whatever the child printed to standard error meanwhile
(``Exception ignored in ...`` noise from destructors that could not allocate) is dropped
when, and only when, the child ran out of memory.

A task started inside a sandboxed child runs inline: the outer limits are already in force,
and a second fork would only double the cost.  Where ``os.fork`` does not exist (Windows) a
task runs in-process without the two limits.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import pickle
import selectors
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from typing import TypeVar, cast

from fic2book.errors import RenderError
from fic2book.progress import listening, report
from fic2book.units import human_size

T = TypeVar("T")

#: Set in a sandboxed child: nested :func:`run_limited` calls run inline there.
_INSIDE = False
#: A failure after the child's address space reached this share of ``--max-memory`` is
#: reported as the memory limit.
_NEAR_THE_CAP = 0.9
#: Memory the child sets aside and frees when it runs out, to report that it did.
_RESERVE_BYTES = 4 * 1024 * 1024


def inside_sandbox() -> bool:
    """Whether this process is a sandboxed child (its limits already apply)."""
    return _INSIDE


def run_limited(
    task: Callable[[], T],
    *,
    timeout: float | None,
    max_memory: int | None,
    what: str,
) -> T:
    """Run ``task`` in a forked child under a wall-clock ``timeout`` and an address-space cap.

    Returns what ``task`` returned (it must pickle); an exception it raised is raised here.
    Running out of time or memory raises :class:`RenderError` whose one line starts with
    ``what`` ("converting work.html") and names the option.  With neither limit, inside a
    sandboxed child already, or without ``fork``, ``task`` runs in this process.
    """
    if not (timeout or max_memory) or _INSIDE or not hasattr(os, "fork"):
        return task()
    read_end, write_end = os.pipe()
    stages_read, stages_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its exit status is checked by the parent
        os.close(read_end)
        os.close(stages_read)
        _child(task, write_end, stages_write, max_memory)
    os.close(write_end)
    os.close(stages_write)
    try:
        payload, status = _wait(pid, read_end, stages_read, timeout, what)
    finally:
        os.close(read_end)
        os.close(stages_read)
    return cast(T, _finish(payload, status, max_memory, what))


def _memory_error(max_memory: int | None, what: str) -> RenderError:
    return RenderError(
        f"{what} needed more than {human_size(max_memory or 0)} of memory (--max-memory)"
    )


def _finish(payload: bytes, status: int, max_memory: int | None, what: str) -> object:
    """Replay a finished child's log records, then return its result or raise its error."""
    if not payload:
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if max_memory:
                # C libraries abort when an allocation fails (GLib raises SIGTRAP or SIGABRT),
                # so a child killed by a signal under a memory cap most likely hit it.
                raise _memory_error(max_memory, what)
            raise RenderError(f"{what} was stopped by signal {signal.Signals(number).name}")
        if max_memory:  # it could not even report: out of memory
            raise _memory_error(max_memory, what)
        raise RenderError(
            f"{what} failed in a child process (exit status {os.WEXITSTATUS(status)})"
        )
    ok, value, records = pickle.loads(payload)
    # The child's warnings (refused URLs, missing fonts) reach this process's handlers.
    for record in records:
        logging.getLogger(record.name).handle(record)
    if ok:
        return value
    error = pickle.loads(value)
    if isinstance(error, MemoryError):  # the child tells (see _out_of_memory)
        raise _memory_error(max_memory, what)
    raise error


def _child(
    task: Callable[[], object], write_end: int, stages_write: int, max_memory: int | None
) -> None:  # pragma: no cover - runs in the forked child
    """Run ``task`` and leave through ``os._exit``: a child must never return into the caller.

    Progress stages it reports (:func:`fic2book.progress.report`) go to the parent through
    ``stages_write``, one line each, where the parent's listener shows them.
    """
    code = 0
    records, stderr = _enter_child()
    peak_before = _peak_address_space()
    reserve: bytearray | None = bytearray(_RESERVE_BYTES)
    out_of_memory = False
    try:
        _cap_memory(max_memory)
        with listening(lambda stage: _send_stage(stages_write, stage)):
            result = task()
        payload = _report(True, result, records)
    except BaseException as err:  # every failure goes back to the parent
        reserve = None  # room to report
        out_of_memory = _out_of_memory(err, max_memory, peak_before)
        code = 1
        error = pickle.dumps(MemoryError()) if out_of_memory else _pickle_error(err)
        payload = _report(False, error, records)
    del reserve
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:
        code = 1
    finally:
        # Noise from destructors that could not allocate is dropped with the memory error.
        _release_stderr(stderr, drop=out_of_memory or not payload)
        # _exit: no atexit handlers, no flushing of the parent's buffers a second time.
        os._exit(code)


def _enter_child() -> tuple[list[logging.LogRecord], tuple[int, int] | None]:
    """Make this forked process a sandboxed child: collected logs, captured standard error.

    Log records go back to the parent, which emits them through its own handlers; the
    inherited handlers are removed so nothing is printed twice.  Returns the list the records
    are collected in and the standard error capture (:func:`_capture_stderr`).
    """
    global _INSIDE
    _INSIDE = True
    records: list[logging.LogRecord] = []
    for logger in (logging.getLogger(), *logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            logger.handlers = []
    logging.getLogger().addHandler(_Collector(records))
    return records, _capture_stderr()


def _cap_memory(max_memory: int | None) -> None:
    """Cap this process's address space at ``max_memory`` bytes (``None``/``0``: no cap)."""
    if max_memory:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _send_stage(stages_write: int, stage: str) -> None:
    """Pass a progress stage to the parent (a parent gone or not reading is no error)."""
    with contextlib.suppress(OSError):
        os.write(stages_write, " ".join(stage.split()).encode("utf-8", "replace")[:200] + b"\n")


def _out_of_memory(err: BaseException, max_memory: int | None, peak_before: int) -> bool:
    """Whether ``err``, or an error it was raised from, means an allocation failed.

    Under an address-space cap that is more than ``MemoryError``: C extensions that do not
    check an allocation raise ``SystemError`` ("error return without exception set"), the
    loader cannot map a shared library ("failed to map segment from shared object"), and a
    system call fails with ``ENOMEM``.  ``peak_before`` is the peak address space before the
    task began (a child inherits its parent's): only a peak the task itself raised counts.
    """
    if max_memory and peak_before >= max_memory * _NEAR_THE_CAP:
        # The child began at the cap (its parent had already mapped that much): nothing it
        # tried could allocate, so whatever failed, failed for want of memory.
        return True
    peak = _peak_address_space() if max_memory else 0
    if max_memory and peak > peak_before and peak >= max_memory * _NEAR_THE_CAP:
        # Whatever the error says: libxml2 reports a failed allocation as a parse error
        # ("unknown error"), and a reader may turn that into a message about the input.
        return True
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MemoryError):
            return True
        if max_memory:
            text = str(current).lower()
            if isinstance(current, SystemError):
                return True
            if isinstance(current, OSError) and current.errno == errno.ENOMEM:
                return True
            if isinstance(current, ImportError | OSError) and (
                "failed to map" in text or "cannot allocate memory" in text
            ):
                return True
        current = current.__cause__ or current.__context__
    return False


def _peak_address_space() -> int:
    """The most address space this process has mapped, in bytes (0 when unknown).

    ``VmPeak`` on Linux, which ``RLIMIT_AS`` bounds; elsewhere the peak resident size.
    """
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except (ImportError, OSError):
        return 0


def _report(ok: bool, value: object, records: list[logging.LogRecord]) -> bytes:
    """The child's report: the result (or pickled error) and the records that can travel."""
    portable = [record for record in records if _portable(record)]
    try:
        return pickle.dumps((ok, value, portable), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return b""  # the parent reads an empty report under a memory cap as the cap
    except Exception as err:  # an unpicklable result is a bug: report it as one
        if not ok:
            raise
        error = _pickle_error(TypeError(f"the result cannot be sent back: {err}"))
        return pickle.dumps((False, error, portable))


def _capture_stderr() -> tuple[int, int] | None:
    """Send this process's standard error to a temporary file; ``(saved, file)`` descriptors.

    ``sys.stderr`` and ``sys.stdout`` become new file objects: another thread of the parent
    (a progress display) may have held the old ones' locks when this process was forked,
    and nothing in the child would ever release them.
    """
    try:
        saved = os.dup(2)
        with tempfile.TemporaryFile() as handle:
            captured = os.dup(handle.fileno())
        os.dup2(captured, 2)
        sys.stderr = open(os.dup(2), "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
        sys.stdout = open(os.dup(1), "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    except (OSError, ValueError):
        return None
    return saved, captured


def _release_stderr(stderr: tuple[int, int] | None, drop: bool) -> None:
    """Put back standard error and copy to it what was captured, unless ``drop``."""
    if stderr is None:
        return
    _pass_on_stderr(stderr, drop)
    with contextlib.suppress(OSError):
        os.dup2(stderr[0], 2)


def _pass_on_stderr(stderr: tuple[int, int] | None, drop: bool) -> None:
    """Copy what was captured to the real standard error (unless ``drop``) and start afresh."""
    if stderr is None:
        return
    saved, captured = stderr
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        if not drop:
            os.lseek(captured, 0, os.SEEK_SET)
            while chunk := os.read(captured, 65536):
                os.write(saved, chunk)
        os.ftruncate(captured, 0)
        os.lseek(captured, 0, os.SEEK_SET)


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
    except Exception:  # a record that cannot cross the pipe is dropped, not the work
        return False
    return True


def _pickle_error(err: BaseException) -> bytes:
    """The exception, pickled; an unpicklable one becomes a RuntimeError with the traceback."""
    if isinstance(err, MemoryError):
        return pickle.dumps(MemoryError())
    try:
        text = "".join(traceback.format_exception(err))
    except Exception:  # a broken __str__, say
        text = type(err).__name__
    try:
        err.add_note(f"(raised in a sandboxed child process)\n{text}")
        payload = pickle.dumps(err)
        pickle.loads(payload)  # an exception whose __init__ takes other arguments fails here
        return payload
    except MemoryError:
        return pickle.dumps(MemoryError())
    except Exception:  # any pickling problem means: send the text instead
        return pickle.dumps(RuntimeError(f"failed in a sandboxed child process:\n{text}"))


def _ready(descriptors: list[int], timeout: float | None) -> list[int]:
    """Which of ``descriptors`` can be read within ``timeout`` seconds (``None``: no limit).

    ``selectors`` rather than ``select.select``: a server with many connections open hands out
    descriptors above 1,023, which ``select`` refuses.
    """
    with selectors.DefaultSelector() as selector:
        for descriptor in descriptors:
            selector.register(descriptor, selectors.EVENT_READ)
        return [key.fd for key, _ in selector.select(timeout)]


def _wait(
    pid: int, read_end: int, stages_read: int, timeout: float | None, what: str
) -> tuple[bytes, int]:
    """Collect the child's report and exit status; kill it when ``timeout`` runs out.

    Meanwhile the progress stages the child sends are reported in this process.
    """
    deadline = time.monotonic() + timeout if timeout else None
    chunks: list[bytes] = []
    watched = [read_end, stages_read]
    finished = False
    try:
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise RenderError(f"{what} took longer than {timeout:g} s (--timeout)")
            ready = _ready(watched, remaining)
            if stages_read in ready:
                stages = os.read(stages_read, 65536)
                if not stages:
                    watched.remove(stages_read)
                for line in stages.decode("utf-8", "replace").splitlines():
                    report(line)
            if read_end not in ready:
                continue
            chunk = os.read(read_end, 1 << 20)
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
