"""Cleaning messy markup (fic2book.html): paragraphs, breaks, obsolete tags, safety, images."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from fic2book.html.clean import clean_markup
from fic2book.html.images import AssetCollector, LocalImages, sniff_image
from fic2book.html.parse import parse_html
from fic2book.readers.common import decode_text
from fic2book.readers.common import is_scene_break as is_divider


def clean(source: str) -> str:
    return str(clean_markup(source, context="test") or "")


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (3, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=kind)
    return buffer.getvalue()


# ---- paragraphs and breaks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>a b c\n</p>", "<p>a b c</p>"),
        ("<p> x <em>y </em>\n</p>", "<p>x <em>y</em></p>"),
        ("<p><em>a <strong>b \n</strong> </em>\t</p>", "<p><em>a <strong>b</strong></em></p>"),
        ("<div>q <br/>\n</div>", "<p>q</p>"),
        ("<p>one \n<br/>\n two</p>", "<p>one<br>two</p>"),
        ("<ul><li>a \n</li></ul>", "<ul><li>a</li></ul>"),
        ("<h2>Title\n</h2>", "<h2>Title</h2>"),
        ("<p>a\u00a0</p>", "<p>a&nbsp;</p>"),
    ],
)
def test_layout_whitespace_at_the_edges_of_blocks_and_lines_is_removed(
    source: str, expected: str
) -> None:
    # Kept, a space at a line's end makes the PDF break the line before it early.
    assert clean(source) == expected


def test_br_runs_become_paragraphs_and_scene_breaks() -> None:
    out = clean("<p>one<br/>two<br/><br/>three<br/> <br/>&nbsp;<br/>four</p>")
    assert out == '<p>one<br>two</p><p>three</p><hr class="scene-break"><p>four</p>'


def test_br_split_reopens_inline_formatting() -> None:
    assert clean("<p>A <em>b<br/><br/>c</em> d</p>") == "<p>A <em>b</em></p><p><em>c</em> d</p>"


def test_loose_text_between_blocks_is_wrapped() -> None:
    out = clean("bare text<br/><br/>more text<div>block</div>tail")
    assert out == "<p>bare text</p><p>more text</p><p>block</p><p>tail</p>"


@pytest.mark.parametrize(
    "divider", ["***", "* * *", "~~~", "oOo", "xXx", "xxx", "◇◇◇", "-x-", "#", "❀", "___"]
)
def test_text_dividers_are_scene_breaks(divider: str) -> None:
    out = clean(f"<p>before</p><p>{divider}</p><p>after</p>")
    assert out == '<p>before</p><hr class="scene-break"><p>after</p>'


@pytest.mark.parametrize("text", ["--", "—", "...", '"..."', "#1", "- item", "Ooo", "XOXO", "ok"])
def test_ordinary_short_lines_are_not_dividers(text: str) -> None:
    assert not is_divider(text)


def test_adjacent_breaks_merge_and_edges_drop() -> None:
    out = clean("<hr/><p>***</p><p>a</p><hr/><p>oOo</p><hr><p>b</p><p>~~~</p><hr/>")
    assert out == '<p>a</p><hr class="scene-break"><p>b</p>'


def test_empty_paragraph_runs_longer_than_usual_are_breaks() -> None:
    spacer = "<p>&nbsp;</p>"
    source = f"<p>a</p>{spacer}<p>b</p>{spacer}<p>c</p>{spacer * 3}<p>d</p>{spacer}<p>e</p>"
    out = clean(source)
    assert out == '<p>a</p><p>b</p><p>c</p><hr class="scene-break"><p>d</p><p>e</p>'


def test_single_empty_paragraph_is_a_break_when_paragraphs_are_unspaced() -> None:
    out = clean("<p>a</p><p>b</p><p><br/></p><p>c</p><p>d</p>")
    assert out == '<p>a</p><p>b</p><hr class="scene-break"><p>c</p><p>d</p>'


def test_space_inside_emphasis_is_kept() -> None:
    assert clean("<p>foo<em> </em>bar</p>") == "<p>foo<em> </em>bar</p>"


# ---- obsolete and noisy markup --------------------------------------------------------------


def test_spans_without_meaning_are_unwrapped() -> None:
    out = clean('<p><span>x</span><span class="c1">y</span><span lang="fr">z</span></p>')
    assert out == '<p>xy<span lang="fr">z</span></p>'


def test_obsolete_elements_become_valid_markup() -> None:
    out = clean(
        "<center><p>c1</p><p>c2</p></center><center>one line</center>"
        '<p align="center">c</p><p align="right">r</p><font size="5">big</font>'
        '<font size="1">small</font><font color="red">plain</font><strike>s</strike>'
        '<tt>t</tt><acronym title="x">A</acronym><big>B</big>'
    )
    assert '<div class="center"><p>c1</p><p>c2</p></div>' in out
    assert '<p class="center">one line</p>' in out
    assert '<p class="align-center">c</p><p class="align-right">r</p>' in out
    assert '<span class="big">big</span><span class="small">small</span>plain' in out
    assert '<s>s</s><code>t</code><abbr title="x">A</abbr><span class="big">B</span>' in out
    for tag in ("<center", "<font", "<strike", "<tt", "<acronym", "<big", "align="):
        assert tag not in out


def test_google_docs_styles_become_emphasis() -> None:
    out = clean(
        '<p style="text-align:center"><span style="font-style:italic">it</span> '
        '<span style="font-weight:700">bo</span></p>'
    )
    assert out == '<p class="align-center"><em>it</em> <strong>bo</strong></p>'


def test_source_classes_and_ids_are_dropped_lang_and_dir_kept() -> None:
    out = clean('<p class="calibre7" id="x" lang="ar" dir="rtl">مرحبا</p><p id="x">b</p>')
    assert out == '<p lang="ar" dir="rtl">مرحبا</p><p>b</p>'


def test_invalid_nesting_is_repaired() -> None:
    assert clean("<em><p>x</p><p>y</p></em>") == "<p><em>x</em></p><p><em>y</em></p>"
    assert clean("<p>a<div>b</div>c</p>") == "<p>a</p><p>b</p><p>c</p>"
    out = clean("<ul>stray<li>one</li><p>para</p></ul><li>orphan</li>")
    assert out == "<ul><li>stray</li><li>one</li><li><p>para</p></li></ul><p>orphan</p>"
    assert clean("<h2>Head<div>in</div></h2>") == "<h2>Head<br>in</h2>"


def test_links_keep_only_web_targets() -> None:
    out = clean(
        '<p><a href="#note">a</a> <a href="ch2.html">b</a> <a href="https://x.org/">c</a>'
        ' <a name="here">d</a></p>'
    )
    assert out == '<p>a b <a href="https://x.org/">c</a> d</p>'


# ---- safety ---------------------------------------------------------------------------------


def test_active_content_is_removed_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = clean(
            "<script>alert(1)</script><style>p{}</style><p onclick='x()'>a "
            '<a href="javascript:evil()">l</a></p><iframe src="http://x"></iframe>'
            '<object data="x.swf">obj</object><embed src="x"><form><input value="v">f</form>'
        )
    assert out == "<p>a l</p>"
    assert "removed unsafe content" in caplog.text
    for word in ("script", "iframe", "event handler", "javascript", "form", "object", "embed"):
        assert word in caplog.text


# ---- images ---------------------------------------------------------------------------------


def test_remote_images_become_placeholders(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = clean(
            '<p><img src="https://e.org/a.png" alt="A cat"> <img src="http://e.org/x/b.gif"></p>'
        )
    assert out == (
        '<p><span class="image-placeholder" title="A cat">[Image: A cat]</span> '
        '<span class="image-placeholder">[Image]</span></p>'
    )
    assert "not fetched" in caplog.text


def test_local_images_are_embedded_inside_the_folder_only(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "map.png").write_bytes(image_bytes())
    (folder / "images" / "old.bmp").write_bytes(image_bytes("BMP"))
    (folder / "images" / "fake.png").write_text("not an image")
    (tmp_path / "secret.png").write_bytes(image_bytes())
    (folder / "images" / "link.png").symlink_to(tmp_path / "secret.png")
    loader = AssetCollector(LocalImages(folder))
    out = str(
        clean_markup(
            '<p><img src="images/map.png"><img src="images/map.png" alt="again">'
            '<img src="images/old.bmp" alt="old"><img src="images/fake.png" alt="fake">'
            '<img src="../secret.png" alt="up"><img src="images/link.png" alt="link">'
            f'<img src="{tmp_path / "secret.png"}" alt="abs"></p>',
            context="test",
            load_asset=loader,
        )
    )
    assert [(a.href, a.media_type) for a in loader.assets] == [
        ("images/map.png", "image/png"),
        ("images/old.png", "image/png"),
    ]
    assert out.count('src="images/map.png"') == 2
    assert '<img src="images/map.png" alt="">' in out
    assert '<img src="images/old.png" alt="old">' in out
    for alt in ("fake", "up", "link", "abs"):
        assert f"[Image: {alt}]" in out
    assert Image.open(io.BytesIO(loader.assets[1].data)).format == "PNG"


def test_sniff_refuses_svg() -> None:
    assert sniff_image(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "x.svg") is None


# ---- parsing --------------------------------------------------------------------------------


def test_self_closed_xhtml_elements_do_not_swallow_what_follows() -> None:
    root = parse_html('<?xml version="1.0"?><html><body><div id="a"/><p>x</p></body></html>')
    body = root.find("body")
    assert body is not None
    assert [child.tag for child in body] == ["div", "p"]
    assert len(body[0]) == 0


def test_html_bytes_honour_the_declared_charset_and_fall_back() -> None:
    def decode(data: bytes) -> str:
        return decode_text(data, "test", markup=True)

    assert decode('<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1")).endswith("café</p>")
    assert decode("<p>café</p>".encode("cp1252")) == "<p>café</p>"
    assert decode(b"\xef\xbb\xbf<p>x</p>") == "<p>x</p>"
    latin = parse_html('<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1"))
    assert "café" in "".join(latin.itertext())


def test_large_messy_input_is_handled() -> None:
    # Thousands of spans and breaks in one paragraph: the rebuild is linear, so this is quick.
    spans = "".join(f'<span class="c{n % 7}">word{n} </span>' for n in range(20000))
    out = clean(f"<p>{spans}<br/><br/><br/>{'line<br/>' * 5000}</p>")
    assert out.count("<span") == 0
    assert out.count('<hr class="scene-break">') == 1
    assert "word19999" in out


def test_output_parses_as_xhtml_in_a_book() -> None:
    from lxml import etree

    from fic2book.backends.epub import xhtml_document
    from fic2book.backends.epub_documents import Document

    out = clean("<p>a<p>b<table><td>c</table><ul><li>d<p>e</ul>")
    page = xhtml_document(Document("c", "c.xhtml", "C", out), "en", None, [])
    body = etree.fromstring(page).find("{http://www.w3.org/1999/xhtml}body")  # an XML parser
    assert body is not None
    assert "".join(body.itertext()).split() == ["a", "b", "c", "d", "e"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_image_loader_refuses_a_linked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.png").write_bytes(image_bytes())
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "images").symlink_to(outside)
    assert LocalImages(folder)("images/a.png") is None


@pytest.mark.parametrize(
    "source",
    [
        "&#1",
        '<p title="a&#1;b">x&#2;y</p>',
        "<p>ok &#0; &#xFFFE; &#xD800; &#x110000; z</p>",
        '<img src="a.png" alt="&#x1b;"><p>t</p>',
    ],
)
def test_references_to_characters_xml_cannot_hold_are_dropped(source: str) -> None:
    # Found by the long fuzz profile: "&#1" parsed into a tree lxml then refused to copy.
    root = parse_html(source)
    serialised = etree.tostring(root, encoding="unicode")
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in serialised)


def test_references_to_ordinary_characters_are_kept() -> None:
    root = parse_html("<p>caf&#233; &#x1F600; &#38;</p>")
    assert "café 😀 &" in "".join(root.itertext())


# ---- found by the fuzz tests ------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ['<p align="center">0', '<div style="text-align: right">x</div>', "<center>y</center>"],
)
def test_cleaning_cleaned_markup_keeps_our_classes(source: str) -> None:
    once = clean(source)
    assert 'class="' in once
    assert clean(once) == once


def test_foreign_classes_are_still_dropped() -> None:
    assert clean('<p class="evil align-right">x</p>') == '<p class="align-right">x</p>'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # The old indentation trick: a description with no term.
        ("<dl><dd>x</dd></dl>", "<dl><dt></dt><dd>x</dd></dl>"),
        ("<dl><dt>a</dt></dl>", "<dl><dt>a</dt><dd></dd></dl>"),
        ("<dl><dt>a</dt><dd>b</dd></dl>", "<dl><dt>a</dt><dd>b</dd></dl>"),
        ("<dl></dl>", "<dl></dl>"),
    ],
)
def test_definition_lists_have_the_content_model_html_allows(source: str, expected: str) -> None:
    assert clean(source) == expected


def test_a_ruby_without_its_annotation_keeps_only_its_text() -> None:
    # EPUB 3 requires an <rt> in every <ruby> (the fuzz profile found one without).
    out = clean(
        "<p>a<ruby>漢<rt>kan</rt></ruby> b<ruby>x</ruby> <ruby>y<br><br>z<rt>q</rt></ruby></p>"
    )
    assert out == "<p>a<ruby>漢<rt>kan</rt></ruby> bx y</p><p><ruby>z<rt>q</rt></ruby></p>"
