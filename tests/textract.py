"""Pull the text and metadata back out of finished books, for fidelity and hostile-input tests.

EPUB text comes from each XHTML member (lxml, no network); PDF text from poppler's
``pdftotext`` (installed for the test suite); PDF metadata and the hunt for scripts and
embedded files use pikepdf.  :func:`words` turns any text into comparable tokens: typography
changes quotes, apostrophes, dashes and ellipses, and the PDF hyphenates words at line ends,
so tokens are lower-cased letters and digits only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
from lxml import etree
from lxml import html as lxml_html

OPF_NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}

#: Hyphens (ASCII, U+2010, soft) at the end of a PDF line: the word goes on on the next line.
_LINE_END_HYPHEN = re.compile("[-\u2010\u00ad]\\s*\n\\s*")
#: A hyphen the layout inserted (U+2010 or a soft hyphen) at the end of a line.
_INSERTED_HYPHEN = re.compile("[\u2010\u00ad][ \t]*\n\\s*")
#: Characters deleted inside a token: apostrophes (straight, curly, modifier) and soft hyphens.
_DELETED = re.compile("['\u2019\u2018\u02bc\u00ad]")


def epub_members(path: Path) -> dict[str, bytes]:
    """Every member of the EPUB, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _opf(members: dict[str, bytes]) -> etree._Element:
    container = etree.fromstring(members["META-INF/container.xml"])
    rootfile = container.find(".//{*}rootfile")
    assert rootfile is not None
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(members[rootfile.get("full-path", "")], parser)


def document_text(data: bytes) -> str:
    """The visible text of one XHTML document, blocks separated by newlines."""
    parser = lxml_html.HTMLParser(huge_tree=True, encoding="utf-8")
    root = lxml_html.document_fromstring(data, parser=parser)
    for hidden in root.xpath("//head|//script|//style"):
        hidden.drop_tree()
    for block in root.iter("p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "br", "tr"):
        block.tail = "\n" + (block.tail or "")
    return str(root.text_content())


def epub_documents(path: Path) -> dict[str, str]:
    """Text of each XHTML document in spine order, by member name."""
    members = epub_members(path)
    opf = _opf(members)
    container = etree.fromstring(members["META-INF/container.xml"])
    rootfile = container.find(".//{*}rootfile")
    assert rootfile is not None
    folder = rootfile.get("full-path", "").rpartition("/")[0]
    folder = folder + "/" if folder else ""
    manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:item", OPF_NS)}
    texts: dict[str, str] = {}
    for ref in opf.iterfind(".//opf:itemref", OPF_NS):
        name = folder + str(manifest[ref.get("idref")])
        texts[name] = document_text(members[name])
    return texts


def epub_text(path: Path) -> str:
    """All text of the EPUB's documents, in reading order."""
    return "\n".join(epub_documents(path).values())


def epub_metadata(path: Path) -> dict[str, list[str]]:
    """The OPF's metadata by name.

    Keys: ``title``, ``creator``, ``subject``, ``language``, ``description``, ``identifier``,
    ``series`` (EPUB 3 collections) and ``calibre:series``.
    """
    opf = _opf(epub_members(path))
    found: dict[str, list[str]] = {}
    for name in ("title", "creator", "subject", "language", "description", "identifier"):
        found[name] = [el.text or "" for el in opf.iterfind(f".//dc:{name}", OPF_NS)]
    found["series"] = [
        el.text or ""
        for el in opf.iterfind(".//opf:meta[@property='belongs-to-collection']", OPF_NS)
    ]
    found["calibre:series"] = [
        el.get("content", "") for el in opf.iterfind(".//opf:meta[@name='calibre:series']", OPF_NS)
    ]
    return found


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler's ``pdftotext`` reads it, in reading order."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext (poppler-utils) is needed to read PDF text")
    result = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=120
    )
    return result.stdout.decode("utf-8")


def pdf_metadata(path: Path) -> dict[str, str]:
    """The document information dictionary (``/Title``, ``/Author``, ``/Keywords``…)."""
    with pikepdf.open(path) as pdf:
        return {str(key): str(value) for key, value in pdf.docinfo.items()}


def pdf_active_content(path: Path) -> list[str]:
    """Names of scripts, embedded files and launch actions anywhere in the PDF's objects."""
    bad = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/Launch", "/OpenAction"}
    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                keys = set(obj.keys())
                found += sorted(keys & bad)
                kind = obj.get("/S") if isinstance(obj, pikepdf.Dictionary) else None
                if kind is not None and str(kind) in bad:
                    found.append(str(kind))
    return found


def pdf_uncompressed(path: Path) -> bytes:
    """The PDF's bytes with object streams and content streams uncompressed (for grepping)."""
    import io

    buffer = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
        )
    return buffer.getvalue()


def normalise(text: str) -> str:
    """NFKC, lower case, line-end hyphenation joined, apostrophes and soft hyphens removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _LINE_END_HYPHEN.sub("", text)
    return _DELETED.sub("", text).lower()


def words(text: str) -> list[str]:
    """Comparable tokens: runs of letters, digits and combining marks after :func:`normalise`."""
    return re.findall(r"[^\W_]+", normalise(text))


def squashed(text: str) -> str:
    """All tokens of ``text`` run together, for hyphenation-proof substring checks."""
    return "".join(words(text))


def unwrapped(text: str) -> str:
    """``text`` with line-end hyphenation joined and every whitespace run removed.

    Where a PDF breaks a line depends on the page, the fonts and the lengths of the strings
    laid out (a temporary path in a title moves every break after it), so "is this phrase in
    the PDF" compares unwrapped text: a break anywhere, even inside a word, changes nothing.
    """
    text = _INSERTED_HYPHEN.sub("", unicodedata.normalize("NFC", text))
    return "".join(text.split())


def has_text(book: str, phrase: str) -> bool:
    """Tell whether ``phrase`` is in a PDF's extracted text, however its lines were broken."""
    return unwrapped(phrase) in unwrapped(book)


def missing_words(source: str, book: str) -> list[str]:
    """Tokens of ``source`` that ``book`` lacks, as a whole token or inside a joined run.

    A word the PDF split at a hyphen or joined across a line end is still found in the
    squashed text; the result is empty when nothing is lost.
    """
    have = Counter(words(book))
    joined = squashed(book)
    return [
        word for word in dict.fromkeys(words(source)) if word not in have and word not in joined
    ]
