"""Reader for plain-text works: the seed ``Key: value`` header format, and bare prose.

The format::

    Title: "No Office Relations"          ← header: ``Key: value`` lines up to the first
    Author: movielover55                     blank line, AO3's display labels (singular or
    Relationship: Javert/Jean Valjean        plural) or other tools' names, any case
    Language: English
    Chapters: 1/1
                                          ← a blank line ends the header
    Chapter 1: Title                      ← optional chapter headings (detected, see below)

    Chapter Summary: One paragraph.       ← optional, right after a heading
    Chapter Notes: One paragraph.         ← optional, right after a heading
    First paragraph, on one line.         ← the body
    ***                                   ← a scene break
    Second paragraph.
    Chapter End Notes: One paragraph.     ← optional, anywhere in the chapter

The package reads a file in four steps, one module each:

- :mod:`.header` — the ``Key: value`` header: every AO3 preface label and other tools' names
  for the same fields; what fic2book has no slot for, or cannot parse, is kept as written.
  A file whose first line is not a known label has no header: it is bare prose titled after
  its file name.
- :mod:`.lines` — the body's layout (one paragraph per line, blank-line separated, or
  hard-wrapped), scene-break lines, joined paragraphs, and the split into chapters.
- :mod:`.headings` — which heading-like lines are chapter headings (a sequence, helped by the
  header's ``Chapters: N``).
- :mod:`.assembly` — chapters with their notes, stats, and the :class:`Work`.

Bytes are decoded by :func:`fic2book.readers.common.decode_text`, like every text input.
"""

from __future__ import annotations

from pathlib import Path

from fic2book.errors import InputError
from fic2book.model import Work
from fic2book.readers import read_file
from fic2book.readers.common import bom_encoding, decode_text
from fic2book.readers.text.assembly import build_work
from fic2book.readers.text.header import Header, HeaderField, known_label, split_header
from fic2book.readers.text.lines import first_content, parse_body


class TextReader:
    """The seed ``Key: value`` plain-text format, and bare prose in a ``.txt`` file."""

    def sniff(self, head: bytes) -> int:
        """100 for a ``Title:`` first line, 80 for another known label, 10 for other text."""
        if not head:
            return 0
        encoding = bom_encoding(head)
        if encoding is None and b"\x00" in head:
            return 0
        text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                field_kind = known_label(line)
                if field_kind is HeaderField.TITLE:
                    return 100
                if field_kind is not None:
                    return 80
                # Markup is some other reader's; prose is ours, but only just.
                return 1 if line.lstrip().startswith("<") else 10
        return 1

    def read(self, path: Path) -> Work:
        """Parse ``path`` into a :class:`Work`; unusable input raises :class:`InputError`."""
        text = decode_text(read_file(path), path)
        lines = text.split("\n")
        start = first_content(lines)
        if start is None:
            raise InputError(f"{path}: the file is empty")
        if known_label(lines[start]) is None:
            header = Header()
            body_lines = lines[start:]
        else:
            entries, body_start = split_header(lines, start, path)
            header = Header()
            for label, value in entries:
                header.add(label, value, path)
            body_lines = lines[body_start:]
            if first_content(body_lines) is None:
                raise InputError(
                    f"{path}: the header is not followed by any text"
                    " (a blank line must separate the header from the story)"
                )
        declared = header.chapters_posted or header.bare_chapter_count
        body = parse_body(body_lines, path, declared)
        return build_work(path, header, body)
