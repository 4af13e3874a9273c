"""The JSON report (``--report``), streamed as the run goes and renamed into place at the end."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from fic2book import __version__
from fic2book.batch.config import BatchConfig
from fic2book.batch.outcome import Outcome, Summary
from fic2book.errors import OutputError
from fic2book.tempfiles import create_held, remove_stale


class ReportWriter:
    """The JSON report, streamed to a temporary file and renamed into place at the end."""

    def __init__(self, path: Path, config: BatchConfig) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(path.parent)  # what a killed run left
            # The open file holds the temporary file's lock until the report is in place.
            handle, self.temp = create_held(path.parent, ".json")
        except OSError as err:
            raise OutputError(f"{path}: {err.strerror or err}") from err
        self.file = os.fdopen(handle, "w", encoding="utf-8")
        head = {
            "fic2book": __version__,
            "input_folder": str(config.source),
            "output_folder": str(config.output),
            "formats": list(config.formats),
            "scheduler": config.scheduler,
        }
        self.file.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "works": [')
        self.first = True

    def add(self, outcome: Outcome) -> None:
        """Append one input's entry."""
        self.file.write(("\n    " if self.first else ",\n    ") + _dumps(outcome.as_json()))
        self.first = False

    def finish(self, summary: Summary) -> None:
        """Write the summary and move the report into place."""
        self.file.write(("\n  " if not self.first else "") + '],\n  "summary": ')
        self.file.write(_dumps(summary.as_json()) + "\n}\n")
        try:
            self.file.flush()
            # Renamed while still open: closing first would drop the lock that tells another
            # run's clean-up the file is not debris.
            os.replace(self.temp, self.path)
        except OSError as err:
            raise OutputError(f"{self.path}: {err.strerror or err}") from err
        finally:
            self.file.close()

    def abort(self) -> None:
        """Drop the unfinished report."""
        self.file.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)
