"""Reader for plain-text works: the seed ``Key: value`` header format, and bare prose.

The format::

    Title: "No Office Relations"          ← header: ``Key: value`` lines up to the first
    Author: movielover55                     blank line, AO3's display labels (singular or
    Relationship: Javert/Jean Valjean        plural) or other tools' names, any case
    Language: English
    Chapters: 1/1
                                          ← a blank line ends the header
    Chapter 1: Title                      ← optional chapter headings (detected, see below)

    Chapter Summary: One paragraph.       ← optional, right after a heading
    Chapter Notes: One paragraph.         ← optional, right after a heading
    First paragraph, on one line.         ← the body
    ***                                   ← a scene break
    Second paragraph.
    Chapter End Notes: One paragraph.     ← optional, anywhere in the chapter

Header
    Every AO3 preface label is understood, with other tools' names for the same fields
    (``Warnings``, ``Freeform Tags``, ``Tags``, ``Ships``, ``Pairing(s)``, ``Author(s)``,
    ``Story URL``…; FanFicFare's ``Category`` holding fandoms and ``Genre`` holding
    categories and freeform tags are told apart by their values).  A field fic2book has no
    slot for, or a value it cannot parse, is kept as an :class:`ExtraField` in file order.
    Tag, author and collection lists are split on commas, which AO3 forbids inside tags and
    pseuds; titles, summaries and series names are never split except that several series
    are separated at ``, Part N of`` boundaries.  ``Summary``, ``Notes`` and ``End Notes``
    are the work's; a line that is not ``Key: value`` continues the one of those before it.
    A file whose first line is not a known label has no header: it is bare prose titled
    after its file name.

Body
    Paragraphs are either one per line (the seed) or separated by blank lines, with
    hard-wrapped lines joined by a space; the layout is detected per file.  A heading is a
    short line of its own such as ``Chapter 12``, ``Chapter Twelve - Title``,
    ``CHAPTER XII—TITLE``, ``Prologue`` or ``Interlude: Title``; numbered headings only
    count when they form a sequence (a lone ``Chapter 7`` in the middle of prose is text).
    A table of contents (headings with nothing between them, repeated later) is not taken for
    the chapters; text before the first heading is kept as the work's notes.  Chapters are
    numbered 1..n in order, whatever numbers the headings used; "Prologue", "Epilogue" and
    "Interlude" keep their word as the chapter's label.
    The ``Chapter Summary:``/``Chapter Notes:``/``Chapter End Notes:`` lines are fic2book's
    own convention, since no tool's plain-text export carries chapter notes: summary and
    notes count right after a heading (or at the top of a heading-less body), end notes
    anywhere in the chapter.  Scene-break lines (``***``, ``~~~``, ``oOo``, ``◇◇◇``…) become
    ``<hr class="scene-break"/>``; adjacent ones merge and none opens or closes a chapter.

Encodings: UTF-8 with or without a BOM, UTF-16/32 with a BOM, else cp1252 (UTF-8 with a few
stray cp1252 bytes keeps its UTF-8); any line ending.  C0 control characters are dropped.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.language import language_tag
from fic2book.model import (
    Chapter,
    ExtraField,
    SeriesEntry,
    Stats,
    Status,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers import read_file
from fic2book.readers.common import (
    ao3_work_id,
    bom_encoding,
    decode_text,
    is_scene_break,
    link_work,
    parse_chapter_count,
    title_from_path,
    web_url,
    written_count,
)
from fic2book.sanitize import SCENE_BREAK, paragraphs, text_block

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Header vocabulary


class _Field(Enum):
    """What a header label means; tag fields carry their :class:`TagKind`."""

    TITLE = "title"
    AUTHORS = "authors"
    RATING = "rating"
    WARNINGS = "warnings"
    CATEGORY = "category"
    FANDOMS = "fandoms"
    RELATIONSHIPS = "relationships"
    CHARACTERS = "characters"
    ADDITIONAL_TAGS = "additional_tags"
    GENRE = "genre"
    LANGUAGE = "language"
    SERIES = "series"
    COLLECTIONS = "collections"
    PUBLISHED = "published"
    UPDATED = "updated"
    COMPLETED = "completed"
    WORDS = "words"
    CHAPTERS = "chapters"
    KUDOS = "kudos"
    HITS = "hits"
    BOOKMARKS = "bookmarks"
    COMMENTS = "comments"
    STATS = "stats"
    STATUS = "status"
    SUMMARY = "summary"
    NOTES = "notes"
    END_NOTES = "end_notes"
    WORK_ID = "work_id"
    URL = "url"


_LABELS: dict[str, _Field] = {
    label: kind
    for kind, labels in {
        _Field.TITLE: ("title", "work title", "story title"),
        _Field.AUTHORS: ("author", "authors", "creator", "creators", "by", "written by"),
        _Field.RATING: ("rating", "ratings"),
        _Field.WARNINGS: ("archive warning", "archive warnings", "warning", "warnings"),
        _Field.CATEGORY: ("category", "categories"),
        _Field.FANDOMS: ("fandom", "fandoms"),
        _Field.RELATIONSHIPS: (
            "relationship",
            "relationships",
            "ship",
            "ships",
            "pairing",
            "pairings",
        ),
        _Field.CHARACTERS: ("character", "characters"),
        _Field.ADDITIONAL_TAGS: (
            "additional tag",
            "additional tags",
            "freeform",
            "freeforms",
            "freeform tag",
            "freeform tags",
            "tag",
            "tags",
            "other tags",
        ),
        _Field.GENRE: ("genre", "genres"),
        _Field.LANGUAGE: ("language",),
        _Field.SERIES: ("series",),
        _Field.COLLECTIONS: ("collection", "collections"),
        _Field.PUBLISHED: ("published", "date published", "first published", "posted"),
        _Field.UPDATED: ("updated", "date updated", "last updated"),
        _Field.COMPLETED: ("completed", "date completed"),
        _Field.WORDS: ("words", "word count", "wordcount"),
        _Field.CHAPTERS: ("chapters",),
        _Field.KUDOS: ("kudos",),
        _Field.HITS: ("hits",),
        _Field.BOOKMARKS: ("bookmarks",),
        _Field.COMMENTS: ("comments",),
        _Field.STATS: ("stats", "statistics"),
        _Field.STATUS: ("status",),
        _Field.SUMMARY: ("summary", "description"),
        _Field.NOTES: (
            "notes",
            "note",
            "author's note",
            "author's notes",
            "author note",
            "author notes",
        ),
        _Field.END_NOTES: ("end notes", "end note"),
        _Field.WORK_ID: ("work id", "story id", "id", "ao3 id"),
        _Field.URL: ("url", "work url", "story url", "link", "source", "source url"),
    }.items()
    for label in labels
}

_TAG_FIELDS: dict[_Field, TagKind] = {
    _Field.RATING: TagKind.RATING,
    _Field.WARNINGS: TagKind.WARNINGS,
    _Field.FANDOMS: TagKind.FANDOMS,
    _Field.RELATIONSHIPS: TagKind.RELATIONSHIPS,
    _Field.CHARACTERS: TagKind.CHARACTERS,
    _Field.ADDITIONAL_TAGS: TagKind.ADDITIONAL_TAGS,
}
_COUNT_FIELDS = (_Field.WORDS, _Field.KUDOS, _Field.HITS, _Field.BOOKMARKS, _Field.COMMENTS)
_DATE_FIELDS = (_Field.PUBLISHED, _Field.UPDATED, _Field.COMPLETED)
# Plain-text fields that may run on over several header lines.
_CONTINUED_FIELDS = (_Field.SUMMARY, _Field.NOTES, _Field.END_NOTES)
# AO3's six fixed categories: FanFicFare's "Category" holds fandoms, its "Genre" mixes these in.
_AO3_CATEGORIES = frozenset({"gen", "f/m", "m/m", "f/f", "multi", "other"})

_STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(("completed", "complete", "finished", "yes", "true"), Status.COMPLETE),
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

# A header line: a short label starting with a letter, a colon, the value.
_KEY_LINE = re.compile(r"([^\W\d_][\w '\u2019()/&.+-]{0,39}?)\s*:\s*(.*)")
_LABEL_JUNK = re.compile(r"[\s_-]+")
_LIST_SEPARATOR = re.compile(r"\s*[,\uff0c\u3001]\s*")
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s+")
_SERIES_SEPARATOR = re.compile(r",\s*(?=Part\s+\d+\s+of\s)", re.IGNORECASE)
_SERIES_PART = re.compile(r"Part\s+(\d+)\s+of\s+(.+)", re.IGNORECASE)
_SERIES_BRACKET = re.compile(r"(.+?)\s*(?:\[(\d+)\]|#(\d+))")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d.%m.%Y")
_STATS_ITEM = re.compile(
    r"\b(published|updated|completed|words|chapters|kudos|hits|bookmarks|comments):\s*(\S+)",
    re.IGNORECASE,
)
_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}

# ---------------------------------------------------------------------------------------------
# Body vocabulary

_UNITS = [
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
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORDS: dict[str, int] = {word: value for value, word in enumerate(_UNITS)}
_NUMBER_WORDS.update({word: 20 + 10 * i for i, word in enumerate(_TENS)})
_NUMBER_WORD_PATTERN = (
    rf"(?:{'|'.join(_TENS)})(?:[\s-]?(?:{'|'.join(_UNITS[1:10])}))?"
    rf"|{'|'.join(sorted(_UNITS, key=len, reverse=True))}"
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN = re.compile(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})", re.I)
_NUMBER = rf"\d{{1,4}}(?![.,]\d)|[ivxlcdm]{{1,9}}\b|(?:{_NUMBER_WORD_PATTERN})\b"
_TITLE_PART = r"(?:\s*(?P<sep>[:.\-\u2013\u2014])\s*(?P<title>.*?))?\s*"
_NUMBERED_HEADING = re.compile(
    rf"(?P<keyword>chapter|chap\.|ch\.|part)\s*(?P<number>{_NUMBER}){_TITLE_PART}",
    re.IGNORECASE,
)
_SPECIAL_HEADING = re.compile(
    rf"(?P<keyword>prologue|epilogue|interlude)(?:\s+(?P<number>{_NUMBER}))?{_TITLE_PART}",
    re.IGNORECASE,
)
_CHAPTER_NOTE = re.compile(r"chapter\s+(summary|notes|end\s+notes)\s*:\s*(.*)", re.IGNORECASE)
_MAX_HEADING = 80
_SENTENCE_END = frozenset(".!?…\"'\u201d\u2019)")


# ---------------------------------------------------------------------------------------------
# The reader


class TextReader:
    """The seed ``Key: value`` plain-text format, and bare prose in a ``.txt`` file."""

    def sniff(self, head: bytes) -> int:
        """100 for a ``Title:`` first line, 80 for another known label, 10 for other text."""
        if not head:
            return 0
        encoding = bom_encoding(head)
        if encoding is None and b"\x00" in head:
            return 0
        text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                field_kind = _known_label(line)
                if field_kind is _Field.TITLE:
                    return 100
                if field_kind is not None:
                    return 80
                # Markup is some other reader's; prose is ours, but only just.
                return 1 if line.lstrip().startswith("<") else 10
        return 1

    def read(self, path: Path) -> Work:
        """Parse ``path`` into a :class:`Work`; unusable input raises :class:`InputError`."""
        text = decode_text(read_file(path), path)
        lines = text.split("\n")
        start = _first_content(lines)
        if start is None:
            raise InputError(f"{path}: the file is empty")
        if _known_label(lines[start]) is None:
            header = _Header()
            body_lines = lines[start:]
        else:
            entries, body_start = _split_header(lines, start, path)
            header = _Header()
            for label, value in entries:
                header.add(label, value, path)
            body_lines = lines[body_start:]
            if _first_content(body_lines) is None:
                raise InputError(
                    f"{path}: the header is not followed by any text"
                    " (a blank line must separate the header from the story)"
                )
        declared = header.chapters_posted or header.bare_chapter_count
        body = _parse_body(body_lines, path, declared)
        return _build_work(path, header, body)


def _first_content(lines: Sequence[str]) -> int | None:
    """Index of the first non-blank line, or ``None``."""
    for index, line in enumerate(lines):
        if line.strip():
            return index
    return None


# ---------------------------------------------------------------------------------------------
# Header


def _normalise_label(label: str) -> str:
    """Lower case, one space between words, ``(s)`` as ``s``: ``Author(s)`` → ``authors``."""
    label = label.lower().replace("\u2019", "'").replace("(s)", "s")
    return _LABEL_JUNK.sub(" ", label).strip()


def _known_label(line: str) -> _Field | None:
    """Return the field a ``Key: value`` line names, or ``None`` when the label is unknown."""
    match = _KEY_LINE.fullmatch(line.strip())
    if match is None:
        return None
    return _LABELS.get(_normalise_label(match.group(1)))


def _split_header(lines: list[str], start: int, path: Path) -> tuple[list[list[str]], int]:
    """Collect ``[label, value]`` pairs from ``start`` to the first blank line.

    Returns the pairs and the index where the body starts.  A line that is not ``Key: value``
    continues a summary or notes field; after any other field it is taken as the start of the
    body, since the writer evidently forgot the blank line.
    """
    entries: list[list[str]] = []
    continued = False
    index = start
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            break
        match = _KEY_LINE.fullmatch(line)
        if match is not None:
            label = match.group(1).strip()
            entries.append([label, match.group(2).strip()])
            continued = _LABELS.get(_normalise_label(label)) in _CONTINUED_FIELDS
        elif continued:
            entries[-1][1] = f"{entries[-1][1]} {line}".strip()
        else:
            logger.warning(
                "%s: no blank line after the header; the story starts at %r", path.name, line[:40]
            )
            break
        index += 1
    return entries, index


@dataclass
class _Header:
    """Header fields as they accumulate, before they become a :class:`Work`."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: dict[TagKind, list[str]] = field(default_factory=dict)
    language_name: str | None = None
    series: list[SeriesEntry] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    dates: dict[_Field, dt.date] = field(default_factory=dict)
    counts: dict[_Field, int] = field(default_factory=dict)
    chapters_posted: int | None = None
    chapters_total: int | None = None
    #: The count written as a bare number ("Chapters: 3"), resolved once the status is known.
    bare_chapter_count: int | None = None
    status: Status | None = None
    completed_status: Status | None = None
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    work_id: str | None = None
    url: str | None = None
    extras: list[ExtraField] = field(default_factory=list)
    seen: set[_Field] = field(default_factory=set)

    def add(self, label: str, value: str, path: Path) -> None:
        """Record one header line; anything unknown, repeated or unparsable becomes extra."""
        kind = _LABELS.get(_normalise_label(label))
        if kind is None:
            self.extras.append(ExtraField(label, value))
            return
        if not value:
            return
        if kind is _Field.STATS:
            self._add_stats(label, value, path)
            return
        if kind not in _LIST_KINDS and kind in self.seen:
            logger.warning("%s: %r given twice; keeping the first", path.name, label)
            self.extras.append(ExtraField(label, value))
            return
        self.seen.add(kind)
        if not self._set(kind, value):
            logger.warning("%s: cannot understand %s: %r; kept as written", path.name, label, value)
            self.extras.append(ExtraField(label, value))

    def _add_stats(self, label: str, value: str, path: Path) -> None:
        """AO3's one-line stats block: ``Published: … Words: … Chapters: …``."""
        items = _STATS_ITEM.findall(value)
        if not items:
            self.extras.append(ExtraField(label, value))
        for key, item in items:
            self.add(key, item, path)

    def _set(self, kind: _Field, value: str) -> bool:
        """Store a parsed value; ``False`` when the value cannot be parsed for that field."""
        if kind in _TAG_FIELDS:
            self._add_tags(_TAG_FIELDS[kind], _split_list(value))
        elif kind is _Field.CATEGORY:
            values = _split_list(value)
            is_ao3 = all(v.lower() in _AO3_CATEGORIES for v in values)
            self._add_tags(TagKind.CATEGORIES if is_ao3 else TagKind.FANDOMS, values)
        elif kind is _Field.GENRE:
            for item in _split_list(value):
                is_ao3 = item.lower() in _AO3_CATEGORIES
                self._add_tags(TagKind.CATEGORIES if is_ao3 else TagKind.ADDITIONAL_TAGS, [item])
        elif kind is _Field.AUTHORS:
            self.authors.extend(a for a in _AUTHOR_SEPARATOR.split(value) if a)
        elif kind is _Field.COLLECTIONS:
            self.collections.extend(_split_list(value))
        elif kind is _Field.SERIES:
            self.series.extend(_parse_series(value))
        elif kind is _Field.TITLE:
            self.title = _unquote(value)
        elif kind is _Field.LANGUAGE:
            self.language_name = value
        elif kind is _Field.SUMMARY:
            self.summary = value
        elif kind is _Field.NOTES:
            self.notes = value
        elif kind is _Field.END_NOTES:
            self.end_notes = value
        else:
            return self._set_parsed(kind, value)
        return True

    def _set_parsed(self, kind: _Field, value: str) -> bool:
        """Fields whose value must parse: dates, counts, status, identifiers."""
        if kind in _DATE_FIELDS:
            date = _parse_date(value)
            if date is None:
                status = _STATUS_WORDS.get(_normalise_label(value))
                if kind is _Field.COMPLETED and status is not None:
                    self.completed_status = status
                    return True
                return False
            self.dates[kind] = date
            if kind is _Field.COMPLETED:
                self.completed_status = Status.COMPLETE
            return True
        if kind in _COUNT_FIELDS:
            count = written_count(value)
            if count is None:
                return False
            self.counts[kind] = count
            return True
        if kind is _Field.CHAPTERS:
            return self._set_chapters(value)
        if kind is _Field.STATUS:
            self.status = _STATUS_WORDS.get(_normalise_label(value))
            return self.status is not None
        if kind is _Field.WORK_ID:
            self.work_id = ao3_work_id(value) or value
            return True
        self.url = web_url(value)
        return self.url is not None

    def _set_chapters(self, value: str) -> bool:
        """``3/4``, ``3/?`` or a bare ``3``."""
        if "/" in value:
            counts = parse_chapter_count(value)
            if counts is None:
                return False
            self.chapters_posted, self.chapters_total = counts
            return True
        count = written_count(value)
        if count is None:
            return False
        self.bare_chapter_count = count
        return True

    def _add_tags(self, kind: TagKind, values: list[str]) -> None:
        """Append tags of one kind, skipping repeats."""
        tags = self.tags.setdefault(kind, [])
        tags.extend(v for v in values if v not in tags)


_LIST_KINDS = frozenset(
    {*_TAG_FIELDS, _Field.CATEGORY, _Field.GENRE, _Field.AUTHORS, _Field.COLLECTIONS, _Field.SERIES}
)


def _split_list(value: str) -> list[str]:
    """Split a tag list; AO3 forbids commas (and the CJK commas) inside tags, so it is lossless."""
    return [item for item in _LIST_SEPARATOR.split(value) if item]


def _unquote(title: str) -> str:
    """Drop one pair of quotes wrapping the whole title, not quotes around part of it."""
    if len(title) < 3:
        return title
    closing = _QUOTE_PAIRS.get(title[0])
    if closing is None or title[-1] != closing:
        return title
    inner = title[1:-1]
    # An apostrophe inside a word is fine ("'Don't Go'"); a quote boundary is not.
    single = closing == "'"
    wrapped = ("' " not in inner and " '" not in inner) if single else closing not in inner
    return inner.strip() if wrapped and inner.strip() else title


def _parse_series(value: str) -> list[SeriesEntry]:
    """``Part 2 of A, Part 1 of B`` or FanFicFare's ``A [2]``; a name may contain commas."""
    entries = []
    for item in _SERIES_SEPARATOR.split(value):
        item = item.strip()
        part = _SERIES_PART.fullmatch(item)
        bracket = _SERIES_BRACKET.fullmatch(item)
        if part is not None:
            entries.append(SeriesEntry(part.group(2).strip(), written_count(part.group(1))))
        elif bracket is not None:
            number = written_count(bracket.group(2) or bracket.group(3))
            entries.append(SeriesEntry(bracket.group(1), number))
        elif item:
            entries.append(SeriesEntry(item))
    return entries


def _parse_date(value: str) -> dt.date | None:
    """ISO dates (with ``/`` or ``.`` too, time ignored) and ``4 May 2025``/``May 4th, 2025``."""
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    try:
        if match is not None:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        cleaned = " ".join(_ORDINAL.sub("", value).replace(",", " ").split())
        for form in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(cleaned, form).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Body


class _Line(Enum):
    """What one body line is."""

    BLANK = "blank"
    TEXT = "text"
    BREAK = "break"
    HEADING = "heading"


@dataclass(frozen=True)
class _Heading:
    """A heading candidate parsed from one line."""

    index: int
    #: ``chapter`` or ``part`` for numbered headings, else the special word in lower case.
    group: str
    number: int | None
    title: str | None
    #: "Prologue"/"Epilogue"/"Interlude" as the heading shows it, for special headings.
    label: str | None
    #: The line also reads as a sentence ("Chapter 1: The end of it all."): it is a heading
    #: only where the headings around it say so, never on its own in the middle of prose.
    weak: bool = False


@dataclass
class _Block:
    """A paragraph, break, heading or chapter note, after lines have been joined."""

    kind: _Line
    text: str = ""
    heading: _Heading | None = None


@dataclass(frozen=True)
class _Body:
    """The body split into chapters: the heading (``None`` for a heading-less work) and blocks."""

    preamble: list[_Block]
    sections: list[tuple[_Heading | None, list[_Block]]]
    #: Whether any heading was found (an untitled first chapter may still open the body).
    headed: bool


def _parse_body(raw_lines: list[str], path: Path, declared: int | None = None) -> _Body:
    """Classify lines, choose the real headings, join paragraphs and split into chapters."""
    lines = [line.strip() for line in raw_lines]
    width = _wrap_width(lines)
    blank_mode = width is not None or _mostly_blank_separated(lines)
    kinds = [_Line.BLANK if not line else _Line.TEXT for line in lines]
    candidates: list[_Heading] = []
    for index, line in enumerate(lines):
        if not line or len(line) > _MAX_HEADING:
            continue
        if is_scene_break(line):
            kinds[index] = _Line.BREAK
            continue
        heading = _parse_heading(index, line)
        if heading is not None and (not blank_mode or _stands_alone(lines, index, width)):
            candidates.append(heading)
    choice = _select_headings(_drop_contents_list(candidates, lines), lines, declared)
    headings = choice.headings
    for heading in headings:
        kinds[heading.index] = _Line.HEADING
    blocks = _join_blocks(lines, kinds, {h.index: h for h in headings}, blank_mode)
    preamble: list[_Block] = []
    sections: list[tuple[_Heading | None, list[_Block]]] = []
    if not headings:
        sections.append((None, blocks))
    else:
        current = preamble
        for block in blocks:
            if block.kind is _Line.HEADING:
                current = []
                sections.append((block.heading, current))
            else:
                current.append(block)
    if choice.preamble_is_chapter:
        # The text before "Chapter 2" is chapter 1 whose heading did not survive: a chapter,
        # never the work's notes.
        sections.insert(0, (None, preamble))
        preamble = []
    if any(block.kind is _Line.TEXT for block in preamble):
        logger.warning(
            "%s: text before the first chapter heading is kept as the work's notes", path.name
        )
    return _Body(preamble, sections, bool(headings))


def _mostly_blank_separated(lines: list[str]) -> bool:
    """Whether most non-blank lines are followed by a blank line (the last line aside)."""
    content = [i for i, line in enumerate(lines) if line]
    if len(content) < 2:
        return False
    followed = sum(1 for i in content[:-1] if not lines[i + 1])
    return followed * 2 > len(content) - 1


def _wrap_width(lines: list[str]) -> int | None:
    """Return the column a file is hard-wrapped at, or ``None`` when it is not hard-wrapped.

    Greedy wrapping leaves a line short only when the next word would not have fit, so in a
    wrapped file almost every line followed by more text is "full" at the wrap width.
    """
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 4:
        return None
    width = lengths[(len(lengths) - 1) * 95 // 100]
    if not 30 <= width <= 100:
        return None
    pairs = full = 0
    for current, following in itertools.pairwise(lines):
        if current and following:
            pairs += 1
            next_word = following.split(None, 1)[0]
            full += len(current) + 1 + len(next_word) > width
    return width if pairs >= 3 and full * 10 >= pairs * 8 else None


def _stands_alone(lines: list[str], index: int, width: int | None) -> bool:
    """In blank-line layout, whether a heading-like line is a line of its own, not wrapped prose."""
    before = lines[index - 1] if index > 0 else ""
    after = lines[index + 1] if index + 1 < len(lines) else ""
    # A full line with text straight after it is the head of a wrapped paragraph.
    if after and width is not None and len(lines[index]) + 1 + len(after.split()[0]) > width:
        return False
    # A heading may follow a break, or another heading-like line (a table of contents).
    if not before or is_scene_break(before) or _parse_heading(0, before) is not None:
        return True
    # Straight after prose it must end that prose's sentence and stand before a blank line,
    # unlike the tail of a paragraph that merely mentions "Chapter 3."
    return not after and before[-1] in _SENTENCE_END


def _parse_heading(index: int, line: str) -> _Heading | None:
    """Parse a short line as a heading candidate, or ``None``; sequence checks come later."""
    first = line[0].lower()
    if first in "cp":
        match = _NUMBERED_HEADING.fullmatch(line)
        if match is not None:
            number = _parse_number(match.group("number"))
            if number is not None:
                keyword = match.group("keyword").lower()
                group = "part" if keyword == "part" else "chapter"
                title = match.group("title") or None
                return _Heading(index, group, number, title, None, _reads_as_sentence(match))
    if first in "eip":
        match = _SPECIAL_HEADING.fullmatch(line)
        if match is not None:
            word = match.group("keyword").capitalize()
            number_text = match.group("number")
            label = f"{word} {number_text}" if number_text else word
            # A bare "Prologue" is its own title; "Prologue: Storm" is titled "Storm".
            title = match.group("title") or label
            return _Heading(index, word.lower(), None, title, label, _reads_as_sentence(match))
    return None


def _reads_as_sentence(match: re.Match[str]) -> bool:
    """Whether a heading-shaped line could also be a sentence of prose.

    "Chapter 3. she said nothing" and "Chapter 3: she left and never came back." read as
    sentences; so do real titles ("Chapter 1: The end of it all.", "Cosette . . ."), which
    is why such a line is only weak evidence, not prose: the headings around it decide.
    """
    title = match.group("title")
    if not title:
        return False
    lowercase_sentence = match.group("sep") == "." and title[0].islower()
    return lowercase_sentence or (title.endswith(".") and not title.endswith(("..", "…")))


def _parse_number(text: str) -> int | None:
    """Digits, a number word ("Twenty-One") or a Roman numeral."""
    if text[0].isdecimal():
        return written_count(text)
    lowered = " ".join(text.lower().replace("-", " ").split())
    if lowered in _NUMBER_WORDS:
        return _NUMBER_WORDS[lowered]
    words = lowered.split()
    if len(words) == 2 and words[0] in _TENS and words[1] in _NUMBER_WORDS:
        return _NUMBER_WORDS[words[0]] + _NUMBER_WORDS[words[1]]
    if lowered and _ROMAN.fullmatch(lowered):
        values = [_ROMAN_VALUES[ch] for ch in lowered]
        return sum(-v if v < nxt else v for v, nxt in zip(values, [*values[1:], 0], strict=True))
    return None


@dataclass(frozen=True)
class _Choice:
    """One way of reading the body's chapters: the headings, and what the text before is."""

    headings: list[_Heading]
    #: The text before the first heading is an untitled chapter 1 (its heading did not
    #: survive, the first found is "Chapter 2"), not the work's notes.
    preamble_is_chapter: bool = False

    @property
    def chapters(self) -> int:
        """How many chapters this reading makes (a heading-less body is one)."""
        return max(1, len(self.headings) + self.preamble_is_chapter)


def _select_headings(
    candidates: list[_Heading], lines: list[str], declared: int | None = None
) -> _Choice:
    """Keep the candidates that form a sequence; the rest are prose.

    Several readings are possible (chapters or parts; with or without the headings that also
    read as sentences).  Without other evidence the first plausible one wins, in that order;
    a header declaring ``Chapters: N`` picks the reading that finds N chapters.
    """
    first = _first_content(lines)
    readings = list(_readings(candidates, lines, first))
    if declared is not None:
        # Plausible readings first: a lone "Chapter 7" in prose must not win on a count alone.
        for plausible in (True, False):
            for choice, is_plausible in readings:
                if is_plausible is plausible and choice.chapters == declared:
                    return choice
    return next((choice for choice, plausible in readings if plausible), _Choice([]))


def _readings(
    candidates: list[_Heading], lines: list[str], first: int | None
) -> Iterator[tuple[_Choice, bool]]:
    """Every reading of the headings worth considering, and whether each is plausible alone.

    Numbered headings must count up by one, from 1 (or 0) when such a heading exists, else from
    the first one seen; "Chapter" comes before "Part".  A lone numbered heading is plausible only
    at the very top of the body (or as chapter 1 after a prologue there): a lone "Chapter 7" in
    the middle of prose is prose.  Prologues come before the numbered run, epilogues after it
    and interludes inside it; without a numbered run, special headings need company or the top.
    """
    strong = [c for c in candidates if not c.weak]
    for group in ("chapter", "part"):
        for pool in (candidates, strong):
            specials = [c for c in pool if c.number is None]
            prologue_on_top = any(s.group == "prologue" and s.index == first for s in specials)
            chain = _numbered_chain([c for c in pool if c.group == group])
            if not chain:
                continue
            plausible = len(chain) >= 2 or (
                chain[0].index == first or (prologue_on_top and chain[0].number == 1)
            )
            start, end = chain[0].index, chain[-1].index
            selected = chain + [
                s
                for s in specials
                if (s.group == "prologue" and s.index < start)
                or (s.group == "epilogue" and s.index > end)
                or (s.group == "interlude" and s.index > start)
            ]
            yield _choice(selected, lines), plausible
    for pool in (candidates, strong):
        specials = [c for c in pool if c.number is None]
        on_top = any(s.index == first for s in specials)
        if specials:
            yield _choice(specials, lines), len(specials) >= 2 or on_top
    if candidates and not strong:
        # Every candidate also reads as a sentence: they may all be prose.
        yield _Choice([]), True


def _choice(selected: list[_Heading], lines: list[str]) -> _Choice:
    """A reading of these headings; text before a first "Chapter 2" is chapter 1."""
    headings = sorted(selected, key=lambda h: h.index)
    opening = headings[0]
    preamble = any(lines[: opening.index])
    return _Choice(headings, preamble and opening.number == 2)


def _drop_contents_list(candidates: list[_Heading], lines: list[str]) -> list[_Heading]:
    """Drop table-of-contents entries: headings with nothing after them that recur later.

    FanFicFare's text files and many hand-made ones list the chapter headings at the top; left
    in, the list's "Chapter 1" would start the sequence and swallow the real chapter 1.
    """
    nonblank_before = list(itertools.accumulate((bool(line) for line in lines), initial=0))
    seen_later: set[tuple[str, int | None]] = set()
    kept: list[_Heading] = []
    following: _Heading | None = None
    for candidate in reversed(candidates):
        key = (candidate.group, candidate.number)
        empty = following is not None and (
            nonblank_before[following.index] == nonblank_before[candidate.index + 1]
        )
        if not (empty and key in seen_later and candidate.number is not None):
            kept.append(candidate)
        seen_later.add(key)
        following = candidate
    return kept[::-1]


def _numbered_chain(candidates: list[_Heading]) -> list[_Heading]:
    """Return the run of candidates counting up by one, starting at 0 or 1 when possible.

    At each step the next number's first heading after the last link is taken, one that does
    not read as a sentence before one that does, so a line of prose that happens to say
    "Chapter 2: she left." cannot steal the place of the real "Chapter 2" after it.
    """
    if not candidates:
        return []
    by_number: dict[int | None, list[_Heading]] = {}
    for candidate in candidates:
        by_number.setdefault(candidate.number, []).append(candidate)
    starts = by_number.get(0) or by_number.get(1) or candidates[:1]
    chain = [next((c for c in starts if not c.weak), starts[0])]
    while True:
        later = [
            c for c in by_number.get((chain[-1].number or 0) + 1, []) if c.index > chain[-1].index
        ]
        if not later:
            return chain
        chain.append(next((c for c in later if not c.weak), later[0]))


def _join_blocks(
    lines: list[str], kinds: list[_Line], headings: dict[int, _Heading], blank_mode: bool
) -> list[_Block]:
    """Turn classified lines into blocks; in blank-line layout, runs of text lines join up."""
    blocks: list[_Block] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            blocks.append(_Block(_Line.TEXT, " ".join(run)))
            run.clear()

    for index, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is _Line.TEXT:
            # A chapter note always starts a block of its own, even inside a run.
            if not blank_mode or _CHAPTER_NOTE.match(line):
                flush()
            run.append(line)
            if not blank_mode:
                flush()
            continue
        flush()
        if kind is _Line.BREAK:
            blocks.append(_Block(_Line.BREAK))
        elif kind is _Line.HEADING:
            blocks.append(_Block(_Line.HEADING, line, headings[index]))
    flush()
    return blocks


# ---------------------------------------------------------------------------------------------
# Assembly


def _build_chapter(number: int, heading: _Heading | None, blocks: list[_Block]) -> Chapter:
    """One chapter: leading chapter notes, body paragraphs and breaks, end notes anywhere."""
    notes: dict[str, list[str]] = {"summary": [], "notes": [], "end notes": []}
    position = 0
    # Summary and notes count only at the top; end notes anywhere.
    while position < len(blocks):
        kind = _note_kind(blocks[position])
        if kind is None or kind == "end notes":
            break
        notes[kind].append(_note_text(blocks[position].text))
        position += 1
    items: list[str | None] = []  # None is a scene break
    for block in blocks[position:]:
        if block.kind is _Line.BREAK:
            if items and items[-1] is not None:
                items.append(None)
        elif _note_kind(block) == "end notes":
            notes["end notes"].append(_note_text(block.text))
        else:
            items.append(block.text)
    while items and items[-1] is None:
        items.pop()
    return Chapter(
        number=number,
        title=heading.title if heading else None,
        body=_body_markup(items),
        summary=_note_markup(notes["summary"]),
        notes=_note_markup(notes["notes"]),
        end_notes=_note_markup(notes["end notes"]),
        label=_label(number, heading),
    )


def _label(number: int, heading: _Heading | None) -> str | None:
    """The heading's own label where "Chapter N" by position would misstate it.

    A "Part 2" stays "Part 2", and "Chapter 1" after a prologue stays "Chapter 1" rather than
    becoming "Chapter 2": readers look for the numbers the author wrote.
    """
    if heading is None:
        return None
    if heading.number is not None and (heading.group != "chapter" or heading.number != number):
        return f"{heading.group.title()} {heading.number}"
    return heading.label


def _note_kind(block: _Block) -> str | None:
    """``summary``, ``notes`` or ``end notes`` for a chapter-note block, else ``None``."""
    if block.kind is not _Line.TEXT:
        return None
    match = _CHAPTER_NOTE.match(block.text)
    return " ".join(match.group(1).lower().split()) if match else None


def _note_text(text: str) -> str:
    """Return the text of a chapter-note line after its ``Chapter Notes:`` label."""
    match = _CHAPTER_NOTE.match(text)
    return match.group(2) if match else text


def _body_markup(items: list[str | None]) -> Markup:
    """Paragraph runs as ``<p>`` elements with scene breaks between them."""
    parts: list[Markup] = []
    run: list[str] = []
    for item in items:
        if item is None:
            parts.append(paragraphs(run))
            parts.append(SCENE_BREAK)
            run = []
        else:
            run.append(item)
    if run:
        parts.append(paragraphs(run))
    return Markup("\n").join(parts)


def _note_markup(texts: list[str]) -> Markup | None:
    """Chapter or work notes as paragraphs, ``None`` when there are none."""
    text = "\n".join(t for t in texts if t.strip())
    return text_block(text) if text else None


def _build_work(path: Path, header: _Header, body: _Body) -> Work:
    """Combine the header and the body into the model."""
    chapters = tuple(
        _build_chapter(number, heading, blocks)
        for number, (heading, blocks) in enumerate(body.sections, start=1)
    )
    status = header.status or header.completed_status
    posted, total = header.chapters_posted, header.chapters_total
    if header.bare_chapter_count is not None and posted is None:
        # "Chapters: 3" says nothing about the total; assume none are missing unless a WIP.
        posted = header.bare_chapter_count
        total = None if status is Status.IN_PROGRESS else posted
    stats = Stats(
        published=header.dates.get(_Field.PUBLISHED),
        updated=header.dates.get(_Field.UPDATED),
        completed=header.dates.get(_Field.COMPLETED),
        words=header.counts.get(_Field.WORDS),
        chapters_posted=posted,
        chapters_total=total,
        kudos=header.counts.get(_Field.KUDOS),
        hits=header.counts.get(_Field.HITS),
        bookmarks=header.counts.get(_Field.BOOKMARKS),
        comments=header.counts.get(_Field.COMMENTS),
    )
    # Headings make a chaptered work; so does a header promising more than one chapter.
    headed = body.headed
    chaptered = headed or (posted is not None and (posted, total) != (1, 1))
    work_id, url = link_work(header.work_id, header.url)
    preamble = [block.text for block in body.preamble if block.kind is _Line.TEXT]
    notes = [header.notes] if header.notes else []
    return Work(
        title=header.title or title_from_path(path),
        authors=tuple(header.authors) or ("Anonymous",),
        language=language_tag(header.language_name),
        language_name=header.language_name,
        chapters=chapters,
        tag_groups=tuple(
            TagGroup(kind, tuple(header.tags[kind])) for kind in TagKind if header.tags.get(kind)
        ),
        series=tuple(header.series),
        collections=tuple(header.collections),
        stats=stats,
        declared_status=status,
        summary=_note_markup([header.summary] if header.summary else []),
        notes=_note_markup(notes + preamble),
        end_notes=_note_markup([header.end_notes] if header.end_notes else []),
        work_id=work_id,
        url=url,
        extra_fields=tuple(header.extras),
        chaptered=chaptered,
    )
