"""The last word of a paragraph is tied to the one before (fic2book/typography/runts.py).

Only a space may change, and only into U+00A0: the words, the markup and anything literal stay
as they were.  The PDF side (no runt on the page) is tests/backends/test_pdf_setting.py.
"""

from __future__ import annotations

import dataclasses

import lxml.html
import pytest
from markupsafe import Markup

from fic2book.typography.runts import (
    GROUP_MAX_WORDS,
    TIE_MAX_LETTERS,
    tie_last_words,
    tie_markup,
)
from tests.conftest import make_work
from tests.unit.test_typography_fast import ATOMS, random_texts

NBSP = "\u00a0"


def tie(source: str) -> str:
    return str(tie_markup(Markup(source)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>he knew no more.</p>", "<p>he knew no\u00a0more.</p>"),
        # AO3's layout whitespace before </p> stays; the space run before the word goes.
        ("<p>he knew no\n   more.\n</p>", "<p>he knew no\u00a0more.\n</p>"),
        ("<p>and <em>so</em> on</p>", "<p>and <em>so</em>\u00a0on</p>"),
        ("<p>he said <em>stop</em></p>", "<p>he said\u00a0<em>stop</em></p>"),
        # A hyphenable last word after a short one: a long enough third word takes the hyphen.
        ("<p>man capable of exclamation.</p>", "<p>man capable\u00a0of\u00a0exclamation.</p>"),
        ("<p>a quiet fit of exclamation.</p>", "<p>a quiet fit of\u00a0exclamation.</p>"),
        ("<p>the dwelling of a hangman.</p>", "<p>the dwelling\u00a0of\u00a0a\u00a0hangman.</p>"),
        ("<p>I cannot dissemble indefinitely.</p>", "<p>I cannot dissemble\u00a0indefinitely.</p>"),
        # A hyphenated compound breaks at its hyphen first: it cannot take the hyphen.
        ("<p>for back-up? Anyone?</p>", "<p>for back-up? Anyone?</p>".replace("? A", "?\u00a0A")),
        # A trailing no-break space is not a tie.
        ("<p>drinks his tea.\u00a0</p>", "<p>drinks his\u00a0tea.\u00a0</p>"),
        # Each line ended by <br> is tied on its own.
        ("<p>one two<br/>three four</p>", "<p>one\u00a0two<br/>three\u00a0four</p>"),
        # A quotation mark or a French narrow space belongs to the word.
        ("<p>“Yes,” she said.”</p>", "<p>“Yes,” she\u00a0said.”</p>"),
        ("<p>C'est vrai\u202f?</p>", "<p>C'est\u00a0vrai\u202f?</p>"),
        # Nothing to tie: one word, a long word, code, a URL, punctuation alone.
        ("<p>Alone.</p>", "<p>Alone.</p>"),
        (f"<p>a {'x' * (TIE_MAX_LETTERS + 1)}</p>", f"<p>a {'x' * (TIE_MAX_LETTERS + 1)}</p>"),
        (f"<p>a {'x1' * 40}</p>", f"<p>a {'x1' * 40}</p>"),  # not even looked through
        ("<p>run <code>ls -l</code></p>", "<p>run <code>ls -l</code></p>"),
        ("<p>see https://example.org/a</p>", "<p>see https://example.org/a</p>"),
        ("<p>and then —</p>", "<p>and then —</p>"),
        # Already tied (by the author or by a first run): left as it is.
        ("<p>met Mr.\u00a0Smith.</p>", "<p>met Mr.\u00a0Smith.</p>"),
    ],
)
def test_the_last_word_is_tied(source: str, expected: str) -> None:
    assert tie(source) == expected


def test_a_space_split_over_two_text_nodes_is_left_alone() -> None:
    assert tie("<p>a <em> b</em></p>") == "<p>a <em> b</em></p>"


def test_tying_changes_only_spaces_and_is_idempotent() -> None:
    for text in random_texts(7, 3000, [*ATOMS, "<em>", "</em>", "<br/>", " ", " ", "word"]):
        source = str(Markup(f"<p>{text}</p>"))
        tied = tie(source)
        assert tie(tied) == tied, repr(source)
        # The same words (spaces of any kind as one), at most GROUP_MAX_WORDS - 1 ties per line.
        assert words(tied) == words(source), repr(source)
        ties = tied.count(NBSP) - source.count(NBSP)
        assert ties <= (GROUP_MAX_WORDS - 1) * (1 + source.count("<br/>")), repr(source)


def words(markup: str) -> list[str]:
    return lxml.html.fragment_fromstring(markup, create_parent="div").text_content().split()


def test_a_work_is_tied_in_its_bodies_notes_and_collected_works() -> None:
    work = make_work()
    tied = tie_last_words(dataclasses.replace(work, works=(work,)))
    assert "first\u00a0paragraph." in str(tied.chapters[0].body)
    assert "one\u00a0summary." in str(tied.chapters[0].summary)
    assert "first\u00a0paragraph." in str(tied.works[0].chapters[0].body)
    assert tied.title == work.title


def test_scripts_without_spaces_are_left_alone() -> None:
    work = make_work(language="ja")
    assert tie_last_words(work) is work
