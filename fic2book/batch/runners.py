"""Where the worker job runs: a local pool of processes, or a Dask cluster.

Both take a work's bytes and give back a handle whose ``result()`` is the
:class:`~fic2book.batch.job.Rendered` books; the parent keeps a window of works in flight.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Protocol

from fic2book.batch.job import Rendered, one_line, pack_options, render_job
from fic2book.errors import BackendUnavailableError
from fic2book.options import RenderOptions

if TYPE_CHECKING:
    from fic2book.batch.works import Before

#: Works a local worker process converts before it is replaced (bounds slow leaks in native
#: libraries such as WeasyPrint's; replacement is cheap with the forkserver).
TASKS_PER_WORKER = 500
#: Works in flight per worker: enough to hide the parent's reading and writing.
WINDOW_PER_WORKER = 4


class Handle(Protocol):
    """A work in flight."""

    def result(self) -> Rendered:
        """Wait for the books (never raises: a failure is a :class:`Rendered` error)."""
        ...


class Runner(Protocol):
    """Where :func:`render_job` runs: a local pool or a Dask cluster."""

    #: How many works to keep in flight.
    window: int

    def submit(
        self,
        data: bytes,
        name: str,
        formats: tuple[str, ...],
        previous: Before | None = None,
    ) -> Handle:
        """Start converting one work (``previous``: see :func:`render_job`)."""
        ...

    def close(self, cancel: bool) -> None:
        """Stop the workers (dropping queued works when ``cancel``)."""
        ...


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides how to stop, and a
    # worker finishing its current work is part of stopping cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: Longest Unix socket path, in bytes with its final NUL (108 on Linux, 104 on macOS and BSD).
_SOCKET_PATH_MAX = 104
#: What multiprocessing adds to the temporary folder for the forkserver's socket
#: ("/pymp-XXXXXXXX/listener-XXXXXXXX"), with room to spare.
_SOCKET_NAME_ROOM = 40


def _socket_fits(folder: str) -> bool:
    """Whether the forkserver can bind its socket under ``folder`` (``TMPDIR``)."""
    return len(os.fsencode(folder)) + _SOCKET_NAME_ROOM < _SOCKET_PATH_MAX


class _LocalHandle:
    def __init__(
        self,
        runner: LocalRunner,
        data: bytes,
        name: str,
        formats: tuple[str, ...],
        previous: Before | None,
    ) -> None:
        self.runner, self.data, self.name, self.formats = runner, data, name, formats
        self.previous = previous
        self.retried = False
        self.generation = runner.generation
        self.future: Future[Rendered] = runner.pool.submit(
            render_job, data, name, runner.from_format, formats, runner.options, previous
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
                self.previous,
            )
            return self.result()


class LocalRunner:
    """A pool of worker processes on this machine, forked from a preloaded forkserver."""

    def __init__(self, jobs: int, from_format: str | None, options: RenderOptions) -> None:
        import multiprocessing

        self.jobs, self.from_format, self.options = jobs, from_format, options
        self.window = jobs * WINDOW_PER_WORKER
        # forkserver: workers fork from a server that imported fic2book and ebooklib once, so
        # starting (and replacing) a worker costs milliseconds, and no worker inherits the
        # parent's threads (the progress bar's) as a plain fork would.  Its socket lives in the
        # temporary folder, whose path may be too long for one: then spawn (slower to start a
        # worker, as safe).
        self._context: multiprocessing.context.BaseContext
        if _socket_fits(tempfile.gettempdir()):
            forkserver = multiprocessing.get_context("forkserver")
            forkserver.set_forkserver_preload(["fic2book.batch.job", "ebooklib.epub"])
            self._context = forkserver
        else:
            self._context = multiprocessing.get_context("spawn")
        self.generation = 0
        self._submitted = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=self._context, initializer=_worker_init
        )

    def submit(
        self,
        data: bytes,
        name: str,
        formats: tuple[str, ...],
        previous: Before | None = None,
    ) -> _LocalHandle:
        """Queue one work, replacing the pool after :data:`TASKS_PER_WORKER` works each."""
        if self._submitted >= TASKS_PER_WORKER * self.jobs:
            # Workers are replaced pool by pool; the old pool finishes its queue on its own
            # (max_tasks_per_child has a deadlock on Python 3.11 when a worker exits).
            self.pool.shutdown(wait=False)
            self.pool, self._submitted = self._new_pool(), 0
            self.generation += 1
        self._submitted += 1
        return _LocalHandle(self, data, name, formats, previous)

    def replace_broken(self, generation: int) -> None:
        """Start a fresh pool if the one of ``generation`` is still the current one."""
        if generation == self.generation:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool, self._submitted = self._new_pool(), 0
            self.generation += 1

    def close(self, cancel: bool) -> None:
        """Shut the pool down, waiting for the works in hand."""
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _DaskHandle:
    def __init__(self, future: Any) -> None:
        self.future = future

    def result(self) -> Rendered:
        try:
            rendered = self.future.result()
        except Exception as err:
            # KilledWorker, a worker without fic2book installed, a lost connection...
            return Rendered(error=f"dask: {type(err).__name__}: {one_line(err)}")
        finally:
            self.future.release()
        if not isinstance(rendered, Rendered):
            return Rendered(error=f"dask: unexpected result {type(rendered).__name__}")
        return rendered


class DaskRunner:
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
                f"cannot reach the Dask scheduler at {address}: {one_line(err)}"
            ) from err
        self.from_format = from_format
        threads = sum(self.client.nthreads().values()) or 1
        self.window = max(threads * WINDOW_PER_WORKER, 8)
        # The options and their files are sent to every worker once, not with each work.
        self.options = self.client.scatter(pack_options(options), broadcast=True, hash=False)

    def submit(
        self,
        data: bytes,
        name: str,
        formats: tuple[str, ...],
        previous: Before | None = None,
    ) -> _DaskHandle:
        """Send one work to the cluster."""
        return _DaskHandle(
            self.client.submit(
                render_job,
                data,
                name,
                self.from_format,
                formats,
                self.options,
                previous,
                pure=False,
            )
        )

    def close(self, cancel: bool) -> None:
        """Disconnect from the cluster."""
        with contextlib.suppress(Exception):
            self.client.close()


def default_jobs() -> int:
    """One worker per core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
