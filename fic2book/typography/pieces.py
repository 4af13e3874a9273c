"""A block's text as pieces, and the one way rules change it: character by character.

A block (a paragraph, a heading) is typeset as one run of text, so quotes pair across inline
tags, but its text lives in several text nodes.  Each :class:`Piece` is one node's text (or a
URL or literal run within it); :func:`replace_chars` applies the replacements a rule finds in
the block's joined text back to the pieces they fall in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: A letter of any script (a word character that is no digit or underscore).
LETTER = r"[^\W\d_]"

# Characters no rule produces or matches, standing in for text the rules must not see.
MASK = "\ufffc"


@dataclass
class Piece:
    """A run of text in one block; ``slot`` is the text node it came from."""

    slot: int
    text: str
    literal: bool


def replace_chars(pieces: list[Piece], rules: Callable[[str], Iterator[tuple[int, str]]]) -> None:
    """Apply one-character replacements found in the block's joined text back to its pieces.

    Literal pieces are masked, so rules see their length but never match inside them.
    """
    if len(pieces) == 1:
        # The common case, a paragraph without inline tags.
        piece = pieces[0]
        if not piece.literal:
            changes = dict(rules(piece.text))
            if changes:
                chars = list(piece.text)
                for index, char in changes.items():
                    chars[index] = char
                piece.text = "".join(chars)
        return
    joined = "".join(MASK * len(p.text) if p.literal else p.text for p in pieces)
    changes = dict(rules(joined))
    if not changes:
        return
    offset = 0
    for piece in pieces:
        end = offset + len(piece.text)
        if not piece.literal and any(offset <= index < end for index in changes):
            chars = list(piece.text)
            for index in range(offset, end):
                if index in changes:
                    chars[index - offset] = changes[index]
            piece.text = "".join(chars)
        offset = end
