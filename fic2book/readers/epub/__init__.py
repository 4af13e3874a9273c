"""Reader for EPUB files: AO3's own downloads in full, any other EPUB on a best-effort basis.

An EPUB is untrusted input from the web, so it is opened by hand rather than with ebooklib's
reader: :mod:`zipfile` with caps on member count and sizes (zip bombs), member names checked
for ``..`` and absolute paths (zip slip; nothing is ever extracted to disk either), and every
XML document parsed by lxml without DTDs, entity expansion or network access (XXE, billion
laughs).  Encrypted (DRM) books are refused with a clear message.

AO3's EPUBs (EPUB 2 by calibre, the download HTML split into ``Title_split_NNN.xhtml``) are
recognised by their publisher, the "Posted originally on the Archive of Our Own" preface or
calibre's split names with AO3's ``#preface``; their bodies are joined in spine order and
handed to the AO3 HTML reader, which knows the preface, chapters, notes and afterword.  The
OPF fills in what that HTML lacks (calibre's series, the language).

Any other EPUB gives its metadata from the OPF (title, creators, language, subjects as tags,
description as summary, date, identifiers, calibre or EPUB 3 series) and one chapter per spine
document, titled from the NCX or navigation document or the first heading, skipping the
navigation, cover and title pages.  Images inside the EPUB are embedded in the new book.
"""

from __future__ import annotations

from pathlib import Path

from fic2book.errors import InputError
from fic2book.model import Work
from fic2book.readers.epub.archive import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    open_archive,
)
from fic2book.readers.epub.package import Package
from fic2book.readers.epub.works import read_ao3, read_generic


class EpubReader:
    """EPUB 2 and 3 books: AO3's downloads in full, others from their metadata and spine."""

    def sniff(self, head: bytes) -> int:
        """100 for a zip whose first member is the EPUB ``mimetype``, 20 for another zip."""
        if not head.startswith(b"PK\x03\x04"):
            return 0
        return 100 if b"mimetypeapplication/epub+zip" in head[:100] else 20

    def read(self, path: Path) -> Work:
        """Parse ``path`` into a :class:`Work`; unusable input raises :class:`InputError`."""
        with open_archive(path) as archive:
            package = Package.load(archive, path)
            if any(i.startswith("fanficfare-uid:") for i in package.metadata.identifiers):
                # FanFicFare's book, its marks past the sniffed head (large images come first).
                from fic2book.readers.fanficfare.epub import read_fanficfare_epub

                return read_fanficfare_epub(path)
            documents = package.spine_documents()
            if not documents:
                raise InputError(f"{path}: the EPUB's spine lists no readable documents")
            if package.is_ao3(documents[0]):
                return read_ao3(package, documents, path)
            return read_generic(package, documents, path)


__all__ = ["MAX_MEMBERS", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "EpubReader"]
