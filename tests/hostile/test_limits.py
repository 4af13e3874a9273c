"""The limits: sizes, time-outs and memory caps on the whole conversion of a work.

``fic2book.units`` parses the options, ``fic2book.limits`` checks input sizes, and
``fic2book.sandbox.run_limited`` runs one work's conversion in a forked child under
``--timeout`` and ``--max-memory``; hitting either is one line and exit 6.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fic2book.errors import InputError, RenderError, UsageError
from fic2book.limits import check_data_size, check_input_size
from fic2book.sandbox import inside_sandbox, run_limited
from fic2book.units import parse_seconds, parse_size


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
    assert run_limited(lambda: target.write_text("done"), timeout=30, max_memory=None, what="x")
    assert target.read_text() == "done"
    assert run_limited(lambda: {"pid": os.getpid()}, timeout=30, max_memory=None, what="x") != {
        "pid": os.getpid()
    }

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


def test_without_limits_or_inside_the_sandbox_the_task_runs_here() -> None:
    """No fork without limits, and none nested: the outer child's limits already apply."""
    assert run_limited(os.getpid, timeout=0, max_memory=0, what="x") == os.getpid()
    assert not inside_sandbox()

    def nested() -> tuple[int, int, bool]:
        inner = run_limited(os.getpid, timeout=30, max_memory=2 * 1024**3, what="y")
        return os.getpid(), inner, inside_sandbox()

    outer, inner, inside = run_limited(nested, timeout=30, max_memory=None, what="x")
    assert outer == inner != os.getpid()
    assert inside


def test_memory_cap() -> None:
    """A render that wants more than --max-memory gets a one-line RenderError."""

    def hog() -> None:
        blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB
        del blocks

    with pytest.raises(RenderError, match=r"more than 1 GiB of memory \(--max-memory\)"):
        run_limited(hog, timeout=60, max_memory=1024**3, what="the PDF")


def test_memory_cap_through_the_cli(tmp_path: Path) -> None:
    """The whole conversion runs under the cap: a tiny --max-memory fails cleanly (exit 6)."""
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


# ---- the whole conversion of a work runs under the limits -----------------------------------


def _tiny_paragraphs(path: Path, megabytes: int) -> Path:
    """An HTML file of ``<p>a</p>`` lines: the most memory per input byte of any reader."""
    count = megabytes * 1024 * 1024 // 9
    path.write_text("<title>Tiny</title>" + "<p>a</p>\n" * count, encoding="utf-8")
    return path


def _convert(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fic2book", "convert", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.parametrize(
    "cap",
    [
        "300M",
        "400M",
        pytest.param("600M", marks=pytest.mark.slow),
        pytest.param("900M", marks=pytest.mark.slow),
    ],
)
def test_hitting_max_memory_is_one_line_and_exit_6(tmp_path: Path, cap: str) -> None:
    """Reading, cleaning and writing are all under --max-memory; the end is one clean line.

    At 300M and 600M the child once printed "Exception ignored in sys.unraisablehook"
    noise, at 400M a 45-line traceback (libxml2 reports a failed allocation as a parse error).
    """
    source = _tiny_paragraphs(tmp_path / "tiny.html", 8)
    result = _convert(source, "--to", "epub,pdf", "--max-memory", cap, "-o", "out/", cwd=tmp_path)
    assert result.returncode == 6, result.stderr[-3000:]
    assert result.stderr.splitlines() == [
        f"fic2book: cannot render: converting {source} needed more than "
        f"{cap[:-1]} MiB of memory (--max-memory)"
    ]
    assert not [path for path in tmp_path.rglob("*") if path.name.startswith(".fic2book-")]


def test_timeout_bounds_reading_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    """--timeout stops the conversion wherever it is; a killed child's temporary file goes."""
    from fic2book.options import RenderOptions
    from fic2book.pipeline import convert_file

    source = Path(__file__).resolve().parent.parent / "data" / "no-office-relations.txt"
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RenderError, match=r"^converting .* took longer than 0\.2 s \(--timeout\)$"):
        convert_file(source, ["epub", "pdf"], out, RenderOptions(timeout=0.2, max_memory=0))
    assert [path.name for path in out.iterdir() if path.name.startswith(".fic2book-")] == []


def test_library_call_makes_the_book_with_and_without_limits(tmp_path: Path) -> None:
    """convert_file works the same whether limits (a sandboxed child) apply or not."""
    source = Path(__file__).resolve().parent.parent / "data" / "no-office-relations.txt"
    code = (
        "import sys; from pathlib import Path\n"
        "from fic2book.pipeline import convert_file\n"
        "from fic2book.options import RenderOptions\n"
        "limits = {} if sys.argv[2] == 'off' else dict(timeout=600, max_memory=4 << 30)\n"
        f"source = Path({str(source)!r})\n"
        "convert_file(source, ['pdf'], Path(sys.argv[1]), RenderOptions(**limits))\n"
    )
    for limits in ("on", "off"):
        book = tmp_path / f"{limits}.pdf"
        subprocess.run([sys.executable, "-c", code, str(book), limits], check=True)
        assert book.read_bytes().startswith(b"%PDF-")


def test_library_default_forks_nothing(tmp_path: Path) -> None:
    """convert_file with the library's default options converts in the caller's process.

    A fork inside a library caller's threaded program is unsafe, so only the CLI and the web
    page (bounded_defaults) sandbox a conversion in a child.
    """
    source = Path(__file__).resolve().parent.parent / "data" / "no-office-relations.txt"
    code = (
        "import os, sys; from pathlib import Path\n"
        "from fic2book.pipeline import convert_file\n"
        "from fic2book.options import RenderOptions, bounded_defaults\n"
        "forks = []\n"
        "os.register_at_fork(before=lambda: forks.append(1))\n"
        f"source = Path({str(source)!r})\n"
        "convert_file(source, ['epub'], Path(sys.argv[1]), RenderOptions())\n"
        "assert not forks, 'the library default forked'\n"
        "convert_file(source, ['epub'], Path(sys.argv[2]), bounded_defaults())\n"
        "assert forks, 'the CLI defaults did not sandbox'\n"
    )
    unbounded, bounded = tmp_path / "free.epub", tmp_path / "bounded.epub"
    subprocess.run([sys.executable, "-c", code, str(unbounded), str(bounded)], check=True)
    assert unbounded.read_bytes().startswith(b"PK") and bounded.read_bytes().startswith(b"PK")


def test_cli_and_web_defaults_stay_bounded() -> None:
    """What convert, batch, bind and the web page use when no limit is given: bounded."""
    from fic2book.cli.app import DEFAULTS
    from fic2book.options import RenderOptions
    from fic2book.web.app import ServerSettings

    for options in (DEFAULTS, ServerSettings(token="t").options):
        assert options.timeout == 600 and options.max_memory == 4 * 1024**3
    assert RenderOptions().timeout == 0 and RenderOptions().max_memory == 0


def test_batch_bounds_each_work(tmp_path: Path) -> None:
    """A work over --max-memory fails alone in a batch; the other works get their books."""
    library = tmp_path / "lib"
    library.mkdir()
    _tiny_paragraphs(library / "hog.html", 8)
    (library / "ok.txt").write_text("Title: OK\nAuthor: A\n\nHello there.\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "fic2book", "batch", "lib", "-o", "out", "--max-memory", "300M"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert "needed more than 300 MiB of memory (--max-memory)" in result.stdout + result.stderr
    assert [book.name for book in (tmp_path / "out").rglob("*.epub")] == ["OK - A.epub"]


def test_progress_stages_reach_the_parent() -> None:
    """What the child reports (reading, laying out the PDF) reaches the parent's listener."""
    from fic2book.progress import listening, report

    seen: list[str] = []

    def task() -> int:
        report("Writing the EPUB")
        report("Laying out\nthe PDF")
        return 1

    with listening(seen.append):
        assert run_limited(task, timeout=30, max_memory=None, what="x") == 1
    assert seen == ["Writing the EPUB", "Laying out the PDF"]


# ---- the batch worker's resident sandbox ----------------------------------------------------
# Jobs cross a pipe, so they are module-level functions.


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value


def _fail(message: str) -> None:
    raise InputError(message)


def _hog() -> None:
    blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB
    del blocks


def test_resident_sandbox_keeps_its_child_and_each_limit_per_job() -> None:
    """One child serves job after job; a job past a limit costs only that child."""
    from fic2book.sandbox import _peak_address_space
    from fic2book.sandbox_resident import ResidentSandbox
    from fic2book.units import human_size

    sandbox = ResidentSandbox()
    # A child starts with its parent's address space (a test process's can be large): the
    # cap leaves it 1 GiB more, and the hog wants 4 GiB.
    cap = _peak_address_space() + 1024**3
    limits = {"timeout": 30.0, "max_memory": cap, "what": "converting x"}
    try:
        first, one = sandbox.run(_pid_and, 1, **limits)  # type: ignore[arg-type]
        second, two = sandbox.run(_pid_and, 2, **limits)  # type: ignore[arg-type]
        assert (one, two) == (1, 2)
        assert first == second != os.getpid()
        with pytest.raises(InputError, match="bad input"):
            sandbox.run(_fail, "bad input", **limits)  # type: ignore[arg-type]
        assert sandbox.run(_pid_and, 3, **limits)[0] == first  # type: ignore[arg-type]
        with pytest.raises(RenderError, match=rf"^converting x needed more than {human_size(cap)}"):
            sandbox.run(_hog, **limits)  # type: ignore[arg-type]
        after_memory, _ = sandbox.run(_pid_and, 4, **limits)  # type: ignore[arg-type]
        assert after_memory != first  # a fresh child after running out of memory
        with pytest.raises(RenderError, match=r"took longer than 0\.5 s \(--timeout\)"):
            sandbox.run(time.sleep, 30, timeout=0.5, max_memory=None, what="x")
        after_timeout, _ = sandbox.run(_pid_and, 5, **limits)  # type: ignore[arg-type]
        assert after_timeout not in (first, after_memory)
    finally:
        sandbox.close()
    assert sandbox.run(_pid_and, 6, timeout=0, max_memory=0, what="x")[0] == os.getpid()
