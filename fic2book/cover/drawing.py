"""Drawing the generated cover: frame, fandoms, title, ornament and creators, as a JPEG."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fic2book.cover.colours import Palette, Rgb, palette_for, work_seed
from fic2book.cover.fonts import BOLD, REGULAR
from fic2book.cover.layout import TextBlock, fit_text, raqm_available
from fic2book.cover.picture import COVER_SIZE, GENERATED_COVER_SUFFIX, CoverImage
from fic2book.model import TagKind, Work


def _latin_only(text: str) -> bool:
    return all(
        not char.isalpha() or unicodedata.name(char, "").startswith("LATIN") for char in text
    )


def _join(items: Sequence[str], limit: int = 6) -> str:
    """Names joined with middle dots; no-break spaces keep each name on one line if it fits."""
    names = [" ".join(item.split()) for item in items if item.strip()]
    shown = [name.replace(" ", "\u00a0") for name in names[:limit]]
    rest = len(names) - len(shown)
    return " \u00b7 ".join(shown) + (f" \u00b7 and\u00a0{rest}\u00a0more" if rest > 0 else "")


def _draw_block(
    draw: Any, block: TextBlock, centre_x: float, top: float, fill: Rgb, language: str | None
) -> None:
    for number, line in enumerate(block.lines):
        y = top + number * block.leading
        # "ms": centred, y is the baseline; the first baseline sits one size below the top.
        kwargs: dict[str, Any] = {"font": block.font, "fill": fill, "anchor": "ms"}
        if language is not None:
            kwargs["language"] = language
        draw.text((centre_x, y + block.size * 0.88), line, **kwargs)


def _ornament(draw: Any, centre_x: float, y: float, unit: float, colour: Rgb, style: int) -> None:
    """A small divider between the title and the creators; the seed picks one of four."""
    half = unit * 3.2
    line = max(2, round(unit * 0.09))
    if style == 0:  # a rule with a diamond
        draw.line([(centre_x - half, y), (centre_x + half, y)], fill=colour, width=line)
        d = unit * 0.45
        draw.polygon(
            [(centre_x, y - d), (centre_x + d, y), (centre_x, y + d), (centre_x - d, y)],
            fill=colour,
        )
    elif style == 1:  # three dots
        r = unit * 0.16
        for dx in (-unit, 0.0, unit):
            draw.ellipse([centre_x + dx - r, y - r, centre_x + dx + r, y + r], fill=colour)
    elif style == 2:  # a double rule
        for dy in (-unit * 0.16, unit * 0.16):
            draw.line(
                [(centre_x - half, y + dy), (centre_x + half, y + dy)], fill=colour, width=line
            )
    else:  # a short rule between two rings
        r = unit * 0.28
        for dx in (-half, half):
            draw.ellipse(
                [centre_x + dx - r, y - r, centre_x + dx + r, y + r], outline=colour, width=line
            )
        draw.line(
            [(centre_x - half + 2 * r, y), (centre_x + half - 2 * r, y)], fill=colour, width=line
        )


def _frame(draw: Any, size: tuple[int, int], unit: float, colour: Rgb, style: int) -> None:
    width, height = size
    inset = unit * 1.1
    line = max(2, round(unit * 0.08))
    draw.rectangle([inset, inset, width - inset, height - inset], outline=colour, width=line)
    if style % 2:
        inner = inset + unit * 0.35
        thin = max(1, line // 2)
        draw.rectangle([inner, inner, width - inner, height - inner], outline=colour, width=thin)


@dataclass(frozen=True)
class _Canvas:
    """What drawing each zone of one cover needs: the pen, the sizes, the colours, the language."""

    draw: Any
    width: int
    height: int
    #: One unit is 1/25 of the width: 64 px on the 1600 px EPUB cover.
    unit: float
    text_width: int
    colours: Palette
    language: str
    #: The language handed to Pillow's shaper (only with libraqm and a known language).
    raqm_language: str | None

    def block(self, block: TextBlock, top: float, fill: Rgb) -> list[str]:
        """Draw ``block`` centred from ``top``; return its lines (the cover's text)."""
        _draw_block(self.draw, block, self.width / 2, top, fill, self.raqm_language)
        return list(block.lines)


def generate_cover(work: Work, size: tuple[int, int] = COVER_SIZE) -> CoverImage:
    """Draw a typographic cover for ``work`` as a JPEG of ``size`` pixels (width, height)."""
    from PIL import Image, ImageDraw

    width, height = size
    seed = work_seed(work)
    colours = palette_for(seed)
    image = Image.new("RGB", size, colours.background)
    unit = width / 25
    language = work.language or "und"
    canvas = _Canvas(
        draw=ImageDraw.Draw(image),
        width=width,
        height=height,
        unit=unit,
        text_width=round(width - 2 * unit * 2.6),
        colours=colours,
        language=language,
        raqm_language=language if raqm_available() and language != "und" else None,
    )
    _frame(canvas.draw, size, unit, colours.accent, seed[7])
    # Zones as fractions of the height: fandoms at the head, the title in the upper middle
    # with the ornament under it, the creators at the foot.
    lines = [*_fandoms(canvas, work), *_title(canvas, work, seed[8] % 4), *_authors(canvas, work)]
    buffer = _JpegBuffer()
    # JPEG, not PNG: encoding 1600x2560 pixels as PNG took 0.07 s (90 % of the whole cover,
    # and the limit on batch throughput), JPEG 0.015 s.  Quality 90 without chroma
    # subsampling keeps coloured text edges clean; no EXIF and no timestamps, so equal pixels
    # give equal bytes.
    image.save(buffer, quality=90, subsampling=0)
    return CoverImage(buffer.getvalue(), "image/jpeg", width, height, tuple(lines))


def _fandoms(canvas: _Canvas, work: Work) -> list[str]:
    """The fandoms as a running head; nothing when the work names none."""
    fandoms = _join(work.tags(TagKind.FANDOMS))
    if not fandoms:
        return []
    # Latin fandom names read as a running head in capitals; other scripts keep their case.
    if _latin_only(fandoms):
        fandoms = fandoms.upper()
    zone = 0.08 * canvas.height
    block = fit_text(
        fandoms,
        (canvas.text_width, round(zone)),
        language=canvas.language,
        weight=REGULAR,
        max_size=round(canvas.unit * 0.85),
        min_size=round(canvas.unit * 0.5),
    )
    return canvas.block(
        block, 0.10 * canvas.height + (zone - block.height) / 2, canvas.colours.accent
    )


def _title(canvas: _Canvas, work: Work, ornament: int) -> list[str]:
    """The title in the upper middle, with the ornament (one of four) under it."""
    title = " ".join(work.title.split()) or "Untitled"
    top, bottom = 0.22 * canvas.height, 0.66 * canvas.height
    unit = canvas.unit
    block = fit_text(
        title,
        (canvas.text_width, round(bottom - top)),
        language=canvas.language,
        weight=BOLD,
        max_size=round(unit * 3.2),
        min_size=round(unit * 0.9),
        line_spacing=1.16,
    )
    # Centred in its zone, a little high, where the eye expects a title.
    y = top + (bottom - top - block.height) * 0.42
    lines = canvas.block(block, y, canvas.colours.text)
    below = y + block.height + block.size * 0.25 + unit * 1.2
    _ornament(canvas.draw, canvas.width / 2, below, unit, canvas.colours.accent, ornament)
    return lines


def _authors(canvas: _Canvas, work: Work) -> list[str]:
    """The creators at the foot; nothing for a work without any."""
    authors = _join(work.authors)
    if not authors:
        return []
    top, bottom = 0.72 * canvas.height, 0.88 * canvas.height
    block = fit_text(
        authors,
        (canvas.text_width, round(bottom - top)),
        language=canvas.language,
        weight=REGULAR,
        max_size=round(canvas.unit * 1.45),
        min_size=round(canvas.unit * 0.6),
    )
    return canvas.block(block, top + (bottom - top - block.height) / 2, canvas.colours.text)


class _JpegBuffer(io.BytesIO):
    """Bytes in memory named like a JPEG file.

    Pillow takes the format from the name and loads only the JPEG plugin; ``format="JPEG"``
    would load five format plugins first, which took as long as the encoding.
    """

    name = "cover" + GENERATED_COVER_SUFFIX
