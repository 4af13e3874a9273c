"""The PDF is set as a typographer would have it, in every theme: read back from the word boxes.

No runts (a paragraph's last line one short word), no widows or orphans, hyphens only in long
enough words with long enough pieces, French hyphenated by French patterns, running heads on
one line.  Lines are matched to the work's paragraphs by tests/layout.py.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
import shutil
from pathlib import Path

import pikepdf
import pyphen
import pytest

from fic2book.backends.pdf import render_pdf
from fic2book.html.sanitize import paragraphs
from fic2book.model import Chapter, Work
from fic2book.options import ParagraphStyle, RenderOptions
from fic2book.pagesize import PageSize, page_geometry
from fic2book.pipeline import prepare
from tests.conftest import make_work
from tests.layout import INSERTED_HYPHEN, Figures, measure, running_heads_wrapped, story
from tests.layout import paragraphs as story_paragraphs
from tests.pdfboxes import pages
from tests.textract import pdf_text

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"
)

#: Every theme, and the AO3-like paragraphs of --style block in the two themes without them.
SETTINGS = [
    ("classic", "book"),
    ("classic", "block"),
    ("modern", "book"),
    ("modern", "block"),
    ("ao3", "book"),
]
#: pdf.css: hyphenate-limit-chars: 6 3 3.
MIN_WORD, MIN_BEFORE, MIN_AFTER = 6, 3, 3

_SHORT = ["a", "an", "the", "of", "to", "in", "on", "at", "by", "he", "we", "it", "was", "and"]
_MIDDLE = ["harbour", "lantern", "signal", "letter", "window", "morning", "keeper", "station"]
_LONG = ["extraordinary", "remembering", "conversation", "harbourmaster", "lighthouse"]
#: Paragraph ends: short words, so alone on the last line they would be runts.
_ENDS = ["on.", "it.", "me.", "now.", "so.", "go.", "up.", "too.", "her.", "him."]


RUNT_PARAGRAPHS = 150


def generated_paragraphs(count: int, seed: int = 15) -> list[str]:
    """Paragraphs of 10 to 45 words, each ending in a short word, seeded."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        words = [
            rng.choice(rng.choice((_SHORT, _SHORT, _MIDDLE, _LONG)))
            for _ in range(rng.randint(10, 45))
        ]
        found.append(" ".join(words).capitalize() + " " + rng.choice(_ENDS))
    return found


def work_of(texts: list[str], **fields: object) -> Work:
    half = len(texts) // 2
    chapters = (
        Chapter(number=1, title="The Harbour", body=paragraphs(texts[:half])),
        Chapter(number=2, title="The Lighthouse", body=paragraphs(texts[half:])),
    )
    return dataclasses.replace(make_work(), chapters=chapters, **fields)  # type: ignore[arg-type]


def top_margin_pt(options: RenderOptions) -> float:
    return page_geometry(options.page_size, options.gutter).top_mm / 25.4 * 72


def figures_of(work: Work, options: RenderOptions, target: Path) -> Figures:
    """Lay ``work`` out as ``convert`` does and measure its setting."""
    prepared = prepare(work, options)
    render_pdf(prepared, target, options)
    return measure(pages(target), story_paragraphs(prepared), top_margin_pt(options))


def test_tied_words_read_as_words(runt_work: Work, tmp_path: Path) -> None:
    """A tie changes no word: the text layer reads every word of the story, spaced."""
    target = tmp_path / "book.pdf"
    render_pdf(prepare(runt_work, RenderOptions()), target, RenderOptions())
    text = pdf_text(target)
    assert "\u00a0" not in text
    # Each paragraph's last three words, as poppler reads them: separate words, in order.
    read = " ".join(text.replace(INSERTED_HYPHEN + "\n", "").split())
    for paragraph in generated_paragraphs(RUNT_PARAGRAPHS):
        assert " ".join(paragraph.split()[-3:]) in read, paragraph


@pytest.fixture(scope="module")
def runt_work() -> Work:
    return work_of(generated_paragraphs(RUNT_PARAGRAPHS))


def test_without_ties_the_generated_text_has_runts(runt_work: Work, tmp_path: Path) -> None:
    """The check below can fail: laid out untied (--no-smart), this text has runts."""
    figures = figures_of(runt_work, RenderOptions(smart=False), tmp_path / "untied.pdf")
    assert figures.coverage == 1.0
    assert len(figures.runts) >= 5, figures.runts


@pytest.mark.parametrize(("theme", "style"), SETTINGS)
def test_no_runts_widows_orphans_or_short_hyphen_pieces(
    runt_work: Work, theme: str, style: str, tmp_path: Path
) -> None:
    options = RenderOptions(theme=theme, style=ParagraphStyle(style))
    figures = figures_of(runt_work, options, tmp_path / "book.pdf")
    assert figures.coverage == 1.0
    assert figures.paragraphs == RUNT_PARAGRAPHS
    assert figures.runts == []
    assert figures.orphans == []
    assert figures.widows == []
    assert figures.hyphenated > 5, "expected the long words to be hyphenated"
    assert figures.short_fragments == []
    assert figures.wrapped_heads == []


def hyphenated_words(path: Path, texts: list[str], top: float) -> list[tuple[str, int]]:
    """Each word the layout broke, whole, and how many letters went before the hyphen."""
    lines = story(pages(path), texts, top).lines
    found = []
    for entry, following in itertools.pairwise(lines):
        if entry.line.text.endswith(INSERTED_HYPHEN):
            head = re.split(r"\W", entry.line.words[-1].text.removesuffix(INSERTED_HYPHEN))[-1]
            tail = re.split(r"\W", following.line.words[0].text)[0]
            found.append((head + tail, len(head)))
    return found


def test_hyphens_fall_only_where_the_limits_allow(runt_work: Work, tmp_path: Path) -> None:
    options = RenderOptions()
    target = tmp_path / "book.pdf"
    prepared = prepare(runt_work, options)
    render_pdf(prepared, target, options)
    broken = hyphenated_words(target, story_paragraphs(prepared), top_margin_pt(options))
    assert len(broken) > 5
    for word, before in broken:
        assert len(word) >= MIN_WORD, word
        assert before >= MIN_BEFORE and len(word) - before >= MIN_AFTER, (word, before)


#: French prose written for this test, heavy in long words French and English break apart.
FRENCH = [
    "Mademoiselle Baptistine parlait extraordinairement lentement, et cependant personne ne "
    "l'interrompait jamais ; elle racontait malheureusement toujours la même histoire.",
    "Le gouvernement avait envoyé des renseignements particulièrement incompréhensibles, et "
    "le développement de l'affaire dépendait maintenant de la reconnaissance du préfet.",
    "Indépendamment de ces considérations, le vieil homme marchait silencieusement vers la "
    "fenêtre, parfaitement tranquille, regardant tranquillement les lanternes du port.",
]


def test_french_is_hyphenated_by_french_patterns(tmp_path: Path) -> None:
    texts = FRENCH * 6
    work = work_of(texts, language="fr", language_name="Français")
    options = RenderOptions(page_size=PageSize.parse("90x140mm"))
    target = tmp_path / "french.pdf"
    prepared = prepare(work, options)
    render_pdf(prepared, target, options)
    with pikepdf.open(target) as pdf:
        assert str(pdf.Root["/Lang"]) == "fr"
    broken = hyphenated_words(target, story_paragraphs(prepared), top_margin_pt(options))
    assert len(broken) > 5, broken
    french = pyphen.Pyphen(lang="fr", left=MIN_BEFORE, right=MIN_AFTER)
    english = pyphen.Pyphen(lang="en", left=MIN_BEFORE, right=MIN_AFTER)
    for word, before in broken:
        assert before in french.positions(word), (word, before)
    # French patterns, not English ones: some of those breaks English would not make.
    assert any(before not in english.positions(word) for word, before in broken), broken


LONG_TITLE = (
    "A Title So Long That No Running Head Could Ever Hold It on One Line of an A5 Page, "
    "Not Even in the Smallest Italic"
)


@pytest.mark.parametrize(("theme", "style"), SETTINGS)
def test_running_heads_stay_on_one_line(theme: str, style: str, tmp_path: Path) -> None:
    texts = generated_paragraphs(40, seed=3)
    work = work_of(texts, title=LONG_TITLE)
    chapters = tuple(
        dataclasses.replace(chapter, title=f"{LONG_TITLE}, Chapter {chapter.number}")
        for chapter in work.chapters
    )
    options = RenderOptions(theme=theme, style=ParagraphStyle(style))
    target = tmp_path / "heads.pdf"
    render_pdf(prepare(dataclasses.replace(work, chapters=chapters), options), target, options)
    book = pages(target)
    top = top_margin_pt(options)
    heads = [line for page in book for line in page.lines if line.y_min < top]
    assert len(heads) >= 4, "expected running heads on the story's pages"
    assert all(line.text.endswith("…") for line in heads), [line.text for line in heads]
    assert running_heads_wrapped(book, top) == []
