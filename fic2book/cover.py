"""Book covers: a generated typographic cover, or the reader's own picture.

The generated cover is a JPEG (1600x2560 for the EPUB, the page's proportions for the PDF) with
the title, the creators and the fandoms on a flat background.  Everything about it follows
from the work, so every book looks different and the same work always gives the same bytes:

- the colours come from a hash of the title and creators, and the text colours are nudged
  until they reach WCAG's 4.5:1 contrast against the background;
- each text block is wrapped and shrunk until it fits its box, and cut with an ellipsis only
  when even the smallest size cannot hold it;
- the font is chosen by the characters of the text among the fonts Fontconfig knows (Noto
  Serif or DejaVu for Latin, Greek and Cyrillic, Noto CJK for Chinese, Japanese and Korean,
  Noto Naskh Arabic and Noto Serif Hebrew for right-to-left scripts); Pillow's Raqm layout
  shapes Arabic and orders right-to-left text, and without Raqm the lines are at least put
  in visual order.

Pillow is imported inside the functions that draw, so importing this module stays cheap.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fic2book.errors import InputError
from fic2book.model import TagKind, Work
from fic2book.options import RenderOptions

if TYPE_CHECKING:
    from PIL import ImageFont

logger = logging.getLogger(__name__)

#: Width and height of the EPUB cover in pixels (the 1:1.6 shape stores and readers expect).
COVER_SIZE: tuple[int, int] = (1600, 2560)

#: WCAG 2 minimum contrast ratio for normal text (success criterion 1.4.3).
MIN_CONTRAST = 4.5

#: The suffix of a generated cover's file (it is always a JPEG).
GENERATED_COVER_SUFFIX = ".jpg"

#: Pillow format name → media type, for the pictures ``--cover`` accepts.
COVER_FORMATS: dict[str, str] = {"PNG": "image/png", "JPEG": "image/jpeg"}

#: A picture larger than this (in pixels) is refused: Pillow's own bomb limit is far higher,
#: and no e-reader needs more than a few megapixels.
MAX_COVER_PIXELS = 40_000_000

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class CoverImage:
    """The bytes of a cover picture and what a book needs to know about them."""

    data: bytes = b""
    #: ``image/png`` or ``image/jpeg``.
    media_type: str = "image/png"
    width: int = 0
    height: int = 0
    #: The lines of text a generated cover shows, top to bottom (empty for a reader's picture).
    lines: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        """The file-name suffix for this picture (``.png`` or ``.jpg``)."""
        return ".jpg" if self.media_type == "image/jpeg" else ".png"

    def data_url(self) -> str:
        """The picture as a ``data:`` URL, the only kind of URL the PDF renderer may load."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def cover_alt(work: Work) -> str:
    """The cover's alternative text: ``Cover: TITLE by AUTHOR, AUTHOR``."""
    title = work.title.strip() or "Untitled"
    authors = [author for author in work.authors if author.strip()]
    return f"Cover: {title} by {', '.join(authors)}" if authors else f"Cover: {title}"


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


def load_cover_file(path: Path) -> CoverImage:
    """Read and check a ``--cover`` picture; anything but a sound PNG or JPEG is an InputError."""
    from PIL import Image, UnidentifiedImageError

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cover {path}: {err.strerror or err}") from err
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            if width * height > MAX_COVER_PIXELS:
                raise InputError(
                    f"cover {path} is {width}x{height} pixels; "
                    f"use a picture under {MAX_COVER_PIXELS // 1_000_000} megapixels"
                )
            # verify() checks the structure; load() decodes, which catches truncated files.
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise InputError(f"cover {path} is not a PNG or JPEG picture") from err
    if kind not in COVER_FORMATS:
        raise InputError(f"cover {path} is a {kind or 'unknown'} picture; use a PNG or JPEG")
    return CoverImage(data, COVER_FORMATS[kind], width, height)


# ---- colours ----------------------------------------------------------------------------------


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


# ---- fonts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFile:
    """One face Fontconfig knows: a file, the face's index in it, and what it covers."""

    path: str
    index: int
    families: tuple[str, ...]
    weight: int
    slant: int
    #: Fontconfig's charset: space-separated hex code points and ranges (``20-7e a0-17f``).
    charset: str = field(repr=False, default="")

    @functools.cached_property
    def ranges(self) -> tuple[tuple[int, int], ...]:
        """Covered code points as sorted, inclusive (first, last) ranges.

        Parsed on first use: a system has hundreds of faces and parsing every charset costs
        more than drawing the cover, while a cover usually needs only its preferred family's.
        """
        return _parse_ranges(self.charset)

    def covers(self, code: int) -> bool:
        """Whether the face has a glyph for the code point."""
        low, high = 0, len(self.ranges)
        while low < high:
            middle = (low + high) // 2
            first, last = self.ranges[middle]
            if code < first:
                high = middle
            elif code > last:
                low = middle + 1
            else:
                return True
        return False


#: Fontconfig weights (``fc-list %{weight}``): 80 regular, 200 bold.
REGULAR, BOLD = 80, 200

#: Families tried first, by the script a text needs; any other covering font comes after.
_LATIN_SERIF = ("Noto Serif", "DejaVu Serif", "Liberation Serif", "FreeSerif")
_CJK_REGIONS = {"ja": "JP", "ko": "KR", "zh-hant": "TC", "zh-tw": "TC", "zh-hk": "HK"}
_ARABIC = ("Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans")
_HEBREW = ("Noto Serif Hebrew", "Noto Sans Hebrew", "DejaVu Sans")


def _cjk_families(language: str) -> tuple[str, ...]:
    tag = language.lower()
    region = next((r for prefix, r in _CJK_REGIONS.items() if tag.startswith(prefix)), "SC")
    regions = [region, *(r for r in ("SC", "TC", "JP", "KR", "HK") if r != region)]
    return (
        *(f"Noto Serif CJK {r}" for r in regions),
        *(f"Noto Sans CJK {r}" for r in regions),
    )


def _is_cjk(code: int) -> bool:
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, punctuation, kana, Han
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF
    )


def preferred_families(text: str, language: str) -> tuple[str, ...]:
    """Font families to try for ``text``, the script-specific ones first."""
    codes = [ord(char) for char in text]
    families: list[str] = []
    if any(_is_cjk(code) for code in codes):
        families += _cjk_families(language)
    if any(0x0590 <= code <= 0x05FF for code in codes):
        families += _HEBREW
    if any(0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F for code in codes):
        families += _ARABIC
    families += _LATIN_SERIF
    return tuple(dict.fromkeys(families))


def _parse_ranges(charset: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for part in charset.split():
        first, _, last = part.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return tuple(sorted(ranges))


class _FontList:
    """The one answer of ``fc-list`` per process, and the ``fc-list`` run that will give it.

    ``fc-list`` takes a few hundredths of a second, mostly spent in its own process, so
    :func:`prefetch_fonts` starts it early and :func:`installed_fonts` collects it when a font
    is first chosen.  A forked child starts afresh (the run belongs to its parent) but keeps a
    list already read.
    """

    def __init__(self, fonts: tuple[FontFile, ...] | None = None) -> None:
        self.lock = threading.Lock()
        self.fonts = fonts
        self.running: subprocess.Popen[str] | None = None


_FONT_LIST = _FontList()


def _after_fork_in_child() -> None:
    global _FONT_LIST
    _FONT_LIST = _FontList(_FONT_LIST.fonts)


os.register_at_fork(after_in_child=_after_fork_in_child)


def _start_fc_list() -> subprocess.Popen[str] | None:
    """Start ``fc-list`` for every scalable face; ``None`` (with a warning) if it cannot run."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        logger.warning("fc-list (fontconfig) not found: the cover uses Pillow's built-in font")
        return None
    fields = "%{file}\t%{index}\t%{family}\t%{weight}\t%{slant}\t%{charset}\n"
    try:
        return subprocess.Popen(
            [fc_list, ":scalable=true", "-f", fields],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except (OSError, subprocess.SubprocessError) as err:
        logger.warning("fc-list failed (%s): the cover uses Pillow's built-in font", err)
        return None


def prefetch_fonts() -> None:
    """Start reading the installed fonts in the background, unless that has begun already."""
    fonts = _FONT_LIST
    with fonts.lock:
        if fonts.fonts is None and fonts.running is None:
            fonts.running = _start_fc_list()
            if fonts.running is None:
                fonts.fonts = ()


def installed_fonts() -> tuple[FontFile, ...]:
    """Every scalable face Fontconfig lists, read once per process (empty without fc-list)."""
    fonts = _FONT_LIST
    with fonts.lock:
        if fonts.fonts is None:
            process = fonts.running or _start_fc_list()
            fonts.running = None
            fonts.fonts = () if process is None else _read_fc_list(process)
        return fonts.fonts


def _read_fc_list(process: subprocess.Popen[str]) -> tuple[FontFile, ...]:
    """Wait for ``fc-list`` and parse what it printed (``()``, with a warning, if it failed)."""
    try:
        listing, errors = process.communicate(timeout=60)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, process.args, listing, errors)
    except (OSError, subprocess.SubprocessError) as err:
        process.kill()
        process.wait()
        logger.warning("fc-list failed (%s): the cover uses Pillow's built-in font", err)
        return ()
    fonts = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) != 6 or not parts[0].lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
            continue
        path, index, families, weight, slant, charset = parts
        try:
            fonts.append(
                FontFile(
                    path=path,
                    index=int(index),
                    families=tuple(name.strip() for name in families.split(",")),
                    weight=int(float(weight)),
                    slant=int(float(slant)),
                    charset=charset,
                )
            )
        except ValueError:
            continue
    # Sorted so the choice never depends on the order fc-list happens to print.
    return tuple(sorted(fonts, key=lambda f: (f.path, f.index)))


def _needed(text: str) -> set[int]:
    # Spaces and invisible format characters need no glyph.
    return {
        ord(char)
        for char in text
        if not char.isspace() and unicodedata.category(char) not in {"Cf", "Cc", "Zs"}
    }


def choose_font(text: str, language: str, weight: int) -> FontFile | None:
    """The installed face that best sets ``text``: preferred families first, then any.

    A face that covers every character wins; among equals, the preferred family, then the
    weight nearest ``weight`` and an upright style.  When no face covers everything, the one
    covering the most characters is used.  ``None`` when Fontconfig lists no fonts at all.
    """
    fonts = installed_fonts()
    if not fonts:
        return None
    needed = _needed(text)
    preferred = preferred_families(text, language)

    # Fast path with the same answer as the full ranking below: when a face of a preferred
    # family covers everything, only faces of the first such family can win, so only their
    # charsets need parsing.  ``min`` keeps the first of equals, as the full ranking does.
    for name in preferred:
        covering = [
            font
            for font in fonts
            if name in font.families and all(font.covers(code) for code in needed)
        ]
        if covering:
            return min(covering, key=lambda font: (abs(font.weight - weight), font.slant))

    def rank(font: FontFile) -> tuple[int, int, int, int]:
        missing = sum(1 for code in needed if not font.covers(code))
        family = next((i for i, name in enumerate(preferred) if name in font.families), 99)
        return (missing, family, abs(font.weight - weight), font.slant)

    return min(fonts, key=rank)


@functools.lru_cache(maxsize=64)
def _load_font(path: str | None, index: int, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    if path is None:
        return ImageFont.load_default(size)  # type: ignore[return-value]
    return ImageFont.truetype(path, size, index=index)


# ---- text layout ------------------------------------------------------------------------------

# A line may break at spaces and between two CJK characters; closing punctuation stays with the
# character before it (the simplest rule of Japanese and Chinese line breaking).
_TOKEN = re.compile(
    r"[^\S\u00a0]+"
    r"|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
    r"[\u3001\u3002\u300d\u300f\u3011\uff01\uff09\uff0c\uff1a\uff1b\uff1f\u30fc]*"
    r"|(?:[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]|\u00a0)+"
)

_RTL = {"R", "AL"}
_LTR_IN_RTL = {"L", "EN", "AN"}

ELLIPSIS = "\u2026"


def raqm_available() -> bool:
    """Whether Pillow can shape text with Raqm (bidi ordering and Arabic joining)."""
    from PIL import features

    return bool(features.check("raqm"))


def visual_order(line: str) -> str:
    """Put a right-to-left line in display order for a layout without a bidi algorithm.

    A fallback for Pillow without Raqm: the line is reversed and runs of left-to-right text
    (Latin words, digits) inside it are turned back, which is right for Hebrew and leaves
    Arabic readable but unjoined.  Lines with no right-to-left letter are returned unchanged.
    """
    kinds = [unicodedata.bidirectional(char) for char in line]
    if not any(kind in _RTL for kind in kinds):
        return line
    runs: list[tuple[bool, str]] = []
    for char, kind in zip(line, kinds, strict=True):
        ltr = kind in _LTR_IN_RTL
        if runs and (runs[-1][0] == ltr or kind in {"WS", "ON", "CS", "ES", "ET", "BN", "NSM"}):
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
        else:
            runs.append((ltr, char))
    return "".join(text if ltr else text[::-1] for ltr, text in reversed(runs))


@dataclass(frozen=True)
class TextBlock:
    """A text laid out in a box: the font, its size and the lines, top to bottom."""

    font: Any
    size: int
    lines: tuple[str, ...]
    #: Distance between baselines, in pixels.
    leading: int
    #: Height of the block from the top of the first line to the bottom of the last.
    height: int


class _Measurer:
    """Measures and wraps text in one font at one size."""

    def __init__(self, font: Any, language: str | None) -> None:
        self.font = font
        self.language = language

    def width(self, text: str) -> float:
        if self.language is not None:
            return float(self.font.getlength(text, language=self.language))
        return float(self.font.getlength(text))

    def _fits(self, text: str, width: float) -> bool:
        """Whether ``text`` fits ``width``, measuring at most about two lines of it.

        A line holds at most ``width`` characters (no glyph is narrower than a pixel), so a
        longer text is measured only by its prefix of that length: the cost of a check is
        bounded by the line, not by the text, which keeps wrapping linear in the text.
        """
        limit = int(width) + 1
        if len(text) > limit:
            return False
        return self.width(text) <= width

    def _fitting_prefix(self, token: str, width: float) -> int:
        """The length of the longest prefix of ``token`` that fits (at least one character).

        Doubling then bisection, measuring only prefixes of about a line: a 100,000-letter
        title once took minutes when every step measured the whole rest of the word.
        """
        if len(token) <= 1 or not self._fits(token[:2], width):
            return min(1, len(token))
        low, high = 1, 2  # token[:low] fits; token[:high] is to be tried
        while high < len(token) and self._fits(token[:high], width):
            low, high = high, min(2 * high, len(token))
        if high == len(token) and self._fits(token, width):
            return high
        while low + 1 < high:  # token[:low] fits, token[:high] does not
            middle = (low + high) // 2
            if self._fits(token[:middle], width):
                low = middle
            else:
                high = middle
        return low

    def wrap(self, text: str, width: float, max_lines: int | None = None) -> list[str]:
        """Greedy line filling; a word wider than the box is broken between characters.

        With ``max_lines``, wrapping stops once there are more lines than that: a box that
        holds 12 lines only needs to know that the text takes at least 13.
        """
        lines: list[str] = []
        line = ""
        tokens = _TOKEN.findall(text)
        tokens.reverse()
        while tokens and (max_lines is None or len(lines) <= max_lines):
            token = tokens.pop()
            if "\u00a0" in token and not self._fits(token, width):
                # A name kept whole does not fit: let it break between its words after all.
                parts = re.split("(\u00a0+)", token)
                tokens += reversed([" " if part.startswith("\u00a0") else part for part in parts])
                continue
            if token.isspace():
                if line:
                    line += " "
                continue
            candidate = line + token
            if self._fits(candidate, width):
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            # Too long on its own: split it where it overflows.
            cut = self._fitting_prefix(token, width)
            while cut < len(token) and (max_lines is None or len(lines) <= max_lines):
                lines.append(token[:cut])
                token = token[cut:]
                cut = self._fitting_prefix(token, width)
            line = token
        if line.strip():
            lines.append(line.rstrip())
        # Fonts need not have a no-break space glyph; it has done its job.
        return [line.replace("\u00a0", " ") for line in lines]


def fit_text(
    text: str,
    box: tuple[int, int],
    *,
    language: str,
    weight: int,
    max_size: int,
    min_size: int,
    line_spacing: float = 1.18,
    font_file: FontFile | None = None,
) -> TextBlock:
    """Wrap ``text`` and shrink it from ``max_size`` until it fits ``box`` (width, height).

    At ``min_size`` the lines that fit are kept and the last one ends in an ellipsis.
    """
    if font_file is None:
        font_file = choose_font(text, language, weight)
    if font_file is not None:
        missing = sorted({chr(c) for c in _needed(text) if not font_file.covers(c)})
        if missing:
            # A box is worse than nothing: leave out what no installed font can draw.
            logger.warning("no installed font draws %r on the cover; left out", "".join(missing))
            text = "".join(char for char in text if char not in missing)
    path = font_file.path if font_file else None
    index = font_file.index if font_file else 0
    shaped = raqm_available()
    # Raqm picks language-specific glyphs (Japanese vs Chinese forms of the same character).
    language_tag = language if shaped and language and language != "und" else None
    width, height = box
    size = max_size
    while True:
        font = _load_font(path, index, size)
        measurer = _Measurer(font, language_tag)
        leading = round(size * line_spacing)
        lines = measurer.wrap(text, width, max_lines=max(1, (height - size) // leading + 1))
        block_height = leading * (len(lines) - 1) + size if lines else 0
        if block_height <= height or size <= min_size:
            break
        size = max(min_size, round(size * 0.92))
    if block_height > height:
        keep = max(1, (height - size) // leading + 1)
        if keep < len(lines):
            last = lines[keep - 1]
            while last and measurer.width(last + ELLIPSIS) > width:
                last = last[:-1]
            lines = [*lines[: keep - 1], last.rstrip() + ELLIPSIS]
            block_height = leading * (len(lines) - 1) + size
    if not shaped:
        lines = [visual_order(line) for line in lines]
    return TextBlock(font, size, tuple(lines), leading, block_height)


# ---- drawing ----------------------------------------------------------------------------------


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


def generate_cover(work: Work, size: tuple[int, int] = COVER_SIZE) -> CoverImage:
    """Draw a typographic cover for ``work`` as a JPEG of ``size`` pixels (width, height)."""
    # fc-list runs while Pillow is imported and the background drawn.
    prefetch_fonts()
    from PIL import Image, ImageDraw

    width, height = size
    seed = work_seed(work)
    colours = palette_for(seed)
    image = Image.new("RGB", size, colours.background)
    draw = ImageDraw.Draw(image)
    lines: list[str] = []
    # One unit is 1/25 of the width: 64 px on the 1600 px EPUB cover.
    unit = width / 25
    _frame(draw, size, unit, colours.accent, seed[7])

    language = work.language or "und"
    raqm_language = language if raqm_available() and language != "und" else None
    text_width = round(width - 2 * unit * 2.6)
    title = " ".join(work.title.split()) or "Untitled"
    authors = _join(work.authors)
    fandoms = _join(work.tags(TagKind.FANDOMS))
    # Latin fandom names read as a running head in capitals; other scripts keep their case.
    if _latin_only(fandoms):
        fandoms = fandoms.upper()

    # Zones as fractions of the height: fandoms at the head, the title in the upper middle
    # with the ornament under it, the creators at the foot.
    if fandoms:
        fandom_block = fit_text(
            fandoms,
            (text_width, round(0.08 * height)),
            language=language,
            weight=REGULAR,
            max_size=round(unit * 0.85),
            min_size=round(unit * 0.5),
        )
        fandom_top = 0.10 * height + (0.08 * height - fandom_block.height) / 2
        lines.extend(fandom_block.lines)
        _draw_block(draw, fandom_block, width / 2, fandom_top, colours.accent, raqm_language)

    title_top, title_bottom = 0.22 * height, 0.66 * height
    title_block = fit_text(
        title,
        (text_width, round(title_bottom - title_top)),
        language=language,
        weight=BOLD,
        max_size=round(unit * 3.2),
        min_size=round(unit * 0.9),
        line_spacing=1.16,
    )
    # Centred in its zone, a little high, where the eye expects a title.
    title_y = title_top + (title_bottom - title_top - title_block.height) * 0.42
    lines.extend(title_block.lines)
    _draw_block(draw, title_block, width / 2, title_y, colours.text, raqm_language)
    _ornament(
        draw,
        width / 2,
        title_y + title_block.height + title_block.size * 0.25 + unit * 1.2,
        unit,
        colours.accent,
        seed[8] % 4,
    )

    if authors:
        authors_top, authors_bottom = 0.72 * height, 0.88 * height
        authors_block = fit_text(
            authors,
            (text_width, round(authors_bottom - authors_top)),
            language=language,
            weight=REGULAR,
            max_size=round(unit * 1.45),
            min_size=round(unit * 0.6),
        )
        top = authors_top + (authors_bottom - authors_top - authors_block.height) / 2
        lines.extend(authors_block.lines)
        _draw_block(draw, authors_block, width / 2, top, colours.text, raqm_language)

    buffer = _JpegBuffer()
    # JPEG, not PNG: encoding 1600x2560 pixels as PNG took 0.07 s (90 % of the whole cover,
    # and the limit on batch throughput), JPEG 0.015 s.  Quality 90 without chroma
    # subsampling keeps coloured text edges clean; no EXIF and no timestamps, so equal pixels
    # give equal bytes.
    image.save(buffer, quality=90, subsampling=0)
    return CoverImage(buffer.getvalue(), "image/jpeg", width, height, tuple(lines))


class _JpegBuffer(io.BytesIO):
    """Bytes in memory named like a JPEG file.

    Pillow takes the format from the name and loads only the JPEG plugin; ``format="JPEG"``
    would load five format plugins first, which took as long as the encoding.
    """

    name = "cover" + GENERATED_COVER_SUFFIX
