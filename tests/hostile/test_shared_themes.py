"""Templates and stylesheets people share: a theme can style a book but not run code or fetch.

A ``--template-dir`` template runs in Jinja2's sandbox, so reaching Python's internals to run a
command is a one-line error and nothing runs; a ``--css`` sheet loses ``@import`` and every
``url()`` that would load a file or a URL, in the EPUB (where it is copied) and in the PDF.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fic2book.usercss import clean_user_css
from tests.hostile.conftest import (
    SECRET,
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
)
from tests.textract import epub_members, has_text, pdf_text

WORK = "Title: Themed\nAuthor: someone\n\nChapter 1: One\n\nThe story words.\n"

#: Ways out of a Jinja2 template into Python; each would create ``{marker}`` unsandboxed.
ESCAPES = {
    "cycler-globals": "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "subclasses": (
        "{% for c in ().__class__.__base__.__subclasses__() %}"
        "{% if c.__name__ == 'Popen' %}{{ c(['touch', '{marker}']) }}{% endif %}{% endfor %}"
    ),
    "joiner-globals": "{{ joiner.__init__.__globals__.os.system('touch {marker}') }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('touch {marker}') }}",
    "namespace-init": "{{ namespace.__init__.__globals__.os.system('touch {marker}') }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(cycler) }}",
    "self-module": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
}


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_shared_template_cannot_run_code(sandbox: Sandbox, payload: str) -> None:
    marker = sandbox.root / "PWNED"
    parts = sandbox.root / "theme" / "parts"
    parts.mkdir(parents=True)
    (parts / "chapter.html.j2").write_text(
        "<section>" + payload.replace("{marker}", str(marker)) + "</section>\n",
        encoding="utf-8",
    )
    source = sandbox.inputs / "w.txt"
    source.write_text(WORK, encoding="utf-8")
    result = sandbox.run(
        "convert", source, "--template-dir", sandbox.root / "theme", "-o", f"{sandbox.out}/"
    )
    (error,) = check_cli(result)
    assert result.returncode != 0
    assert "template 'parts/chapter.html.j2'" in error
    assert not marker.exists(), "the template ran a command"
    assert sandbox.books() == []


def test_a_shared_template_still_styles_the_book(sandbox: Sandbox) -> None:
    parts = sandbox.root / "theme" / "parts"
    parts.mkdir(parents=True)
    (parts / "chapter.html.j2").write_text(
        '<section class="chapter">{{ chapter.title | upper }}: {{ chapter.body }}'
        "{% for n in range(3) %}{{ loop.index }}{% endfor %}</section>\n",
        encoding="utf-8",
    )
    source = sandbox.inputs / "w.txt"
    source.write_text(WORK, encoding="utf-8")
    result = sandbox.run(
        "convert", source, "--template-dir", sandbox.root / "theme", "-o", f"{sandbox.out}/"
    )
    check_cli(result, failures=0)
    (book,) = sandbox.books()
    text = b"".join(epub_members(book).values())
    assert b"ONE: <p>The story words.</p>" in text and b"123" in text


def hostile_sheet(trap: TrapServer, secret: Path) -> str:
    return (
        f'@import url("{secret.as_uri()}");\n'
        f'@import "{trap.url}/import.css";\n'
        f"@font-face {{ font-family: Evil; src: url({trap.url}/font.ttf) }}\n"
        f"body {{ background: url({trap.url}/bg) }}\n"
        f'@media print {{ p {{ content: url("{secret.as_uri()}"); color: navy }} }}\n'
        f".a {{ background: image-set('{trap.url}/set.png' 1x) }}\n"
        f".b {{ background: u\\72l({trap.url}/escaped) }}\n"
        ".c { background: url(data:image/png;base64,iVBORw0KGgo=) }\n"
        '.title-page .title::after { content: " [user css applied]" }\n'
    )


def test_user_css_loses_what_fetches(sandbox: Sandbox, trap: TrapServer) -> None:
    css = sandbox.root / "user.css"
    css.write_text(hostile_sheet(trap, sandbox.secret), encoding="utf-8")
    source = sandbox.inputs / "w.txt"
    source.write_text(WORK, encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run("convert", source, "--to", "epub,pdf", "--css", css, "-o", sandbox.out)
    check_cli(result, failures=0)
    books = sandbox.books()
    (epub,) = [book for book in books if book.suffix == ".epub"]
    (pdf,) = [book for book in books if book.suffix == ".pdf"]
    sheet = epub_members(epub)["EPUB/styles/user_1.css"].decode()
    assert "@import" not in sheet
    assert re.findall(r"url\(([^)]*)\)", sheet) == ["data:image/png;base64,iVBORw0KGgo="]
    assert "127.0.0.1" not in sheet and "file:" not in sheet and "image-set" not in sheet
    assert "color: navy" in sheet and "[user css applied]" in sheet
    assert has_text(pdf_text(pdf), "[user css applied]")
    check_books_safe(books)
    check_contained(sandbox, trap, before)
    assert SECRET not in sheet


def test_clean_user_css_keeps_what_does_not_fetch() -> None:
    sheet = (
        '@charset "utf-8";\n@namespace svg url(http://www.w3.org/2000/svg);\n'
        "/* url(http://in-a-comment) */\n"
        "p { color: red; filter: url(#blur) !important }\n"
        "@page { size: A5; @top-center { content: counter(page) } }\n"
        "a:hover { color: green }\n"
    )
    # Only spacing and the optional last ";" of a block may change.
    assert re.sub(r"[\s;]", "", clean_user_css(sheet, "user.css")) == re.sub(r"[\s;]", "", sheet)
