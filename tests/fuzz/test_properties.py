"""Sanitising and typesetting are idempotent; any generated work makes a valid EPUB."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from fic2book.backends.epub import build_epub
from fic2book.html.clean import clean_markup
from fic2book.html.sanitize import clean_html, text_block
from fic2book.model import Chapter, SeriesEntry, Stats, TagGroup, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.typography import typeset_markup
from tests.epubcheck import epubcheck_jar, must_validate, run_epubcheck_batch
from tests.fuzz.strategies import html_fragments, texts

LANGUAGES = ["en", "fr", "de", "ru", "es", "ja", "ar", "und"]


@given(html_fragments)
def test_clean_html_idempotent(html: str) -> None:
    """clean_html(clean_html(x)) == clean_html(x)."""
    once = clean_html(html)
    assert clean_html(str(once)) == once


@given(html_fragments)
def test_htmlclean_idempotent(html: str) -> None:
    """Cleaning a fragment that the cleaner made changes nothing."""
    once = clean_markup(html, context="fuzz")
    if once is None:
        return
    assert clean_markup(str(once), context="fuzz") == once


@given(html_fragments, st.sampled_from(LANGUAGES))
def test_typography_idempotent(html: str, language: str) -> None:
    """Typesetting typeset text changes nothing, in every language family."""
    cleaned = clean_markup(html, context="fuzz")
    if cleaned is None:
        return
    once = typeset_markup(cleaned, language)
    assert typeset_markup(once, language) == once


# Readers drop XML-illegal characters (NUL, C0 controls) from every string they put in the
# model (tests/hostile proves it for each format), so generated plain text has none either.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PLAIN = texts.map(lambda t: _ILLEGAL.sub("", t))
_NAMES = _PLAIN.filter(lambda t: t.strip() != "")
_TAGS = st.lists(_PLAIN.map(lambda t: t.replace(",", " ").strip()).filter(bool), max_size=4)


@st.composite
def works(draw: st.DrawFn) -> Work:
    """A model the way readers build it: cleaned markup, any text in titles and tags."""

    def markup() -> Markup:
        cleaned = clean_markup(draw(html_fragments), context="fuzz")
        return cleaned if cleaned is not None else text_block(draw(_PLAIN) or "x")

    chapters = tuple(
        Chapter(
            number=n,
            title=draw(st.one_of(st.none(), _PLAIN)),
            body=markup(),
            summary=draw(st.one_of(st.none(), st.just(None).map(lambda _: markup()))),
            end_notes=draw(st.one_of(st.none(), _PLAIN.map(lambda t: text_block(t or "x")))),
        )
        for n in range(1, draw(st.integers(1, 3)) + 1)
    )
    return Work(
        title=draw(_NAMES),
        authors=tuple(draw(st.lists(_NAMES, max_size=3))),
        language=draw(st.sampled_from(LANGUAGES)),
        chapters=chapters,
        tag_groups=tuple(
            TagGroup(kind, tuple(draw(_TAGS)))
            for kind in draw(st.lists(st.sampled_from(list(TagKind)), unique=True, max_size=4))
        ),
        series=tuple(
            SeriesEntry(name, part)
            for name, part in draw(
                st.lists(st.tuples(_NAMES, st.none() | st.integers(1, 99)), max_size=2)
            )
        ),
        stats=Stats(published=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))),
        summary=draw(st.none() | st.just(None).map(lambda _: markup())),
    )


@pytest.mark.slow
def test_generated_works_pass_epubcheck(tmp_path: Path) -> None:
    """Ten generated works become EPUBs that EPUBCheck passes with no error or warning."""
    jar = epubcheck_jar()
    if jar is None and not must_validate():
        pytest.skip("EPUBCheck needs java and the 'epubcheck' package")
    books: list[Path] = []
    options = RenderOptions(source_date_epoch=0)

    @settings(max_examples=10, derandomize=True, database=None, deadline=None)
    @given(works())
    def build(work: Work) -> None:
        path = tmp_path / f"book{len(books)}.epub"
        path.write_bytes(build_epub(prepare(work, options), options))
        books.append(path)

    build()
    assert books
    reports = run_epubcheck_batch(books)
    failing = {"FATAL", "ERROR", "WARNING"}
    failures = {
        path.name: [f"{m['ID']}: {m['message']}" for m in messages if m["severity"] in failing]
        for path, messages in reports.items()
    }
    failures = {name: found for name, found in failures.items() if found}
    assert failures == {}
