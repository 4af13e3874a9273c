"""Which installed font sets a cover's text: Fontconfig's list, read once, chosen by script."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageFont

logger = logging.getLogger(__name__)


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


@functools.cache
def installed_fonts() -> tuple[FontFile, ...]:
    """Every scalable face Fontconfig lists, read once per process (empty without fc-list)."""
    process = _start_fc_list()
    return () if process is None else _read_fc_list(process)


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
