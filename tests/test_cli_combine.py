"""``fic2book convert --combine`` from the command line: one book from several inputs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fic2book.cli import app
from tests.conftest import DATA
from tests.textract import epub_metadata

SOURCES = [DATA / "markdown" / "full.md", DATA / "ao3" / "ao3-2021-chaptered.html"]


def test_combine_writes_one_book_named_by_o(tmp_path: Path) -> None:
    target = tmp_path / "omnibus.epub"
    args = [*map(str, SOURCES), "--combine", "--title", "Both", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {target}"
    assert epub_metadata(target)["title"] == ["Both"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["omnibus.epub"]


def test_title_without_combine_is_a_usage_error(tmp_path: Path) -> None:
    args = [str(SOURCES[0]), "--title", "X", "-o", str(tmp_path / "a.epub")]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code != 0
    assert "--title needs --combine" in result.output
    assert not (tmp_path / "a.epub").exists()


def test_a_bad_input_fails_the_omnibus_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    target = tmp_path / "omnibus.epub"
    args = [str(SOURCES[0]), str(missing), "--combine", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code != 0
    assert "missing.html" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()
