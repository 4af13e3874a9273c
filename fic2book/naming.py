"""Output file names: "Title - Author1, Author2.epub", safe on Linux, macOS and Windows.

Unicode is kept (AO3's own download names transliterate to ASCII and turn CJK titles into
``Work_<id>``; readers complained), but anything one of the three file systems refuses is
replaced: the Windows-reserved punctuation, control characters, leading and trailing dots and
spaces, and the reserved device names.  The result fits in 255 bytes of UTF-8, the limit of
ext4, APFS and NTFS alike (NTFS counts UTF-16 units, which is never more than UTF-8 bytes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

#: Longest file name, in UTF-8 bytes, that every common file system accepts.
MAX_NAME_BYTES = 255
#: How many authors the name lists before "et al.".
MAX_AUTHORS = 3

# Windows refuses these in names; "/" and "\" are path separators somewhere.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# Windows device names, reserved with any extension ("CON.txt") and case-insensitively;
# "COM¹" etc. are reserved too on current Windows.
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_FALLBACK = "Untitled"


def author_list(authors: Sequence[str]) -> str:
    """Join the first :data:`MAX_AUTHORS` authors with ", ", then "et al." for the rest."""
    names = [a.strip() for a in authors if a.strip()]
    if len(names) > MAX_AUTHORS:
        return ", ".join(names[:MAX_AUTHORS]) + " et al."
    return ", ".join(names)


def book_stem(title: str, authors: Sequence[str]) -> str:
    """Return the unsanitised stem "Title - Author1, Author2" (the title alone if no authors)."""
    title = title.strip() or _FALLBACK
    byline = author_list(authors)
    return f"{title} - {byline}" if byline else title


def safe_filename(stem: str, suffix: str = "") -> str:
    """Make ``stem + suffix`` a single, portable file name of at most 255 UTF-8 bytes.

    ``suffix`` (e.g. ``".epub"``) is trusted and always kept; the stem is cleaned and, when the
    whole name is too long, cut on a character boundary.
    """
    # NFC so that a decomposed "é" from one system matches the composed one on another and
    # the byte count below is the one the file system will see.
    text = unicodedata.normalize("NFC", stem)
    text = _FORBIDDEN.sub("_", text)
    text = _SPACES.sub(" ", text)
    text = _trim(text, keep_final_dots=bool(suffix))
    if not text:
        text = _FALLBACK
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    text = _trim(_truncate_utf8(text, budget), keep_final_dots=bool(suffix))
    if not text.strip("."):
        text = _FALLBACK
    reserved = _RESERVED.match(text + suffix)
    if reserved:
        # An underscore right after the device name ("CON_", "com1_.txt - x") keeps the name
        # readable; at the end it would leave "com1.txt - x_" reserved by its "com1." prefix.
        device = reserved.group(1)
        text = _truncate_utf8(device + "_" + text[len(device) :], budget)
    return text + suffix


def output_name(title: str, authors: Sequence[str], suffix: str) -> str:
    """Return the file name a book gets when the user names only a folder."""
    return safe_filename(book_stem(title, authors), suffix)


def unique_path(folder: Path, name: str, taken: set[Path]) -> Path:
    """``folder / name``, or ``"stem (2).ext"`` and so on when an earlier book of the run has it.

    Only names in ``taken`` are avoided: a file left from an earlier run is overwritten, as
    ``-o`` users expect.
    """
    candidate = folder / name
    number = 2
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    suffix = f".{ext}" if dot else ""
    while candidate in taken:
        tail = f" ({number}){suffix}"
        short = _truncate_utf8(stem, MAX_NAME_BYTES - len(tail.encode("utf-8")))
        candidate = folder / (_trim(short, keep_final_dots=True) + tail)
        number += 1
    return candidate


def _trim(text: str, keep_final_dots: bool = False) -> str:
    # Windows drops a name's trailing dots and spaces silently, and leading dots hide files on
    # Unix; stripping them also rules out "." and "..".  Before a suffix a final dot is
    # harmless ("et al..epub"), so it is kept when asked.
    text = text.lstrip(" .")
    return text.rstrip(" ") if keep_final_dots else text.rstrip(" .")


def _truncate_utf8(text: str, limit: int) -> str:
    """Return the longest prefix of ``text`` whose UTF-8 encoding fits in ``limit`` bytes."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    # Dropping the partial sequence at the cut leaves whole characters only.
    return encoded[: max(limit, 0)].decode("utf-8", errors="ignore")
