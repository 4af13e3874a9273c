"""A work skin from a stranger: it styles the book but fetches nothing and hides nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.hostile.conftest import (
    SECRET,
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
)
from tests.textract import epub_members, has_text, pdf_text

CHAT = DATA / "skins" / "chat-log.html"


def hostile_skin(trap: TrapServer, secret: Path) -> str:
    return (
        f'@import url("{secret.as_uri()}");\n'
        f'@import "{trap.url}/import.css";\n'
        f"@font-face {{ font-family: Evil; src: url({trap.url}/font.ttf) }}\n"
        f"#workskin .in {{ background: url({trap.url}/bg); color: navy }}\n"
        f"#workskin .out {{ background: u\\72l({trap.url}/escaped); border: 1px solid red }}\n"
        f"#workskin .who {{ background-image: image-set('{trap.url}/set.png' 1x) }}\n"
        "#workskin .phone { width: expression(alert(1)); position: fixed; top: 0 }\n"
        "#workskin p { display: none }\n"
        "#workskin .in { visibility: hidden; opacity: 0; font-size: 0 }\n"
        "#workskin .out { margin-left: -9999px; transform: translateX(-100%) }\n"
        "#workskin .who::after { content: 'injected' }\n"
        "#header { display: none }\n"
    )


@pytest.mark.slow
def test_hostile_skin_fetches_nothing_and_hides_nothing(sandbox: Sandbox, trap: TrapServer) -> None:
    page = CHAT.read_text(encoding="utf-8")
    style = re.compile(r"(<style type=\"text/css\">).*?(</style>)", re.DOTALL)
    page = style.sub(lambda m: m[1] + hostile_skin(trap, sandbox.secret) + m[2], page)
    source = sandbox.inputs / "chat.html"
    source.write_text(page, encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run("convert", source, "--to", "epub,pdf,kepub", "-o", sandbox.out)
    check_cli(result, failures=0)
    books = sandbox.books()
    assert len(books) == 3
    (epub,) = [b for b in books if b.name.endswith(".epub") and not b.name.endswith(".kepub.epub")]
    (pdf,) = [b for b in books if b.suffix == ".pdf"]
    sheet = epub_members(epub)["EPUB/styles/skin.css"].decode()
    # What styles without fetching or hiding is kept, scoped to the work.
    assert "color: navy" in sheet and "border: 1px solid red" in sheet
    for banned in ("url", "@", "72", "image-set", "expression", "position", "display",
                   "visibility", "opacity", "font-size", "margin", "transform", "content",
                   "127.0.0.1", "file:", "#"):  # fmt: skip
        assert banned not in sheet, banned
    assert all(line.startswith(".workskin") for line in sheet.splitlines())
    # Every message is still in the PDF's text, and nothing was injected.
    text = pdf_text(pdf)
    for message in ("are you awake", "the bridge is out again", "on my way", "Her phone buzzed"):
        assert has_text(text, message), message
    assert "injected" not in text
    check_books_safe([epub, pdf])
    check_contained(sandbox, trap, before)
    assert SECRET not in sheet
