"""Work skins in an omnibus: each work's skin styles its own chapters, and no other work's.

Two copies of the chat-log fixture whose skins give the same classes different colours (blue
and green), bound with a work that has no skin: in the EPUB each work's documents link only
its own skin; in the PDF each chat is drawn in its own work's colour.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from fic2book.backends.pdf import skin_css
from fic2book.cli import app
from fic2book.combine import combine
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.epubcheck import failures, require_epubcheck, run_epubcheck

CHAT = DATA / "skins" / "chat-log.html"
WIP = DATA / "ao3" / "ao3-2023-wip.html"
X = {"x": "http://www.w3.org/1999/xhtml"}
BLUE = (0x15, 0x65, 0xC0)  # the chat-log skin's outgoing messages
GREEN = (0x2E, 0x7D, 0x32)  # the copy's


def _omnibus(tmp_path: Path, suffix: str) -> Path:
    """The blue chat, the green chat and the WIP, combined into one book."""
    green = tmp_path / "green.html"
    page = CHAT.read_text(encoding="utf-8")
    page = page.replace("#1565c0", "#2e7d32").replace("7000007", "7000008")
    green.write_text(page.replace("Read Receipts", "Read Receipts Again"), encoding="utf-8")
    out = tmp_path / f"omnibus{suffix}"
    result = CliRunner().invoke(
        app, ["convert", str(CHAT), str(green), str(WIP), "--combine", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _links(archive: zipfile.ZipFile, name: str) -> list[str]:
    root = etree.fromstring(archive.read(name))
    return [str(href) for href in root.xpath("//x:link/@href", namespaces=X)]


def _colour_of(archive: zipfile.ZipFile, group: str) -> str | None:
    """The skin colour a work should have, known by its title page (the order is by series)."""
    title_page = archive.read(f"EPUB/{group}_title_page.xhtml").decode()
    if "Read Receipts Again" in title_page:
        return "#2e7d32"
    return "#1565c0" if "Read Receipts" in title_page else None


def test_each_works_documents_link_its_own_skin(tmp_path: Path) -> None:
    book = _omnibus(tmp_path, ".epub")
    with zipfile.ZipFile(book) as archive:
        names = archive.namelist()
        groups = sorted({name[5:11] for name in names if name.startswith("EPUB/work")})
        assert len(groups) == 3
        colours = {group: _colour_of(archive, group) for group in groups}
        assert sorted(map(str, colours.values())) == ["#1565c0", "#2e7d32", "None"]
        for name in names:
            if not name.endswith(".xhtml"):
                continue
            skins = [href for href in _links(archive, name) if "skin" in href]
            group = name[5:11]
            if colours.get(group) is None:  # the omnibus's own pages, the WIP's
                assert skins == [], name
                continue
            assert skins == [f"styles/skin-{group[-2:]}.css"], name
            colour = colours[group]
            assert colour is not None and colour in archive.read(f"EPUB/{skins[0]}").decode()
            if "_chap_" in name:
                assert b"ws-phone" in archive.read(name)
        plain = next(group for group, colour in colours.items() if colour is None)
        assert b"workskin" not in archive.read(f"EPUB/{plain}_chap_001.xhtml")


def _colour_pixels(page: Image.Image, colour: tuple[int, int, int]) -> int:
    counts = page.convert("RGB").getcolors(maxcolors=1 << 24) or []
    total = 0
    for count, pixel in counts:
        near = isinstance(pixel, tuple) and all(
            abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True)
        )
        total += count if near else 0
    return total


@pytest.mark.slow
def test_each_chat_is_drawn_in_its_own_works_colours(tmp_path: Path) -> None:
    pdf = _omnibus(tmp_path, ".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    chats = [n for n, page in enumerate(text.split("\f"), start=1) if "are you awake" in page]
    assert len(chats) == 2
    pictures = []
    for number in chats:
        png = subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", str(number), "-l", str(number), str(pdf)],
            capture_output=True,
            check=True,
        ).stdout
        pictures.append(Image.open(io.BytesIO(png)))
    first, second = pictures
    assert _colour_pixels(first, BLUE) > 50 and _colour_pixels(first, GREEN) == 0
    assert _colour_pixels(second, GREEN) > 50 and _colour_pixels(second, BLUE) == 0


@pytest.mark.slow
def test_an_omnibus_with_skins_passes_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    messages = run_epubcheck(_omnibus(tmp_path, ".epub"), jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]


def test_the_pdf_puts_each_skin_under_its_own_work() -> None:
    chat = read_work(CHAT, None)
    omnibus = combine([read_work(WIP, None), chat])
    position = 1 + [part.title for part in omnibus.works].index(chat.title)
    (css,) = skin_css(omnibus, RenderOptions())
    rules = [line for line in css.splitlines() if line.strip()]
    assert rules and all(line.startswith(f'[id="book-w{position}"] .workskin') for line in rules)
    assert skin_css(omnibus, RenderOptions(no_skin=True)) == []
