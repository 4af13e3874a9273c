"""fic2book side by side with pandoc and calibre: wall time and peak memory against work size.

Generates works of 5k, 30k, 150k and 560k words (:mod:`benchmarks.generate`, no outside text)
plus a 150k-word variant with stray ``~~~`` lines, and converts each with

* fic2book, from the seed text file (EPUB; PDF for 30k and 150k words, 560k with ``--big-pdf``);
* pandoc, from the same work written as Markdown (EPUB; PDF through ``--pdf-engine=weasyprint``
  when the ``weasyprint`` command is found next to this Python or on ``PATH``);
* calibre ``ebook-convert``, from the text file (``.epub`` and ``.pdf``).

Tools that are not installed are left out, so the script always reports fic2book.  The runs
of one case alternate between the tools (fic2book, pandoc, calibre, fic2book, ...) so a busy
moment on a shared machine hits all of them alike; the table gives the median wall time and
the largest peak RSS of the runs, and the ratio of the faster peer's time to fic2book's.
Start-up of ``fic2book --help`` and ``fic2book inspect`` is timed as well, and with
``--write-docs`` the results go to ``docs/benchmarks.md``, ``docs/benchmarks.json`` and the plot
``docs/benchmarks.png`` (matplotlib, from the ``bench`` extra)::

    python -m benchmarks.compare [--runs 3] [--sizes 5000,30000,150000,560000] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate import generate

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: Words → chapters of the generated works (about 3,750 words a chapter, like a long fic).
CHAPTERS = {5_000: 3, 30_000: 10, 150_000: 40, 560_000: 150}

#: Sizes whose PDF is timed by default (560k words takes minutes in every tool).
PDF_SIZES = (30_000, 150_000)

#: Table cells: no measurement, and the "times" sign of the ratios.
NONE, TIMES = "\u2013", "\u00d7"

#: The fixed date every tool's output gets, so reruns do the same work.
SOURCE_DATE_EPOCH = "1700000000"

#: Each conversion runs under this probe: a fresh interpreter that times one child and reads the
#: peak RSS of its descendants (``RUSAGE_CHILDREN`` covers children and the grandchildren they
#: waited for, e.g. fic2book's forked renderer and calibre's worker processes).
_PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "code = run.returncode\n"
    "elapsed = time.perf_counter() - start\n"
    "print(code, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


@dataclass
class Case:
    """One tool making one format from one work, with the measurements of its runs."""

    work: str
    words: int
    tool: str
    fmt: str
    command: list[str]
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    failed: str = ""

    @property
    def median(self) -> float:
        """Median wall time in seconds (``nan`` when no run succeeded)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def peak_mib(self) -> float:
        """Largest peak RSS of the runs, in MiB."""
        return max(self.peak_kib) / 1024 if self.peak_kib else float("nan")


def measure(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run ``command`` once under the probe: (seconds, peak RSS KiB, error text or "")."""
    env = dict(
        {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        PYTHONPATH=str(ROOT),
        # calibre's PDF output runs Chromium (QtWebEngine), which refuses root without this.
        QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
    )
    code, seconds, rss = result.stdout.split()
    error = "" if code == "0" else (result.stderr.strip().splitlines() or ["exit " + code])[-1]
    return float(seconds), int(rss), error


# ---- the works ---------------------------------------------------------------------------------

_HEADER = re.compile(r"^(Title|Author|Summary|Language): (.*)$")
_CHAPTER = re.compile(r"^Chapter (\d+): (.*)$")


def add_tildes(text: str, every: int = 250) -> str:
    """The variant with stray ``~~~`` lines: one after every ``every``-th body line.

    Such lines are common in fics pasted from elsewhere (a scene-break habit); in Markdown they
    open fenced code blocks, which is what makes pandoc slow on them.
    """
    lines = text.split("\n")
    out: list[str] = []
    body = False
    for number, line in enumerate(lines):
        out.append(line)
        body = body or line.startswith("Chapter ")
        if body and line and number % every == 0 and not line.startswith("Chapter"):
            out += ["", "~~~", ""]
    return "\n".join(out)


def to_markdown(text: str) -> str:
    """The same work as Markdown with a pandoc title block: what pandoc is given."""
    meta: dict[str, str] = {}
    body: list[str] = []
    in_body = False
    for line in text.split("\n"):
        chapter = _CHAPTER.match(line)
        if chapter:
            in_body = True
            body += [f"# Chapter {chapter.group(1)}: {chapter.group(2)}", ""]
            continue
        if not in_body:
            header = _HEADER.match(line)
            if header:
                meta[header.group(1).lower()] = header.group(2)
            continue
        if line.startswith("Chapter Notes: "):
            line = "*" + line.removeprefix("Chapter Notes: ") + "*"
        body += [line, ""] if line else []
    head = ["---"] + [f"{key}: {json.dumps(value)}" for key, value in meta.items()]
    head[-1:] = [head[-1], "lang: en", "---", ""]
    return "\n".join(head + body) + "\n"


def make_works(folder: Path, sizes: list[int], tilde: bool) -> list[tuple[str, int]]:
    """Write each work as ``NAME.txt`` and ``NAME.md``; return (name, words) pairs."""
    works = []
    for words in sizes:
        chapters = CHAPTERS.get(words, max(words // 3750, 1))
        text = generate(words, chapters)
        variants = [(f"w{words // 1000}k", text)]
        if tilde and words == 150_000:
            variants.append((f"w{words // 1000}k-tilde", add_tildes(text)))
        for name, body in variants:
            (folder / f"{name}.txt").write_text(body, encoding="utf-8")
            (folder / f"{name}.md").write_text(to_markdown(body), encoding="utf-8")
            works.append((name, words))
    return works


# ---- the tools ---------------------------------------------------------------------------------


def fic2book_command() -> list[str]:
    """How to run fic2book: the installed script beside this Python, else ``-m fic2book``."""
    script = Path(sys.executable).parent / "fic2book"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fic2book"]


def weasyprint_cli() -> str | None:
    """The ``weasyprint`` command pandoc can use as its PDF engine, if any."""
    beside = Path(sys.executable).parent / "weasyprint"
    return str(beside) if beside.exists() else shutil.which("weasyprint")


def tool_versions() -> dict[str, str]:
    """The first line of each installed tool's version output."""
    versions: dict[str, str] = {"python": platform.python_version()}
    for name, command in (
        ("fic2book", [*fic2book_command(), "--version"]),
        ("pandoc", ["pandoc", "--version"]),
        ("calibre", ["ebook-convert", "--version"]),
    ):
        if name != "fic2book" and shutil.which(command[0]) is None:
            continue
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        versions[name] = out.strip().splitlines()[0] if out.strip() else "?"
    try:
        import weasyprint

        versions["weasyprint"] = str(weasyprint.__version__)
    except (ImportError, OSError):
        pass
    return versions


def cases_for(
    works: list[tuple[str, int]], folder: Path, pdf_sizes: set[int], tools: set[str]
) -> list[Case]:
    """Every (work, tool, format) to time, peers only when installed."""
    fic = fic2book_command()
    pandoc = shutil.which("pandoc") if "pandoc" in tools else None
    calibre = shutil.which("ebook-convert") if "calibre" in tools else None
    engine = weasyprint_cli()
    cases: list[Case] = []
    for name, words in works:
        formats = ["epub"] + (["pdf"] if words in pdf_sizes and "-" not in name else [])
        for fmt in formats:
            out = folder / "out"

            def case(
                tool: str, command: list[str], fmt: str = fmt, name: str = name, words: int = words
            ) -> None:
                cases.append(Case(name, words, tool, fmt, command))

            case("fic2book", [*fic, "convert", f"{name}.txt", "--to", fmt, "-q", "-o"])
            cases[-1].command.append(str(out / f"{name}-fic2book.{fmt}"))
            if pandoc and (fmt == "epub" or engine):
                extra = ["--toc"] if fmt == "epub" else ["--toc", f"--pdf-engine={engine}"]
                case(
                    "pandoc",
                    [pandoc, f"{name}.md", "-s", *extra, "-o", str(out / f"{name}-pandoc.{fmt}")],
                )
            if calibre:
                case("calibre", [calibre, f"{name}.txt", str(out / f"{name}-calibre.{fmt}")])
    return cases


def startup_cases(folder: Path) -> list[Case]:
    """Start-up: the bare interpreter, ``fic2book --help`` and ``inspect`` on the 5k work."""
    fic = fic2book_command()
    return [
        Case("start-up", 0, "python -c pass", "-", [sys.executable, "-c", "pass"]),
        Case("start-up", 0, "fic2book --help", "-", [*fic, "--help"]),
        Case("start-up", 0, "fic2book inspect", "-", [*fic, "inspect", "w5k.txt"]),
    ]


def run_cases(
    cases: list[Case], runs: int, folder: Path, pdf_runs: int | None = None, quiet: bool = False
) -> None:
    """Run every case ``runs`` times (PDFs ``pdf_runs`` times), alternating the tools."""
    groups: dict[tuple[str, str], list[Case]] = {}
    for case in cases:
        groups.setdefault((case.work, case.fmt), []).append(case)
    for (work, fmt), group in groups.items():
        for _ in range(pdf_runs or runs if fmt == "pdf" else runs):
            for case in group:
                if case.failed:
                    continue
                seconds, rss, error = measure(case.command, folder)
                if error:
                    case.failed = error
                    continue
                case.seconds.append(seconds)
                case.peak_kib.append(rss)
        if not quiet:
            print(
                f"{work:>14} {fmt:>4}  "
                + "  ".join(
                    f"{c.tool} {c.median:.2f}s {c.peak_mib:.0f}MiB"
                    + (f" FAILED({c.failed})" if c.failed else "")
                    for c in group
                ),
                flush=True,
            )


# ---- reporting ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores and memory of this machine."""
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "cpu": model,
        "nproc": str(os.cpu_count()),
        "memory": memory,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "system": f"{platform.system()} {platform.release()}",
    }


def table(cases: list[Case]) -> list[str]:
    """The Markdown table: one row per (work, format), a column pair per tool, the ratios."""
    groups: dict[tuple[str, str], dict[str, Case]] = {}
    for case in cases:
        groups.setdefault((case.work, case.fmt), {})[case.tool] = case
    tools = ["fic2book", "pandoc", "calibre"]
    lines = [
        "| work | words | format | "
        + " | ".join(f"{t} s | {t} MiB" for t in tools)
        + " | fastest peer ÷ fic2book |",
        "|---|---:|---|" + "---:|---:|" * len(tools) + "---:|",
    ]
    for (work, fmt), by_tool in groups.items():
        if work == "start-up":
            continue
        words = next(iter(by_tool.values())).words
        cells = []
        for tool in tools:
            found = by_tool.get(tool)
            if found is None:
                cells += [NONE, NONE]
            elif found.failed or not found.seconds:
                cells += ["failed", NONE]
            else:
                cells += [f"{found.median:.2f}", f"{found.peak_mib:.0f}"]
        mine = by_tool.get("fic2book")
        peers = [
            c.median for t, c in by_tool.items() if t != "fic2book" and c.seconds and not c.failed
        ]
        ratio = (
            f"{min(peers) / mine.median:.1f}{TIMES}" if peers and mine and mine.seconds else NONE
        )
        lines.append(
            f"| {work} | {words:,} | {fmt.upper()} | " + " | ".join(cells) + f" | {ratio} |"
        )
    return lines


def startup_table(cases: list[Case]) -> list[str]:
    """The start-up rows: median seconds and peak memory."""
    lines = ["| command | median s | min s | peak MiB |", "|---|---:|---:|---:|"]
    for case in cases:
        if case.work == "start-up" and case.seconds:
            lines.append(
                f"| `{case.tool}` | {case.median:.3f} | {min(case.seconds):.3f} | "
                f"{case.peak_mib:.0f} |"
            )
    return lines


def plot(cases: list[Case], target: Path) -> bool:
    """Draw time and memory against words (log-log), one line per tool and format."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[bench]'): no plot", file=sys.stderr)
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    series: dict[tuple[str, str], list[Case]] = {}
    for case in cases:
        if case.work != "start-up" and "-" not in case.work and case.seconds:
            series.setdefault((case.tool, case.fmt), []).append(case)
    colours = {"fic2book": "tab:blue", "pandoc": "tab:orange", "calibre": "tab:green"}
    for (tool, fmt), points in sorted(series.items()):
        points.sort(key=lambda c: c.words)
        words = [c.words for c in points]
        style: dict[str, Any] = {
            "color": colours.get(tool, "grey"),
            "linestyle": "-" if fmt == "epub" else "--",
            "marker": "o" if fmt == "epub" else "s",
            "label": f"{tool} {fmt.upper()}",
        }
        left.plot(words, [c.median for c in points], **style)
        right.plot(words, [c.peak_mib for c in points], **style)
    for axis, label in ((left, "median wall time (s)"), (right, "peak RSS (MiB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("words")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    figure.suptitle("fic2book, pandoc and calibre (solid: EPUB, dashed: PDF)")
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return True


def write_docs(cases: list[Case], info: dict[str, Any]) -> None:
    """Write the JSON results and the plot, and refresh the table in docs/benchmarks.md."""
    DOCS.mkdir(exist_ok=True)
    payload = {"machine": info["machine"], "versions": info["versions"], "runs": info["runs"]}
    payload["cases"] = [
        {**asdict(c), "median": c.median, "peak_mib": c.peak_mib, "command": c.command[1:]}
        for c in cases
    ]
    (DOCS / "benchmarks.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    plot(cases, DOCS / "benchmarks.png")
    m = info["machine"]
    results = "\n".join(
        [
            "<!-- results: written by python -m benchmarks.compare --write-docs -->",
            f"Machine: {m['cpu']}, {m['nproc']} cores, {m['memory']} RAM, {m['system']}; "
            f"load average at the end {m['load']}.  "
            + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
            + f".  Median of {info['runs']} alternating runs; memory is the largest peak RSS.",
            "",
            *table(cases),
            "",
            *startup_table(cases),
            "",
            "![time and memory against words](benchmarks.png)",
            "<!-- /results -->",
        ]
    )
    doc = DOCS / "benchmarks.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    block = re.compile(r"<!-- results:.*?<!-- /results -->", re.S)
    text = block.sub(lambda _: results, text) if block.search(text) else text + results + "\n"
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    """Command line: generate, time, print, and optionally write the docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--sizes", default="5000,30000,150000,560000")
    parser.add_argument("--tools", default="fic2book,pandoc,calibre")
    parser.add_argument("--formats", default="epub,pdf")
    parser.add_argument("--big-pdf", action="store_true", help="also time the 560k-word PDF")
    parser.add_argument("--no-tilde", action="store_true", help="skip the ~~~ variant")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    pdf_sizes = set(PDF_SIZES) | ({560_000} if args.big_pdf else set())
    if "pdf" not in args.formats:
        pdf_sizes = set()
    with tempfile.TemporaryDirectory(prefix="fic2book-compare-") as name:
        folder = Path(name)
        (folder / "out").mkdir()
        works = make_works(folder, sorted(set(sizes) | {5_000}), not args.no_tilde)
        works = [(w, n) for w, n in works if n in sizes]
        cases = cases_for(works, folder, pdf_sizes, set(args.tools.split(",")))
        if "epub" not in args.formats:
            cases = [c for c in cases if c.fmt != "epub"]
        # A user's Python caches bytecode; one untimed run writes fic2book's .pyc files.
        measure([*fic2book_command(), "inspect", "w5k.txt"], folder)
        starts = startup_cases(folder)
        run_cases(starts, args.startup_runs, folder)
        run_cases(cases, args.runs, folder, args.pdf_runs)
        runs = f"{args.runs} (PDF: {args.pdf_runs})" if args.pdf_runs else str(args.runs)
        info = {"machine": machine(), "versions": tool_versions(), "runs": runs}
        everything = starts + cases
        print("\n".join([*table(everything), "", *startup_table(everything)]))
        if args.write_docs:
            write_docs(everything, info)


if __name__ == "__main__":
    main()
