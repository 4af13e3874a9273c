"""Bring a book of a work in progress up to date from a newer download (``fic2book update``).

The old book is fic2book's own EPUB: its package names the work (``ao3:ID`` and ``url:``
identifiers) and carries the update log as ``fic2book:update`` metadata, one JSON entry per
update, so the log survives every later update without a side file.  Chapters are compared
by the text of their rendered ``chap_NNN.xhtml`` files: the newer work is rendered once the
same way, so typography and headings cannot make an unchanged chapter look changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fic2book.backends.epub import build_epub, chapter_label
from fic2book.backends.epub_metadata import UPDATE_PROPERTY
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


@dataclass(frozen=True)
class BookState:
    """What an existing book says about itself: the work it holds, its log and its chapters."""

    work_id: str | None
    url: str | None
    updates: tuple[UpdateEntry, ...]
    #: One fingerprint per chapter, in reading order.
    chapters: tuple[str, ...]


@dataclass(frozen=True)
class UpdateResult:
    """The rebuilt work (chapters marked, log extended) and the newest log entry."""

    work: Work
    entry: UpdateEntry


def read_state(data: bytes, name: str) -> BookState:
    """Read a fic2book EPUB's identity, update log and chapter fingerprints."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            container = parse_xml(archive.read("META-INF/container.xml"), name)
            rootfile = container.find(f".//{_CONTAINER}rootfile")
            opf_path = "" if rootfile is None else str(rootfile.get("full-path", ""))
            package = parse_xml(archive.read(opf_path), name)
            hrefs = _chapter_hrefs(package, posixpath.dirname(opf_path))
            chapters = tuple(_fingerprint(archive.read(href), name) for href in hrefs)
    except (zipfile.BadZipFile, KeyError) as err:
        raise InputError(f"{name}: not an EPUB fic2book can update ({err})") from err
    work_id = url = None
    for element in package.iter(f"{_DC}identifier"):
        value = (element.text or "").strip()
        if value.startswith("ao3:"):
            work_id = value.removeprefix("ao3:")
        elif value.startswith("url:"):
            url = value.removeprefix("url:")
    updates = tuple(
        _entry(element.text or "")
        for element in package.iter(f"{_OPF}meta")
        if element.get("property") == UPDATE_PROPERTY
    )
    return BookState(work_id, url, updates, chapters)


def _chapter_hrefs(package: Element, base: str) -> list[str]:
    """The archive paths of the chapter files (``chap_NNN.xhtml``) in spine order."""
    manifest = {item.get("id"): item.get("href") for item in package.iter(f"{_OPF}item")}
    hrefs = [manifest.get(ref.get("idref")) or "" for ref in package.iter(f"{_OPF}itemref")]
    return [
        posixpath.join(base, href) for href in hrefs if posixpath.basename(href).startswith("chap_")
    ]


def _fingerprint(xhtml: bytes, name: str) -> str:
    """A hash of a document's words, blind to whitespace, styles and markup."""
    words = " ".join(" ".join(parse_xml(xhtml, name).itertext()).split())
    return hashlib.sha256(words.encode()).hexdigest()


def _entry(text: str) -> UpdateEntry:
    try:
        raw = json.loads(text)
        return UpdateEntry(
            dt.date.fromisoformat(raw["date"]),
            tuple(raw.get("added", ())),
            tuple(raw.get("changed", ())),
        )
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(f"unreadable update log entry {text!r}") from err


def _same_url(a: str, b: str) -> bool:
    """Whether two work URLs name the same page (scheme, ``www.`` and a final slash aside)."""

    def key(url: str) -> str:
        return url.split("://", 1)[-1].removeprefix("www.").rstrip("/").lower()

    return key(a) == key(b)


def check_same_work(state: BookState, work: Work, name: str) -> None:
    """Refuse a download that is not the book's work (by AO3 work ID, else by URL)."""
    if state.work_id is None and state.url is None:
        raise UsageError(f"{name}: the book names no AO3 work ID or URL to update from")
    if state.work_id is not None and work.work_id is not None:
        same = state.work_id == work.work_id
    else:
        same = state.url is not None and work.url is not None and _same_url(state.url, work.url)
    if not same:
        theirs = work.work_id or work.url or "an unidentified work"
        mine = state.work_id or state.url
        raise UsageError(f"{name} holds work {mine}, the download is {theirs}: not the same work")


def update_work(
    state: BookState, newer: Work, options: RenderOptions, today: dt.date
) -> UpdateResult:
    """Mark the chapters of ``newer`` that the old book lacks or has with other words."""
    rendered = read_state(build_epub(prepare(newer, options), options), "the newer work")
    old = state.chapters
    labels = book_labels(newer, options)
    added: list[str] = []
    changed: list[str] = []
    chapters = []
    pairs = zip(newer.chapters, rendered.chapters, strict=True)
    for position, (chapter, print_) in enumerate(pairs):
        name = chapter_label(newer, chapter, options.chapter_titles, labels)
        is_added = position >= len(old)
        is_changed = not is_added and old[position] != print_
        if is_added:
            added.append(name)
        elif is_changed:
            changed.append(name)
        chapters.append(dataclasses.replace(chapter, is_new=is_added or is_changed))
    entry = UpdateEntry(today, tuple(added), tuple(changed))
    work = dataclasses.replace(newer, chapters=tuple(chapters), updates=(*state.updates, entry))
    return UpdateResult(work, entry)


def update_book(book: Path, newer: Work, options: RenderOptions, today: dt.date) -> UpdateResult:
    """``newer`` checked against ``book``, prepared for a backend, its new chapters marked.

    The caller renders the result with any backend: the same EPUB, or a PDF whose contents
    marks the same chapters.
    """
    try:
        data = book.read_bytes()
    except OSError as err:
        raise InputError(f"{book}: {err.strerror or err}") from err
    state = read_state(data, book.name)
    check_same_work(state, newer, book.name)
    result = update_work(state, newer, options, today)
    return dataclasses.replace(result, work=prepare(result.work, options))
