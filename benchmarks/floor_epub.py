"""The floor for an EPUB: a bare ebooklib script writing the chapters of a seed text file.

Issue 13 compares fic2book's EPUB with "a bare ebooklib script that writes the same chapters
with no typography, cover or front matter".  This is that script: it splits the generated
work (:mod:`benchmarks.generate`) at its ``Chapter N: Title`` lines, wraps each paragraph in
``<p>`` (escaped), and has ebooklib write the chapters with a contents page and an NCX —
nothing else.  Time it as a whole process, as fic2book is timed::

    python -m benchmarks.floor_epub WORK.txt OUT.epub
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from ebooklib import epub

_CHAPTER = re.compile(r"^Chapter \d+: .*$", re.MULTILINE)


def chapters(text: str) -> list[tuple[str, str]]:
    """(heading, body HTML) of each chapter of a generated work."""
    marks = list(_CHAPTER.finditer(text))
    found = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        paragraphs = [p.strip() for p in text[mark.end() : end].split("\n") if p.strip()]
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        found.append((mark.group(0), f"<h2>{html.escape(mark.group(0))}</h2>\n{body}"))
    return found


def main() -> None:
    """Write the EPUB named on the command line."""
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    book = epub.EpubBook()
    book.set_identifier("floor")
    book.set_title(source.stem)
    book.set_language("en")
    items = []
    for number, (heading, body) in enumerate(chapters(source.read_text("utf-8")), start=1):
        item = epub.EpubHtml(title=heading, file_name=f"chap_{number:03d}.xhtml", lang="en")
        item.content = body
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(target), book, {})


if __name__ == "__main__":
    main()
