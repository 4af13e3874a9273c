"""Designed books pass the same accessibility check as default ones (Ace by DAISY).

The default books are checked in tests/backends/test_accessibility.py.  A theme, an opening, an
ornament, a label language, embedded fonts or an omnibus each change the markup a reader's
assistive software meets (drop-cap spans, small-capital runs, translated landmarks and
contents, per-work ``lang``), so each kind is checked here once: one book per row, every
design choice appearing in at least one row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.design import Opening
from fic2book.options import ChapterNumbers, RenderOptions
from fic2book.pipeline import convert_combined, convert_file
from tests.backends.test_accessibility import ace, run_ace, violations
from tests.conftest import DATA

__all__ = ["ace"]  # the fixture, imported for pytest

WIP = DATA / "ao3" / "ao3-2023-wip.html"
CHAPTERED = DATA / "ao3" / "ao3-2021-chaptered.html"
MARKDOWN = DATA / "markdown" / "full.md"

#: name -> (options, sources): each theme, each opening, three ornaments, three label languages.
DESIGNS: dict[str, tuple[RenderOptions, tuple[Path, ...]]] = {
    "classic-dropcap-fr": (
        RenderOptions(
            theme="classic",
            opening=Opening.DROPCAP,
            ornament="fleuron",
            labels="fr",
            chapter_numbers=ChapterNumbers.WORDS,
            front_matter=("half-title", "title", "credits", "tags"),
            bound_by="Ana Relieuse",
        ),
        (CHAPTERED,),
    ),
    "modern-smallcaps-zh": (
        RenderOptions(theme="modern", opening=Opening.SMALLCAPS, ornament="dinkus", labels="zh"),
        (WIP,),
    ),
    "ao3-plain-fonts": (
        RenderOptions(theme="ao3", ornament="rule", embed_fonts=True),
        (MARKDOWN,),
    ),
    "omnibus-de": (
        RenderOptions(theme="modern", opening=Opening.DROPCAP, labels="de"),
        (CHAPTERED, WIP),
    ),
}


def _build(name: str, folder: Path) -> Path:
    options, sources = DESIGNS[name]
    target = folder / f"{name}.epub"
    if len(sources) > 1:
        (book,) = convert_combined(sources, ["epub"], target, options)
    else:
        (book,) = convert_file(sources[0], ["epub"], target, options)
    return book


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DESIGNS))
def test_designed_books_have_no_accessibility_violations(
    name: str, ace: list[str], tmp_path: Path
) -> None:
    report = run_ace(ace, _build(name, tmp_path), tmp_path / "ace")
    assert violations(report) == []
    assert report["earl:result"] == {"earl:outcome": "pass"}
    assert report["_exit_code"] == 0
