"""Work skins in the books: linked in the EPUB, applied in the PDF (checked by a picture)."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageChops, ImageStat

from fic2book.backends.epub import build_epub
from fic2book.backends.kepub import build_kepub
from fic2book.backends.pdf import PdfBackend
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.epubcheck import epubcheck_jar, failures, must_validate, run_epubcheck_batch

CHAT = DATA / "skins" / "chat-log.html"
#: The chat page of the PDF at 60 dpi, as it looked when the test was written (reviewed).
REFERENCE = DATA / "skins" / "chat-log-page.png"
#: Largest mean difference per channel (0-255) from the reference: room for font hinting and
#: anti-aliasing, far below what the skin changes (the test checks that too).
TOLERANCE = 2.0

X = "{http://www.w3.org/1999/xhtml}"
OPTIONS = RenderOptions(source_date_epoch=0)


@pytest.fixture(scope="module")
def chat() -> Work:
    return read_work(CHAT)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_epub_links_the_skin_from_chapters(chat: Work) -> None:
    files = members(build_epub(chat, OPTIONS))
    assert files["EPUB/styles/skin.css"].decode() == chat.skin_css
    chapter = etree.fromstring(files["EPUB/chap_001.xhtml"])
    links = [link.get("href") for link in chapter.iter(f"{X}link")]
    # After the bundled styles, so the skin wins over them; before any --css sheet.
    assert links[-1] == "styles/skin.css"
    section = next(chapter.iter(f"{X}section"))
    assert "workskin" in (section.get("class") or "").split()
    assert b'class="ws-phone"' in files["EPUB/chap_001.xhtml"]
    opf = files["EPUB/content.opf"].decode()
    assert 'href="styles/skin.css"' in opf


def test_no_skin_leaves_it_out(chat: Work) -> None:
    files = members(build_epub(chat, dataclasses.replace(OPTIONS, no_skin=True)))
    assert "EPUB/styles/skin.css" not in files
    assert b"workskin" not in files["EPUB/chap_001.xhtml"]


def test_kepub_carries_the_skin(chat: Work) -> None:
    files = members(build_kepub(chat, OPTIONS))
    assert "EPUB/styles/skin.css" in files
    assert b"koboSpan" in files["EPUB/chap_001.xhtml"]


def chat_page(work: Work, options: RenderOptions, folder: Path) -> Image.Image:
    """The PDF page showing the messages, rendered at 60 dpi."""
    pdf = folder / "book.pdf"
    PdfBackend().write(work, pdf, options)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    number = next(n for n, page in enumerate(pages, start=1) if "are you awake" in page)
    stem = folder / f"page-{options.no_skin}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number), "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    return Image.open(f"{stem}.png").convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 255.0
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")
def test_chat_log_looks_right_in_the_pdf(chat: Work, tmp_path: Path, update_golden: bool) -> None:
    page = chat_page(chat, OPTIONS, tmp_path)
    if update_golden:
        page.save(REFERENCE)
    reference = Image.open(REFERENCE).convert("RGB")
    assert mean_difference(page, reference) < TOLERANCE
    # The bubbles are the difference: without the skin the page is far from the reference.
    plain = chat_page(chat, dataclasses.replace(OPTIONS, no_skin=True), tmp_path)
    assert mean_difference(plain, reference) > 4 * TOLERANCE
    # The outgoing bubbles are blue (#1565c0) with white text.
    colours = {colour for _, colour in page.getcolors(maxcolors=1 << 16) or []}
    assert (0x15, 0x65, 0xC0) in colours


@pytest.mark.slow
def test_epubcheck_with_the_skin(chat: Work, tmp_path: Path) -> None:
    if epubcheck_jar() is None:
        if must_validate():
            pytest.fail("EPUBCheck is required in CI")
        pytest.skip("EPUBCheck needs java and the 'epubcheck' package")
    epub, kepub = tmp_path / "chat.epub", tmp_path / "chat.kepub.epub"
    epub.write_bytes(build_epub(chat, OPTIONS))
    kepub.write_bytes(build_kepub(chat, OPTIONS))
    reports = run_epubcheck_batch([epub, kepub])
    for book in (epub, kepub):
        problems = failures(reports[book])
        assert problems == [], f"{book.name}: " + "\n".join(problems)


def test_cli_no_skin(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from fic2book.cli import app

    for flag, expected in ((), True), (("--no-skin",), False):
        target = tmp_path / f"chat{len(flag)}.epub"
        result = CliRunner().invoke(app, ["convert", str(CHAT), "-o", str(target), *flag])
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(target) as book:
            assert ("EPUB/styles/skin.css" in book.namelist()) is expected
