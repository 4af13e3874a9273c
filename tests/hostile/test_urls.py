"""URLs, scripts and handlers in every input format: never fetched, never read, never kept.

One CLI run converts every hostile input to EPUB and PDF (PDF renders are the slow part); the
tests then check each book, each vector on its own.
"""

from __future__ import annotations

import base64
import io
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
    make_sandbox,
)
from tests.textract import epub_text, has_text, pdf_text

#: Hostile markup by vector; {URL} is the trap server, {FILE} the secret as a file: URL.
VECTORS: dict[str, str] = {
    "img": '<img src="{URL}/img.png" alt="i1"/><img src="{FILE}" alt="i2"/>'
    '<img src="../secret.png" alt="i3"/><img src="/etc/passwd" alt="i4"/>'
    '<img srcset="{URL}/x.png 2x" src="{URL}/y.png" alt="i5"/>',
    "link": '<link rel="stylesheet" href="{URL}/x.css"/><link rel="stylesheet" href="{FILE}"/>'
    '<link rel="attachment" href="{FILE}"/><link rel="icon" href="{URL}/favicon.ico"/>',
    "style": "<style>body {{ background: url({URL}/bg.png) }} "
    'p::after {{ content: url("{FILE}") }}</style>'
    '<p style="background-image: url({URL}/s.png)">styled</p>',
    "import": '<style>@import "{URL}/imp.css"; @import url("{FILE}");</style>',
    "url": "<div style=\"background: url('{FILE}')\">d</div>"
    '<span style="list-style-image: url({URL}/l.png)">s</span>'
    '<p style="font-family: x; src: url({URL}/font.woff)">f</p>',
    "object": '<object data="{URL}/o.swf" type="application/x-shockwave-flash">'
    '<param name="movie" value="{URL}/m"/></object><object data="{FILE}"></object>',
    "embed": '<embed src="{URL}/e.svg"/><embed src="{FILE}" type="text/plain"/>',
    "iframe": '<iframe src="{URL}/f.html"></iframe><iframe src="{FILE}"></iframe>'
    "<iframe srcdoc=\"<script>alert('x')</script>\"></iframe>",
    "attachment": '<a rel="attachment" href="{FILE}">att1</a>'
    '<a rel="attachment" href="{URL}/a.bin">att2</a>'
    '<a rel="attachment" href="../secret.txt">a3</a>',
    "javascript": '<a href="javascript:alert(1)">j1</a><a href=" JaVaScRiPt:alert(1)">j2</a>'
    '<a href="&#106;avascript:alert(1)">j3</a><a href="vbscript:x">j4</a>'
    '<form action="javascript:alert(1)"><input type="image" src="{URL}/in.png"/></form>',
    "handlers": '<p onclick="alert(1)" onmouseover="x()">h1</p>'
    '<img src="x.png" onerror="alert(1)" alt="h2"/><div onload="alert(1)">h3</div>'
    "<details ontoggle=alert(1) open>h4</details>",
    "svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
    '<image href="{URL}/s.png"/><a href="javascript:alert(1)"><text>svgtext</text></a>'
    '<foreignObject><iframe src="{URL}/fo"></iframe></foreignObject></svg>'
    '<img alt="svgimg" src="data:image/svg+xml;base64,{SVG64}"/>',
    "misc": '<base href="{URL}/"/><meta http-equiv="refresh" content="0;url={URL}/r"/>'
    '<video src="{URL}/v.mp4" poster="{URL}/p.png"></video><audio src="{URL}/a.mp3"></audio>'
    '<picture><source srcset="{URL}/pic.webp"/></picture><script src="{URL}/s.js"></script>'
    '<math href="javascript:alert(1)"><mi>x</mi></math>'
    '<noscript><img src="{URL}/n.png"/></noscript>',
}

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<script>alert(1)</script><image xlink:href="{URL}/svg-inner.png" width="9" height="9"/>'
    '<image xlink:href="{FILE}" width="9" height="9"/></svg>'
)


def fill(template: str, url: str, secret: Path) -> str:
    """Put the trap server's URL and the secret's file: URL into a vector."""
    svg = _SVG.format(URL=url, FILE=secret.as_uri())
    return template.format(
        URL=url, FILE=secret.as_uri(), SVG64=base64.b64encode(svg.encode()).decode()
    )


def _html(name: str, vector: str) -> str:
    head_parts = vector if name in ("link", "misc") else ""
    return (
        f"<html><head><title>Vector {name}</title>{head_parts}</head><body>"
        f"<h1>Vector {name}</h1><p>Safe words {name} survive here.</p>{vector}"
        f"<p>Closing words of {name}.</p></body></html>"
    )


def _ao3(vector: str) -> str:
    return (
        '<html><head><title>Vector ao3</title></head><body><div id="preface">'
        '<p class="message">Posted originally on the Archive of Our Own</p>'
        '<div class="meta"><dl class="tags"><dt>Rating:</dt><dd><a href="javascript:x">'
        f"Not Rated</a></dd></dl><h1>Vector ao3</h1>"
        '<div class="byline">by <a rel="author" href="javascript:alert(1)">someone</a></div>'
        f'<p>Summary</p><blockquote class="userstuff">Sum words. {vector}</blockquote></div></div>'
        f'<div id="chapters"><div class="userstuff"><p>Safe words ao3 survive here.</p>{vector}'
        "</div></div></body></html>"
    )


def _markdown(vector: str) -> str:
    return (
        "---\ntitle: Vector markdown\nauthor: someone\nsummary: '[x](javascript:alert(1))'\n---\n"
        f"Safe words markdown survive here.\n\n{vector}\n\n"
        "[a link](javascript:alert(1)) and ![pic]({URL}/md.png) and ![secret](../secret.png)\n"
    )


def _epub(url: str, secret: Path) -> bytes:
    """An EPUB whose documents and stylesheets carry every vector."""
    body = "".join(fill(v, url, secret) for v in VECTORS.values())
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f'<head><title>c</title><link rel="stylesheet" href="s.css"/>'
        f'<link rel="stylesheet" href="{url}/remote.css"/></head>'
        f"<body><h1>Chapter</h1><p>Safe words epub survive here.</p>{body}</body></html>"
    )
    css = (
        f'@import url("{url}/i.css"); @import "{secret.as_uri()}"; '
        f"p {{ background: url({url}/b.png) }}"
    )
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>Vector epub</dc:title><dc:creator>someone</dc:creator>"
        '<dc:identifier id="id">x</dc:identifier><dc:language>en</dc:language>'
        "<dc:description>&lt;script&gt;alert(1)&lt;/script&gt;"
        f"&lt;img src=&quot;{url}/d.png&quot;&gt;"
        "</dc:description></metadata><manifest>"
        '<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="s" href="s.css" media-type="text/css"/>'
        f'<item id="r" href="{url}/remote.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="x" href="../secret.txt" media-type="application/xhtml+xml"/>'
        '</manifest><spine><itemref idref="c"/><itemref idref="r"/><itemref idref="x"/></spine>'
        "</package>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        archive.writestr("OEBPS/content.opf", opf)
        archive.writestr("OEBPS/c.xhtml", xhtml)
        archive.writestr("OEBPS/s.css", css)
    return buffer.getvalue()


@dataclass
class Converted:
    """The outcome of the one CLI run over every hostile input."""

    box: Sandbox
    result: subprocess.CompletedProcess[str]
    connections_before: int


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory, trap: TrapServer) -> Converted:
    """Write every hostile input, convert them all to EPUB and PDF in one CLI run."""
    box = make_sandbox(tmp_path_factory.mktemp("urls"))
    for name, vector in VECTORS.items():
        (box.inputs / f"{name}.html").write_text(_html(name, fill(vector, trap.url, box.secret)))
    everything = "".join(fill(v, trap.url, box.secret) for v in VECTORS.values())
    (box.inputs / "ao3.html").write_text(_ao3(everything))
    (box.inputs / "markdown.md").write_text(_markdown(everything).replace("{URL}", trap.url))
    (box.inputs / "epub.epub").write_bytes(_epub(trap.url, box.secret))
    box.freeze()
    before = len(trap.connections)
    inputs = sorted(box.inputs.iterdir())
    result = box.run("convert", *inputs, "--to", "epub,pdf", "-o", f"{box.out}/")
    return Converted(box, result, before)


NAMES = [*VECTORS, "ao3", "markdown", "epub"]


def test_every_input_became_a_book(converted: Converted) -> None:
    """Every hostile input gives a book of its safe parts, with exit 0 and no traceback."""
    check_cli(converted.result, failures=0)
    assert converted.result.returncode == 0
    assert len(converted.box.books()) == 2 * len(NAMES)


def test_nothing_fetched_nothing_written_outside(converted: Converted, trap: TrapServer) -> None:
    """The trap server got no connection; nothing outside -o changed."""
    check_contained(converted.box, trap, converted.connections_before)


@pytest.mark.parametrize("name", NAMES)
def test_vector(converted: Converted, name: str) -> None:
    """The vector's books hold its safe words, and no secret, script or embedded file."""
    books = [p for p in converted.box.books() if f"Vector {name}" in p.name]
    assert sorted(p.suffix for p in books) == [".epub", ".pdf"], converted.box.books()
    check_books_safe(books)
    for book in books:
        text = epub_text(book) if book.suffix == ".epub" else pdf_text(book)
        assert has_text(text, f"Safe words {name} survive")
