"""Everything the page does with an uploaded file, each run in a limited child process.

An upload is untrusted input, so reading it (for its details or a preview) and making its
books happen in a forked child under the CLI's ``--timeout`` and ``--max-memory``
(:func:`fic2book.sandbox.run_limited`), exactly as ``convert`` converts its works.  What
crosses back is plain data (the ``inspect`` fields, the preview's HTML or PNG) or the
exception; the server's own memory never holds a parsed work, and files the child needs
meanwhile go into a scratch folder of the call's own inside the upload's private folder.

The conversions call :func:`fic2book.pipeline.convert_file`, the CLI's own path; the
previews call the same backends (the EPUB's own title-page and tag-summary documents, a PDF
of the first chapter rendered by the PDF backend).
"""

from __future__ import annotations

import dataclasses
import html
import logging
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from fic2book.errors import Fic2BookError, RenderError
from fic2book.limits import check_input_size
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.sandbox import run_limited

T = TypeVar("T")

#: What the page shows of ``inspect --json`` (the rest stays on the server's side).
SHOWN_FIELDS = (
    "title",
    "authors",
    "fandoms",
    "rating",
    "warnings",
    "chapters_label",
    "words",
    "language_name",
)
#: Characters of the first chapter a PDF preview lays out: enough for a few pages.
PREVIEW_CHARACTERS = 12_000
#: Width in pixels of the PDF page preview.
PREVIEW_WIDTH = 420


def in_child(task: Callable[[], T], options: RenderOptions, what: str) -> T:
    """Run ``task`` in a sandboxed child under ``options``' time and memory limits.

    Returns what ``task`` returned (it crosses a pipe, so it must pickle).  ``what`` begins
    the sentence a limit gives ("reading /private/upload.txt took longer than…").
    """
    return run_limited(task, timeout=options.timeout, max_memory=options.max_memory, what=what)


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """Collect the warnings fic2book logs meanwhile (removed scripts, stray bytes…)."""
    messages: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collector(logging.WARNING)
    logger = logging.getLogger("fic2book")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


@contextmanager
def scratch(source: Path) -> Iterator[Path]:
    """A private folder of one call beside the upload: two previews of a file never collide."""
    folder = Path(tempfile.mkdtemp(prefix="work-", dir=source.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read(source: Path, options: RenderOptions) -> Work:
    """Read an upload as ``convert`` reads a file: the same checks, the same readers."""
    from fic2book.readers import check_source, read_work

    check_source(source)
    check_input_size(source, options.max_input_size)
    return read_work(source)


def inspect_upload(source: Path, options: RenderOptions) -> dict[str, Any]:
    """What ``fic2book inspect --json`` says of ``source``, with the warnings reading gave.

    Returns ``{"info": {...SHOWN_FIELDS, "chapters": N}, "warnings": [...]}``.
    """

    def task() -> dict[str, Any]:
        from fic2book.describe import describe

        with collected_warnings() as warnings:
            info = describe(_read(source, options))
        shown = {key: info[key] for key in SHOWN_FIELDS}
        shown["chapters"] = len(info["chapters"])
        return {"info": shown, "warnings": warnings}

    return in_child(task, options, f"reading {source}")


def convert_upload(source: Path, fmt: str, folder: Path, options: RenderOptions) -> Path:
    """Make one book of ``source`` in ``fmt`` into the empty ``folder``; return its path.

    :func:`fic2book.pipeline.convert_file` itself runs the conversion in its sandbox, as for
    ``convert``; the book is named as ``convert`` names it ("Title - Author.epub").
    """
    from fic2book.pipeline import convert_file

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    written = convert_file(source, [fmt], folder, options, into_folder=True)
    if len(written) != 1:
        raise RenderError(f"the {fmt.upper()} was not written")
    return written[0]


def title_page_preview(source: Path, options: RenderOptions) -> str:
    """The EPUB's title page and tag summary as one HTML page, its stylesheets inlined.

    The EPUB backend makes the book (without a cover, which the preview does not show); the
    two documents and the stylesheets they link are taken out of it, so the preview is what
    an e-reader will show.  Meant for a sandboxed frame: it has no scripts and no links out.
    """
    with scratch(source) as folder:

        def task() -> str:
            work = _read(source, options)
            quick = dataclasses.replace(options, no_cover=True, cover=None)
            epub = folder / "preview.epub"
            _write_book(work, "epub", quick, epub)
            return _preview_page(epub.read_bytes(), work.language)

        return in_child(task, options, f"previewing {source}")


def _write_book(work: Work, fmt: str, options: RenderOptions, target: Path) -> None:
    """Make a book of ``work`` as ``convert`` does (prepared, then written), into ``target``."""
    from fic2book.backends import backend_for
    from fic2book.pipeline import prepare, write_atomically

    write_atomically(backend_for(fmt), prepare(work, options), target, options)


def _preview_page(epub: bytes, language: str) -> str:
    """Join the title page and tag summary of ``epub`` into one page with inline styles."""
    from io import BytesIO

    from lxml import etree

    xhtml = "{http://www.w3.org/1999/xhtml}"
    bodies: list[str] = []
    styles: list[str] = []
    with zipfile.ZipFile(BytesIO(epub)) as book:
        names = book.namelist()
        for wanted in ("title_page.xhtml", "tag_summary.xhtml"):
            member = next(name for name in names if name.endswith("/" + wanted))
            root = etree.fromstring(
                book.read(member), parser=etree.XMLParser(resolve_entities=False)
            )
            folder = member.rpartition("/")[0]
            for link in root.iter(f"{xhtml}link"):
                href = f"{folder}/{link.get('href')}"
                if href in names and href not in styles:
                    styles.append(href)
            body = root.find(f"{xhtml}body")
            if body is not None:
                bodies.extend(etree.tostring(child, encoding="unicode") for child in body)
        css = "\n".join(book.read(name).decode("utf-8") for name in styles)
    # "</style" cannot occur in our own stylesheets; refuse it anyway rather than trust it.
    css = css.replace("</", "<\\/")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8"/>'
        f"<title>Preview</title><style>{css}\nbody{{margin:1em 1.5em}}</style></head>"
        f"<body>{''.join(bodies)}</body></html>\n"
    )


def _sample(work: Work) -> Work:
    """The work cut to the start of its first chapter: a PDF preview needs only a page."""
    chapter = work.chapters[0]
    body = str(chapter.body)
    if len(body) > PREVIEW_CHARACTERS:
        cut = body.rfind("</p>", 0, PREVIEW_CHARACTERS)
        # WeasyPrint parses HTML leniently, so elements left open at the cut are closed.
        body = body[: cut + 4] if cut > 0 else body[:PREVIEW_CHARACTERS]
    first = dataclasses.replace(chapter, body=Markup(body), end_notes=None)
    return dataclasses.replace(work, chapters=(first,), end_notes=None)


def pdf_page_preview(source: Path, options: RenderOptions) -> bytes:
    """A PNG of the PDF's first page of story, as the PDF backend lays it out."""
    with scratch(source) as folder:

        def task() -> bytes:
            from fic2book.backends.epub_documents import chapter_label
            from fic2book.render import book_labels

            work = _sample(_read(source, options))
            quick = dataclasses.replace(options, pdf_cover=False)
            pdf, png = folder / "preview.pdf", folder / "page.png"
            _write_book(work, "pdf", quick, pdf)
            # The PDF's outline says "第1章" for a Chinese work: look for the same words.
            labels = book_labels(work, options)
            label = chapter_label(work, work.chapters[0], options.chapter_titles, labels)
            page = _outline_page(pdf, label)
            subprocess.run(
                [
                    *("pdftoppm", "-png", "-singlefile", "-f", str(page), "-l", str(page)),
                    *("-scale-to-x", str(PREVIEW_WIDTH), "-scale-to-y", "-1"),
                    *(str(pdf), str(png.with_suffix(""))),
                ],
                check=True,
                capture_output=True,
            )
            return png.read_bytes()

        return in_child(task, options, f"previewing {source}")


def _outline_page(pdf: Path, label: str) -> int:
    """The 1-based page of the chapter's outline entry ``label``.

    The last entry so named: a one-shot's chapter carries the work's title, as does the
    title page before it.  Without one, the last entry's page.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = [
        (entry.title, (reader.get_destination_page_number(entry) or 0) + 1)
        for entry in reader.outline
        if not isinstance(entry, list)
    ]
    matching = [page for title, page in pages if title == label]
    if matching:
        return matching[-1]
    return pages[-1][1] if pages else 1


#: How each kind of error starts its sentence on the page.
_OPENINGS: dict[str, str] = {
    "cannot read input": "This file cannot be read",
    "unknown format": "fic2book does not know this format",
    "cannot write output": "The book could not be saved",
    "backend unavailable": "This kind of book cannot be made on this computer",
    "cannot render": "The book could not be made",
    "usage": "These settings do not work together",
}


#: How a limit's sentence starts, by what the child was doing (see :func:`in_child`).
_DOING: dict[str, str] = {
    "reading": "This file cannot be read",
    "previewing": "The preview could not be made",
    "converting": "The book could not be made",
}


def sentence(
    err: Fic2BookError, source: Path | None, display: str, cover: Path | None = None
) -> str:
    """One plain sentence for the page: private paths never show, the file's name does.

    ``source`` is the upload's private file, shown as ``display``; ``cover`` the reader's
    cover picture.  A file or picture the opening names is "it" in the rest of the sentence.
    """
    message = " ".join(str(err).split())
    opening = _OPENINGS.get(err.label, "Something went wrong")
    if cover is not None and message.startswith(f"cover {cover}"):
        opening = "The cover picture cannot be used"
        message = "it" + message[len(f"cover {cover}") :].lstrip(":")
    if source is not None:
        for doing, start in _DOING.items():
            if message.startswith(f"{doing} {source} "):
                opening = start
                message = "it " + message[len(f"{doing} {source} ") :]
        for private in (str(source), source.name):
            message = message.replace(private, display)
    for prefix in (f"{display}: ", f"{display} "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
            break
    message = message.rstrip(".")
    return f"{opening}: {message}." if message else f"{opening}."
