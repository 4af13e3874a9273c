"""Chapter openings after a leading mark: guillemets, „, dialogue dashes; small capitals' end.

``--opening`` must be "correct with a leading quotation mark" (issue 15) in every language's
convention, not only English “…”: a French « with its space, a German „, a Spanish or
Russian dialogue dash.  Small capitals stop at a clause's end even inside closing quotes, and
leave text already in capitals as it is (small capitals of capitals would not show).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.backends.pdf import render_pdf
from fic2book.design import Opening, mark_opening
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.pdfboxes import pages
from tests.textract import pdf_text


@pytest.mark.parametrize(
    ("text", "cap", "rest"),
    [
        ("\u00ab Bonjour, dit-il.", "\u00ab B", "onjour"),  # « and a space
        ("\u00ab\u00a0Bonjour, dit-il.", "\u00ab\u00a0B", "onjour"),  # no-break space
        ("\u00ab\u202fBonjour, dit-il.", "\u00ab\u202fB", "onjour"),  # narrow no-break
        ("\u00ab&nbsp;Bonjour, dit-il.", "\u00ab&nbsp;B", "onjour"),  # as the sanitiser writes it
        ("\u00abBonjour\u00bb, dit-il.", "\u00abB", "onjour"),
        ("\u201eGuten Tag\u201c, sagte er.", "\u201eG", "uten"),
        ("\u2014 Hola \u2014dijo ella.", "\u2014 H", "ola"),
        (
            "\u2013 \u041f\u0440\u0438\u0432\u0435\u0442, \u2014 \u0441\u043a\u0430"
            "\u0437\u0430\u043b.",
            "\u2013 \u041f",
            "\u0440\u0438\u0432\u0435\u0442",
        ),
    ],
)
def test_dropcap_carries_a_guillemet_or_dialogue_dash(text: str, cap: str, rest: str) -> None:
    marked = mark_opening(Markup(f"<p>{text}</p>"), "dropcap")
    assert marked.startswith(f'<p class="opening"><span class="dropcap">{cap}</span>{rest}')
    # The words stay as they were: only a span is added.
    assert Markup(marked).striptags() == Markup(f"<p>{text}</p>").striptags()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("\u201cStrange,\u201d she said, and left.", "\u201cStrange,\u201d"),
        (
            "\u00ab\u00a0\u00c9trange\u00a0\u00bb, dit-elle.",
            "\u00ab\u00a0\u00c9trange\u00a0\u00bb,",
        ),
        ("\u00ab Bonjour, dit-il.", "\u00ab Bonjour,"),
        ("\u2014 Hola \u2014dijo ella.", "\u2014 Hola"),
        ("\u201eGuten Tag\u201c, sagte er.", "\u201eGuten Tag\u201c,"),
        ("It was NASA that called.", "It was"),
        ("The ferry left at six.", "The ferry left"),
        ("A man walked in.", "A man walked"),
    ],
)
def test_smallcaps_stop_at_a_clause_inside_quotes_and_before_capitals(
    text: str, words: str
) -> None:
    marked = mark_opening(Markup(f"<p>{text}</p>"), "smallcaps")
    assert f'<span class="opening-words">{words}</span>' in marked


@pytest.mark.parametrize("text", ["<strong>A/N:</strong> thanks all", "NASA called.", "OK then"])
def test_smallcaps_leave_text_already_in_capitals_plain(text: str) -> None:
    body = Markup(f"<p>{text}</p>")
    assert mark_opening(body, "smallcaps") == body


STORY = """---
title: Titre
language: fr
---

# Un

\u00ab\u00a0\u00c9trange\u00a0\u00bb, dit-elle. Le bac partait \u00e0 six heures, que \
quelqu\u2019un soit \u00e0 bord ou non.

Ilse le menait depuis onze ans.

# Dos

\u2014 Hola \u2014dijo ella. El barco sal\u00eda a las seis, hubiera o no alguien a bordo.
"""


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_pdf_dropcap_after_a_guillemet_or_dash_reads_whole(tmp_path: Path) -> None:
    source = tmp_path / "fr.md"
    source.write_text(STORY, encoding="utf-8")
    target = tmp_path / "fr.pdf"
    render_pdf(read_work(source), target, RenderOptions(opening=Opening.DROPCAP))
    text = pdf_text(target)
    assert "\u00ab \u00c9trange \u00bb, dit-elle." in text.replace("\u00a0", " ")
    assert "\u2014 Hola \u2014dijo ella." in text
    # Each opening line starts with its raised cap: taller than the text's words.
    lines = [line for page in pages(target) for line in page.lines]
    body = next(word for line in lines for word in line.words if word.text == "bac")
    for opening in ("trange", "dijo"):
        line = next(line for line in lines if any(opening in word.text for word in line.words))
        tallest = max(word.y_max - word.y_min for word in line.words)
        assert tallest > 1.5 * (body.y_max - body.y_min), opening
