"""--opening and --ornament: the marked first paragraph, the CSS, the CLI, both books."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import cast

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.cli import app
from fic2book.design import Opening, check_ornament, design_css, mark_opening
from fic2book.errors import UsageError
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.epubcheck import epubcheck_jar, failures, must_validate, run_epubcheck_batch

STORY = """# Quotes

## One

"Strange," she said. The ferry left at six whether or not anyone was on it.

* * *

Ilse had run it for eleven years and had never once waited for anyone.

## Two

她说“奇怪”河水流过。
"""


def test_dropcap_takes_the_leading_quote_with_the_letter() -> None:
    body = Markup("<p>\u201cStrange,\u201d she said.</p><p>Next.</p>")
    marked = mark_opening(body, "dropcap")
    assert marked.startswith('<p class="opening"><span class="dropcap">\u201cS</span>trange,')
    assert marked.endswith("<p>Next.</p>")


def test_dropcap_inside_inline_markup_and_existing_class() -> None:
    marked = mark_opening(Markup('<p class="x"><em>Alas</em>, no.</p>'), "dropcap")
    assert marked == '<p class="x opening"><em><span class="dropcap">A</span>las</em>, no.</p>'


@pytest.mark.parametrize("text", ["她说“奇怪”", "\u0645\u0631\u062d\u0628\u0627", "123 go", ""])
def test_no_opening_in_scripts_without_case(text: str) -> None:
    body = Markup(f"<p>{text}</p>")
    assert mark_opening(body, "dropcap") == body
    assert mark_opening(body, "smallcaps") == body


def test_smallcaps_wraps_the_first_words_up_to_a_clause() -> None:
    marked = mark_opening(Markup("<p>It was, of course, late.</p>"), "smallcaps")
    assert (
        marked
        == '<p class="opening"><span class="opening-words">It was,</span> of course, late.</p>'
    )
    marked = mark_opening(Markup("<p>The ferry left at six.</p>"), "smallcaps")
    assert '<span class="opening-words">The ferry left</span> at six.' in marked


def test_plain_and_escaped_text_stay_as_they_are() -> None:
    body = Markup("<p>&amp; so on &lt;b&gt;</p>")
    assert mark_opening(body, "plain") == body
    assert mark_opening(body, "dropcap") == body


def test_ornaments() -> None:
    assert design_css("asterism", Opening.PLAIN) == ""  # book.css draws the default
    assert "\\2042" in design_css("asterism", Opening.DROPCAP)
    assert "\\2767" in design_css("fleuron", Opening.PLAIN)
    assert "border-top" in design_css("rule", Opening.PLAIN)
    assert '"~ \\2766  ~"' in design_css(check_ornament("~ \u2766 ~"), Opening.PLAIN)
    assert check_ornament("Dinkus") == "dinkus"
    for bad in ["", "x" * 13, "a\nb"]:
        with pytest.raises(UsageError):
            check_ornament(bad)
    with pytest.raises(UsageError):
        RenderOptions(opening=cast("Opening", "swash"))  # as the CLI passes it


def test_cli_options_reach_both_books(tmp_path: Path) -> None:
    source = tmp_path / "q.md"
    source.write_text(STORY, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "convert",
            str(source),
            "--to",
            "epub",
            "--opening",
            "smallcaps",
            "--ornament",
            "rule",
            "--theme",
            "modern",
            "-o",
            str(tmp_path / "q.epub"),
        ],
    )
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(app, ["convert", str(source), "--opening", "swash"])
    assert bad.exit_code != 0
    assert "--opening must be one of" in bad.output


@pytest.mark.slow
def test_pdf_text_layer_reads_the_dropcap_word_whole(tmp_path: Path) -> None:
    from fic2book.backends.pdf import render_pdf

    source = tmp_path / "q.md"
    source.write_text(STORY, encoding="utf-8")
    target = tmp_path / "q.pdf"
    render_pdf(
        read_work(source), target, RenderOptions(opening=Opening.DROPCAP, ornament="fleuron")
    )
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Straight quotes: the pipeline's smart typography is not run here; the quote is in the cap.
    assert '"Strange," she said.' in text
    assert "\u2767" in text  # the ornament is drawn (and in the text layer, as shown)


#: Each theme with each opening and a different ornament: three books, one EPUBCheck run.
COMBINATIONS = [
    ("classic", "dropcap", "fleuron"),
    ("modern", "smallcaps", "rule"),
    ("ao3", "plain", "dinkus"),
    ("ao3", "dropcap", "\u2766"),
    ("classic", "smallcaps", "asterism"),
    ("modern", "dropcap", "* * *"),
]


@pytest.mark.slow
def test_epubcheck_each_theme_and_opening(tmp_path: Path) -> None:
    source = tmp_path / "q.md"
    source.write_text(STORY, encoding="utf-8")
    work = read_work(source)
    books = []
    for index, (theme, opening, ornament) in enumerate(COMBINATIONS):
        options = RenderOptions(theme=theme, opening=Opening(opening), ornament=ornament)
        target = tmp_path / f"q{index}.epub"
        target.write_bytes(build_epub(work, options))
        books.append(target)
    if epubcheck_jar() is None:
        if must_validate():
            pytest.fail("EPUBCheck is not available")
        pytest.skip("EPUBCheck is not available")
    reports = run_epubcheck_batch(books)
    for book in books:
        assert failures(reports[book]) == [], book.name
