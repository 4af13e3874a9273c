"""``fic2book batch``: every work in a folder tree, in parallel, skipping books up to date."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import (
    DEFAULTS,
    BoundByOption,
    ChapterNumbersOption,
    ChapterTitlesOption,
    Cover,
    Css,
    Debug,
    EmbedFontsOption,
    FrontMatterOption,
    Gutter,
    LabelsOption,
    MaxInputSize,
    MaxMemory,
    NameOption,
    NoCover,
    NoSkin,
    NotesOption,
    OpeningOption,
    OrnamentOption,
    PageSizeOption,
    PdfCover,
    PdfUa,
    Smart,
    StyleOption,
    SummariesOption,
    TemplateDir,
    ThemeOption,
    Timeout,
    render_options,
    reported,
    split_formats,
)
from fic2book.errors import UsageError

_Source = Annotated[
    Path,
    typer.Argument(
        help="The folder of works; read recursively.", metavar="FOLDER", show_default=False
    ),
]

_Output = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        metavar="FOLDER",
        help="Where the books go, in the same sub-folders as their inputs.",
        show_default=False,
    ),
]

_To = Annotated[
    list[str],
    typer.Option(
        "--to",
        "-t",
        metavar="FORMATS",
        help="Output formats, comma-separated or repeated (epub, pdf).",
    ),
]

_Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        # Typer's min= (not a check in the body) so a settings file's `jobs = 0` is refused
        # with its line (fic2book.config); on the command line it gives Typer's error box.
        min=1,
        metavar="N",
        help="Worker processes. Default: one per core.",
        show_default=False,
    ),
]

_Report = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Write a JSON report: per input its status, books, error and seconds.",
        dir_okay=False,
    ),
]

_Force = Annotated[
    bool,
    typer.Option(
        "--force", help="Rebuild books even when they are up to date (and a corrupt manifest)."
    ),
]

_FollowSymlinks = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Read symlinked files leading outside FOLDER (skipped with a warning otherwise).",
    ),
]

_Scheduler = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Run the works on a Dask cluster, e.g. tcp://host:8786 "
        "(pip install 'fic2book\\[dask]').",
        show_default=False,
    ),
]

_FromFormat = Annotated[
    str | None,
    typer.Option(
        "--from",
        "-f",
        metavar="FORMAT",
        help="Read every input with this reader (and take only its suffixes).",
    ),
]

_Combine = Annotated[
    str | None,
    typer.Option(
        metavar="series",
        help="'series': one book per series found (an omnibus), other works one by one; "
        "books whose inputs and options are unchanged are skipped.",
        show_default=False,
    ),
]

_Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress and no summary; failures only.")
]


def batch(
    source: _Source,
    output: _Output,
    to: _To = ["epub"],  # noqa: B006 - Typer reads the default; it is never mutated
    jobs: _Jobs = None,
    report: _Report = None,
    force: _Force = False,
    follow_symlinks: _FollowSymlinks = False,
    scheduler: _Scheduler = None,
    from_format: _FromFormat = None,
    page_size: PageSizeOption = DEFAULTS.page_size.name,
    template_dir: TemplateDir = None,
    css: Css = None,
    smart: Smart = DEFAULTS.smart,
    chapter_titles: ChapterTitlesOption = DEFAULTS.chapter_titles,
    chapter_numbers: ChapterNumbersOption = DEFAULTS.chapter_numbers,
    labels: LabelsOption = None,
    style: StyleOption = DEFAULTS.style,
    combine: _Combine = None,
    notes: NotesOption = DEFAULTS.notes,
    summaries: SummariesOption = DEFAULTS.summaries,
    theme: ThemeOption = DEFAULTS.theme,
    opening: OpeningOption = DEFAULTS.opening,
    ornament: OrnamentOption = DEFAULTS.ornament,
    front_matter: FrontMatterOption = None,
    bound_by: BoundByOption = None,
    embed_fonts: EmbedFontsOption = False,
    cover: Cover = None,
    no_cover: NoCover = False,
    no_skin: NoSkin = False,
    pdf_cover: PdfCover = False,
    pdf_ua: PdfUa = False,
    gutter: Gutter = None,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
    name: NameOption = None,
    debug: Debug = False,
    quiet: _Quiet = False,
) -> None:
    """Convert every work in a folder tree, in parallel; skip books that are up to date.

    Example: [bold]fic2book batch library/ -o books/ --to epub,pdf --report report.json[/bold]
    """
    params = dict(locals())
    import signal

    from fic2book.batch import BatchConfig, PlainDisplay, RichDisplay, print_summary, run_batch
    from fic2book.pipeline import backends_for

    with reported(debug):
        options = render_options(params)
        formats = tuple(split_formats(to) or ["epub"])
        backends_for(formats)  # an unknown format fails before any work is read
        if combine is not None and combine.strip().lower() != "series":
            raise UsageError(f"--combine must be 'series', not {combine!r}")
        config = BatchConfig(
            source=source,
            output=output,
            formats=formats,
            options=options,
            from_format=from_format,
            jobs=jobs or 0,
            force=force,
            follow_symlinks=follow_symlinks,
            scheduler=scheduler,
            report=report,
        )
    interactive = not quiet and sys.stderr.isatty()
    display = RichDisplay(debug) if interactive else PlainDisplay(quiet, debug)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM (a service manager, kill) stops as cleanly as Ctrl-C.
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with reported(debug):
            if combine is not None:
                from fic2book.batch.series import run_series

                summary = run_series(config, display)
            else:
                summary = run_batch(config, display)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not quiet:
        print_summary(summary, config)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)
