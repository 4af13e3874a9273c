"""Other languages in Latin, Cyrillic or Greek script: only rules that cannot be wrong there.

In-word apostrophes, ellipses, ``--`` dashes, straight double quotes that pair up (in the
language's own marks), and French no-break spaces where the author typed a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fic2book.typography.pieces import LETTER, Piece, replace_chars

_CONSERVATIVE_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\d)--(?=\d)"), "–"),
    # Dashes only: their spacing is the language's business (Russian and Spanish dialogue).
    (re.compile(r"(?<!-)-{2,3}(?!-)"), "—"),
    (re.compile(r"\.\.\."), "…"),
)
_IN_WORD_APOSTROPHE = re.compile(rf"(?<={LETTER})'(?={LETTER})")
# Imprimerie nationale: a no-break space inside « » and before a colon, a narrow one before
# ; ! ? -- only where the author already typed a space, never inserted.
_FRENCH_SPACES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r" (?=[;!?])"), "\u202f"),
    (re.compile(r" (?=[:»])"), "\u00a0"),
    (re.compile(r"(?<=«) "), "\u00a0"),
)


def conservative_block(pieces: list[Piece], quotes: tuple[str, str], french: bool) -> None:
    """Typeset one block by the rules safe in any language, in its ``quotes``."""
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

    replace_chars(pieces, rules)
    if french:
        # A second pass, so spaces inside quotes curled by the first one are seen.
        replace_chars(pieces, french_spaces)


_FRENCH_SPACE = re.compile("« | [;!?:»]")


def conservative_may_change(text: str) -> bool:
    """Whether a rule for other languages can match ``text``: quotes, dashes, ellipses."""
    return "'" in text or '"' in text or "--" in text or "..." in text


def french_may_change(text: str) -> bool:
    """The rules for other languages, plus the no-break spaces of French."""
    return conservative_may_change(text) or _FRENCH_SPACE.search(text) is not None


def default_quotes(primary: str) -> tuple[str, str]:
    """The language's primary quotation marks from docutils, without French spacing."""
    # Imported here: docutils takes longer to import than typesetting an English novel.
    from docutils.utils.smartquotes import smartchars

    marks = smartchars.quotes.get(primary, "“”‘’")
    return marks[0].strip(), marks[1].strip()
