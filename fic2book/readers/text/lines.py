"""The body of a seed text file as lines: layout, scene breaks, headings, joined paragraphs.

Paragraphs are either one per line (the seed) or separated by blank lines, with hard-wrapped
lines joined by a space; the layout is detected per file.  Scene-break lines (``***``, ``~~~``,
``oOo``, ``◇◇◇``…) become breaks.  The chosen headings split the blocks into chapters; a table
of contents is not taken for the chapters; text before the first heading is the work's notes
(unless the first heading is "Chapter 2", when it is chapter 1).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fic2book.readers.common import (
    is_scene_break,
)
from fic2book.readers.text.headings import (
    Heading,
    drop_contents_list,
    parse_heading,
    select_headings,
)

logger = logging.getLogger(__name__)

CHAPTER_NOTE = re.compile(r"chapter\s+(summary|notes|end\s+notes)\s*:\s*(.*)", re.IGNORECASE)
_MAX_HEADING = 80
_SENTENCE_END = frozenset(".!?…\"'\u201d\u2019)")


def first_content(lines: Sequence[str]) -> int | None:
    """Index of the first non-blank line, or ``None``."""
    for index, line in enumerate(lines):
        if line.strip():
            return index
    return None


class Line(Enum):
    """What one body line is."""

    BLANK = "blank"
    TEXT = "text"
    BREAK = "break"
    HEADING = "heading"


@dataclass
class Block:
    """A paragraph, break, heading or chapter note, after lines have been joined."""

    kind: Line
    text: str = ""
    heading: Heading | None = None


@dataclass(frozen=True)
class Body:
    """The body split into chapters: the heading (``None`` for a heading-less work) and blocks."""

    preamble: list[Block]
    sections: list[tuple[Heading | None, list[Block]]]
    #: Whether any heading was found (an untitled first chapter may still open the body).
    headed: bool


def parse_body(raw_lines: list[str], path: Path, declared: int | None = None) -> Body:
    """Classify lines, choose the real headings, join paragraphs and split into chapters."""
    lines = [line.strip() for line in raw_lines]
    width = _wrap_width(lines)
    blank_mode = width is not None or _mostly_blank_separated(lines)
    kinds = [Line.BLANK if not line else Line.TEXT for line in lines]
    candidates: list[Heading] = []
    for index, line in enumerate(lines):
        if not line or len(line) > _MAX_HEADING:
            continue
        if is_scene_break(line):
            kinds[index] = Line.BREAK
            continue
        heading = parse_heading(index, line)
        if heading is not None and (not blank_mode or _stands_alone(lines, index, width)):
            candidates.append(heading)
    choice = select_headings(drop_contents_list(candidates, lines), lines, declared)
    headings = choice.headings
    for heading in headings:
        kinds[heading.index] = Line.HEADING
    blocks = _join_blocks(lines, kinds, {h.index: h for h in headings}, blank_mode)
    preamble: list[Block] = []
    sections: list[tuple[Heading | None, list[Block]]] = []
    if not headings:
        sections.append((None, blocks))
    else:
        current = preamble
        for block in blocks:
            if block.kind is Line.HEADING:
                current = []
                sections.append((block.heading, current))
            else:
                current.append(block)
    if choice.preamble_is_chapter:
        # The text before "Chapter 2" is chapter 1 whose heading did not survive: a chapter,
        # never the work's notes.
        sections.insert(0, (None, preamble))
        preamble = []
    if any(block.kind is Line.TEXT for block in preamble):
        logger.warning(
            "%s: text before the first chapter heading is kept as the work's notes", path.name
        )
    return Body(preamble, sections, bool(headings))


def _mostly_blank_separated(lines: list[str]) -> bool:
    """Whether most non-blank lines are followed by a blank line (the last line aside)."""
    content = [i for i, line in enumerate(lines) if line]
    if len(content) < 2:
        return False
    followed = sum(1 for i in content[:-1] if not lines[i + 1])
    return followed * 2 > len(content) - 1


def _wrap_width(lines: list[str]) -> int | None:
    """Return the column a file is hard-wrapped at, or ``None`` when it is not hard-wrapped.

    Greedy wrapping leaves a line short only when the next word would not have fit, so in a
    wrapped file almost every line followed by more text is "full" at the wrap width.
    """
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 4:
        return None
    width = lengths[(len(lengths) - 1) * 95 // 100]
    if not 30 <= width <= 100:
        return None
    pairs = full = 0
    for current, following in itertools.pairwise(lines):
        if current and following:
            pairs += 1
            next_word = following.split(None, 1)[0]
            full += len(current) + 1 + len(next_word) > width
    return width if pairs >= 3 and full * 10 >= pairs * 8 else None


def _stands_alone(lines: list[str], index: int, width: int | None) -> bool:
    """In blank-line layout, whether a heading-like line is a line of its own, not wrapped prose."""
    before = lines[index - 1] if index > 0 else ""
    after = lines[index + 1] if index + 1 < len(lines) else ""
    # A full line with text straight after it is the head of a wrapped paragraph.
    if after and width is not None and len(lines[index]) + 1 + len(after.split()[0]) > width:
        return False
    # A heading may follow a break, or another heading-like line (a table of contents).
    if not before or is_scene_break(before) or parse_heading(0, before) is not None:
        return True
    # Straight after prose it must end that prose's sentence and stand before a blank line,
    # unlike the tail of a paragraph that merely mentions "Chapter 3."
    return not after and before[-1] in _SENTENCE_END


def _join_blocks(
    lines: list[str], kinds: list[Line], headings: dict[int, Heading], blank_mode: bool
) -> list[Block]:
    """Turn classified lines into blocks; in blank-line layout, runs of text lines join up."""
    blocks: list[Block] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            blocks.append(Block(Line.TEXT, " ".join(run)))
            run.clear()

    for index, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is Line.TEXT:
            # A chapter note always starts a block of its own, even inside a run.
            if not blank_mode or CHAPTER_NOTE.match(line):
                flush()
            run.append(line)
            if not blank_mode:
                flush()
            continue
        flush()
        if kind is Line.BREAK:
            blocks.append(Block(Line.BREAK))
        elif kind is Line.HEADING:
            blocks.append(Block(Line.HEADING, line, headings[index]))
    flush()
    return blocks
