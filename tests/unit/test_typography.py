"""Typesetting by language: 43 hard cases, other languages, trees.

The cases (IDs Q quotes, A apostrophes, P primes, D dashes, E ellipses, N no-break spaces):
each goes through the real sanitiser and the real typesetter, and must also come out unchanged
when typeset a second time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.html.sanitize import SCENE_BREAK, clean_html, paragraphs, text_block
from fic2book.model import Chapter, TagGroup, TagKind
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from fic2book.typography import typeset, typeset_markup, typeset_text
from tests.conftest import SAMPLES, make_work

NB = "\u00a0"
CASES = [
    ("Q01", "'Hello,' she said.", "‘Hello,’ she said."),
    ("Q02", "\"She said 'no' to me.\"", "“She said ‘no’ to me.”"),
    ("Q03", "\"He told me, 'Run.'\"", "“He told me, ‘Run.’”"),
    ("Q04", "\"'Green?' Is that what you said?\"", "“‘Green?’ Is that what you said?”"),
    ("Q05", 'He paused—"No, wait."', "He paused—“No, wait.”"),
    ("Q06", 'She turned--"Stop!"', "She turned—“Stop!”"),
    ("Q07", "\"He said--'stop'--and left.\"", "“He said—‘stop’—and left.”"),
    ("Q08", "He ('the boss') left.", "He (‘the boss’) left."),
    ("Q09", '"And so the story went on', "“And so the story went on"),
    ("Q10", '"..."', "“…”"),
    ("Q11", '"...and then?"', "“…and then?”"),
    ("Q12", '<em>"Really?"</em>', "<em>“Really?”</em>"),
    ("Q13", '"Fine, <em>go</em>"', "“Fine, <em>go</em>”"),
    ("Q14", '<span class="x">"Hi," she said.</span>', '<span class="x">“Hi,” she said.</span>'),
    ("Q15", "``Hello,'' he said.", "“Hello,” he said."),
    ("Q16", 'She said "5" twice.', "She said “5” twice."),
    ("A01", "'Tis the season.", "’Tis the season."),
    ("A02", "I'll see 'em later.", "I’ll see ’em later."),
    ("A03", "Back in the '90s we danced.", "Back in the ’90s we danced."),
    ("A04", "'90s music was the best.", "’90s music was the best."),
    ("A05", "Wait 'til tomorrow.", "Wait ’til tomorrow."),
    ("A06", "Just 'cause I said so.", "Just ’cause I said so."),
    ("A07", '"\'Cause I said so," she said.', "“’Cause I said so,” she said."),
    ("A08", "rock 'n' roll", "rock ’n’ roll"),
    ("A09", "'Bout time.", "’Bout time."),
    ("A10", '"The \'80s," she said.', "“The ’80s,” she said."),
    ("A11", "<em>Harry</em>'s wand", "<em>Harry</em>’s wand"),
    ("A12", "the Joneses' house and James's sword", "the Joneses’ house and James’s sword"),
    ("A13", "\"It's the Weasleys'.\"", "“It’s the Weasleys’.”"),
    ("P01", "He was 6' 1\" tall.", f"He was 6′{NB}1″ tall."),
    ("P02", "The run took 4'33\".", "The run took 4′33″."),
    ("P03", "The board was 2' long.", "The board was 2′ long."),
    ("D01", "I--I don't know.", "I—I don’t know."),
    ("D02", "Wait---what?", "Wait—what?"),
    ("D03", "He stopped -- then ran.", "He stopped—then ran."),
    ("D04", "pages 10-20", "pages 10–20"),
    ("D05", "from 1990--1995", "from 1990–1995"),
    ("D06", '"Wait--" she began.', "“Wait—” she began."),
    ("D07", "He stopped - then ran.", "He stopped—then ran."),
    ("E01", "Wait... what?", "Wait… what?"),
    ("E02", "Wait . . . what?", "Wait… what?"),
    ("N01", "Mr. Smith met Dr. Jones.", f"Mr.{NB}Smith met Dr.{NB}Jones."),
    ("N02", "St. Mungo's", f"St.{NB}Mungo’s"),
]

#: Cases whose input holds markup; the others are also checked as plain strings (titles).
MARKUP_CASES = {"Q12", "Q13", "Q14", "A11"}


def typeset_p(html: str, language: str = "en") -> str:
    """Typeset one sanitised paragraph and return its markup."""
    return str(typeset_markup(clean_html(f"<p>{html}</p>"), language))


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hard_case(source: str, expected: str) -> None:
    once = typeset_p(source)
    assert once == f"<p>{expected}</p>"
    assert str(typeset_markup(Markup(once), "en")) == once  # idempotent


@pytest.mark.parametrize(
    ("source", "expected"),
    [c[1:] for c in CASES if c[0] not in MARKUP_CASES],
    ids=[c[0] for c in CASES if c[0] not in MARKUP_CASES],
)
def test_hard_case_as_plain_text(source: str, expected: str) -> None:
    assert typeset_text(source, "en") == expected
    assert typeset_text(expected, "en") == expected


def test_escaped_input_from_plain_text_paragraphs() -> None:
    # paragraphs() escapes quotes as &#34; and &#39;; the typesetter sees the characters.
    body = paragraphs(['It\'s "fine" & <ok>--really...'])
    assert str(typeset_markup(body, "en")) == "<p>It’s “fine” &amp; &lt;ok&gt;—really…</p>"


def test_code_and_preformatted_text_are_untouched() -> None:
    html = (
        '<p>Run <code>a--b "x" ...</code> and <kbd>--help</kbd>, then "go".</p>'
        '<pre>"quoted" -- and... \'single\'</pre><p><samp>"out"</samp></p>'
    )
    out = typeset_p(html)
    assert '<code>a--b "x" ...</code>' in out
    assert "<kbd>--help</kbd>" in out
    assert "<pre>\"quoted\" -- and... 'single'</pre>" in out
    assert '<samp>"out"</samp>' in out
    assert "“go”" in out


def test_urls_in_running_text_are_untouched() -> None:
    out = typeset_p('See https://example.com/a--b...c and "that".')
    assert "https://example.com/a--b...c" in out
    assert "“that”" in out


def test_already_typeset_text_is_returned_as_is() -> None:
    body = clean_html("<p>“Already—typeset,” she said… in the ’90s.</p><p>Plain words only</p>")
    assert typeset_markup(body, "en") is body


def test_quotes_pair_across_paragraph_boundaries_never() -> None:
    # An unclosed quote (Q09) in one paragraph must not flip the next paragraph's quotes.
    out = str(typeset_markup(paragraphs(['"And so it went on', '"Next," she said.']), "en"))
    assert out == "<p>“And so it went on</p>\n<p>“Next,” she said.</p>"


def test_markup_structure_and_attributes_survive() -> None:
    html = (
        '<p class="x" dir="ltr">"Hi," <a href="https://example.com/?a=1&amp;b=2">she</a>'
        ' said.<br/>"Bye."<span></span></p><hr class="scene-break"/><p><img src="images/a.png"'
        ' alt="A &quot;map&quot;"/></p>'
    )
    out = str(typeset_markup(clean_html(html), "en"))
    assert out.startswith('<p class="x" dir="ltr">“Hi,” <a href="https://example.com/?a=1&amp;b=2"')
    # A quote after a line break opens.
    assert "<br/>“Bye.”<span></span></p>" in out
    assert out.endswith(
        '<hr class="scene-break"/><p><img src="images/a.png" alt="A &quot;map&quot;"/></p>'
    )


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        (
            "de",
            '"Hallo", sagte er. Wie geht\'s? -- Gut...',
            "„Hallo“, sagte er. Wie geht’s? — Gut…",
        ),
        # An odd number of straight quotes cannot be paired: they stay straight.
        ("de", 'Er sagte "Hallo und ging.', 'Er sagte "Hallo und ging.'),
        (
            "fr",
            'Il a dit : " Bonjour " ! C\'est ça ; non ?',
            "Il a dit\u00a0: «\u00a0Bonjour\u00a0»\u202f! C’est ça\u202f; non\u202f?",
        ),
        # French spaces are made no-break only where the author typed one.
        ("fr", "Quoi?", "Quoi?"),
        # Russian and Spanish dialogue dashes keep their spacing.
        ("ru", '-- Привет, -- сказал он. "Да"', "— Привет, — сказал он. «Да»"),
        ("es", "--Hola --dijo él--. ¿Qué tal?", "—Hola —dijo él—. ¿Qué tal?"),
        # No English elisions, primes or honorifics outside English.
        ("it", "Mr. Rossi, l'anno '90, 6' 1\"", "Mr. Rossi, l’anno '90, 6' 1\""),
        # CJK and right-to-left scripts are left exactly as written.
        ("zh", '他说："你好..."', '他说："你好..."'),
        ("ja", "「こんにちは」...", "「こんにちは」..."),
        ("he", 'שלום "עולם" צ\'יפס...', 'שלום "עולם" צ\'יפס...'),
        ("ar", 'قال "مرحبا"...', 'قال "مرحبا"...'),
    ],
)
def test_other_languages(language: str, source: str, expected: str) -> None:
    assert typeset_text(source, language) == expected
    assert typeset_text(expected, language) == expected


def test_work_keeps_its_existing_quote_style() -> None:
    body = paragraphs(["«Bonjour», dit-il.", 'Puis "au revoir".'])
    work = make_work(language="it", chapters=(Chapter(1, None, body),))
    assert "«au revoir»" in str(typeset(work).chapters[0].body)


def test_typeset_covers_every_text_but_tags() -> None:
    chapter = Chapter(
        1,
        'Harry\'s "Big" Day',
        paragraphs(["He said--'no'."]),
        summary=text_block("It's a summary..."),
        notes=text_block("Notes -- here."),
        end_notes=text_block("'Til next time."),
    )
    work = make_work(
        title='Don\'t "Panic"',
        chapters=(chapter,),
        summary=text_block("The work's summary..."),
        notes=text_block('"Notes."'),
        end_notes=text_block("End -- notes."),
        tag_groups=(TagGroup(TagKind.ADDITIONAL_TAGS, ("Don't Copy to Another Site",)),),
    )
    out = typeset(work)
    first = out.chapters[0]
    assert out.title == "Don’t “Panic”"
    assert first.title == "Harry’s “Big” Day"
    assert str(first.body) == "<p>He said—‘no’.</p>"
    assert str(first.summary) == "<p>It’s a summary…</p>"
    assert str(first.notes) == "<p>Notes—here.</p>"
    assert str(first.end_notes) == "<p>’Til next time.</p>"
    assert str(out.summary) == "<p>The work’s summary…</p>"
    assert str(out.notes) == "<p>“Notes.”</p>"
    assert str(out.end_notes) == "<p>End—notes.</p>"
    assert out.tags(TagKind.ADDITIONAL_TAGS) == ("Don't Copy to Another Site",)
    assert typeset(out) == out


def test_untouched_languages_return_the_same_work() -> None:
    work = make_work(language="zh", title='"题"')
    assert typeset(work) is work


def test_prepare_honours_no_smart() -> None:
    work = make_work(title="It's")
    assert prepare(work, RenderOptions(smart=False)) == work
    assert prepare(work, RenderOptions()).title == "It’s"


def test_scene_breaks_stay_one_element() -> None:
    body = paragraphs(["Before..."]) + SCENE_BREAK + paragraphs(["After--"])
    out = str(typeset_markup(body, "en"))
    assert out == '<p>Before…</p><hr class="scene-break"/><p>After—</p>'


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.txt")), ids=lambda p: p.stem)
def test_samples_keep_no_divider_text(path: Path) -> None:
    # Every divider of the text reader becomes <hr class="scene-break"/>; typesetting must not
    # bring one back as text (a "---" turned into "—" in a paragraph of its own).
    work = prepare(read_work(path), RenderOptions())
    for chapter in work.chapters:
        body = str(chapter.body)
        for divider in ("<p>***</p>", "<p>* * *</p>", "<p>—</p>", "<p>~~~</p>", "<p>oOo</p>"):
            assert divider not in body


def test_text_reader_dividers_become_scene_breaks(tmp_path: Path) -> None:
    dividers = ["***", "* * *", "~~~", "---", "oOo", "xXx", "-x-", "◇◇◇", "❀", "#", "___"]
    lines = ["Title: Breaks", "Author: a", "", "Start."]
    for divider in dividers:
        lines += [divider, f"After {divider!r}."]
    source = tmp_path / "breaks.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    work = prepare(read_work(source), RenderOptions())
    body = str(work.chapters[0].body)
    assert body.count('<hr class="scene-break"/>') == len(dividers)
    for divider in dividers:
        assert f"<p>{divider}</p>" not in body


def test_heading_styles() -> None:
    titled = Chapter(3, "The Storm", Markup(""))
    untitled = Chapter(4, None, Markup(""))
    prologue = Chapter(1, None, Markup(""), label="Prologue")
    assert titled.heading_for("full") == "Chapter 3: The Storm"
    assert titled.heading_for("title") == "The Storm"
    assert untitled.heading_for("title") == "Chapter 4"
    assert prologue.heading_for("title") == "Prologue"
    assert dataclasses.replace(titled, label="Interlude").heading_for("title") == "The Storm"
