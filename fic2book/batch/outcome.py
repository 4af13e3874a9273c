"""What batch says about each input and the run: the status, the outcome, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fic2book.model import update_news

#: Failures kept in memory for the summary table (the report has them all).
SUMMARY_FAILURES = 20


class InputStatus(StrEnum):
    """What happened to one input."""

    CONVERTED = "converted"
    #: A newer download of a work already built: its book rebuilt with the news marked.
    UPDATED = "updated"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """The result for one input, as shown in the summary and the report."""

    #: Path relative to the input folder, ``/``-separated.
    input: str
    status: InputStatus
    #: Books relative to the output folder (for a skipped input: the existing ones).
    outputs: tuple[str, ...] = ()
    #: One line, ``label: message``, for a failure.
    error: str | None = None
    seconds: float = 0.0
    #: A traceback for ``--debug`` when the failure was a bug.
    detail: str | None = None
    #: For an update, the chapters it added, changed and removed, by name.
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: The input whose book this one took over (an older download of the same work).
    replaces: str | None = None
    #: Why an input made no book although it is fine (superseded by a newer download).
    note: str | None = None
    #: For an omnibus (``batch --combine series``), the inputs it binds, in the input folder.
    members: tuple[str, ...] = ()

    @property
    def news(self) -> str:
        """An update in words: ``updated: +1 chapter`` or ``updated: +2 chapters, 1 changed``."""
        return update_news(self.added, self.changed, self.removed)

    def as_json(self) -> dict[str, Any]:
        """The report entry."""
        entry: dict[str, Any] = {
            "input": self.input,
            "status": str(self.status),
            "outputs": list(self.outputs),
            "error": self.error,
            "seconds": round(self.seconds, 4),
        }
        if self.status is InputStatus.UPDATED:
            entry.update(
                added=list(self.added), changed=list(self.changed), removed=list(self.removed)
            )
            entry["update"] = self.news
        if self.replaces is not None or self.status is InputStatus.UPDATED:
            entry["replaces"] = self.replaces
        if self.note is not None:
            entry["note"] = self.note
        if self.members:
            entry["members"] = list(self.members)
        return entry


@dataclass
class Summary:
    """Counts for the end-of-run table and the exit code."""

    total: int = 0
    converted: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    books_written: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    #: The first :data:`SUMMARY_FAILURES` failures.
    failures: list[Outcome] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        """Count one input's outcome (and keep it among the first failures)."""
        if outcome.status is InputStatus.CONVERTED:
            self.converted += 1
        elif outcome.status is InputStatus.UPDATED:
            self.updated += 1
        elif outcome.status is InputStatus.SKIPPED:
            self.skipped += 1
        else:
            self.failed += 1
            if len(self.failures) < SUMMARY_FAILURES:
                self.failures.append(outcome)

    @property
    def done(self) -> int:
        """Inputs dealt with so far."""
        return self.converted + self.updated + self.skipped + self.failed

    def as_json(self) -> dict[str, Any]:
        """The report's summary object."""
        return {
            "total": self.total,
            "converted": self.converted,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
            "not_processed": self.total - self.done if self.interrupted else 0,
            "books_written": self.books_written,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
        }
