"""Break opportunities put into overlong runs of the PDF's body text (backends/pdf_words.py)."""

from __future__ import annotations

from fic2book.backends.pdf_words import LONG_RUN, break_long_words


def test_long_runs_get_a_break_opportunity_every_long_run_characters() -> None:
    word = "x" * (LONG_RUN * 2 + 5)
    html = f"<html><head><title>{word}</title></head><body><p>a {word} b</p></body></html>"
    out = break_long_words(html)
    assert f"<title>{word}</title>" in out  # the metadata is left alone
    assert f"<p>a {'x' * LONG_RUN}<wbr>{'x' * LONG_RUN}<wbr>xxxxx b</p>" in out


def test_tags_attributes_references_and_short_words_are_untouched() -> None:
    long_attribute = "y" * 200
    body = (
        f'<body><p title="a>{long_attribute}">{"&amp;" * 100}</p>'
        f'<a href="https://e.org/{long_attribute}">short words only</a></body>'
    )
    out = break_long_words(body)
    assert f'title="a>{long_attribute}"' in out
    assert f'href="https://e.org/{long_attribute}"' in out
    text = out.split("<wbr>")
    assert len(text) == 2 and text[0].endswith("&amp;") and text[1].startswith("&amp;")
    ordinary = "<body><p>" + "word " * 500 + "</p></body>"
    assert break_long_words(ordinary) == ordinary
