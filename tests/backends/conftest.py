"""Books shared by the backend tests: built once per session, validated by EPUBCheck once.

EPUBCheck costs a JVM start (~3 s) per book, so every book the EPUB tests care about is built
into one folder and all of them are validated together in one JVM (see tests/epubcheck.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fic2book.backends.epub import EpubBackend
from fic2book.html.sanitize import clean_html, paragraphs, text_block
from fic2book.model import Asset, Chapter, ExtraField, SeriesEntry, Stats, Work
from fic2book.options import RenderOptions
from tests.conftest import DATA, SAMPLES, make_work
from tests.epubcheck import epubcheck_jar, must_validate, run_epubcheck_batch

SEED = DATA / "no-office-relations.txt"


def input_files() -> list[Path]:
    """Return the seed and every sample: the works a user would actually convert."""
    return [SEED, *sorted(p for p in SAMPLES.iterdir() if p.is_file())]


def read_input(path: Path) -> Work:
    """Read a sample with the real reader; skip the test while no reader is registered."""
    from fic2book.readers import READERS, read_work

    if not READERS:
        pytest.skip("no text reader registered yet")
    return read_work(path)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """Make a small valid grey PNG, so the tests need no binary fixture."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def work_with_assets() -> Work:
    """Make chapters that embed images from an ``images/`` folder."""
    body = clean_html(
        '<p>A map of the harbour:</p><p><img src="images/map.png" alt="A map of the harbour"/></p>'
        '<p>And the flags, <img src="images/flags.png" alt="Red over white"/> inline.</p>'
    )
    chapter = Chapter(number=1, title="Charts", body=body)
    return make_work(
        chapters=(chapter, make_work().chapters[1]),
        assets=(
            Asset("images/map.png", "image/png", png_bytes()),
            Asset("images/flags.png", "image/png", png_bytes(3, 1)),
        ),
    )


def bare_work() -> Work:
    """Make a work with one author and no tags, stats, notes or URL, as plain text gives."""
    return Work(
        title="Untagged",
        authors=("solo",),
        language="en",
        chapters=(Chapter(number=1, title=None, body=paragraphs(["Only words here."])),),
        chaptered=False,
    )


def russian_work() -> Work:
    """Make a one-shot with a non-Latin title and language (``ru``) and one author."""
    return Work(
        title="Белые ночи",
        authors=("Фёдор",),
        language="ru",
        language_name="Русский",
        chapters=(Chapter(number=1, title=None, body=paragraphs(["Была чудная ночь.", "Тихо."])),),
        summary=text_block("Мечтатель и Настенька."),
        chaptered=False,
        stats=Stats(published=dt.date(2024, 5, 1), words=4, chapters_posted=1, chapters_total=1),
    )


def extras_work() -> Work:
    """Make a work with everything make_work() lacks.

    Extra fields, chapter creators, an empty chapter title, several series (one with a URL),
    stats with kudos and friends, a comma in a tag.
    """
    base = make_work()
    chapters = (
        dataclasses.replace(base.chapters[0], authors=("Guest Writer",)),
        Chapter(number=2, title="", body=paragraphs(["A chapter whose title is empty."])),
        Chapter(
            number=3,
            title="Last",
            body=paragraphs(["The end, for now."]),
            end_notes=text_block("Chapter three end notes."),
        ),
    )
    return dataclasses.replace(
        base,
        title="Extras, Included",
        chapters=chapters,
        series=(
            SeriesEntry("The Series", 2, "https://archiveofourown.org/series/77"),
            SeriesEntry("Another Series", None),
        ),
        collections=("An Exchange", "Second Collection"),
        stats=Stats(
            published=dt.date(2023, 12, 1),
            updated=dt.date(2024, 2, 3),
            completed=dt.date(2024, 3, 4),
            words=12345,
            chapters_posted=3,
            chapters_total=3,
            kudos=1200,
            hits=34567,
            bookmarks=89,
            comments=12,
        ),
        declared_status=None,
        extra_fields=(ExtraField("Mood", "Brisk"), ExtraField("Beta", "A Friend, B Friend")),
        tag_groups=(
            *base.tag_groups[:-1],
            dataclasses.replace(base.tag_groups[-1], tags=("Fluff", "Flags, Semaphore")),
        ),
    )


def jpeg_file(path: Path) -> Path:
    """Write a small JPEG (a reader's own cover picture) and return its path."""
    from PIL import Image

    Image.new("RGB", (160, 256), (30, 60, 90)).save(path, format="JPEG", quality=80)
    return path


#: Works that are not read from a file, by book name.
MADE_WORKS: dict[str, Callable[[], Work]] = {
    "make-work": make_work,
    "assets": work_with_assets,
    "bare": bare_work,
    "russian": russian_work,
    "extras": extras_work,
    "own-cover": make_work,
    "no-cover": bare_work,
}

#: Books built with other than the default options, by book name: options for a build folder.
BOOK_OPTIONS: dict[str, Callable[[Path], RenderOptions]] = {
    "own-cover": lambda folder: RenderOptions(cover=jpeg_file(folder / "own-cover.jpg")),
    "no-cover": lambda folder: RenderOptions(no_cover=True),
}


@dataclass(frozen=True)
class Book:
    """A built EPUB and the work it came from."""

    name: str
    work: Work
    path: Path


def build(work: Work, path: Path, options: RenderOptions | None = None) -> Path:
    """Write ``work`` as an EPUB at ``path`` with the real backend."""
    EpubBackend().write(work, path, options or RenderOptions())
    return path


@pytest.fixture(scope="session")
def epub_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    """Every test book, built once: the seed, the samples (when the reader exists), the rest."""
    from fic2book.readers import READERS, read_work

    folder = tmp_path_factory.mktemp("epubs")
    works: dict[str, Work] = {name: factory() for name, factory in MADE_WORKS.items()}
    if READERS:
        for path in input_files():
            works[path.stem] = read_work(path)
    return {
        name: Book(
            name,
            work,
            build(
                work,
                folder / f"{name}.epub",
                BOOK_OPTIONS[name](folder) if name in BOOK_OPTIONS else None,
            ),
        )
        for name, work in works.items()
    }


@pytest.fixture(scope="session")
def epubcheck_reports(epub_books: dict[str, Book]) -> dict[str, list[dict[str, Any]]]:
    """EPUBCheck's messages for every test book; skipped without Java except under CI."""
    jar = epubcheck_jar()
    if jar is None:
        if must_validate():
            pytest.fail("EPUBCheck (java + the epubcheck package) is required when CI=true")
        pytest.skip("EPUBCheck needs java and the 'epubcheck' package")
    # A broken book rides along in the same JVM run, to show the check can fail.
    broken = break_book(epub_books["bare"].path, epub_books["bare"].path.with_name("_broken.epub"))
    reports = run_epubcheck_batch([*(book.path for book in epub_books.values()), broken], jar)
    found = {name: reports[book.path] for name, book in epub_books.items()}
    found[BROKEN] = reports[broken]
    return found


#: Key of the deliberately broken book in ``epubcheck_reports``.
BROKEN = "_broken"


def break_book(source: Path, target: Path) -> Path:
    """Copy ``source`` without ``dc:language`` (an error) and a chapter ``<title>`` (a warning)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".opf"):
                data = re.sub(rb"<dc:language>[^<]*</dc:language>", b"", data)
            elif info.filename.endswith("chap_001.xhtml"):
                data = re.sub(rb"<title>[^<]*</title>", b"", data)
            dst.writestr(info, data)
    return target
