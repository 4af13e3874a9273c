"""How the EPUB backend writes its zip in one pass, and what it checks while doing so.

ebooklib writes straight into :class:`_ReproducibleZip` (no second pass), the generated cover
is drawn on a thread of its own, and each document's XHTML is built once.  The books must be
what the old two-pass build gave: same members, same order, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from fic2book.backends.epub import _ReproducibleZip, build_epub, repack
from fic2book.cover import generate_cover
from fic2book.errors import InputError, RenderError
from fic2book.options import RenderOptions
from tests.conftest import make_work

OPTIONS = RenderOptions(source_date_epoch=0)
EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def test_members_are_canonical_in_one_pass() -> None:
    data = build_epub(make_work(), OPTIONS)
    # Re-packing, what the backend used to do after ebooklib wrote, changes nothing now.
    assert repack(data, EPOCH) == data
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
        # The generated cover drawn on the cover thread is the cover generate_cover draws.
        cover = generate_cover(make_work())
        assert book.read("EPUB/cover.jpg") == cover.data


def test_rebuilding_gives_the_same_bytes() -> None:
    assert build_epub(make_work(), OPTIONS) == build_epub(make_work(), OPTIONS)


def test_zip_refuses_a_missing_mimetype_or_a_duplicate_name() -> None:
    target = _ReproducibleZip(EPOCH)
    with pytest.raises(RenderError, match="mimetype"):
        target.writestr("EPUB/content.opf", b"")
    target.writestr("mimetype", "application/epub+zip")
    target.writestr("EPUB/a.xhtml", b"<html/>")
    with pytest.raises(RenderError, match=r"EPUB/a\.xhtml"):
        target.writestr("EPUB/a.xhtml", b"<html/>")


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
    # The --cover file is read first, as before the cover got its own thread.
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "chapter.html.j2").write_text("{{ nope() }}", encoding="utf-8")
    bad_cover = tmp_path / "cover.png"
    bad_cover.write_bytes(b"not a picture")
    options = RenderOptions(source_date_epoch=0, template_dir=tmp_path, cover=bad_cover)
    with pytest.raises(InputError, match="cover"):
        build_epub(make_work(), options)
    with pytest.raises(RenderError, match="template"):
        build_epub(make_work(), RenderOptions(source_date_epoch=0, template_dir=tmp_path))
