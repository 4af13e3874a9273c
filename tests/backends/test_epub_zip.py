"""The EPUB's zip: canonical members whatever ebooklib or the clock did, and what is checked.

ebooklib writes the book through its public ``write_epub``; :func:`finish_zip` then fixes what
it leaves to its caller (entry order, dates, modes, compression, ``xml:lang`` on the package).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from fic2book.backends.epub import build_epub
from fic2book.backends.epub_zip import finish_zip
from fic2book.cover import generate_cover
from fic2book.errors import InputError, RenderError
from fic2book.options import RenderOptions
from tests.conftest import make_work

OPTIONS = RenderOptions(source_date_epoch=0)
EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def test_members_are_canonical() -> None:
    data = build_epub(make_work(), OPTIONS)
    # Finishing a finished book changes nothing.
    assert finish_zip(data, EPOCH, "en") == data
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        infos = book.infolist()
        assert infos[0].filename == "mimetype"
        assert book.read("mimetype") == b"application/epub+zip"
        for info in infos:
            stored = info.filename == "mimetype" or info.filename.endswith(".jpg")
            expected = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            assert info.compress_type == expected, info.filename
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr == 0o644 << 16
        assert book.read("EPUB/cover.jpg") == generate_cover(make_work()).data
        package = etree.fromstring(book.read("EPUB/content.opf"))
        assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_every_content_document_parses_as_xhtml() -> None:
    with zipfile.ZipFile(io.BytesIO(build_epub(make_work(), OPTIONS))) as book:
        documents = [name for name in book.namelist() if name.endswith(".xhtml")]
        assert "EPUB/chap_001.xhtml" in documents
        for name in documents:
            root = etree.fromstring(book.read(name))  # an XML parser: well-formed or it raises
            assert root.tag == "{http://www.w3.org/1999/xhtml}html", name
            assert root.get("lang") == "en"


def test_rebuilding_gives_the_same_bytes() -> None:
    assert build_epub(make_work(), OPTIONS) == build_epub(make_work(), OPTIONS)


def test_zip_without_mimetype_first_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as raw:
        raw.writestr("EPUB/content.opf", b"<package/>")
        raw.writestr("mimetype", b"application/epub+zip")
    with pytest.raises(RenderError, match="mimetype"):
        finish_zip(buffer.getvalue(), EPOCH, "en")


@pytest.mark.parametrize(
    "chapter", ["  \n", "<title>No body at all</title>"], ids=["blank", "head-only"]
)
def test_a_document_with_nothing_in_it_is_an_error(tmp_path: Path, chapter: str) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "chapter.html.j2").write_text(chapter, encoding="utf-8")
    options = RenderOptions(source_date_epoch=0, template_dir=tmp_path)
    with pytest.raises(RenderError, match=r"chap_001\.xhtml .* empty document"):
        build_epub(make_work(), options)


def test_a_cover_error_wins_over_a_template_error(tmp_path: Path) -> None:
    # The --cover file is read first.
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "chapter.html.j2").write_text("{{ nope() }}", encoding="utf-8")
    bad_cover = tmp_path / "cover.png"
    bad_cover.write_bytes(b"not a picture")
    options = RenderOptions(source_date_epoch=0, template_dir=tmp_path, cover=bad_cover)
    with pytest.raises(InputError, match="cover"):
        build_epub(make_work(), options)
    with pytest.raises(RenderError, match="template"):
        build_epub(make_work(), RenderOptions(source_date_epoch=0, template_dir=tmp_path))
