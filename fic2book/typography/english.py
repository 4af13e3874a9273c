"""English: the full rules — dashes, ranges, ellipses, primes, honorifics, curly quotes.

Rules of our own run before the quotes are curled (dashes, ranges, ellipses, primes, no-break
spaces after honorifics) and after it (elisions such as ’em and ’90s, quotes opened right after
a dash).  Quotes are curled by docutils' ``smartquotes`` rules, re-implemented here for speed
(:func:`educate_quotes`), fed one block's text nodes in order so context crosses inline tags
(``<em>Harry</em>'s``).  The IDs in the comments (Q01, D03…) are the cases in
``tests/unit/test_typography.py``.

Why not call docutils: its public ``docutils.utils.smartquotes.educate_tokens(tokens, "q",
"en")`` gives the same text (``tests/unit/test_typography_fast.py`` checks the rewrite against
``educateQuotes``), but its patterns consume the character before each quote, so they are tried
at every character of a paragraph.  On a 150,000-word work with straight quotes, as fics typed
on a phone come, that made the whole EPUB conversion 1.18x slower (0.61 against 0.51 s of
CPU); the rewrite saves 16 % of it, above issue 13's 10 % bar.  Figures: "Kept: own
smartquotes" in ``docs/benchmarks.md``.  If docutils' quote curling gets faster, or a change
here stops matching it, call docutils instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from fic2book.typography.pieces import LETTER, Piece, replace_chars

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


_IS_LETTER = re.compile(LETTER)


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


def english_block(pieces: list[Piece]) -> None:
    """Typeset one English block: our rules, lone primes, curly quotes, then elisions."""
    for piece in pieces:
        if not piece.literal:
            piece.text = _english_before(piece.text)
    replace_chars(pieces, _lone_primes)
    _curl_quotes(pieces)
    replace_chars(pieces, _english_after)


def _curl_quotes(pieces: list[Piece]) -> None:
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
            piece.text = educate_quotes(context + text)[1:]
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


def educate_quotes(text: str) -> str:
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


# What a block needs for some English rule to match, tested the same fast way.
_DASH_QUOTE = re.compile("—[“”‘’]")


def english_may_change(text: str) -> bool:
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
