"""Lists in the label language: tags with the list comma ("、" in Chinese), names as a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.backends.epub import build_epub
from fic2book.backends.pdf import render_pdf
from fic2book.labels import Labels
from fic2book.model import Work
from fic2book.options import RenderOptions
from tests.conftest import make_work
from tests.textract import epub_documents, pdf_text


@pytest.mark.parametrize(
    ("catalog", "tags", "two", "three"),
    [
        ("en", "A, B, C", "A and B", "A, B, and C"),
        ("fr", "A, B, C", "A et B", "A, B et C"),
        ("zh", "A、B、C", "A和B", "A、B和C"),
        ("ja", "A、B、C", "A、B", "A、B、C"),
        ("de", "A, B, C", "A und B", "A, B und C"),
    ],
)
def test_lists_follow_the_language(catalog: str, tags: str, two: str, three: str) -> None:
    labels = Labels(catalog)
    assert labels.join_text(["A", "B", "C"]) == tags
    assert labels.join_text(["A", "B"], "names") == two
    assert labels.join_text(["A", "B", "C"], "names") == three
    # A tag list never gets an "and", however long.
    comma = tags.split("B")[0][1:]
    assert labels.join_text(list("ABCDEFG")) == comma.join("ABCDEFG")


def test_join_escapes_items_keeps_markup_and_sets_spans() -> None:
    labels = Labels("zh")
    joined = labels.join(["<b>", Markup("<i>x</i>")], cls="tag")
    assert isinstance(joined, Markup)
    assert joined == '<span class="tag">&lt;b&gt;</span>、<span class="tag"><i>x</i></span>'
    assert labels.join([]) == "" and labels.join(["solo"], "names") == "solo"
    assert labels.join_text(["solo"]) == "solo" and labels.join_text([]) == ""


def works() -> dict[str, Work]:
    return {
        language: make_work(title="Le phare" if language == "fr" else "灯塔", language=language)
        for language in ("fr", "zh")
    }


def test_epub_title_page_and_tags_in_chinese_and_french(tmp_path: Path) -> None:
    expected = {
        "fr": ("par alpha et Beta Pseud (beta)", "F/M, Gen", "Fluff, Angst"),
        "zh": ("alpha和Beta Pseud (beta)", "F/M、Gen", "Fluff、Angst"),
    }
    for language, work in works().items():
        path = tmp_path / f"{language}.epub"
        path.write_bytes(build_epub(work, RenderOptions(no_cover=True)))
        text = epub_documents(path)
        title = text["EPUB/title_page.xhtml"]
        summary = text["EPUB/tag_summary.xhtml"]
        byline, categories, additional = expected[language]
        assert byline in title, title
        assert categories in summary and additional in summary, summary
        if language == "zh":
            assert "F/M, Gen" not in summary


@pytest.mark.slow
def test_pdf_text_layer_reads_the_lists_in_chinese_and_french(tmp_path: Path) -> None:
    expected = {
        "fr": ["alpha et Beta Pseud (beta)", "F/M, Gen", "Fluff, Angst"],
        "zh": ["alpha和Beta Pseud (beta)", "F/M、Gen", "Fluff、Angst"],
    }
    for language, work in works().items():
        target = tmp_path / f"{language}.pdf"
        render_pdf(work, target, RenderOptions(no_cover=True))
        text = re.sub(r"[ \t]+", " ", pdf_text(target))
        for words in expected[language]:
            assert words in text, (language, words)
