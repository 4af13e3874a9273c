"""Typeset a work's prose by its language: curly quotes, apostrophes, dashes and ellipses.

:func:`typeset` runs once per book, after reading, on every body, summary, note and title.
English (``en``) gets the full rules (:mod:`.english`; the hard cases are in
``tests/unit/test_typography.py``).  Other languages written in Latin, Cyrillic or Greek get
only rules that cannot be wrong there (:mod:`.other_languages`).  Every other script (CJK,
Arabic, Hebrew…) is left exactly as written.  This module walks the markup: it groups text
nodes into blocks of :class:`~.pieces.Piece` so context crosses inline tags
(``<em>Harry</em>'s``), runs the language's rules on each and writes the text back.

Text inside ``code``, ``kbd``, ``samp``, ``pre`` and ``var``, and URLs in running text, are
never changed.  Typesetting is idempotent: already typeset text comes out unchanged.

Speed: each language has a test for "could any rule match here" made of fast scans, so text
with nothing to typeset (most of an already typeset work) costs a parse and a few scans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from markupsafe import Markup

# Blocks (the allow-list's) start and end a run of text: quotes never pair across them.
from fic2book.html.allowlist import BLOCK_TAGS
from fic2book.html.sanitize import trusted_from_tree
from fic2book.language import script_of
from fic2book.model import Work, map_prose
from fic2book.typography.english import english_block, english_may_change
from fic2book.typography.other_languages import (
    conservative_block,
    conservative_may_change,
    default_quotes,
    french_may_change,
)
from fic2book.typography.pieces import MASK, Piece

__all__ = ["text_blocks", "typeset", "typeset_markup", "typeset_text", "write_back"]

#: Elements whose text is shown as typed (code, keyboard input, program output).
LITERAL_TAGS = frozenset({"code", "kbd", "pre", "samp", "var"})

#: Scripts that get the conservative rules; anything else is left untouched.
_CONSERVATIVE_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TYPESET_CHARS = frozenset("'\"`-.:;!?\u2018\u2019\u201c\u201d\u00ab\u00bb ")

# ---- Blocks and trees --------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """How one language is typeset: the block function to run, or none at all.

    ``may_change`` is false only for text that no rule of the language can change, so a
    block (or a whole body) it is false for is skipped without being typeset.
    """

    typeset_block: Callable[[list[Piece]], None]
    may_change: Callable[[str], bool]


def _rules_for(language: str, quotes: tuple[str, str] | None = None) -> _Rules | None:
    """Pick the rules for a BCP 47 tag; ``None`` means leave the text as written."""
    primary = (language or "").split("-")[0].lower()
    if primary == "en":
        return _Rules(english_block, english_may_change)
    if not primary or script_of(language) not in _CONSERVATIVE_SCRIPTS:
        return None
    pair = quotes or default_quotes(primary)
    french = primary == "fr"
    return _Rules(
        lambda pieces: conservative_block(pieces, pair, french),
        french_may_change if french else conservative_may_change,
    )


def _split_urls(slot: int, text: str, literal: bool) -> Iterator[Piece]:
    if literal or ("://" not in text and "www." not in text.lower()):
        yield Piece(slot, text, literal)
        return
    position = 0
    for match in _URL.finditer(text):
        if match.start() > position:
            yield Piece(slot, text[position : match.start()], False)
        yield Piece(slot, match[0], True)
        position = match.end()
    if position < len(text):
        yield Piece(slot, text[position:], False)


def text_blocks(root: HtmlElement) -> tuple[list[tuple[HtmlElement, bool]], list[list[Piece]]]:
    """Collect the tree's text nodes, as (element, is-tail) slots, grouped into blocks.

    A ``<br>`` inside a block is a piece of its own: a line feed in slot -1, never written back.
    """
    slots: list[tuple[HtmlElement, bool]] = []
    blocks: list[list[Piece]] = []
    current: list[Piece] = []
    literal_depth = 0

    def add(element: HtmlElement, tail: bool, text: str) -> None:
        slots.append((element, tail))
        current.extend(_split_urls(len(slots) - 1, text, literal_depth > 0))

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS and current:
                blocks.append(current)
                current = []
            if tag in LITERAL_TAGS:
                literal_depth += 1
            if element.text:
                add(element, False, element.text)
        else:
            if tag in LITERAL_TAGS:
                literal_depth -= 1
            if tag in BLOCK_TAGS and current:
                blocks.append(current)
                current = []
            if tag == "br" and current:
                # A line break separates like a space: a quote after it opens.  The piece
                # belongs to no text node (slot -1) and is never written back.
                current.append(Piece(-1, "\n", True))
            if element.tail and element is not root:
                add(element, True, element.tail)
    if current:
        blocks.append(current)
    return slots, blocks


def write_back(slots: list[tuple[HtmlElement, bool]], pieces: list[Piece]) -> None:
    """Put a block's pieces, changed by its rules, back into the text nodes they came from."""
    texts: dict[int, list[str]] = {}
    for piece in pieces:
        if piece.slot >= 0:
            texts.setdefault(piece.slot, []).append(piece.text)
    for slot, parts in texts.items():
        element, tail = slots[slot]
        if tail:
            element.tail = "".join(parts)
        else:
            element.text = "".join(parts)


def _needs_work(text: str) -> bool:
    return not _TYPESET_CHARS.isdisjoint(text)


def _typeset_markup(markup: Markup, rules: _Rules) -> Markup:
    source = str(markup)
    if not source.strip() or not _needs_work(source):
        return markup
    # huge_tree: libxml2 otherwise drops a text node over 10 MB (one enormous paragraph).
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.fragment_fromstring(source, create_parent="div", parser=parser)
    # All the text at once (in C): joined across blocks it holds every block's text, so if no
    # rule can match it none can match a block.  Comments and processing instructions are
    # text nodes to text_blocks but not to itertext, so markup with them goes block by block.
    if "<!" not in source and "<?" not in source and not rules.may_change("".join(root.itertext())):
        return markup
    slots, blocks = text_blocks(root)
    changed = False
    for pieces in blocks:
        before = [p.text for p in pieces]
        if not rules.may_change("".join(MASK if p.literal else p.text for p in pieces)):
            continue
        rules.typeset_block(pieces)
        if [p.text for p in pieces] == before:
            continue
        changed = True
        write_back(slots, pieces)
    if not changed:
        return markup
    return trusted_from_tree(root)


def _typeset_text(text: str, rules: _Rules) -> str:
    if not rules.may_change(text):
        return text
    pieces = list(_split_urls(0, text, False))
    rules.typeset_block(pieces)
    return "".join(p.text for p in pieces)


def typeset_markup(markup: Markup, language: str) -> Markup:
    """Typeset trusted markup (a body, summary or note) by the rules of ``language``."""
    rules = _rules_for(language)
    return markup if rules is None else _typeset_markup(markup, rules)


def typeset_text(text: str, language: str) -> str:
    """Typeset a plain string (a title) by the rules of ``language``."""
    rules = _rules_for(language)
    return text if rules is None else _typeset_text(text, rules)


def _work_quotes(work: Work) -> tuple[str, str] | None:
    """The double quotation marks the work already uses, if any (German „“, French « »)."""
    sample = "".join(str(chapter.body) for chapter in work.chapters[:3])
    for pair in (("„", "“"), ("«", "»"), ("“", "”")):
        if pair[0] in sample:
            return pair
    return None


def typeset(work: Work) -> Work:
    """Return ``work`` with its bodies, summaries, notes and titles typeset by its language.

    Tags, names and other metadata are left as the author wrote them.
    """
    primary = (work.language or "").split("-")[0].lower()
    rules = _rules_for(work.language, None if primary == "en" else _work_quotes(work))
    if rules is None:
        return work

    return map_prose(
        work,
        lambda value: _typeset_markup(value, rules),
        lambda value: _typeset_text(value, rules),
    )
