"""Bring a book of a work in progress up to date from a newer download (``fic2book update``).

The old book is fic2book's own EPUB: its package names the work (``ao3:ID`` and ``url:``
identifiers), carries the update log as ``fic2book:update`` metadata, one JSON entry per
update, so the log survives every later update without a side file, and the design the book
was made with (``fic2book:design``, :mod:`fic2book.design_record`), which the rebuild keeps.
Chapters are known by the words of their rendered ``chap_NNN.xhtml`` files: the newer work is
rendered once the same way, so typography cannot make an unchanged chapter look changed,
and the two books' chapters are paired by identity, not position
(:mod:`fic2book.chapter_match`), so an inserted or deleted chapter marks only itself.

An omnibus (``convert --combine``) or one volume of a split work (``convert --volumes``) is
refused: rebuilding it from one download would make a book of that one work, whole.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fic2book.backends.epub import build_epub
from fic2book.backends.epub_documents import chapter_label
from fic2book.backends.epub_metadata import (
    DESIGN_PROPERTY,
    OMNIBUS_PROPERTY,
    UPDATE_PROPERTY,
    VOLUME_PROPERTY,
    WORK_PROPERTY,
    url_identifier,
)
from fic2book.chapter_match import ChapterPrint, chapter_print, match_chapters
from fic2book.design_record import apply_design, read_design
from fic2book.errors import InputError, UsageError
from fic2book.html.parse import Element
from fic2book.model import UpdateEntry, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers.epub.archive import parse_xml
from fic2book.render import book_labels

_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
#: The files of an omnibus's works (``work01_chap_001.xhtml``), for books made before the
#: omnibus marker.
_OMNIBUS_FILE = re.compile(r"work\d+_")
#: An omnibus's chapter files, by work: ``work02_chap_003.xhtml``.
_OMNIBUS_CHAPTER = re.compile(r"(work\d+)_chap_\d+\.xhtml$")
#: The most volumes looked for when an older book's identifier may be a volume's.
_MAX_VOLUMES = 500


@dataclass(frozen=True)
class BookState:
    """What an existing book says about itself: the work it holds, its log and its chapters."""

    work_id: str | None
    url: str | None
    updates: tuple[UpdateEntry, ...]
    #: One fingerprint per chapter, in reading order.
    chapters: tuple[str, ...]
    #: What identifies each chapter (same order): name, heading, fingerprint and words.
    prints: tuple[ChapterPrint, ...] = ()
    #: The recorded design options (:mod:`fic2book.design_record`); ``None`` in a book made
    #: before fic2book recorded them.
    design: Mapping[str, Any] | None = field(default=None, compare=False)
    #: How many works the book collects when it is an omnibus; 0 when it is not.
    omnibus: int = 0
    #: ``(number, count)`` when the book is one volume of a split work (count 0: unknown).
    volume: tuple[int, int] | None = None


@dataclass(frozen=True)
class UpdateResult:
    """The rebuilt work (chapters marked, log extended), the newest log entry, the options.

    ``options`` are those the work was compared with and must be rendered with: the caller's,
    or the book's recorded design under the caller's overrides (:func:`update_book`).
    """

    work: Work
    entry: UpdateEntry
    options: RenderOptions | None = None


def _package(archive: zipfile.ZipFile, name: str) -> tuple[Element, str]:
    """The package document of a fic2book EPUB and its path (``KeyError`` when missing)."""
    container = parse_xml(archive.read("META-INF/container.xml"), name)
    rootfile = container.find(f".//{_CONTAINER}rootfile")
    opf_path = "" if rootfile is None else str(rootfile.get("full-path", ""))
    return parse_xml(archive.read(opf_path), name), opf_path


def read_state(data: bytes, name: str) -> BookState:
    """Read a fic2book EPUB's identity, update log, design, kind and chapter prints."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            package, opf_path = _package(archive, name)
            hrefs = _chapter_hrefs(package, posixpath.dirname(opf_path))
            prints = tuple(chapter_print(parse_xml(archive.read(href), name)) for href in hrefs)
    except (zipfile.BadZipFile, KeyError) as err:
        raise InputError(f"{name}: not an EPUB fic2book can update ({err})") from err
    work_id = url = None
    for element in package.iter(f"{_DC}identifier"):
        value = (element.text or "").strip()
        if value.startswith("ao3:"):
            work_id = value.removeprefix("ao3:")
        elif value.startswith("url:"):
            url = value.removeprefix("url:")
    metas = _fic2book_metas(package)
    designs = metas.get(DESIGN_PROPERTY, [])
    return BookState(
        work_id,
        url,
        tuple(_entry(text) for text in metas.get(UPDATE_PROPERTY, [])),
        tuple(chapter.fingerprint for chapter in prints),
        prints,
        read_design(designs[-1], name) if designs else None,
        _omnibus(package, metas),
        _volume(package, metas, url),
    )


def omnibus_states(data: bytes, name: str) -> list[BookState]:
    """One state per work of an omnibus fic2book made, in the book's order.

    Each holds the chapter prints of that work's ``workNN_chap_MMM.xhtml`` files, so a newer
    download of one member can be compared with what the omnibus held of it
    (:func:`update_work`), as ``batch --combine series`` does.  An omnibus that records its
    works (``fic2book:work``) gives each state that work's AO3 ID, URL and update log; an
    older one names none: ``work_id`` and ``url`` are ``None`` and the logs are empty.
    """
    works: dict[str, list[ChapterPrint]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            package, opf_path = _package(archive, name)
            base = posixpath.dirname(opf_path)
            manifest = {item.get("id"): item.get("href") for item in package.iter(f"{_OPF}item")}
            for ref in package.iter(f"{_OPF}itemref"):
                href = str(manifest.get(ref.get("idref")) or "")
                found = _OMNIBUS_CHAPTER.match(posixpath.basename(href))
                if found is not None:
                    document = parse_xml(archive.read(posixpath.join(base, href)), name)
                    works.setdefault(found[1], []).append(chapter_print(document))
    except (zipfile.BadZipFile, KeyError) as err:
        raise InputError(f"{name}: not an omnibus fic2book made ({err})") from err
    records = [_work_record(text, name) for text in _fic2book_metas(package).get(WORK_PROPERTY, [])]
    if len(records) != len(works):
        records = [(None, None, ())] * len(works)  # made before works were recorded
    return [
        BookState(ident, url, log, tuple(p.fingerprint for p in prints), tuple(prints))
        for (ident, url, log), prints in zip(records, works.values(), strict=True)
    ]


def _work_record(text: str, name: str) -> tuple[str | None, str | None, tuple[UpdateEntry, ...]]:
    """One ``fic2book:work`` record: the work's AO3 ID, URL and update log."""
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        ident, url = raw.get("ao3"), raw.get("url")
        log = tuple(_entry_from(item, text) for item in raw.get("updates", ()))
        return (
            ident if isinstance(ident, str) else None,
            url if isinstance(url, str) else None,
            log,
        )
    except (ValueError, TypeError) as err:
        raise InputError(f"{name}: unreadable work record {text!r}") from err


def _fic2book_metas(package: Element) -> dict[str, list[str]]:
    """The text of each ``fic2book:`` property's metas, in document order."""
    found: dict[str, list[str]] = {}
    for element in package.iter(f"{_OPF}meta"):
        prop = str(element.get("property") or "")
        if prop.startswith("fic2book:"):
            found.setdefault(prop, []).append(element.text or "")
    return found


def _omnibus(package: Element, metas: Mapping[str, list[str]]) -> int:
    """How many works an omnibus collects (2 when an older one does not say); 0 if none."""
    marked = metas.get(OMNIBUS_PROPERTY)
    if marked:
        return int(marked[-1]) if marked[-1].strip().isdigit() else 2
    hrefs = (str(item.get("href") or "") for item in package.iter(f"{_OPF}item"))
    return 2 if any(_OMNIBUS_FILE.match(posixpath.basename(href)) for href in hrefs) else 0


def _volume(
    package: Element, metas: Mapping[str, list[str]], url: str | None
) -> tuple[int, int] | None:
    """``(number, count)`` of a volume: its marker, else (older books) its identifier."""
    marked = metas.get(VOLUME_PROPERTY)
    if marked:
        first, _, count = marked[-1].partition("/")
        if first.strip().isdigit() and count.strip().isdigit():
            return int(first), int(count)
        return (0, 0)
    unique = package.get("unique-identifier")
    ident = next(
        (e.text or "" for e in package.iter(f"{_DC}identifier") if e.get("id") == unique), ""
    )
    if url is None or not ident.startswith("urn:uuid:") or ident == url_identifier(url):
        return None
    for number in range(1, _MAX_VOLUMES + 1):
        if ident == url_identifier(url, number):
            return (number, 0)
    return None


def _chapter_hrefs(package: Element, base: str) -> list[str]:
    """The archive paths of the chapter files (``chap_NNN.xhtml``) in spine order."""
    manifest = {item.get("id"): item.get("href") for item in package.iter(f"{_OPF}item")}
    hrefs = [manifest.get(ref.get("idref")) or "" for ref in package.iter(f"{_OPF}itemref")]
    return [
        posixpath.join(base, href) for href in hrefs if posixpath.basename(href).startswith("chap_")
    ]


def _entry(text: str) -> UpdateEntry:
    """One ``fic2book:update`` meta's JSON as a log entry."""
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise InputError(f"unreadable update log entry {text!r}") from err
    return _entry_from(raw, text)


def _entry_from(raw: object, text: str) -> UpdateEntry:
    """A parsed log entry (``text``: what to quote when it is unreadable)."""
    try:
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        return UpdateEntry(
            dt.date.fromisoformat(raw["date"]),
            tuple(raw.get("added", ())),
            tuple(raw.get("changed", ())),
            tuple(raw.get("removed", ())),
        )
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(f"unreadable update log entry {text!r}") from err


def url_key(url: str) -> str:
    """A work URL as compared: without its scheme, ``www.``, final slash and case.

    ``update`` and the batch manifest (:func:`fic2book.batch.works.work_key`) both know a
    work by it, so a download saved from ``http://www.`` updates a book made from ``https://``.
    """
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/").lower()


def update_day(options: RenderOptions) -> dt.date:
    """The date of an update log entry: ``SOURCE_DATE_EPOCH``'s when set, else today (UTC)."""
    if options.source_date_epoch is not None:
        return dt.datetime.fromtimestamp(options.source_date_epoch, dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def same_work(state: BookState, work: Work) -> bool:
    """Whether ``work`` is the one ``state`` names: by AO3 work ID, else by URL."""
    if state.work_id is not None and work.work_id is not None:
        return state.work_id == work.work_id
    return (
        state.url is not None and work.url is not None and url_key(state.url) == url_key(work.url)
    )


def check_updatable(state: BookState, name: str) -> None:
    """Refuse an omnibus and a volume: one download cannot rebuild either correctly."""
    if state.omnibus:
        raise UsageError(
            f"{name} is an omnibus (convert --combine): update cannot rebuild several works "
            "from one download; update or re-download each work and combine them again"
        )
    if state.volume is not None:
        number, count = state.volume
        which = f"volume {number} of {count}" if number and count else "a volume"
        raise UsageError(
            f"{name} is {which} of a split work (convert --volumes): update would make it the "
            "whole work; convert the newer download with --volumes again"
        )


def check_same_work(state: BookState, work: Work, name: str) -> None:
    """Refuse an omnibus, a volume, and a download that is not the book's work.

    The work is known by its AO3 work ID, else by its URL.
    """
    check_updatable(state, name)
    if state.work_id is None and state.url is None:
        raise UsageError(f"{name}: the book names no AO3 work ID or URL to update from")
    if not same_work(state, work):
        theirs = work.work_id or work.url or "an unidentified work"
        mine = state.work_id or state.url
        raise UsageError(f"{name} holds work {mine}, the download is {theirs}: not the same work")


def update_work(
    state: BookState, newer: Work, options: RenderOptions, today: dt.date
) -> UpdateResult:
    """Mark the chapters of ``newer`` that the old book lacks or has with other words.

    Chapters are paired by identity (:func:`fic2book.chapter_match.match_chapters`); the
    log entry names the added, changed and removed ones.
    """
    prepared = prepare(newer, options)
    rendered = read_state(build_epub(prepared, options), "the newer work")
    labels = book_labels(newer, options)
    old = state.prints or tuple(ChapterPrint("", "", print_, ()) for print_ in state.chapters)
    # Headings are compared as the old book would have set them: a new --labels or
    # --chapter-numbers renames no chapter.
    before = apply_design(options, state.design) if state.design is not None else options
    as_before = prepared if before == options else prepare(newer, before)
    old_labels = book_labels(newer, before)

    def heading_at(i: int, j: int) -> str:
        moved = dataclasses.replace(as_before.chapters[j], number=i + 1)
        return " ".join(old_labels.heading(moved, before.chapter_titles).split())

    titled = [bool(chapter.title) for chapter in prepared.chapters]
    match = match_chapters(old, rendered.prints, heading_at, titled)
    added: list[str] = []
    changed: list[str] = []
    chapters = []
    for chapter, old_index, is_new in zip(newer.chapters, match.old_of, match.is_new, strict=True):
        name = chapter_label(newer, chapter, options.chapter_titles, labels)
        if old_index is None:
            added.append(name)
        elif is_new:
            changed.append(name)
        chapters.append(dataclasses.replace(chapter, is_new=is_new))
    removed = tuple(old[i].name for i in match.removed)
    entry = UpdateEntry(today, tuple(added), tuple(changed), removed)
    # A download with nothing new leaves the log as it was: an entry listing no chapters
    # would only say the book was rebuilt.
    log = (*state.updates, entry) if entry.news_any else state.updates
    work = dataclasses.replace(newer, chapters=tuple(chapters), updates=log)
    return UpdateResult(work, entry, options)


def update_book(
    book: Path,
    newer: Work,
    options: RenderOptions,
    today: dt.date,
    given: Collection[str] | None = None,
) -> UpdateResult:
    """``newer`` checked against ``book``, prepared for a backend, its new chapters marked.

    With ``given`` (the names of the options the user set for this run), the book keeps the
    design it was made with: its recorded options replace ``options``' except those named
    (:func:`fic2book.design_record.apply_design`); a book without a record keeps
    ``options``.  Without ``given``, ``options`` are used as they are.  The caller renders
    the result with ``result.options`` and any backend: the same EPUB, or a PDF whose
    contents marks the same chapters.
    """
    if book.suffix.lower() != ".epub":
        raise UsageError(
            f"{book.name}: update reads the EPUB fic2book made (it records the work and its "
            "chapters); update that EPUB, with --to pdf for a PDF"
        )
    try:
        data = book.read_bytes()
    except OSError as err:
        raise InputError(f"{book}: {err.strerror or err}") from err
    state = read_state(data, book.name)
    check_same_work(state, newer, book.name)
    if given is not None and state.design is not None:
        options = apply_design(options, state.design, given, book.name)
    result = update_work(state, newer, options, today)
    return dataclasses.replace(result, work=prepare(result.work, options))
