"""Progress of one conversion: stages reported by the library, shown by the command line.

The library reports what it is doing with :func:`report` ("Writing the EPUB", "Laying out the
PDF"); without a listener that costs a context-variable lookup and shows nothing, so library
callers and batch workers are unaffected.  ``fic2book convert`` on a terminal listens with a
:class:`StageDisplay`: a Rich spinner with the stage and the time spent, which appears only
once a book has taken about a second (a short book finishes without any) and disappears when
the book is written.

WeasyPrint lays a book out in a child process under the ``--timeout`` and ``--max-memory``
limits and offers no public per-page callback, so the PDF is one stage, not a page count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

_LISTENER: ContextVar[Callable[[str], None] | None] = ContextVar("fic2book_progress", default=None)


def report(stage: str) -> None:
    """Tell whoever listens (see :func:`listening`) that ``stage`` has begun."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(stage)


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Send every :func:`report` made inside, in this thread or context, to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


class StageDisplay:
    """A transient Rich spinner with the current stage, shown after ``delay`` seconds.

    Use as a context manager around one book, and pass :meth:`stage` to :func:`listening`.
    With ``delay`` 0 it is shown at once.
    """

    def __init__(self, console: Console, title: str, delay: float = 1.0) -> None:
        self._console = console
        self._title = title
        self._stage = "Reading"
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._closed = False
        self._delay = delay
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def __enter__(self) -> StageDisplay:
        if self._delay > 0:
            self._timer.start()
        else:
            self._show()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._progress is not None:
                self._progress.stop()

    def _description(self) -> str:
        return f"{self._title}: {self._stage}"

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            self._progress = Progress(
                SpinnerColumn(),
                # The title comes from a file name: never read as Rich markup.
                TextColumn("{task.description}", markup=False),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._progress.add_task(self._description(), total=None)
            self._progress.start()

    def stage(self, stage: str) -> None:
        """Show ``stage`` from now on."""
        with self._lock:
            self._stage = stage
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, description=self._description())
