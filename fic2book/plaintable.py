"""Box-drawn tables for ``fic2book inspect``, laid out as Rich lays them out, without Rich.

Importing Rich's console and table modules costs about 40 ms, a quarter of what ``inspect``
may take in all (issue 7).  When the output is not a terminal (no colours or bold to emit)
this module writes the same characters Rich would: the same column widths (measured, then
collapsed widest-first when the table is too wide), the same word wrapping and folding, the
same boxes and centred titles.  For anything it does not model (text with tabs or control
characters, a table that must be squeezed below its columns' natural widths, a cell that
would need an ellipsis) :func:`render_table` returns ``None`` and the caller uses Rich, so
the output never differs; ``tests/unit/test_plaintable.py`` compares the two.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, NamedTuple

#: Rich's default width when the output is no terminal and ``COLUMNS`` is unset.
DEFAULT_WIDTH = 80

# Rich's word: leading blanks, a run of non-blanks, trailing blanks (rich/_wrap.py).
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_BLANKS = re.compile(r"\s+$")

# Light box (Rich's SQUARE) for a table without header; heavy head (HEAVY_HEAD) above a
# header's rule.  Tuples are (left, horizontal, joint, right).
_TOP_LIGHT = ("┌", "─", "┬", "┐")
_TOP_HEAVY = ("┏", "━", "┳", "┓")
_HEAD_RULE = ("┡", "━", "╇", "┩")
_BOTTOM = ("└", "─", "┴", "┘")
_HEAVY_SIDE = "┃"
_LIGHT_SIDE = "│"


class Unsupported(Exception):
    """A layout this module does not reproduce; the caller falls back to Rich."""


class Column(NamedTuple):
    """One table column, as ``rich.table.Table.add_column`` takes it."""

    header: str = ""
    justify: Literal["left", "right"] = "left"
    #: Never wrapped and never narrowed (Rich's ``no_wrap=True``).
    no_wrap: bool = False
    #: Long words break across lines (Rich's ``overflow="fold"``); else they would be cut
    #: with an ellipsis, which this module leaves to Rich.
    fold: bool = False


def plain_output_width(
    stream: object = None, environ: Mapping[str, str] = os.environ
) -> int | None:
    """The width Rich would use for ``stream`` when it would write no styles, else ``None``.

    ``None`` means a terminal (or a forced one): Rich then adds bold and italics, so the
    caller should use Rich.  The width follows Rich: ``COLUMNS``, else the size of the first
    of stdin, stdout and stderr that is a terminal, else 80.
    """
    stream = sys.stdout if stream is None else stream
    if sys.platform == "win32" or "FORCE_COLOR" in environ or "TTY_COMPATIBLE" in environ:
        return None
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # Rich would draw the boxes in ASCII.
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    try:
        if isatty is not None and isatty():
            return None
    except ValueError:
        pass  # A closed stream: Rich treats it as no terminal too.
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns) or None
    width = 0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or DEFAULT_WIDTH


def _cell_len(text: str) -> int:
    if text.isascii():
        return len(text)
    # Wide (CJK) and zero-width characters: Rich's own table, imported only when needed.
    from rich.cells import cell_len

    return cell_len(text)


def _chop(text: str, width: int) -> list[str]:
    if text.isascii():
        return [text[start : start + width] for start in range(0, len(text), width)] or [""]
    from rich.cells import chop_cells

    return chop_cells(text, width)


def _divide(line: str, width: int, fold: bool) -> list[str]:
    """Split ``line`` into pieces at word boundaries, folding words wider than ``width``."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start, word = match.start(), match[0]
        length = _cell_len(word.rstrip())
        if width - offset >= length:
            offset += _cell_len(word)
        elif length > width:
            if not fold:
                raise Unsupported("a word must be cut")
            pieces = _chop(word, width)
            for index, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if index == len(pieces) - 1:
                    offset = _cell_len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = _cell_len(word)
    bounds = [0, *breaks, len(line)]
    return [line[begin:end] for begin, end in itertools.pairwise(bounds)]


def _wrap(text: str, width: int, justify: str, wrap: bool, fold: bool = True) -> list[str]:
    """Lines of ``text`` wrapped to ``width`` cells and padded as Rich pads them."""
    lines: list[str] = []
    for line in text.split("\n"):
        pieces = _divide(line, width, fold) if wrap else [line]
        for piece in pieces:
            if wrap and len(piece) > width:
                # Rich drops blanks that hang past the edge (by characters, as Rich does).
                blanks = _TRAILING_BLANKS.search(piece)
                if blanks:
                    piece = piece[: len(piece) - min(len(blanks[0]), len(piece) - width)]
            if justify == "left":
                size = _cell_len(piece)
                if size > width:
                    raise Unsupported("a line must be cut")
                lines.append(piece + " " * (width - size))
                continue
            piece = piece.rstrip()
            size = _cell_len(piece)
            if size > width:
                raise Unsupported("a line must be cut")
            if justify == "right":
                lines.append(" " * (width - size) + piece)
            else:
                left = (width - size) // 2
                lines.append(" " * left + piece + " " * (width - size - left))
    return lines


def _measure(text: str, limit: int) -> tuple[int, int]:
    """Rich's (minimum, maximum) width of a padded cell within ``limit`` cells."""
    if limit - 2 < 1:
        return limit, limit
    # Rich measures the text against the whole limit, then adds the padding.
    lines = text.splitlines()
    longest = max((_cell_len(line) for line in lines), default=0)
    words = text.split()
    low = max((_cell_len(word) for word in words), default=longest)
    low = min(low, longest)
    high = max(low, longest)
    low, high = min(low, limit), min(high, limit)
    if high < 1:
        low = high = 0
    return min(low + 2, limit), min(high + 2, limit)


def _reduce(excess: int, ratios: list[int], caps: list[int], values: list[int]) -> list[int]:
    """Take ``excess`` from ``values`` in proportion to ``ratios`` (Rich's ``ratio_reduce``)."""
    ratios = [ratio if cap else 0 for ratio, cap in zip(ratios, caps, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = excess
    result: list[int] = []
    for ratio, cap, value in zip(ratios, caps, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(cap, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], limit: int) -> list[int]:
    """Narrow the widest wrapping columns until the table fits (Rich's ``_collapse_widths``)."""
    total = sum(widths)
    excess = total - limit
    if not any(wrapable):
        return widths
    while total and excess > 0:
        widest = max(w for w, can in zip(widths, wrapable, strict=True) if can)
        second = max(
            w if can and w != widest else 0 for w, can in zip(widths, wrapable, strict=True)
        )
        ratios = [1 if w == widest and can else 0 for w, can in zip(widths, wrapable, strict=True)]
        if not any(ratios) or not widest - second:
            break
        widths = _reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        total = sum(widths)
        excess = total - limit
    return widths


def _column_widths(columns: Sequence[Column], grid: list[list[str]], limit: int) -> list[int]:
    measured = [[_measure(row[index], limit) for row in grid] for index in range(len(columns))]
    maxima = [min(max((m[1] for m in cells), default=limit), limit) for cells in measured]
    widths = [maximum or 1 for maximum in maxima]
    if sum(widths) > limit:
        widths = _collapse(widths, [not column.no_wrap for column in columns], limit)
        if sum(widths) > limit:
            raise Unsupported("columns narrower than their longest words")
        widths = [
            max((_measure(row[index], width)[1] for row in grid), default=width) or 0
            for index, width in enumerate(widths)
        ]
    return widths


def _rule(parts: tuple[str, str, str, str], widths: list[int]) -> str:
    left, line, joint, right = parts
    return left + joint.join(line * width for width in widths) + right


def render_table(
    title: str | None,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int,
    show_header: bool = True,
) -> str | None:
    """The table as Rich prints it on an unstyled console ``width`` cells wide.

    Returns ``None`` for a table this module does not reproduce exactly: the caller must then
    print it with Rich.
    """
    cells = [
        *([[column.header for column in columns]] if show_header else []),
        *[list(row) for row in rows],
    ]
    texts = [*(text for row in cells for text in row), *([title] if title else [])]
    # Tabs, carriage returns, form feeds, non-breaking spaces…: Rich expands or splits them.
    if not all(line.isprintable() for text in texts for line in text.split("\n")):
        return None
    extra = 2 + len(columns) - 1
    try:
        widths = _column_widths(columns, cells, width - extra)
        if any(w < 3 for w in widths):
            raise Unsupported("too narrow")
        out: list[str] = []
        if title:
            out += _wrap(title, sum(widths) + extra, "center", wrap=True)
        out.append(_rule(_TOP_HEAVY if show_header else _TOP_LIGHT, widths))
        for index, row in enumerate(cells):
            rendered = [
                _wrap(text, w - 2, column.justify, wrap=not column.no_wrap, fold=column.fold)
                for text, w, column in zip(row, widths, columns, strict=True)
            ]
            height = max(len(lines) for lines in rendered)
            header = show_header and index == 0
            for number, lines in enumerate(rendered):
                blank = [" " * (widths[number] - 2)] * (height - len(lines))
                # Rich aligns header cells to the bottom, the others to the top.
                rendered[number] = blank + lines if header else lines + blank
            side = _HEAVY_SIDE if header else _LIGHT_SIDE
            for line in range(height):
                out.append(side + side.join(f" {lines[line]} " for lines in rendered) + side)
            if header:
                out.append(_rule(_HEAD_RULE, widths))
        out.append(_rule(_BOTTOM, widths))
    except Unsupported:
        return None
    return "\n".join(out) + "\n"
