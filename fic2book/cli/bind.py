"""``fic2book bind``: one work in, the binder's whole kit out (see fic2book.printing.kit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import (
    DEFAULTS,
    RENDERING,
    BoundByOption,
    ChapterNumbersOption,
    ChapterTitlesOption,
    Cover,
    Css,
    Debug,
    FrontMatterOption,
    LabelsOption,
    MaxInputSize,
    MaxMemory,
    NoSkin,
    NotesOption,
    OpeningOption,
    OrnamentOption,
    Quiet,
    Smart,
    StyleOption,
    SummariesOption,
    TemplateDir,
    ThemeOption,
    Timeout,
    render_options,
    reported,
)
from fic2book.cli.impose import (
    CreepFactor,
    Flyleaves,
    Layout,
    Margin,
    Marks,
    PaperOption,
    Position,
    Printer,
    Scale,
    Sheet,
    SignatureCount,
    SignatureList,
    Split,
    Stations,
    impose_settings,
)

_Source = Annotated[
    Path, typer.Argument(help="The work to bind.", metavar="WORK", show_default=False)
]

_Output = Annotated[
    Path,
    typer.Option("--output", "-o", metavar="KIT/", help="The folder to write the kit into."),
]

_Trim = Annotated[
    str,
    typer.Option(
        metavar="SIZE",
        help="Trim size of the book: a5, a4, letter, 5.5x8.5in, 6x9in or WxH with units.",
        rich_help_panel=RENDERING,
    ),
]

_FitSignatures = Annotated[
    bool,
    typer.Option(
        "--fit-signatures",
        help="Nudge leading (±5 %) and bottom margin (±3 mm) to fill whole signatures.",
        rich_help_panel=RENDERING,
    ),
]


#: bind's parameters that are rendering options of the text block (as ``convert`` has them).
_RENDERED = (
    "cover",
    "template_dir",
    "css",
    "smart",
    "chapter_titles",
    "chapter_numbers",
    "labels",
    "style",
    "theme",
    "opening",
    "ornament",
    "front_matter",
    "bound_by",
    "notes",
    "summaries",
    "no_skin",
    "max_input_size",
    "timeout",
    "max_memory",
)


def bind(
    source: _Source,
    output: _Output = Path("kit"),
    trim: _Trim = "a5",
    layout: Layout = "folio",
    sheet: Sheet = "a4",
    signature: SignatureCount = None,
    signatures: SignatureList = None,
    flyleaves: Flyleaves = 1,
    printer: Printer = "duplex-short",
    split: Split = False,
    marks: Marks = "fold,cut,sewing,spine",
    paper: PaperOption = None,
    fit_signatures: _FitSignatures = False,
    position: Position = "centre",
    scale: Scale = "fit",
    margin: Margin = "0mm",
    stations: Stations = 3,
    creep_factor: CreepFactor = 1.0,
    cover: Cover = None,
    template_dir: TemplateDir = None,
    css: Css = None,
    smart: Smart = DEFAULTS.smart,
    chapter_titles: ChapterTitlesOption = DEFAULTS.chapter_titles,
    chapter_numbers: ChapterNumbersOption = DEFAULTS.chapter_numbers,
    labels: LabelsOption = None,
    style: StyleOption = DEFAULTS.style,
    theme: ThemeOption = DEFAULTS.theme,
    opening: OpeningOption = DEFAULTS.opening,
    ornament: OrnamentOption = DEFAULTS.ornament,
    front_matter: FrontMatterOption = None,
    bound_by: BoundByOption = None,
    notes: NotesOption = DEFAULTS.notes,
    summaries: SummariesOption = DEFAULTS.summaries,
    no_skin: NoSkin = False,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
    debug: Debug = False,
    quiet: Quiet = False,
) -> None:
    """Make a binder's kit: text block, sheets, wrap cover, calibration page, binding sheet.

    Example: [bold]fic2book bind work.html -o kit/ --layout quarto --paper 80gsm
    --theme modern --opening dropcap[/bold]
    """
    params = dict(locals())
    from fic2book.printing.creep import parse_paper
    from fic2book.printing.kit import DEFAULT_PAPER, KitSettings, make_kit, signature_pages

    with reported(debug):
        settings = impose_settings(
            layout=layout,
            sheet=sheet,
            signature=signature,
            signatures=signatures,
            flyleaves=flyleaves,
            printer=printer,
            flip=None,
            split=split,
            marks=marks,
            paper=paper,
            position=position,
            scale=scale,
            margin=margin,
            stations=stations,
            creep_factor=creep_factor,
        )
        # The rendering and design options by name; --marks here are the binder's, not a
        # print shop's, so they are not passed on.
        options = render_options({key: params[key] for key in _RENDERED} | {"page_size": trim})
        kit = make_kit(
            source,
            output,
            KitSettings(
                impose=settings,
                render=options,
                paper=parse_paper(paper or DEFAULT_PAPER),
                fit_signatures=fit_signatures,
            ),
        )
    if not quiet:
        if kit.fit is not None:
            typer.echo(f"fitted: {kit.fit.describe(signature_pages(settings))}")
        data = kit.binding
        typer.echo(
            f"wrote {len(kit.files)} files to {output}: {data['text_pages']} pages on "
            f"{data['sheets']} {data['sheet']} sheets, {data['layout']} "
            f"({data['signature_choice']}), spine {data['spine_width_mm']:g} mm"
        )
