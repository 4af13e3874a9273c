"""FanFicFare's TXT: the title and author, the fields, the contents and the chapters.

FanFicFare's TXT writer (``writer_txt.py``) writes, wrapped at 78 columns by :mod:`textwrap`::

    (blank lines)
    Title

    by Author, Other Author
    (blank lines)
    Category: …          one "Label: value" per field; long values wrap onto more lines
    Summary: …           the summary may run over several paragraphs
    (blank lines)
    TABLE OF CONTENTS    (when the contents page is on) one chapter title per paragraph
    (blank lines)
            Chapter title    indented by a tab (8 spaces once wrapped), after blank lines
    (blank lines)
    The chapter, as html2text's Markdown ("_italics_", "**bold**", "* * *")
    …
    End file.

Fields start only at FanFicFare's own labels, so a summary line such as "Note: …" stays in
the summary.  Chapter bodies are Markdown and are rendered as such (without raw HTML).
"""

from __future__ import annotations

import re
from pathlib import Path

from fic2book.errors import InputError
from fic2book.html.sanitize import paragraphs
from fic2book.model import Chapter, Work
from fic2book.readers.common import title_from_path
from fic2book.readers.fanficfare.fields import KNOWN_LABELS, TitlePage, build_work, split_list
from fic2book.readers.headings import keep_heading

_FIELD = re.compile(r"(?P<label>[A-Za-z][A-Za-z0-9 /]{0,40}):(?:\s+(?P<value>.*))?")
_HEADING_LINE = re.compile(r"(?: {8}|\t)(?=\S)")
_TOC = "TABLE OF CONTENTS"
_END = "End file."


def _join(lines: list[str]) -> str:
    """Undo :mod:`textwrap`: lines joined by spaces, except after a word broken at a hyphen."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if not text:
            text = line
        elif re.search(r"\w-$", text) and line[:1].isalnum():
            text += line
        else:
            text += " " + line
    return text


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def looks_like_fanficfare_txt(head: bytes) -> bool:
    """Title, "by Author", then FanFicFare's fields ("Packaged:", "Story URL:", …)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    blocks = _blocks(text.replace("\r\n", "\n").split("\n")[:200])
    if len(blocks) < 3 or not blocks[1][0].startswith("by "):
        return False
    labels = {m.group("label").casefold() for line in blocks[2] if (m := _FIELD.match(line))}
    return len(labels & KNOWN_LABELS) >= 2 and bool(labels & {"packaged", "story url", "publisher"})


def _fields(lines: list[str]) -> tuple[list[tuple[str, str]], str]:
    """The ``Label: value`` fields and the summary's text (paragraphs kept apart)."""
    fields: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _FIELD.match(line)
        if match and match.group("label").casefold() in KNOWN_LABELS:
            fields.append((match.group("label"), [match.group("value") or ""]))
        elif fields:
            fields[-1][1].append(line)
    summary = ""
    joined: list[tuple[str, str]] = []
    for label, value in fields:
        if label.casefold() == "summary":
            summary = "\n".join(_join(block) for block in _blocks(value))
        else:
            joined.append((label, _join(value)))
    return joined, summary


def _chapter_starts(lines: list[str], start: int, titles: list[str]) -> list[tuple[int, int]]:
    """``(first line, first body line)`` of each chapter heading at or after ``start``.

    A heading is an indented paragraph after a blank line; with a contents list it must also
    read as the next title listed, so an indented line in a chapter is not taken for one.
    """
    starts: list[tuple[int, int]] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if _HEADING_LINE.match(line) and (index == 0 or not lines[index - 1].strip()):
            end = index
            while end < len(lines) and lines[end].strip():
                end += 1
            wanted = titles[len(starts)] if len(starts) < len(titles) else None
            if not titles or _join(lines[index:end]) == wanted:
                starts.append((index, end))
                index = end
                continue
        index += 1
    return starts


def _render(markdown: str, context: str) -> Chapter | None:
    # Imported here: sniffing every .txt imports this module, and must stay light.
    from markdown_it import MarkdownIt

    from fic2book.html.clean import clean_markup

    html = MarkdownIt("commonmark", {"html": False}).render(markdown)
    markup = clean_markup(html, context=context)
    return None if markup is None else Chapter(number=0, title=None, body=markup)


def read_fanficfare_txt(text: str, path: Path) -> Work:
    """Read FanFicFare's TXT file, already decoded."""
    lines = text.split("\n")
    while lines and lines[-1].strip() in ("", _END):
        lines.pop()
    blocks_start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    header = _blocks(lines[blocks_start : blocks_start + 400])
    if len(header) < 2 or not header[1][0].startswith("by "):
        raise InputError(f"{path}: not a FanFicFare text file (no title and 'by' line)")
    title = _join(header[0])
    authors = split_list(_join(header[1])[3:])
    toc = next((i for i, line in enumerate(lines) if line.strip() == _TOC), None)
    first_heading = next(
        (i for i, line in enumerate(lines) if i > blocks_start and _HEADING_LINE.match(line)),
        len(lines),
    )
    header_end = toc if toc is not None else first_heading
    by_line = blocks_start + len(header[0])
    while not lines[by_line].strip():
        by_line += 1
    fields, summary = _fields(lines[by_line + len(header[1]) : header_end])
    titles = [_join(block) for block in _blocks(lines[toc + 1 : first_heading])] if toc else []
    starts = _chapter_starts(lines, first_heading, titles)
    chapters: list[Chapter] = []
    for position, (head, body_start) in enumerate(starts):
        body_end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        number = len(chapters) + 1
        rendered = _render("\n".join(lines[body_start:body_end]), f"{path.name}: chapter {number}")
        if rendered is None:
            continue
        heading_title, label = keep_heading(_join(lines[head:body_start]), number)
        chapters.append(
            Chapter(number=number, title=heading_title, body=rendered.body, label=label)
        )
    if not chapters:
        raise InputError(f"{path}: the FanFicFare text file has no chapters")
    page = TitlePage(
        title=title or title_from_path(path),
        authors=authors,
        fields=fields,
        summary=paragraphs(summary.split("\n")) if summary else None,
    )
    return build_work(page, chapters)
