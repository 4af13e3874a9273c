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

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from fic2book.backends import register
from fic2book.backends.pdf_words import break_long_words
from fic2book.cover import CoverImage, book_cover, cover_alt
from fic2book.design import design_css
from fic2book.errors import BackendUnavailableError, OutputError, RenderError
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.pagesize import PageSize, page_geometry
from fic2book.progress import report
from fic2book.render import book_labels, option_styles, render_template
from fic2book.resources import data_path
from fic2book.usercss import clean_user_css

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


def weasyprint_options(options: RenderOptions, known: Iterable[str]) -> dict[str, Any]:
    """The rendering options for WeasyPrint, checked against the names it knows.

    WeasyPrint only logs an unknown option and renders on, so a renamed option would silently
    drop PDF/UA; here it is an error instead.
    """
    wanted = dict(_PDF_OPTIONS)
    if options.pdf_ua:
        wanted["pdf_variant"] = PDF_UA_VARIANT
    wanted.update(options.print_shop.weasyprint_options())
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise BackendUnavailableError(
            f"this WeasyPrint does not know the option(s) {', '.join(unknown)}; "
            "install WeasyPrint 70 or later"
        )
    return wanted


def cover_css(page_size: PageSize) -> str:
    """Rules for the full-bleed cover page of ``--pdf-cover``.

    The cover page has no margins, head or folio, and is followed by a blank inside cover so
    the title page stays a recto; the front matter's roman numbering starts again at i on
    the title page, as if the cover were not there.
    """
    width, height = page_size.width_mm, page_size.height_mm
    return (
        "@page cover { margin: 0; @top-center { content: none } "
        "@bottom-left { content: none } @bottom-right { content: none } }\n"
        # The page after the cover and its blank verso, whatever front matter it is.
        "@page :nth(3) { counter-set: page 1 }\n"
        ".book-cover { page: cover; break-after: right; margin: 0; padding: 0; "
        "bookmark-level: none; }\n"
        f".book-cover-image {{ display: block; width: {width:.2f}mm; height: {height:.2f}mm; "
        "object-fit: cover; margin: 0; }\n"
    )


def pdf_cover(work: Work, options: RenderOptions) -> CoverImage | None:
    """The cover picture of ``--pdf-cover``; a generated one takes the page's proportions."""
    if not options.pdf_cover:
        return None
    width, height = options.page_size.width_mm, options.page_size.height_mm
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


def book_html(work: Work, options: RenderOptions, cover: CoverImage | None) -> str:
    """Render ``pdf/book.html.j2``: the whole book as one HTML document."""
    html = render_template(
        "pdf/omnibus.html.j2" if work.works else "pdf/book.html.j2",
        options,
        work=work,
        chapter=None,
        document_date=document_date(work, options),
        cover_src=cover.data_url() if cover else None,
        cover_alt=cover_alt(work, book_labels(work, options)),
    )
    return break_long_words(html)


def skin_css(work: Work, options: RenderOptions) -> list[str]:
    """The work skin (sanitised by the reader, fic2book/skin.py) unless ``--no-skin``.

    In an omnibus, each work's skin, limited to that work's ``div.book-work``
    (``pdf/omnibus.html.j2``), so it never styles another work's chapters.
    """
    if options.no_skin:
        return []
    if work.works:
        from fic2book.skin import skin_within

        return [
            skin_within(part.skin_css, f'[id="book-w{position}"]')
            for position, part in enumerate(work.works, start=1)
            if part.skin_css
        ]
    return [work.skin_css] if work.skin_css else []


def read_user_css(paths: tuple[Path, ...]) -> list[str]:
    """Read the ``--css`` files now, before rendering, so WeasyPrint never opens a file."""
    sheets = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise RenderError(f"cannot read stylesheet {path}: {err}") from err
        # Without @import and url()s that would fetch, as in the EPUB (fic2book/usercss.py).
        sheets.append(clean_user_css(text, path))
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
    try:
        import weasyprint
    except OSError as err:
        # WeasyPrint dlopens Pango on import; a missing library is an OSError.
        raise BackendUnavailableError(
            f"the PDF backend needs Pango (install libpango-1.0-0 and libpangoft2-1.0-0): {err}"
        ) from err
    module: ModuleType = weasyprint
    return module


def _drop_attachments(document: Any) -> None:
    """Remove every attachment a rendered document would embed.

    ``<link rel="attachment">`` lands in the metadata and ``<a rel="attachment">`` turns a
    link into an embedded file; the fetcher already refuses foreign URLs, but even the
    work's own assets must not be attached, so both are neutralised here.
    """
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def render_pdf(work: Work, target: Path, options: RenderOptions) -> None:
    """Render ``work`` into the PDF file ``target``.

    Layout can be driven into super-linear time or memory by hostile markup or CSS; it runs
    under ``--timeout`` and ``--max-memory`` because the whole conversion of a work does
    (:func:`fic2book.sandbox.run_limited`, called by the pipeline).
    """
    # Everything a user can get wrong is checked before the slow import.
    geometry = page_geometry(options.page_size, options.gutter)
    user_css = read_user_css(options.css)
    cover = pdf_cover(work, options)
    if options.smart:
        # No paragraph ends in a line of one short word (typography/runts.py); --no-smart
        # keeps the text exactly as typed, spaces included.
        from fic2book.typography.runts import tie_last_words

        work = tie_last_words(work)

    weasyprint = _import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from fic2book.fetch import BASE_URL, AssetFetcher

    render_options = weasyprint_options(options, weasyprint.DEFAULT_OPTIONS)
    page_css = geometry.css() + (cover_css(options.page_size) if cover else "")
    page_css += options.print_shop.css()

    fetcher = AssetFetcher(work.assets)
    fonts = FontConfiguration()
    stylesheets = [
        weasyprint.CSS(string=text, base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts)
        for text in [
            *_bundled_css(options),
            design_css(options.ornament, options.opening, pdf=True),
            page_css,
            *skin_css(work, options),
            *user_css,
        ]
    ]
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


@register
class PdfBackend:
    """Print-ready PDF: A5 by default, chapters on rectos, running heads and a real TOC."""

    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"
    description: ClassVar[str] = (
        "print-ready PDF (WeasyPrint): title page, tag summary, contents, running heads"
    )

    def write(self, work: Work, target: Path, options: RenderOptions) -> None:
        """Render ``work`` into the PDF file ``target``."""
        report("Laying out the PDF")
        render_pdf(work, target, options)
