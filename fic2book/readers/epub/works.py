"""From a parsed EPUB to a :class:`Work`.

AO3's own EPUBs go through the AO3 HTML reader; any other gives its OPF metadata and one
chapter per spine document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.html.clean import clean_markup
from fic2book.html.parse import remove_keeping_tail
from fic2book.html.sanitize import text_block
from fic2book.language import language_tag
from fic2book.model import (
    Asset,
    Chapter,
    ExtraField,
    Stats,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers.common import (
    AO3_CATEGORIES,
    AO3_WARNINGS,
    ao3_work_id,
    title_from_path,
    web_url,
)
from fic2book.readers.epub.archive import element_text, resolve
from fic2book.readers.epub.content import (
    CHAPTER_HEADINGS,
    Images,
    inner_html,
    unlink_internal,
)
from fic2book.readers.epub.package import AO3_PUBLISHER, Metadata, Package, SpineDocument, skipped
from fic2book.readers.headings import keep_heading, split_heading

_UUID = re.compile(
    r"(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I
)

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

# AO3's fixed vocabularies, to sort flat subjects (calibre's dc:subject has no types).
_RATINGS = frozenset(
    {"General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"}
)


def _images_to_members(document: SpineDocument) -> None:
    """Point each in-book ``<img>`` at its archive member name (what ``load_asset`` takes)."""
    for img in document.body.iter("img"):
        src = img.get("src")
        member = resolve(document.item.member, src) if src else None
        if member is not None:
            img.set("src", member)


def read_ao3(package: Package, documents: list[SpineDocument], path: Path) -> Work:
    """Join the split files' bodies and let the AO3 HTML reader parse the download."""
    from fic2book.readers.ao3_html import work_from_ao3_html

    images = Images(package.archive)
    for document in documents:
        _images_to_members(document)
    title = documents[0].root.findtext("head/title") or ""
    joined = "\n".join(inner_html(document.body) for document in documents)
    source = f"<html><head><title>{html.escape(title)}</title></head><body>{joined}</body></html>"

    def load_asset(src: str) -> Asset | None:
        # The sources were rewritten to member names above; tolerate one more URL-quoting.
        member = posixpath.normpath(unquote(urlsplit(src.strip()).path))
        return images.asset(member if member in package.archive.names else src)

    work = work_from_ao3_html(source, source_name=path.name, load_asset=load_asset)
    return _fill_from_opf(work, package.metadata)


def _fill_from_opf(work: Work, metadata: Metadata) -> Work:
    """Add what the AO3 HTML lacked and the OPF has: calibre's series, language, URL."""
    changes: dict[str, object] = {}
    if not work.series and metadata.series:
        changes["series"] = tuple(metadata.series)
    if work.language_name is None and metadata.languages:
        changes["language"] = language_tag(metadata.languages[0])
    if work.url is None:
        url = _web_url(metadata)
        if url is not None:
            changes["url"] = url
            if work.work_id is None and ao3_work_id(url) is not None:
                changes["work_id"] = ao3_work_id(url)
    return dataclasses.replace(work, **changes) if changes else work  # type: ignore[arg-type]


def read_generic(package: Package, documents: list[SpineDocument], path: Path) -> Work:
    """One chapter per content document; metadata from the OPF."""
    metadata = package.metadata
    images = Images(package.archive)
    chapters: list[Chapter] = []
    for document in documents:
        if skipped(package, document):
            continue
        chapter = _chapter(package, document, images, len(chapters) + 1)
        if chapter is not None:
            chapters.append(chapter)
    if not chapters:
        raise InputError(f"{path}: the EPUB has no text")
    chaptered = len(chapters) > 1 or chapters[0].title is not None
    if not chaptered:
        chapters[0] = dataclasses.replace(chapters[0], title=None, label=None)
    language = metadata.languages[0] if metadata.languages else None
    url = _web_url(metadata)
    return Work(
        title=metadata.titles[0] if metadata.titles else title_from_path(path),
        authors=tuple(dict.fromkeys(metadata.creators)) or ("Anonymous",),
        language=language_tag(language),
        language_name=_language_name(language),
        chapters=tuple(chapters),
        tag_groups=_tag_groups(metadata.subjects),
        series=tuple(metadata.series),
        stats=Stats(published=_date(metadata.dates)),
        summary=_summary(metadata.description),
        work_id=ao3_work_id(url),
        url=url,
        extra_fields=_extras(metadata),
        assets=images.assets,
        chaptered=chaptered,
    )


def _chapter(
    package: Package, document: SpineDocument, images: Images, number: int
) -> Chapter | None:
    """Turn one content document into a chapter; ``None`` when it has no text or image."""
    body = document.body
    heading = next((el for el in body.iter(*CHAPTER_HEADINGS)), None)
    heading_text = element_text(heading) if heading is not None else ""
    label = package.labels.get(document.item.member)
    if heading is not None and (label is None or _same_heading(label, heading_text)):
        # The book prints the heading itself; keeping it in the body would print it twice.
        label = label or heading_text
        remove_keeping_tail(heading)
    unlink_internal(body)
    member = document.item.member
    markup = clean_markup(
        inner_html(body),
        context=f"{package.path.name}: {member}",
        load_asset=lambda src: images.asset(resolve(member, src)),
    )
    if markup is None:
        return None
    title, chapter_label = keep_heading(label, number) if label else (None, None)
    return Chapter(number=number, title=title, body=markup, label=chapter_label)


def _same_heading(label: str, heading: str) -> bool:
    """Whether a contents label and a heading name the same chapter ("Chapter 2: X" and "X")."""

    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    return key(label) == key(heading) or key(split_heading(label)[0] or "") == key(heading)


def _language_name(code: str | None) -> str | None:
    """The language's own name for display ("Français"), or ``None``."""
    if not code:
        return None
    import langcodes

    try:
        name = str(langcodes.Language.get(language_tag(code)).autonym())
    except (ValueError, LookupError):
        return None
    return name[:1].upper() + name[1:] if name else None


def _tag_groups(subjects: list[str]) -> tuple[TagGroup, ...]:
    """Sort flat subjects: AO3's fixed ratings, warnings and categories, the rest as tags."""
    groups: dict[TagKind, list[str]] = {}
    for subject in subjects:
        if subject == "Fanworks":
            continue  # AO3 puts it first so Apple Books shows it as the category.
        if subject in _RATINGS:
            kind = TagKind.RATING
        elif subject in AO3_WARNINGS:
            kind = TagKind.WARNINGS
        elif subject in AO3_CATEGORIES:
            kind = TagKind.CATEGORIES
        else:
            kind = TagKind.ADDITIONAL_TAGS
        tags = groups.setdefault(kind, [])
        if subject not in tags:
            tags.append(subject)
    return tuple(TagGroup(kind, tuple(groups[kind])) for kind in TagKind if kind in groups)


def _summary(description: str | None) -> Markup | None:
    """The description as markup: HTML cleaned, plain text escaped."""
    if description is None or not description.strip():
        return None
    if re.search(r"<[a-zA-Z/]", description):
        return clean_markup(description, context="the EPUB's description")
    return text_block(description)


def _date(values: list[str]) -> dt.date | None:
    """The first ISO date (``2024``, ``2024-05`` or ``2024-05-06T…``)."""
    for value in values:
        match = _ISO_DATE.match(value.strip())
        if match is None:
            continue
        try:
            return dt.date(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
        except ValueError:
            continue
    return None


def _web_url(metadata: Metadata) -> str | None:
    """The first web link among the identifiers and sources (``url:`` prefixes dropped)."""
    for value in _iter_ids(metadata):
        if web_url(value) is not None:
            return value
    return None


def _iter_ids(metadata: Metadata) -> Iterator[str]:
    for value in [*metadata.sources, *metadata.identifiers]:
        yield re.sub(r"^(?:url|uri):", "", value.strip(), flags=re.IGNORECASE)


def _extras(metadata: Metadata) -> tuple[ExtraField, ...]:
    """What has no slot in the model: the publisher and identifiers other than UUIDs and links."""
    extras = []
    if metadata.publisher and metadata.publisher != AO3_PUBLISHER:
        extras.append(ExtraField("Publisher", metadata.publisher))
    for value in _iter_ids(metadata):
        if not _UUID.fullmatch(value) and web_url(value) is None:
            extras.append(ExtraField("Identifier", value))
    return tuple(extras)
