"""The EPUB asks e-readers for the PDF's hyphenation limits, widows and orphans, in each theme.

E-readers lay the text out themselves, so this checks what the book asks of them: the rules
in its stylesheets, which no theme may undo.  (The PDF's setting is read back from its pages
in test_pdf_setting.py.)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import tinycss2

from fic2book.backends.epub import EpubBackend
from fic2book.options import RenderOptions
from tests.conftest import make_work

#: What the body must get, as WeasyPrint, Chromium or Firefox and WebKit readers spell it.
EXPECTED = {
    "hyphens": "auto",
    "hyphenate-limit-chars": "6 3 3",
    "-webkit-hyphenate-limit-before": "3",
    "-webkit-hyphenate-limit-after": "3",
    "-webkit-hyphenate-limit-lines": "2",
    "orphans": "2",
    "widows": "2",
}


def body_declarations(sheets: list[str]) -> dict[str, str]:
    """The declarations of every ``body`` rule of ``sheets``, later sheets winning."""
    found: dict[str, str] = {}
    for sheet in sheets:
        for rule in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != "body":
                continue
            for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
                if item.type == "declaration":
                    found[item.lower_name] = tinycss2.serialize(item.value).strip()
    return found


@pytest.mark.parametrize("theme", ["classic", "modern", "ao3"])
def test_epub_asks_for_the_hyphenation_limits(theme: str, tmp_path: Path) -> None:
    target = tmp_path / "book.epub"
    EpubBackend().write(make_work(), target, RenderOptions(theme=theme))
    with zipfile.ZipFile(target) as archive:
        sheets = [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith(".css") and "user_" not in name
        ]
    declarations = body_declarations(sheets)
    assert {key: declarations.get(key) for key in EXPECTED} == EXPECTED
