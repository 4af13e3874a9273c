"""Typeset a work's prose by its language: curly quotes, apostrophes, dashes and ellipses.

:func:`typeset` runs once per book, after reading, on every body, summary, note and title.
English (``en``) gets the full rules (the hard cases are in ``tests/unit/test_typography.py``):
quotes are curled by docutils' ``smartquotes`` rules (re-implemented here for speed, see
:func:`_educate_quotes`), fed one block's text nodes in order so context crosses inline tags
(``<em>Harry</em>'s``), and a few rules of our own run before them (dashes,
ranges, ellipses, primes, no-break spaces after honorifics) and after it (elisions such as
’em and ’90s, quotes opened right after a dash).  Other languages written in Latin, Cyrillic
or Greek get only rules that cannot be wrong there: in-word apostrophes, ellipses,
``--`` dashes, straight double quotes that pair up, and French no-break spaces where the
author typed a space.  Every other script (CJK, Arabic, Hebrew…) is left exactly as written.

Text inside ``code``, ``kbd``, ``samp``, ``pre`` and ``var``, and URLs in running text, are
never changed.  Typesetting is idempotent: already typeset text comes out unchanged.

Speed: each language has a test for "could any rule match here" made of fast scans, so text
with nothing to typeset (most of an already typeset work) costs a parse and a few scans.
"""

from __future__ import annotations

import dataclasses
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
from fic2book.model import Chapter, Work

__all__ = ["typeset", "typeset_markup", "typeset_text"]

#: Elements whose text is shown as typed (code, keyboard input, program output).
LITERAL_TAGS = frozenset({"code", "kbd", "pre", "samp", "var"})

#: Scripts that get the conservative rules; anything else is left untouched.
_CONSERVATIVE_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})

# Characters no rule produces or matches, standing in for text the rules must not see.
_MASK = "\ufffc"

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TYPESET_CHARS = frozenset("'\"`-.:;!?\u2018\u2019\u201c\u201d\u00ab\u00bb ")


@dataclass
class _Piece:
    """A run of text in one block; ``slot`` is the text node it came from."""

    slot: int
    text: str
    literal: bool


# ---- English -----------------------------------------------------------------------------

_LETTER = r"[^\W\d_]"
_HONORIFICS = "Mr|Mrs|Ms|Mx|Dr|Prof|St|Capt|Lt|Sgt|Col|Gen|Rev|Fr"
_UPPER = "A-ZÀ-ÖØ-Þ"

# What a rule needs to match at all, found by fast scans (a substring, or a pattern that starts
# with a literal); a rule runs only on text that has it, which keeps typesetting a long book
# well under a second.
_HYPHEN_RANGE = re.compile(r"-(?<=\d-)\d")
_PRIME = re.compile(r"'(?<=\d') ?\d")


def _honorific_stop() -> re.Pattern[str]:
    # "Mr. " and friends, found from the ". " so the scan runs on a literal; a look-behind
    # must have one width, so there is one per length of honorific.
    by_length: dict[int, list[str]] = {}
    for name in _HONORIFICS.split("|"):
        by_length.setdefault(len(name), []).append(name)
    behind = "|".join(f"(?<=(?:{'|'.join(names)})\\. )" for names in by_length.values())
    return re.compile(f"\\. (?:{behind})")


_HONORIFIC_STOP = _honorific_stop()

# (pattern, replacement, gate): the rule runs on text the gate finds something in.
_ENGLISH_BEFORE: tuple[tuple[re.Pattern[str], str, Callable[[str], object]], ...] = (
    # A spaced hyphen or double hyphen between words is an em dash, closed up (D03, D07).
    (
        re.compile(r"(?<=[^\W\d_.,;:!?'\"’”)]) +(?:-{1,3}) +(?=[^\W\d_]|['\"‘“(])"),
        "—",
        lambda text: " -" in text,
    ),
    # A double hyphen between figures is a range (D05); other double and triple hyphens are
    # em dashes (D01, D02, D06).  Both start with the "--" and look behind it.
    (re.compile(r"--(?<=\d--)(?=\d)"), "–", lambda text: "--" in text),
    (re.compile(r"--(?<!---)-?(?!-)"), "—", lambda text: "--" in text),
    # Number ranges take an en dash (D04); not phone numbers (555-1234) nor ISO dates.
    (re.compile(r"(\d{1,4})-(\d{1,4})(?![\d\-–./:])"), "ranges", _HYPHEN_RANGE.search),
    # Ellipses: spaced or not, closed up to the word before them (E01, E02); see _ellipses.
    (re.compile(r"\. ?\. ?\."), "ellipsis", lambda text: ".." in text or ". ." in text),
    # Feet and inches, minutes and seconds (P01, P02).
    (re.compile(r"(\d+)'( ?)(\d+(?:\.\d+)?)\"(?!\w)"), "primes", _PRIME.search),
    # No-break space after an honorific before a name (N01, N02).
    (re.compile(rf"({_HONORIFICS})\. (?=[{_UPPER}])"), "honorific", _HONORIFIC_STOP.search),
    # TeX-style ``quotes'' (Q15) become straight ones to be curled.
    (re.compile(r"``([^`'\n]*)''"), '"\\1"', lambda text: "``" in text),
)

# Words whose dropped first letters take an apostrophe, not an opening quote (A01-A09).
_ELISIONS = re.compile(
    r"‘(?=(?i:tis|twas|twere|twould|twill|twixt|em|til|cause|cos|coz|cuz|bout|cept|gainst"
    r"|neath|nuff|n)\b|(?:kay|sup|scuse|spose)\b)"
)
# ’90s but not a quoted ‘99’ (A03, A04, A10).
_DECADE = re.compile(r"‘(?=\d\d(?!\d)s?(?!’))")
# A quote right after a dash opens before a word (Q05, Q07) and closes before a space (D06).
# (Both match the dash too, which scans faster than looking behind; the quote is one further.)
_DASH_OPENS = re.compile(r"—[”’](?=\w)")
_DASH_CLOSES = re.compile(r"—[“‘](?=\s|$|[,.;:!?)])")


# Patterns start with a literal or a digit rather than a lookbehind, which makes them several
# times faster to scan; the callbacks check the character before the match instead.


def _char_before(match: re.Match[str]) -> str:
    return match.string[match.start() - 1] if match.start() > 0 else " "


def _ranges(match: re.Match[str]) -> str:
    first, second = match[1], match[2]
    if _char_before(match) in "0123456789-–./:" or (len(first) == 3 and len(second) == 4):
        return match[0]  # part of a longer number, a date or a phone number (555-1234)
    return f"{first}–{second}"


_IS_LETTER = re.compile(_LETTER)


def _ellipses(pattern: re.Pattern[str], text: str) -> str:
    r"""Replace each run of three dots, and the spaces before it, as ``( *)\. ?\. ?\.`` would.

    The spaces are found by hand: a pattern that starts with `` *`` is tried at every
    character, which made this the slowest rule.  Spaces after the previous ellipsis belong
    to the next one, as they would to the next match of that pattern.
    """
    parts = []
    position = 0
    for match in pattern.finditer(text):
        start = spaced = match.start()
        while spaced > position and text[spaced - 1] == " ":
            spaced -= 1
        before = text[spaced - 1] if spaced > 0 else " "
        parts.append(text[position:spaced])
        if spaced < start and _IS_LETTER.match(before):
            parts.append("…")  # closed up to the word before it
        else:
            parts.append(f"{text[spaced:start]}…")
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


def _primes(match: re.Match[str]) -> str:
    if _char_before(match) in "0123456789.":
        return match[0]
    space = "\u00a0" if match[2] else ""
    return f"{match[1]}′{space}{match[3]}″"


def _honorific(match: re.Match[str]) -> str:
    if _char_before(match).isalnum():
        return match[0]  # the end of a longer word
    return f"{match[1]}.\u00a0"


_CALLBACKS: dict[str, Callable[[re.Match[str]], str]] = {
    "ranges": _ranges,
    "primes": _primes,
    "honorific": _honorific,
}


def _english_before(text: str) -> str:
    for pattern, replacement, gate in _ENGLISH_BEFORE:
        if not gate(text):
            continue
        if replacement == "ellipsis":
            text = _ellipses(pattern, text)
        else:
            text = pattern.sub(_CALLBACKS.get(replacement) or replacement, text)
    return text


_DIGIT_QUOTE = re.compile(r"['\"](?<=\d['\"])")


def _lone_primes(joined: str) -> Iterator[tuple[int, str]]:
    """Straight quotes after a figure with no quote of their kind open: ``2' long`` (P03)."""
    if _DIGIT_QUOTE.search(joined) is None:
        return
    double_open = single_open = False
    for index, char in enumerate(joined):
        if char not in "\"“”'‘’":
            continue
        before = joined[index - 1] if index > 0 else " "
        after = joined[index + 1] if index + 1 < len(joined) else " "
        if char in '"“”':
            if char == '"' and before.isdigit() and not double_open:
                yield index, "″"
            else:
                double_open = char == "“" or (char == '"' and not double_open)
        elif before.isalnum() and after.isalnum():
            continue  # an apostrophe inside a word
        elif char == "'" and before.isdigit() and not after.isalnum() and not single_open:
            yield index, "′"
        elif not before.isalnum() and after.isalnum():
            single_open = True
        elif not after.isalnum():
            single_open = False


def _english_after(joined: str) -> Iterator[tuple[int, str]]:
    if "‘" not in joined and "—" not in joined:
        return
    for match in _ELISIONS.finditer(joined):
        yield match.start(), "’"
    for match in _DECADE.finditer(joined):
        yield match.start(), "’"
    for match in _DASH_OPENS.finditer(joined):
        yield match.start() + 1, "“" if match[0][1] == "”" else "‘"
    for match in _DASH_CLOSES.finditer(joined):
        yield match.start() + 1, "”" if match[0][1] == "“" else "’"


def _english_block(pieces: list[_Piece]) -> None:
    for piece in pieces:
        if not piece.literal:
            piece.text = _english_before(piece.text)
    _replace_chars(pieces, _lone_primes)
    _curl_quotes(pieces)
    _replace_chars(pieces, _english_after)


def _curl_quotes(pieces: list[_Piece]) -> None:
    """Curl the straight quotes of a block's pieces, in order, as docutils' smartquotes does.

    The loop of docutils' ``educate_tokens(tokens, "q", "en")``: each piece is curled with the
    last character of the piece before it as context, so quotes pair across inline tags;
    literal pieces are context only.  Backslash escapes are not processed (a backslash in a
    fic is a backslash).
    """
    before = " "
    for piece in pieces:
        text = piece.text
        if not text:
            continue  # the context stays that of the piece before
        if not piece.literal and ("'" in text or '"' in text):
            context = before.replace('"', ";").replace("'", ";")
            piece.text = _educate_quotes(context + text)[1:]
        before = text[-1]


# docutils' character classes for quotes (``smartquotes.RegularExpressions``, docutils 0.23),
# except that a backslash is not punctuation: it never was to fic2book, which used to hide it
# from docutils' escape processing.
_Q_SEP = "\\s\u200b\u200c"
_Q_OPEN_DASH = "([{\\-–—"
_Q_PUNCT = r"""[-!"  #\$\%'()*+,.\/:;<=>?\@\[\]\^_`{|}~]"""
# docutils' patterns, rewritten to start with the quote and look behind it, which scans
# several times faster and matches the same quotes: the character they used to consume
# before the quote is never itself a quote, so no two matches overlap.
_Q_ADJACENT_1 = re.compile("\"'(?=\\w)")
_Q_ADJACENT_2 = re.compile("'\"(?=\\w)")
_Q_OPEN_SINGLE = re.compile(f"'(?<=[{_Q_OPEN_DASH}]')(?={_Q_PUNCT}? )")
_Q_OPEN_DOUBLE = re.compile(f'"(?<=[{_Q_OPEN_DASH}]")(?={_Q_PUNCT}? )')
_Q_DECADE = re.compile(r"'(?=\d{2}s)")
_Q_OPENING_SECONDARY = re.compile(f"'(?<=[{_Q_SEP}{_Q_OPEN_DASH}]')(?=\\w|{_Q_PUNCT})")
_Q_CLOSING_SECONDARY = re.compile(r"'(?<!\s')")
_Q_OPENING_PRIMARY = re.compile(f'"(?<=[{_Q_SEP}{_Q_OPEN_DASH}]")(?=\\w|{_Q_PUNCT})')
_Q_CLOSING_PRIMARY = re.compile(r'"(?:(?<!\s")|(?=\s))')


def _educate_quotes(text: str) -> str:
    """English smart quotes: docutils' ``educateQuotes(text, "en")``, in the same steps.

    Its first two steps, for a quote at the very start of the text, never apply here (the
    text starts with its context character) and are left out; a step that needs a kind of
    quote the text no longer holds is skipped.
    """
    if "'" in text:
        if '"' in text:
            text = _Q_ADJACENT_1.sub("“‘", text)
            text = _Q_ADJACENT_2.sub("‘“", text)
        text = _Q_OPEN_SINGLE.sub("’", text)
    if '"' in text:
        text = _Q_OPEN_DOUBLE.sub("”", text)
    if "'" in text:
        text = _Q_DECADE.sub("’", text)
        text = _Q_OPENING_SECONDARY.sub("‘", text)
        # (English closes a secondary quote with the apostrophe: docutils' step that turns
        # in-word quotes into apostrophes has nothing to do.)
        text = _Q_CLOSING_SECONDARY.sub("’", text)
        text = text.replace("'", "‘")
    if '"' in text:
        text = _Q_OPENING_PRIMARY.sub("“", text)
        text = _Q_CLOSING_PRIMARY.sub("”", text)
        text = text.replace('"', "“")
    return text


# ---- Other languages ---------------------------------------------------------------------

_CONSERVATIVE_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\d)--(?=\d)"), "–"),
    # Dashes only: their spacing is the language's business (Russian and Spanish dialogue).
    (re.compile(r"(?<!-)-{2,3}(?!-)"), "—"),
    (re.compile(r"\.\.\."), "…"),
)
_IN_WORD_APOSTROPHE = re.compile(rf"(?<={_LETTER})'(?={_LETTER})")
# Imprimerie nationale: a no-break space inside « » and before a colon, a narrow one before
# ; ! ? -- only where the author already typed a space, never inserted.
_FRENCH_SPACES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r" (?=[;!?])"), "\u202f"),
    (re.compile(r" (?=[:»])"), "\u00a0"),
    (re.compile(r"(?<=«) "), "\u00a0"),
)


def _conservative_block(pieces: list[_Piece], quotes: tuple[str, str], french: bool) -> None:
    for piece in pieces:
        if not piece.literal:
            for pattern, replacement in _CONSERVATIVE_BEFORE:
                piece.text = pattern.sub(replacement, piece.text)

    def rules(joined: str) -> Iterator[tuple[int, str]]:
        for match in _IN_WORD_APOSTROPHE.finditer(joined):
            yield match.start(), "’"
        straight = [index for index, char in enumerate(joined) if char == '"']
        # Only quotes that pair up are curled; an odd count means one cannot be told apart.
        if straight and len(straight) % 2 == 0:
            for position, index in enumerate(straight):
                yield index, quotes[position % 2]

    def french_spaces(joined: str) -> Iterator[tuple[int, str]]:
        for pattern, space in _FRENCH_SPACES:
            for match in pattern.finditer(joined):
                yield match.start(), space

    _replace_chars(pieces, rules)
    if french:
        # A second pass, so spaces inside quotes curled by the first one are seen.
        _replace_chars(pieces, french_spaces)


# ---- Blocks and trees --------------------------------------------------------------------


def _replace_chars(pieces: list[_Piece], rules: Callable[[str], Iterator[tuple[int, str]]]) -> None:
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
    joined = "".join(_MASK * len(p.text) if p.literal else p.text for p in pieces)
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


@dataclass(frozen=True)
class _Rules:
    """How one language is typeset: the block function to run, or none at all.

    ``may_change`` is false only for text that no rule of the language can change, so a
    block (or a whole body) it is false for is skipped without being typeset.
    """

    typeset_block: Callable[[list[_Piece]], None]
    may_change: Callable[[str], bool]


def _rules_for(language: str, quotes: tuple[str, str] | None = None) -> _Rules | None:
    """Pick the rules for a BCP 47 tag; ``None`` means leave the text as written."""
    primary = (language or "").split("-")[0].lower()
    if primary == "en":
        return _Rules(_english_block, _english_may_change)
    if not primary or script_of(language) not in _CONSERVATIVE_SCRIPTS:
        return None
    pair = quotes or _default_quotes(primary)
    french = primary == "fr"
    return _Rules(
        lambda pieces: _conservative_block(pieces, pair, french),
        _french_may_change if french else _conservative_may_change,
    )


# What a block needs for some rule to match (see _Rules), tested the same fast way.
_DASH_QUOTE = re.compile("—[“”‘’]")
_FRENCH_SPACE = re.compile("« | [;!?:»]")


def _english_may_change(text: str) -> bool:
    """Whether some English rule can match ``text`` (always true when one would change it)."""
    if "'" in text or '"' in text or "`" in text or "‘" in text:
        return True  # quotes, apostrophes, primes, TeX quotes, elisions and decades
    if "-" in text and (" -" in text or "--" in text or _HYPHEN_RANGE.search(text)):
        return True  # dashes and number ranges
    if ".." in text or ". ." in text:
        return True  # ellipses
    if ". " in text and _HONORIFIC_STOP.search(text):
        return True  # a no-break space after Mr. and friends
    return "—" in text and _DASH_QUOTE.search(text) is not None  # a quote after a dash


def _conservative_may_change(text: str) -> bool:
    """Whether a rule for other languages can match ``text``: quotes, dashes, ellipses."""
    return "'" in text or '"' in text or "--" in text or "..." in text


def _french_may_change(text: str) -> bool:
    """The rules for other languages, plus the no-break spaces of French."""
    return _conservative_may_change(text) or _FRENCH_SPACE.search(text) is not None


def _default_quotes(primary: str) -> tuple[str, str]:
    """The language's primary quotation marks from docutils, without French spacing."""
    # Imported here: docutils takes longer to import than typesetting an English novel.
    from docutils.utils.smartquotes import smartchars

    marks = smartchars.quotes.get(primary, "“”‘’")
    return marks[0].strip(), marks[1].strip()


def _split_urls(slot: int, text: str, literal: bool) -> Iterator[_Piece]:
    if literal or ("://" not in text and "www." not in text.lower()):
        yield _Piece(slot, text, literal)
        return
    position = 0
    for match in _URL.finditer(text):
        if match.start() > position:
            yield _Piece(slot, text[position : match.start()], False)
        yield _Piece(slot, match[0], True)
        position = match.end()
    if position < len(text):
        yield _Piece(slot, text[position:], False)


def _blocks(root: HtmlElement) -> tuple[list[tuple[HtmlElement, bool]], list[list[_Piece]]]:
    """Collect the tree's text nodes, as (element, is-tail) slots, grouped into blocks."""
    slots: list[tuple[HtmlElement, bool]] = []
    blocks: list[list[_Piece]] = []
    current: list[_Piece] = []
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
                current.append(_Piece(-1, "\n", True))
            if element.tail and element is not root:
                add(element, True, element.tail)
    if current:
        blocks.append(current)
    return slots, blocks


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
    # text nodes to _blocks but not to itertext, so markup with them goes block by block.
    if "<!" not in source and "<?" not in source and not rules.may_change("".join(root.itertext())):
        return markup
    slots, blocks = _blocks(root)
    changed = False
    for pieces in blocks:
        before = [p.text for p in pieces]
        if not rules.may_change("".join(_MASK if p.literal else p.text for p in pieces)):
            continue
        rules.typeset_block(pieces)
        if [p.text for p in pieces] == before:
            continue
        changed = True
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

    def markup(value: Markup | None) -> Markup | None:
        return None if value is None else _typeset_markup(value, rules)

    def text(value: str | None) -> str | None:
        return None if value is None else _typeset_text(value, rules)

    def chapter(item: Chapter) -> Chapter:
        return dataclasses.replace(
            item,
            title=text(item.title),
            body=_typeset_markup(item.body, rules),
            summary=markup(item.summary),
            notes=markup(item.notes),
            end_notes=markup(item.end_notes),
        )

    return dataclasses.replace(
        work,
        title=_typeset_text(work.title, rules),
        chapters=tuple(chapter(item) for item in work.chapters),
        summary=markup(work.summary),
        notes=markup(work.notes),
        end_notes=markup(work.end_notes),
    )
