"""Nothing outside the folders the user named: symlinks, a tampered or corrupt manifest, debris.

``batch`` reads only inside its input folder (a symlinked file leading out is skipped with a
warning), deletes and overwrites only inside ``-o`` whatever its manifest says, refuses a
corrupt manifest in one line (``--force`` rebuilds it), and the next run in a folder removes
the temporary files a killed run left there, but never those of a run still going.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from fic2book.batch import BatchConfig, InputStatus, run_batch
from fic2book.batch.manifest import MANIFEST_NAME
from tests.hostile.conftest import (
    SECRET,
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
)
from tests.textract import epub_text


def work_text(title: str, words: str = "Plain story words.") -> str:
    return f"Title: {title}\nAuthor: someone\n\n{words}\n"


# ---- symlinks out of the library ------------------------------------------------------------


def test_batch_skips_a_symlink_out_of_the_library(sandbox: Sandbox, trap: TrapServer) -> None:
    (sandbox.inputs / "real.txt").write_text(work_text("Real"), encoding="utf-8")
    (sandbox.inputs / "inside.txt").symlink_to(sandbox.inputs / "real.txt")
    (sandbox.inputs / "p.txt").symlink_to(sandbox.secret)
    (sandbox.inputs / "abs.txt").symlink_to("/etc/hostname")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    check_cli(result, failures=0)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "outside the input folder" in line]
    assert len(warnings) == 2, result.stderr
    assert any("p.txt" in line for line in warnings)
    assert any("--follow-symlinks" in line for line in warnings)
    assert "up to date" not in result.stdout  # the summary does not call them that
    # The link inside the library is a work like any other (the same work twice, two books).
    books = sandbox.books()
    assert len([book for book in books if book.suffix == ".epub"]) == 2
    check_books_safe(books)
    check_contained(sandbox, trap, before)


def test_follow_symlinks_reads_them(sandbox: Sandbox) -> None:
    (sandbox.inputs / "p.txt").symlink_to(sandbox.secret)
    summary = run_batch(BatchConfig(sandbox.inputs, sandbox.out, follow_symlinks=True))
    assert summary.converted == 1
    (book,) = [p for p in sandbox.books() if p.suffix == ".epub"]
    assert SECRET in epub_text(book)


# ---- a tampered manifest -----------------------------------------------------------------


def test_tampered_manifest_deletes_nothing_outside_the_output(
    sandbox: Sandbox, trap: TrapServer
) -> None:
    names = ("a", "b", "c", "d")
    for name in names:
        (sandbox.inputs / f"{name}.txt").write_text(work_text(f"Work {name}"), encoding="utf-8")
    assert run_batch(BatchConfig(sandbox.inputs, sandbox.out)).converted == 4
    victims = {
        "a": sandbox.root / "victim-a.epub",
        "b": sandbox.root / "victim-b.epub",
        "c": sandbox.root / "victim-c.epub",
        "d": sandbox.out / MANIFEST_NAME,
    }
    for name, victim in victims.items():
        if name != "d":
            victim.write_text(f"victim {name}")
    rows = {
        "a": "../victim-a.epub",
        "b": str(victims["b"]),  # absolute
        "c": "sub/../../victim-c.epub",
        "d": MANIFEST_NAME,  # the manifest itself (it "is" an .epub only by its row's word)
    }
    with sqlite3.connect(sandbox.out / MANIFEST_NAME) as db:
        for name, output in rows.items():
            db.execute("UPDATE books SET output = ? WHERE input = ?", (output, f"{name}.txt"))
    db.close()
    # Edited inputs: each work is rebuilt, which deletes its "old" book when the title changed.
    for name in names:
        (sandbox.inputs / f"{name}.txt").write_text(work_text(f"New {name}"), encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    check_cli(result, failures=0)
    for name in ("a", "b", "c"):
        assert victims[name].read_text() == f"victim {name}"
    assert (sandbox.out / MANIFEST_NAME).is_file()
    ignored = [line for line in result.stderr.splitlines() if "ignored the manifest" in line]
    assert len(ignored) == 4, result.stderr
    assert all(line.startswith("fic2book: warning: ") for line in ignored)
    check_contained(sandbox, trap, before)
    # The rows are rewritten with the true books, so the next run is quiet.
    again = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    check_cli(again, failures=0)
    assert "ignored the manifest" not in again.stderr


def test_manifest_row_through_a_symlinked_folder_is_ignored(sandbox: Sandbox) -> None:
    (sandbox.inputs / "sub").mkdir()
    (sandbox.inputs / "sub" / "w.txt").write_text(work_text("Old"), encoding="utf-8")
    assert run_batch(BatchConfig(sandbox.inputs, sandbox.out)).converted == 1
    (book,) = (sandbox.out / "sub").glob("*.epub")
    # Someone swaps the book's folder for a link to a folder outside -o.
    elsewhere = sandbox.root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / book.name).write_text("precious")
    book.unlink()
    (sandbox.out / "sub").rmdir()
    (sandbox.out / "sub").symlink_to(elsewhere)
    (sandbox.inputs / "sub" / "w.txt").write_text(work_text("New"), encoding="utf-8")
    warnings: list[str] = []

    class Collect:
        def start(self, total: int) -> None: ...
        def working(self, relative: str) -> None: ...
        def update(self, outcome: object, summary: object) -> None: ...
        def warn(self, message: str) -> None:
            warnings.append(message)

        def stop(self) -> None: ...

    run_batch(BatchConfig(sandbox.inputs, sandbox.out), Collect())
    assert (elsewhere / book.name).read_text() == "precious"
    assert len(warnings) == 1 and "sub/w.txt" in warnings[0]


# ---- a corrupt manifest --------------------------------------------------------------------


def corrupt_last_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) >= 2 * page, "the manifest should have more than one page"
    data[-page:] = b"\xa5" * page
    path.write_bytes(bytes(data))


def test_corrupt_manifest_is_one_line_and_force_rebuilds_it(sandbox: Sandbox) -> None:
    for n in range(40):
        text = work_text(f"Work number {n} " + "with a long title " * 5)
        (sandbox.inputs / f"w{n:02}.txt").write_text(text, encoding="utf-8")
    first = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "-q")
    check_cli(first, failures=0)
    corrupt_last_page(sandbox.out / MANIFEST_NAME)
    refused = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "-q")
    (error,) = check_cli(refused)
    assert refused.returncode == 4
    assert "manifest is corrupt" in error and "--force" in error
    rebuilt = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "-q", "--force")
    check_cli(rebuilt, failures=0)
    assert rebuilt.returncode == 0
    quiet = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    check_cli(quiet, failures=0)
    lines = [line for line in quiet.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 40 and all(f"] {InputStatus.SKIPPED} " in line for line in lines)


def test_unreadable_manifest_file_is_refused_then_rebuilt(sandbox: Sandbox) -> None:
    (sandbox.inputs / "w.txt").write_text(work_text("W"), encoding="utf-8")
    (sandbox.out / MANIFEST_NAME).write_bytes(b"not a database at all" * 300)
    refused = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    (error,) = check_cli(refused)
    assert "manifest is corrupt" in error
    rebuilt = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "--force")
    check_cli(rebuilt, failures=0)


# ---- temporary files a killed run left -----------------------------------------------------

#: Holds a lock on the file named by argv[1] (as a live writer does) until its stdin closes.
HOLDER = textwrap.dedent(
    """
    import fcntl, sys
    handle = open(sys.argv[1], "rb")
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.read()
    """
)


def test_next_run_removes_what_a_killed_run_left(sandbox: Sandbox) -> None:
    source = sandbox.inputs / "w.txt"
    source.write_text(work_text("W"), encoding="utf-8")
    dead_book = sandbox.out / ".fic2book-k1ll3d_x.epub"
    dead_pdf = sandbox.out / ".fic2book-abcdefgh.pdf"
    live = sandbox.out / ".fic2book-st1llgo1.pdf"
    other = sandbox.out / ".fic2book-notes.txt"  # not a name of ours
    for path in (dead_book, dead_pdf, live, other):
        path.write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = sandbox.run("convert", source, "-o", f"{sandbox.out}/")
        check_cli(result, failures=0)
        assert not dead_book.exists() and not dead_pdf.exists()
        assert live.exists(), "the file of a run still going was removed"
        assert other.exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()


def test_next_batch_removes_a_dead_report(sandbox: Sandbox) -> None:
    (sandbox.inputs / "w.txt").write_text(work_text("W"), encoding="utf-8")
    reports = sandbox.root / "reports"
    reports.mkdir()
    dead = reports / ".fic2book-r3p0rt__.json"
    dead.write_bytes(b"")
    result = sandbox.run(
        "batch", sandbox.inputs, "-o", sandbox.out, "--report", reports / "report.json"
    )
    check_cli(result, failures=0)
    assert not dead.exists()
    assert [p.name for p in reports.iterdir()] == ["report.json"]


def test_killed_convert_leaves_nothing_the_next_run_keeps(sandbox: Sandbox) -> None:
    """SIGKILL a convert while it lays out a PDF; the next convert there leaves no debris."""
    source = sandbox.inputs / "long.txt"
    source.write_text(work_text("Long", "Words of the story go on. " * 60_000), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fic2book",
            "convert",
            str(source),
            "--to",
            "pdf",
            "-o",
            f"{sandbox.out}/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not list(sandbox.out.glob(".fic2book-*.pdf")):
            assert process.poll() is None, "the convert finished before it could be killed"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert list(sandbox.out.glob(".fic2book-*.pdf"))
    small = sandbox.inputs / "small.txt"
    small.write_text(work_text("Small"), encoding="utf-8")
    result = sandbox.run("convert", small, "-o", f"{sandbox.out}/")
    check_cli(result, failures=0)
    assert not list(sandbox.out.glob(".fic2book-*")), sorted(sandbox.out.iterdir())


def test_follow_symlinks_flag(sandbox: Sandbox) -> None:
    (sandbox.inputs / "p.txt").symlink_to(sandbox.secret)
    result = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "--follow-symlinks")
    check_cli(result, failures=0)
    assert "warning" not in result.stderr
    (book,) = [p for p in sandbox.books() if p.suffix == ".epub"]
    assert SECRET in epub_text(book)


def test_rows_of_every_format_are_trusted(sandbox: Sandbox) -> None:
    """A Kobo book ("x.kepub.epub") is a book of its format: a rerun skips it, quietly."""
    (sandbox.inputs / "w.txt").write_text(work_text("W"), encoding="utf-8")
    first = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "--to", "kepub,epub,pdf")
    check_cli(first, failures=0)
    again = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out, "--to", "kepub,epub,pdf")
    check_cli(again, failures=0)
    assert "warning" not in again.stderr
    assert f"] {InputStatus.SKIPPED} w.txt" in again.stdout
