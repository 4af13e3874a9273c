"""Reader for FanFicFare's EPUB, HTML and TXT output, recognised by content.

`FanFicFare <https://github.com/JimmXinu/FanFicFare>`_ is how most fans download fan fiction.
Its three text formats carry the same title page fields (mapped in :mod:`.fields`); each has
a module of its own (:mod:`.epub`, :mod:`.html`, :mod:`.txt`).  The reader claims a file only
when it finds FanFicFare's marks in its first bytes — the EPUB's member names, the HTML's
``<a name="section0001">`` chapters and metadata table, the TXT's "by Author" and fields — so
other files of the same suffix go to their usual readers and ``--from`` is not needed.
"""

from __future__ import annotations

import re
from pathlib import Path

from fic2book.model import Work
from fic2book.readers import read_file

#: Sniff score: above every other reader of the same suffixes (the EPUB, AO3 and text readers
#: score up to 100), since FanFicFare's marks are specific.
CONFIDENT = 150

_EPUB_MARKS = (b"OEBPS/title_page.xhtml", b"OEBPS/file0001.xhtml")
_HTML_SECTION = re.compile(rb"""<a\s+name=["']?section0*1["']?\s*>\s*<h[1-3]""", re.IGNORECASE)
_HTML_TOC = re.compile(rb"""<a\s+name=["']?TOCTOP["']?\s*>""", re.IGNORECASE)
_HTML_AUTHORLINK = re.compile(rb"""class=["']authorlink["']""")


class FanFicFareReader:
    """FanFicFare's EPUB, HTML and TXT files, with every field its title page holds."""

    def sniff(self, head: bytes) -> int:
        """150 when FanFicFare's marks are in ``head``, else 0."""
        if head.startswith(b"PK\x03\x04"):
            return CONFIDENT if any(mark in head for mark in _EPUB_MARKS) else 0
        if _HTML_SECTION.search(head) or (_HTML_TOC.search(head) and _HTML_AUTHORLINK.search(head)):
            return CONFIDENT
        from fic2book.readers.fanficfare.txt import looks_like_fanficfare_txt

        if b"<" not in head[:200] and looks_like_fanficfare_txt(head):
            return CONFIDENT
        return 0

    def read(self, path: Path) -> Work:
        """Read the file by its content: zip, markup or text."""
        data = read_file(path)
        if data.startswith(b"PK\x03\x04"):
            from fic2book.readers.fanficfare.epub import read_fanficfare_epub

            return read_fanficfare_epub(path)
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped.startswith(b"<"):
            from fic2book.html.parse import parse_html
            from fic2book.readers.fanficfare.html import read_fanficfare_html

            return read_fanficfare_html(parse_html(data), path)
        from fic2book.readers.common import decode_text
        from fic2book.readers.fanficfare.txt import read_fanficfare_txt

        return read_fanficfare_txt(decode_text(data, path), path)
