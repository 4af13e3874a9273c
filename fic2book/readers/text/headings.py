"""Chapter headings in a seed text body: which lines are headings, and which reading wins.

A heading is a short line of its own such as ``Chapter 12``, ``Chapter Twelve - Title``,
``CHAPTER XII—TITLE``, ``Prologue`` or ``Interlude: Title``.  Numbered headings count only when
they form a sequence, so a lone ``Chapter 7`` in the middle of prose stays prose.  A line whose
title also reads as a sentence ("Chapter 1: The end of it all.", "Cosette . . .") is weak
evidence: a heading where the sequence around it says so.  When several readings are possible
(chapters or parts, with or without the weak lines), the header's ``Chapters: N`` picks the one
finding N chapters.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from fic2book.readers.common import TENS_WORDS, UNIT_WORDS, written_count

_NUMBER_WORDS: dict[str, int] = {word: value for value, word in enumerate(UNIT_WORDS)}
_NUMBER_WORDS.update({word: 20 + 10 * i for i, word in enumerate(TENS_WORDS)})
_NUMBER_WORD_PATTERN = (
    rf"(?:{'|'.join(TENS_WORDS)})(?:[\s-]?(?:{'|'.join(UNIT_WORDS[1:10])}))?"
    rf"|{'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))}"
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN = re.compile(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})", re.I)
_NUMBER = rf"\d{{1,4}}(?![.,]\d)|[ivxlcdm]{{1,9}}\b|(?:{_NUMBER_WORD_PATTERN})\b"
_TITLE_PART = r"(?:\s*(?P<sep>[:.\-\u2013\u2014])\s*(?P<title>.*?))?\s*"
_NUMBERED_HEADING = re.compile(
    rf"(?P<keyword>chapter|chap\.|ch\.|part)\s*(?P<number>{_NUMBER}){_TITLE_PART}",
    re.IGNORECASE,
)
_SPECIAL_HEADING = re.compile(
    rf"(?P<keyword>prologue|epilogue|interlude)(?:\s+(?P<number>{_NUMBER}))?{_TITLE_PART}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Heading:
    """A heading candidate parsed from one line."""

    index: int
    #: ``chapter`` or ``part`` for numbered headings, else the special word in lower case.
    group: str
    number: int | None
    title: str | None
    #: "Prologue"/"Epilogue"/"Interlude" as the heading shows it, for special headings.
    label: str | None
    #: The line also reads as a sentence ("Chapter 1: The end of it all."): it is a heading
    #: only where the headings around it say so, never on its own in the middle of prose.
    weak: bool = False


def parse_heading(index: int, line: str) -> Heading | None:
    """Parse a short line as a heading candidate, or ``None``; sequence checks come later."""
    first = line[0].lower()
    if first in "cp":
        match = _NUMBERED_HEADING.fullmatch(line)
        if match is not None:
            number = _parse_number(match.group("number"))
            if number is not None:
                keyword = match.group("keyword").lower()
                group = "part" if keyword == "part" else "chapter"
                title = match.group("title") or None
                return Heading(index, group, number, title, None, _reads_as_sentence(match))
    if first in "eip":
        match = _SPECIAL_HEADING.fullmatch(line)
        if match is not None:
            word = match.group("keyword").capitalize()
            number_text = match.group("number")
            label = f"{word} {number_text}" if number_text else word
            # A bare "Prologue" is its own title; "Prologue: Storm" is titled "Storm".
            title = match.group("title") or label
            return Heading(index, word.lower(), None, title, label, _reads_as_sentence(match))
    return None


def _reads_as_sentence(match: re.Match[str]) -> bool:
    """Whether a heading-shaped line could also be a sentence of prose.

    "Chapter 3. she said nothing" and "Chapter 3: she left and never came back." read as
    sentences; so do real titles ("Chapter 1: The end of it all.", "Cosette . . ."), which
    is why such a line is only weak evidence, not prose: the headings around it decide.
    """
    title = match.group("title")
    if not title:
        return False
    lowercase_sentence = match.group("sep") == "." and title[0].islower()
    return lowercase_sentence or (title.endswith(".") and not title.endswith(("..", "…")))


def _parse_number(text: str) -> int | None:
    """Digits, a number word ("Twenty-One") or a Roman numeral."""
    if text[0].isdecimal():
        return written_count(text)
    lowered = " ".join(text.lower().replace("-", " ").split())
    if lowered in _NUMBER_WORDS:
        return _NUMBER_WORDS[lowered]
    words = lowered.split()
    if len(words) == 2 and words[0] in TENS_WORDS and words[1] in _NUMBER_WORDS:
        return _NUMBER_WORDS[words[0]] + _NUMBER_WORDS[words[1]]
    if lowered and _ROMAN.fullmatch(lowered):
        values = [_ROMAN_VALUES[ch] for ch in lowered]
        return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))
    return None


@dataclass(frozen=True)
class _Choice:
    """One way of reading the body's chapters: the headings, and what the text before is."""

    headings: list[Heading]
    #: The text before the first heading is an untitled chapter 1 (its heading did not
    #: survive, the first found is "Chapter 2"), not the work's notes.
    preamble_is_chapter: bool = False

    @property
    def chapters(self) -> int:
        """How many chapters this reading makes (a heading-less body is one)."""
        return max(1, len(self.headings) + self.preamble_is_chapter)


def select_headings(
    candidates: list[Heading], lines: list[str], declared: int | None = None
) -> _Choice:
    """Keep the candidates that form a sequence; the rest are prose.

    Several readings are possible (chapters or parts; with or without the headings that also
    read as sentences).  Without other evidence the first plausible one wins, in that order;
    a header declaring ``Chapters: N`` picks the reading that finds N chapters.
    """
    first = next((index for index, line in enumerate(lines) if line), None)
    readings = list(_readings(candidates, lines, first))
    if declared is not None:
        # Plausible readings first: a lone "Chapter 7" in prose must not win on a count alone.
        for plausible in (True, False):
            for choice, is_plausible in readings:
                if is_plausible is plausible and choice.chapters == declared:
                    return choice
    return next((choice for choice, plausible in readings if plausible), _Choice([]))


def _readings(
    candidates: list[Heading], lines: list[str], first: int | None
) -> Iterator[tuple[_Choice, bool]]:
    """Every reading of the headings worth considering, and whether each is plausible alone.

    Numbered headings must count up by one, from 1 (or 0) when such a heading exists, else from
    the first one seen; "Chapter" comes before "Part".  A skipped number is bridged when the
    sequence goes on after it (an author's slip, or a heading too long to be taken for one,
    must not lose every chapter after it); any single skip is bridged only to match the
    header's count.  A lone numbered heading is plausible only at the very top of the body (or
    as chapter 1 after a prologue there): a lone "Chapter 7" in the middle of prose is prose.
    Without a numbered run, special headings need company or the top.
    """
    strong = [c for c in candidates if not c.weak]
    ways = (
        (candidates, _Gaps.CONFIRMED, True),
        (candidates, _Gaps.NONE, True),
        (strong, _Gaps.CONFIRMED, True),
        (strong, _Gaps.NONE, True),
        (candidates, _Gaps.ANY, False),
    )
    for group in ("chapter", "part"):
        for pool, gaps, may_be_plausible in ways:
            chain = _numbered_chain([c for c in pool if c.group == group], gaps)
            if chain:
                choice, plausible = _chain_reading(chain, pool, lines, first)
                yield choice, plausible and may_be_plausible
    for pool in (candidates, strong):
        specials = [c for c in pool if c.number is None]
        on_top = any(s.index == first for s in specials)
        if specials:
            yield _choice(specials, lines), len(specials) >= 2 or on_top
    if candidates and not strong:
        # Every candidate also reads as a sentence: they may all be prose.
        yield _Choice([]), True


def _chain_reading(
    chain: list[Heading], pool: list[Heading], lines: list[str], first: int | None
) -> tuple[_Choice, bool]:
    """A numbered run with the special headings that fit around it, and whether it is plausible.

    Prologues come before the run, epilogues after it and interludes inside it.
    """
    specials = [c for c in pool if c.number is None]
    prologue_on_top = any(s.group == "prologue" and s.index == first for s in specials)
    plausible = len(chain) >= 2 or (
        chain[0].index == first or (prologue_on_top and chain[0].number == 1)
    )
    start, end = chain[0].index, chain[-1].index
    selected = chain + [
        s
        for s in specials
        if (s.group == "prologue" and s.index < start)
        or (s.group == "epilogue" and s.index > end)
        or (s.group == "interlude" and s.index > start)
    ]
    return _choice(selected, lines), plausible


def _choice(selected: list[Heading], lines: list[str]) -> _Choice:
    """A reading of these headings; text before a first "Chapter 2" is chapter 1."""
    headings = sorted(selected, key=lambda h: h.index)
    opening = headings[0]
    preamble = any(lines[: opening.index])
    return _Choice(headings, preamble and opening.number == 2)


def drop_contents_list(candidates: list[Heading], lines: list[str]) -> list[Heading]:
    """Drop table-of-contents entries: headings with nothing after them that recur later.

    FanFicFare's text files and many hand-made ones list the chapter headings at the top; left
    in, the list's "Chapter 1" would start the sequence and swallow the real chapter 1.
    """
    nonblank_before = list(itertools.accumulate((bool(line) for line in lines), initial=0))
    seen_later: set[tuple[str, int | None]] = set()
    kept: list[Heading] = []
    following: Heading | None = None
    for candidate in reversed(candidates):
        key = (candidate.group, candidate.number)
        empty = following is not None and (
            nonblank_before[following.index] == nonblank_before[candidate.index + 1]
        )
        if not (empty and key in seen_later and candidate.number is not None):
            kept.append(candidate)
        seen_later.add(key)
        following = candidate
    return kept[::-1]


class _Gaps(Enum):
    """Which skipped numbers a numbered run may bridge."""

    #: None: the run stops at the first missing number.
    NONE = "none"
    #: One missing number, when the two numbers after it follow (1, 2, 4, 5).
    CONFIRMED = "confirmed"
    #: Any one missing number at a time.
    ANY = "any"


def _numbered_chain(candidates: list[Heading], gaps: _Gaps = _Gaps.NONE) -> list[Heading]:
    """Return the run of candidates counting up by one, starting at 0 or 1 when possible.

    At each step the next number's first heading after the last link is taken, one that does
    not read as a sentence before one that does, so a line of prose that happens to say
    "Chapter 2: she left." cannot steal the place of the real "Chapter 2" after it.
    """
    if not candidates:
        return []
    by_number: dict[int | None, list[Heading]] = {}
    for candidate in candidates:
        by_number.setdefault(candidate.number, []).append(candidate)
    starts = by_number.get(0) or by_number.get(1) or candidates[:1]
    chain = [next((c for c in starts if not c.weak), starts[0])]
    while True:
        number = chain[-1].number or 0
        link = _next_link(by_number, chain[-1], number + 1)
        if link is None and gaps is not _Gaps.NONE:
            link = _next_link(by_number, chain[-1], number + 2)
            confirmed = link is not None and _next_link(by_number, link, number + 3) is not None
            if gaps is _Gaps.CONFIRMED and not confirmed:
                link = None
        if link is None:
            return chain
        chain.append(link)


def _next_link(
    by_number: dict[int | None, list[Heading]], after: Heading, number: int
) -> Heading | None:
    """The first heading numbered ``number`` after ``after``, preferring a plain one."""
    later = [c for c in by_number.get(number, []) if c.index > after.index]
    return next((c for c in later if not c.weak), later[0]) if later else None
