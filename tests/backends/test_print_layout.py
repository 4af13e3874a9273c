"""Print layout read back from the PDF, and the ``--gutter`` option.

Trim sizes, mirrored margins with a gutter, folios in the outer corners, running heads (title
on versos, chapter on rectos), chapters on rectos after roman-numbered front matter.

One 6x9 in book with a 10 mm gutter is rendered for the whole module (about a second).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.backends.pdf import PdfBackend
from fic2book.cli import app
from fic2book.errors import UsageError
from fic2book.html.sanitize import paragraphs
from fic2book.model import Chapter
from fic2book.options import RenderOptions
from fic2book.pagesize import TRIM_MARGINS_MM, PageSize, length_mm, page_geometry
from tests.conftest import make_work

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)

PT_PER_MM = 72 / 25.4
#: Top margin of the 6x9 in book in points: running heads sit above it.
TOP_PT = TRIM_MARGINS_MM["6x9in"][0] * PT_PER_MM

PROSE = [
    f"Paragraph {n}. The keepers argued about the weather, the tides and the proper way to "
    "fold a flag, as keepers always have, while the harbour went about its business below "
    "them, and nobody in the town admitted to reading the flags, though everybody did."
    for n in range(1, 41)
]


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]


def read_pages(path: Path) -> list[Page]:
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for width, height, body in re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S
    ):
        words = tuple(
            Word(text, float(x0), float(y0), float(x1))
            for x0, y0, x1, _y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"([^<]*)</word>",
                body,
            )
        )
        pages.append(Page(float(width), float(height), words))
    return pages


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    chapters = tuple(
        Chapter(number=n, title=f"Part {n}", body=paragraphs(PROSE)) for n in range(1, 3)
    )
    work = make_work(title="Margins", chapters=chapters, end_notes=None)
    target = tmp_path_factory.mktemp("print") / "book.pdf"
    PdfBackend().write(work, target, RenderOptions(page_size=PageSize.parse("6x9in"), gutter=10.0))
    return read_pages(target)


def story_pages(pages: list[Page]) -> list[tuple[int, Page]]:
    """(physical page number, page) of the story: pages whose folio is an arabic number."""
    found = []
    for number, page in enumerate(pages, start=1):
        foot = [w for w in page.words if w.y_min > page.height * 0.9]
        if len(foot) == 1 and foot[0].text.isdigit():
            found.append((number, page))
    return found


def body_left(page: Page) -> float:
    """The left edge of the text block: the leftmost word between head and foot."""
    return min(w.x_min for w in page.words if page.height * 0.12 < w.y_min < page.height * 0.88)


def test_trim_size_is_6x9_inches(book: list[Page]) -> None:
    assert {(p.width, p.height) for p in book} == {(432.0, 648.0)}


def test_text_block_alternates_by_the_gutter(book: list[Page]) -> None:
    outer = TRIM_MARGINS_MM["6x9in"][2] * PT_PER_MM
    inner = outer + 10 * PT_PER_MM
    pages = [(n, p) for n, p in story_pages(book) if len(p.words) > 100]
    rectos = [body_left(p) for n, p in pages if n % 2 == 1]
    versos = [body_left(p) for n, p in pages if n % 2 == 0]
    assert rectos and versos
    # Rectos (odd pages) are bound on the left: the wide inner margin is there.
    for left in rectos:
        assert left == pytest.approx(inner, abs=1.5)
    for left in versos:
        assert left == pytest.approx(outer, abs=1.5)


def test_folios_in_the_outer_corner_and_running_heads(book: list[Page]) -> None:
    heads: dict[str, set[str]] = {"recto": set(), "verso": set()}
    for number, page in story_pages(book):
        side = "recto" if number % 2 else "verso"
        (folio,) = [w for w in page.words if w.y_min > page.height * 0.9]
        if side == "recto":
            assert folio.x_min > page.width * 0.75
        else:
            assert folio.x_max < page.width * 0.25
        head = " ".join(w.text for w in page.words if w.y_min < TOP_PT - 2)
        if head:
            heads[side].add(head)
    assert heads["verso"] == {"Margins"}
    assert heads["recto"] <= {"Chapter 1: Part 1", "Chapter 2: Part 2"}
    assert heads["recto"]


def test_chapters_open_on_rectos_after_roman_front_matter(book: list[Page]) -> None:
    openers = [
        n
        for n, page in enumerate(book, start=1)
        if any(w.text == "Chapter" for w in page.words if w.y_min > page.height * 0.1)
    ]
    assert openers and all(n % 2 == 1 for n in openers)
    front_folios = [
        w.text for page in book[: openers[0] - 1] for w in page.words if w.y_min > page.height * 0.9
    ]
    assert front_folios and all(re.fullmatch(r"[ivxl]+", f) for f in front_folios)


# ---- geometry without rendering --------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "outer_mm", "inner_mm"),
    [
        ("a5", 20.0, 25.0),
        ("5.5x8.5in", 12.7, 15.875),
        ("6x9in", 15.875, 19.05),
    ],
)
def test_trim_size_defaults(size: str, outer_mm: float, inner_mm: float) -> None:
    geometry = page_geometry(size)
    assert geometry.outer_mm == pytest.approx(outer_mm)
    assert geometry.inner_mm == pytest.approx(inner_mm)
    # KDP's minimum inside margin for up to 150 pages is 0.375 in.
    assert geometry.inner_mm >= 0.375 * 25.4


def test_gutter_option_widens_only_the_inner_margin() -> None:
    default, wide = page_geometry("a5"), page_geometry("a5", "0.5in")
    assert wide.outer_mm == default.outer_mm
    assert wide.inner_mm == pytest.approx(default.outer_mm + 12.7)
    assert page_geometry("a5", "0mm").inner_mm == default.outer_mm
    assert "margin-left: 32.7mm" in wide.css()


@pytest.mark.parametrize("value", ["10", "ten mm", "-3mm", "5em", "80mm"])
def test_bad_gutter_values_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError):
        page_geometry("a5", value)


def test_gutter_too_wide_for_the_page_is_refused() -> None:
    assert length_mm("39mm") == 39.0
    with pytest.raises(UsageError, match="too narrow"):
        page_geometry("80x125mm", "39mm")


def test_cli_refuses_a_bad_gutter_before_reading(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["convert", str(tmp_path / "missing.txt"), "--to", "pdf", "--gutter", "wide"]
    )
    assert result.exit_code == 2
    assert "fic2book: usage:" in result.output
