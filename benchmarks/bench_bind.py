"""Time ``fic2book bind`` against converting the text block alone, and imposing 500 pages.

Issue 14's targets: ``bind`` for a 150,000-word work within 1.3x of ``convert --to pdf`` of the
same work, and a 500-page PDF imposed in octavo in under 5 s on 2 cores.  Each command runs
``--runs`` times in a fresh process; the median wall time is reported::

    python -m benchmarks.bench_bind --words 150000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate


def _wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pages(pdf: Path, pages: int) -> Path:
    """A PDF of exactly ``pages`` pages made by repeating ``pdf``'s pages."""
    import pikepdf

    target = pdf.with_name(f"pages-{pages}.pdf")
    with pikepdf.open(pdf) as source, pikepdf.new() as out:
        while len(out.pages) < pages:
            out.add_pages_from(source, range(min(len(source.pages), pages - len(out.pages))))
        out.save(target)
    return target


def main() -> None:
    """Run the three commands and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    exe = [sys.executable, "-m", "fic2book"]
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        work = base / "work.txt"
        work.write_text(generate(args.words, max(1, args.words // 3750)), encoding="utf-8")
        convert = _wall([*exe, "convert", str(work), "-o", str(base / "tb.pdf")], args.runs)
        bind = _wall([*exe, "bind", str(work), "-o", str(base / "kit")], args.runs)
        big = _pages(base / "kit" / "textblock.pdf", 500)
        octavo = [*exe, "impose", str(big), "-o", str(base / "s.pdf"), "--layout", "octavo"]
        impose = _wall([*octavo, "--marks", "fold,cut,sewing,spine"], args.runs)
    print(f"convert --to pdf ({args.words:,} words): {convert:.2f} s")
    print(f"bind (same work): {bind:.2f} s = {bind / convert:.2f}x convert")
    print(f"impose 500 pages, octavo, all marks: {impose:.2f} s")


if __name__ == "__main__":
    main()
