"""``fic2book update``: bring a book of a work in progress up to date from a newer download.

The book keeps the design it was made with (recorded in its EPUB, see
:mod:`fic2book.design_record`): the design options take the same flags as ``convert``, and
only those given on this command line (or in the environment) override the record.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from typer.models import OptionInfo

from fic2book.cli.app import (
    DEFAULTS,
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
)

if TYPE_CHECKING:
    from fic2book.backends import Backend
    from fic2book.model import UpdateEntry


def _recorded(alias: object) -> OptionInfo:
    """The option of ``alias`` (a ``convert`` option) with its default shown as the book's.

    ``update``'s real default for a design option is the value recorded in the book, not
    the library's default that ``convert`` shows: help says ``[default: (the book's)]``.
    """
    info = copy.copy(get_args(alias)[1])
    assert isinstance(info, OptionInfo)
    info.show_default = "the book's"
    return info


_PageSize = Annotated[str, _recorded(PageSizeOption)]
_Smart = Annotated[bool, _recorded(Smart)]
_ChapterTitles = Annotated[str, _recorded(ChapterTitlesOption)]
_ChapterNumbers = Annotated[str, _recorded(ChapterNumbersOption)]
_Style = Annotated[str, _recorded(StyleOption)]
_Theme = Annotated[str, _recorded(ThemeOption)]
_Opening = Annotated[str, _recorded(OpeningOption)]
_Ornament = Annotated[str, _recorded(OrnamentOption)]
_EmbedFonts = Annotated[bool, _recorded(EmbedFontsOption)]
_NoCover = Annotated[bool, _recorded(NoCover)]
_NoSkin = Annotated[bool, _recorded(NoSkin)]
_PdfCover = Annotated[bool, _recorded(PdfCover)]
_PdfUa = Annotated[bool, _recorded(PdfUa)]
_Notes = Annotated[str, _recorded(NotesOption)]
_Summaries = Annotated[str, _recorded(SummariesOption)]

#: Where an option's value counts as the user's choice for this run, over the book's record.
_CHOSEN_SOURCES = frozenset({"COMMANDLINE", "ENVIRONMENT"})


def given_options(ctx: typer.Context) -> frozenset[str]:
    """The parameters the user set on the command line or through the environment.

    A default (or a settings-file default) is not a choice: the book's recorded design wins
    over it.
    """
    chosen = set()
    for name in ctx.params:
        source = ctx.get_parameter_source(name)
        if source is not None and source.name in _CHOSEN_SOURCES:
            chosen.add(name)
    return frozenset(chosen)


def update(
    ctx: typer.Context,
    book: Annotated[
        Path, typer.Argument(help="The EPUB fic2book made.", metavar="BOOK", show_default=False)
    ],
    newer: Annotated[
        Path,
        typer.Argument(help="The newer download of the work.", metavar="NEWER", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write here instead of replacing BOOK; the suffix picks the format "
            "(.epub, .kepub.epub, .pdf).",
            metavar="OUT",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            "-t",
            metavar="FORMAT",
            help="Write this format (epub, kepub, pdf) next to BOOK, named like it, "
            "instead of replacing BOOK.",
            show_default=False,
        ),
    ] = None,
    from_format: FromFormat = None,
    page_size: _PageSize = DEFAULTS.page_size.name,
    template_dir: TemplateDir = None,
    css: Css = None,
    smart: _Smart = DEFAULTS.smart,
    chapter_titles: _ChapterTitles = DEFAULTS.chapter_titles,
    chapter_numbers: _ChapterNumbers = DEFAULTS.chapter_numbers,
    labels: LabelsOption = None,
    style: _Style = DEFAULTS.style,
    theme: _Theme = DEFAULTS.theme,
    opening: _Opening = DEFAULTS.opening,
    ornament: _Ornament = DEFAULTS.ornament,
    front_matter: FrontMatterOption = None,
    bound_by: BoundByOption = None,
    embed_fonts: _EmbedFonts = False,
    cover: Cover = None,
    no_cover: _NoCover = False,
    no_skin: _NoSkin = False,
    pdf_cover: _PdfCover = False,
    pdf_ua: _PdfUa = False,
    gutter: Gutter = None,
    notes: _Notes = DEFAULTS.notes,
    summaries: _Summaries = DEFAULTS.summaries,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
    debug: Debug = False,
) -> None:
    """Rebuild a book from a newer download, mark new chapters and log the update.

    The book keeps its design (theme, page size, notes…); options given here change it.
    Omnibuses (convert --combine) and volumes (--volumes) are refused.

    Example: [bold]fic2book update story.epub story-newer.html[/bold]
    """
    params = dict(locals())
    from fic2book.design_record import DESIGN_FIELDS
    from fic2book.limits import check_input_size
    from fic2book.pipeline import write_atomically
    from fic2book.readers import check_source, read_work
    from fic2book.sandbox import run_limited
    from fic2book.update import update_book, update_day

    with reported(debug):
        options = render_options(params)
        given = given_options(ctx)
        target, backend = _target(book, output, to)
        for source in (book, newer):
            check_source(source)
            check_input_size(source, options.max_input_size)

        def rebuild() -> UpdateEntry:
            # The newer download is untrusted input: read, compare and write it under the
            # same time and memory limits as ``convert``.
            work = read_work(newer, from_format)
            result = update_book(book, work, options, update_day(options), given=given)
            redesigned = not given.isdisjoint(DESIGN_FIELDS)
            if result.entry.news_any or target != book or redesigned:
                write_atomically(backend, result.work, target, result.options or options)
            return result.entry

        entry = run_limited(
            rebuild, timeout=timeout, max_memory=max_memory, what=f"updating {book.name}"
        )
        redesigned = not given.isdisjoint(DESIGN_FIELDS)
    typer.echo(_said(entry, newer, target, wrote=entry.news_any or target != book or redesigned))


def _said(entry: UpdateEntry, newer: Path, target: Path, wrote: bool) -> str:
    """The one line ``update`` prints: the news (or "up to date") and the file it wrote.

    Like ``convert``'s "wrote X", every file written is named; a download with nothing new
    says "up to date" rather than "+0 chapters", even when a new format or design is written.
    """
    from fic2book.naming import shown

    news = (
        entry.news
        if entry.news_any
        else f"up to date: {shown(newer.name)} has no new, changed or removed chapters"
    )
    return f"{news}; wrote {shown(str(target))}" if wrote else news


def _target(book: Path, output: Path | None, to: str | None) -> tuple[Path, Backend]:
    """The file to write and its backend: ``-o``'s suffix, else ``--to``, else BOOK itself."""
    from fic2book.backends import backend_for, backend_for_path
    from fic2book.errors import UsageError

    if to is None:
        target = output or book
        return target, backend_for_path(target)
    backend = backend_for(to.strip().lower())
    if output is None:
        stem = book.name.removesuffix(".kepub.epub").removesuffix(".epub")
        return book.with_name(stem + backend.suffix), backend
    if not output.name.lower().endswith(backend.suffix):
        raise UsageError(f"-o {output} does not match --to {backend.name}")
    return output, backend
