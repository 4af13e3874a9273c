"""``--volume-tags first|each``: the tag summary in every volume, or in the first only."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.errors import UsageError
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_volumes

WIP = Path(__file__).parent / "data" / "ao3" / "ao3-2023-wip.html"


def _has_tag_summary(book: Path) -> bool:
    with zipfile.ZipFile(book) as archive:
        return any(name.endswith("tag_summary.xhtml") for name in archive.namelist())


@pytest.mark.parametrize(("choice", "expected"), [("each", [True, True]), ("first", [True, False])])
def test_tag_summary_in_each_or_first_volume(
    tmp_path: Path, choice: str, expected: list[bool]
) -> None:
    options = RenderOptions(volume_tags=choice)
    books = convert_volumes(WIP, ["epub"], tmp_path, options, "1-1,2-3", into_folder=True)
    assert [_has_tag_summary(book) for book in sorted(books)] == expected


def test_cli_volume_tags_first_and_bad_value(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["convert", str(WIP), "--volumes", "1-2,3", "-o", f"{tmp_path}/", "--to", "epub"]
    result = runner.invoke(app, [*args, "--volume-tags", "first"])
    assert result.exit_code == 0, result.output
    books = sorted(tmp_path.glob("*.epub"))
    assert [_has_tag_summary(book) for book in books] == [True, False]
    bad = runner.invoke(app, [*args, "--volume-tags", "some"])
    assert bad.exit_code == 2
    with pytest.raises(UsageError, match="first or each"):
        RenderOptions(volume_tags="some")
