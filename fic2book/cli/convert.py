"""``fic2book convert``: works into EPUB and/or PDF books."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    EmbedFontsOption,
    FromFormat,
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
    Quiet,
    Smart,
    StyleOption,
    SummariesOption,
    TemplateDir,
    ThemeOption,
    Timeout,
    fail,
    render_options,
    reported,
    split_formats,
)
from fic2book.errors import Fic2BookError, UsageError
from fic2book.options import RenderOptions

if TYPE_CHECKING:
    from rich.console import Console

    from fic2book.backends import Backend


@contextmanager
def _progress(console: Console | None, source: Path) -> Iterator[None]:
    """Show the stages of one book on ``console`` (none without a console)."""
    if console is None:
        yield
        return
    from fic2book.progress import StageDisplay, listening

    with StageDisplay(console, source.name) as display, listening(display.stage):
        yield


def _looks_like_folder(raw: str) -> bool:
    # Path() drops a trailing slash, so look at the string the user typed.
    return raw.endswith(("/", os.sep)) or Path(raw).is_dir()


def plan(
    sources: list[Path], to: str | Sequence[str] | None, output: str | None
) -> tuple[list[str], Path, bool]:
    """Decide the formats, the output path and whether that path is a folder."""
    from fic2book.backends import BACKENDS, backend_for, backend_for_path

    formats = split_formats(to)
    if formats is not None:
        # Unknown names fail here, before any input is read.
        for name in formats:
            backend_for(name)
    if output is None:
        return formats or ["epub"], Path("."), True
    target = Path(output)
    explicit_folder = _looks_like_folder(output)
    if formats is None:
        if explicit_folder or len(sources) > 1:
            formats = ["epub"]
        else:
            formats = [backend_for_path(target).name]
    backends: list[Backend] = [backend_for(name) for name in formats]
    into_folder = explicit_folder or len(sources) > 1 or len(backends) > 1
    book_suffixes = {cls.suffix for cls in BACKENDS.values()}
    suffix = target.suffix.lower()
    if into_folder and not explicit_folder and suffix in book_suffixes:
        raise UsageError(
            f"-o {output} names one book but {len(sources)} input(s) x {len(backends)} "
            "format(s) were asked for; give a folder (ending in '/')"
        )
    matches_format = target.name.lower().endswith(backends[0].suffix)
    if not into_folder and suffix in book_suffixes and not matches_format:
        raise UsageError(f"-o {output} does not match --to {backends[0].name}")
    return formats, target, into_folder


_Sources = Annotated[
    list[Path],
    typer.Argument(
        help="Work files to convert (fic2book formats lists the kinds it reads).",
        metavar="FILE",
        show_default=False,
    ),
]

_To = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        "-t",
        metavar="FORMATS",
        help="Output formats, comma-separated or repeated (epub, pdf). "
        "Default: from -o's suffix, else epub.",
        show_default=False,
    ),
]

_Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="The book file (one input, one format) or a folder (ends in '/', exists, or "
        "several books); default: the current folder.",
        show_default=False,
    ),
]

_Bleed = Annotated[
    str | None,
    typer.Option(
        metavar="LENGTH",
        help="Print shops: bleed round each PDF page, e.g. 3mm (TrimBox and BleedBox).",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]

_Marks = Annotated[
    str | None,
    typer.Option(
        metavar="LIST",
        help="Print shops: crop and/or cross marks outside the PDF's trim, e.g. crop,cross.",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]

_PdfVariant = Annotated[
    str | None,
    typer.Option(
        metavar="VARIANT",
        help="Print shops: pdf/x-3, pdf/x-4 or pdf/x-5g (sRGB output intent).",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]

_FitSignatures = Annotated[
    int | None,
    typer.Option(
        "--fit-signatures",
        metavar="PAGES",
        help="Nudge the PDF's leading (±5 %) and bottom margin (±3 mm) to fill whole "
        "signatures of PAGES pages, e.g. 16.",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]

_Combine = Annotated[
    bool,
    typer.Option(
        "--combine",
        help="Bind all the inputs into one book (an omnibus), ordered by series part.",
    ),
]

_Title = Annotated[
    str | None,
    typer.Option(
        metavar="TITLE",
        help="The omnibus's title with --combine (default: the series, else the titles).",
        show_default=False,
    ),
]

_Volumes = Annotated[
    str | None,
    typer.Option(
        metavar="RANGES",
        help="Split each work into volumes by chapter ranges, e.g. 1-10,11-20,21- "
        "(each a complete book, named '... - Volume 1'), or 'auto' with --max-pages.",
        show_default=False,
    ),
]

#: The smallest ``--max-pages``: a volume has its front matter and contents besides the story.
#: Checked in :func:`_check_modes`, not by Typer's ``min=``, for the one-line usage error.
_MIN_PAGES = 8

_MaxPages = Annotated[
    int | None,
    typer.Option(
        "--max-pages",
        metavar="N",
        help="With --volumes auto: volumes of about N PDF pages each, cut at chapters.",
        show_default=False,
    ),
]

_VolumeTags = Annotated[
    str,
    typer.Option(
        "--volume-tags",
        metavar="first|each",
        help="With --volumes: the tag summary in every volume, or in the first only.",
    ),
]


def convert(
    sources: _Sources,
    to: _To = None,
    output: _Output = None,
    from_format: FromFormat = None,
    page_size: PageSizeOption = DEFAULTS.page_size.name,
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
    embed_fonts: EmbedFontsOption = False,
    cover: Cover = None,
    no_cover: NoCover = False,
    no_skin: NoSkin = False,
    pdf_cover: PdfCover = False,
    pdf_ua: PdfUa = False,
    gutter: Gutter = None,
    bleed: _Bleed = None,
    marks: _Marks = None,
    pdf_variant: _PdfVariant = None,
    fit_signatures: _FitSignatures = None,
    combine: _Combine = False,
    title: _Title = None,
    notes: NotesOption = DEFAULTS.notes,
    summaries: SummariesOption = DEFAULTS.summaries,
    volumes: _Volumes = None,
    max_pages: _MaxPages = None,
    volume_tags: _VolumeTags = DEFAULTS.volume_tags,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
    name: NameOption = None,
    debug: Debug = False,
    quiet: Quiet = False,
) -> None:
    """Convert works into EPUB and/or PDF books.

    Some uses:

    [bold]fic2book convert work.txt --to epub,pdf -o out/[/bold]

    [bold]fic2book convert one.html two.epub --combine -o saga.epub[/bold]
    (one omnibus book of several works; --title names it)

    [bold]fic2book convert epic.html --to pdf --volumes auto --max-pages 300[/bold]
    (a long work as volumes; or chapter ranges: --volumes 1-10,11-20)

    [bold]fic2book convert work.html --theme modern[/bold]
    (another design: 'fic2book themes' lists them)
    """
    params = dict(locals())
    with reported(debug):
        options = render_options(params)
        # An omnibus is one book, however many inputs it binds.
        formats, target, into_folder = plan(sources[:1] if combine else sources, to, output)
        _check_modes(volumes, max_pages, combine, title, fit_signatures)
    if combine:
        _combine(sources, formats, target, options, from_format, title, into_folder, debug, quiet)
        return
    # Progress only for a person watching: on a terminal, and not with --quiet.
    console = None
    if not quiet and sys.stderr.isatty():
        from rich.console import Console

        console = Console(stderr=True)
    first_failure = 0
    run = _Run(formats, target, options, from_format, into_folder, volumes, max_pages)
    for source in sources:
        try:
            with _progress(console, source):
                written = run.convert(source, fit_signatures, quiet)
        except Fic2BookError as err:
            code = fail(err, debug)  # every failure is reported, the first one's code kept
            first_failure = first_failure or code
            continue
        if not quiet:
            for path in written:
                typer.echo(f"wrote {path}")
    if first_failure:
        raise typer.Exit(first_failure)


def _check_modes(
    volumes: str | None,
    max_pages: int | None,
    combine: bool,
    title: str | None,
    fit_signatures: int | None,
) -> None:
    """Refuse the combinations of --volumes, --combine, --title and --fit-signatures that clash."""
    if (max_pages is not None) != (volumes is not None and volumes.strip() == "auto"):
        raise UsageError("--volumes auto and --max-pages go together")
    if max_pages is not None and max_pages < _MIN_PAGES:
        raise UsageError(f"--max-pages must be at least {_MIN_PAGES}, not {max_pages}")
    if volumes is not None and (combine or fit_signatures is not None):
        raise UsageError("--volumes cannot be used with --combine or --fit-signatures")
    if volumes is not None and volumes.strip() != "auto":
        from fic2book.volumes import check_volumes

        check_volumes(volumes)  # a range wrong for every work fails before any is read
    if title is not None and not combine:
        raise UsageError("--title needs --combine")
    if fit_signatures is not None and not 4 <= fit_signatures <= 128:
        raise UsageError(f"--fit-signatures must be 4 to 128 pages, not {fit_signatures}")


@dataclass
class _Run:
    """What every work of one ``convert`` run shares; :meth:`convert` converts one."""

    formats: list[str]
    target: Path
    options: RenderOptions
    from_format: str | None
    into_folder: bool
    volumes: str | None
    max_pages: int | None
    #: The books written so far, so two works never write the same file.
    taken: set[Path] = field(default_factory=set)

    def convert(self, source: Path, fit_signatures: int | None, quiet: bool) -> list[Path]:
        """One work as volumes, fitted to signatures, or one book per format."""
        if self.volumes is not None:
            from fic2book.pipeline import convert_volumes

            written = convert_volumes(
                source,
                self.formats,
                self.target,
                self.options,
                self.volumes,
                self.from_format,
                into_folder=self.into_folder,
                taken=self.taken,
                max_pages=self.max_pages,
            )
            if len(written) == len(self.formats) and not quiet:  # one book per format
                typer.echo(f"{source}: the work fits in one volume, so it is one plain book")
            return written
        if fit_signatures is not None:
            from fic2book.printing.fit import convert_fitted

            written, fit = convert_fitted(
                source,
                self.formats,
                self.target,
                self.options,
                fit_signatures,
                self.from_format,
                into_folder=self.into_folder,
                taken=self.taken,
            )
            if fit is not None and not quiet:
                typer.echo(f"fitted {source}: {fit.describe(fit_signatures)}")
            return written
        from fic2book.pipeline import convert_file

        return convert_file(
            source,
            self.formats,
            self.target,
            self.options,
            self.from_format,
            into_folder=self.into_folder,
            taken=self.taken,
        )


def _once_each(sources: list[Path]) -> list[Path]:
    """The inputs of an omnibus with a file given twice (``a.html a.html``) kept once.

    A repeat is a slip of the shell (an overlapping glob), not a wish for the work twice:
    it is dropped with a warning.  Two different files of one work are refused later
    (:func:`fic2book.pipeline.check_distinct_works`): which download is wanted is unknown.
    """
    from fic2book.naming import shown

    kept: dict[Path, Path] = {}
    for source in sources:
        first = kept.setdefault(source.resolve(), source)
        if first is not source:
            typer.echo(
                f"fic2book: warning: {shown(str(source))} is given twice; combined once",
                err=True,
            )
    return list(kept.values())


def _combine(
    sources: list[Path],
    formats: list[str],
    target: Path,
    options: RenderOptions,
    from_format: str | None,
    title: str | None,
    into_folder: bool,
    debug: bool,
    quiet: bool,
) -> None:
    """``convert --combine``: one omnibus book per format from every input."""
    from fic2book.pipeline import convert_combined

    sources = _once_each(sources)
    try:
        written = convert_combined(
            sources, formats, target, options, from_format, title=title, into_folder=into_folder
        )
    except Fic2BookError as err:
        raise typer.Exit(fail(err, debug)) from None
    if not quiet:
        for path in written:
            typer.echo(f"wrote {path}")
