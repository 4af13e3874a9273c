"""Picture test of each theme: its first pages as drawn, compared with reviewed references.

Each theme's title page, tag summary and first chapter opening (benchmarks/theme_pictures.py)
must stay within :data:`TOLERANCE` of ``tests/data/themes/NAME.png``, so a change that moves
a design is seen.  To accept a change on purpose, look at the new pictures and rewrite the
references: ``FIC2BOOK_UPDATE_PICTURES=1 pytest tests/design/test_theme_pictures.py`` (or
``python -m benchmarks.theme_pictures``).
"""

from __future__ import annotations

import os

import pytest
from PIL import Image, ImageChops, ImageStat

from benchmarks.theme_pictures import REFERENCES, theme_strip
from fic2book.themes import THEMES

#: Largest mean difference per channel (0-255): room for hinting and anti-aliasing, far below
#: what a moved heading, another font or a lost tag box makes (checked below).
TOLERANCE = 1.5


def difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference per channel; pictures of different sizes differ fully."""
    if first.size != second.size:
        return 255.0
    return max(ImageStat.Stat(ImageChops.difference(first, second)).mean)


@pytest.mark.slow
@pytest.mark.parametrize("theme", list(THEMES))
def test_theme_looks_as_reviewed(theme: str) -> None:
    strip = theme_strip(theme)
    reference = REFERENCES / f"{theme}.png"
    if os.environ.get("FIC2BOOK_UPDATE_PICTURES") == "1":
        strip.save(reference, optimize=True)
    with Image.open(reference) as picture:
        expected = picture.convert("RGB")
    assert difference(strip, expected) <= TOLERANCE, (
        f"{theme} moved from {reference}; if meant, look and rewrite it (see this module)"
    )


@pytest.mark.slow
def test_themes_are_told_apart() -> None:
    """The tolerance is far below the difference between two themes' pictures."""
    pictures = {}
    for theme in THEMES:
        with Image.open(REFERENCES / f"{theme}.png") as picture:
            pictures[theme] = picture.convert("RGB")
    names = list(pictures)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            assert difference(pictures[first], pictures[second]) > 2 * TOLERANCE
