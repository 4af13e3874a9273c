"""Every page of the book follows its theme: back-matter headings and the half title.

The ``--notes end`` appendix and the update log open like the afterword (same height, same
alignment, in each theme), and the half title is set like the title page's title (its font
and colour).  Real renders, read back with poppler (tests/pdfboxes.py), pypdf and pdftoppm.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from fic2book.backends.pdf import render_pdf
from fic2book.model import UpdateEntry
from fic2book.notes import Placement
from fic2book.options import RenderOptions
from fic2book.themes import THEMES
from tests.conftest import make_work
from tests.pdfboxes import Line, pages

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftotext, pdftoppm)"
)

#: How each theme aligns its chapter and afterword headings.
ALIGNMENT = {"classic": "center", "modern": "start", "ao3": "center"}
TITLE = "A Test Work"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per theme of a work with an afterword, moved notes and an update log."""
    folder = tmp_path_factory.mktemp("theme-pages")
    update = UpdateEntry(dt.date(2024, 3, 1), added=("Chapter 2",))
    work = dataclasses.replace(make_work(), title=TITLE, updates=(update,))
    made = {}
    for theme in THEMES:
        made[theme] = folder / f"{theme}.pdf"
        render_pdf(work, made[theme], RenderOptions(theme=theme, notes=Placement.END))
    return made


def heading(path: Path, text: str) -> Line:
    """The line that opens a page with ``text``."""
    return next(page.lines[0] for page in pages(path) if page.lines and page.lines[0].text == text)


def test_theme_alignments_cover_every_theme() -> None:
    assert set(ALIGNMENT) == set(THEMES)


@pytest.mark.parametrize("theme", list(THEMES))
def test_back_matter_headings_open_like_the_afterword(theme: str, books: dict[str, Path]) -> None:
    afterword = heading(books[theme], "Afterword")
    for text in ("Notes", "Update Log"):
        line = heading(books[theme], text)  # each on a recto, as the afterword
        assert abs(line.y_min - afterword.y_min) < 1, (theme, text)
        if ALIGNMENT[theme] == "center":
            middle = (line.x_min + line.x_max) / 2
            assert abs(middle - (afterword.x_min + afterword.x_max) / 2) < 1, (theme, text)
        else:
            assert abs(line.x_min - afterword.x_min) < 1, (theme, text)


def title_fonts(path: Path, index: int) -> set[str]:
    """The fonts the book's title is drawn in on page ``index``."""
    found: set[str] = set()

    def visit(text: str, cm: object, tm: object, font: object, size: object) -> None:
        if TITLE in text and isinstance(font, dict):
            found.add(str(font.get("/BaseFont", "")).split("+")[-1])

    PdfReader(path).pages[index].extract_text(visitor_text=visit)
    return found


def red_pixels(path: Path, number: int, folder: Path) -> int:
    """How many reddish pixels page ``number`` (1-based) shows: the ao3 theme's red titles."""
    stem = folder / f"{path.stem}-{number}"
    pages_wanted = ["-f", str(number), "-l", str(number)]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", *pages_wanted, "-singlefile", str(path), str(stem)],
        check=True,
    )
    with Image.open(f"{stem}.png") as picture:
        data = picture.convert("RGB").tobytes()
    return sum(
        1
        for r, g, b in zip(*(data[n::3] for n in range(3)), strict=True)
        if r > g + 60 and r > b + 60
    )


@pytest.mark.parametrize("theme", list(THEMES))
def test_half_title_is_set_like_the_title(
    theme: str, books: dict[str, Path], tmp_path: Path
) -> None:
    # Page 1 is the half title, page 3 the title page (after the half title's blank verso).
    half, title = title_fonts(books[theme], 0), title_fonts(books[theme], 2)
    assert half and half == title, theme
    assert bool(red_pixels(books[theme], 1, tmp_path)) == bool(
        red_pixels(books[theme], 3, tmp_path)
    ), theme
