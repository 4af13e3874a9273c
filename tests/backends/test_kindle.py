"""What Send to Kindle checks in an EPUB: a language it supports, and well-formed parts.

Send to Kindle answers a book it cannot convert with "E999" and no reason.  The causes users
and the kindle-epub-fix tool have pinned down, each checked here on fic2book's own books: a
missing or unsupported ``dc:language`` (``und`` included), content files without an XML
declaration naming their encoding, links to a ``<body>``'s id, ``<img>`` without ``src``, and a
spine whose order differs from the NCX's.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import zipfile
from collections.abc import Callable

import pytest
from lxml import etree

from fic2book.backends.epub import build_epub
from fic2book.backends.epub_metadata import epub_language
from fic2book.model import Work
from fic2book.options import RenderOptions
from tests.backends.conftest import bare_work, russian_work, work_with_assets
from tests.conftest import make_work

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
X = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The language a work claims (as a reader or a caller left it) and the book's dc:language.
LANGUAGES = {
    "": "en",
    "und": "en",
    "mul": "en",
    "zxx": "en",
    "qaa": "en",
    "not a language": "en",
    "xx-invalid": "en",
    "English": "en",
    "EN-us": "en-US",
    "pt-BR": "pt-BR",
    "zh-Hant": "zh-Hant",
    "Русский": "ru",
    "ja": "ja",
}


def package(work: Work) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(build_epub(work, RenderOptions()))) as book:
        return {name: book.read(name) for name in book.namelist()}


@pytest.mark.parametrize(("claimed", "expected"), LANGUAGES.items(), ids=LANGUAGES.keys())
def test_every_book_has_a_real_language(
    claimed: str, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    work = dataclasses.replace(make_work(), language=claimed)
    with caplog.at_level(logging.WARNING):
        files = package(work)
    opf = etree.fromstring(files["EPUB/content.opf"])
    assert [e.text for e in opf.iter(f"{DC}language")] == [expected]
    assert opf.get(XML_LANG) == expected
    for name, data in files.items():
        if name.endswith(".xhtml"):
            assert etree.fromstring(data).get("lang") == expected, name
    # Falling back is said once, not silently and not once per use.
    fallback = [r for r in caplog.records if "using 'en'" in r.getMessage()]
    assert len(fallback) == (1 if expected == "en" and claimed not in ("", "English") else 0)


def test_epub_language_never_undetermined() -> None:
    assert epub_language(dataclasses.replace(make_work(), language="und")) == "en"
    assert epub_language(dataclasses.replace(make_work(), language="fr-CA")) == "fr-CA"


WORKS = {"full": make_work, "bare": bare_work, "assets": work_with_assets, "russian": russian_work}


@pytest.mark.parametrize("make", WORKS.values(), ids=WORKS.keys())
def test_parts_send_to_kindle_accepts(make: Callable[[], Work]) -> None:
    files = package(make())
    declaration = re.compile(rb"<\?xml version=['\"]1\.0['\"] encoding=['\"]utf-8['\"]\?>")
    body_ids: set[str] = set()
    for name, data in files.items():
        if not name.endswith((".xhtml", ".opf", ".ncx")):
            continue
        assert declaration.match(data), f"{name} has no XML declaration with its encoding"
        root = etree.fromstring(data)
        for body in root.iter(f"{X}body"):
            if body.get("id"):
                body_ids.add(f"{name.rsplit('/', 1)[-1]}#{body.get('id')}")
        for image in root.iter(f"{X}img"):
            assert (image.get("src") or "").strip(), f"{name}: <img> without src"
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    assert not [link for link in body_ids if link in everything]
    # The NCX lists the documents in spine order.
    opf = etree.fromstring(files["EPUB/content.opf"])
    hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
    spine = [hrefs[ref.get("idref")] for ref in opf.iter(f"{OPF}itemref")]
    ncx = etree.fromstring(files["EPUB/toc.ncx"])
    listed = [c.get("src", "").split("#")[0] for c in ncx.iter(f"{NCX}content")]
    assert listed == [href for href in spine if href in listed]
    points = [int(p.get("playOrder", "0")) for p in ncx.iter(f"{NCX}navPoint")]
    assert points == sorted(points)
