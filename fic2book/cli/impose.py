"""``fic2book impose``: a PDF laid out on sheets in folding order, for hand binding.

The options here are shared with ``fic2book bind`` (:func:`impose_settings` turns them into
:class:`~fic2book.printing.plan.ImposeSettings`); the work is done by
:mod:`fic2book.printing`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import Debug, Quiet, reported
from fic2book.errors import UsageError
from fic2book.printing.plan import ImposeSettings

SHEETS_PANEL = "Sheets"

Layout = Annotated[
    str,
    typer.Option(
        metavar="NAME",
        help="folio (2 pages a side), quarto (4), octavo (8) or sextodecimo (16).",
        rich_help_panel=SHEETS_PANEL,
    ),
]
Sheet = Annotated[
    str,
    typer.Option(
        metavar="SIZE",
        help="a3, a4, a5, b4, b5, letter, legal, tabloid or WxH with a unit (11x17in); "
        "turned whichever way suits the layout.",
        rich_help_panel=SHEETS_PANEL,
    ),
]
SignatureCount = Annotated[
    int | None,
    typer.Option(
        "--signature",
        metavar="N",
        help="Folded sheets per signature (1: perfect binding).",
        show_default=False,
        rich_help_panel=SHEETS_PANEL,
    ),
]
SignatureList = Annotated[
    str | None,
    typer.Option(
        "--signatures",
        metavar="FORMAT",
        help="booklet, perfect, standard, N or a list of sheets such as 4,4,3. Default: "
        "16-page signatures, the fewest sheets, some signatures one sheet short.",
        show_default=False,
        rich_help_panel=SHEETS_PANEL,
    ),
]
Flyleaves = Annotated[
    int,
    typer.Option(
        metavar="N", help="Blank leaves before and after the book.", rich_help_panel=SHEETS_PANEL
    ),
]
Printer = Annotated[
    str,
    typer.Option(
        metavar="KIND",
        help="duplex-short, duplex-long or single (fronts and backs files).",
        rich_help_panel=SHEETS_PANEL,
    ),
]
Flip = Annotated[
    str | None,
    typer.Option(
        metavar="EDGE",
        help="Old spelling of --printer: short or long (edge).",
        show_default=False,
        rich_help_panel=SHEETS_PANEL,
    ),
]
Split = Annotated[
    bool,
    typer.Option("--split", help="Also one PDF per signature.", rich_help_panel=SHEETS_PANEL),
]
SplitOnly = Annotated[
    bool,
    typer.Option(
        "--split-only",
        help="One PDF per signature instead of the whole set.",
        rich_help_panel=SHEETS_PANEL,
    ),
]
Marks = Annotated[
    str,
    typer.Option(
        metavar="LIST",
        help="Any of fold, cut, sewing, spine, comma-separated ('' for none).",
        rich_help_panel=SHEETS_PANEL,
    ),
]
PaperOption = Annotated[
    str | None,
    typer.Option(
        "--paper",
        metavar="PAPER",
        help="Caliper for creep compensation: 0.1mm, 80gsm, 444ppi, kdp-white or kdp-cream.",
        show_default=False,
        rich_help_panel=SHEETS_PANEL,
    ),
]
Position = Annotated[
    str,
    typer.Option(
        metavar="WHERE", help="centre or fold (snug to the spine).", rich_help_panel=SHEETS_PANEL
    ),
]
Scale = Annotated[
    str,
    typer.Option(
        metavar="HOW",
        help="fit (to the cell) or none (100 %; an error when a page does not fit).",
        rich_help_panel=SHEETS_PANEL,
    ),
]

Margin = Annotated[
    str,
    typer.Option(
        metavar="LENGTH",
        help="Keep this clear along the sheet's edges (your printer's border), e.g. 5mm.",
        rich_help_panel=SHEETS_PANEL,
    ),
]

Stations = Annotated[
    int,
    typer.Option(
        "--stations",
        metavar="N",
        help="Sewing stations marked on each signature's centre fold (2 to 12).",
        rich_help_panel=SHEETS_PANEL,
    ),
]

CreepFactor = Annotated[
    float,
    typer.Option(
        "--creep-factor",
        metavar="F",
        help="Multiply the creep shift (1 = one caliper per leaf; 1.2-1.4 for stiff stock).",
        rich_help_panel=SHEETS_PANEL,
    ),
]


def impose_settings(
    *,
    layout: str,
    sheet: str,
    signature: int | None,
    signatures: str | None,
    flyleaves: int,
    printer: str,
    flip: str | None,
    split: bool | str,
    marks: str,
    paper: str | None,
    position: str,
    scale: str,
    margin: str = "0mm",
    stations: int = 3,
    creep_factor: float = 1.0,
) -> ImposeSettings:
    """The checked settings from the command line's options."""
    from fic2book.printing.creep import parse_paper
    from fic2book.printing.sheets import parse_length
    from fic2book.printing.signatures import Signatures, parse_signatures

    if signature is not None and signatures is not None:
        raise UsageError("give --signature or --signatures, not both")
    chosen = Signatures()
    if signatures is not None:
        chosen = parse_signatures(signatures)
    elif signature is not None:
        if signature < 1:
            raise UsageError(f"--signature must be 1 or more sheets, not {signature}")
        chosen = parse_signatures(str(signature))
    if flip is not None:
        edge = flip.strip().lower()
        if edge not in ("short", "long"):
            raise UsageError(f"--flip must be short or long, not {flip!r}")
        printer = f"duplex-{edge}"
    settings = ImposeSettings(
        layout=layout.strip().lower(),
        sheet=sheet.strip().lower(),
        signatures=chosen,
        flyleaves=flyleaves,
        printer=printer.strip().lower(),
        marks=tuple(m.strip().lower() for m in marks.split(",") if m.strip()),
        paper=parse_paper(paper) if paper else None,
        position=position.strip().lower().replace("center", "centre"),
        scale=scale.strip().lower(),
        split=split,
        margin=parse_length(margin, "--margin"),
        sewing_stations=stations,
        creep_factor=creep_factor,
    )
    settings.check()
    return settings


_Source = Annotated[
    Path, typer.Argument(help="The PDF to impose.", metavar="BOOK.pdf", show_default=False)
]

_Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="SHEETS.pdf",
        help="Where to write the sheets; default: BOOK-sheets.pdf beside the book.",
        show_default=False,
    ),
]


def impose(
    source: _Source,
    output: _Output = None,
    layout: Layout = "folio",
    sheet: Sheet = "a4",
    signature: SignatureCount = None,
    signatures: SignatureList = None,
    flyleaves: Flyleaves = 0,
    printer: Printer = "duplex-short",
    flip: Flip = None,
    split: Split = False,
    split_only: SplitOnly = False,
    marks: Marks = "",
    paper: PaperOption = None,
    position: Position = "centre",
    scale: Scale = "fit",
    margin: Margin = "0mm",
    stations: Stations = 3,
    creep_factor: CreepFactor = 1.0,
    debug: Debug = False,
    quiet: Quiet = False,
) -> None:
    """Lay out a PDF on sheets in folding order, ready to print, fold and sew.

    Example: [bold]fic2book impose book.pdf --layout quarto --marks fold,sewing[/bold]
    """
    from fic2book.printing.impose import default_output, describe
    from fic2book.printing.impose import impose as impose_pdf

    target = output or default_output(source)
    with reported(debug):
        settings = impose_settings(
            layout=layout,
            sheet=sheet,
            signature=signature,
            signatures=signatures,
            flyleaves=flyleaves,
            printer=printer,
            flip=flip,
            split="only" if split_only else split,
            marks=marks,
            paper=paper,
            position=position,
            scale=scale,
            margin=margin,
            stations=stations,
            creep_factor=creep_factor,
        )
        result = impose_pdf(source, target, settings)
    if not quiet:
        files = ", ".join(str(path) for path in result.files)
        typer.echo(f"wrote {files}: {describe(result, settings.sheet)}")
