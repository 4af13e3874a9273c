"""How the PDF sets lines, read back from the word boxes poppler reports (tests/pdfboxes.py).

Real prose (paragraphs of *Les Misérables*, public domain, in tests/data/prose) goes through the
real HTML reader and the PDF backend, so these tests see what a reader of the book sees.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import unicodedata
from dataclasses import dataclass

import pytest

from fic2book.backends.pdf import PdfBackend
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.pdfboxes import Line, Page, Word, pages

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"
)

PROSE = DATA / "prose" / "les-miserables-paragraphs.txt"
#: AO3's HTML puts layout whitespace before ``</p>``; each paragraph gets one of these ends.
AO3_ENDS = ("\n</p>", "  \n</p>", "</p>", " </p>", "\n  </p>")
#: Wider than any space the line breaker sets, narrower than any word: a word "fits" beside
#: another when their widths and this gap fit in the column.
GAP = 2.0


def letters(text: str) -> str:
    """Only the letters and digits of ``text``, lower-cased, for matching across line breaks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


def ao3_html(title: str, chapters: list[list[str]]) -> str:
    """A work as AO3-style HTML: each paragraph ends in one of :data:`AO3_ENDS`."""
    parts = [f"<html><body><h1>{html.escape(title)}</h1>"]
    count = 0
    for number, paragraphs in enumerate(chapters, 1):
        parts.append(f"<h2>Chapter {number}</h2>\n")
        for text in paragraphs:
            parts.append(f"<p>{html.escape(text)}{AO3_ENDS[count % len(AO3_ENDS)]}\n")
            count += 1
    parts.append("</body></html>")
    return "".join(parts)


@dataclass(frozen=True)
class StoryLine:
    """A line of the story's text: where it is and whether it ends its paragraph."""

    line: Line
    page: Page
    last_of_paragraph: bool


def story_lines(book: list[Page], paragraphs: list[str]) -> list[StoryLine]:
    """The lines that set ``paragraphs``, in order, each knowing if it ends its paragraph.

    Lines are matched against the paragraphs' letters in reading order, so running heads,
    folios and headings (which are not in the stream at that point) are skipped, and a
    hyphenated word split over two lines still matches.
    """
    stream = ""
    ends: set[int] = set()
    for text in paragraphs:
        stream += letters(text)
        ends.add(len(stream))
    found: list[StoryLine] = []
    position = 0
    for page in book:
        for line in page.lines:
            key = letters(line.text)
            if key and stream.startswith(key, position):
                position += len(key)
                found.append(StoryLine(line, page, position in ends))
    assert position == len(stream), (
        f"only {position} of {len(stream)} letters of the story were found in the PDF's lines"
    )
    return found


def column(page: Page, lines: list[StoryLine]) -> tuple[float, float]:
    """The left and right edges of the story's text on ``page``."""
    on_page = [entry.line for entry in lines if entry.page is page]
    return min(line.x_min for line in on_page), max(line.x_max for line in on_page)


def stranded(lines: list[StoryLine]) -> list[str]:
    """Lines holding one word that is not its paragraph's last, though the next word fitted.

    A one-word line inside a paragraph is right only when that word and the next line's
    first word cannot share a line (a very long word); that is what this measures.
    """
    found = []
    for entry, following in itertools.pairwise(lines):
        if entry.last_of_paragraph or len(entry.line.words) != 1:
            continue
        left, right = column(entry.page, lines)
        needed = entry.line.words[0].width + GAP + following.line.words[0].width
        if needed <= right - left:
            found.append(f"{entry.line.text!r} (then {following.line.text!r})")
    return found


@pytest.fixture(scope="module")
def prose() -> list[str]:
    return PROSE.read_text(encoding="utf-8").splitlines()


def test_no_word_is_stranded_alone_inside_a_paragraph(
    prose: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("stranded")
    source = folder / "bishop.html"
    chapters = [prose[:100], prose[100:200], prose[200:]]
    source.write_text(ao3_html("Zzyzx Harbour", chapters), encoding="utf-8")
    target = folder / "bishop.pdf"
    PdfBackend().write(read_work(source), target, RenderOptions())
    lines = story_lines(pages(target), prose)
    assert len(lines) > 2 * len(prose), "expected most paragraphs to take several lines"
    assert sum(entry.last_of_paragraph for entry in lines) == len(prose)
    assert stranded(lines) == []


def test_stranded_word_check_tells_a_stranded_word_from_a_long_one() -> None:
    """The check itself: a one-word line inside a paragraph is caught unless it must be."""
    page = Page(400, 600, ())

    def line(*spans: tuple[float, float]) -> Line:
        return Line(tuple(Word("w", x, 0.0, x + width, 10.0) for x, width in spans))

    full, end = line((0, 40), (45, 355)), line((0, 30), (35, 15))
    alone, huge = line((0, 35)), line((0, 380))
    stranded_case = [StoryLine(full, page, False), StoryLine(alone, page, False)]
    assert len(stranded([*stranded_case, StoryLine(end, page, True)])) == 1
    # A word too wide to share a line with the next one may stand alone.
    forced = [StoryLine(full, page, False), StoryLine(huge, page, False)]
    assert stranded([*forced, StoryLine(huge, page, True)]) == []
    # A paragraph's last line may hold one word.
    assert stranded([StoryLine(alone, page, True), StoryLine(end, page, True)]) == []


def test_ao3_html_really_ends_paragraphs_with_whitespace() -> None:
    text = ao3_html("T", [["one two", "three four"]])
    assert re.search(r"two\n</p>", text)
