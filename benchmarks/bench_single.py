"""Time converting one long work (150k words, 40 chapters) to EPUB and to PDF.

Each conversion runs in a fresh ``python -m fic2book`` subprocess (so start-up and imports
count, as they do for a user); the table shows the median wall time of three runs, the
CPU time (user + system, all processes), the largest peak RSS of one process and the largest
sum over all the conversion's processes of their PSS (proportional set size: a page that
forked processes share counts once in all, where summed RSS would count it once per process;
sampled every 20 ms from ``/proc`` on Linux)::

    python -m benchmarks.bench_single [--words 150000] [--chapters 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.generate import generate

ROOT = Path(__file__).resolve().parent.parent


def _memory_kib(entry: Path, status: dict[str, str]) -> int:
    """A process's PSS in KiB, or its RSS where ``smaps_rollup`` cannot be read."""
    try:
        for line in (entry / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(status.get("VmRSS", "0 kB").split()[0])


def _tree_pss_kib(root: int) -> int:
    """The summed PSS in KiB of process ``root`` and all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # the process has just exited
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = _memory_kib(entry, fields)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class TreeSampler:
    """Samples the summed PSS of a process tree every 20 ms in a thread; keeps the largest."""

    def __init__(self, root: int) -> None:
        """Start sampling the tree under ``root``."""
        self.root = root
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if Path("/proc").is_dir():
                self.peak = max(self.peak, _tree_pss_kib(self.root))
            time.sleep(0.02)

    def stop(self) -> int:
        """Stop sampling; return the peak summed PSS in KiB."""
        self._stop.set()
        self._thread.join()
        return self.peak


def run_once(
    source: Path, fmt: str, out: Path, extra: tuple[str, ...] = ()
) -> tuple[float, float, int, int]:
    """Convert once in a subprocess.

    Returns the wall seconds, the CPU seconds, the peak RSS in KiB of one process and the
    peak summed PSS in KiB of all the conversion's processes.
    """
    # ru_maxrss of RUSAGE_CHILDREN is the maximum over all children waited for so far, so run
    # each conversion through a fresh intermediate process and read its own children's peak.
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
    )
    command = [sys.executable, "-m", "fic2book", "convert", str(source), "--to", fmt, "-o"]
    command.extend([str(out / f"book.{fmt}"), *extra])
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1700000000")
    process = subprocess.Popen(
        [sys.executable, "-c", probe, *command, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    sampler = TreeSampler(process.pid)
    stdout, stderr = process.communicate()
    tree = sampler.stop()
    if process.returncode:
        raise SystemExit(f"conversion failed: {stderr}")
    seconds, rss, cpu = stdout.split()
    return float(seconds), float(cpu), int(rss), tree


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
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        header = (
            "format",
            "median s",
            "min s",
            "max s",
            "CPU s",
            "peak RSS MiB",
            "sum PSS MiB",
            "size KiB",
        )
        print(f"{header[0]:<10}" + "".join(f"{h:>{len(h) + 3}}" for h in header[1:]))
        rows: list[tuple[str, str, tuple[str, ...]]] = []
        for fmt in args.formats.split(","):
            rows.append((fmt, fmt, ()))
        for label, fmt, extra in rows:
            times: list[float] = []
            cpus: list[float] = []
            peaks: list[int] = []
            sums: list[int] = []
            for _ in range(args.runs):
                seconds, cpu, rss, tree = run_once(source, fmt, out, extra)
                times.append(seconds)
                cpus.append(cpu)
                peaks.append(rss)
                sums.append(tree)
            size = (out / f"book.{fmt}").stat().st_size
            print(
                f"{label:<10}{statistics.median(times):>11.2f}{min(times):>8.2f}{max(times):>8.2f}"
                f"{statistics.median(cpus):>8.2f}{max(peaks) / 1024:>15.1f}"
                f"{max(sums) / 1024:>14.1f}{size / 1024:>11.0f}"
            )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
