"""Time converting one long work (150k words, 40 chapters) to EPUB and to PDF.

Each conversion runs in a fresh ``python -m fic2book`` subprocess (so start-up and imports
count, as they do for a user); the table shows the median wall time of three runs and the
largest peak RSS among them::

    python -m benchmarks.bench_single [--words 150000] [--chapters 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import generate

ROOT = Path(__file__).resolve().parent.parent


def run_once(source: Path, fmt: str, out: Path) -> tuple[float, int]:
    """Convert once in a subprocess; return (seconds, peak RSS in KiB of that child)."""
    # ru_maxrss of RUSAGE_CHILDREN is the maximum over all children waited for so far, so run
    # each conversion through a fresh intermediate process and read its own children's peak.
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [sys.executable, "-m", "fic2book", "convert", str(source), "--to", fmt, "-o"]
    command.append(str(out / f"book.{fmt}"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1700000000")
    result = subprocess.run(
        [sys.executable, "-c", probe, *command, "-q"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    seconds, rss = result.stdout.split()
    return float(seconds), int(rss)


def main() -> None:
    """Generate the work, time each format and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="epub,pdf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fic2book-bench-") as folder:
        out = Path(folder)
        source = out / "generated.txt"
        source.write_text(generate(args.words, args.chapters), encoding="utf-8")
        print(
            f"work: {args.words:,} words, {args.chapters} chapters, {source.stat().st_size:,} bytes"
        )
        header = ("format", "median s", "min s", "max s", "peak RSS MiB", "size KiB")
        print(f"{header[0]:<8}" + "".join(f"{h:>{len(h) + 3}}" for h in header[1:]))
        for fmt in args.formats.split(","):
            times: list[float] = []
            peaks: list[int] = []
            for _ in range(args.runs):
                seconds, rss = run_once(source, fmt, out)
                times.append(seconds)
                peaks.append(rss)
            size = (out / f"book.{fmt}").stat().st_size
            print(
                f"{fmt:<8}{statistics.median(times):>11.2f}{min(times):>8.2f}{max(times):>8.2f}"
                f"{max(peaks) / 1024:>15.1f}{size / 1024:>11.0f}"
            )


if __name__ == "__main__":
    main()
