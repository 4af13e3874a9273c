"""The EPUB's package metadata: identifiers, language, dates, series and accessibility.

What :func:`set_metadata` writes into ``content.opf`` through ebooklib's public API — the
Dublin Core fields, calibre's series, and the EPUB Accessibility 1.1 properties — and the
rules they follow (a stable ``urn:uuid:``, a language that names one, a reproducible
``dcterms:modified``).  Kept apart from :mod:`fic2book.backends.epub`, which builds the
content documents, and :mod:`fic2book.backends.epub_zip`, which writes the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fic2book.design_record import design_record
from fic2book.language import DEFAULT_TAG, language_tag
from fic2book.model import UpdateEntry, Work
from fic2book.options import RenderOptions

logger = logging.getLogger(__name__)


#: ``dcterms:modified`` when neither ``SOURCE_DATE_EPOCH`` nor any work date is known.
FALLBACK_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

#: The vocabulary of fic2book's own package metadata (the update log, :mod:`fic2book.update`).
FIC2BOOK_PREFIX = ("fic2book", "https://fic2book.invalid/vocab#")
#: The property each update-log entry is written under, as JSON.
UPDATE_PROPERTY = "fic2book:update"
#: The book's design options, as JSON (:mod:`fic2book.design_record`).
DESIGN_PROPERTY = "fic2book:design"
#: Set on an omnibus (``convert --combine``): how many works it collects.
OMNIBUS_PROPERTY = "fic2book:omnibus"
#: Set on one volume of a split work (``convert --volumes``): "2/3".
VOLUME_PROPERTY = "fic2book:volume"
#: Set on an omnibus once per work, in reading order, as JSON: the work's AO3 ID and URL
#: (``ao3``, ``url``) and its update log (``updates``), so a rebuild from a newer download of
#: one member finds that work by identity and every work keeps its own log.
WORK_PROPERTY = "fic2book:work"


#: Hosts whose work URLs also give an ``ao3:ID`` identifier.
AO3_HOSTS: frozenset[str] = frozenset({"archiveofourown.org", "www.archiveofourown.org", "ao3.org"})


#: ISO 639 codes that name no particular language: undetermined, uncoded, multiple, none.
#: ``qaa``-``qtz`` (private use) are treated the same way.
NO_LANGUAGE: frozenset[str] = frozenset({"und", "mis", "mul", "zxx"})


def epub_language(work: Work) -> str:
    """The book's ``dc:language``: a valid BCP 47 tag naming a language, never ``und``.

    Readers normalise the language already; this also covers a work built in code.  An empty
    or unidentifiable value becomes ``en`` (:func:`fic2book.language.language_tag`), and so do
    the codes that name no particular language (:data:`NO_LANGUAGE`: undetermined, multiple,
    none, private use): Send to Kindle refuses a book whose language it does not support
    (README, "Send to Kindle"), and e-readers pick hyphenation and fonts by it.
    """
    if work.works and len(omnibus_languages(work)) > 1:
        # An omnibus in several languages (``mul``) is in its first work's, and the others.
        return omnibus_languages(work)[0]
    tag = language_tag(work.language)
    primary = tag.split("-", 1)[0].lower()
    if primary in NO_LANGUAGE or "qaa" <= primary <= "qtz":
        logger.warning("language %r names no particular language; using %r", tag, DEFAULT_TAG)
        return DEFAULT_TAG
    return tag


def omnibus_languages(work: Work) -> list[str]:
    """The languages of an omnibus's works, each once, in reading order."""
    return list(dict.fromkeys(epub_language(part) for part in work.works))


def build_time(work: Work, options: RenderOptions) -> dt.datetime:
    """Return the one timestamp written into the book, in UTC.

    ``SOURCE_DATE_EPOCH`` wins; else the work's last revision at midnight UTC; else a fixed
    date, so that building the same input twice gives the same bytes.
    """
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, tz=dt.UTC)
    revised = work.stats.last_revised
    if revised is not None:
        return dt.datetime(revised.year, revised.month, revised.day, tzinfo=dt.UTC)
    return FALLBACK_TIME


def book_identifier(work: Work) -> str:
    """Return a stable ``urn:uuid:``: uuid5 of the work URL, else of the work's content."""
    if work.url:
        return url_identifier(work.url, work.volume[0] if work.volume else None)
    digest = hashlib.sha256()
    for part in _content_parts(work):
        digest.update(part.encode("utf-8"))
        # A separator that cannot occur in text keeps ("ab", "c") apart from ("a", "bc").
        digest.update(b"\x00")
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:sha256:' + digest.hexdigest())}"


def url_identifier(url: str, volume: int | None = None) -> str:
    """The ``urn:uuid:`` of the book of the work at ``url``, or of its volume ``volume``."""
    # Each volume of a split work (fic2book.volumes) is a book of its own.
    suffix = f"#volume-{volume}" if volume else ""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + suffix)}"


def _content_parts(work: Work) -> Iterable[str]:
    yield work.title
    yield from work.authors
    yield work.language
    for chapter in work.chapters:
        yield chapter.title or ""
        yield str(chapter.body)


def subject(tag: str) -> str:
    """Turn a tag into a ``dc:subject``; calibre splits subjects on commas (AO3 tags have none)."""
    return tag.replace(",", ";")


def set_metadata(
    book: Any,
    work: Work,
    has_cover: bool = False,
    language: str | None = None,
    options: RenderOptions | None = None,
) -> None:
    """Set the Dublin Core, calibre and EPUB Accessibility 1.1 metadata, and fic2book's own.

    With ``options``, their design part is recorded for ``fic2book update``.
    """
    book.set_identifier(book_identifier(work))
    for extra_id in _extra_identifiers(work):
        book.add_metadata("DC", "identifier", extra_id)
    book.set_title(work.title.strip() or "Untitled")
    book.set_language(language or epub_language(work))
    for other in omnibus_languages(work)[1:]:
        book.add_metadata("DC", "language", other)
    # Unique ids: ebooklib's default "creator" for every author is a duplicate-id error.
    for position, author in enumerate(work.authors, start=1):
        book.add_author(author, role="aut", uid=f"author_{position}")
    for tag in work.all_tags:
        book.add_metadata("DC", "subject", subject(tag))
    if work.summary:
        # HTML as text, as calibre and AO3 store it; lxml escapes it.
        book.add_metadata("DC", "description", str(work.summary))
    published = work.stats.published or work.stats.last_revised
    if published is not None:
        # A date-only value is shown a day late by calibre: write a full UTC timestamp.
        book.add_metadata("DC", "date", f"{published.isoformat()}T00:00:00Z")
    _set_series(book, work)
    _set_accessibility(book, work, has_cover)
    _set_fic2book(book, work, options)


def _set_fic2book(book: Any, work: Work, options: RenderOptions | None) -> None:
    """What ``fic2book update`` reads back: the update log, the design, what kind of book.

    An omnibus and a volume say so (:data:`OMNIBUS_PROPERTY`, :data:`VOLUME_PROPERTY`):
    ``update`` refuses them rather than rebuild them as a book of one work.
    """
    values = [(UPDATE_PROPERTY, json.dumps(log_record(entry))) for entry in work.updates]
    if options is not None:
        values.append((DESIGN_PROPERTY, design_record(options)))
    if work.works:
        values.append((OMNIBUS_PROPERTY, str(len(work.works))))
        values += [(WORK_PROPERTY, json.dumps(_work_record(part))) for part in work.works]
    if work.volume:
        values.append((VOLUME_PROPERTY, f"{work.volume[0]}/{work.volume[1]}"))
    if values:
        book.add_prefix(*FIC2BOOK_PREFIX)
    for prop, value in values:
        book.add_metadata(None, "meta", value, {"property": prop})


def log_record(entry: UpdateEntry) -> dict[str, Any]:
    """One update-log entry as the JSON object ``fic2book update`` reads back."""
    log: dict[str, Any] = {
        "date": entry.date.isoformat(),
        "added": entry.added,
        "changed": entry.changed,
    }
    if entry.removed:  # older logs have no such key; readers treat it as empty
        log["removed"] = entry.removed
    return log


def _work_record(work: Work) -> dict[str, Any]:
    """What an omnibus records of one of its works: who it is and its own update log."""
    return {
        "ao3": work.work_id,
        "url": work.url,
        "updates": [log_record(entry) for entry in work.updates],
    }


def _extra_identifiers(work: Work) -> list[str]:
    ids: list[str] = []
    host = ""
    if work.url:
        ids.append(f"url:{work.url}")
        host = (urlsplit(work.url).hostname or "").lower()
    if work.work_id and (not work.url or host in AO3_HOSTS):
        ids.append(f"ao3:{work.work_id}")
    return ids


def _set_series(book: Any, work: Work) -> None:
    """Series in the EPUB 3 form (every series) and calibre's form (the first one)."""
    for position, entry in enumerate(work.series, start=1):
        ref = f"series_{position}"
        book.add_metadata(
            None, "meta", entry.name, {"property": "belongs-to-collection", "id": ref}
        )
        book.add_metadata(
            None, "meta", "series", {"refines": f"#{ref}", "property": "collection-type"}
        )
        if entry.part is not None:
            book.add_metadata(
                None, "meta", str(entry.part), {"refines": f"#{ref}", "property": "group-position"}
            )
    if work.series:
        first = work.series[0]
        book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": first.name})
        if first.part is not None:
            book.add_metadata(
                None, "meta", "", {"name": "calibre:series_index", "content": str(first.part)}
            )


def _set_accessibility(book: Any, work: Work, has_cover: bool = False) -> None:
    """EPUB Accessibility 1.1 discovery metadata, one element per value."""
    has_images = has_cover or bool(work.assets)
    # Pictures add a visual mode; the text alone still carries the work (accessModeSufficient).
    modes = ["textual", "visual"] if has_images else ["textual"]
    features = [
        "tableOfContents",
        "readingOrder",
        "structuralNavigation",
        "ARIA",
        # True of the bundled CSS: no fixed font sizes, so readers may restyle the text.
        "displayTransformability",
    ]
    if has_images and _images_described(work):
        # The cover's alt text names the book.  The sanitiser gives an image the author did not
        # describe an empty alt (decoration), and then this is not claimed.
        features.append("alternativeText")
    values: list[tuple[str, str]] = [
        *(("schema:accessMode", mode) for mode in modes),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            "Reflowable text with a navigable table of contents, structured headings "
            "and the work's tags and notes as text.",
        ),
    ]
    for prop, value in values:
        book.add_metadata(None, "meta", value, {"property": prop})


_EMPTY_ALT = re.compile(r'<img\b[^>]*\salt=""')


def _images_described(work: Work) -> bool:
    """Whether every image in the work's text has a non-empty alt text."""
    texts = [work.summary, work.notes, work.end_notes]
    for chapter in work.chapters:
        texts += [chapter.body, chapter.summary, chapter.notes, chapter.end_notes]
    return not any(text is not None and _EMPTY_ALT.search(str(text)) for text in texts)
