"""The Kobo KEPUB backend: span structure, no text moved or lost, EPUBCheck, CLI naming."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from fic2book.backends import backend_for, backend_for_path
from fic2book.backends.epub import EpubBackend, build_epub
from fic2book.backends.kepub import KepubBackend, build_kepub, kobo_document, sentences
from fic2book.cli import app
from fic2book.html.sanitize import clean_html, paragraphs
from fic2book.model import Chapter, Work
from fic2book.options import RenderOptions
from tests.backends.conftest import bare_work, russian_work, work_with_assets
from tests.conftest import DATA, make_work
from tests.epubcheck import epubcheck_jar, failures, must_validate, run_epubcheck_batch

X = "{http://www.w3.org/1999/xhtml}"
KOBO_ID = re.compile(r"kobo\.(\d+)\.(\d+)")
#: Elements whose text a koboSpan may not (or need not) wrap.
UNWRAPPED = ("script", "style")


def cjk_work() -> Work:
    body = paragraphs(["她笑了。「你好！」他說。真的嗎？是的", "第二段。"])
    return dataclasses.replace(
        make_work(), language="zh", chapters=(Chapter(number=1, title="第一章", body=body),)
    )


def mixed_work() -> Work:
    body = clean_html(
        "<p>One. Two! <em>Three? Four</em> five… six.</p>"
        "<blockquote><p>Quoted. Again.</p></blockquote><ul><li>A list. Item</li></ul>"
        "<p>Text <strong>bold <em>nested.</em></strong> tail. <br/>After break.</p>"
    )
    return dataclasses.replace(make_work(), chapters=(Chapter(1, "Mixed", body),))


Docs = dict[str, etree._Element]
Pair = tuple[Docs, Docs]

WORKS = {
    "full": make_work,
    "bare": bare_work,
    "assets": work_with_assets,
    "russian": russian_work,
    "cjk": cjk_work,
    "mixed": mixed_work,
}


def documents(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {
            name: etree.fromstring(book.read(name))
            for name in book.namelist()
            if name.endswith(".xhtml")
        }


@pytest.fixture(scope="module", params=sorted(WORKS))
def pair(
    request: pytest.FixtureRequest,
) -> Pair:
    work = WORKS[request.param]()
    return documents(build_epub(work, RenderOptions())), documents(
        build_kepub(work, RenderOptions())
    )


def test_registered_and_named_by_suffix() -> None:
    assert isinstance(backend_for("kepub"), KepubBackend)
    assert isinstance(backend_for_path(Path("x.kepub.epub")), KepubBackend)
    assert isinstance(backend_for_path(Path("x.KEPUB.EPUB")), KepubBackend)
    assert isinstance(backend_for_path(Path("x.epub")), EpubBackend)
    assert KepubBackend.suffix == ".kepub.epub"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
        ('"Go." She went.', ['"Go." ', "She went."]),
        ("Wait… what?! No", ["Wait… ", "what?! ", "No"]),
        ("3.14 is pi. e.g.x", ["3.14 is pi. ", "e.g.x"]),
        (
            "她笑了。「你好！」他說。真的嗎？是的",
            ["她笑了。", "「你好！」", "他說。", "真的嗎？", "是的"],
        ),
        ("no end", ["no end"]),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected
    assert "".join(sentences(text)) == text


def test_every_document_is_wrapped_in_book_columns(pair: Pair) -> None:
    epub, kepub = pair
    assert set(epub) == set(kepub)
    for name, root in kepub.items():
        body = root.find(f"{X}body")
        assert body is not None
        assert [child.get("id") for child in body] == ["book-columns"], name
        inner = list(body[0])
        assert [child.get("id") for child in inner] == ["book-inner"], name


def test_no_text_moved_or_lost(pair: Pair) -> None:
    epub, kepub = pair
    for name in epub:
        before = "".join(epub[name].itertext())
        after = "".join(kepub[name].itertext())
        assert after == before, name
        # And the sentences are wrapped in reading order: the spans' text is the body's text.
        spans = kepub[name].iter(f"{X}span")
        wrapped = "".join("".join(s.itertext()) for s in spans if s.get("class") == "koboSpan")
        body = kepub[name].find(f"{X}body")
        assert body is not None
        assert "".join(wrapped.split()) == "".join("".join(body.itertext()).split()), name


def test_span_ids_unique_and_sequential(pair: Pair) -> None:
    _, kepub = pair
    for name, root in kepub.items():
        ids = [s.get("id", "") for s in root.iter(f"{X}span") if s.get("class") == "koboSpan"]
        assert ids, name
        assert len(ids) == len(set(ids)), name
        numbers = [tuple(map(int, KOBO_ID.fullmatch(i).groups())) for i in ids]  # type: ignore[union-attr]
        segments: dict[int, list[int]] = defaultdict(list)
        for paragraph, segment in numbers:
            segments[paragraph].append(segment)
        # Paragraphs count 1, 2, 3… in document order; sentences 1, 2, 3… within each.
        assert list(segments) == list(range(1, len(segments) + 1)), name
        for paragraph, found in segments.items():
            assert found == list(range(1, len(found) + 1)), (name, paragraph)


def test_every_text_node_is_in_a_span(pair: Pair) -> None:
    _, kepub = pair
    for name, root in kepub.items():
        body = root.find(f"{X}body")
        assert body is not None
        for element in body.iter():
            if not isinstance(element.tag, str) or not element.tag.startswith(X):
                continue
            if element.tag[len(X) :] in UNWRAPPED:
                continue
            if element.text and element.text.strip():
                assert _in_kobo_span(element), (name, element.text)
            if element is not body and element.tail and element.tail.strip():
                assert _in_kobo_span(element.getparent()), (name, element.tail)
        for image in body.iter(f"{X}img"):
            assert _in_kobo_span(image.getparent()), name


def _in_kobo_span(element: etree._Element | None) -> bool:
    while element is not None:
        if element.tag == f"{X}span" and element.get("class") == "koboSpan":
            return True
        element = element.getparent()
    return False


def test_cjk_sentences_get_their_own_spans() -> None:
    kepub = documents(build_kepub(cjk_work(), RenderOptions()))
    texts = [
        s.text
        for s in kepub["EPUB/chap_001.xhtml"].iter(f"{X}span")
        if s.get("class") == "koboSpan"
    ]
    assert "她笑了。" in texts and "「你好！」" in texts and "第二段。" in texts


def test_front_matter_and_nav_get_spans_too() -> None:
    kepub = documents(build_kepub(make_work(), RenderOptions()))
    for name in ("EPUB/title_page.xhtml", "EPUB/nav.xhtml", "EPUB/cover.xhtml"):
        spans = [s for s in kepub[name].iter(f"{X}span") if s.get("class") == "koboSpan"]
        assert spans, name
    # The cover image is a span of its own.
    cover = kepub["EPUB/cover.xhtml"]
    assert _in_kobo_span(next(cover.iter(f"{X}img")).getparent())


def test_svg_and_script_text_left_alone() -> None:
    source = (
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
        b'<p>Hi.</p><svg xmlns="http://www.w3.org/2000/svg"><text>Label</text></svg></body></html>'
    )
    out = etree.fromstring(kobo_document(source))
    text = next(out.iter("{http://www.w3.org/2000/svg}text"))
    assert text.text == "Label" and len(text) == 0


def test_build_is_reproducible() -> None:
    assert build_kepub(make_work(), RenderOptions()) == build_kepub(make_work(), RenderOptions())


def test_convert_writes_kepub_epub_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["convert", str(DATA / "no-office-relations.txt"), "--to", "kepub", "-o", f"{tmp_path}/"],
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["No Office Relations - movielover55.kepub.epub"]
    named = tmp_path / "named.kepub.epub"
    result = CliRunner().invoke(
        app, ["convert", str(DATA / "no-office-relations.txt"), "-o", str(named)]
    )
    assert result.exit_code == 0, result.output
    assert b"koboSpan" in zipfile.ZipFile(named).read("EPUB/chap_001.xhtml")


@pytest.mark.slow
def test_epubcheck_reports_nothing(tmp_path: Path) -> None:
    if epubcheck_jar() is None:
        if must_validate():
            pytest.fail("EPUBCheck is required in CI")
        pytest.skip("EPUBCheck needs java and the 'epubcheck' package")
    books = []
    for name, make in WORKS.items():
        path = tmp_path / f"{name}.kepub.epub"
        path.write_bytes(build_kepub(make(), RenderOptions()))
        books.append(path)
    reports = run_epubcheck_batch(books)
    for path in books:
        problems = failures(reports[path])
        assert problems == [], f"{path.name}: " + "\n".join(problems)


def test_web_page_offers_kepub() -> None:
    from fic2book.web.choices import offered_formats

    assert offered_formats()["kepub"] == "KEPUB (Kobo)"
