"""Time :func:`fic2book.typography.typeset` on a long English work (150k words by default).

The generated prose is made "untypeset" first (straight quotes, apostrophes, double hyphens,
three dots), so every rule has work to do, and then as generated (already typeset, so the
fast paths skip most of it); each line shows the best and median of a few runs::

    python -m benchmarks.bench_typography [--words 150000] [--chapters 40] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate
from fic2book.readers import read_work
from fic2book.typography import typeset


def untypeset(text: str) -> str:
    """Undo the generator's typography and sprinkle in what a fic typed on a phone has."""
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace(" the ", " the '90s ", 1)
    return text.replace(" and ", " and--'em' ").replace(" but ", " but... it's ")


def main() -> None:
    """Command line: generate, read once, then time typesetting the same work several times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    text = generate(args.words, args.chapters)
    # Straight quotes everywhere (every rule has work), and the generator's own typeset text
    # (the fast path: most of it is skipped after a scan).
    for label, source_text in (("untypeset", untypeset(text)), ("already typeset", text)):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "work.txt"
            source.write_text(source_text, encoding="utf-8")
            work = read_work(source)
        typeset(work)  # warm up imports and caches
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            typeset(work)
            times.append(time.perf_counter() - start)
        best, median = min(times), statistics.median(times)
        print(f"typeset {args.words:,} words, {label}: best {best:.3f} s, median {median:.3f} s")


if __name__ == "__main__":
    main()
