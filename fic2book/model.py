"""The document model: the only contract between readers and backends.

A reader turns an input file into a :class:`Work`; a backend turns a :class:`Work` into a book.
Everything here is a frozen dataclass so a work can be shared between threads and processes
without copies going stale.  Text that will be shown as markup (chapter bodies, summaries,
notes) is :class:`markupsafe.Markup` produced by :mod:`fic2book.html.sanitize` only, so templates
may trust it while keeping Jinja2's autoescape on for everything else.

Scene breaks inside a body are ``<hr class="scene-break"/>`` elements: both backends consume
HTML, so a separate node type would only have to be turned back into that element.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from markupsafe import Markup


class TagKind(Enum):
    """AO3's tag categories, in the order AO3 prints them in a work's preface."""

    RATING = "rating"
    WARNINGS = "warnings"
    CATEGORIES = "categories"
    FANDOMS = "fandoms"
    RELATIONSHIPS = "relationships"
    CHARACTERS = "characters"
    ADDITIONAL_TAGS = "additional_tags"

    @property
    def singular(self) -> str:
        """AO3's label for one tag of this kind."""
        return _LABELS[self][0]

    @property
    def plural(self) -> str:
        """AO3's label for several tags of this kind."""
        return _LABELS[self][1]


_LABELS: dict[TagKind, tuple[str, str]] = {
    TagKind.RATING: ("Rating", "Ratings"),
    TagKind.WARNINGS: ("Archive Warning", "Archive Warnings"),
    TagKind.CATEGORIES: ("Category", "Categories"),
    TagKind.FANDOMS: ("Fandom", "Fandoms"),
    TagKind.RELATIONSHIPS: ("Relationship", "Relationships"),
    TagKind.CHARACTERS: ("Character", "Characters"),
    # AO3 never pluralises this one.
    TagKind.ADDITIONAL_TAGS: ("Additional Tags", "Additional Tags"),
}

#: Tag kinds in AO3's preface order (``features/works/work_download.feature``).
TAG_ORDER: tuple[TagKind, ...] = tuple(TagKind)


@dataclass(frozen=True)
class TagGroup:
    """The tags of one kind, in the order the work lists them."""

    kind: TagKind
    tags: tuple[str, ...]

    @property
    def label(self) -> str:
        """Singular or plural label by count, as AO3 prints it since 2023-10."""
        return self.kind.singular if len(self.tags) == 1 else self.kind.plural


@dataclass(frozen=True)
class SeriesEntry:
    """Membership of the work in one series."""

    name: str
    part: int | None = None
    url: str | None = None


class Status(Enum):
    """Whether the author has finished posting the work."""

    COMPLETE = "Completed"
    IN_PROGRESS = "In Progress"


@dataclass(frozen=True)
class Stats:
    """AO3's stats block; every field is optional because inputs often omit it."""

    published: dt.date | None = None
    updated: dt.date | None = None
    completed: dt.date | None = None
    words: int | None = None
    chapters_posted: int | None = None
    #: ``None`` when the total is unknown (AO3 prints ``3/?``).
    chapters_total: int | None = None
    kudos: int | None = None
    hits: int | None = None
    bookmarks: int | None = None
    comments: int | None = None

    @property
    def last_revised(self) -> dt.date | None:
        """The newest of the three dates: what AO3 passes to calibre as the publication date."""
        dates = [d for d in (self.published, self.updated, self.completed) if d is not None]
        return max(dates) if dates else None

    @property
    def chapters_label(self) -> str | None:
        """``"3/?"`` or ``"1/1"`` as AO3 prints it, or ``None`` when no count is known."""
        if self.chapters_posted is None:
            return None
        total = "?" if self.chapters_total is None else str(self.chapters_total)
        return f"{self.chapters_posted}/{total}"


@dataclass(frozen=True)
class Asset:
    """A file the book embeds (an image), held in memory so no backend touches the disk.

    ``href`` is the relative URL the chapter markup uses, e.g. ``images/map.png``.
    """

    href: str
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Chapter:
    """One chapter; ``number`` is 1-based and names its file (``chap_001.xhtml``)."""

    number: int
    #: The chapter's own title without any "Chapter N" prefix; ``None`` when untitled.
    title: str | None
    body: Markup
    summary: Markup | None = None
    notes: Markup | None = None
    end_notes: Markup | None = None
    #: Chapter creators when they differ from the work's.
    authors: tuple[str, ...] = ()
    #: What the heading says instead of "Chapter N" ("Prologue", "Interlude"); ``None`` for
    #: an ordinary numbered chapter.
    label: str | None = None
    #: Added or changed since the book was last built (``fic2book update``): the contents
    #: marks it "new".
    is_new: bool = False

    @property
    def heading(self) -> str:
        """The heading a reader sees: "Chapter 3: Title", or "Chapter 3" when untitled.

        A labelled chapter replaces "Chapter 3" by its label: "Prologue: Title", or just
        "Prologue" when untitled or when the title is the label itself.
        """
        prefix = self.label or f"Chapter {self.number}"
        if self.title and self.title != self.label:
            return f"{prefix}: {self.title}"
        return prefix

    def heading_for(self, style: str = "full") -> str:
        """The heading in a ``--chapter-titles`` style.

        ``full`` is :attr:`heading`; ``title`` is the chapter's title alone, falling back to
        "Chapter 3" (or the label, "Prologue") when the chapter has no title.
        """
        if style == "title":
            return self.title or self.label or f"Chapter {self.number}"
        return self.heading


@dataclass(frozen=True)
class UpdateEntry:
    """One ``fic2book update`` of a book: when, and which chapters it added, changed or removed.

    Chapters are named by their headings as the contents shows them, so the log still reads
    right after later updates renumber nothing.
    """

    date: dt.date
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    #: Chapters the book had and the newer download no longer has, as the old book named them.
    removed: tuple[str, ...] = ()

    @property
    def news_any(self) -> bool:
        """Whether the update found any chapter added, changed or removed."""
        return bool(self.added or self.changed or self.removed)

    @property
    def news(self) -> str:
        """The update in one line, as ``update`` and ``batch`` print it."""
        return update_news(self.added, self.changed, self.removed)


def update_news(added: Sequence[str], changed: Sequence[str], removed: Sequence[str]) -> str:
    """``updated: +1 chapter`` or ``updated: +2 chapters, 1 changed, 1 removed``.

    One wording for ``fic2book update`` and the batch report, so a reader sees the same line
    whichever way the book was brought up to date.
    """
    count = len(added)
    text = f"updated: +{count} chapter{'' if count == 1 else 's'}"
    text += f", {len(changed)} changed" if changed else ""
    return text + (f", {len(removed)} removed" if removed else "")


@dataclass(frozen=True)
class ExtraField:
    """A header field fic2book has no slot for; kept and shown rather than dropped."""

    label: str
    value: str


@dataclass(frozen=True)
class Work:
    """A whole fan work: metadata, front and back matter, chapters and embedded files."""

    title: str
    authors: tuple[str, ...]
    #: BCP 47 tag such as ``en`` or ``zh``.
    language: str
    chapters: tuple[Chapter, ...]
    tag_groups: tuple[TagGroup, ...] = ()
    #: The language as the input named it ("English", "Русский"), for display.
    language_name: str | None = None
    series: tuple[SeriesEntry, ...] = ()
    collections: tuple[str, ...] = ()
    stats: Stats = field(default_factory=Stats)
    #: Explicit status from the input; see :attr:`status` for the derived value.
    declared_status: Status | None = None
    summary: Markup | None = None
    notes: Markup | None = None
    end_notes: Markup | None = None
    work_id: str | None = None
    url: str | None = None
    extra_fields: tuple[ExtraField, ...] = ()
    assets: tuple[Asset, ...] = ()
    #: False for a one-shot: its single chapter gets no heading of its own.
    chaptered: bool = True
    #: The author's work skin, sanitised and scoped by :mod:`fic2book.skin`; ``None`` without.
    skin_css: str | None = None
    #: An omnibus (:mod:`fic2book.combine`) holds the works it collects, in reading order;
    #: its own ``chapters`` are theirs run together, so code that knows nothing of omnibuses
    #: still sees every word.  Empty for an ordinary work.
    works: tuple[Work, ...] = ()
    #: ``(number, count)`` when the work is one volume of several (:mod:`fic2book.volumes`).
    volume: tuple[int, int] | None = None
    #: The book's update log, oldest first (:mod:`fic2book.update`); empty for a first build.
    updates: tuple[UpdateEntry, ...] = ()

    def tags(self, kind: TagKind) -> tuple[str, ...]:
        """The tags of one kind, empty when the work has none."""
        for group in self.tag_groups:
            if group.kind is kind:
                return group.tags
        return ()

    @property
    def all_tags(self) -> tuple[str, ...]:
        """Every tag in AO3's order, for subjects and PDF keywords."""
        ordered = sorted(self.tag_groups, key=lambda g: TAG_ORDER.index(g.kind))
        return tuple(tag for group in ordered for tag in group.tags)

    @property
    def status(self) -> Status | None:
        """The declared status, else one derived from the chapter count (``n/n`` is complete)."""
        if self.declared_status is not None:
            return self.declared_status
        posted, total = self.stats.chapters_posted, self.stats.chapters_total
        if posted is None:
            return Status.COMPLETE if self.stats.completed else None
        if total is not None and posted >= total:
            return Status.COMPLETE
        return Status.IN_PROGRESS

    @property
    def has_end_notes(self) -> bool:
        """Whether the book needs an afterword page."""
        return self.end_notes is not None


def map_prose(
    work: Work,
    change: Callable[[Markup], Markup],
    titles: Callable[[str], str] | None = None,
) -> Work:
    """``work`` with ``change`` applied to each piece of its prose, and ``titles`` to its titles.

    Prose is the work's summary, notes and end notes and each chapter's body, summary, notes
    and end notes; titles are the work's and its chapters'.  Tags, names and other metadata
    are never touched.  The collected works of an omnibus (``works``) are left to the caller:
    each has its own language and labels, so it needs its own ``change``.  Every pass over a
    work's text (typography, placeholders, tied last words) goes through here, so a new prose
    field is added in one place.
    """

    def markup(value: Markup | None) -> Markup | None:
        return None if value is None else change(value)

    def title(value: str | None) -> str | None:
        return value if value is None or titles is None else titles(value)

    chapters = tuple(
        dataclasses.replace(
            item,
            title=title(item.title),
            body=change(item.body),
            summary=markup(item.summary),
            notes=markup(item.notes),
            end_notes=markup(item.end_notes),
        )
        for item in work.chapters
    )
    return dataclasses.replace(
        work,
        title=work.title if titles is None else titles(work.title),
        chapters=chapters,
        summary=markup(work.summary),
        notes=markup(work.notes),
        end_notes=markup(work.end_notes),
    )
