"""The binder's kit: one work in, everything a hand binder prints out, in one folder.

:func:`make_kit` writes into ``KIT/``:

- ``textblock.pdf``: the typeset book at the trim size (the ordinary PDF backend);
- ``sheets.pdf`` (or ``sheets-fronts.pdf``/``sheets-backs.pdf``), and with ``split`` one file
  per signature: the text block imposed (:mod:`fic2book.printing.impose`);
- ``cover.pdf``: the wrap cover, spine as thick as the text block
  (:mod:`fic2book.printing.wrapcover`);
- ``calibration.pdf``: ruler and centre cross (:mod:`fic2book.printing.calibration`);
- ``binding.json`` and ``binding.pdf``: the binding sheet (:mod:`fic2book.printing.bindsheet`),
  with the text block's design (theme, opening, labels…: :func:`design_data`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fic2book.cover import CoverImage
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.printing.bindsheet import binding_data, write_binding_sheet
from fic2book.printing.calibration import write_calibration
from fic2book.printing.creep import Paper, parse_paper
from fic2book.printing.fit import Fit, fit_text_block
from fic2book.printing.impose import Imposition, impose, open_pdf
from fic2book.printing.layouts import get_layout
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.signatures import default_sheets
from fic2book.printing.wrapcover import WrapGeometry, write_wrap_cover
from fic2book.sandbox import run_limited

#: Paper assumed for the spine when none is given: 80 gsm office paper.
DEFAULT_PAPER = "80gsm"


@dataclass(frozen=True)
class KitSettings:
    """What ``fic2book bind`` was asked for."""

    impose: ImposeSettings = field(
        default_factory=lambda: ImposeSettings(marks=("fold", "cut", "sewing", "spine"))
    )
    #: Rendering options of the text block; ``page_size`` is the trim.
    render: RenderOptions = field(default_factory=RenderOptions)
    #: The paper for the spine width (and, when ``impose.paper`` is set, creep).
    paper: Paper = field(default_factory=lambda: parse_paper(DEFAULT_PAPER))
    #: Nudge the leading so the text block fills whole signatures (:mod:`.fit`).
    fit_signatures: bool = False


@dataclass(frozen=True)
class Kit:
    """What :func:`make_kit` wrote."""

    folder: Path
    files: tuple[Path, ...]
    imposition: Imposition
    binding: dict[str, Any]
    #: What fitting to signatures did, when asked.
    fit: Fit | None = None


def _trim(pdf_path: Path) -> tuple[float, float]:
    pdf = open_pdf(pdf_path)
    with pdf:
        box = pdf.pages[0].trimbox
        return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])


def _front_cover(work: Work, options: RenderOptions) -> CoverImage | None:
    """The front panel's picture at 300 dpi, trim plus bleed on three sides."""
    from fic2book.cover import book_cover

    size = options.page_size
    dpi = 300 / 25.4
    pixels = (round((size.width_mm + 3) * dpi), round((size.height_mm + 6) * dpi))
    return book_cover(work, options, pixels)


def _warm_up(work: Work, options: RenderOptions) -> CoverImage | None:
    """Work that does not need the text block: import WeasyPrint, draw the front cover."""
    import weasyprint  # noqa: F401  (imported now, used by the cover and binding sheet)

    return _front_cover(work, options)


def _text_block(
    source: Path, folder: Path, settings: KitSettings
) -> tuple[Work, Path, Fit | None, CoverImage | None]:
    """Read the work and render its text block; the front cover is drawn meanwhile."""
    from fic2book.limits import check_input_size
    from fic2book.pipeline import backends_for, prepare, write_atomically
    from fic2book.readers import check_source, read_work

    backend = backends_for(["pdf"])[0]
    check_source(source)
    check_input_size(source, settings.render.max_input_size)
    # The text block is printed on sheets: no full-bleed cover page inside it.
    render = settings.render.replace(pdf_cover=False)
    textblock = folder / "textblock.pdf"
    impose_settings = settings.impose
    work = prepare(read_work(source), settings.render)
    if settings.fit_signatures:
        fit = fit_text_block(
            work,
            textblock,
            render,
            signature_pages(impose_settings),
            extra_pages=4 * impose_settings.flyleaves,
        )
        return work, textblock, fit, _front_cover(work, settings.render)
    with ThreadPoolExecutor(max_workers=1) as pool:
        front = pool.submit(_warm_up, work, settings.render)
        write_atomically(backend, work, textblock, render)
        return work, textblock, None, front.result()


def design_data(work: Work, options: RenderOptions) -> dict[str, Any]:
    """The text block's design as the binding sheet records it: what was chosen, resolved.

    The labels' language is the catalog the book was set in (the work's language when
    ``--labels`` was not given) and the front matter the pages the PDF has, so the sheet says
    what is printed, not which options were left at their defaults.
    """
    from fic2book.frontmatter import front_parts
    from fic2book.labels import Labels

    labels = Labels.for_work(work, options.labels, options.chapter_numbers)
    return {
        "theme": options.theme,
        "opening": str(options.opening),
        "ornament": options.ornament,
        "paragraphs": str(options.style),
        "chapter_titles": str(options.chapter_titles),
        "chapter_numbers": str(options.chapter_numbers),
        "labels": labels.language,
        "front_matter": list(front_parts(options.front_matter, pdf=True)),
        "bound_by": options.bound_by,
        "notes": str(options.notes),
        "summaries": str(options.summaries),
        "work_skin": not options.no_skin,
        "template_dir": str(options.template_dir) if options.template_dir else None,
        "css": [str(path) for path in options.css],
    }


def make_kit(source: Path, folder: Path, settings: KitSettings | None = None) -> Kit:
    """Read the work ``source`` and write its binder's kit into ``folder``.

    Raises the usual :class:`~fic2book.errors.Fic2BookError` subclasses: bad settings are
    checked before the (slow) text block is rendered.
    """
    settings = settings or KitSettings()
    settings.impose.check()
    chosen = settings
    # Reading, layout, imposition and covers all run under --timeout and --max-memory.
    return run_limited(
        lambda: _make_kit(source, folder, chosen),
        timeout=settings.render.timeout,
        max_memory=settings.render.max_memory,
        what=f"binding {source}",
    )


def _make_kit(source: Path, folder: Path, settings: KitSettings) -> Kit:
    """:func:`make_kit`'s work, in the sandboxed child."""
    impose_settings = settings.impose
    work, textblock, fit, front = _text_block(source, folder, settings)
    imposition = impose(textblock, folder / "sheets.pdf", impose_settings)
    # The book is as big as its pages are printed: the text block's trim, scaled to its cell.
    scale = imposition.sides[0].placements[0].scale
    width, height = _trim(textblock)
    trim = (width * scale, height * scale)
    spine = settings.paper.spine(imposition.book.total_pages)
    geometry = WrapGeometry(trim[0], trim[1], spine)
    cover = folder / "cover.pdf"
    write_wrap_cover(work, cover, geometry, front)
    calibration = folder / "calibration.pdf"
    duplex = {"duplex-short": "/DuplexFlipShortEdge", "duplex-long": "/DuplexFlipLongEdge"}
    write_calibration(
        calibration,
        imposition.geometry.width,
        imposition.geometry.height,
        duplex.get(impose_settings.printer, "/Simplex"),
    )
    names = {path.name for path in imposition.files}
    files = {
        "textblock": textblock.name,
        "sheets": "sheets.pdf",
        "fronts": "sheets-fronts.pdf",
        "backs": "sheets-backs.pdf",
        "cover": cover.name,
        "calibration": calibration.name,
    }
    files = {k: v for k, v in files.items() if v in names or (folder / v).exists()}
    data = binding_data(imposition, impose_settings, trim, settings.paper, geometry, files)
    data["page_scale"] = round(scale, 4)
    data["design"] = design_data(work, settings.render)
    if fit is not None:
        data["fit"] = {
            "tightness": fit.tightness,
            "leading": fit.leading,
            "original_pages": fit.original_pages,
        }
    write_binding_sheet(data, work.title, folder / "binding.json", folder / "binding.pdf")
    written = (
        textblock,
        *imposition.files,
        cover,
        calibration,
        folder / "binding.json",
        folder / "binding.pdf",
    )
    return Kit(folder, written, imposition, data, fit)


def signature_pages(settings: ImposeSettings) -> int:
    """Pages of a full signature under ``settings`` (what fitting aims at)."""
    layout = get_layout(settings.layout)
    chosen = settings.signatures
    sheets = chosen.sheets if chosen.kind == "standard" and chosen.sheets else None
    if chosen.kind == "perfect":
        sheets = 1
    return layout.pages_per_sheet * (sheets or default_sheets(layout))
