"""A sandboxed child kept for job after job: the batch worker's way to bound each work cheaply.

:func:`fic2book.sandbox.run_limited` forks a fresh child per task, which then loads again
everything a conversion caches (fonts at each size, compiled templates, the readers): for a
short work that doubles the cost.  A :class:`ResidentSandbox` forks one child under the same
``RLIMIT_AS`` and sends it jobs through a pipe, so the caches live as long as the child.  The
limits stay per job: the wall-clock ``timeout`` is counted for each job and a child past it is
killed (the next job gets a fresh one), and a child that ran out of memory — or whose job took
its address space past half the cap, so that its peak no longer tells about the next job —
reports and exits, to be replaced.

A job is a module-level function and picklable arguments; its result must pickle too.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import time
from collections.abc import Callable
from typing import TypeVar, cast

from fic2book.errors import RenderError
from fic2book.progress import listening, report
from fic2book.sandbox import (
    _RESERVE_BYTES,
    _cap_memory,
    _enter_child,
    _finish,
    _out_of_memory,
    _pass_on_stderr,
    _peak_address_space,
    _pickle_error,
    _ready,
    _report,
    _send_stage,
    inside_sandbox,
)

T = TypeVar("T")

_HEADER = struct.Struct("!Q")


class ResidentSandbox:
    """One limited child process, started on the first job and reused for the next ones."""

    def __init__(self) -> None:
        """Nothing is forked until :meth:`run` needs a child."""
        self._pid = 0
        self._jobs = self._reports = self._stages = -1
        self._max_memory: int | None = None

    def run(
        self,
        function: Callable[..., T],
        *args: object,
        timeout: float | None,
        max_memory: int | None,
        what: str,
    ) -> T:
        """``function(*args)`` in the child, as :func:`~fic2book.sandbox.run_limited` runs a task.

        Returns its result or raises what it raised; a limit hit is one :class:`RenderError`
        line starting with ``what``.  Without limits, inside a sandbox already, or without
        ``fork``, the function runs in this process.
        """
        if not (timeout or max_memory) or inside_sandbox() or not hasattr(os, "fork"):
            return function(*args)
        if self._pid and self._max_memory != max_memory:
            self.close()
        job = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        for attempt in (1, 2):
            if not self._pid:
                self._start(max_memory)
            try:
                _write_frame(self._jobs, job)
                break
            except BrokenPipeError:  # the idle child was killed: one fresh try
                self.close()
                if attempt == 2:
                    raise
        try:
            frame = self._receive(timeout, what)
        except BaseException:
            self.close()  # timed out, interrupted, or the child is gone: start afresh next time
            raise
        if frame is None:  # the child died without a report (a signal, the OOM killer)
            status = self._reap()
            return cast(T, _finish(b"", status, max_memory, what))
        keep, payload = frame[:1] == b"1", frame[1:]
        if not keep:
            self._reap()
        return cast(T, _finish(payload, 0, max_memory, what))

    def close(self) -> None:
        """Stop the child, if there is one."""
        if not self._pid:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        self._reap()

    def _start(self, max_memory: int | None) -> None:
        jobs_read, self._jobs = os.pipe()
        self._reports, reports_write = os.pipe()
        self._stages, stages_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; it leaves through os._exit
            for descriptor in (self._jobs, self._reports, self._stages):
                os.close(descriptor)
            _serve(jobs_read, reports_write, stages_write, max_memory)
        for descriptor in (jobs_read, reports_write, stages_write):
            os.close(descriptor)
        self._pid, self._max_memory = pid, max_memory

    def _reap(self) -> int:
        status = 0
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(self._pid, 0)
        for descriptor in (self._jobs, self._reports, self._stages):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._pid = 0
        self._jobs = self._reports = self._stages = -1
        return status

    def _receive(self, timeout: float | None, what: str) -> bytes | None:
        """The child's next report, passing on its progress stages; ``None`` if it died."""
        deadline = time.monotonic() + timeout if timeout else None
        watched = [self._reports, self._stages]
        received = b""
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise RenderError(f"{what} took longer than {timeout:g} s (--timeout)")
            ready = _ready(watched, remaining)
            if self._stages in ready:
                stages = os.read(self._stages, 65536)
                if not stages:
                    watched.remove(self._stages)
                for line in stages.decode("utf-8", "replace").splitlines():
                    report(line)
            if self._reports not in ready:
                continue
            chunk = os.read(self._reports, 1 << 20)
            if not chunk:
                return None
            received += chunk
            if len(received) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(received)
                if len(received) >= _HEADER.size + size:
                    return received[_HEADER.size : _HEADER.size + size]


def _write_frame(descriptor: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(descriptor, view) :]


def _read_frame(descriptor: int) -> bytes | None:
    """One length-prefixed frame, blocking; ``None`` at end of file."""
    header = _read_exactly(descriptor, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return _read_exactly(descriptor, size)


def _read_exactly(descriptor: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(descriptor, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _serve(
    jobs_read: int, reports_write: int, stages_write: int, max_memory: int | None
) -> None:  # pragma: no cover - runs in the forked child
    """Run jobs until the parent closes the pipe or this child must be replaced."""
    code = 0
    records, stderr = _enter_child()
    try:
        _cap_memory(max_memory)
        while (job := _read_frame(jobs_read)) is not None:
            records.clear()
            peak_before = _peak_address_space()
            reserve: bytearray | None = bytearray(_RESERVE_BYTES)
            out_of_memory = False
            try:
                function, args = pickle.loads(job)
                with listening(lambda stage: _send_stage(stages_write, stage)):
                    payload = _report(True, function(*args), records)
            except BaseException as err:  # every failure goes back to the parent
                reserve = None
                out_of_memory = _out_of_memory(err, max_memory, peak_before)
                error = pickle.dumps(MemoryError()) if out_of_memory else _pickle_error(err)
                payload = _report(False, error, records)
            del reserve
            keep = bool(payload) and not out_of_memory
            peak = _peak_address_space()
            if max_memory and peak > peak_before and peak >= max_memory // 2:
                keep = False  # this job's peak would hide the next one's
            _pass_on_stderr(stderr, drop=out_of_memory or not payload)
            _write_frame(reports_write, (b"1" if keep else b"0") + payload)
            if not keep:
                break
    except BaseException:
        code = 1
    finally:
        os._exit(code)
