"""The limits of fic2book.limits: sizes, time-outs and memory caps, in-process and fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fic2book.errors import InputError, RenderError, UsageError
from fic2book.limits import (
    check_data_size,
    check_input_size,
    parse_seconds,
    parse_size,
    run_limited,
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
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"took longer than 0\.5 s \(--timeout\)"):
        run_limited(lambda: time.sleep(30), timeout=0.5, max_memory=None, what="the PDF")
    assert time.monotonic() - started < 10


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
