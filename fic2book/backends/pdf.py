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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from fic2book.backends import register
from fic2book.errors import BackendUnavailableError, OutputError, RenderError
from fic2book.model import Work
from fic2book.options import RenderOptions, css_page_size, page_size_mm
from fic2book.render import render_template
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


def page_geometry(page_size: str) -> PageGeometry:
    """Margins and font size for a ``--page-size`` value.

    Proportions follow common trade-book practice (typography notes: A5 at about 20 mm
    margins, KDP 6x9 in at 0.75/0.625 in plus a gutter), so a larger page gets wider margins
    and slightly larger type rather than longer lines.  Raises
    :class:`~fic2book.errors.UsageError` for a bad page size.
    """
    size = css_page_size(page_size)
    width, height = page_size_mm(page_size)
    outer = 0.11 * width
    # A gutter of ~3.5 % of the width: 5 mm on A5, which with the outer margin meets KDP's
    # 0.375-0.5 in minimum inside margin for books up to a few hundred pages.
    inner = outer + 0.035 * width
    # Body type 10.5 pt on A5, growing with the square root of the width, within 9.5-12 pt.
    font = min(12.0, max(9.5, 10.5 * (width / 148.0) ** 0.5))
    return PageGeometry(
        size=size,
        top_mm=0.09 * height,
        bottom_mm=0.105 * height,
        outer_mm=outer,
        inner_mm=inner,
        font_pt=font,
    )


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


def read_user_css(paths: tuple[Path, ...]) -> list[str]:
    """Read the ``--css`` files now, before rendering, so WeasyPrint never opens a file."""
    sheets = []
    for path in paths:
        try:
            sheets.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            raise RenderError(f"cannot read stylesheet {path}: {err}") from err
    return sheets


def _bundled_css() -> list[str]:
    folder = data_path("styles")
    sheets = []
    for name in BUNDLED_STYLESHEETS:
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
        # Everything a user can get wrong is checked before the slow import.
        geometry = page_geometry(options.page_size)
        user_css = read_user_css(options.css)
        html = render_template(
            "pdf/book.html.j2",
            options,
            work=work,
            chapter=None,
            document_date=document_date(work, options),
        )

        weasyprint = _import_weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        from fic2book.fetch import BASE_URL, AssetFetcher

        fetcher = AssetFetcher(work.assets)
        fonts = FontConfiguration()
        stylesheets = [
            weasyprint.CSS(string=text, base_url=BASE_URL, url_fetcher=fetcher, font_config=fonts)
            for text in [*_bundled_css(), geometry.css(), *user_css]
        ]
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=fonts, **_PDF_OPTIONS
        )
        _drop_attachments(document)
        if fetcher.refused:
            logger.warning(
                "%d external resource(s) were not loaded into %s", len(fetcher.refused), target
            )
        try:
            document.write_pdf(target, **_PDF_OPTIONS)
        except OSError as err:
            raise OutputError(f"{target}: {err.strerror or err}") from err
