"""A cover's text laid out in a box: wrapped, shrunk until it fits, cut with an ellipsis.

Wrapping is linear in the text: a check measures at most about a line, and wrapping stops once
the box is full, so a 100,000-character title costs no more than one that fills the box.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from fic2book.caps import ELLIPSIS
from fic2book.cover.fonts import FontFile, _load_font, _needed, choose_font

logger = logging.getLogger(__name__)

# A line may break at spaces and between two CJK characters; closing punctuation stays with the
# character before it (the simplest rule of Japanese and Chinese line breaking).
_TOKEN = re.compile(
    r"[^\S\u00a0]+"
    r"|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
    r"[\u3001\u3002\u300d\u300f\u3011\uff01\uff09\uff0c\uff1a\uff1b\uff1f\u30fc]*"
    r"|(?:[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]|\u00a0)+"
)

_RTL = {"R", "AL"}
_LTR_IN_RTL = {"L", "EN", "AN"}


def raqm_available() -> bool:
    """Whether Pillow can shape text with Raqm (bidi ordering and Arabic joining)."""
    from PIL import features

    return bool(features.check("raqm"))


def visual_order(line: str) -> str:
    """Put a right-to-left line in display order for a layout without a bidi algorithm.

    A fallback for Pillow without Raqm: the line is reversed and runs of left-to-right text
    (Latin words, digits) inside it are turned back, which is right for Hebrew and leaves
    Arabic readable but unjoined.  Lines with no right-to-left letter are returned unchanged.
    """
    kinds = [unicodedata.bidirectional(char) for char in line]
    if not any(kind in _RTL for kind in kinds):
        return line
    runs: list[tuple[bool, str]] = []
    for char, kind in zip(line, kinds, strict=True):
        ltr = kind in _LTR_IN_RTL
        if runs and (runs[-1][0] == ltr or kind in {"WS", "ON", "CS", "ES", "ET", "BN", "NSM"}):
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
        else:
            runs.append((ltr, char))
    return "".join(text if ltr else text[::-1] for ltr, text in reversed(runs))


@dataclass(frozen=True)
class TextBlock:
    """A text laid out in a box: the font, its size and the lines, top to bottom."""

    font: Any
    size: int
    lines: tuple[str, ...]
    #: Distance between baselines, in pixels.
    leading: int
    #: Height of the block from the top of the first line to the bottom of the last.
    height: int


class _Measurer:
    """Measures and wraps text in one font at one size."""

    def __init__(self, font: Any, language: str | None) -> None:
        self.font = font
        self.language = language

    def width(self, text: str) -> float:
        if self.language is not None:
            return float(self.font.getlength(text, language=self.language))
        return float(self.font.getlength(text))

    def _fits(self, text: str, width: float) -> bool:
        """Whether ``text`` fits ``width``, measuring at most about two lines of it.

        A line holds at most ``width`` characters (no glyph is narrower than a pixel), so a
        longer text is measured only by its prefix of that length: the cost of a check is
        bounded by the line, not by the text, which keeps wrapping linear in the text.
        """
        limit = int(width) + 1
        if len(text) > limit:
            return False
        return self.width(text) <= width

    def _fitting_prefix(self, token: str, width: float) -> int:
        """The length of the longest prefix of ``token`` that fits (at least one character).

        Doubling then bisection, measuring only prefixes of about a line: a 100,000-letter
        title once took minutes when every step measured the whole rest of the word.
        """
        if len(token) <= 1 or not self._fits(token[:2], width):
            return min(1, len(token))
        low, high = 1, 2  # token[:low] fits; token[:high] is to be tried
        while high < len(token) and self._fits(token[:high], width):
            low, high = high, min(2 * high, len(token))
        if high == len(token) and self._fits(token, width):
            return high
        while low + 1 < high:  # token[:low] fits, token[:high] does not
            middle = (low + high) // 2
            if self._fits(token[:middle], width):
                low = middle
            else:
                high = middle
        return low

    def wrap(self, text: str, width: float, max_lines: int | None = None) -> list[str]:
        """Greedy line filling; a word wider than the box is broken between characters.

        With ``max_lines``, wrapping stops once there are more lines than that: a box that
        holds 12 lines only needs to know that the text takes at least 13.
        """
        lines: list[str] = []
        line = ""
        tokens = _TOKEN.findall(text)
        tokens.reverse()
        while tokens and (max_lines is None or len(lines) <= max_lines):
            token = tokens.pop()
            if "\u00a0" in token and not self._fits(token, width):
                # A name kept whole does not fit: let it break between its words after all.
                parts = re.split("(\u00a0+)", token)
                tokens += reversed([" " if part.startswith("\u00a0") else part for part in parts])
                continue
            if token.isspace():
                if line:
                    line += " "
                continue
            candidate = line + token
            if self._fits(candidate, width):
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            # Too long on its own: split it where it overflows.
            cut = self._fitting_prefix(token, width)
            while cut < len(token) and (max_lines is None or len(lines) <= max_lines):
                lines.append(token[:cut])
                token = token[cut:]
                cut = self._fitting_prefix(token, width)
            line = token
        if line.strip():
            lines.append(line.rstrip())
        # Fonts need not have a no-break space glyph; it has done its job.
        return [line.replace("\u00a0", " ") for line in lines]


def fit_text(
    text: str,
    box: tuple[int, int],
    *,
    language: str,
    weight: int,
    max_size: int,
    min_size: int,
    line_spacing: float = 1.18,
    font_file: FontFile | None = None,
) -> TextBlock:
    """Wrap ``text`` and shrink it from ``max_size`` until it fits ``box`` (width, height).

    At ``min_size`` the lines that fit are kept and the last one ends in an ellipsis.
    """
    if font_file is None:
        font_file = choose_font(text, language, weight)
    if font_file is not None:
        missing = sorted({chr(c) for c in _needed(text) if not font_file.covers(c)})
        if missing:
            # A box is worse than nothing: leave out what no installed font can draw.
            logger.warning("no installed font draws %r on the cover; left out", "".join(missing))
            text = "".join(char for char in text if char not in missing)
    path = font_file.path if font_file else None
    index = font_file.index if font_file else 0
    shaped = raqm_available()
    # Raqm picks language-specific glyphs (Japanese vs Chinese forms of the same character).
    language_tag = language if shaped and language and language != "und" else None
    width, height = box
    size = max_size
    while True:
        font = _load_font(path, index, size)
        measurer = _Measurer(font, language_tag)
        leading = round(size * line_spacing)
        lines = measurer.wrap(text, width, max_lines=max(1, (height - size) // leading + 1))
        block_height = leading * (len(lines) - 1) + size if lines else 0
        if block_height <= height or size <= min_size:
            break
        size = max(min_size, round(size * 0.92))
    if block_height > height:
        keep = max(1, (height - size) // leading + 1)
        if keep < len(lines):
            last = lines[keep - 1]
            while last and measurer.width(last + ELLIPSIS) > width:
                last = last[:-1]
            lines = [*lines[: keep - 1], last.rstrip() + ELLIPSIS]
            block_height = leading * (len(lines) - 1) + size
    if not shaped:
        lines = [visual_order(line) for line in lines]
    return TextBlock(font, size, tuple(lines), leading, block_height)
