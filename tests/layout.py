"""Measure how a PDF sets a work's paragraphs: runts, widows, orphans, hyphens, running heads.

The paragraphs come from the work itself (each text block of each chapter body, split at
``<br>``), the lines from poppler's word boxes (:mod:`tests.pdfboxes`).  Lines are matched
against the paragraphs' letters in reading order, so running heads, folios, headings and notes
(which are not in the stream at that point) are skipped and a word hyphenated over two lines
still matches.  Used by the layout tests and by ``benchmarks/typeset_audit.py``.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.html

from fic2book.html.allowlist import BLOCK_TAGS
from fic2book.model import Work
from tests.pdfboxes import Line, Page

#: The hyphen WeasyPrint adds where it breaks a word (its default ``hyphenate-character``).
INSERTED_HYPHEN = "\u2010"
#: A line the matcher cannot place is looked for this far ahead in the story's letters.
_RESYNC_WINDOW = 3000
#: A line is only placed by looking ahead if it has at least this many letters.
_RESYNC_MIN = 24


def letters(text: str) -> str:
    """Only the letters and digits of ``text``, lower-cased, for matching across line breaks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


def paragraphs(work: Work) -> list[str]:
    """The text of every paragraph of the story, in order.

    A paragraph is an innermost text block of a chapter body, split where a ``<br>`` ends a
    line (AO3 writes whole chapters that way).
    """
    found: list[str] = []
    for chapter in work.chapters:
        source = str(chapter.body)
        if not source.strip():
            continue
        root = lxml.html.fragment_fromstring(source, create_parent="div")
        for br in root.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag not in BLOCK_TAGS:
                continue
            if any(
                isinstance(child.tag, str) and child.tag in BLOCK_TAGS
                for child in element.iterdescendants()
            ):
                continue
            for text in element.text_content().split("\n"):
                if letters(text):
                    found.append(text)
    return found


@dataclass(frozen=True)
class StoryLine:
    """A line of the story as set: its page, its paragraph and its place in that paragraph."""

    line: Line
    page: int
    paragraph: int
    first: bool
    last: bool


@dataclass
class Story:
    """The story's lines as found in the PDF, and how many of its letters were found."""

    lines: list[StoryLine]
    found: int
    total: int


def story(book: list[Page], texts: list[str], top_pt: float = 0.0) -> Story:
    """Place each line of ``book`` in ``texts`` (the paragraphs, in order).

    Lines in the top ``top_pt`` points of a page (running heads) are never story lines.  A line
    that does not continue the story where the last one ended is looked for a little further
    on, when it is long enough not to match by chance (a figure or a table may be missing).
    """
    stream = ""
    starts: list[int] = []
    for text in texts:
        starts.append(len(stream))
        stream += letters(text)
    ends = [*starts[1:], len(stream)]
    placed: list[tuple[Line, int, int, int]] = []
    position = found = 0
    for index, page in enumerate(book):
        for line in page.lines:
            if line.y_min < top_pt:
                continue
            key = letters(line.text)
            if not key:
                continue
            if stream.startswith(key, position):
                start = position
            elif len(key) >= _RESYNC_MIN:
                start = stream.find(key, position, position + _RESYNC_WINDOW + len(key))
                if start < 0:
                    continue
            else:
                continue
            placed.append((line, index, start, start + len(key)))
            position = start + len(key)
            found += len(key)
    lines = []
    paragraph = 0
    for line, number, start, end in placed:
        while paragraph < len(ends) - 1 and start >= ends[paragraph]:
            paragraph += 1
        lines.append(
            StoryLine(line, number, paragraph, start == starts[paragraph], end == ends[paragraph])
        )
    return Story(lines, found, len(stream))


@dataclass
class Figures:
    """What a typographer would mark in red on the proofs, counted."""

    paragraphs: int = 0
    lines: int = 0
    #: Paragraphs of two lines or more whose last line holds a single word.
    runts: list[str] = field(default_factory=list)
    #: A paragraph's first line alone at the foot of a page.
    orphans: list[str] = field(default_factory=list)
    #: A paragraph's last line alone at the head of a page.
    widows: list[str] = field(default_factory=list)
    #: Lines ending in a hyphen the layout inserted.
    hyphenated: int = 0
    #: Hyphenations leaving fewer than ``min_fragment`` letters on either side.
    short_fragments: list[str] = field(default_factory=list)
    #: Runs of more than two hyphenated lines in a row (the length of each).
    hyphen_ladders: list[int] = field(default_factory=list)
    #: Lines inside a paragraph whose spaces are over twice a space's natural width.
    loose_lines: list[str] = field(default_factory=list)
    #: The median space between words inside a paragraph, in points.
    usual_gap: float = 0.0
    #: Pages whose running head takes more than one line.
    wrapped_heads: list[int] = field(default_factory=list)
    #: Share of the story's letters found in the PDF's lines.
    coverage: float = 1.0

    def row(self) -> dict[str, object]:
        """The counts, for a table."""
        return {
            "paragraphs": self.paragraphs,
            "lines": self.lines,
            "runts": len(self.runts),
            "orphans": len(self.orphans),
            "widows": len(self.widows),
            "loose": len(self.loose_lines),
            "median space": round(self.usual_gap, 2),
            "hyphenated": self.hyphenated,
            "short fragments": len(self.short_fragments),
            "ladders >2": len(self.hyphen_ladders),
            "wrapped heads": len(self.wrapped_heads),
            "coverage": round(self.coverage, 3),
        }


def _fragment_letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _count_hyphens(lines: list[StoryLine], figures: Figures, min_fragment: int) -> None:
    run = 0
    followers: list[StoryLine | None] = [*lines[1:], None]
    for entry, following in zip(lines, followers, strict=True):
        if not entry.line.text.endswith(INSERTED_HYPHEN):
            if run > 2:
                figures.hyphen_ladders.append(run)
            run = 0
            continue
        run += 1
        figures.hyphenated += 1
        head = re.split(r"\W", entry.line.words[-1].text.rstrip(INSERTED_HYPHEN))[-1]
        tail = re.split(r"\W", following.line.words[0].text)[0] if following else ""
        if min(_fragment_letters(head), _fragment_letters(tail)) < min_fragment:
            figures.short_fragments.append(f"{head}{INSERTED_HYPHEN}{tail}")
    if run > 2:
        figures.hyphen_ladders.append(run)


def _mean_gap(line: Line) -> float:
    words = line.words
    return (line.x_max - line.x_min - sum(word.width for word in words)) / (len(words) - 1)


def _count_loose(lines: list[StoryLine], figures: Figures) -> None:
    """Lines whose spaces are over twice a space's natural width.

    The natural width is the median space of paragraphs' last lines, which are never
    justified; ragged text (``text-align: start``) has no loose lines by this measure.
    """
    last = [entry.line for entry in lines if entry.last and len(entry.line.words) > 1]
    inside = [entry.line for entry in lines if not entry.last and len(entry.line.words) > 1]
    if not last or not inside:
        return
    natural = statistics.median(_mean_gap(line) for line in last)
    figures.usual_gap = statistics.median(_mean_gap(line) for line in inside)
    figures.loose_lines = [line.text for line in inside if _mean_gap(line) > 2 * natural]


def measure(book: list[Page], texts: list[str], top_pt: float, min_fragment: int = 3) -> Figures:
    """Count the faults of the story's setting in ``book`` (see :class:`Figures`)."""
    found = story(book, texts, top_pt)
    lines = found.lines
    figures = Figures(coverage=found.found / found.total if found.total else 1.0)
    figures.lines = len(lines)
    figures.paragraphs = len({entry.paragraph for entry in lines})
    by_paragraph = itertools.groupby(lines, key=lambda entry: entry.paragraph)
    for _, group in by_paragraph:
        own = list(group)
        last = own[-1]
        if len(own) > 1 and last.last and len(last.line.words) == 1:
            figures.runts.append(f"{own[-2].line.text} / {last.line.text}")
    for entry, following in itertools.pairwise(lines):
        if following.page == entry.page:
            continue
        # entry is the last story line of its page, following the first of the next one.
        if entry.paragraph == following.paragraph:
            if entry.first:
                figures.orphans.append(entry.line.text)
            if following.last:
                figures.widows.append(following.line.text)
    _count_hyphens(lines, figures, min_fragment)
    _count_loose(lines, figures)
    figures.wrapped_heads = running_heads_wrapped(book, top_pt)
    return figures


def running_heads_wrapped(book: Iterable[Page], top_pt: float) -> list[int]:
    """The (1-based) pages with more than one line in the top margin."""
    return [
        number
        for number, page in enumerate(book, 1)
        if sum(line.y_min < top_pt for line in page.lines) > 1
    ]
