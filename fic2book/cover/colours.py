"""A cover's colours: picked from a hash of the work, text nudged to WCAG's 4.5:1 contrast."""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from fic2book.model import Work

#: WCAG 2 minimum contrast ratio for normal text (success criterion 1.4.3).
MIN_CONTRAST = 4.5

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Colours of a generated cover; each text colour contrasts 4.5:1 or more with the ground."""

    background: Rgb
    #: Title and creators.
    text: Rgb
    #: Fandoms and ornaments.
    accent: Rgb


def relative_luminance(colour: Rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black … 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Rgb, second: Rgb) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _hls(hue: float, lightness: float, saturation: float) -> Rgb:
    red, green, blue = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def _readable(hue: float, lightness: float, saturation: float, background: Rgb, dark: bool) -> Rgb:
    """The colour nearest the one asked for that reads on ``background`` (lighter or darker)."""
    step = 0.02 if dark else -0.02
    colour = _hls(hue, lightness, saturation)
    while contrast_ratio(colour, background) < MIN_CONTRAST and 0.0 < lightness < 1.0:
        lightness = min(1.0, max(0.0, lightness + step))
        colour = _hls(hue, lightness, saturation)
    return colour


def work_seed(work: Work) -> bytes:
    """A digest of the title and creators: the source of every choice a generated cover makes."""
    text = "\x00".join([work.title, *work.authors])
    return hashlib.sha256(text.encode("utf-8")).digest()


def palette_for(seed: bytes) -> Palette:
    """Pick a palette from a seed: any hue, dark or light ground, contrast checked."""
    hue = int.from_bytes(seed[0:2], "big") / 65536
    saturation = 0.30 + 0.35 * seed[2] / 255
    # Two covers in three are dark: light text on a deep colour reads well as a thumbnail.
    dark = seed[3] % 3 != 0
    # The accent is a neighbouring or the opposite hue.
    accent_hue = hue + (0.5 if seed[4] % 2 else 0.08 + 0.1 * seed[5] / 255)
    if dark:
        background = _hls(hue, 0.14 + 0.10 * seed[6] / 255, saturation)
        text = _readable(hue, 0.93, 0.25, background, dark=True)
        accent = _readable(accent_hue, 0.72, 0.55, background, dark=True)
    else:
        background = _hls(hue, 0.86 + 0.06 * seed[6] / 255, saturation)
        text = _readable(hue, 0.13, 0.35, background, dark=False)
        accent = _readable(accent_hue, 0.30, 0.55, background, dark=False)
    return Palette(background, text, accent)
