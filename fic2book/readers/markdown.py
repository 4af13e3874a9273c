"""Reader for Markdown drafts: YAML front matter for the metadata, CommonMark for the story.

The format::

    ---                                   ← front matter: a YAML mapping between two lines of
    title: The Salt Road                     three dashes (``...`` may close it too)
    authors: [wren, Kestrel Pseud (kes)]
    fandoms: Original Work
    series: Part 2 of Coastlines          ← or {name: Coastlines, part: 2}, or a list
    ---
    # Chapter 1: The Harbour              ← each ``#`` heading starts a chapter

    Prose in CommonMark.

    ***                                   ← a thematic break is a scene break

Front matter keys are the model's fields, matched case-insensitively with ``-``, ``_`` and
spaces alike: ``title``, ``author``/``authors`` (a string split on commas, or a list),
``fandom(s)``, ``rating``, ``warnings``, ``categories``, ``relationships``, ``characters``,
``tags``/``additional_tags``, ``language``, ``summary``, ``notes``, ``end_notes`` (these three
are Markdown too), ``series``, ``collections``, ``published``/``updated``/``completed``,
``words``, ``chapters`` (``3/4``, ``3/?`` or ``3``), ``status``, ``url``, ``work_id``.  Any
other key, or a value that cannot be understood, is kept as an :class:`ExtraField`.

Without ``#`` headings the whole text is one chapter of a one-shot; a ``# Title`` at the very
top that repeats the front matter's title is the work's title, not a chapter.  A heading such
as "Chapter 2: The Harbour" gives the chapter the title "The Harbour".  Raw HTML is allowed
but goes through the sanitiser like everything else, so no script or style survives.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_markup
from fic2book.html.images import AssetCollector, LocalImages
from fic2book.html.sanitize import SCENE_BREAK
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
from fic2book.numbers import parse_count
from fic2book.readers.common import (
    link_work,
    parse_chapter_count,
    parse_date,
    parse_series,
    parse_status,
    read_text,
    split_authors,
    split_list,
    title_from_path,
    web_url,
    written_count,
)
from fic2book.readers.headings import keep_heading

if TYPE_CHECKING:
    # Imported where used: together ~0.1 s, which every other input format should not pay.
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

logger = logging.getLogger(__name__)


_FENCE = re.compile(r"---[ \t]*")
_CLOSING_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_KEY_JUNK = re.compile(r"[\s_-]+")

_TAG_KEYS: dict[str, TagKind] = {
    **dict.fromkeys(("rating", "ratings"), TagKind.RATING),
    **dict.fromkeys(
        ("warning", "warnings", "archive warning", "archive warnings"), TagKind.WARNINGS
    ),
    **dict.fromkeys(("category", "categories"), TagKind.CATEGORIES),
    **dict.fromkeys(("fandom", "fandoms"), TagKind.FANDOMS),
    **dict.fromkeys(
        ("relationship", "relationships", "ship", "ships", "pairing", "pairings"),
        TagKind.RELATIONSHIPS,
    ),
    **dict.fromkeys(("character", "characters"), TagKind.CHARACTERS),
    **dict.fromkeys(
        ("tag", "tags", "additional tags", "additional tag", "freeform", "freeforms"),
        TagKind.ADDITIONAL_TAGS,
    ),
}
_FIELD_KEYS: dict[str, str] = {
    "title": "title",
    **dict.fromkeys(("author", "authors", "creator", "creators", "by"), "authors"),
    **dict.fromkeys(("language", "lang"), "language"),
    **dict.fromkeys(("summary", "description"), "summary"),
    **dict.fromkeys(("notes", "note"), "notes"),
    **dict.fromkeys(("end notes", "endnotes", "end note"), "end_notes"),
    "series": "series",
    **dict.fromkeys(("collection", "collections"), "collections"),
    **dict.fromkeys(("published", "date", "posted"), "published"),
    "updated": "updated",
    "completed": "completed",
    **dict.fromkeys(("words", "word count", "wordcount"), "words"),
    "chapters": "chapters",
    "status": "status",
    **dict.fromkeys(("url", "link", "source"), "url"),
    **dict.fromkeys(("work id", "id"), "work_id"),
}


class MarkdownReader:
    """Markdown drafts with a YAML front matter block."""

    def sniff(self, head: bytes) -> int:
        """100 for front matter, 50 for a ``#`` heading first, else 10."""
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        first = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
        if _FENCE.fullmatch(first) and ":" in text:
            return 100
        return 50 if first.startswith("# ") else 10

    def read(self, path: Path) -> Work:
        """Parse ``path`` into a :class:`Work`; unusable input raises :class:`InputError`."""
        text = read_text(path)
        meta, body, body_line = _split_front_matter(text, path)
        fields = _Fields.from_mapping(meta, path)
        md = _markdown()
        tokens = md.parse(body)
        _refuse_lost_nesting(tokens, md, path)
        sections = _sections(tokens, fields.title)
        if len(sections) == 1 and not sections[0][1]:
            raise InputError(f"{path}: no story after the front matter (line {body_line})")
        return _build_work(path, md, fields, sections)


def _refuse_lost_nesting(tokens: Sequence[Token], md: MarkdownIt, path: Path) -> None:
    """Refuse a document nested so deeply that markdown-it dropped its inner text.

    At ``maxNesting`` levels of block quotes or lists markdown-it stops descending and the
    deeper content silently disappears; a book that loses words must not be written, so a
    document that reaches the limit (one level short of it, where the cut already starts) is an
    input error instead.
    """
    limit = int(md.options.get("maxNesting", 20))
    if tokens and max(token.level for token in tokens) >= limit - 1:
        raise InputError(
            f"{path}: block quotes or lists nested {limit} or more levels deep; "
            "flatten them so no text is lost"
        )


# ---------------------------------------------------------------------------------------------
# Text and front matter


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return the front matter mapping, the Markdown after it and the line it starts on."""
    lines = text.split("\n")
    if not lines or _FENCE.fullmatch(lines[0]) is None:
        return {}, text, 1
    for index in range(1, len(lines)):
        if _CLOSING_FENCE.fullmatch(lines[index]):
            break
    else:
        raise InputError(f"{path}: the front matter opened on line 1 is never closed with '---'")
    source = "\n".join(lines[1:index])
    from fic2book.readers.front_matter import load_front_matter

    meta = load_front_matter(source, path) if source.strip() else {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(
            f"{path}: the front matter must be 'key: value' lines, not a {type(meta).__name__}"
        )
    return meta, "\n".join(lines[index + 1 :]), index + 2


def _normalise_key(key: object) -> str:
    """``End-Notes``, ``end_notes`` and ``end notes`` are one key."""
    return _KEY_JUNK.sub(" ", str(key).lower()).strip()


def _as_list(value: object, split: Callable[[str], list[str]] = split_list) -> list[str]:
    """A YAML list, or a comma-separated string, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return split(str(value))


def _display(value: object) -> str:
    """A YAML value as one line for an :class:`ExtraField`."""
    if isinstance(value, list | tuple):
        return ", ".join(_display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_display(item)}" for key, item in value.items())
    return "" if value is None else str(value)


def _parse_date(value: object) -> dt.date | None:
    """A YAML date or datetime, or a string such as ``2024-05-06`` or ``6 May 2024``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))


def _parse_count(value: object) -> int | None:
    """``12345`` or ``"12,345"``; ``None`` when the value is not a count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return parse_count(value)
    return written_count(str(value))


def _parse_series(value: object) -> list[SeriesEntry] | None:
    """``Part 2 of Name``, a bare name, ``{name, part, url}``, or a list of those."""
    items = value if isinstance(value, list) else [value]
    entries: list[SeriesEntry] = []
    for item in items:
        if isinstance(item, dict):
            keys = {_normalise_key(k): v for k, v in item.items()}
            name = keys.get("name") or keys.get("title")
            if not name:
                return None
            part = _parse_count(keys["part"]) if keys.get("part") is not None else None
            url = keys.get("url")
            web = web_url(str(url)) if url is not None else None
            entries.append(SeriesEntry(str(name).strip(), part, web))
        elif isinstance(item, str | int) and str(item).strip():
            entries.extend(parse_series(str(item)))
        else:
            return None
    return entries


@dataclass
class _Fields:
    """The front matter, understood."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: dict[TagKind, list[str]] = field(default_factory=dict)
    language: str | None = None
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    series: list[SeriesEntry] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    dates: dict[str, dt.date] = field(default_factory=dict)
    words: int | None = None
    chapters: tuple[int, int | None] | None = None
    bare_chapters: int | None = None
    status: Status | None = None
    url: str | None = None
    work_id: str | None = None
    extras: list[ExtraField] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, meta: dict[str, Any], path: Path) -> _Fields:
        """Read every key; an unknown key or a value that does not parse becomes extra."""
        fields = cls()
        for key, value in meta.items():
            name = _normalise_key(key)
            if value is None or value in ("", []):
                continue
            understood = fields._set(name, value)
            if understood is None:
                fields.extras.append(ExtraField(str(key), _display(value)))
            elif not understood:
                logger.warning(
                    "%s: cannot understand %s: %r; kept as written", path.name, key, value
                )
                fields.extras.append(ExtraField(str(key), _display(value)))
        return fields

    def _set(self, name: str, value: Any) -> bool | None:
        """Store one value: ``None`` for an unknown key, ``False`` for a bad value."""
        if name in _TAG_KEYS:
            tags = self.tags.setdefault(_TAG_KEYS[name], [])
            tags.extend(tag for tag in _as_list(value) if tag not in tags)
            return True
        slot = _FIELD_KEYS.get(name)
        if slot is None:
            return None
        if slot in ("title", "language", "summary", "notes", "end_notes"):
            if isinstance(value, dict | list):
                return False
            setattr(self, slot, str(value).strip())
        elif slot == "authors":
            self.authors.extend(_as_list(value, split_authors))
        elif slot == "collections":
            self.collections.extend(_as_list(value))
        elif slot == "series":
            series = _parse_series(value)
            if series is None:
                return False
            self.series.extend(series)
        elif slot in ("published", "updated", "completed"):
            return self._set_date(slot, value)
        elif slot == "words":
            self.words = _parse_count(value)
            return self.words is not None
        elif slot == "chapters":
            return self._set_chapters(value)
        elif slot == "status":
            return self._set_status(value)
        elif slot == "url":
            self.url = web_url(str(value))
            return self.url is not None
        else:
            self.work_id = str(value).strip()
        return True

    def _set_date(self, slot: str, value: Any) -> bool:
        if slot == "completed" and (isinstance(value, bool) or _parse_date(value) is None):
            # "completed: yes" is a status, not a date.
            return self._set_status(value)
        date = _parse_date(value)
        if date is None:
            return False
        self.dates[slot] = date
        return True

    def _set_chapters(self, value: Any) -> bool:
        if "/" in str(value):
            self.chapters = parse_chapter_count(str(value))
            return self.chapters is not None
        self.bare_chapters = _parse_count(value)
        return self.bare_chapters is not None

    def _set_status(self, value: Any) -> bool:
        if isinstance(value, bool):
            self.status = Status.COMPLETE if value else Status.IN_PROGRESS
            return True
        self.status = parse_status(str(value))
        return self.status is not None


# ---------------------------------------------------------------------------------------------
# Markdown


def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML on (it is sanitised afterwards) and breaks as scene breaks."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True})

    # markdown-it binds render rules as methods of the renderer, hence ``renderer``.
    def scene_break(
        renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
    ) -> str:
        return f"{SCENE_BREAK}\n"

    md.add_render_rule("hr", scene_break)
    return md


def _heading_text(inline: Token) -> str:
    """The plain text of a heading's inline token."""
    parts = [
        child.content for child in inline.children or [] if child.type in ("text", "code_inline")
    ]
    return " ".join("".join(parts).split())


def _sections(tokens: list[Token], title: str | None) -> list[tuple[str | None, list[Token]]]:
    """Split the token stream at top-level ``#`` headings: ``(heading text, body tokens)``.

    The first section has no heading (the text before the first ``#``).
    """
    start = 0
    if (
        title
        and len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[0].tag == "h1"
        and _heading_text(tokens[1]).casefold() == " ".join(title.split()).casefold()
    ):
        start = 3  # The title repeated at the top: the document's title, not a chapter.
    sections: list[tuple[str | None, list[Token]]] = [(None, [])]
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.tag == "h1" and token.level == 0:
            sections.append((_heading_text(tokens[index + 1]), []))
            index += 3
            continue
        sections[-1][1].append(token)
        index += 1
    return sections


@dataclass
class _Renderer:
    """Markdown to trusted markup: markdown-it, then html.clean (which ends in the sanitiser).

    Raw HTML in the draft is allowed through markdown-it and made clean and safe afterwards,
    like any other HTML input; local images next to the file are embedded.
    """

    md: MarkdownIt
    images: AssetCollector
    context: str

    def tokens(self, tokens: list[Token]) -> Markup:
        """Render a chapter's tokens; an empty chapter gets an empty body."""
        html = self.md.renderer.render(tokens, self.md.options, {})
        return self._clean(html) or Markup("")

    def text(self, text: str | None) -> Markup | None:
        """A summary or note written in Markdown; ``None`` when empty."""
        if text is None or not text.strip():
            return None
        return self._clean(self.md.render(text))

    def _clean(self, html: str) -> Markup | None:
        return clean_markup(html, context=self.context, load_asset=self.images)


def _build_work(
    path: Path, md: MarkdownIt, fields: _Fields, sections: list[tuple[str | None, list[Token]]]
) -> Work:
    """Combine the front matter and the chapters into the model."""
    render = _Renderer(md, AssetCollector(LocalImages(path.parent)), path.name)
    preamble = sections[0][1]
    headed = sections[1:]
    chapters: list[Chapter] = []
    if headed:
        for number, (heading, tokens) in enumerate(headed, start=1):
            title, label = keep_heading(heading or "", number)
            chapters.append(Chapter(number, title, render.tokens(tokens), label=label))
    else:
        chapters.append(Chapter(1, None, render.tokens(preamble)))
    notes = render.text(fields.notes)
    if headed and preamble:
        logger.warning(
            "%s: text before the first '#' heading is kept as the work's notes", path.name
        )
        notes = Markup((notes or Markup("")) + render.tokens(preamble))
    posted, total = fields.chapters or (None, None)
    if posted is None and fields.bare_chapters is not None:
        posted = fields.bare_chapters
        total = None if fields.status is Status.IN_PROGRESS else posted
    work_id, url = link_work(fields.work_id, fields.url)
    return Work(
        title=fields.title or title_from_path(path),
        authors=tuple(fields.authors) or ("Anonymous",),
        language=language_tag(fields.language),
        language_name=fields.language,
        chapters=tuple(chapters),
        tag_groups=tuple(
            TagGroup(kind, tuple(fields.tags[kind])) for kind in TagKind if fields.tags.get(kind)
        ),
        series=tuple(fields.series),
        collections=tuple(fields.collections),
        stats=Stats(
            published=fields.dates.get("published"),
            updated=fields.dates.get("updated"),
            completed=fields.dates.get("completed"),
            words=fields.words,
            chapters_posted=posted,
            chapters_total=total,
        ),
        declared_status=fields.status,
        summary=render.text(fields.summary),
        notes=notes,
        end_notes=render.text(fields.end_notes),
        work_id=work_id,
        url=url,
        extra_fields=tuple(fields.extras),
        assets=render.images.assets,
        chaptered=bool(headed),
    )
