"""Hostile titles and author names, broken bytes, deep nesting and one enormous line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
)
from tests.textract import epub_text, squashed

#: Titles and authors that try to steer the output file name.
NAMES: dict[str, tuple[str, str]] = {
    "dotdot": ("../../escaped", "../up"),
    "slashes": ("a/b\\c/d", "/etc/passwd"),
    "device": ("CON", "NUL"),
    "device-ext": ("com1.txt", "LPT9"),
    "long": ("L" * 1000, "A" * 1000),
    "long-utf8": ("字" * 1000, "é" * 1000),
    "controls": ("Bell\x07 \x1b[31mred\x1b[0m", "tab\tname"),
    "dots": ("...", ". ."),
    "empty-ish": ("   ", "\u200b"),
}
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(10)),
    *(f"LPT{n}" for n in range(10)),
}


def test_hostile_names(sandbox: Sandbox, trap: TrapServer) -> None:
    """Every book lands directly in -o with a safe, short name; nothing is written elsewhere."""
    for key, (title, author) in NAMES.items():
        text = f"Title: {title}\nAuthor: {author}\n\nStory words of {key.replace('-', '')}.\n"
        (sandbox.inputs / f"{key}.txt").write_text(text, encoding="utf-8")
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run(
        "convert", *sorted(sandbox.inputs.iterdir()), "--to", "epub", "-o", f"{sandbox.out}/"
    )
    check_cli(result, failures=0)
    books = sandbox.books()
    assert len(books) == len(NAMES)
    for book in books:
        assert book.parent == sandbox.out
        assert len(book.name.encode()) <= 255
        assert not any(ord(c) < 32 or c in '/\\:*?"<>|' for c in book.name), book.name
        assert book.name.split(".")[0].strip().upper() not in _RESERVED, book.name
        assert not book.name.startswith(".")
    check_books_safe(books)
    check_contained(sandbox, trap, before)


def _deep(depth: int) -> str:
    return "<div>" * depth + "deep words" + "</div>" * depth


#: name → (file name, bytes, expected exit code, words the book must hold).
def _broken() -> dict[str, tuple[str, bytes, int, str]]:
    controls = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
    return {
        # A NUL means binary to the text reader; a few other controls are dropped.
        "nul-text": ("nul.txt", b"Title: Nul\n\nA story\x00 with a NUL.\x07\n", 3, ""),
        "ctrl-text": (
            "ctrl.txt",
            b"Title: Ctrl\n\nA story\x07 with\x1b a bell.\n",
            0,
            "story with",
        ),
        "nul-md-refused": ("nulmd.md", b"md\x00 words\n", 3, ""),
        "nul-html": ("nul.html", f"<p>html{controls}words</p>".encode(), 0, "htmlwords"),
        "ctrl-md": ("ctrl.md", b"md\x01\x02 words\n", 0, "md words"),
        "binary": ("binary.txt", os.urandom(4096), 3, ""),
        "bad-utf8-text": ("bad.txt", b"Title: Bad\n\nCaf\xe9 \xff\xfe ok words\n", 0, "ok words"),
        "bad-utf8-html": ("bad.html", b"<p>Caf\xe9 \xc3\x28 html ok</p>", 0, "html ok"),
        "bad-utf8-md": ("bad.md", b"# Bad\n\nCaf\xe9 \xc3\x28 md ok\n", 0, "md ok"),
        "deep-html": ("deep.html", _deep(100_000).encode(), 3, ""),
        # libxml2 stops at 2,048 levels: refused rather than silently cut short.
        "deep-md": ("deep.md", ("Intro words.\n\n" + _deep(100_000)).encode(), 3, ""),
        "deep-1000-html": ("d1000.html", ("<p>x</p>" + _deep(1000)).encode(), 0, "deep words"),
    }


def test_broken_inputs(sandbox: Sandbox, trap: TrapServer) -> None:
    """NUL, controls, invalid UTF-8 and deep nesting: a book of what is there, or one line."""
    cases = _broken()
    for file_name, data, _, _ in cases.values():
        (sandbox.inputs / file_name).write_bytes(data)
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run(
        "convert", *sorted(sandbox.inputs.iterdir()), "--to", "epub,pdf", "-o", f"{sandbox.out}/"
    )
    failing = [file_name for file_name, _, code, _ in cases.values() if code]
    errors = check_cli(result, failures=len(failing))
    for file_name in failing:
        assert any(file_name in line for line in errors), (file_name, errors)
    books = sandbox.books()
    check_books_safe(books)
    check_contained(sandbox, trap, before)
    epubs = " ".join(squashed(epub_text(b)) for b in books if b.suffix == ".epub")
    for file_name, _, code, words in cases.values():
        if not code:
            assert squashed(words) in epubs, file_name
    assert len(books) == 2 * (len(cases) - len(failing))


@pytest.fixture(scope="module")
def long_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB work on a single line (generated, never committed)."""
    path = tmp_path_factory.mktemp("long") / "long.txt"
    with path.open("w") as handle:
        handle.write("Title: Long Line\nAuthor: x\n\n")
        handle.write("word " * 10_000_000 + "final-marker\n")
    return path


def test_fifty_megabyte_line_epub(long_line: Path, sandbox: Sandbox) -> None:
    """The whole line reaches the EPUB: nothing cut at libxml2's 10 MB text-node limit."""
    result = sandbox.run("convert", long_line, "--to", "epub", "-o", f"{sandbox.out}/book.epub")
    check_cli(result, failures=0)
    text = epub_text(sandbox.out / "book.epub")
    assert text.count("word") >= 10_000_000
    assert "final-marker" in text


@pytest.mark.slow
def test_fifty_megabyte_line_pdf_times_out(long_line: Path, sandbox: Sandbox) -> None:
    """Laying out 10 million words hits --timeout: one line, exit 6, no half-written file."""
    sandbox.freeze()
    result = sandbox.run(
        "convert", long_line, "--to", "pdf", "--timeout", "3", "-o", f"{sandbox.out}/book.pdf"
    )
    errors = check_cli(result, failures=1)
    assert result.returncode == 6
    assert "--timeout" in errors[0]
    assert sandbox.books() == []


def test_input_size_limit(long_line: Path, sandbox: Sandbox) -> None:
    """--max-input-size refuses a larger file before reading it: one line, exit 3."""
    result = sandbox.run(
        "convert", long_line, "--max-input-size", "10M", "-o", f"{sandbox.out}/book.epub"
    )
    errors = check_cli(result, failures=1)
    assert result.returncode == 3
    assert "--max-input-size" in errors[0]
    assert sandbox.books() == []


def test_deep_markdown_quote_keeps_its_words(tmp_path: Path) -> None:
    """100,000 nested block quotes: the words should survive (a flattened quote) or be refused."""
    from fic2book.describe import plain_text
    from fic2book.errors import InputError
    from fic2book.readers import read_work

    path = tmp_path / "quote.md"
    path.write_text(">" * 100_000 + " quoted words\n")
    try:
        work = read_work(path)
    except InputError:
        return
    assert "quoted words" in " ".join(plain_text(str(c.body)) for c in work.chapters)
