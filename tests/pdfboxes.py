"""Where each word of a PDF sits on its page, from poppler's ``pdftotext -bbox-layout``.

Layout defects (a word alone on a line, a word running off the page, a running head on two
lines) cannot be seen in plain extracted text, whose line breaks depend on the tool; the
boxes poppler reports for each line and word can.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_NS = {"x": "http://www.w3.org/1999/xhtml"}


@dataclass(frozen=True)
class Word:
    """One word as drawn: its text and its box in PDF points (y grows downwards)."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def width(self) -> float:
        return self.x_max - self.x_min


@dataclass(frozen=True)
class Line:
    """One line as poppler groups it, its words left to right."""

    words: tuple[Word, ...]

    @property
    def x_min(self) -> float:
        return min(word.x_min for word in self.words)

    @property
    def x_max(self) -> float:
        return max(word.x_max for word in self.words)

    @property
    def y_min(self) -> float:
        return min(word.y_min for word in self.words)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class Page:
    """One page: its size and its lines, top to bottom."""

    width: float
    height: float
    lines: tuple[Line, ...]


def _float(element: etree._Element, name: str) -> float:
    return float(element.get(name, "0"))


def pages(path: Path) -> list[Page]:
    """Every page of the PDF at ``path`` with the boxes of its lines and words."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(result.stdout, parser)
    found: list[Page] = []
    for page in root.iterfind(".//x:page", _NS):
        lines: list[Line] = []
        for line in page.iterfind(".//x:line", _NS):
            words = tuple(
                Word(
                    word.text or "",
                    _float(word, "xMin"),
                    _float(word, "yMin"),
                    _float(word, "xMax"),
                    _float(word, "yMax"),
                )
                for word in line.iterfind("x:word", _NS)
            )
            if words:
                lines.append(Line(words))
        found.append(Page(_float(page, "width"), _float(page, "height"), _merged(lines)))
    return found


def _merged(lines: list[Line]) -> tuple[Line, ...]:
    """Join the pieces of one visual line, top to bottom.

    poppler splits a loosely justified line at its widest gaps into several "lines" with the
    same top; a book line is everything set at one height.
    """
    rows: list[list[Word]] = []
    for line in sorted(lines, key=lambda line: (line.y_min, line.x_min)):
        if rows and abs(rows[-1][0].y_min - line.y_min) < 1.0:
            rows[-1].extend(line.words)
        else:
            rows.append(list(line.words))
    return tuple(Line(tuple(sorted(row, key=lambda word: word.x_min))) for row in rows)
