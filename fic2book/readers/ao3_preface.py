"""AO3's preface: the tag list, stats, series, byline and the fields they fill.

Shared by the two readers of AO3's HTML: the download (:mod:`.ao3_html`, also inside AO3's
EPUBs) and the saved work page (:mod:`.ao3_page`).  Labels are singular or plural; the stats
come in any order, with or without thousands separators.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from fic2book import numbers
from fic2book.html.parse import Element, text_of
from fic2book.language import language_tag
from fic2book.model import (
    Asset,
    Chapter,
    ExtraField,
    SeriesEntry,
    Stats,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers.common import (
    ao3_absolute_url,
    ao3_work_id,
    split_authors,
    split_list,
    title_from_path,
)

#: AO3's dt labels (lower case, without the colon), singular and plural, and the tag kinds.
TAG_LABELS: dict[str, TagKind] = {
    "rating": TagKind.RATING,
    "ratings": TagKind.RATING,
    "archive warning": TagKind.WARNINGS,
    "archive warnings": TagKind.WARNINGS,
    "warning": TagKind.WARNINGS,
    "warnings": TagKind.WARNINGS,
    "category": TagKind.CATEGORIES,
    "categories": TagKind.CATEGORIES,
    "fandom": TagKind.FANDOMS,
    "fandoms": TagKind.FANDOMS,
    "relationship": TagKind.RELATIONSHIPS,
    "relationships": TagKind.RELATIONSHIPS,
    "character": TagKind.CHARACTERS,
    "characters": TagKind.CHARACTERS,
    "additional tags": TagKind.ADDITIONAL_TAGS,
    "additional tag": TagKind.ADDITIONAL_TAGS,
    "freeform": TagKind.ADDITIONAL_TAGS,
    "freeforms": TagKind.ADDITIONAL_TAGS,
}

_SERIES_PART = re.compile(r"Part\s+(\d[\d,]*)\s+of\s*$", re.IGNORECASE)

_SERIES_TEXT = re.compile(r"Part\s+(\d[\d,]*)\s+of\s+(.+?)\s*(?=,\s*Part\s+\d|$)", re.IGNORECASE)

_NUMBER = r"(\d[\d,.\u00a0\u202f' ]*\d|\d)"

_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"

# One regex per stats key: their order changed in 2023 (nianeyna/ao3downloader #79).
STATS_PATTERNS: dict[str, re.Pattern[str]] = {
    "published": re.compile(rf"Published:\s*{_DATE}", re.IGNORECASE),
    "updated": re.compile(rf"Updated:\s*{_DATE}", re.IGNORECASE),
    "completed": re.compile(rf"Completed:\s*{_DATE}", re.IGNORECASE),
    "words": re.compile(rf"Words:\s*{_NUMBER}", re.IGNORECASE),
    "kudos": re.compile(rf"Kudos:\s*{_NUMBER}", re.IGNORECASE),
    "hits": re.compile(rf"Hits:\s*{_NUMBER}", re.IGNORECASE),
    "bookmarks": re.compile(rf"Bookmarks:\s*{_NUMBER}", re.IGNORECASE),
    "comments": re.compile(rf"Comments:\s*{_NUMBER}", re.IGNORECASE),
}

_CHAPTERS_STAT = re.compile(r"Chapters:\s*(\d[\d,]*)\s*/\s*(\d[\d,]*|\?)", re.IGNORECASE)


def link_texts(element: Element) -> list[str]:
    """The texts of the links inside an element, whitespace-collapsed, empty ones skipped."""
    return [text for a in element.iter("a") if (text := text_of(a))]


def tags_of(dd: Element) -> list[str]:
    """A tag ``dd``'s tags: its link texts, or its text split on commas when it has no links."""
    return link_texts(dd) or split_list(text_of(dd))


def parse_count(value: str) -> int | None:
    """``12,345`` or ``12 345`` as an int; ``None`` for no number or an absurdly long one."""
    return numbers.parse_count(value)


def parse_stats(text: str) -> tuple[Stats, list[ExtraField]]:
    """Parse AO3's stats text, each key with its own regex; an unreadable block is kept."""
    found: dict[str, object] = {}
    for key, pattern in STATS_PATTERNS.items():
        match = pattern.search(text)
        if match is None:
            continue
        if key in ("published", "updated", "completed"):
            try:
                found[key] = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
        else:
            found[key] = parse_count(match.group(1))
    chapters = _CHAPTERS_STAT.search(text)
    posted = total = None
    if chapters is not None:
        posted = parse_count(chapters.group(1))
        total = None if chapters.group(2) == "?" else parse_count(chapters.group(2))
    stats = Stats(
        published=_date(found.get("published")),
        updated=_date(found.get("updated")),
        completed=_date(found.get("completed")),
        words=_int(found.get("words")),
        chapters_posted=posted,
        chapters_total=total,
        kudos=_int(found.get("kudos")),
        hits=_int(found.get("hits")),
        bookmarks=_int(found.get("bookmarks")),
        comments=_int(found.get("comments")),
    )
    extras = [] if found or chapters else [ExtraField("Stats", " ".join(text.split()))]
    return stats, extras


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def parse_series(dd: Element) -> list[SeriesEntry]:
    """``Part 1 of <a>Name</a>, Part 3 of <a>Other</a>``; names may contain commas."""
    entries: list[SeriesEntry] = []
    before: list[str] = [dd.text or ""]
    for element in dd.iter():
        if element is dd:
            continue
        if element.tag == "a":
            part = _SERIES_PART.search("".join(before))
            name = text_of(element)
            if name:
                entries.append(
                    SeriesEntry(
                        name,
                        parse_count(part.group(1)) if part else None,
                        ao3_absolute_url(element.get("href")),
                    )
                )
            before = [element.tail or ""]
        else:
            before.append(element.text or "")
            before.append(element.tail or "")
    if entries:
        return entries
    text = text_of(dd)
    for match in _SERIES_TEXT.finditer(text):
        entries.append(SeriesEntry(match.group(2), parse_count(match.group(1))))
    return entries or ([SeriesEntry(text)] if text else [])


def parse_byline(text: str) -> tuple[str, ...]:
    """``by A, Pseud (user), Anonymous`` → the creators; pseuds cannot contain commas."""
    text = " ".join(text.split())
    text = re.sub(r"^(?:chapter\s+)?by\s+", "", text, flags=re.IGNORECASE)
    return tuple(split_authors(text))


@dataclass
class Preface:
    """The work's metadata as it accumulates; :meth:`build` makes the :class:`Work`."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    tags: dict[TagKind, list[str]] = field(default_factory=dict)
    language_name: str | None = None
    series: list[SeriesEntry] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    summary: Markup | None = None
    notes: list[Markup] = field(default_factory=list)
    end_notes: list[Markup] = field(default_factory=list)
    work_id: str | None = None
    url: str | None = None
    extras: list[ExtraField] = field(default_factory=list)

    def add_tags(self, kind: TagKind, values: Iterable[str]) -> None:
        """Append tags of one kind, skipping repeats (split files repeat the tag list)."""
        tags = self.tags.setdefault(kind, [])
        tags.extend(v for v in values if v not in tags)

    def add_field(self, label: str, dd: Element) -> None:
        """Record one ``dt``/``dd`` pair of the tag list."""
        key = " ".join(label.lower().split())
        kind = TAG_LABELS.get(key)
        if kind is not None:
            self.add_tags(kind, tags_of(dd))
        elif key == "language":
            self.language_name = text_of(dd) or None
        elif key == "series":
            for entry in parse_series(dd):
                if entry not in self.series:
                    self.series.append(entry)
        elif key in ("collections", "collection"):
            self.collections.extend(
                c for c in (link_texts(dd) or split_list(text_of(dd))) if c not in self.collections
            )
        elif key == "stats":
            self.stats, extras = parse_stats(text_of(dd))
            self.extras.extend(extras)
        elif text_of(dd):
            field_ = ExtraField(label, text_of(dd))
            if field_ not in self.extras:
                self.extras.append(field_)

    def set_url(self, href: str | None) -> None:
        """Take the work URL and its id from a link."""
        url = ao3_absolute_url(href)
        work_id = ao3_work_id(url)
        if url is None or work_id is None:
            return
        self.url = self.url or url
        self.work_id = self.work_id or work_id

    def build(
        self,
        chapters: tuple[Chapter, ...],
        *,
        chaptered: bool,
        assets: tuple[Asset, ...],
        source_name: str,
    ) -> Work:
        """Make the work; the title falls back to the file name."""
        order = list(TagKind)
        groups = tuple(
            TagGroup(kind, tuple(self.tags[kind]))
            for kind in sorted(self.tags, key=order.index)
            if self.tags[kind]
        )
        return Work(
            title=self.title or title_from_path(Path(source_name)),
            authors=self.authors,
            language=language_tag(self.language_name),
            language_name=self.language_name,
            chapters=chapters,
            tag_groups=groups,
            series=tuple(self.series),
            collections=tuple(self.collections),
            stats=self.stats,
            summary=self.summary,
            notes=_join(self.notes),
            end_notes=_join(self.end_notes),
            work_id=self.work_id,
            url=self.url,
            extra_fields=tuple(self.extras),
            assets=assets,
            chaptered=chaptered,
        )


def _join(parts: list[Markup]) -> Markup | None:
    return Markup("\n").join(parts) if parts else None
