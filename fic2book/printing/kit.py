"""The binder's kit: one work in, everything a hand binder prints out, in one folder.

:func:`make_kit` writes into ``KIT/``:

- ``textblock.pdf``: the typeset book at the trim size (the ordinary PDF backend);
- ``sheets.pdf`` (or ``sheets-fronts.pdf``/``sheets-backs.pdf``), and with ``split`` one file
  per signature: the text block imposed (:mod:`fic2book.printing.impose`);
- ``cover.pdf``: the wrap cover, spine as thick as the text block
  (:mod:`fic2book.printing.wrapcover`);
- ``calibration.pdf``: ruler and centre cross (:mod:`fic2book.printing.calibration`);
- ``binding.json`` and ``binding.pdf``: the binding sheet (:mod:`fic2book.printing.bindsheet`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fic2book.options import RenderOptions
from fic2book.printing.bindsheet import binding_data, write_binding_sheet
from fic2book.printing.calibration import write_calibration
from fic2book.printing.creep import Paper, parse_paper
from fic2book.printing.impose import Imposition, impose, open_pdf
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.wrapcover import WrapGeometry, write_wrap_cover

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


@dataclass(frozen=True)
class Kit:
    """What :func:`make_kit` wrote."""

    folder: Path
    files: tuple[Path, ...]
    imposition: Imposition
    binding: dict[str, Any]


def _trim(pdf_path: Path) -> tuple[float, float]:
    pdf = open_pdf(pdf_path)
    with pdf:
        box = pdf.pages[0].trimbox
        return float(box[2]) - float(box[0]), float(box[3]) - float(box[1])


def make_kit(source: Path, folder: Path, settings: KitSettings | None = None) -> Kit:
    """Read the work ``source`` and write its binder's kit into ``folder``.

    Raises the usual :class:`~fic2book.errors.Fic2BookError` subclasses: bad settings are
    checked before the (slow) text block is rendered.
    """
    from fic2book.cover import book_cover
    from fic2book.limits import check_input_size
    from fic2book.pipeline import backends_for, prepare, write_atomically
    from fic2book.readers import check_source, read_work

    settings = settings or KitSettings()
    impose_settings = settings.impose
    impose_settings.check()
    backend = backends_for(["pdf"])[0]
    check_source(source)
    check_input_size(source, settings.render.max_input_size)
    work = prepare(read_work(source), settings.render)
    # The text block is printed on sheets: no full-bleed cover page inside it.
    render = replace(settings.render, pdf_cover=False)
    textblock = folder / "textblock.pdf"
    write_atomically(backend, work, textblock, render)
    imposition = impose(textblock, folder / "sheets.pdf", impose_settings)
    trim = _trim(textblock)
    spine = settings.paper.spine(imposition.book.total_pages)
    geometry = WrapGeometry(trim[0], trim[1], spine)
    dpi = 300
    front = book_cover(
        work,
        settings.render,
        (round((trim[0] / 72 + 3 / 25.4) * dpi), round((trim[1] / 72 + 6 / 25.4) * dpi)),
    )
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
    names = {path.name: path for path in imposition.files}
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
    write_binding_sheet(data, work.title, folder / "binding.json", folder / "binding.pdf")
    written = (
        textblock,
        *imposition.files,
        cover,
        calibration,
        folder / "binding.json",
        folder / "binding.pdf",
    )
    return Kit(folder, written, imposition, data)
