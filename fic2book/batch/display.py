"""How a batch shows its progress: one line per input, or a Rich progress bar; the summary.

File names come from the library and are anyone's bytes: every one is printed through
:func:`fic2book.naming.shown`, so escape sequences and newlines cannot reach the terminal raw.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TextIO

from fic2book.batch.config import BatchConfig
from fic2book.batch.outcome import InputStatus, Outcome, Summary
from fic2book.naming import shown

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


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
            kind = "" if outcome.status is InputStatus.FAILED else "warning: "
            print(
                f"fic2book: {kind}{prefix} {outcome.status} {name}: {shown(outcome.error)}",
                file=sys.stderr,
            )
            if self.debug and outcome.detail:
                print(outcome.detail, file=sys.stderr, end="")
            return
        if self.quiet:
            return
        print(f"{prefix} {describe(outcome)}", file=self.out, flush=True)

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
        elif outcome.status is InputStatus.UPDATED:
            self.progress.console.print(describe(outcome))  # rare, and worth seeing
        if self.task is not None:
            self.progress.update(self.task, completed=summary.done, current="")

    def warn(self, message: str) -> None:
        """Print the warning above the bar."""
        self.progress.console.print(f"warning: {shown(message)}")

    def stop(self) -> None:
        """Leave the final bar on screen."""
        self.progress.stop()


def describe(outcome: Outcome) -> str:
    """An input's line without its ``[n/total]``: what happened, and to which books.

    ``updated: +1 chapter: wip (2).html -> Lamplighter's Round - tallowmere.epub (was
    wip.html)`` for a newer download of a work already built.
    """
    books = ", ".join(map(shown, outcome.outputs)) or "-"
    line = f"{outcome.status} {shown(outcome.input)} -> {books}"
    if outcome.status is InputStatus.UPDATED:
        line = f"{outcome.news}: {shown(outcome.input)} -> {books}"
    if outcome.replaces is not None:
        line += f" (was {shown(outcome.replaces)})"
    if outcome.note is not None:
        line += f" ({shown(outcome.note)})"
    return line


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
    # Newer downloads of works already built: their books rebuilt with the news marked.
    table.add_row("updated", str(summary.updated))
    # Up to date, or (with a warning above) a symlink leading out of the input folder.
    table.add_row("skipped", str(summary.skipped))
    table.add_row("failed", str(summary.failed))
    if summary.interrupted:
        table.add_row("not processed (interrupted)", str(summary.total - summary.done))
    table.add_row("total", str(summary.total))
    console.print(table)
    made = summary.converted + summary.updated
    rate = made / summary.seconds if summary.seconds > 0 else 0.0
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
