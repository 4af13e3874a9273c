"""Choosing the reader: by suffix, by sniffing among the readers of a suffix, ``--from`` wins.

The command line is exercised end to end (``formats``, ``inspect --from``, ``convert`` of a
Markdown draft and of a DRM EPUB) with the real readers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.errors import InputError, UnknownFormatError
from fic2book.model import Work
from fic2book.readers import READERS, read_work, reader_for, reader_named, register
from fic2book.readers.epub import EpubReader
from fic2book.readers.markdown import MarkdownReader
from fic2book.readers.text import TextReader

FRONT_MATTER = "---\ntitle: Fenced\nauthor: someone\n---\n# One\n\nWords here.\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("book.epub", EpubReader),
        ("BOOK.EPUB", EpubReader),
        ("draft.md", MarkdownReader),
        ("draft.markdown", MarkdownReader),
        ("work.txt", TextReader),
    ],
)
def test_reader_by_suffix(tmp_path: Path, name: str, reader: type) -> None:
    assert reader_for(write(tmp_path / name, "x\n")).load() is reader


def test_txt_with_front_matter_stays_text(tmp_path: Path) -> None:
    """A ``.txt`` belongs to the text reader even when it looks like Markdown."""
    path = write(tmp_path / "draft.txt", FRONT_MATTER)
    assert reader_for(path).load() is TextReader


def test_from_overrides_the_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "draft.txt", FRONT_MATTER)
    work = read_work(path, "markdown")
    assert work.title == "Fenced" and work.authors == ("someone",)
    assert [c.title for c in work.chapters] == ["One"]


def test_from_epub_on_another_suffix(tmp_path: Path) -> None:
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip")
    with pytest.raises(UnknownFormatError):
        reader_for(path)
    assert reader_named("EPUB").load() is EpubReader


def test_every_reader_is_registered_once() -> None:
    assert {"epub", "markdown", "text"} <= set(READERS)
    claimed = [suffix for cls in READERS.values() for suffix in cls.suffixes]
    assert claimed.count(".md") == 1
    # FanFicFare's EPUBs are told from others by content (its reader sniffs them).
    assert {name for name, cls in READERS.items() if ".epub" in cls.suffixes} == {
        "epub",
        "fanficfare",
    }


def test_sniff_scores_are_sensible() -> None:
    epub_head = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip"
    assert EpubReader().sniff(epub_head) == 100
    assert EpubReader().sniff(b"PK\x03\x04other zip") == 20
    assert EpubReader().sniff(b"---\ntitle: x\n") == 0
    assert MarkdownReader().sniff(FRONT_MATTER.encode()) == 100
    assert MarkdownReader().sniff(b"# Heading\n\ntext") == 50
    assert MarkdownReader().sniff(b"just prose") == 10


# --- the command line --------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_formats_lists_every_reader_and_backend(runner: CliRunner) -> None:
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    inputs = lines[1 : lines.index("Output formats (--to):")]
    listed = {line.split()[0] for line in inputs}
    assert set(READERS) == listed
    assert any(".md, .markdown" in line for line in inputs)
    assert any(line.split()[:2] == ["epub", ".epub"] for line in inputs)
    outputs = lines[lines.index("Output formats (--to):") + 1 :]
    assert {line.split()[0] for line in outputs} >= {"epub", "pdf"}
    # The description column lines up whatever the longest suffix list.
    starts = {line.index(READERS[line.split()[0]].description) for line in inputs}
    assert len(starts) == 1


def test_inspect_with_from(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "draft.txt", FRONT_MATTER)
    result = runner.invoke(app, ["inspect", str(path), "--from", "markdown", "--json"])
    assert result.exit_code == 0, result.stderr
    assert '"title": "Fenced"' in result.stdout


def test_convert_markdown(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path / "draft.md", FRONT_MATTER)
    result = runner.invoke(app, ["convert", str(path), "-o", str(tmp_path / "out.epub")])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.epub").is_file()


def test_convert_drm_epub_is_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "locked.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip")
        archive.writestr("META-INF/rights.xml", b"<rights/>")
    result = runner.invoke(app, ["convert", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "encrypted (DRM) EPUB" in lines[0]
    assert lines[0].startswith("fic2book: cannot read input: ")


# --------------------------------------------------------------------------------------------
# One bad input is one line: whatever a reader raises


@register("test-crash", (".crash",), "raises what it is told to (tests only)")
class _CrashingReader:
    """A reader with a bug: what read_work makes of an exception no reader foresaw."""

    def sniff(self, head: bytes) -> int:
        return 1

    def read(self, path: Path) -> Work:
        kind = path.read_text(encoding="utf-8").strip()
        if kind == "value":
            int("9" * 5000)  # Python's own digit limit: a ValueError with a long message
        if kind == "recursion":
            raise RecursionError("maximum recursion depth exceeded")
        if kind == "memory":
            raise MemoryError
        raise KeyError(kind)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("value", "ValueError: Exceeds"), ("recursion", "RecursionError"), ("x", "KeyError")],
)
def test_an_unforeseen_exception_is_one_input_error(tmp_path: Path, kind: str, shown: str) -> None:
    path = write(tmp_path / "bad.crash", kind)
    with pytest.raises(InputError) as info:
        read_work(path)
    message = str(info.value)
    assert message.startswith(f"{path}: could not be read ({shown}")
    assert "\n" not in message and len(message) < len(str(path)) + 200
    assert info.value.__cause__ is not None  # --debug shows the original traceback


def test_running_out_of_memory_is_left_to_the_memory_limit(tmp_path: Path) -> None:
    with pytest.raises(MemoryError):
        read_work(write(tmp_path / "big.crash", "memory"))


def test_the_cli_prints_one_line_and_goes_on(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.crash", "value")
    good = write(tmp_path / "good.txt", "Title: Good\n\nWords.\n")
    result = CliRunner().invoke(
        app, ["convert", str(bad), str(good), "--to", "epub", "-o", f"{tmp_path}/"]
    )
    assert result.exit_code == 3, result.output
    errors = [line for line in result.stderr.splitlines() if "bad.crash" in line]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert (tmp_path / "Good.epub").exists() or any(tmp_path.glob("*.epub"))
