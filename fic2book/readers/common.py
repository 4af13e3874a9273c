"""Rules every reader shares, in one place so a fix reaches every input format.

Readers meet the same small questions in different clothes: is this number a count, is this
line a scene break, which encoding are these bytes, what is the work called when nothing says,
which AO3 work does this link name.  Each answer lives here once; a reader that needs a
variation says so with a parameter rather than with a copy.

Nothing here imports a parser library, so the text reader stays cheap to load.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import re
import unicodedata
from pathlib import Path

from fic2book.errors import InputError
from fic2book.model import SeriesEntry, Status
from fic2book.numbers import MAX_DIGITS, parse_count
from fic2book.readers import read_file

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Numbers

# ``\d`` is Unicode decimal digits (category Nd: ASCII, fullwidth, Arabic-Indic…); superscripts
# such as "²" are category No and are not digits here.
_COUNT = re.compile(r"\d{1,3}(?:[,.'\u2019\u00a0\u202f\u2009 ]\d{3})+|\d+")
_CHAPTER_COUNT = re.compile(r"(\S+?)\s*/\s*(\S+)")


#: English number words as chapter headings spell them ("Chapter Twenty-One"), by value.
UNIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
#: Twenty to ninety, by tens.
TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def written_count(value: str) -> int | None:
    """A count as people write one in a header, or ``None`` when ``value`` is not just that.

    ``12345``, ``12,345``, ``12 345``, ``12.345`` and ``12'345`` are all 12345; digits of any
    script count.  Unlike :func:`fic2book.numbers.parse_count`, which reads the digits out of
    any text, the whole value must be the number: ``12 apples``, signs, fractions and
    superscripts are not counts, so the header keeps them as written.  Never raises, however
    many digits (see :mod:`fic2book.numbers`).
    """
    text = value.strip()
    if len(text) > 2 * MAX_DIGITS or _COUNT.fullmatch(text) is None:
        return None
    return parse_count(text)


def parse_chapter_count(value: str) -> tuple[int, int | None] | None:
    """AO3's ``posted/total`` chapter count (``3/4``, ``3/?``); ``None`` when unreadable.

    The total is ``None`` for ``?`` (the author has not said how many chapters there will be).
    """
    text = value.strip()
    # Two counts and a slash: anything longer is not one (and must not feed the regex).
    match = _CHAPTER_COUNT.fullmatch(text) if len(text) <= 4 * MAX_DIGITS + 8 else None
    if match is None:
        return None
    posted = written_count(match.group(1))
    total = None if match.group(2) == "?" else written_count(match.group(2))
    if posted is None or (total is None and match.group(2) != "?"):
        return None
    return posted, total


# ---------------------------------------------------------------------------------------------
# Bytes to text

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# C0 controls other than tab and newline (carriage returns are gone by then), and the two
# noncharacters: none of them may appear in XML.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_NEWLINE = re.compile(r"\r\n?")
_MIXED_ERRORS = "fic2book-cp1252-strays"
# A well-formed multi-byte UTF-8 sequence: common in UTF-8 text, nearly absent from cp1252 text.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def read_text(path: Path, *, markup: bool = False) -> str:
    """An input file's text (see :func:`decode_text`); an empty or blank file is refused."""
    text = decode_text(read_file(path), path, markup=markup)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    return text


def bom_encoding(data: bytes) -> str | None:
    """The codec a byte-order mark at the start of ``data`` names (it drops the mark), or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_text(data: bytes, where: object, *, markup: bool = False) -> str:
    """Decode an input file's bytes: the one rule for every text-based format.

    A byte-order mark wins; then valid UTF-8 (a page a browser re-saved as UTF-8 may keep a
    stale ``<meta charset>``); then, for markup, the charset its ``<meta>`` declares; then
    UTF-8 with a few stray cp1252 bytes read as cp1252; then cp1252.  Line ends become
    newlines and the controls XML cannot hold are dropped.  Plain text with a NUL (and no
    UTF-16/32 mark) or with many controls is binary and refused with an :class:`InputError`
    naming ``where``; markup never is (its parser drops what it cannot hold).
    """
    encoding = bom_encoding(data)
    errors = "replace" if markup else "strict"
    if encoding is None and b"\x00" in data and not markup:
        raise InputError(f"{where}: looks like a binary file, not text")
    try:
        if encoding is not None:
            decoded: str | None = data.decode(encoding, errors=errors)
        else:
            decoded = _utf8(data)
            if decoded is None and markup:
                decoded = _declared(data)
        text = decoded if decoded is not None else _utf8_or_cp1252(data, where, errors)
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: looks like a binary file, not text") from err
    text = _NEWLINE.sub("\n", text.lstrip("\ufeff"))
    if _CONTROL.search(text) is None:
        return text
    # A few stray controls (a form feed, a DOS end-of-file mark) are noise; many mean binary.
    if not markup and len(_CONTROL.findall(text)) > max(4, len(text) // 100):
        raise InputError(f"{where}: looks like a binary file, not text")
    return _CONTROL.sub("", text)


def _utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 when it is valid UTF-8, which text in another encoding hardly ever is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _declared(data: bytes) -> str | None:
    """Markup decoded with the charset its ``<meta>`` declares, when that is known and fits."""
    declared = _META_CHARSET.search(data[:4096])
    if declared is None:
        return None
    try:
        codec = codecs.lookup(declared.group(1).decode("ascii", errors="replace")).name
    except LookupError:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _utf8_or_cp1252(data: bytes, where: object, errors: str) -> str:
    """Bytes that are not valid UTF-8: cp1252, unless they are UTF-8 with a few bad bytes.

    Text pasted together from several sources is often UTF-8 with a stray cp1252 quote;
    decoding all of it as cp1252 would garble every accented letter, so then only the bad
    bytes are read as cp1252.
    """
    replaced = data.decode("utf-8", errors="replace").count("\ufffd")
    bad = replaced - data.decode("utf-8", errors="ignore").count("\ufffd")
    if len(_UTF8_SEQUENCE.findall(data)) > 2 * bad:
        name = where.name if isinstance(where, Path) else where
        logger.warning("%s: mostly UTF-8; read %d stray bytes as cp1252", name, bad)
        return data.decode("utf-8", errors=_MIXED_ERRORS)
    return data.decode("cp1252", errors=errors)


def _bad_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read the bytes UTF-8 rejected as cp1252 instead."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="replace"), error.end


codecs.register_error(_MIXED_ERRORS, _bad_bytes_as_cp1252)


# ---------------------------------------------------------------------------------------------
# Scene breaks

_BREAK_CHARS = frozenset("*~#+=-\u2013\u2014•·⁂※")
_DASHES = frozenset("-\u2013\u2014=")
_QUOTES = frozenset("\"'\u201c\u201d\u2018\u2019«»„\u201a`")
_OX_CORE = re.compile(r"([^oOxX]*)([oOxX]+)([^oOxX]*)")
# White space str.split() does not remove, but which shows nothing on the page.
_INVISIBLE = frozenset("\u200b\u2060\ufeff")


def is_scene_break(text: str) -> bool:
    """Whether a line or a block's text is a scene-break ornament, and nothing else.

    ``***``, ``* * *``, ``~~~``, ``---`` (three dashes; one or two are punctuation), ``⁂``,
    ``◇◇◇`` (any run of symbols), ``___``, and the ``oOo``/``xXx`` family (a palindrome of
    three or more letters, or one letter between ornaments: ``-x-``).  Digits and quotes
    never make a break: ``1.`` and ``"…"`` are text.
    """
    core = "".join(ch for ch in "".join(text.split()) if ch not in _INVISIBLE)
    if not 1 <= len(core) <= 40:
        return False
    if any(ch.isdigit() or ch in _QUOTES for ch in core):
        return False
    if all(_is_ornament(ch) for ch in core):
        return len(core) >= 3 or not all(ch in _DASHES for ch in core)
    if len(core) >= 3 and core.strip("_") == "":
        return True
    match = _OX_CORE.fullmatch(core)
    if match is None:
        return False
    left, letters, right = match.groups()
    if not all(_is_ornament(ch) for ch in left + right):
        return False
    if len(letters) >= 3:
        return letters == letters[::-1]
    return len(letters) == 1 and bool(left) and bool(right)


def _is_ornament(ch: str) -> bool:
    return ch in _BREAK_CHARS or unicodedata.category(ch) == "So"


# ---------------------------------------------------------------------------------------------
# Names and links

AO3_ROOT = "https://archiveofourown.org"
_AO3_WORK = re.compile(
    r"(?:https?://(?:[\w-]+\.)*(?:archiveofourown\.(?:org|com|net)|ao3\.org)(?::\d+)?)?"
    r"/works/(\d+)(?!\w)",
    re.IGNORECASE,
)
_WEB_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"[_\s]+")


def title_from_path(path: Path) -> str:
    """A title for a work nothing else names, from its file name.

    Underscores are spaces (``the_salt-road.md`` → "the salt-road"); in a name with neither
    underscores nor spaces, hyphens are spaces too (``the-lighthouse-keeper.txt`` → "the
    lighthouse keeper"), since such a name is a slug.  "Untitled" when nothing is left.
    """
    stem = path.stem
    if not _NAME_SEPARATORS.search(stem):
        stem = stem.replace("-", " ")
    return " ".join(_NAME_SEPARATORS.split(stem)).strip() or "Untitled"


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) link; anything else (``javascript:``, ``file:``) is None.

    Only web links may reach a book's links.
    """
    if value is None:
        return None
    value = value.strip()
    return value if _WEB_URL.fullmatch(value) else None


def ao3_absolute_url(href: str | None) -> str | None:
    """A web URL for a link found in an AO3 page: site-relative links get AO3's root."""
    if not href:
        return None
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        return AO3_ROOT + href
    return web_url(href)


def ao3_work_id(url: str | None) -> str | None:
    """The AO3 work id in a link (``…archiveofourown.org/works/123/chapters/4`` → "123").

    Only AO3's own links (any subdomain, or a site-relative ``/works/N``) name an AO3 work;
    ``/works/N`` on another site is not one.
    """
    if not url:
        return None
    match = _AO3_WORK.match(url.strip())
    return match.group(1) if match else None


def ao3_work_url(work_id: str | None) -> str | None:
    """The canonical AO3 link of a work id, or None when the id is not a number."""
    if not work_id or not work_id.isascii() or not work_id.isdigit():
        return None
    return f"{AO3_ROOT}/works/{work_id}"


def link_work(work_id: str | None, url: str | None) -> tuple[str | None, str | None]:
    """Complete a work's id and link from each other, as far as they allow."""
    return work_id or ao3_work_id(url), url or ao3_work_url(work_id)


#: AO3's fixed categories, which other tools (an EPUB's subjects, FanFicFare's "Genre") mix in
#: with the freeform tags.
AO3_CATEGORIES = frozenset({"Gen", "F/M", "M/M", "F/F", "Multi", "Other"})
#: AO3's archive warnings, old and new wording, mixed in with the tags the same way.
AO3_WARNINGS = frozenset(
    {
        "Creator Chose Not To Use Archive Warnings",
        "Choose Not To Use Archive Warnings",
        "No Archive Warnings Apply",
        "Graphic Depictions Of Violence",
        "Major Character Death",
        "Rape/Non-Con",
        "Underage",
        "Underage Sex",
    }
)


# ---------------------------------------------------------------------------------------------
# Metadata values written as text (headers, front matter, title pages)

_LIST_SEPARATOR = re.compile(r"\s*[,\uff0c\u3001]\s*")
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s+")
_SERIES_SEPARATOR = re.compile(r",\s*(?=Part\s+\d+\s+of\s)", re.IGNORECASE)
_SERIES_PART = re.compile(r"Part\s+(\d+)\s+of\s+(.+)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d.%m.%Y")
_STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(("completed", "complete", "finished", "done", "yes", "true"), Status.COMPLETE),
    **dict.fromkeys(
        (
            "in progress",
            "work in progress",
            "wip",
            "updated",
            "ongoing",
            "incomplete",
            "unfinished",
            "no",
            "false",
        ),
        Status.IN_PROGRESS,
    ),
}


def split_list(value: str) -> list[str]:
    """Split a tag list on commas and CJK commas, with white space inside items made single.

    AO3 forbids commas inside tags, so the split loses nothing.
    """
    return [item for item in _LIST_SEPARATOR.split(" ".join(value.split())) if item]


def split_authors(value: str) -> list[str]:
    """Split "A, B" into creators; a comma without a space after it stays in the name."""
    return [author for author in _AUTHOR_SEPARATOR.split(value.strip()) if author]


def parse_series(value: str) -> list[SeriesEntry]:
    """``Part 2 of A, Part 1 of B``, FanFicFare's ``A [2]``/``A #2``, or a bare name.

    A name may contain commas: items are split only where the next ``Part N of`` starts.
    """
    entries = []
    for item in _SERIES_SEPARATOR.split(value):
        item = item.strip()
        part = _SERIES_PART.fullmatch(item)
        if part is not None:
            entries.append(SeriesEntry(part.group(2).strip(), written_count(part.group(1))))
        elif item:
            entries.append(_numbered_series(item))
    return entries


def _numbered_series(item: str) -> SeriesEntry:
    """``Name [2]`` or ``Name #2`` with its part; anything else is a bare name.

    Split at the last bracket or hash rather than with a pattern, which would backtrack over
    long runs of spaces.
    """
    if item.endswith("]"):
        name, _, number = item[:-1].rpartition("[")
    else:
        name, _, number = item.rpartition("#")
    if name.strip() and number.isascii() and number.isdigit():
        return SeriesEntry(name.strip(), written_count(number))
    return SeriesEntry(item)


def parse_date(value: str) -> dt.date | None:
    """A date as headers write it, or ``None``; never raises.

    ISO dates (with ``/`` or ``.`` too, a time after them ignored), ``4 May 2025``, ``May 4th,
    2025`` and ``04.05.2025``.  An impossible date (``0000-01-01``, ``2025-02-30``) is ``None``.
    """
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    if match is not None:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    cleaned = " ".join(_ORDINAL.sub("", value).replace(",", " ").split())
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    return None


def parse_status(value: str) -> Status | None:
    """``Completed``, ``WIP``, ``In Progress``, ``yes``/``no`` (to "complete?")… as a status."""
    key = " ".join(value.lower().replace("-", " ").replace("_", " ").split())
    return _STATUS_WORDS.get(key)
