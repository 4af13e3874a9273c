"""``fic2book batch``: discovery, naming, the manifest, the report, interruption and kills.

Works are tiny and runs use two workers, so the whole file takes seconds.  Kills and Ctrl-C
run the real command in a subprocess of its own process group.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from fic2book.batch import (
    MANIFEST_NAME,
    BatchConfig,
    InputStatus,
    Summary,
    fingerprint,
    pack_options,
    render_job,
    run_batch,
)
from fic2book.errors import InputError, UsageError
from fic2book.options import RenderOptions
from fic2book.pagesize import PageSize
from fic2book.pipeline import read_work_bytes, write_bytes_atomically
from tests.conftest import ROOT

_FIELDS = {spec.name for spec in dataclasses.fields(RenderOptions)}
#: A generated cover costs most of a tiny work's time; leave it out where the option exists.
FAST: dict[str, Any] = {"no_cover": True} if "no_cover" in _FIELDS else {}
FAST_FLAGS = ["--no-cover"] if FAST else []
OPTIONS = RenderOptions(source_date_epoch=1_700_000_000, **FAST)


def work_text(title: str, author: str = "tester", paragraphs: int = 3) -> str:
    body = "\n".join(f"Paragraph {n} of {title}, with a few words." for n in range(paragraphs))
    return f"Title: {title}\nAuthor: {author}\nLanguage: English\n\n{body}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def batch(source: Path, output: Path, **overrides: Any) -> Summary:
    settings: dict[str, Any] = {"jobs": 2, "options": OPTIONS, **overrides}
    return run_batch(BatchConfig(source, output, **settings))


def books(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def report_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def by_input(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["input"]: entry for entry in report["works"]}


def assert_complete(path: Path) -> None:
    """A book under its final name is whole: a valid zip, or a PDF with its trailer."""
    data = path.read_bytes()
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            assert archive.read("mimetype") == b"application/epub+zip"
    else:
        assert data.startswith(b"%PDF-")
        assert b"%%EOF" in data[-64:]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Good works in nested and Unicode folders, broken files, loops and files to ignore."""
    lib = tmp_path / "library"
    write(lib / "alpha.txt", work_text("Alpha"))
    write(lib / "nested" / "deeper" / "beta.txt", work_text("Beta"))
    write(lib / "ünïcødé 日本" / "gamma.txt", work_text("Gamma", "作者"))
    (lib / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 64)
    (lib / "empty.txt").write_bytes(b"")
    os.mkfifo(lib / "pipe.txt")  # opening it would block: an unreadable file
    (lib / "self.txt").symlink_to("self.txt")  # a symlink loop on a file
    (lib / "nested" / "loop").symlink_to("..")  # a symlink loop on a folder
    write(lib / "notes.docx", "not a work")
    write(lib / "picture.png", "not a work")
    write(lib / ".hidden" / "secret.txt", work_text("Hidden"))
    return lib


# --- a mixed folder -----------------------------------------------------------------------


def test_mixed_folder_converts_good_works_and_reports_the_rest(
    library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "books"
    report = tmp_path / "report.json"
    summary = batch(library, out, report=report)
    assert (summary.converted, summary.skipped, summary.failed) == (3, 0, 4)
    assert not summary.interrupted
    assert books(out) == [
        "Alpha - tester.epub",
        "nested/deeper/Beta - tester.epub",
        "ünïcødé 日本/Gamma - 作者.epub",
    ]
    for name in books(out):
        assert_complete(out / name)

    data = report_of(report)
    entries = by_input(data)
    # Unsupported suffixes and hidden folders are not inputs; the folder loop is not entered.
    assert sorted(entries) == [
        "alpha.txt",
        "binary.txt",
        "empty.txt",
        "nested/deeper/beta.txt",
        "pipe.txt",
        "self.txt",
        "ünïcødé 日本/gamma.txt",
    ]
    assert entries["alpha.txt"]["status"] == "converted"
    assert entries["alpha.txt"]["outputs"] == ["Alpha - tester.epub"]
    assert entries["alpha.txt"]["error"] is None
    assert entries["alpha.txt"]["seconds"] > 0
    assert entries["ünïcødé 日本/gamma.txt"]["outputs"] == ["ünïcødé 日本/Gamma - 作者.epub"]
    for name, fragment in [
        ("binary.txt", "binary"),
        ("empty.txt", "empty"),
        ("pipe.txt", "not a regular file"),
        ("self.txt", "symbolic links"),
    ]:
        entry = entries[name]
        assert entry["status"] == "failed"
        assert entry["outputs"] == []
        assert entry["error"].startswith("cannot read input: ")
        assert fragment in entry["error"]
        assert "\n" not in entry["error"]
    assert data["summary"] == {
        "total": 7,
        "converted": 3,
        "updated": 0,
        "skipped": 0,
        "failed": 4,
        "not_processed": 0,
        "books_written": 3,
        "interrupted": False,
        "seconds": data["summary"]["seconds"],
    }
    assert data["formats"] == ["epub"]


def test_cli_exit_codes_lines_and_summary(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "books"
    command = [sys.executable, "-m", "fic2book", "batch", str(library), "-o", str(out), "-j", "2"]
    result = subprocess.run(
        [*command, *FAST_FLAGS], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 1, result.stderr
    assert "converted alpha.txt -> Alpha - tester.epub" in result.stdout
    assert "fic2book: [2/7] failed binary.txt: cannot read input:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "converted" in result.stdout and "failed" in result.stdout  # the summary table
    assert "Failures" in result.stdout

    # Only good works: exit 0; quiet prints nothing at all.
    good = tmp_path / "good"
    write(good / "one.txt", work_text("One"))
    quiet = subprocess.run(
        [
            sys.executable,
            "-m",
            "fic2book",
            "batch",
            str(good),
            "-o",
            str(tmp_path / "g"),
            "-q",
            *FAST_FLAGS,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    assert (tmp_path / "g" / "One - tester.epub").is_file()


def test_cli_usage_errors(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fic2book", "batch", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )

    missing = run(str(tmp_path / "nowhere"), "-o", str(tmp_path / "out"))
    assert missing.returncode == 3
    assert missing.stderr.startswith("fic2book: cannot read input: ")
    (tmp_path / "lib").mkdir()
    bad_size = run(str(tmp_path / "lib"), "-o", str(tmp_path / "out"), "--page-size", "huge")
    assert bad_size.returncode == 2
    assert "page size" in bad_size.stderr
    bad_format = run(str(tmp_path / "lib"), "-o", str(tmp_path / "out"), "--to", "docx")
    assert bad_format.returncode == 2
    # Without distributed installed, --scheduler says what to install.
    no_dask = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['distributed'] = None\n"
            "from fic2book.cli import main; sys.argv[0] = 'fic2book'; main()",
            "batch",
            str(tmp_path / "lib"),
            "-o",
            str(tmp_path / "out"),
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert no_dask.returncode == 5
    assert "pip install 'fic2book[dask]'" in no_dask.stderr


# --- names and collisions ----------------------------------------------------------------


def test_colliding_titles_are_numbered_in_sorted_input_order(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for name in ["c.txt", "a.txt", "b.txt", "d.txt"]:
        write(lib / name, work_text("Same Title", "same author", paragraphs=2 + ord(name[0])))
    write(lib / "sub" / "a.txt", work_text("Same Title", "same author"))
    report = tmp_path / "r.json"
    summary = batch(lib, tmp_path / "out", report=report)
    assert summary.converted == 5
    entries = by_input(report_of(report))
    assert entries["a.txt"]["outputs"] == ["Same Title - same author.epub"]
    assert entries["b.txt"]["outputs"] == ["Same Title - same author (2).epub"]
    assert entries["c.txt"]["outputs"] == ["Same Title - same author (3).epub"]
    assert entries["d.txt"]["outputs"] == ["Same Title - same author (4).epub"]
    # Another folder is another name space.
    assert entries["sub/a.txt"]["outputs"] == ["sub/Same Title - same author.epub"]
    # Each book is the work it is named for (the bodies differ in length).
    sizes = [
        (tmp_path / "out" / entries[name]["outputs"][0]).stat().st_size
        for name in ["a.txt", "b.txt", "c.txt", "d.txt"]
    ]
    assert sizes == sorted(sizes)


def test_unsafe_titles_make_safe_names(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "w.txt", work_text("../../etc/passwd: CON?", "a/b"))
    batch(lib, tmp_path / "out")
    assert books(tmp_path / "out") == ["_.._etc_passwd_ CON_ - a_b.epub"]


# --- incremental runs ----------------------------------------------------------------------


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        name: ((folder / name).stat().st_ino, (folder / name).stat().st_mtime_ns)
        for name in books(folder)
    }


def test_rerun_skips_everything_and_rewrites_nothing(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for index in range(4):
        write(lib / f"shelf{index % 2}" / f"w{index}.txt", work_text(f"Work {index}"))
    out = tmp_path / "out"
    first = batch(lib, out, formats=("epub", "pdf"))
    assert first.converted == 4 and first.books_written == 8
    before = stats(out)
    assert len(before) == 8
    manifest = (out / MANIFEST_NAME).stat().st_mtime_ns

    report = tmp_path / "again.json"
    again = batch(lib, out, formats=("epub", "pdf"), report=report)
    assert (again.converted, again.skipped, again.books_written) == (0, 4, 0)
    assert stats(out) == before
    assert (out / MANIFEST_NAME).stat().st_mtime_ns == manifest
    entry = by_input(report_of(report))["shelf0/w0.txt"]
    assert entry["status"] == "skipped"
    assert entry["outputs"] == ["shelf0/Work 0 - tester.epub", "shelf0/Work 0 - tester.pdf"]

    # One edited input is rebuilt, alone.
    time.sleep(0.01)
    write(lib / "shelf1" / "w1.txt", work_text("Work 1", paragraphs=9))
    edited = batch(lib, out, formats=("epub", "pdf"))
    assert (edited.converted, edited.skipped) == (1, 3)
    after = stats(out)
    assert after["shelf0/Work 0 - tester.epub"] == before["shelf0/Work 0 - tester.epub"]
    assert after["shelf1/Work 1 - tester.epub"] != before["shelf1/Work 1 - tester.epub"]

    # Other options rebuild; a deleted book is rebuilt; --force rebuilds everything.
    changed = batch(
        lib,
        out,
        formats=("epub",),
        options=dataclasses.replace(OPTIONS, page_size=PageSize.parse("a4")),
    )
    assert changed.converted == 4
    (out / "shelf0" / "Work 2 - tester.epub").unlink()
    missing = batch(
        lib,
        out,
        formats=("epub", "pdf"),
        options=dataclasses.replace(OPTIONS, page_size=PageSize.parse("a4")),
    )
    assert (missing.converted, missing.skipped) == (4, 0)  # the PDFs were made with a5
    forced = batch(
        lib,
        out,
        formats=("epub",),
        force=True,
        options=dataclasses.replace(OPTIONS, page_size=PageSize.parse("a4")),
    )
    assert (forced.converted, forced.skipped) == (4, 0)


def test_new_format_builds_only_the_missing_books(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "w.txt", work_text("W"))
    out = tmp_path / "out"
    batch(lib, out, formats=("epub",))
    epub = stats(out)["W - tester.epub"]
    summary = batch(lib, out, formats=("epub", "pdf"))
    assert summary.converted == 1 and summary.books_written == 1
    assert stats(out)["W - tester.epub"] == epub
    assert books(out) == ["W - tester.epub", "W - tester.pdf"]


def test_retitled_work_replaces_its_old_book(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "w.txt", work_text("Old Title"))
    out = tmp_path / "out"
    batch(lib, out)
    write(lib / "w.txt", work_text("New Title"))
    batch(lib, out)
    assert books(out) == ["New Title - tester.epub"]


def test_changed_css_rebuilds(tmp_path: Path) -> None:
    css = write(tmp_path / "extra.css", "p { color: black; }")
    options = dataclasses.replace(OPTIONS, css=(css,))
    before = fingerprint(options)
    write(css, "p { color: navy; }")
    assert fingerprint(options) != before
    assert fingerprint(dataclasses.replace(options, page_size=PageSize.parse("a4"))) != fingerprint(
        options
    )


# --- where inputs and outputs live -----------------------------------------------------------


def test_output_inside_input_is_never_read_back(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "w.txt", work_text("W"))
    out = lib / "books"
    report = tmp_path / "r.json"
    for _ in range(2):
        summary = batch(lib, out, formats=("epub",), report=report)
        assert summary.total == 1
    # A text file a user drops into the output folder is not an input either.
    write(out / "stray.txt", work_text("Stray"))
    assert batch(lib, out).total == 1
    assert list(by_input(report_of(report))) == ["w.txt"]


def test_input_inside_output_or_same_folder_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "books" / "lib"
    lib.mkdir(parents=True)
    with pytest.raises(UsageError, match="inside the output folder"):
        batch(lib, tmp_path / "books")
    with pytest.raises(UsageError, match="must not be the input"):
        batch(lib, lib)
    with pytest.raises(InputError):
        batch(tmp_path / "missing", tmp_path / "out")


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "sub" / "w.txt", work_text("W"))
    out = tmp_path / "out"
    batch(lib, out)
    leftover = out / "sub" / ".fic2book-abcd_123.epub"
    leftover.write_bytes(b"half a book")
    keep = out / "sub" / ".fic2book-notes.txt.bak"
    keep.write_bytes(b"not ours")
    summary = batch(lib, out)
    assert summary.skipped == 1
    assert not leftover.exists()
    assert keep.exists()
    assert (out / MANIFEST_NAME).is_file()


# --- the worker job ---------------------------------------------------------------------------


def test_render_job_returns_bytes_or_one_line_error() -> None:
    good = render_job(work_text("Bytes").encode(), "dir/w.txt", None, ("epub",), OPTIONS)
    assert good.error is None
    assert good.title == "Bytes" and good.authors == ("tester",)
    [(fmt, data)] = good.books
    assert fmt == "epub" and data.startswith(b"PK")
    bad = render_job(b"", "dir/empty.txt", None, ("epub",), OPTIONS)
    assert bad.books == ()
    assert bad.error is not None and bad.error.startswith("cannot read input: dir/empty.txt")


def test_read_work_bytes_keeps_the_file_name() -> None:
    work = read_work_bytes(b"Just prose, no header.\n", "folder/My Story.txt")
    assert work.title == "My Story"


def test_packed_options_carry_their_files(tmp_path: Path) -> None:
    css = write(tmp_path / "style.css", "p { color: navy; }")
    templates = tmp_path / "templates"
    write(templates / "parts" / "x.html.j2", "hello")
    options = dataclasses.replace(OPTIONS, css=(css,), template_dir=templates)
    packed = pack_options(options)
    assert not packed.options.css[0].is_absolute()
    names = dict(packed.files)
    assert names[packed.options.css[0].as_posix()] == b"p { color: navy; }"
    assert any(name.endswith("parts/x.html.j2") for name in names)
    rendered = render_job(work_text("Packed").encode(), "w.txt", None, ("epub",), packed)
    assert rendered.error is None
    with zipfile.ZipFile(__import__("io").BytesIO(rendered.books[0][1])) as archive:
        styles = [archive.read(n) for n in archive.namelist() if n.endswith(".css")]
    assert any(b"color: navy" in style for style in styles)


def test_write_bytes_atomically_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "b" / "book.epub"
    write_bytes_atomically(b"one", target)
    write_bytes_atomically(b"two", target)
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["book.epub"]


# --- interruption -----------------------------------------------------------------------------


def start_batch(lib: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "fic2book", "batch", str(lib), "-o", str(out), "-j", "2"]
    return subprocess.Popen(
        [*command, *FAST_FLAGS, *extra],
        # The same options as batch() below, so a resumed run can skip what was done.
        env={**os.environ, "SOURCE_DATE_EPOCH": str(OPTIONS.source_date_epoch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,  # its own process group, workers included
    )


def wait_for_books(out: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 600  # only so a broken build cannot hang the suite
    while len(books(out)) < count:
        assert process.poll() is None, "the batch finished before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.fixture
def slow_library(tmp_path: Path) -> Path:
    """Enough PDF work to be stopped half-way on any machine."""
    lib = tmp_path / "slow"
    for index in range(24):
        write(
            lib / f"s{index // 8}" / f"w{index:02d}.txt",
            work_text(f"Slow {index:02d}", paragraphs=40),
        )
    return lib


@pytest.mark.slow
def test_killed_run_leaves_no_partial_book_and_resumes(slow_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_batch(slow_library, out, "--to", "epub,pdf")
    wait_for_books(out, 4, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    finished = books(out)
    assert 4 <= len(finished) < 48
    for name in finished:
        assert_complete(out / name)  # nothing under a book's name is half written
    db = sqlite3.connect(out / MANIFEST_NAME)
    recorded = db.execute("SELECT count(*) FROM books").fetchone()[0]
    db.close()
    assert recorded >= 1

    report = tmp_path / "resume.json"
    summary = batch(slow_library, out, formats=("epub", "pdf"), report=report)
    assert summary.failed == 0 and not summary.interrupted
    assert summary.skipped >= recorded // 2
    assert summary.converted + summary.skipped == 24
    assert len(books(out)) == 48
    for name in books(out):
        assert_complete(out / name)
    assert not [p for p in out.rglob(".fic2book-*") if not p.name.startswith(MANIFEST_NAME)]


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_a_summary(slow_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    process = start_batch(slow_library, out, "--to", "pdf", "--report", str(report))
    wait_for_books(out, 2, process)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Interrupted" in stdout
    assert "not processed (interrupted)" in stdout
    data = report_of(report)
    assert data["summary"]["interrupted"] is True
    done = data["summary"]["converted"]
    # Books seen on disk may be one ahead of the summary: a worker can finish writing a book
    # between the signal and the runner collecting its result, so the count is not exact.
    assert 1 <= done < 24
    assert data["summary"]["not_processed"] == 24 - done
    for name in books(out):
        assert_complete(out / name)
    assert not [p for p in out.rglob(".fic2book-*") if not p.name.startswith(MANIFEST_NAME)]
    resumed = batch(slow_library, out, formats=("pdf",))
    assert resumed.skipped == done and resumed.converted == 24 - done


def test_statuses_are_the_documented_strings() -> None:
    assert [str(s) for s in InputStatus] == ["converted", "updated", "skipped", "failed"]


def test_batch_runs_under_a_long_temporary_folder(tmp_path: Path) -> None:
    """The local pool starts even where TMPDIR is too long for a Unix socket's path."""
    temp = tmp_path / ("t" * 150)
    temp.mkdir()
    library = tmp_path / "library"
    write(library / "one.txt", work_text("One"))
    write(library / "two.txt", work_text("Two"))
    command = ["batch", str(library), "-o", str(tmp_path / "out"), "-j", "2", "-q", *FAST_FLAGS]
    result = subprocess.run(
        [sys.executable, "-m", "fic2book", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert books(tmp_path / "out") == ["One - tester.epub", "Two - tester.epub"]


def test_limits_do_not_make_books_out_of_date(tmp_path: Path) -> None:
    # A book made by the CLI (bounded defaults) is up to date for a library run (no limits).
    from fic2book.batch.fingerprint import fingerprint
    from fic2book.options import ParagraphStyle, bounded_defaults

    bounded = bounded_defaults()
    assert fingerprint(bounded) == fingerprint(RenderOptions())
    assert fingerprint(dataclasses.replace(bounded, max_input_size=1)) == fingerprint(bounded)
    block = dataclasses.replace(bounded, style=ParagraphStyle.BLOCK)
    assert fingerprint(block) != fingerprint(bounded)
