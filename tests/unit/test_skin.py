"""Work skins: the allow-list keeps what styles a chat log and drops what fetches or hides."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from fic2book.html.clean import clean_markup
from fic2book.readers import read_work
from fic2book.skin import keeping_classes, sanitize_skin
from tests.conftest import DATA

CHAT = DATA / "skins" / "chat-log.html"


def test_chat_skin_is_scoped_and_prefixed() -> None:
    skin = sanitize_skin(
        "#workskin .in { background-color: #d9d9de; border: 1px solid black;"
        " margin: 6px 35% 6px 0 }"
        "\n#workskin p.out > .who, #workskin .x:first-child { font-weight: bold }"
        "\n#workskin { font-family: serif }"
    )
    assert skin is not None
    assert skin.classes == {"in", "out", "who", "x"}
    assert skin.css.splitlines() == [
        ".workskin .ws-in { background-color: #d9d9de; border: 1px solid black; "
        "margin: 6px 35% 6px 0; }",
        ".workskin p.ws-out > .ws-who, .workskin .ws-x:first-child { font-weight: bold; }",
        ".workskin { font-family: serif; }",
    ]


#: Declarations a skin must not keep, each in a rule that also keeps "color: navy".
HOSTILE = {
    "url": "background: url(http://127.0.0.1:9/bg)",
    "escaped-url": "background: u\\72l(http://127.0.0.1:9/escaped)",
    "string-url": "background: url('http://127.0.0.1:9/s')",
    "image-set": "background-image: image-set('http://127.0.0.1:9/x.png' 1x)",
    "expression": "width: expression(alert(1))",
    "var": "color: var(--x)",
    "fixed": "position: fixed",
    "absolute": "position: absolute",
    "transform": "transform: translateX(-9999px)",
    "display-none": "display: none",
    "visibility": "visibility: hidden",
    "font-size-0": "font-size: 0",
    "font-size-tiny": "font-size: 0.01em",
    "font-shorthand-0": "font: 0/0 a",
    "opacity": "opacity: 0",
    "transparent": "color: transparent",
    "rgba-0": "color: rgba(0, 0, 0, 0)",
    "negative-margin": "margin-left: -9999px",
    "negative-indent": "text-indent: -100em",
    "content": "content: 'injected'",
    "behavior": "behavior: url(x.htc)",
    "binding": "-moz-binding: url(x.xml#y)",
    "overflow": "overflow: hidden",
    "height": "height: 0",
    "clip": "clip: rect(0 0 0 0)",
}


@pytest.mark.parametrize("declaration", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_declaration_is_dropped(declaration: str) -> None:
    skin = sanitize_skin(f"#workskin .a {{ {declaration}; color: navy }}")
    assert skin is not None
    assert skin.css == ".workskin .ws-a { color: navy; }\n"


@pytest.mark.parametrize(
    "rule",
    [
        "@import url(http://127.0.0.1:9/i.css);",
        '@import "http://127.0.0.1:9/i.css";',
        "@font-face { font-family: X; src: url(http://127.0.0.1:9/f.ttf) }",
        "@media print { #workskin .a { color: red } }",
        "#header .a { color: red }",
        "#workskin #main { color: red }",
        "#workskin .a:not(.b) { color: red }",
    ],
)
def test_hostile_rule_is_dropped(rule: str) -> None:
    assert sanitize_skin(rule + "\n#workskin .ok { color: navy }") == sanitize_skin(
        "#workskin .ok { color: navy }"
    )


def test_bounded_values_that_do_not_hide_are_kept() -> None:
    skin = sanitize_skin(
        "#workskin .a { margin-left: -0.5em; font-size: 0.8em; color: rgba(0, 0, 0, 0.7);"
        " display: inline-block; font: bold 1em serif; color: red !important }"
    )
    assert skin is not None
    assert "margin-left: -0.5em" in skin.css and "font-size: 0.8em" in skin.css
    assert "rgba(0, 0, 0, 0.7)" in skin.css and "display: inline-block" in skin.css
    assert "font: bold 1em serif" in skin.css and "!important" not in skin.css


def test_nothing_left_is_none() -> None:
    assert sanitize_skin("#workskin .a { position: fixed }") is None
    assert sanitize_skin("") is None


def test_cleaning_keeps_only_the_classes_a_skin_styles() -> None:
    html = '<p class="in other">Hi</p><div class="center">x</div>'
    assert "ws-" not in str(clean_markup(html, context="test"))
    with keeping_classes({"in"}):
        cleaned = str(clean_markup(html, context="test"))
    assert '<p class="ws-in">Hi</p>' in cleaned and 'class="center">x<' in cleaned
    assert "other" not in cleaned and "ws-center" not in cleaned
    # Outside the block the cleaning is as before.
    assert "ws-" not in str(clean_markup(html, context="test"))


def test_saved_page_carries_the_skin() -> None:
    work = read_work(CHAT)
    assert work.skin_css is not None
    assert ".workskin .ws-phone {" in work.skin_css
    body = str(work.chapters[0].body)
    assert '<div class="ws-phone">' in body and '<p class="ws-out">' in body
    assert re.search(r'<span class="ws-who">Jo</span>', body)


def test_page_without_skin_has_none() -> None:
    assert read_work(DATA / "ao3" / "ao3-2021-chaptered.html").skin_css is None


FFF = DATA / "fanficfare"
FFF_SKIN = "\n#workskin .fake { color: navy; border: 1px solid red }\n"
FAKE = "<p>This is a fake adapter"
FAKE_WITH_CLASS = '<p class="fake">This is a fake adapter'


def test_fanficfare_html_with_use_workskin(tmp_path: Path) -> None:
    page = (FFF / "test1-sid1.html").read_text(encoding="utf-8")
    page = page.replace("</style>", FFF_SKIN + "</style>", 1).replace(FAKE, FAKE_WITH_CLASS)
    source = tmp_path / "story.html"
    source.write_text(page, encoding="utf-8")
    work = read_work(source)
    # Only the skin's rules; FanFicFare's own (".center", "body") are not a skin's.
    assert work.skin_css == ".workskin .ws-fake { color: navy; border: 1px solid red; }\n"
    assert any('<p class="ws-fake">' in str(c.body) for c in work.chapters)
    assert read_work(FFF / "test1-sid1.html").skin_css is None


def test_fanficfare_epub_with_use_workskin(tmp_path: Path) -> None:
    target = tmp_path / "story.epub"
    with zipfile.ZipFile(FFF / "test1-sid1.epub") as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("stylesheet.css"):
                data += FFF_SKIN.encode()
            elif info.filename.endswith("file0001.xhtml"):
                data = data.replace(FAKE.encode(), FAKE_WITH_CLASS.encode())
            out.writestr(info, data)
    work = read_work(target)
    assert work.skin_css == ".workskin .ws-fake { color: navy; border: 1px solid red; }\n"
    assert '<p class="ws-fake">' in str(work.chapters[0].body)
    assert read_work(FFF / "test1-sid1.epub").skin_css is None
