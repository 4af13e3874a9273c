"""What ``fic2book batch`` was asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fic2book.options import RenderOptions


@dataclass(frozen=True)
class BatchConfig:
    """Everything ``fic2book batch`` was asked to do."""

    source: Path
    output: Path
    formats: tuple[str, ...] = ("epub",)
    options: RenderOptions = field(default_factory=RenderOptions)
    #: ``--from``: read every input with this reader (and take only its suffixes).
    from_format: str | None = None
    #: ``-j``: local worker processes; 0 means one per available core.
    jobs: int = 0
    #: ``--force``: rebuild books even when the manifest says they are up to date.
    force: bool = False
    #: ``--scheduler``: a Dask scheduler address; ``None`` runs a local process pool.
    scheduler: str | None = None
    #: ``--report``: where to write the JSON report.
    report: Path | None = None
    #: ``--follow-symlinks``: read symlinked files that lead out of the input folder.
    follow_symlinks: bool = False
