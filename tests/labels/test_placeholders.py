"""Pictures a book cannot hold say so in the book's label language, in both books."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.backends.epub import build_epub
from fic2book.backends.pdf import render_pdf
from fic2book.html.clean import clean_markup
from fic2book.html.placeholders import localise_placeholders
from fic2book.labels import Labels
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from tests.conftest import make_work
from tests.textract import epub_text, pdf_text

SOURCE = (
    '<p>Look: <img src="https://e.org/a.png" alt="A &quot;cat&quot; &amp; a dog"> '
    'and <img src="https://e.org/760f07f8a1b2c3d4.png"></p>'
)


def markup() -> Markup:
    body = clean_markup(SOURCE, context="test")
    assert body is not None
    return body


def with_pictures(language: str) -> Work:
    work = make_work(language=language)
    chapter = dataclasses.replace(work.chapters[0], body=markup())
    return dataclasses.replace(work, chapters=(chapter, *work.chapters[1:]))


def test_the_model_reads_in_english_with_the_alt_text_apart() -> None:
    body = str(markup())
    assert '<span class="image-placeholder" title="A &quot;cat&quot; &amp; a dog">' in body
    assert '[Image: A "cat" &amp; a dog]</span>' in body
    assert '<span class="image-placeholder">[Image]</span>' in body


@pytest.mark.parametrize(
    ("catalog", "with_alt", "without"),
    [
        ("fr", '[Image\u00a0: A "cat" &amp; a dog]', "[Image]"),
        ("de", '[Bild: A "cat" &amp; a dog]', "[Bild]"),
        ("zh", '\uff3b图片\uff1aA "cat" &amp; a dog\uff3d', "\uff3b图片\uff3d"),
        ("en", '[Image: A "cat" &amp; a dog]', "[Image]"),
    ],
)
def test_placeholders_take_the_label_language(catalog: str, with_alt: str, without: str) -> None:
    out = str(localise_placeholders(markup(), Labels(catalog)))
    assert f">{with_alt}</span>" in out and f">{without}</span>" in out
    assert out.count("image-placeholder") == 2
    # The alt text stays where it was, so localising again gives the same markup.
    assert str(localise_placeholders(Markup(out), Labels(catalog))) == out


def test_prepare_localises_once_by_the_works_language_or_labels() -> None:
    french = prepare(with_pictures("fr"), RenderOptions())
    body = str(french.chapters[0].body)
    assert "[Image\u00a0: A" in body and "[Image:" not in body
    assert prepare(french, RenderOptions()) == french
    german = prepare(with_pictures("en"), RenderOptions(labels="de"))
    assert "[Bild]" in str(german.chapters[0].body)


def test_a_french_epub_says_image_in_french(tmp_path: Path) -> None:
    path = tmp_path / "fr.epub"
    options = RenderOptions(no_cover=True)
    path.write_bytes(build_epub(prepare(with_pictures("fr"), options), options))
    text = epub_text(path)
    # Typeset as French after localising: the alt text's quotes become guillemets.
    assert "[Image\u00a0: A «cat» & a dog]" in text and "[Image]" in text
    assert "[Image:" not in text


@pytest.mark.slow
def test_a_german_pdf_reads_bild_in_its_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "de.pdf"
    options = RenderOptions(labels="de", no_cover=True)
    render_pdf(prepare(with_pictures("en"), options), path, options)
    text = " ".join(pdf_text(path).split())
    assert "Look: [Bild: A" in text and "a dog] and [Bild]" in text
    assert "[Image" not in text and "760f07f8" not in text
