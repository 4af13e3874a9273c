"""Golden files: the rendered title page, tag summary and first chapter of every sample.

Compares the rendered XHTML fragments, never whole books (zip times and ``dcterms:modified``
move).  After an intended change, run ``pytest tests/golden --update-golden``, read the git diff
of ``tests/golden/expected`` and commit it with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.options import RenderOptions
from fic2book.render import render_part
from tests.backends.conftest import input_files, read_input

EXPECTED = Path(__file__).resolve().parent / "expected"
PARTS = ("title_page", "tag_summary", "chap_001")


def render(path: Path, part: str) -> str:
    """One part of a sample as the backends render it."""
    work = read_input(path)
    options = RenderOptions()
    if part == "chap_001":
        return render_part("chapter", work, options, chapter=work.chapters[0])
    return render_part(part, work, options)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("path", input_files(), ids=lambda p: p.stem)
def test_rendered_part_matches_golden(path: Path, part: str, update_golden: bool) -> None:
    actual = render(path, part)
    expected_file = EXPECTED / path.stem / f"{part}.html"
    if update_golden:
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8")
        return
    assert expected_file.is_file(), f"{expected_file} is missing: run pytest --update-golden"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_every_golden_folder_has_a_sample() -> None:
    # A renamed or removed sample must not leave stale expectations behind.
    stems = {path.stem for path in input_files()}
    assert {folder.name for folder in EXPECTED.iterdir() if folder.is_dir()} <= stems
