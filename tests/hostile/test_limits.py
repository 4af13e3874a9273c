"""The limits of fic2book.limits: sizes, time-outs and memory caps, in-process and fast."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fic2book.errors import InputError, RenderError, UsageError
from fic2book.limits import (
    Prestarted,
    check_data_size,
    check_input_size,
    parse_seconds,
    parse_size,
    prestarted,
    run_limited,
    take_prestarted,
)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1000", 1000),
        ("64M", 64 * 1024**2),
        ("64MiB", 64 * 1024**2),
        ("1.5G", 3 * 1024**3 // 2),
        ("500kB", 500_000),
        ("0", 0),
        (" 2 mb ", 2_000_000),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    """Binary K/M/G, decimal kB/MB/GB, plain bytes."""
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "x", "-1", "12Q", "1e9"])
def test_parse_size_refuses(text: str) -> None:
    """Anything else is a usage error."""
    with pytest.raises(UsageError):
        parse_size(text)


@pytest.mark.parametrize("text", ["-1", "nan", "inf", "soon"])
def test_parse_seconds_refuses(text: str) -> None:
    """Negative, infinite, NaN or words are usage errors; 0 means no limit."""
    with pytest.raises(UsageError):
        parse_seconds(text)
    assert parse_seconds("0") == 0


def test_input_size(tmp_path: Path) -> None:
    """A file over the limit is refused by name; 0 disables the check."""
    path = tmp_path / "work.txt"
    path.write_bytes(b"x" * 2048)
    check_input_size(path, 2048)
    check_input_size(path, 0)
    with pytest.raises(InputError, match=r"work\.txt: 2 KiB is larger than the 1 KiB"):
        check_input_size(path, 1024)
    with pytest.raises(InputError, match="--max-input-size"):
        check_data_size(b"x" * 11, "name.txt", 10)


def test_child_result_and_errors(tmp_path: Path) -> None:
    """The child's file is kept; its Fic2BookError and its bugs come back as themselves."""
    target = tmp_path / "out"
    run_limited(lambda: target.write_text("done"), timeout=30, max_memory=None, what="x")
    assert target.read_text() == "done"

    def fails() -> None:
        raise InputError("bad input in the child")

    with pytest.raises(InputError, match="bad input in the child"):
        run_limited(fails, timeout=30, max_memory=None, what="x")

    def bug() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError, match="a bug"):
        run_limited(bug, timeout=30, max_memory=None, what="x")


def test_timeout_kills_the_child() -> None:
    """A render past --timeout is stopped with a one-line RenderError, promptly."""
    with pytest.raises(RenderError, match=r"took longer than 0\.5 s \(--timeout\)"):
        run_limited(lambda: time.sleep(30), timeout=0.5, max_memory=None, what="the PDF")


def test_memory_cap() -> None:
    """A render that wants more than --max-memory gets a one-line RenderError."""

    def hog() -> None:
        blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB
        del blocks

    with pytest.raises(RenderError, match=r"more than 1 GiB of memory \(--max-memory\)"):
        run_limited(hog, timeout=60, max_memory=1024**3, what="the PDF")


def test_pdf_memory_cap_through_the_cli(tmp_path: Path) -> None:
    """The PDF backend runs under the cap: a tiny --max-memory fails cleanly (exit 6)."""
    from typer.testing import CliRunner

    from fic2book.cli import app
    from tests.conftest import sample

    result = CliRunner().invoke(
        app,
        [
            "convert",
            str(sample("salt-and-semaphore.txt")),
            "--max-memory",
            "50M",
            "-o",
            str(tmp_path / "book.pdf"),
        ],
    )
    assert result.exit_code == 6, result.output
    assert "--max-memory" in result.output
    assert list(tmp_path.iterdir()) == []


# ---- a render child forked before the book exists (Prestarted) -------------------------------
# Jobs cross a pipe, so they are module-level functions.


def _write(path: Path, text: str) -> None:
    path.write_text(f"{text} {os.environ.get('FIC2BOOK_READY', '-')}")


def _fail(message: str) -> None:
    raise InputError(message)


def _hog() -> None:
    blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB
    del blocks


def _get_ready() -> None:
    # Runs in the child before the job arrives; the job sees what it did.
    os.environ["FIC2BOOK_READY"] = "ready"


def test_prestarted_child_gets_ready_then_runs_the_job(tmp_path: Path) -> None:
    child = Prestarted(_get_ready)
    target = tmp_path / "out"
    child.run(_write, target, "done", timeout=30, max_memory=None, what="x")
    assert target.read_text() == "done ready"
    assert "FIC2BOOK_READY" not in os.environ  # it happened in the child
    with pytest.raises(RuntimeError):
        child.run(_write, target, "again", timeout=30, max_memory=None, what="x")


def test_prestarted_child_errors_and_limits_come_back() -> None:
    with pytest.raises(InputError, match="bad input in the child"):
        Prestarted(_get_ready).run(
            _fail, "bad input in the child", timeout=30, max_memory=None, what="x"
        )
    with pytest.raises(RenderError, match=r"took longer than 0\.5 s \(--timeout\)"):
        Prestarted(_get_ready).run(time.sleep, 30, timeout=0.5, max_memory=None, what="the PDF")
    with pytest.raises(RenderError, match=r"more than 1 GiB of memory \(--max-memory\)"):
        Prestarted(_get_ready).run(_hog, timeout=60, max_memory=1024**3, what="the PDF")


def test_prestarted_child_that_fails_or_hangs_getting_ready(tmp_path: Path) -> None:
    def broken() -> None:
        raise OSError("no Pango here")

    with pytest.raises(OSError, match="no Pango here"):
        Prestarted(broken).run(_write, tmp_path / "x", "x", timeout=30, max_memory=None, what="x")
    assert not (tmp_path / "x").exists()
    # A child stuck getting ready never reads its job: the timeout still stops it.
    with pytest.raises(RenderError, match="took longer"):
        Prestarted(lambda: time.sleep(60)).run(
            _write, tmp_path / "y", "y" * 1_000_000, timeout=0.5, max_memory=None, what="x"
        )


def test_unused_prestarted_children_are_stopped() -> None:
    child = Prestarted(lambda: time.sleep(60))
    pid = child._pid
    with prestarted({"pdf": child}):
        assert take_prestarted("epub") is None
    # Leaving the block stopped and reaped the child nobody took.
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert take_prestarted("pdf") is None


def test_convert_renders_the_pdf_in_the_prestarted_child(tmp_path: Path) -> None:
    """With the default limits this process never imports WeasyPrint: the child did it all."""
    source = Path(__file__).resolve().parent.parent / "data" / "no-office-relations.txt"
    code = (
        "import sys; from pathlib import Path\n"
        "from fic2book.pipeline import convert_file\n"
        "from fic2book.options import RenderOptions\n"
        "limits = dict(timeout=0, max_memory=0) if sys.argv[2] == 'off' else {}\n"
        f"source = Path({str(source)!r})\n"
        "convert_file(source, ['pdf'], Path(sys.argv[1]), RenderOptions(**limits))\n"
        "print('weasyprint' in sys.modules)\n"
    )
    for limits, imported in (("on", "False"), ("off", "True")):
        book = tmp_path / f"{limits}.pdf"
        out = subprocess.run(
            [sys.executable, "-c", code, str(book), limits],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == imported
        assert book.read_bytes().startswith(b"%PDF-")
