"""``--embed-fonts``: the design's fonts inside the EPUB, cut down to the characters it uses.

An e-reader sets a book in its own fonts where the named ones are missing, which is most of
the time: the EPUB's ``book.css`` names Georgia and friends, the reader's own choice.  With
``--embed-fonts`` the EPUB carries the faces the PDF is set in instead: Noto Serif for the
text (regular, italic, bold and bold italic) and the families the theme's sheet names first
(Noto Sans for the labels of ``modern`` and ``ao3``), each subset with fontTools to the
characters the book's pages use, as ``fonts/*.ttf`` with ``@font-face`` rules in
``styles/fonts.css`` (linked after the bundled sheets, so the theme, ``--css`` and the
reader's settings still have the last word).

The font files are found through fontconfig's command line (``fc-match``), as WeasyPrint
finds them through fontconfig: a face fontconfig does not have (it would offer another
family, or another weight) is said in one warning and left out, and the book is made
without it.  A font whose licence bits forbid embedding (OS/2 ``fsType`` restricted) is left
out too.  Subsetting keeps the file's own timestamps, so a book is byte-identical from build
to build.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fic2book.design import ORNAMENTS
from fic2book.options import RenderOptions
from fic2book.resources import data_path
from fic2book.themes import theme_styles

logger = logging.getLogger(__name__)

#: The face the PDF sets the text in (``styles/pdf.css``), the EPUB's text face when embedded.
TEXT_FACE = "Noto Serif"
#: Each face of a family: fontconfig's weight and slant, CSS's weight and style.
FACES: tuple[tuple[str, str, int, str], ...] = (
    ("regular", "roman", 400, "normal"),
    ("regular", "italic", 400, "italic"),
    ("bold", "roman", 700, "normal"),
    ("bold", "italic", 700, "italic"),
)
#: fontconfig's weight from which a face is bold (``FC_WEIGHT_DEMIBOLD``).
_BOLD_FROM = 180
#: OS/2 ``fsType``: "restricted licence embedding", the one bit that forbids embedding.
_RESTRICTED = 0x0002
#: OS/2 ``fsType``: "no subsetting": such a font goes in whole.
_NO_SUBSETTING = 0x0100
#: The first family a ``font-family`` declaration names.
_FAMILY = re.compile(r'font-family\s*:\s*(?:"([^"]+)"|\'([^\']+)\'|([A-Za-z][\w -]*?))\s*[,;}]')
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit"}


@dataclass(frozen=True)
class Face:
    """One face fontconfig found: the family asked for, its CSS weight and style, its file."""

    family: str
    weight: int
    style: str
    path: Path
    index: int = 0


def font_families(options: RenderOptions) -> list[str]:
    """The families to embed: the text face, then those the theme's sheet names first."""
    families = [TEXT_FACE]
    for name in theme_styles(options.theme):
        css = (data_path("styles") / name).read_text(encoding="utf-8")
        for match in _FAMILY.finditer(css):
            family = next(group for group in match.groups() if group).strip()
            if family.lower() not in _GENERIC and family not in families:
                families.append(family)
    return families


def find_face(family: str, weight: str, slant: str) -> Face | None:
    """The file of one face of ``family`` as fontconfig has it, or ``None`` without it."""
    tool = shutil.which("fc-match")
    if tool is None:
        return None
    result = subprocess.run(
        [
            tool,
            "--format=%{file}\\n%{family}\\n%{weight}\\n%{slant}\\n%{index}",
            f"{family}:weight={weight}:slant={slant}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 5 or not lines[0]:
        return None
    path, names, found_weight, found_slant, index = lines[:5]
    if family.lower() not in {name.strip().lower() for name in names.split(",")}:
        return None  # fontconfig offers another family in its place
    bold = _number(found_weight) >= _BOLD_FROM
    italic = _number(found_slant) > 0
    if bold != (weight == "bold") or italic != (slant == "italic"):
        return None  # the reader makes a bold or an italic better than a wrong face
    css_weight = 700 if bold else 400
    return Face(family, css_weight, "italic" if italic else "normal", Path(path), _number(index))


def _number(text: str) -> int:
    try:
        return int(float(text.split()[0].strip("[]"))) if text.strip() else 0
    except ValueError:
        return 0


def subset_face(face: Face, text: str) -> tuple[bytes, str, str] | None:
    """The face cut to the characters of ``text``: ``(bytes, suffix, media type)``.

    ``None`` when the font's licence forbids embedding or fontTools cannot read it.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(face.path, fontNumber=face.index, recalcTimestamp=False)
    except (OSError, TTLibError) as err:
        logger.warning(
            "font %s (%s): cannot be read (%s); not embedded", face.family, face.path, err
        )
        return None
    fs_type = int(font["OS/2"].fsType) if "OS/2" in font else 0
    if fs_type & _RESTRICTED:
        logger.warning("font %s: its licence forbids embedding; not embedded", face.family)
        return None
    if not fs_type & _NO_SUBSETTING:
        settings = subset.Options()
        settings.layout_features = ["*"]  # small capitals, ligatures, kerning as designed
        settings.name_IDs = ["*"]
        settings.notdef_outline = True
        settings.hinting = False  # e-readers rasterise at screen sizes without hints
        subsetter = subset.Subsetter(settings)
        subsetter.populate(text=text)
        subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    if "glyf" in font:
        return buffer.getvalue(), ".ttf", "font/ttf"
    return buffer.getvalue(), ".otf", "font/otf"


def font_items(epub: Any, options: RenderOptions, texts: Iterable[str]) -> list[Any]:
    """The manifest items of ``--embed-fonts``: ``styles/fonts.css`` first, then the fonts.

    ``texts`` are the book's pages (markup and titles); their characters, the ornament's and
    ASCII's are kept in each subset.  Empty when no face is found.
    """
    glyph = ORNAMENTS.get(options.ornament, options.ornament)
    text = "".join(sorted(set("".join(texts)) | set(glyph) | {chr(c) for c in range(32, 127)}))
    rules: list[str] = []
    fonts: list[Any] = []
    taken: set[str] = set()
    for family in font_families(options):
        for weight, slant, css_weight, style in FACES:
            face = find_face(family, weight, slant)
            if face is None:
                logger.warning("font %s %s %s not found; not embedded", family, weight, slant)
                continue
            cut = subset_face(face, text)
            if cut is None:
                continue
            data, suffix, media_type = cut
            href = _font_href(face.path.stem, suffix, taken)
            fonts.append(
                epub.EpubItem(
                    uid=f"font_{len(fonts) + 1}",
                    file_name=href,
                    media_type=media_type,
                    content=data,
                )
            )
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {css_weight}; '
                f'font-style: {style}; src: url("../{href}"); }}'
            )
    if not fonts:
        return []
    rules.append(f'body {{ font-family: "{TEXT_FACE}", Georgia, serif; }}')
    css = epub.EpubItem(
        uid="style_fonts",
        file_name="styles/fonts.css",
        media_type="text/css",
        content=("\n".join(rules) + "\n").encode("utf-8"),
    )
    return [css, *fonts]


def _font_href(stem: str, suffix: str, taken: set[str]) -> str:
    """``fonts/STEM.SUFFIX``, ASCII and not yet ``taken`` (which it joins)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "font"
    href, counter = f"fonts/{safe}{suffix}", 2
    while href in taken:
        href, counter = f"fonts/{safe}-{counter}{suffix}", counter + 1
    taken.add(href)
    return href
