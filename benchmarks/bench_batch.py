"""Time ``fic2book batch`` on a folder of generated works: local process pool, then Dask.

Generates ``--works`` works of ``--words`` words (seeded, see :mod:`benchmarks.generate`) in a
temporary folder and converts them to EPUB three ways, each from scratch (``--force``):

* ``cli``: ``python -m fic2book batch`` in a subprocess, start-up and imports included;
* ``pool``: :func:`fic2book.batch.run_batch` with ``-j`` local worker processes;
* ``dask``: the same against a local Dask cluster of ``-j`` single-threaded worker processes
  on 127.0.0.1 (skipped when ``distributed`` is not installed).

The issue's target is at least 40 works per second on a 2-core machine::

    python -m benchmarks.bench_batch [--works 300] [--words 5000] [-j 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import generate
from fic2book.batch import BatchConfig, Summary, default_jobs, run_batch
from fic2book.options import RenderOptions

ROOT = Path(__file__).resolve().parent.parent


def make_library(folder: Path, works: int, words: int) -> None:
    """Write ``works`` generated works, ten per sub-folder, each with its own title."""
    for index in range(works):
        text = generate(words, max(words // 1000, 1), seed=index)
        text = text.replace("Title: Generated Work", f"Title: Work {index:04d}, Generated", 1)
        sub = folder / f"shelf-{index // 10:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"work-{index:04d}.txt").write_text(text, encoding="utf-8")


def timed(config: BatchConfig) -> tuple[float, Summary]:
    """Run the batch; return its wall time and summary."""
    start = time.perf_counter()
    summary = run_batch(config)
    return time.perf_counter() - start, summary


def run_cli(library: Path, output: Path, jobs: int, extra: list[str]) -> float:
    """Run the command in a subprocess; return its wall time."""
    command = [sys.executable, "-m", "fic2book", "batch", str(library), "-o", str(output)]
    command += ["-j", str(jobs), "--force", "-q", *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1700000000")
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    return time.perf_counter() - start


def line(label: str, works: int, seconds: float, summary: Summary | None = None) -> None:
    """Print one result row."""
    failed = f"  failed {summary.failed}" if summary is not None and summary.failed else ""
    print(f"{label:<6}{seconds:>9.2f} s{works / seconds:>10.1f} works/s{failed}", flush=True)


def main() -> None:
    """Generate the library and time each way of converting it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=300)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("-j", "--jobs", type=int, default=default_jobs())
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--no-cover", action="store_true", help="skip the generated cover")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fic2book-bench-batch-") as folder:
        root = Path(folder)
        library = root / "library"
        make_library(library, args.works, args.words)
        print(f"{args.works} works of {args.words:,} words, -j {args.jobs}, EPUB")
        extra = ["--no-cover"] if args.no_cover else []
        line("cli", args.works, run_cli(library, root / "cli", args.jobs, extra))
        no_cover: dict[str, Any] = {"no_cover": True} if args.no_cover else {}
        options = RenderOptions(**no_cover)
        config = BatchConfig(library, root / "pool", ("epub",), options, jobs=args.jobs, force=True)
        seconds, summary = timed(config)
        line("pool", args.works, seconds, summary)
        if args.no_dask:
            return
        if importlib.util.find_spec("distributed") is None:
            print("dask  skipped (pip install 'fic2book[dask]')")
            return
        distributed: Any = __import__("distributed")
        with distributed.LocalCluster(
            n_workers=args.jobs,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            config = BatchConfig(
                library,
                root / "dask",
                ("epub",),
                options,
                force=True,
                scheduler=cluster.scheduler_address,
            )
            seconds, summary = timed(config)
            line("dask", args.works, seconds, summary)


if __name__ == "__main__":
    main()
