"""The Starlette app behind ``fic2book serve``: the page, uploads, previews, books.

Routes (all under ``/TOKEN/``, see :mod:`fic2book.web.security`):

``GET /``                        the page
``POST /files``                  an upload: the file's bytes, its name in ``X-File-Name``
``GET|DELETE /files/{id}``       what reading it gave (or the job's state) / forget it
``POST /files/{id}/convert``     make its books (JSON options); 429 when enough are being made
``GET /files/{id}/preview``      the EPUB's title page and tag summary (for a sandboxed frame)
``GET /files/{id}/page.png``     the PDF's first page of story
``GET /files/{id}/books/{fmt}``  download one book
``GET /books.zip``               every book made so far
``POST|DELETE /cover``           the reader's own cover picture

Work on an upload runs in threads, each starting a limited child process
(:mod:`fic2book.web.jobs`); at most ``max_jobs`` conversions run at once, and previews and
reads wait for one of ``max_jobs`` slots of their own.
"""

from __future__ import annotations

import logging
import secrets
import threading
import zipfile
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

import anyio
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from fic2book.errors import Fic2BookError
from fic2book.options import RenderOptions, bounded_defaults
from fic2book.render import render_template
from fic2book.resources import data_path
from fic2book.units import human_size
from fic2book.web import jobs
from fic2book.web.choices import (
    CHAPTER_NUMBER_LABELS,
    FRONT_MATTER_LABELS,
    MAX_BOUND_BY,
    OPENING_LABELS,
    ORNAMENT_LABELS,
    PLACEMENT_LABELS,
    TRIM_LABELS,
    formats_from,
    offered_formats,
    offered_labels,
    offered_themes,
    options_from,
)
from fic2book.web.security import PREVIEW_CSP, SecurityHeaders, TokenGate
from fic2book.web.store import Job, Store, Upload, UploadRefused, readable_suffixes, too_large

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Largest cover picture accepted, in bytes.
MAX_COVER_BYTES = 32 * 1024 * 1024
#: The sentence shown for a bug (its traceback goes to the server's terminal).
BUG = "Something went wrong inside fic2book; the terminal that runs it shows the details."
MEDIA_TYPES = {
    "epub": "application/epub+zip",
    "kepub": "application/epub+zip",  # a KEPUB is an EPUB with Kobo's spans
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ServerSettings:
    """How one run of the server behaves."""

    #: The secret first path segment of every URL.
    token: str
    #: The limits (and any other option the page does not offer) for every book; by default
    #: the CLI's, so an uploaded file is always converted in a bounded child.
    options: RenderOptions = field(default_factory=bounded_defaults)
    #: Conversions at once; more are refused with 429.
    max_jobs: int = 2
    #: Host headers accepted (``("*",)``: any); guards against DNS rebinding.
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")


class Server:
    """The state of one run: settings, uploads, and the two kinds of slots."""

    def __init__(self, settings: ServerSettings) -> None:
        """Start with no uploads."""
        self.settings = settings
        self.store = Store(settings.options.max_input_size)
        self.converting = threading.BoundedSemaphore(settings.max_jobs)
        self.reading = anyio.Semaphore(settings.max_jobs)

    async def reading_slot(self, work: Callable[[], T]) -> T:
        """Run ``work`` in a thread once a reading slot is free.

        The slot is awaited before a thread is taken, so waiting requests hold no thread: each
        thread reserves address space, which the limited children inherit under
        ``--max-memory``.
        """
        async with self.reading:
            return await run_in_threadpool(work)


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _upload_or_404(server: Server, request: Request) -> Upload:
    upload = server.store.get(request.path_params["upload_id"])
    if upload is None:
        raise UploadRefused(404, "This file is no longer here; add it again.")
    return upload


async def page(request: Request) -> Response:
    """The page, its form set to the CLI's defaults."""
    server: Server = request.app.state.server
    text = render_template(
        "web/index.html.j2",
        RenderOptions(),
        trims=TRIM_LABELS,
        formats=offered_formats(),
        themes=offered_themes(),
        openings=OPENING_LABELS,
        ornaments=ORNAMENT_LABELS,
        chapter_numbers=CHAPTER_NUMBER_LABELS,
        label_languages=offered_labels(),
        placements=PLACEMENT_LABELS,
        front_matters=FRONT_MATTER_LABELS,
        max_bound_by=MAX_BOUND_BY,
        accept=",".join(readable_suffixes()),
        max_size=human_size(server.settings.options.max_input_size),
    )
    return HTMLResponse(text)


def _static(folder: str, name: str, media_type: str) -> Callable[[Request], Any]:
    path = data_path(folder) / "web" / name

    async def serve(request: Request) -> Response:
        return FileResponse(path, media_type=media_type)

    return serve


async def add_file(request: Request) -> Response:
    """Save an upload, read it in a limited child and answer with what ``inspect`` shows."""
    server: Server = request.app.state.server
    store = server.store
    limit = store.max_input_size
    declared = request.headers.get("content-length", "")
    if limit and declared.isdigit() and int(declared) > limit:
        return _error(413, too_large(limit))
    upload = store.new_upload(unquote(request.headers.get("x-file-name", "")))
    try:
        await store.save(upload.source, request.stream(), limit)
        result = await server.reading_slot(
            lambda: jobs.inspect_upload(upload.source, server.settings.options)
        )
    except Fic2BookError as err:
        store.remove(upload.id)
        return _error(422, jobs.sentence(err, upload.source, upload.name), name=upload.name)
    except BaseException:
        store.remove(upload.id)
        raise
    upload.info, upload.warnings = result["info"], result["warnings"]
    return JSONResponse(upload.as_json(), status_code=201)


async def list_files(request: Request) -> Response:
    """Every upload and its job."""
    server: Server = request.app.state.server
    return JSONResponse([upload.as_json() for upload in server.store.all()])


async def show_file(request: Request) -> Response:
    """One upload: what reading it gave, and how its conversion stands."""
    return JSONResponse(_upload_or_404(request.app.state.server, request).as_json())


async def remove_file(request: Request) -> Response:
    """Forget an upload; its file and books are deleted."""
    server: Server = request.app.state.server
    upload = _upload_or_404(server, request)
    if upload.job and upload.job.state in ("queued", "working"):
        return _error(409, "This file's books are being made; remove it when they are done.")
    server.store.remove(upload.id)
    return Response(status_code=204)


def _run_job(server: Server, upload: Upload, job: Job, options: RenderOptions) -> None:
    """Make the job's books one format at a time (the page shows each step), then free a slot."""
    from fic2book.progress import listening

    def stage(text: str) -> None:
        job.stage = text

    try:
        job.state = "working"
        with listening(stage):
            for fmt in job.formats:
                job.current, job.stage = fmt, "Reading"
                folder = upload.folder / "books" / fmt
                book = jobs.convert_upload(upload.source, fmt, folder, options)
                # A new dict, not an insertion: the event loop may be reading the old one.
                job.books = {**job.books, fmt: book}
        job.state = "done"
    except Fic2BookError as err:
        job.error = jobs.sentence(err, upload.source, upload.name, options.cover)
        job.state = "failed"
    except Exception:
        logger.exception("converting %s", upload.name)
        job.error = BUG
        job.state = "failed"
    finally:
        job.current = job.stage = None
        server.converting.release()


async def convert(request: Request) -> Response:
    """Start making an upload's books; 202 with the job, 429 when enough are being made."""
    server: Server = request.app.state.server
    upload = _upload_or_404(server, request)
    if upload.job and upload.job.state in ("queued", "working"):
        return _error(409, "This file's books are being made already.")
    try:
        values = await request.json()
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return _error(400, "The page sent settings fic2book does not understand; reload it.")
    try:
        formats = formats_from(values)
        options = options_from(values, server.settings.options, server.store.cover)
    except Fic2BookError as err:
        return _error(400, jobs.sentence(err, None, upload.name))
    if not server.converting.acquire(blocking=False):
        busy = server.settings.max_jobs
        books = "a book" if busy == 1 else f"{busy} books"
        return _error(429, f"fic2book is making {books} already; this one waits until one is done.")
    job = Job(formats)
    upload.job = job
    # A daemon: Ctrl-C stops the server at once (the child then fails on its deleted folder).
    thread = threading.Thread(
        target=_run_job,
        args=(server, upload, job, options),
        name=f"convert-{upload.id}",
        daemon=True,
    )
    thread.start()
    return JSONResponse(upload.as_json(), status_code=202)


async def preview(request: Request) -> Response:
    """The title page and tag summary as the EPUB has them, for a sandboxed frame."""
    server: Server = request.app.state.server
    upload = _upload_or_404(server, request)
    try:
        options = options_from(request.query_params, server.settings.options, None)
        text = await server.reading_slot(lambda: jobs.title_page_preview(upload.source, options))
    except Fic2BookError as err:
        return _error(422, jobs.sentence(err, upload.source, upload.name))
    headers = {"Content-Security-Policy": PREVIEW_CSP, "X-Frame-Options": "SAMEORIGIN"}
    return HTMLResponse(text, headers=headers)


async def page_png(request: Request) -> Response:
    """A PNG of the PDF's first page of story with the chosen trim and style."""
    server: Server = request.app.state.server
    upload = _upload_or_404(server, request)
    values = dict(request.query_params)
    values.setdefault("cover", "generated")
    if values["cover"] == "own":
        values["cover"] = "generated"  # the page shown is a story page, not the cover
    try:
        options = options_from(values, server.settings.options, None)
        data = await server.reading_slot(lambda: jobs.pdf_page_preview(upload.source, options))
    except Fic2BookError as err:
        return _error(422, jobs.sentence(err, upload.source, upload.name))
    return Response(data, media_type="image/png")


async def download(request: Request) -> Response:
    """One finished book, as an attachment named as ``convert`` names it."""
    server: Server = request.app.state.server
    upload = _upload_or_404(server, request)
    fmt = request.path_params["fmt"]
    book = upload.job.books.get(fmt) if upload.job else None
    if book is None or not book.is_file():
        return _error(404, "This book has not been made yet.")
    return FileResponse(book, media_type=MEDIA_TYPES.get(fmt), filename=book.name)


async def books_zip(request: Request) -> Response:
    """Every book made so far in one zip (names made unique with " (2)")."""
    server: Server = request.app.state.server
    books = [
        path
        for upload in server.store.all()
        if upload.job is not None
        for path in upload.job.books.values()
        if path.is_file()
    ]
    if not books:
        return _error(404, "No book has been made yet.")
    archive = server.store.root / f"books-{secrets.token_hex(8)}.zip"

    def build() -> None:
        taken: set[str] = set()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
            for path in books:
                name, number = path.name, 2
                while name in taken:
                    name = f"{path.stem} ({number}){path.suffix}"
                    number += 1
                taken.add(name)
                bundle.write(path, name)

    await run_in_threadpool(build)
    return FileResponse(
        archive,
        media_type="application/zip",
        filename="fic2book books.zip",
        background=BackgroundTask(archive.unlink, missing_ok=True),
    )


async def add_cover(request: Request) -> Response:
    """Keep the reader's own cover picture (checked when a book is made, as ``--cover`` is)."""
    server: Server = request.app.state.server
    head = b""
    target = server.store.root / "cover.img"
    try:
        await server.store.save(target, request.stream(), MAX_COVER_BYTES)
        with target.open("rb") as handle:
            head = handle.read(8)
    except UploadRefused:
        target.unlink(missing_ok=True)
        raise
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff")):
        target.unlink(missing_ok=True)
        server.store.cover = None
        return _error(415, "A cover must be a PNG or JPEG picture.")
    suffix = ".png" if head.startswith(b"\x89PNG") else ".jpg"
    cover = target.replace(target.with_suffix(suffix))
    server.store.cover = cover
    return JSONResponse({"cover": True}, status_code=201)


async def remove_cover(request: Request) -> Response:
    """Forget the reader's own cover picture."""
    server: Server = request.app.state.server
    if server.store.cover is not None:
        server.store.cover.unlink(missing_ok=True)
        server.store.cover = None
    return Response(status_code=204)


async def refused(request: Request, exc: Exception) -> Response:
    """An :class:`UploadRefused` as its status and sentence."""
    assert isinstance(exc, UploadRefused)
    return _error(exc.status, exc.message)


async def bug(request: Request, exc: Exception) -> Response:
    """Anything else is a bug: one sentence for the page (the traceback is logged)."""
    return _error(500, BUG)


def create_app(settings: ServerSettings, server: Server | None = None) -> ASGIApp:
    """The whole app: routes behind the token gate, host check and security headers.

    ``server`` (made from ``settings`` when not given) lets a test hold the run's state.
    """
    server = server or Server(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        try:
            yield
        finally:
            server.store.close()

    routes = [
        Route("/", page),
        Route("/static/web.css", _static("styles", "web.css", "text/css")),
        Route("/static/icon.svg", _static("styles", "icon.svg", "image/svg+xml")),
        Route("/static/app.js", _static("templates", "app.js", "text/javascript")),
        Route("/files", add_file, methods=["POST"]),
        Route("/files", list_files, methods=["GET"]),
        Route("/files/{upload_id}", show_file, methods=["GET"]),
        Route("/files/{upload_id}", remove_file, methods=["DELETE"]),
        Route("/files/{upload_id}/convert", convert, methods=["POST"]),
        Route("/files/{upload_id}/preview", preview),
        Route("/files/{upload_id}/page.png", page_png),
        Route("/files/{upload_id}/books/{fmt}", download),
        Route("/books.zip", books_zip),
        Route("/cover", add_cover, methods=["POST"]),
        Route("/cover", remove_cover, methods=["DELETE"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={UploadRefused: refused, Exception: bug},
    )
    app.state.server = server
    gated: ASGIApp = TokenGate(app, settings.token)
    gated = TrustedHostMiddleware(gated, allowed_hosts=list(settings.allowed_hosts))
    return SecurityHeaders(gated)
