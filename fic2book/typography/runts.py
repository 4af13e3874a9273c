"""No runts: a paragraph's last word is tied to the one before it with a no-break space.

A runt is a paragraph whose last line holds one short word ("…he knew no / more.").  The PDF's
line breaker (WeasyPrint's, first fit) cannot look ahead, so the word before the last is tied
to it: the space between them becomes U+00A0, and the two go down to the last line together.
Only the space is changed, never a word, so the PDF's text layer reads the same words (poppler
reads a no-break space as a space).  The price is a looser line above when the pair goes
down, so a last word longer than :data:`TIE_MAX_LETTERS` letters, which fills a line well
enough alone, is left free, and tied groups are kept short.

Every block is tied at its end and before each ``<br>`` (a line of verse, or AO3's paragraphs
written as runs of ``<br />``).  Text in ``code``, ``kbd``, ``samp``, ``pre``, ``var`` and URLs
is never touched, nor are scripts written without spaces between words (Chinese, Japanese,
Thai…), whose lines break between characters anyway.  Tying is idempotent.
"""

from __future__ import annotations

import dataclasses

import lxml.html
from markupsafe import Markup

from fic2book.html.sanitize import trusted_from_tree
from fic2book.language import script_of
from fic2book.model import Work, map_prose
from fic2book.typography import text_blocks, write_back
from fic2book.typography.pieces import MASK, Piece

__all__ = ["GROUP_MAX_WORDS", "TIE_MAX_LETTERS", "tie_last_words", "tie_markup"]

#: A last word with more letters than this is not tied: alone, it is a line worth having.
TIE_MAX_LETTERS = 12
#: The shortest word the PDF hyphenates (the first value of pdf.css's hyphenate-limit-chars).
HYPHENATE_MIN_LETTERS = 6
#: Words tied together have at most this many letters, so the line above stays tight.
GROUP_MAX_LETTERS = 20
#: And there are at most this many of them.
GROUP_MAX_WORDS = 4
#: Spaces a line may break at (U+00A0, U+2007, U+202F and U+2060 are the ones it may not).
BREAKABLE = frozenset(
    " \t\n\r\f\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000"
)
_BREAKABLE_CHARS = "".join(sorted(BREAKABLE))
#: Longer "words" (a keysmash, a URL-like run) are never tied, nor looked through.
_LONGEST_WORD = 64
#: Scripts written without spaces between words: nothing to tie.
_UNSPACED_SCRIPTS = frozenset(
    {"Hani", "Hans", "Hant", "Jpan", "Hira", "Kana", "Kore", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"}
)
_NO_BREAK_SPACE = "\u00a0"
#: Hyphens, dashes and the slash: a line may break after them, tie or no tie.
_HYPHENS = frozenset("-\u2010\u2013\u2014/")


def _segments(pieces: list[Piece]) -> list[list[Piece]]:
    """A block's pieces cut at each ``<br>`` (a piece in slot -1)."""
    found: list[list[Piece]] = [[]]
    for piece in pieces:
        if piece.slot < 0:
            found.append([])
        else:
            found[-1].append(piece)
    return [segment for segment in found if segment]


def _word_before(text: str, end: int) -> tuple[int, int] | None:
    """The word of ``text`` that ends at ``end``: where the space before it starts, and it.

    ``None`` for a "word" longer than :data:`_LONGEST_WORD` characters, which is never tied:
    a keysmash of megabytes is not walked through character by character.
    """
    start = end
    lowest = max(0, end - _LONGEST_WORD)
    while start > lowest and text[start - 1] not in BREAKABLE:
        start -= 1
    if start and text[start - 1] not in BREAKABLE:
        return None
    return len(text[:start].rstrip(_BREAKABLE_CHARS)), start


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def _gaps_to_tie(text: str) -> list[tuple[int, int]]:
    """The spaces (start, end) to tie at the end of ``text``, the last one first.

    The last word is tied to the word before.  When the last word is long enough to be
    hyphenated and the word before is not, the line breaker would hyphenate the last word
    itself ("…of exclama- / tion."): WeasyPrint tries only the first word long enough in what
    does not fit, so the short words before it are tied on up to one long enough to take the
    hyphen, if there is one within :data:`GROUP_MAX_WORDS` words and
    :data:`GROUP_MAX_LETTERS` letters.
    """
    end = len(text.rstrip())  # "tea.\u00a0</p>": a trailing space of any kind
    found = _word_before(text, end)
    if found is None:
        return []
    gap, start = found
    word = text[start:end]
    # A word already holding a no-break space is tied already ("no\u00a0more.", the author's
    # "Mr.\u00a0Smith."); a narrow one (French "vrai\u202f?") only holds its punctuation.
    if start == 0 or gap == 0 or MASK in word or _NO_BREAK_SPACE in word:
        return []
    if not any(ch.isalnum() for ch in word) or _letters(word) > TIE_MAX_LETTERS:
        return []
    ties = [(gap, start)]
    if _letters(word) < HYPHENATE_MIN_LETTERS:
        return ties
    # Walk back to the first word long enough to be hyphenated, tying the short ones between.
    extra: list[tuple[int, int]] = []
    total = _letters(word)
    end = gap
    for _ in range(GROUP_MAX_WORDS - 1):
        found = _word_before(text, end)
        if found is None:
            break
        before_gap, before_start = found
        before = text[before_start:end]
        total += _letters(before)
        # A hyphen or dash inside it is a place to break at, before any hyphenation.
        if MASK in before or total > GROUP_MAX_LETTERS or not _HYPHENS.isdisjoint(before):
            break
        if _letters(before) >= HYPHENATE_MIN_LETTERS:
            return [*ties, *extra]
        if before_gap == 0:
            break
        extra.append((before_gap, before_start))
        end = before_gap
    return ties


def _tie_at(pieces: list[Piece], gap: int, start: int) -> bool:
    """Replace the space ``gap:start`` of the pieces' joined text by a no-break space."""
    offset = 0
    for piece in pieces:
        end = offset + len(piece.text)
        if offset <= gap and start <= end:
            # The whole space lies in this piece (never a literal one: it is not masked).
            piece.text = piece.text[: gap - offset] + _NO_BREAK_SPACE + piece.text[start - offset :]
            return True
        if gap < end:
            return False  # the space runs over two text nodes: leave it
        offset = end
    return False


def _tie_segment(pieces: list[Piece]) -> bool:
    """Tie the last words of one line of text; tell whether anything changed."""
    joined = "".join(MASK * len(p.text) if p.literal else p.text for p in pieces)
    changed = False
    for gap, start in _gaps_to_tie(joined):  # right to left: offsets to the left stay put
        if not _tie_at(pieces, gap, start):
            break
        changed = True
    return changed


def tie_markup(markup: Markup) -> Markup:
    """Tie the last word of every block (and of every line ended by ``<br>``) in ``markup``."""
    source = str(markup)
    if not source.strip():
        return markup
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.fragment_fromstring(source, create_parent="div", parser=parser)
    slots, blocks = text_blocks(root)
    changed = False
    for pieces in blocks:
        tied = [_tie_segment(segment) for segment in _segments(pieces)]
        if any(tied):
            write_back(slots, pieces)
            changed = True
    return trusted_from_tree(root) if changed else markup


def tie_last_words(work: Work) -> Work:
    """``work`` with the last word of each paragraph of its prose tied to the word before.

    Bodies, summaries and notes (of each collected work too); titles and tags are left alone.
    """
    if script_of(work.language or "en") in _UNSPACED_SCRIPTS:
        return work

    tied = map_prose(work, tie_markup)
    return dataclasses.replace(tied, works=tuple(tie_last_words(item) for item in work.works))
