"""Output file names: "Title - Author1, Author2.epub", safe on Linux, macOS and Windows.

Unicode is kept (AO3's own download names transliterate to ASCII and turn CJK titles into
``Work_<id>``; readers complained), but anything one of the three file systems refuses is
replaced: the Windows-reserved punctuation, control characters, leading and trailing dots and
spaces, and the reserved device names.  Invisible characters are dropped: a right-to-left
override turns ``x - ‮gpj.exe`` into what looks like ``x - exe.jpg``, and zero-width ones
make two names that look the same differ.  The result fits in 255 bytes of UTF-8, the limit of
ext4, APFS and NTFS alike (NTFS counts UTF-16 units, which is never more than UTF-8 bytes).

Names are compared as case-insensitive file systems (APFS, NTFS) compare them, so two books
whose titles differ only in case get different names rather than overwriting each other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, MutableSet, Sequence
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
# Joiners shape Persian, Indic scripts and emoji between two visible characters; elsewhere
# (leading, trailing, next to a space, repeated) they only hide.
_STRAY_JOINERS = re.compile(
    r"(?<![^\s\u200c\u200d])[\u200c\u200d]+|[\u200c\u200d]+(?![^\s\u200c\u200d])"
)
_REPEATED_JOINERS = re.compile(r"([\u200c\u200d])[\u200c\u200d]+")
#: Letters that draw nothing (Hangul fillers, braille blank) though they are not "format".
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
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
    text = _visible(unicodedata.normalize("NFC", stem))
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


def _visible(text: str) -> str:
    """``text`` without bidi controls, zero-width and other invisible characters."""
    kept = "".join(
        char
        for char in text
        if char in "\u200c\u200d"
        or (unicodedata.category(char) != "Cf" and char not in _BLANK_LETTERS)
    )
    return _REPEATED_JOINERS.sub(r"\1", _STRAY_JOINERS.sub("", kept))


def shown(text: str) -> str:
    r"""``text`` safe to print on a terminal: controls, bidi and invisible characters escaped.

    A library's file names are anyone's bytes: an escape sequence in one could rewrite the
    terminal, a newline forge a line of output, an override reverse what follows.  They are
    printed as Python escapes (``\x1b``, ``\n``, ``\u202e``), and an undecodable byte (a lone
    surrogate from the file system's encoding) as ``\udcff``.
    """
    return "".join(_shown_char(char) for char in text)


def _shown_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cs":
        return f"\\u{ord(char):04x}"
    if category in ("Cc", "Cf", "Zl", "Zp"):
        return char.encode("unicode_escape").decode("ascii")
    return char


def output_name(title: str, authors: Sequence[str], suffix: str) -> str:
    """Return the file name a book gets when the user names only a folder."""
    return safe_filename(book_stem(title, authors), suffix)


def name_key(path: Path) -> str:
    """The form in which a case-insensitive file system compares ``path``."""
    return unicodedata.normalize("NFC", str(path)).casefold()


class TakenPaths(MutableSet[Path]):
    """A set of paths compared by :func:`name_key`: ``A.epub`` and ``a.epub`` are one."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        self._paths: dict[str, Path] = {}
        self.update(paths)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, Path) and name_key(path) in self._paths

    def __iter__(self) -> Iterator[Path]:
        return iter(self._paths.values())

    def __len__(self) -> int:
        return len(self._paths)

    def add(self, value: Path) -> None:
        """Take ``value`` (and every spelling of it that differs only in case)."""
        self._paths.setdefault(name_key(value), value)

    def discard(self, value: Path) -> None:
        """Free ``value``."""
        self._paths.pop(name_key(value), None)

    def update(self, paths: Iterable[Path]) -> None:
        """Take each of ``paths``."""
        for path in paths:
            self.add(path)


def unique_path(folder: Path, name: str, taken: set[Path] | TakenPaths) -> Path:
    """``folder / name``, or ``"stem (2).ext"`` and so on when an earlier book of the run has it.

    Only names in ``taken`` are avoided: a file left from an earlier run is overwritten, as
    ``-o`` users expect.  Names differing only in case count as taken (see the module).
    """
    if not isinstance(taken, TakenPaths):
        taken = TakenPaths(taken)
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
