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
    result = sandbox.run(
        "convert",
        long_line,
        "--to",
        "epub",
        "--max-input-size",
        "64M",
        "-o",
        f"{sandbox.out}/book.epub",
    )
    check_cli(result, failures=0)
    text = epub_text(sandbox.out / "book.epub")
    assert text.count("word") >= 10_000_000
    assert "final-marker" in text


@pytest.mark.slow
def test_fifty_megabyte_line_pdf_times_out(long_line: Path, sandbox: Sandbox) -> None:
    """Laying out 10 million words hits --timeout: one line, exit 6, no half-written file."""
    sandbox.freeze()
    result = sandbox.run(
        *("convert", long_line, "--to", "pdf", "--timeout", "3", "--max-input-size", "64M"),
        *("-o", f"{sandbox.out}/book.pdf"),
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


# ---- names that hide, reorder, rewrite the terminal or differ only in case -----------------

#: Bidi controls and invisible characters a title may carry into a file name.
INVISIBLE = (
    "\u202e\u202d\u202a\u202b\u202c"  # overrides and embeddings
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # marks
    "\u200b\u2060\ufeff\u00ad\u180e"  # zero-width space, word joiner, BOM, soft hyphen
    "\u3164\u115f"  # Hangul fillers
)


def test_bidi_and_invisible_characters_leave_book_names(sandbox: Sandbox) -> None:
    titles = {
        "rlo.txt": ("B11 \u202egpj.exe", "x"),
        "isolates.txt": ("\u2067Left\u2069 \u2066Right\u2069", "y\u200b"),
        "zero.txt": ("Zero\u200bWidth\u2060Join\ufeff", "\u200dz\u200d"),
    }
    for name, (title, author) in titles.items():
        text = f"Title: {title}\nAuthor: {author}\n\nWords.\n"
        (sandbox.inputs / name).write_text(text, encoding="utf-8")
    result = sandbox.run("convert", *sorted(sandbox.inputs.iterdir()), "-o", f"{sandbox.out}/")
    check_cli(result, failures=0)
    names = sorted(book.name for book in sandbox.books())
    assert names == [
        "B11 gpj.exe - x.epub",
        "Left Right - y.epub",
        "ZeroWidthJoin - z.epub",
    ]
    for name in names:
        assert not set(name) & set(INVISIBLE), ascii(name)


def test_joiners_inside_words_are_kept() -> None:
    from fic2book.naming import safe_filename

    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert safe_filename(persian, ".epub") == persian + ".epub"
    assert safe_filename(f"{family} \u200d", ".epub") == family + ".epub"


def test_library_names_are_printed_escaped(sandbox: Sandbox) -> None:
    evil = ["clear\x1b[2J\x1b[H.txt", "two\nlines.txt", "bell\x07\u202eabc.txt", "ok.txt"]
    for name in evil:
        (sandbox.inputs / name).write_text("Title: T\nAuthor: a\n\nWords.\n", encoding="utf-8")
    (sandbox.inputs / "bad\x1b]0;title\x07.txt").write_bytes(b"\x00\x01binary")
    result = sandbox.run("batch", sandbox.inputs, "-o", sandbox.out)
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 4, result.stdout
    assert any("clear\\x1b[2J\\x1b[H.txt" in line for line in lines)
    assert any("two\\nlines.txt" in line for line in lines)
    assert any("bell\\x07\\u202eabc.txt" in line for line in lines)
    (error,) = check_cli(result)
    assert "bad\\x1b]0;title\\x07.txt" in error


def test_titles_differing_only_in_case_get_two_books(sandbox: Sandbox) -> None:
    """On a case-insensitive file system "Same" and "SAME" would be one file."""
    for n, title in enumerate(("Same Title", "SAME TITLE", "same title")):
        text = f"Title: {title}\nAuthor: Writer\n\nWords {n}.\n"
        (sandbox.inputs / f"w{n}.txt").write_text(text, encoding="utf-8")
    commands: list[list[str | Path]] = [
        ["convert", *sorted(sandbox.inputs.iterdir()), "-o", f"{sandbox.out}/convert/"],
        ["batch", sandbox.inputs, "-o", sandbox.out / "batch"],
    ]
    for command in commands:
        check_cli(sandbox.run(*command), failures=0)
        folder = sandbox.out / str(command[0])
        names = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
        assert len(names) == 3
        assert len({name.casefold() for name in names}) == 3, names
