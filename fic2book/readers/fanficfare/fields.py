"""FanFicFare's title page fields, mapped onto the model: one place for all three outputs.

FanFicFare writes the same labelled entries ("Category: …", "Status: …") on its EPUB's title
page, in its HTML's metadata table and at the head of its TXT file.  The labels are its
defaults (``*_label`` in FanFicFare's ``defaults.ini``); what each means comes from there too:

- "Category" (and AO3's "Fandoms") holds the fandoms, "Genre" the genres — for AO3 it also
  carries AO3's categories ("F/M", "Gen") and freeform tags, which are sorted back apart here
  when the story URL is AO3's.
- "Characters", "Relationships", "Rating", "Warnings" are what they say; list values are
  joined with ", " (AO3 tags never contain a comma).
- "Status" is "Completed" or "In-Progress"; "Chapters" is the count posted, "Words" a number
  with thousands separators; "Published" and "Updated" are ISO dates by default (a date in
  a format no reader knows is kept as written, as an extra field).
- "Series" reads "Name [part]"; "Story URL", "Series URL" and the title page's links give URLs.
- "Packaged" is when the file was made, not a fact about the work, and is dropped, like the
  author's URL.  Any other label is kept as an extra field rather than lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from fic2book.language import language_tag
from fic2book.model import (
    Asset,
    Chapter,
    ExtraField,
    SeriesEntry,
    Stats,
    Status,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers.common import (
    AO3_CATEGORIES,
    ao3_work_id,
    parse_chapter_count,
    parse_date,
    parse_series,
    parse_status,
    web_url,
    written_count,
)
from fic2book.readers.common import split_list as common_split_list

#: Labels (lower case) whose values are tag lists, by the kind they fill.
_TAG_LABELS: dict[str, TagKind] = {
    "category": TagKind.FANDOMS,
    "fandoms": TagKind.FANDOMS,
    "fandom": TagKind.FANDOMS,
    "genre": TagKind.ADDITIONAL_TAGS,
    "freeform tags": TagKind.ADDITIONAL_TAGS,
    "additional tags": TagKind.ADDITIONAL_TAGS,
    "extra tags": TagKind.ADDITIONAL_TAGS,
    "ao3 categories": TagKind.CATEGORIES,
    "characters": TagKind.CHARACTERS,
    "relationships": TagKind.RELATIONSHIPS,
    "rating": TagKind.RATING,
    "warnings": TagKind.WARNINGS,
}
_COUNT_LABELS = {"words", "kudos", "hits", "bookmarks", "comments"}
#: Labels that say nothing about the work (when the file was made, the author's page).
_DROPPED_LABELS = {"packaged", "author url", "author", "title", "summary", "downloader version"}
#: Every label FanFicFare writes by default; the TXT reader starts a new field only at these.
KNOWN_LABELS: frozenset[str] = frozenset(
    {
        *_TAG_LABELS,
        *_COUNT_LABELS,
        *_DROPPED_LABELS,
        "language",
        "status",
        "published",
        "updated",
        "chapters",
        "chapters/total chapters",
        "total chapters",
        "publisher",
        "series",
        "series url",
        "story url",
        "story id",
        "collections",
        "site abbrev",
        "author id",
    }
)


@dataclass
class TitlePage:
    """What FanFicFare wrote about the work, before it is mapped onto the model."""

    title: str
    authors: tuple[str, ...]
    #: ``(label, value)`` in the order written; values are plain text.
    fields: list[tuple[str, str]]
    summary: Markup | None = None
    #: The title's link (EPUB and HTML) or the OPF's source.
    url: str | None = None
    series_url: str | None = None
    #: The story id from the EPUB's ``fanficfare-uid`` identifier.
    story_id: str | None = None
    #: The OPF's language code, used when the title page names none.
    language_code: str | None = None


def split_list(value: str) -> tuple[str, ...]:
    """A ", "-joined FanFicFare list as its items, each once (the readers' one list rule)."""
    return tuple(dict.fromkeys(common_split_list(value)))


class _Collector:
    """Gathers the model's values from the fields, one label at a time."""

    def __init__(self, page: TitlePage) -> None:
        self.page = page
        self.tags: dict[TagKind, list[str]] = {}
        self.counts: dict[str, int | None] = {}
        self.dates: dict[str, dt.date | None] = {}
        self.status: Status | None = None
        self.language: str | None = None
        self.series: SeriesEntry | None = None
        # Only web links may reach the book (a hostile file's href could be anything).
        self.url = web_url(page.url)
        self.story_id = page.story_id
        self.collections: tuple[str, ...] = ()
        self.extras: list[ExtraField] = []

    def add(self, label: str, value: str) -> None:
        key = label.strip().rstrip(":").strip().casefold()
        value = " ".join(value.split())
        if not value or key in _DROPPED_LABELS:
            return
        if key in _TAG_LABELS:
            items = (value,) if key == "rating" else split_list(value)
            tags = self.tags.setdefault(_TAG_LABELS[key], [])
            tags.extend(item for item in items if item not in tags)
        elif key in _COUNT_LABELS and written_count(value) is not None:
            self.counts[key] = written_count(value)
        elif key in {"published", "updated"} and parse_date(value) is not None:
            # A date no reader understands (a custom dateUpdated_format): kept as written.
            self.dates[key] = parse_date(value)
        elif not self._add_other(key, value):
            self.extras.append(ExtraField(label.strip().rstrip(":").strip(), value))

    def _add_other(self, key: str, value: str) -> bool:
        """Store the remaining known labels; ``False`` for a label with no slot."""
        if key == "status":
            self.status = parse_status(value)
            return self.status is not None
        if key == "language":
            self.language = value
        elif key in {"chapters", "chapters/total chapters"}:
            counts = parse_chapter_count(value) if "/" in value else None
            posted = counts[0] if counts else written_count(value)
            if posted is None:
                return False
            self.counts["chapters_posted"] = posted
            if counts is not None:
                self.counts["chapters_total"] = counts[1]
        elif key == "total chapters" and written_count(value) is not None:
            self.counts["chapters_total"] = written_count(value)
        elif key == "series":
            entries = parse_series(value)
            self.series = entries[0] if len(entries) == 1 else SeriesEntry(name=value)
        elif key == "series url":
            self.page.series_url = web_url(value)
        elif key == "story url":
            self.url = self.url or web_url(value)
        elif key == "story id":
            self.story_id = value
        elif key == "collections":
            self.collections = split_list(value)
        else:
            return False
        return True

    def tag_groups(self) -> tuple[TagGroup, ...]:
        """The tags by kind; AO3's categories come back out of FanFicFare's "Genre"."""
        if ao3_work_id(self.url):
            genres = self.tags.get(TagKind.ADDITIONAL_TAGS, [])
            moved = [tag for tag in genres if tag in AO3_CATEGORIES]
            if moved:
                categories = self.tags.setdefault(TagKind.CATEGORIES, [])
                categories.extend(tag for tag in moved if tag not in categories)
                self.tags[TagKind.ADDITIONAL_TAGS] = [t for t in genres if t not in moved]
        return tuple(
            TagGroup(kind, tuple(self.tags[kind])) for kind in TagKind if self.tags.get(kind)
        )


def build_work(
    page: TitlePage,
    chapters: Sequence[Chapter],
    *,
    assets: tuple[Asset, ...] = (),
) -> Work:
    """The work FanFicFare described: its title page's fields mapped onto the model."""
    collected = _Collector(page)
    for label, value in page.fields:
        collected.add(label, value)
    counts = collected.counts
    if collected.status is Status.COMPLETE and counts.get("chapters_total") is None:
        # FanFicFare prints only the chapters posted; a completed work has them all.
        counts["chapters_total"] = counts.get("chapters_posted")
    stats = Stats(
        published=collected.dates.get("published"),
        updated=collected.dates.get("updated"),
        words=counts.get("words"),
        chapters_posted=counts.get("chapters_posted"),
        chapters_total=counts.get("chapters_total"),
        kudos=counts.get("kudos"),
        hits=counts.get("hits"),
        bookmarks=counts.get("bookmarks"),
        comments=counts.get("comments"),
    )
    series = collected.series
    if series is not None and web_url(page.series_url):
        series = SeriesEntry(name=series.name, part=series.part, url=web_url(page.series_url))
    url = collected.url
    language = collected.language or page.language_code
    return Work(
        title=page.title,
        authors=page.authors or ("Anonymous",),
        language=language_tag(language),
        language_name=collected.language,
        chapters=tuple(chapters),
        tag_groups=collected.tag_groups(),
        series=(series,) if series is not None else (),
        collections=collected.collections,
        stats=stats,
        declared_status=collected.status,
        summary=page.summary,
        work_id=ao3_work_id(url) or collected.story_id,
        url=url,
        extra_fields=tuple(collected.extras),
        assets=assets,
        chaptered=len(chapters) > 1 or (bool(chapters) and chapters[0].title is not None),
    )
