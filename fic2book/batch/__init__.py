"""Convert a whole folder tree of works: in parallel, incrementally, and safely interrupted.

``fic2book batch library/ -o books/`` walks ``library/`` (sorted, not following symlinked
folders, skipping hidden names and the output folder), takes every file a registered reader
claims by suffix, and mirrors its folder under ``books/``.  A symlinked file that leads out of
``library/`` is skipped with a warning unless ``--follow-symlinks`` is given: batch reads
nothing outside the folder it was given, and deletes or overwrites nothing outside ``-o``
whatever the manifest says (:func:`fic2book.batch.manifest.confined_output`).

The parent process reads each input, hashes it and decides whether its books are up to date
(:mod:`~fic2book.batch.manifest`); the rest go to workers as *bytes*
(:mod:`~fic2book.batch.job`), and the workers send back the books as bytes.  Workers are a
local process pool or, with ``--scheduler``, a Dask cluster (:mod:`~fic2book.batch.runners`),
so workers need no shared file system.  The parent alone names and writes books and records
them in the manifest (:mod:`~fic2book.batch.run`).  Memory stays flat: folders are streamed
(:mod:`~fic2book.batch.discover`), at most a small window of works is in flight, the report is
written as it goes (:mod:`~fic2book.batch.report`), and local workers are replaced after a
fixed number of works.  Progress is shown by :mod:`~fic2book.batch.display`.

A newer download of a work already built (the same AO3 work ID or URL, under the same name or
another) rebuilds that book with its new chapters marked and its update log extended
(:mod:`~fic2book.batch.works`, through :mod:`fic2book.update`).
"""

from __future__ import annotations

from fic2book.batch.config import BatchConfig
from fic2book.batch.discover import input_suffixes
from fic2book.batch.display import Display, PlainDisplay, RichDisplay, print_summary
from fic2book.batch.fingerprint import fingerprint
from fic2book.batch.job import Rendered, pack_options, render_job
from fic2book.batch.manifest import MANIFEST_NAME
from fic2book.batch.outcome import InputStatus, Outcome, Summary
from fic2book.batch.run import run_batch
from fic2book.batch.runners import default_jobs

__all__ = [
    "MANIFEST_NAME",
    "BatchConfig",
    "Display",
    "InputStatus",
    "Outcome",
    "PlainDisplay",
    "Rendered",
    "RichDisplay",
    "Summary",
    "default_jobs",
    "fingerprint",
    "input_suffixes",
    "pack_options",
    "print_summary",
    "render_job",
    "run_batch",
]
