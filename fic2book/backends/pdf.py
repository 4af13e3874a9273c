"""The PDF backend: a print-ready book laid out by WeasyPrint.

The work becomes one HTML document (``templates/pdf/book.html.j2``, which includes the same
part templates as the EPUB) styled by ``styles/book.css``, ``styles/pdf.css``, a small
stylesheet generated from ``--page-size`` and the user's ``--css`` files, in that order.

Fic markup is untrusted, so rendering is locked down (see :mod:`fic2book.fetch`): every URL
goes through :class:`~fic2book.fetch.AssetFetcher`, which serves only ``data:`` URLs and the
work's in-memory assets; stylesheets are passed as strings, so nothing but fonts is read from
disk while rendering; HTML presentational hints stay off; and any attachment the markup asks
for is dropped before the PDF is written.

WeasyPrint is imported inside :meth:`PdfBackend.write` only: importing it takes over half a
second and needs Pango, and listing the formats should need neither.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from fic2book.backends import register
from fic2book.cover import CoverImage, book_cover, cover_alt
from fic2book.errors import BackendUnavailableError, OutputError, RenderError, UsageError
from fic2book.limits import run_limited, take_prestarted
from fic2book.model import Chapter, Work
from fic2book.options import RenderOptions, css_page_size, length_mm, page_size_mm
from fic2book.render import option_styles, render_template
from fic2book.resources import data_path

if TYPE_CHECKING:
    from types import ModuleType

logger = logging.getLogger(__name__)

#: The bundled stylesheets, in cascade order (the page-size rules and user CSS follow).
BUNDLED_STYLESHEETS: tuple[str, ...] = ("book.css", "pdf.css")

#: Creation date written when neither SOURCE_DATE_EPOCH nor the work gives one, so that two
#: builds of the same input are still byte-identical.
FALLBACK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

#: The WeasyPrint rendering options fic2book sets; everything else keeps its default.  Listed
#: explicitly because WeasyPrint only logs unknown keys, and presentational hints must stay
#: off for untrusted HTML (CVE-2026-49452).
_PDF_OPTIONS: dict[str, Any] = {
    "presentational_hints": False,
    "attachments": None,
    "custom_metadata": False,
}

#: ``pdf_variant`` for ``--pdf-ua``: tagged, with /MarkInfo, /StructTreeRoot, /Lang and
#: /DisplayDocTitle (WeasyPrint does not promise the result is valid PDF/UA; no validator
#: is available to prove it, see the README).
PDF_UA_VARIANT = "pdf/ua-1"

#: Margins of the trim sizes print guides give (top, bottom, outside) and the default gutter,
#: in millimetres: A5 from printabook's 20/25/20 mm, the KDP sizes from KDP's calculator
#: (0.625/0.625/0.5 in and 0.75/0.75/0.625 in, the gutter 0.125 in).  The inner margin,
#: outside plus gutter, meets KDP's minimum inside margin up to 500 (5.5x8.5) or 700 (6x9)
#: pages.  Other sizes are scaled from the width (:func:`page_geometry`).
TRIM_MARGINS_MM: dict[str, tuple[float, float, float, float]] = {
    "a5": (20.0, 25.0, 20.0, 5.0),
    "5.5x8.5in": (15.875, 15.875, 12.7, 3.175),
    "6x9in": (19.05, 19.05, 15.875, 3.175),
}

#: The text block must keep at least this share of the page width.
MIN_TEXT_WIDTH = 0.45


def weasyprint_options(options: RenderOptions, known: Iterable[str]) -> dict[str, Any]:
    """The rendering options for WeasyPrint, checked against the names it knows.

    WeasyPrint only logs an unknown option and renders on, so a renamed option would silently
    drop PDF/UA; here it is an error instead.
    """
    wanted = dict(_PDF_OPTIONS)
    if options.pdf_ua:
        wanted["pdf_variant"] = PDF_UA_VARIANT
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise BackendUnavailableError(
            f"this WeasyPrint does not know the option(s) {', '.join(unknown)}; "
            "install WeasyPrint 70 or later"
        )
    return wanted


@dataclass(frozen=True)
class PageGeometry:
    """Margins and base font size for one trim size, all scaled from the page's dimensions."""

    #: CSS ``size`` value, e.g. ``"A5"``.
    size: str
    top_mm: float
    bottom_mm: float
    outer_mm: float
    #: The inner (binding) margin: the outer margin plus a gutter.
    inner_mm: float
    font_pt: float

    def css(self) -> str:
        """Return the ``@page`` and base font rules for this geometry."""
        return (
            f"@page {{ size: {self.size}; "
            f"margin: {self.top_mm:.1f}mm {self.outer_mm:.1f}mm {self.bottom_mm:.1f}mm; }}\n"
            # Mirrored margins: the gutter is on the left of a recto, the right of a verso.
            f"@page :right {{ margin-left: {self.inner_mm:.1f}mm; "
            f"margin-right: {self.outer_mm:.1f}mm; }}\n"
            f"@page :left {{ margin-left: {self.outer_mm:.1f}mm; "
            f"margin-right: {self.inner_mm:.1f}mm; }}\n"
            f"html {{ font-size: {self.font_pt:.2f}pt; }}\n"
        )


def page_geometry(page_size: str, gutter: str | None = None) -> PageGeometry:
    """Margins and font size for a ``--page-size`` value and an optional ``--gutter``.

    The trim sizes of :data:`TRIM_MARGINS_MM` use the margins print guides give; other sizes
    are scaled from the page (about 11 % of the width outside, 9 % of the height at the top),
    so a larger page gets wider margins and slightly larger type rather than longer lines.
    The inner margin is the outer one plus the gutter.  Raises
    :class:`~fic2book.errors.UsageError` for a bad page size or a gutter too wide for it.
    """
    size = css_page_size(page_size)
    width, height = page_size_mm(page_size)
    key = page_size.strip().lower()
    if key in TRIM_MARGINS_MM:
        top, bottom, outer, default_gutter = TRIM_MARGINS_MM[key]
    else:
        top, bottom, outer = 0.09 * height, 0.105 * height, 0.11 * width
        # ~3.5 % of the width: 7 mm on A4, in line with the named trim sizes.
        default_gutter = 0.035 * width
    extra = default_gutter if gutter is None else length_mm(gutter)
    inner = outer + extra
    if width - outer - inner < MIN_TEXT_WIDTH * width:
        raise UsageError(f"gutter {gutter!r} leaves too narrow a text block on a {page_size} page")
    # Body type 10.5 pt on A5, growing with the square root of the width, within 9.5-12 pt.
    font = min(12.0, max(9.5, 10.5 * (width / 148.0) ** 0.5))
    return PageGeometry(
        size=size,
        top_mm=top,
        bottom_mm=bottom,
        outer_mm=outer,
        inner_mm=inner,
        font_pt=font,
    )


def cover_css(page_size: str) -> str:
    """Rules for the full-bleed cover page of ``--pdf-cover``.

    The cover page has no margins, head or folio, and is followed by a blank inside cover so
    the title page stays a recto; the front matter's roman numbering starts again at i on
    the title page, as if the cover were not there.
    """
    width, height = page_size_mm(page_size)
    return (
        "@page cover { margin: 0; @top-center { content: none } "
        "@bottom-left { content: none } @bottom-right { content: none } }\n"
        "@page front:nth(1 of front) { counter-set: page 1; "
        "@bottom-left { content: none } @bottom-right { content: none } }\n"
        ".book-cover { page: cover; break-after: right; margin: 0; padding: 0; "
        "bookmark-level: none; }\n"
        f".book-cover-image {{ display: block; width: {width:.2f}mm; height: {height:.2f}mm; "
        "object-fit: cover; margin: 0; }\n"
    )


def pdf_cover(work: Work, options: RenderOptions) -> CoverImage | None:
    """The cover picture of ``--pdf-cover``; a generated one takes the page's proportions."""
    if not options.pdf_cover:
        return None
    width, height = page_size_mm(options.page_size)
    return book_cover(work, options, size=(1600, round(1600 * height / width)))


def document_date(work: Work, options: RenderOptions) -> str:
    """Return the creation and modification date of the PDF as a W3C date-time.

    ``SOURCE_DATE_EPOCH`` wins, then the work's last revision, then a fixed date: never the
    current time, so rebuilds are byte-identical.
    """
    if options.source_date_epoch is not None:
        moment = dt.datetime.fromtimestamp(options.source_date_epoch, tz=dt.UTC)
    elif work.stats.last_revised is not None:
        moment = dt.datetime.combine(work.stats.last_revised, dt.time(), tzinfo=dt.UTC)
    else:
        moment = FALLBACK_DATE
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def book_html(work: Work, options: RenderOptions, cover: CoverImage | None, **extra: Any) -> str:
    """Render ``pdf/book.html.j2``: the whole book, or with ``extra`` a part of it.

    The one-process render and every piece of the parallel render use this, so they cannot
    drift apart in what they pass the template.
    """
    return render_template(
        "pdf/book.html.j2",
        options,
        work=work,
        chapter=None,
        document_date=document_date(work, options),
        cover_src=cover.data_url() if cover else None,
        cover_alt=cover_alt(work),
        **extra,
    )


def read_user_css(paths: tuple[Path, ...]) -> list[str]:
    """Read the ``--css`` files now, before rendering, so WeasyPrint never opens a file."""
    sheets = []
    for path in paths:
        try:
            sheets.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            raise RenderError(f"cannot read stylesheet {path}: {err}") from err
    return sheets


def _bundled_css(options: RenderOptions) -> list[str]:
    folder = data_path("styles")
    sheets = []
    for name in (*BUNDLED_STYLESHEETS, *option_styles(options)):
        path = folder / name
        # book.css is optional so the backend keeps working while styles are being written.
        if path.is_file():
            sheets.append(path.read_text(encoding="utf-8"))
    return sheets


def _import_weasyprint() -> ModuleType:
    if "weasyprint" not in sys.modules:
        from fic2book.backends.libfind import quick_find_library

        try:
            with quick_find_library():
                import weasyprint
        except OSError:
            pass  # imported again below with the standard lookup, which reports the error
    try:
        import weasyprint
    except OSError as err:
        # WeasyPrint dlopens Pango on import; a missing library is an OSError.
        raise BackendUnavailableError(
            f"the PDF backend needs Pango (install libpango-1.0-0 and libpangoft2-1.0-0): {err}"
        ) from err
    module: ModuleType = weasyprint
    return module


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector less often while WeasyPrint lays a book out.

    Layout creates and drops millions of small objects, nearly all freed by reference
    counting; with the default threshold (a collection every 700 net allocations) a 124-page
    book triggers about 440 collections, some 0.14 s.  Every 20,000 allocations, about 13
    collections do the same work in 0.05 s, with no measurable change in peak memory.
    """
    previous = gc.get_threshold()
    gc.set_threshold(20_000, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _drop_attachments(document: Any) -> None:
    """Remove every attachment a rendered document would embed.

    ``<link rel="attachment">`` lands in the metadata and ``<a rel="attachment">`` turns a
    link into an embedded file; the fetcher already refuses foreign URLs, but even the
    work's own assets must not be attached, so both are neutralised here.
    """
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def render_pdf(work: Work, target: Path, options: RenderOptions, limited: bool = True) -> None:
    """Render ``work`` into the PDF file ``target``.

    Layout is the one step whose time and memory hostile markup or CSS can blow up: with
    ``limited`` it runs in a child process under ``--timeout`` and ``--max-memory``
    (:func:`~fic2book.limits.run_limited`); without, the caller is that child already.
    """
    # Everything a user can get wrong is checked before the slow import.
    geometry = page_geometry(options.page_size, options.gutter)
    user_css = read_user_css(options.css)
    cover = pdf_cover(work, options)

    weasyprint = _import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from fic2book.fetch import BASE_URL, AssetFetcher

    render_options = weasyprint_options(options, weasyprint.DEFAULT_OPTIONS)
    page_css = geometry.css() + (cover_css(options.page_size) if cover else "")

    def layout() -> None:
        fetcher = AssetFetcher(work.assets)
        fonts = FontConfiguration()
        stylesheets = [
            weasyprint.CSS(string=text, base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts)
            for text in [*_bundled_css(options), page_css, *user_css]
        ]
        # The whole book's HTML only here: the parallel path renders each piece's instead.
        html = book_html(work, options, cover)
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=fonts, **render_options
        )
        _drop_attachments(document)
        if fetcher.refused:
            logger.warning(
                "%d external resource(s) were not loaded into %s", len(fetcher.refused), target
            )
        try:
            document.write_pdf(target, **render_options)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err

    groups = _parallel_plan(work, options)
    if groups:

        def parallel_layout() -> None:
            from fic2book.backends import pdf_parallel

            def render_document(text: str, extra_css: str) -> Any:
                fetcher = AssetFetcher(work.assets)
                fonts = FontConfiguration()
                stylesheets = [
                    weasyprint.CSS(
                        string=css, base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts
                    )
                    for css in [*_bundled_css(options), page_css, extra_css]
                ]
                document = weasyprint.HTML(
                    string=text, base_url=BASE_URL, url_fetcher=fetcher
                ).render(stylesheets=stylesheets, font_config=fonts, **render_options)
                _drop_attachments(document)
                if fetcher.refused:
                    logger.warning(
                        "%d external resource(s) were not loaded into %s",
                        len(fetcher.refused),
                        target,
                    )
                return document

            last = len(groups) - 1
            ids = [
                pdf_parallel.wrapper_ids(work, group, index == last)
                for index, group in enumerate(groups)
            ]
            every_id = [name for group_ids in ids for name in group_ids]
            counts = pdf_parallel.PageCounts(len(groups), len(every_id))

            def render_group(index: int) -> pdf_parallel.Piece:
                text = book_html(
                    work,
                    options,
                    None,
                    part_chapters=groups[index],
                    with_back=index == last,
                )
                with pdf_parallel.page_number_hook(counts, index):
                    document = render_document(text, pdf_parallel.GROUP_CSS)
                anchors = pdf_parallel.anchor_pages(document, ids[index])
                counts.publish_anchors(
                    sum(len(group_ids) for group_ids in ids[:index]),
                    [anchors[name] for name in ids[index]],
                )
                pdf = document.write_pdf(**render_options)
                return pdf_parallel.Piece(pdf, len(document.pages), anchors)

            def render_front() -> pdf_parallel.Piece:
                # The contents list each wrapper's folio: its group's first folio plus its
                # page in the group.
                starts = counts.anchors()
                toc_pages: dict[str, int] = {}
                for index, group_ids in enumerate(ids):
                    folio = counts.first_folio(index)
                    for name in group_ids:
                        toc_pages[name] = folio + starts[len(toc_pages)]
                front_html = book_html(work, options, cover, toc_pages=toc_pages)
                front = render_document(front_html, pdf_parallel.FRONT_CSS)
                # Only the pages before the first chapter placeholder are kept.
                kept = min(pdf_parallel.anchor_pages(front, every_id).values())
                return pdf_parallel.Piece(front.write_pdf(**render_options), kept, {})

            pieces, front_piece = pdf_parallel.render_groups(
                render_group, len(groups), counts, render_front
            )
            data = pdf_parallel.join(front_piece, pieces)
            try:
                target.write_bytes(data)
            except OSError as err:
                raise OutputError(f"{target}: {err.strerror or err}") from err

        with fewer_collections():
            if limited:
                run_limited(
                    parallel_layout,
                    timeout=options.timeout,
                    max_memory=options.max_memory,
                    what="the PDF",
                )
            else:
                parallel_layout()
        return

    # Layout is the one step whose time and memory hostile markup or CSS can blow up
    # (WeasyPrint, Pango): it runs in a child process under --timeout and --max-memory.
    with fewer_collections():
        if limited:
            run_limited(
                layout, timeout=options.timeout, max_memory=options.max_memory, what="the PDF"
            )
        else:
            layout()


@register
class PdfBackend:
    """Print-ready PDF: A5 by default, chapters on rectos, running heads and a real TOC."""

    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"
    description: ClassVar[str] = (
        "print-ready PDF (WeasyPrint): title page, tag summary, contents, running heads"
    )

    def warm_up(self) -> None:
        """Import WeasyPrint: run in a prestarted render child while the work is read."""
        _import_weasyprint()

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Render ``work`` into the PDF file ``target``."""
        early = take_prestarted(self.name)
        if early is None:
            render_pdf(work, target, options)
            return
        # What a user can get wrong is reported before the child gets the book.
        page_geometry(options.page_size, options.gutter)
        read_user_css(options.css)
        early.run(
            render_pdf,
            work,
            target,
            options,
            False,
            timeout=options.timeout,
            max_memory=options.max_memory,
            what="the PDF",
        )


def _parallel_plan(work: Work, options: RenderOptions) -> list[list[Chapter]]:
    """The chapter groups of a ``--pdf-jobs`` render, or ``[]`` to render in one process."""
    from fic2book.backends import pdf_parallel

    jobs = pdf_parallel.job_count(options.pdf_jobs)
    if jobs < 2 or len(work.chapters) < 2:
        return []
    blocker = pdf_parallel.parallel_blocker(work, options)
    if blocker is not None:
        pdf_parallel.fallback_note(blocker)
        return []
    groups = pdf_parallel.split_chapters(work.chapters, jobs)
    return groups if len(groups) > 1 else []
