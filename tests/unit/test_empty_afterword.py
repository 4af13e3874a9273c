"""An empty "Works inspired by this one" is nothing: no heading, no bullet, no Afterword page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fic2book.html.clean import clean_markup
from fic2book.readers import read_work
from tests.conftest import DATA

AO3 = DATA / "ao3"


@pytest.mark.parametrize(
    ("name", "pattern", "empty"),
    [
        # AO3's download: a dl with a dd per work.
        (
            "ao3-2024-plural.html",
            r"<dd>\s*<a href=\"http://archiveofourown.org/works/4000010\">.*?</dd>",
            "<dd>\n            </dd>",
        ),
        # A saved work page: div#children with a ul.
        (
            "saved-page.html",
            r"<ul><li><a href=\"https://archiveofourown.org/works/6000020\">.*?</ul>",
            "<ul></ul>",
        ),
    ],
)
def test_an_empty_inspired_list_adds_nothing(
    name: str, pattern: str, empty: str, tmp_path: Path
) -> None:
    source = (AO3 / name).read_text(encoding="utf-8")
    hollow, count = re.subn(pattern, empty, source, count=1, flags=re.S)
    assert count == 1
    (tmp_path / name).write_text(hollow, encoding="utf-8")
    before = read_work(AO3 / name)
    after = read_work(tmp_path / name)
    assert "Works inspired by this one" in str(before.end_notes)
    assert "Works inspired by this one" not in str(after.end_notes or "")
    assert "<li" not in str(after.end_notes or "")


def test_an_empty_list_is_nothing() -> None:
    assert clean_markup("<p>a</p><ul></ul><ol> <li> </li></ol><p>b</p>", context="t") == (
        "<p>a</p><p>b</p>"
    )
