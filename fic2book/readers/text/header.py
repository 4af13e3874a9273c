"""The header of a seed text file: ``Key: value`` lines up to the first blank line.

Every AO3 preface label is understood, with other tools' names for the same fields
(``Warnings``, ``Freeform Tags``, ``Tags``, ``Ships``, ``Pairing(s)``, ``Author(s)``,
``Story URL``…; FanFicFare's ``Category`` holding fandoms and ``Genre`` holding categories and
freeform tags are told apart by their values).  A field fic2book has no slot for, or a value it
cannot parse, is kept as an :class:`ExtraField` in file order.  Tag, author and collection lists
are split on commas, which AO3 forbids inside tags and pseuds; titles, summaries and series
names are never split except that several series are separated at ``, Part N of`` boundaries.
``Summary``, ``Notes`` and ``End Notes`` are the work's; a line that is not ``Key: value``
continues the one of those before it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from fic2book.model import (
    ExtraField,
    SeriesEntry,
    Status,
    TagKind,
)
from fic2book.readers.common import (
    ao3_work_id,
    parse_chapter_count,
    parse_date,
    parse_series,
    parse_status,
    split_authors,
    split_list,
    web_url,
    written_count,
)

logger = logging.getLogger(__name__)


class HeaderField(Enum):
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


_LABELS: dict[str, HeaderField] = {
    label: kind
    for kind, labels in {
        HeaderField.TITLE: ("title", "work title", "story title"),
        HeaderField.AUTHORS: ("author", "authors", "creator", "creators", "by", "written by"),
        HeaderField.RATING: ("rating", "ratings"),
        HeaderField.WARNINGS: ("archive warning", "archive warnings", "warning", "warnings"),
        HeaderField.CATEGORY: ("category", "categories"),
        HeaderField.FANDOMS: ("fandom", "fandoms"),
        HeaderField.RELATIONSHIPS: (
            "relationship",
            "relationships",
            "ship",
            "ships",
            "pairing",
            "pairings",
        ),
        HeaderField.CHARACTERS: ("character", "characters"),
        HeaderField.ADDITIONAL_TAGS: (
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
        HeaderField.GENRE: ("genre", "genres"),
        HeaderField.LANGUAGE: ("language",),
        HeaderField.SERIES: ("series",),
        HeaderField.COLLECTIONS: ("collection", "collections"),
        HeaderField.PUBLISHED: ("published", "date published", "first published", "posted"),
        HeaderField.UPDATED: ("updated", "date updated", "last updated"),
        HeaderField.COMPLETED: ("completed", "date completed"),
        HeaderField.WORDS: ("words", "word count", "wordcount"),
        HeaderField.CHAPTERS: ("chapters",),
        HeaderField.KUDOS: ("kudos",),
        HeaderField.HITS: ("hits",),
        HeaderField.BOOKMARKS: ("bookmarks",),
        HeaderField.COMMENTS: ("comments",),
        HeaderField.STATS: ("stats", "statistics"),
        HeaderField.STATUS: ("status",),
        HeaderField.SUMMARY: ("summary", "description"),
        HeaderField.NOTES: (
            "notes",
            "note",
            "author's note",
            "author's notes",
            "author note",
            "author notes",
        ),
        HeaderField.END_NOTES: ("end notes", "end note"),
        HeaderField.WORK_ID: ("work id", "story id", "id", "ao3 id"),
        HeaderField.URL: ("url", "work url", "story url", "link", "source", "source url"),
    }.items()
    for label in labels
}

_TAG_FIELDS: dict[HeaderField, TagKind] = {
    HeaderField.RATING: TagKind.RATING,
    HeaderField.WARNINGS: TagKind.WARNINGS,
    HeaderField.FANDOMS: TagKind.FANDOMS,
    HeaderField.RELATIONSHIPS: TagKind.RELATIONSHIPS,
    HeaderField.CHARACTERS: TagKind.CHARACTERS,
    HeaderField.ADDITIONAL_TAGS: TagKind.ADDITIONAL_TAGS,
}
_COUNT_FIELDS = (
    HeaderField.WORDS,
    HeaderField.KUDOS,
    HeaderField.HITS,
    HeaderField.BOOKMARKS,
    HeaderField.COMMENTS,
)
_DATE_FIELDS = (HeaderField.PUBLISHED, HeaderField.UPDATED, HeaderField.COMPLETED)
# Plain-text fields that may run on over several header lines.
_CONTINUED_FIELDS = (HeaderField.SUMMARY, HeaderField.NOTES, HeaderField.END_NOTES)
# AO3's six fixed categories: FanFicFare's "Category" holds fandoms, its "Genre" mixes these in.
_AO3_CATEGORIES = frozenset({"gen", "f/m", "m/m", "f/f", "multi", "other"})


# A header line: a short label starting with a letter, a colon, the value.
_KEY_LINE = re.compile(r"([^\W\d_][\w '\u2019()/&.+-]{0,39}?)\s*:\s*(.*)")
_LABEL_JUNK = re.compile(r"[\s_-]+")
_STATS_ITEM = re.compile(
    r"\b(published|updated|completed|words|chapters|kudos|hits|bookmarks|comments):\s*(\S+)",
    re.IGNORECASE,
)
_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}


def _normalise_label(label: str) -> str:
    """Lower case, one space between words, ``(s)`` as ``s``: ``Author(s)`` → ``authors``."""
    label = label.lower().replace("\u2019", "'").replace("(s)", "s")
    return _LABEL_JUNK.sub(" ", label).strip()


def known_label(line: str) -> HeaderField | None:
    """Return the field a ``Key: value`` line names, or ``None`` when the label is unknown."""
    match = _KEY_LINE.fullmatch(line.strip())
    if match is None:
        return None
    return _LABELS.get(_normalise_label(match.group(1)))


def split_header(lines: list[str], start: int, path: Path) -> tuple[list[list[str]], int]:
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
class Header:
    """Header fields as they accumulate, before they become a :class:`Work`."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: dict[TagKind, list[str]] = field(default_factory=dict)
    language_name: str | None = None
    series: list[SeriesEntry] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    dates: dict[HeaderField, dt.date] = field(default_factory=dict)
    counts: dict[HeaderField, int] = field(default_factory=dict)
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
    seen: set[HeaderField] = field(default_factory=set)
    #: Fields already warned about as given twice.
    repeated: set[HeaderField] = field(default_factory=set)

    def add(self, label: str, value: str, path: Path) -> None:
        """Record one header line; anything unknown, repeated or unparsable becomes extra."""
        kind = _LABELS.get(_normalise_label(label))
        if kind is None:
            self.extras.append(ExtraField(label, value))
            return
        if not value:
            return
        if kind is HeaderField.STATS:
            self._add_stats(label, value, path)
            return
        if kind not in _LIST_KINDS and kind in self.seen:
            if kind not in self.repeated:  # once: a hostile file may repeat a label 100,000 times
                logger.warning("%s: %r given twice; keeping the first", path.name, label)
            self.repeated.add(kind)
            self.extras.append(ExtraField(label, value))
            return
        self.seen.add(kind)
        if not self._set(kind, value):
            shown = value if len(value) <= 60 else value[:59] + "\u2026"
            logger.warning("%s: cannot understand %s: %r; kept as written", path.name, label, shown)
            self.extras.append(ExtraField(label, value))

    def _add_stats(self, label: str, value: str, path: Path) -> None:
        """AO3's one-line stats block: ``Published: … Words: … Chapters: …``."""
        items = _STATS_ITEM.findall(value)
        if not items:
            self.extras.append(ExtraField(label, value))
        for key, item in items:
            self.add(key, item, path)

    def _set(self, kind: HeaderField, value: str) -> bool:
        """Store a parsed value; ``False`` when the value cannot be parsed for that field."""
        if kind in _TAG_FIELDS:
            self._add_tags(_TAG_FIELDS[kind], split_list(value))
        elif kind is HeaderField.CATEGORY:
            values = split_list(value)
            is_ao3 = all(v.lower() in _AO3_CATEGORIES for v in values)
            self._add_tags(TagKind.CATEGORIES if is_ao3 else TagKind.FANDOMS, values)
        elif kind is HeaderField.GENRE:
            for item in split_list(value):
                is_ao3 = item.lower() in _AO3_CATEGORIES
                self._add_tags(TagKind.CATEGORIES if is_ao3 else TagKind.ADDITIONAL_TAGS, [item])
        elif kind is HeaderField.AUTHORS:
            self.authors.extend(split_authors(value))
        elif kind is HeaderField.COLLECTIONS:
            self.collections.extend(split_list(value))
        elif kind is HeaderField.SERIES:
            self.series.extend(parse_series(value))
        elif kind is HeaderField.TITLE:
            self.title = _unquote(value)
        elif kind is HeaderField.LANGUAGE:
            self.language_name = value
        elif kind is HeaderField.SUMMARY:
            self.summary = value
        elif kind is HeaderField.NOTES:
            self.notes = value
        elif kind is HeaderField.END_NOTES:
            self.end_notes = value
        else:
            return self._set_parsed(kind, value)
        return True

    def _set_parsed(self, kind: HeaderField, value: str) -> bool:
        """Fields whose value must parse: dates, counts, status, identifiers."""
        if kind in _DATE_FIELDS:
            date = parse_date(value)
            if date is None:
                status = parse_status(value)
                if kind is HeaderField.COMPLETED and status is not None:
                    self.completed_status = status
                    return True
                return False
            self.dates[kind] = date
            if kind is HeaderField.COMPLETED:
                self.completed_status = Status.COMPLETE
            return True
        if kind in _COUNT_FIELDS:
            count = written_count(value)
            if count is None:
                return False
            self.counts[kind] = count
            return True
        if kind is HeaderField.CHAPTERS:
            return self._set_chapters(value)
        if kind is HeaderField.STATUS:
            self.status = parse_status(value)
            return self.status is not None
        if kind is HeaderField.WORK_ID:
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
    {
        *_TAG_FIELDS,
        HeaderField.CATEGORY,
        HeaderField.GENRE,
        HeaderField.AUTHORS,
        HeaderField.COLLECTIONS,
        HeaderField.SERIES,
    }
)


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
