"""The Typer app, the options its commands share, and how errors become exit codes.

This is the only place that knows about exit codes: a :class:`Fic2BookError` becomes one
line ``fic2book: <label>: <message>`` on stderr and the error's exit code (:func:`reported`);
anything else is a bug and keeps its traceback.  Options used by more than one command are
declared here once, as ``Annotated`` aliases, and :func:`render_options` turns the rendering
ones (a command passes its ``locals()``) into a checked :class:`~fic2book.options.RenderOptions`
— so ``convert``, ``batch`` and ``bind``
offer the same flags, help, defaults and checks.

The commands are registered at the bottom of this file (see :mod:`fic2book.cli`).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from fic2book import __version__
from fic2book.errors import Fic2BookError, UsageError
from fic2book.notes import Placement
from fic2book.options import (
    ChapterNumbers,
    ChapterTitles,
    ParagraphStyle,
    RenderOptions,
    bounded_defaults,
)
from fic2book.units import parse_seconds, parse_size

PROG = "fic2book"

app = typer.Typer(
    name=PROG,
    help="Turn fan-fiction works into EPUBs for e-readers and print-ready PDFs.",
    no_args_is_help=True,
    add_completion=False,
    # Plain Python tracebacks for bugs: Rich's pretty ones can dump a whole book as locals.
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: The defaults every command shows and uses: the library's, bounded by the default limits.
DEFAULTS = bounded_defaults()

DESIGN = "Design"
RENDERING = "Rendering"
LIMITS = "Limits"


# ---- errors and exit codes ---------------------------------------------------------------


def fail(err: Fic2BookError, debug: bool) -> int:
    """Report a user-fixable error on one stderr line (with the traceback under ``--debug``)."""
    if debug:
        traceback.print_exception(err, file=sys.stderr)
    message = " ".join(str(err).split()) or type(err).__name__
    typer.echo(f"{PROG}: {err.label}: {message}", err=True)
    return err.exit_code


@contextmanager
def reported(debug: bool) -> Iterator[None]:
    """Turn a :class:`Fic2BookError` raised inside into its line and exit code."""
    try:
        yield
    except Fic2BookError as err:
        raise typer.Exit(fail(err, debug)) from None


def source_date_epoch(environ: Mapping[str, str] = os.environ) -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer, ``None`` when unset; a malformed value is an error."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    # The reproducible-builds spec asks tools to refuse a malformed value, not ignore it.
    if not raw.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}")
    return int(raw)


def split_formats(to: str | Sequence[str] | None) -> list[str] | None:
    """The ``--to`` list without blanks and repeats, in the order asked for.

    ``--to`` may be given several times as well as comma-separated (``--to pdf --to epub``
    means ``--to pdf,epub``): a repeated option silently keeping only its last value would
    drop a book the user asked for.
    """
    if to is None or (not isinstance(to, str) and not to):
        return None
    joined = to if isinstance(to, str) else ",".join(to)
    # dict.fromkeys drops repeats ("epub,epub") and keeps the order asked for.
    names = list(dict.fromkeys(p.strip().lower() for p in joined.split(",") if p.strip()))
    if not names:
        raise UsageError("--to needs at least one format, e.g. --to epub,pdf")
    return names


def _choices(kind: type[StrEnum]) -> str:
    """The metavar of an option taking one of ``kind``'s values: ``keep|end|drop``.

    Such options are plain strings to Typer and are checked by :class:`RenderOptions`, so a
    wrong value gets the project's one-line usage error, as ``--opening`` does, rather than
    Typer's error box.
    """
    return "|".join(member.value for member in kind)


def _size(value: str | int) -> int:
    """``--max-input-size`` and ``--max-memory``: a bad value is a usage error (exit 2)."""
    try:
        return parse_size(value)
    except UsageError as err:
        raise typer.BadParameter(str(err)) from err


def _seconds(value: str | float) -> float:
    """``--timeout``: a bad value is a usage error (exit 2)."""
    try:
        return parse_seconds(value)
    except UsageError as err:
        raise typer.BadParameter(str(err)) from err


# ---- options shared by several commands -------------------------------------------------

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing but errors (no progress either).")
]
FromFormat = Annotated[
    str | None,
    typer.Option(
        "--from", "-f", metavar="FORMAT", help="Input format, when the suffix is not enough."
    ),
]
PageSizeOption = Annotated[
    str,
    typer.Option(
        "--page-size",
        metavar="SIZE",
        help="PDF trim size: a4, a5, letter, 5.5x8.5in, 6x9in or WxH with units.",
        rich_help_panel=RENDERING,
    ),
]
TemplateDir = Annotated[
    Path | None,
    typer.Option(
        help="A folder of templates that override the bundled ones.",
        metavar="DIR",
        exists=True,
        file_okay=False,
        dir_okay=True,
        rich_help_panel=RENDERING,
    ),
]
Css = Annotated[
    list[Path] | None,
    typer.Option(
        help="An extra stylesheet applied after the bundled ones (repeatable).",
        metavar="FILE",
        exists=True,
        file_okay=True,
        dir_okay=False,
        rich_help_panel=RENDERING,
    ),
]
Smart = Annotated[
    bool,
    typer.Option(
        "--smart/--no-smart",
        help="Typeset quotes, apostrophes, dashes and ellipses by the work's language "
        "(--no-smart keeps the text as typed).",
        rich_help_panel=RENDERING,
    ),
]
ChapterTitlesOption = Annotated[
    str,
    typer.Option(
        metavar=_choices(ChapterTitles),
        help="Chapter headings: 'full' (Chapter 3: Title) or 'title' (the title alone).",
        rich_help_panel=RENDERING,
    ),
]
ChapterNumbersOption = Annotated[
    str,
    typer.Option(
        metavar=_choices(ChapterNumbers),
        help="Chapter numbers: 'numerals' (Chapter 12) or 'words' (Chapter Twelve, in the "
        "labels' language).",
        rich_help_panel=RENDERING,
    ),
]
LabelsOption = Annotated[
    str | None,
    typer.Option(
        metavar="LANG",
        help="Language of the book's own words (Contents, Chapter, dates), e.g. fr or zh-Hant; "
        "default: the work's language (English where fic2book has no catalog).",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]
StyleOption = Annotated[
    str,
    typer.Option(
        metavar=_choices(ParagraphStyle),
        help="Paragraphs: 'book' (first-line indents) or 'block' (spaced, like AO3).",
        rich_help_panel=RENDERING,
    ),
]
NotesOption = Annotated[
    str,
    typer.Option(
        metavar=_choices(Placement),
        help="Authors' notes: 'keep' (where they stand), 'end' (an appendix at the end, "
        "linked both ways) or 'drop'.",
        rich_help_panel=RENDERING,
    ),
]
SummariesOption = Annotated[
    str,
    typer.Option(
        metavar=_choices(Placement),
        help="Summaries: 'keep', 'end' or 'drop', as --notes.",
        rich_help_panel=RENDERING,
    ),
]
Cover = Annotated[
    Path | None,
    typer.Option(
        "--cover",
        metavar="FILE",
        help="Your own cover picture (PNG or JPEG) instead of the generated one.",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]
NoCover = Annotated[
    bool,
    typer.Option("--no-cover", help="No cover image or cover page.", rich_help_panel=RENDERING),
]
NoSkin = Annotated[
    bool,
    typer.Option(
        "--no-skin/--skin",
        help="Leave out the work skin (the author's CSS from a saved AO3 page); --skin "
        "puts it back in a book updated without it.",
        rich_help_panel=RENDERING,
    ),
]
PdfCover = Annotated[
    bool,
    typer.Option(
        "--pdf-cover/--no-pdf-cover",
        help="Start the PDF with the cover as a full-bleed page (not for print).",
        rich_help_panel=RENDERING,
    ),
]
PdfUa = Annotated[
    bool,
    typer.Option(
        "--pdf-ua/--no-pdf-ua",
        help="Write a tagged PDF/UA-1 file for screen readers.",
        rich_help_panel=RENDERING,
    ),
]
Gutter = Annotated[
    str | None,
    typer.Option(
        "--gutter",
        metavar="LENGTH",
        help="Extra inner margin for the binding, e.g. 6mm or 0.25in (default: by page size).",
        show_default=False,
        rich_help_panel=RENDERING,
    ),
]
ThemeOption = Annotated[
    str,
    typer.Option(
        "--theme",
        metavar="NAME",
        help="The book's design: classic, modern or ao3 ('fic2book themes' describes them).",
        rich_help_panel=DESIGN,
    ),
]
OpeningOption = Annotated[
    str,
    typer.Option(
        "--opening",
        metavar="STYLE",
        help="Each chapter's first paragraph: dropcap, smallcaps or plain.",
        rich_help_panel=DESIGN,
    ),
]
OrnamentOption = Annotated[
    str,
    typer.Option(
        "--ornament",
        metavar="ORNAMENT",
        help="Scene breaks: asterism (⁂), dinkus (* * *), fleuron (❧), rule, or your own glyph.",
        rich_help_panel=DESIGN,
    ),
]
FrontMatterOption = Annotated[
    str | None,
    typer.Option(
        "--front-matter",
        metavar="LIST",
        help="Pages before the story, in order, from half-title,title,credits,tags "
        "(default: all in the PDF, no half title in the EPUB).",
        show_default=False,
        rich_help_panel=DESIGN,
    ),
]
BoundByOption = Annotated[
    str | None,
    typer.Option(
        "--bound-by",
        metavar="NAME",
        help="Your name on the credits page ('Bound by NAME').",
        show_default=False,
        rich_help_panel=DESIGN,
    ),
]
EmbedFontsOption = Annotated[
    bool,
    typer.Option(
        "--embed-fonts/--no-embed-fonts",
        help="Embed the design's fonts in the EPUB, subset to the characters the book uses "
        "(the PDF always embeds them).",
        rich_help_panel=DESIGN,
    ),
]
NameOption = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="TEMPLATE",
        help="Name books written into a folder, e.g. '{title} - {authors}' or "
        "'{fandom}/{series}/{part:02} {title}'. Fields: title, authors, fandom, series, part, "
        "work_id, rating, language, words, chapters, date.",
        show_default=False,
    ),
]
MaxInputSize = Annotated[
    int,
    typer.Option(
        "--max-input-size",
        metavar="SIZE",
        parser=_size,
        help="Refuse input files larger than this, e.g. 64M or 1G (0: no limit). Default: 16M.",
        show_default=False,
        rich_help_panel=LIMITS,
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        parser=_seconds,
        help="Stop converting a work after this many seconds (0: no limit).",
        rich_help_panel=LIMITS,
    ),
]
MaxMemory = Annotated[
    int,
    typer.Option(
        "--max-memory",
        metavar="SIZE",
        parser=_size,
        help="Address space converting one work may use, e.g. 2G (0: no limit). Default: 4G.",
        show_default=False,
        rich_help_panel=LIMITS,
    ),
]


def render_options(params: Mapping[str, Any]) -> RenderOptions:
    """The checked options from a command's parameters (its ``locals()``); files read now.

    The one mapping from the CLI's rendering options to :class:`RenderOptions`, shared by
    ``convert``, ``batch`` and ``bind``: every parameter named like a field is passed on
    (``None``: the default), on top of :data:`DEFAULTS` so the limits stay bounded;
    ``--bleed``, ``--marks`` and ``--pdf-variant`` make the print shop, and
    ``SOURCE_DATE_EPOCH`` is read from the environment.  ``RenderOptions`` checks every value
    (so a bad ``--gutter`` fails before any work is read) and
    :meth:`~RenderOptions.check_files` reads the cover and the stylesheets.
    """
    fields = {field.name for field in dataclasses.fields(RenderOptions)}
    values = {key: value for key, value in params.items() if key in fields and value is not None}
    values["css"] = tuple(params.get("css") or ())
    values["source_date_epoch"] = source_date_epoch()
    shop = [params.get(key) for key in ("bleed", "marks", "pdf_variant")]
    if any(shop):
        from fic2book.printing.printshop import parse_print_shop

        values["print_shop"] = parse_print_shop(*shop)
    options = DEFAULTS.replace(**values)
    options.check_files()
    if options.labels is not None:
        from fic2book.labels import missing_catalog

        note = missing_catalog(options.labels)
        if note:  # the book is still made, with English labels
            typer.echo(f"{PROG}: warning: {note}", err=True)
    return options


# ---- the app ------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            envvar="FIC2BOOK_CONFIG",
            help="Your settings (default: fic2book.toml in your config folder; "
            "see 'fic2book config path').",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Turn fan-fiction works into EPUBs for e-readers and print-ready PDFs."""
    from fic2book.cli.config import apply_settings

    apply_settings(ctx, config)


def main() -> None:
    """Entry point of the ``fic2book`` console script and ``python -m fic2book``."""
    app(prog_name=PROG)


# The commands, one module each (they import the aliases above, hence the late import).
# Adding a command: add its module to this import and one app.command() line below.
from fic2book.cli import (  # noqa: E402
    batch,
    bind,
    config,
    convert,
    formats,
    impose,
    inspect,
    serve,
    themes,
    update,
)

app.command()(convert.convert)
app.command()(inspect.inspect)
app.command()(impose.impose)
app.command()(bind.bind)
app.command()(formats.formats)
app.command()(batch.batch)
app.command()(serve.serve)
app.command()(themes.themes)
app.command()(update.update)
app.add_typer(config.config_app)
