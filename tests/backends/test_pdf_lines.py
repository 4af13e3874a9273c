"""How the PDF sets lines, read back from the word boxes poppler reports (tests/pdfboxes.py).

Real prose (paragraphs of *Les Misérables*, public domain, in tests/data/prose) goes through the
real HTML reader and the PDF backend, so these tests see what a reader of the book sees.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from fic2book.backends.pdf import PdfBackend
from fic2book.model import TagGroup, TagKind
from fic2book.options import RenderOptions
from fic2book.pagesize import page_geometry
from fic2book.readers import read_work
from tests.conftest import DATA, make_work
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


# ---- words wider than the line -------------------------------------------------------------

KEYSMASH = "".join("asdfghjkl;"[(n * 7 + n // 3) % 10] for n in range(300))
LONG_URL = "https://example.com/" + "/".join(f"segment{n}" for n in range(40))


MM = 72 / 25.4


def right_margin(book: list[Page], index: int) -> float:
    """Where the text area of page ``index`` ends: mirrored margins, the gutter inside."""
    geometry = page_geometry("A5")
    margin = geometry.outer_mm if index % 2 == 0 else geometry.inner_mm
    return book[index].width - margin * MM


def past_the_margin(book: list[Page]) -> list[str]:
    """Words that end to the right of their page's text area."""
    return [
        word.text
        for index, page in enumerate(book)
        for line in page.lines
        for word in line.words
        if word.x_max > right_margin(book, index) + 0.5
    ]


def test_long_unbreakable_words_are_broken_inside_the_margins(
    prose: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "keysmash.html"
    chapter = [*prose[:6], f"He wrote {KEYSMASH} and then stopped.", f"See {LONG_URL} now."]
    source.write_text(ao3_html("Keysmash", [chapter, prose[6:9]]), encoding="utf-8")
    target = tmp_path / "keysmash.pdf"
    PdfBackend().write(read_work(source), target, RenderOptions())
    book = pages(target)
    assert past_the_margin(book) == []
    # Every character is on the page, not clipped.
    text = letters(" ".join(line.text for page in book for line in page.lines))
    assert letters(KEYSMASH) in text
    assert letters(LONG_URL) in text


# ---- running heads -------------------------------------------------------------------------

LONG_TITLE = (
    "The Extraordinarily Long and Winding Title of a Work That Never Seems to End No Matter "
    "How Long You Read It"
)
LONG_CHAPTER = (
    "In Which Our Heroes Discover That the Chapter Title Is Itself Longer Than Any "
    "Reasonable Running Head Could Hold"
)


def head_lines(page: Page, top_margin_pt: float) -> list[Line]:
    """The lines set in the page's top margin: its running head."""
    return [line for line in page.lines if line.y_min < top_margin_pt]


def test_running_heads_stay_on_one_line_with_an_ellipsis(prose: list[str], tmp_path: Path) -> None:
    source = tmp_path / "long.html"
    text = ao3_html(LONG_TITLE, [prose[:40], prose[40:50]])
    text = text.replace("<h2>Chapter 1</h2>", f"<h2>Chapter 1: {LONG_CHAPTER}</h2>")
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "long.pdf"
    PdfBackend().write(read_work(source), target, RenderOptions())
    book = pages(target)
    top = page_geometry("A5").top_mm / 25.4 * 72
    heads = {index: head_lines(page, top) for index, page in enumerate(book)}
    with_heads = {index: lines for index, lines in heads.items() if lines}
    assert len(with_heads) >= 4, "expected running heads on the story's pages"
    titles = set()
    for index, lines in with_heads.items():
        assert len(lines) == 1, f"page {index + 1}: running head on {len(lines)} lines"
        (line,) = lines
        assert line.x_max <= book[index].width
        assert line.text.endswith("…")
        titles.add(line.text)
    # Versos show the work's title, rectos the chapter's, each shortened at a word.
    assert any(LONG_TITLE.startswith(head[:-1]) for head in titles)
    assert any(f"Chapter 1: {LONG_CHAPTER}".startswith(head[:-1]) for head in titles)
    # The outline keeps the whole chapter heading.
    reader = pypdf.PdfReader(target)
    assert any(LONG_CHAPTER in str(entry.title) for entry in reader.outline)  # type: ignore[union-attr]


# ---- tag summary ---------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["HermioneGrangerDracoMalfoyHarryPotterRonWeasleyEtc", "x" * 150])
def test_a_long_first_tag_starts_on_its_label_line(tag: str, tmp_path: Path) -> None:
    groups = (
        TagGroup(TagKind.RATING, ("Teen And Up Audiences",)),
        TagGroup(TagKind.RELATIONSHIPS, (tag, "A/B")),
    )
    work = dataclasses.replace(make_work(), tag_groups=groups)
    target = tmp_path / "tags.pdf"
    PdfBackend().write(work, target, RenderOptions())
    book = pages(target)
    summary = next(p for p in book if any(ln.text == "Tag Summary" for ln in p.lines))
    label = next(line for line in summary.lines if line.words[0].text == "Relationships:")
    assert len(label.words) >= 2 and label.words[1].text.startswith(tag[:10])
    assert past_the_margin(book) == []
