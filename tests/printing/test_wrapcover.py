"""The wrap cover's layout rules: long summaries shrink and stay on the back panel."""

from __future__ import annotations

import re

from markupsafe import Markup

from fic2book.model import Chapter, Work
from fic2book.printing.wrapcover import MIN_SPINE_TEXT, WrapGeometry, cover_html


def _work(summary: str, title: str = "Salt") -> Work:
    chapter = Chapter(number=1, title="One", body=Markup("<p>Text.</p>"))
    return Work(
        title=title, authors=("tidewright",), language="en", chapters=(chapter,),
        summary=Markup(f"<p>{summary}</p>"),
    )  # fmt: skip


def _back_font(html: str) -> float:
    found = re.search(r"\.back \{[^}]*font-size: ([\d.]+)pt", html)
    assert found is not None
    return float(found[1])


def test_a_long_summary_gets_smaller_type_and_is_clipped_to_the_panel() -> None:
    geometry = WrapGeometry(420, 595, 20)
    short = cover_html(_work("Two signallers."), geometry, None)
    long = cover_html(_work("A very long summary. " * 300), geometry, None)
    assert _back_font(short) == 10
    assert 7 <= _back_font(long) < 10
    assert ".back-text { height: 100%; overflow: hidden }" in long
    # The summary is text: its markup is dropped, its characters escaped.
    assert "<p>A very" not in long and "A very long summary." in long
    assert "&lt;b&gt;" in cover_html(_work("&lt;b&gt;"), geometry, None)


def test_spine_text_only_on_a_wide_enough_spine() -> None:
    work = _work("Short.")
    assert 'spine-text">' not in cover_html(work, WrapGeometry(420, 595, MIN_SPINE_TEXT - 1), None)
    assert 'spine-text">Salt' in cover_html(work, WrapGeometry(420, 595, MIN_SPINE_TEXT), None)
