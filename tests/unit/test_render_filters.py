"""Template filters that turn the model's text into what a PDF field or margin box holds."""

from __future__ import annotations

from markupsafe import Markup

from fic2book.html.sanitize import clean_html, paragraphs, plain_text
from fic2book.render import RUNNING_HEAD_WIDTH, running_head


def test_short_running_heads_are_kept_whole() -> None:
    assert running_head("Chapter 3:   The  Turn") == "Chapter 3: The Turn"
    assert running_head("x" * RUNNING_HEAD_WIDTH) == "x" * RUNNING_HEAD_WIDTH


def test_long_running_heads_end_after_a_whole_word_with_an_ellipsis() -> None:
    title = "The Extraordinarily Long and Winding Title of a Work That Never Seems to End"
    head = running_head(title)
    assert head.endswith("…") and len(head) <= RUNNING_HEAD_WIDTH
    assert title.startswith(head[:-1])
    assert title[len(head) - 1] == " "  # cut between words


def test_wide_characters_count_double_and_words_without_spaces_are_cut() -> None:
    head = running_head("月" * 100)
    assert head == "月" * ((RUNNING_HEAD_WIDTH - 1) // 2) + "…"
    assert running_head("y" * 500) == "y" * (RUNNING_HEAD_WIDTH - 1) + "…"


def test_plain_text_puts_each_block_on_its_own_line() -> None:
    markup = clean_html(
        "<p>Who kept the lamps for <em>years</em>?</p><p>A Martin came.<br/>Then</p>"
        "<ul><li>one</li><li>two</li></ul>"
    )
    assert plain_text(markup) == "Who kept the lamps for years?\nA Martin came.\nThen\none\ntwo"
    assert plain_text(Markup("")) == ""
    assert plain_text(Markup("a &amp; b")) == "a & b"


def test_plain_text_paragraphs_lose_the_whitespace_at_their_edges() -> None:
    assert paragraphs(["  one two \n", "\tthree\u00a0"]) == "<p>one two</p>\n<p>three</p>"
