"""Book covers: a generated typographic cover, or the reader's own picture.

The generated cover is a JPEG (1600x2560 for the EPUB, the page's proportions for the PDF) with
the title, the creators and the fandoms on a flat background.  Everything about it follows
from the work, so every book looks different and the same work always gives the same bytes:

- the colours come from a hash of the title and creators, and the text colours are nudged
  until they reach WCAG's 4.5:1 contrast against the background (:mod:`.colours`);
- each text block is wrapped and shrunk until it fits its box, and cut with an ellipsis only
  when even the smallest size cannot hold it (:mod:`.layout`);
- the font is chosen by the characters of the text among the fonts Fontconfig knows (Noto
  Serif or DejaVu for Latin, Greek and Cyrillic, Noto CJK for Chinese, Japanese and Korean,
  Noto Naskh Arabic and Noto Serif Hebrew for right-to-left scripts; :mod:`.fonts`); Pillow's
  Raqm layout shapes Arabic and orders right-to-left text, and without Raqm the lines are at
  least put in visual order;
- :mod:`.drawing` puts it together; :mod:`.picture` is the picture and ``--cover`` files.

Pillow is imported inside the functions that draw, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fic2book.cover.colours import (
    MIN_CONTRAST,
    Palette,
    contrast_ratio,
    palette_for,
    relative_luminance,
    work_seed,
)
from fic2book.cover.drawing import generate_cover
from fic2book.cover.fonts import (
    BOLD,
    REGULAR,
    FontFile,
    choose_font,
    installed_fonts,
    preferred_families,
)
from fic2book.cover.layout import TextBlock, fit_text, raqm_available, visual_order
from fic2book.cover.picture import (
    COVER_FORMATS,
    COVER_SIZE,
    GENERATED_COVER_SUFFIX,
    MAX_COVER_PIXELS,
    CoverImage,
    cover_alt,
    load_cover_file,
)
from fic2book.model import Work

if TYPE_CHECKING:
    from fic2book.options import RenderOptions

__all__ = [
    "BOLD",
    "COVER_FORMATS",
    "COVER_SIZE",
    "GENERATED_COVER_SUFFIX",
    "MAX_COVER_PIXELS",
    "MIN_CONTRAST",
    "REGULAR",
    "CoverImage",
    "FontFile",
    "Palette",
    "TextBlock",
    "book_cover",
    "choose_font",
    "contrast_ratio",
    "cover_alt",
    "fit_text",
    "generate_cover",
    "installed_fonts",
    "load_cover_file",
    "palette_for",
    "preferred_families",
    "raqm_available",
    "relative_luminance",
    "visual_order",
    "work_seed",
]


def book_cover(
    work: Work, options: RenderOptions, size: tuple[int, int] = COVER_SIZE
) -> CoverImage | None:
    """The cover a book gets: none with ``--no-cover``, the ``--cover`` file, else a generated one.

    ``size`` is the size of a generated cover; a reader's own picture is used as it is.
    """
    if options.no_cover:
        return None
    if options.cover is not None:
        return load_cover_file(options.cover)
    return generate_cover(work, size)
