"""The typesetter's fast paths change nothing: they skip only text no rule could change.

``english_may_change`` and friends decide whether a block is typeset at all, and
``educate_quotes`` is docutils' quote curling rewritten for speed.  Both are checked here
against the slow, obvious answer on many seeded random strings built from the characters the
rules care about, so a rule added without its trigger, or a rewritten pattern that drifts from
docutils, fails here.
"""

from __future__ import annotations

import random

import pytest
from docutils.utils.smartquotes import educateQuotes
from markupsafe import Markup

from fic2book import typography
from fic2book.html.sanitize import paragraphs
from fic2book.typography import typeset_markup, typeset_text
from fic2book.typography.english import educate_quotes, english_may_change

#: Pieces of text the rules react to, and some they must not.
ATOMS = [
    *"aZs9 '\"`-.,;:!?()[{}]—–…‘’“”«»„\\&\t\n\u00a0\u200b\u200cé",
    *("word", "90", "1995", "Mr", "Dr", "Prof", "St", "Mrs", " - ", "--", "---", "...", ". . ."),
    *("'em", "'til", "'90s", "6'", '1"', "http://x.org/a--b", "``", "''", "  "),
]


def random_texts(seed: int, count: int, atoms: list[str] = ATOMS) -> list[str]:
    """``count`` strings of up to 16 atoms; half of them from a small random subset of atoms."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        pool = atoms if rng.random() < 0.5 else ["a", " ", *rng.sample(atoms, 3)]
        texts.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 16))))
    return texts


def test_quote_curling_is_docutils() -> None:
    # fic2book has always shown docutils a backslash as a private-use character (so it is
    # neither punctuation nor an escape); everything else must match docutils exactly.
    for text in random_texts(1, 4000):
        expected = educateQuotes(text.replace("\\", "\ue000"), "en").replace("\ue000", "\\")
        assert educate_quotes(text) == expected, repr(text)


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_text_the_gate_skips_would_not_change(language: str) -> None:
    rules = typography._rules_for(language)
    assert rules is not None
    skipped = 0
    for text in random_texts(2, 3000):
        if not rules.may_change(text):
            skipped += 1
            pieces = list(typography._split_urls(0, text, False))
            rules.typeset_block(pieces)
            assert "".join(p.text for p in pieces) == text, repr(text)
    assert skipped > 300  # the check above ran on plenty of text


def test_gate_sees_every_hard_case() -> None:
    from tests.unit.test_typography import CASES

    for _, source, expected in CASES:
        if source != expected:
            assert english_may_change(source.replace("<em>", "").replace("</em>", ""))


def test_typeset_paragraphs_are_skipped_whole() -> None:
    body = paragraphs(["“Already—typeset,” she said… in the ’90s.", "Plain words, no more."])
    assert typeset_markup(body, "en") is body
    assert not english_may_change(str(body).replace('"', ""))


def test_a_quote_after_a_dash_across_tags_is_still_seen() -> None:
    # The dash and the quote sit in different text nodes: only the joined text shows them.
    body = Markup("<p>He paused<em>—</em>’Tis late.</p>")
    assert str(typeset_markup(body, "en")) == "<p>He paused<em>—</em>‘Tis late.</p>"


def test_private_use_characters_survive() -> None:
    # They used to stand in for backslashes and ampersands, and came back as those.
    text = 'Icons \ue000 and \ue001: "a \\ b & c" \ue002'
    assert typeset_text(text, "en") == "Icons \ue000 and \ue001: “a \\ b & c” \ue002"
    body = Markup("<p>\ue000 <code>\ue001</code> 'x'</p>")
    assert str(typeset_markup(body, "en")) == "<p>\ue000 <code>\ue001</code> ‘x’</p>"


def test_backslashes_and_ampersands_next_to_quotes() -> None:
    # docutils saw these as private-use characters: neither words, spaces nor punctuation.
    assert typeset_text("\\'x' &\"y\"", "en") == "\\’x’ &”y”"
    assert typeset_text("a &'b'", "en") == "a &’b’"
