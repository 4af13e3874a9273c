"""Pictures of the bundled themes: the reference images of the picture test, and the README's.

For each theme a fixture work is laid out as a PDF, and three of its pages — the title page,
the tag summary and the first chapter's opening, found through the PDF outline — are drawn
with ``pdftoppm`` and set side by side in one strip.  ``tests/design/test_theme_pictures.py``
compares each strip with ``tests/data/themes/NAME.png``; this script writes those references
(after a change that is meant to move the design) and the picture of all themes in
``docs/themes.png``::

    python -m benchmarks.theme_pictures            # rewrite tests/data/themes/*.png
    python -m benchmarks.theme_pictures --docs     # and docs/themes.png (at a larger size)

The test rewrites the references itself when ``FIC2BOOK_UPDATE_PICTURES=1`` is set.  Look at
every picture before committing it.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from fic2book.backends.pdf import render_pdf
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from fic2book.themes import THEMES

ROOT = Path(__file__).resolve().parent.parent
#: The fixture work: chaptered, with tags, notes, a scene break and a summary.
FIXTURE = ROOT / "tests" / "data" / "ao3" / "ao3-2021-chaptered.html"
REFERENCES = ROOT / "tests" / "data" / "themes"
DOCS_PICTURE = ROOT / "docs" / "themes.png"
#: The outline entries of the pages shown: title page, tag summary, first chapter.
PAGES = ("Ferry Crossing", "Tag Summary", "Chapter 1: The Ferry")
#: Resolution of the test's strips (small: fast to draw, still shows a moved design).
TEST_DPI = 40
GAP = 6


def outline_pages(pdf: Path) -> dict[str, int]:
    """The first page (1-based) of each top-level outline entry, by title."""
    reader = PdfReader(pdf)
    pages: dict[str, int] = {}
    for entry in reader.outline:
        if isinstance(entry, list):
            continue
        number = reader.get_destination_page_number(entry)
        if number is not None:
            pages.setdefault(str(entry.title), number + 1)
    return pages


def theme_strip(theme: str, dpi: int = TEST_DPI, **options: object) -> Image.Image:
    """The title page, tag summary and chapter opening of the fixture in ``theme``, in a row."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "book.pdf"
        settings = RenderOptions(theme=theme, source_date_epoch=0).replace(**options)
        render_pdf(read_work(FIXTURE), pdf, settings)
        found = outline_pages(pdf)
        pictures = []
        for title in PAGES:
            page = found[title]
            stem = Path(folder) / f"page-{page}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                 "-singlefile", str(pdf), str(stem)],
                check=True,
            )  # fmt: skip
            with Image.open(stem.with_suffix(".png")) as picture:
                pictures.append(picture.convert("RGB"))
    width = sum(picture.width for picture in pictures) + GAP * (len(pictures) - 1)
    strip = Image.new("RGB", (width, max(p.height for p in pictures)), (128, 128, 128))
    left = 0
    for drawn in pictures:
        strip.paste(drawn, (left, 0))
        left += drawn.width + GAP
    return strip


def docs_picture(dpi: int = 45) -> Image.Image:
    """Every theme's strip, one under another, each labelled with its name and options."""
    label_height = 22
    rows = [
        ("classic (default)", theme_strip("classic", dpi)),
        ("modern  --opening smallcaps", theme_strip("modern", dpi, opening="smallcaps")),
        ("ao3  --opening dropcap", theme_strip("ao3", dpi, opening="dropcap")),
    ]
    width = max(strip.width for _, strip in rows)
    height = sum(strip.height + label_height + GAP for _, strip in rows)
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    try:
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont = ImageFont.truetype(
            "DejaVuSans.ttf", 14
        )
    except OSError:  # Pillow finds system fonts by file name; without it, its own
        font = ImageFont.load_default()
    top = 0
    for label, strip in rows:
        draw.text((4, top + 5), f"--theme {label}", fill=(0, 0, 0), font=font)
        sheet.paste(strip, (0, top + label_height))
        top += strip.height + label_height + GAP
    return sheet


def main() -> None:
    """Rewrite the reference strips (and, with ``--docs``, the README's picture)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", action="store_true", help="also write docs/themes.png")
    args = parser.parse_args()
    REFERENCES.mkdir(parents=True, exist_ok=True)
    for theme in THEMES:
        theme_strip(theme).save(REFERENCES / f"{theme}.png", optimize=True)
        print(f"wrote {REFERENCES / f'{theme}.png'}")
    if args.docs:
        docs_picture().save(DOCS_PICTURE, optimize=True)
        print(f"wrote {DOCS_PICTURE}")


if __name__ == "__main__":
    main()
