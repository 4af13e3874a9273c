"""The ``fic2book`` command: a thin Typer layer over :mod:`fic2book.pipeline`.

This is the only module that knows about exit codes: a :class:`Fic2BookError` becomes one line
``fic2book: <label>: <message>`` on stderr and the error's exit code; anything else is a bug and
keeps its traceback.  The pipeline, readers and backends are imported inside the commands, so
``--help`` and ``inspect`` never load ebooklib or WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import gc
import inspect as pyinspect  # the name ``inspect`` is a command below
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from fic2book import __version__
from fic2book.errors import Fic2BookError, UsageError
from fic2book.fastparams import install as _install_fast_params
from fic2book.limits import (
    DEFAULT_MAX_INPUT_SIZE,
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    parse_seconds,
    parse_size,
)
from fic2book.options import CHAPTER_TITLES, STYLES, RenderOptions, choice

if TYPE_CHECKING:
    from fic2book.backends import Backend
    from fic2book.plaintable import Column as PlainColumn

# Plain option values are converted without pydantic: ~0.15 s off every command's start-up.
_install_fast_params()

app = typer.Typer(
    name="fic2book",
    help="Turn fan-fiction works into EPUBs for e-readers and print-ready PDFs.",
    no_args_is_help=True,
    add_completion=False,
    # Plain Python tracebacks for bugs: Rich's pretty ones can dump a whole book as locals.
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PROG = "fic2book"


def _fail(err: Fic2BookError, debug: bool) -> int:
    """Report a user-fixable error on one stderr line (with the traceback under ``--debug``)."""
    if debug:
        traceback.print_exception(err, file=sys.stderr)
    message = " ".join(str(err).split()) or type(err).__name__
    typer.echo(f"{PROG}: {err.label}: {message}", err=True)
    return err.exit_code


def _exit(err: Fic2BookError, debug: bool) -> NoReturn:
    raise typer.Exit(_fail(err, debug))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Turn fan-fiction works into EPUBs for e-readers and print-ready PDFs."""


def source_date_epoch(environ: dict[str, str] | os._Environ[str] = os.environ) -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer, ``None`` when unset; a malformed value is an error."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    # The reproducible-builds spec asks tools to refuse a malformed value, not ignore it.
    if not raw.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}")
    return int(raw)


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


def _split_formats(to: str | None) -> list[str] | None:
    if to is None:
        return None
    # dict.fromkeys drops repeats ("epub,epub") and keeps the order asked for.
    names = list(dict.fromkeys(part.strip().lower() for part in to.split(",") if part.strip()))
    if not names:
        raise UsageError("--to needs at least one format, e.g. --to epub,pdf")
    return names


def _looks_like_folder(raw: str) -> bool:
    # Path() drops a trailing slash, so look at the string the user typed.
    return raw.endswith(("/", os.sep)) or Path(raw).is_dir()


def _plan(sources: list[Path], to: str | None, output: str | None) -> tuple[list[str], Path, bool]:
    """Decide the formats, the output path and whether that path is a folder."""
    from fic2book.backends import BACKENDS, backend_for, backend_for_path

    formats = _split_formats(to)
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
    if not into_folder and suffix in book_suffixes and suffix != backends[0].suffix:
        raise UsageError(f"-o {output} does not match --to {backends[0].name}")
    return formats, target, into_folder


@app.command()
def convert(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Work files to convert (.txt in the seed format).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            "-t",
            metavar="FORMATS",
            help="Output formats, comma-separated (epub, pdf). Default: from -o's suffix, else "
            "epub.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="The book file (one input, one format) or a folder (ends in '/', exists, or "
            "several books); default: the current folder.",
            show_default=False,
        ),
    ] = None,
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from", "-f", metavar="FORMAT", help="Input format, when the suffix is not enough."
        ),
    ] = None,
    page_size: Annotated[
        str,
        typer.Option(
            metavar="SIZE",
            help="PDF trim size: a4, a5, letter, 5.5x8.5in, 6x9in or WxH with units.",
        ),
    ] = "a5",
    template_dir: Annotated[
        Path | None,
        typer.Option(
            help="A folder of templates that override the bundled ones.",
            metavar="DIR",
            exists=True,
            file_okay=False,
            dir_okay=True,
        ),
    ] = None,
    css: Annotated[
        list[Path] | None,
        typer.Option(
            help="An extra stylesheet applied after the bundled ones (repeatable).",
            metavar="FILE",
            exists=True,
            file_okay=True,
            dir_okay=False,
        ),
    ] = None,
    smart: Annotated[
        bool,
        typer.Option(
            "--smart/--no-smart",
            help="Typeset quotes, apostrophes, dashes and ellipses by the work's language "
            "(--no-smart keeps the text as typed).",
        ),
    ] = True,
    chapter_titles: Annotated[
        str,
        typer.Option(
            metavar="full|title",
            help="Chapter headings: 'full' (Chapter 3: Title) or 'title' (the title alone).",
        ),
    ] = "full",
    style: Annotated[
        str,
        typer.Option(
            metavar="book|block",
            help="Paragraphs: 'book' (first-line indents) or 'block' (spaced, like AO3).",
        ),
    ] = "book",
    cover: Annotated[
        Path | None,
        typer.Option(
            "--cover",
            metavar="FILE",
            help="Your own cover picture (PNG or JPEG) instead of the generated one.",
            show_default=False,
        ),
    ] = None,
    no_cover: Annotated[
        bool, typer.Option("--no-cover", help="No cover image or cover page.")
    ] = False,
    pdf_cover: Annotated[
        bool,
        typer.Option(
            "--pdf-cover", help="Start the PDF with the cover as a full-bleed page (not for print)."
        ),
    ] = False,
    pdf_ua: Annotated[
        bool, typer.Option("--pdf-ua", help="Write a tagged PDF/UA-1 file for screen readers.")
    ] = False,
    gutter: Annotated[
        str | None,
        typer.Option(
            "--gutter",
            metavar="LENGTH",
            help="Extra inner margin for the binding, e.g. 6mm or 0.25in (default: by page size).",
            show_default=False,
        ),
    ] = None,
    max_input_size: Annotated[
        int,
        typer.Option(
            "--max-input-size",
            metavar="SIZE",
            parser=_size,
            help="Refuse input files larger than this, e.g. 64M or 1G (0: no limit). Default: 64M.",
            show_default=False,
        ),
    ] = DEFAULT_MAX_INPUT_SIZE,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            parser=_seconds,
            help="Stop rendering a book after this many seconds (0: no limit).",
        ),
    ] = DEFAULT_TIMEOUT,
    max_memory: Annotated[
        int,
        typer.Option(
            "--max-memory",
            metavar="SIZE",
            parser=_size,
            help="Address space one book's rendering may use, e.g. 2G (0: no limit). Default: 4G.",
            show_default=False,
        ),
    ] = DEFAULT_MAX_MEMORY,
    pdf_jobs: Annotated[
        int,
        typer.Option(
            "--pdf-jobs",
            metavar="N",
            min=0,
            help="Processes that lay out one PDF together; the same PDF page for page "
            "(0: one per core, at most 4; batch: 0 means 1, its workers use every core).",
        ),
    ] = 0,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Convert works into EPUB and/or PDF books.

    Example: fic2book convert work.txt --to epub,pdf -o out/
    """
    try:
        from fic2book.options import page_size_mm
        from fic2book.pipeline import convert_file

        page_size_mm(page_size)  # refuse a bad size now, not after a long EPUB
        if cover is not None and no_cover:
            raise UsageError("--cover and --no-cover contradict each other")
        if pdf_cover and no_cover:
            raise UsageError("--pdf-cover and --no-cover contradict each other")
        if cover is not None:
            from fic2book.cover import load_cover_file

            load_cover_file(cover)  # a bad picture is reported before any book is made
        options = RenderOptions(
            smart=smart,
            chapter_titles=choice("--chapter-titles", chapter_titles, CHAPTER_TITLES),
            style=choice("--style", style, STYLES),
            page_size=page_size.strip().lower(),
            template_dir=template_dir,
            css=tuple(css or ()),
            source_date_epoch=source_date_epoch(),
            cover=cover,
            no_cover=no_cover,
            pdf_cover=pdf_cover,
            pdf_ua=pdf_ua,
            gutter=gutter,
            max_input_size=max_input_size,
            timeout=timeout,
            max_memory=max_memory,
            pdf_jobs=pdf_jobs,
        )
        if gutter is not None:
            from fic2book.backends.pdf import page_geometry

            page_geometry(options.page_size, gutter)  # a bad --gutter fails before any book
        formats, target, into_folder = _plan(sources, to, output)
    except Fic2BookError as err:
        _exit(err, debug)

    first_failure = 0
    taken: set[Path] = set()
    for source in sources:
        try:
            written = convert_file(
                source,
                formats,
                target,
                options,
                from_format,
                into_folder=into_folder,
                taken=taken,
            )
        except Fic2BookError as err:
            code = _fail(err, debug)
            first_failure = first_failure or code
            continue
        if not quiet:
            for path in written:
                typer.echo(f"wrote {path}")
    if first_failure:
        raise typer.Exit(first_failure)


def _joined(value: Any) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _table_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    """Build the (label, value) rows of the ``inspect`` table, in AO3's preface order."""
    series = [
        f"Part {s['part']} of {s['name']}" if s["part"] is not None else s["name"]
        for s in info["series"]
    ]
    words = info["words"]
    if info["words_declared"] is not None and info["words_declared"] != info["words_counted"]:
        words = f"{info['words_declared']:,} declared, {info['words_counted']:,} counted"
    elif isinstance(words, int):
        words = f"{words:,}"
    language = info["language"]
    if info["language_name"]:
        language = f"{info['language_name']} ({language})"
    rows: list[tuple[str, Any]] = [
        ("Title", info["title"]),
        ("Authors", info["authors"]),
        ("Rating", info["rating"]),
        ("Archive Warnings", info["warnings"]),
        ("Categories", info["categories"]),
        ("Fandoms", info["fandoms"]),
        ("Relationships", info["relationships"]),
        ("Characters", info["characters"]),
        ("Additional Tags", info["additional_tags"]),
        ("Language", language),
        ("Series", series),
        ("Collections", info["collections"]),
        ("Published", info["published"]),
        ("Updated", info["updated"]),
        ("Completed", info["completed"]),
        ("Words", words),
        ("Chapters", info["chapters_label"] or len(info["chapters"])),
        ("Status", info["status"]),
        ("Kudos", info["kudos"]),
        ("Hits", info["hits"]),
        ("Bookmarks", info["bookmarks"]),
        ("Comments", info["comments"]),
        ("Work ID", info["work_id"]),
        ("URL", info["url"]),
        ("Summary", info["summary"]),
        ("Notes", info["notes"]),
        ("End Notes", info["end_notes"]),
    ]
    rows += [(extra["label"], extra["value"]) for extra in info["extra"]]
    rows += [("Image", f"{a['href']} ({a['media_type']})") for a in info["assets"]]
    return [(label, _joined(value)) for label, value in rows if _joined(value)]


def _inspect_tables(
    info: dict[str, Any],
) -> list[tuple[str, list[PlainColumn], list[list[str]], bool]]:
    """The two ``inspect`` tables: (title, columns, rows, show header)."""
    from fic2book.plaintable import Column

    fields = [Column(no_wrap=True), Column(fold=True)]
    chapter_columns = [
        Column("#", justify="right"),
        Column("Heading", fold=True),
        Column("Words", justify="right"),
        Column("Summary / notes / end notes", fold=True),
    ]
    chapters = []
    for chapter in info["chapters"]:
        flags = [
            name
            for name, present in (
                ("summary", chapter["has_summary"]),
                ("notes", chapter["has_notes"]),
                ("end notes", chapter["has_end_notes"]),
            )
            if present
        ]
        chapters.append(
            [
                str(chapter["number"]),
                chapter["heading"],
                f"{chapter['words']:,}",
                ", ".join(flags) or "-",
            ]
        )
    work_rows = [[label, value] for label, value in _table_rows(info)]
    return [
        (info["title"], fields, work_rows, False),
        ("Chapters", chapter_columns, chapters, True),
    ]


def _print_table(info: dict[str, Any]) -> None:
    from fic2book.plaintable import plain_output_width, render_table

    tables = _inspect_tables(info)
    # Without a terminal there is no bold to show: the same layout, without Rich's start-up.
    width = plain_output_width()
    if width is not None:
        texts = [render_table(title, cols, rows, width, head) for title, cols, rows, head in tables]
        if all(text is not None for text in texts):
            sys.stdout.write("".join(text or "" for text in texts))
            return

    from rich.console import Console
    from rich.table import Table

    # Text from a work is never Rich markup: "[Chapter 1]" (or ":heart:") must print as typed.
    console = Console(highlight=False, markup=False, emoji=False)
    for title, columns, rows, show_header in tables:
        table = Table(title=title, show_header=show_header, show_lines=False)
        for column in columns:
            table.add_column(
                column.header,
                justify=column.justify,
                no_wrap=column.no_wrap,
                overflow="fold" if column.fold else "ellipsis",
                # The work table's labels stand out in a terminal.
                style="bold" if column.no_wrap else None,
            )
        for row in rows:
            table.add_row(*row)
        console.print(table)


@app.command()
def inspect(
    source: Annotated[
        Path, typer.Argument(help="The work file to read.", metavar="FILE", show_default=False)
    ],
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from", "-f", metavar="FORMAT", help="Input format, when the suffix is not enough."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Show everything fic2book parsed from a work.

    Example: fic2book inspect work.txt --json
    """
    from fic2book.describe import describe
    from fic2book.readers import check_source, read_work

    try:
        check_source(source)
        info = describe(read_work(source, from_format))
    except Fic2BookError as err:
        _exit(err, debug)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        _print_table(info)


@app.command()
def impose(
    source: Annotated[
        Path, typer.Argument(help="The PDF to impose.", metavar="BOOK.pdf", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="SHEETS.pdf",
            help="Where to write the sheets; default: BOOK-sheets.pdf beside the book.",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str,
        typer.Option(metavar="SIZE", help="Sheet size, landscape: letter, a4, tabloid or a3."),
    ] = "a4",
    signature: Annotated[
        int,
        typer.Option(metavar="N", help="Folded sheets per signature (4N pages each)."),
    ] = 4,
    flip: Annotated[
        str,
        typer.Option(
            metavar="EDGE",
            help="How the printer turns the sheet for the back: short or long (edge).",
        ),
    ] = "short",
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Lay out a PDF two-up on sheets in folding order for duplex printing and binding.

    Example: fic2book impose book.pdf -o sheets.pdf --sheet letter --signature 4
    """
    from fic2book import impose as imposition

    sheet_name, flip_edge = sheet.strip().lower(), flip.strip().lower()
    target = output or imposition.default_output(source)
    try:
        imposition.check_settings(signature, flip_edge, sheet_name)
        result = imposition.impose(
            source,
            target,
            sheet_name,
            signature,
            "long" if flip_edge == "long" else "short",
        )
    except Fic2BookError as err:
        _exit(err, debug)
    if not quiet:
        typer.echo(f"wrote {target}: {imposition.describe(result, sheet_name, signature)}")


@app.command()
def formats() -> None:
    """List the input readers and output backends.

    Example: fic2book formats
    """
    from fic2book.backends import BACKENDS
    from fic2book.readers import reader_infos

    # The readers' own table: listing them imports none of their modules.
    readers = sorted(reader_infos(), key=lambda info: info.name)
    # Columns as wide as the longest name and suffix list ("ao3-html", ".md, .markdown").
    rows = [
        *((r.name, ", ".join(r.suffixes), r.description) for r in readers),
        *((name, b.suffix, b.description) for name, b in sorted(BACKENDS.items())),
    ]
    name_width = max(8, *(len(row[0]) for row in rows))
    suffix_width = max(12, *(len(row[1]) for row in rows))
    for index, (name, suffixes, description) in enumerate(rows):
        if index == 0:
            typer.echo("Input formats (--from):")
        elif index == len(readers):
            typer.echo("Output formats (--to):")
        typer.echo(f"  {name:<{name_width}} {suffixes:<{suffix_width}} {description}")


#: ``convert`` parameters that are not rendering options (``batch`` has its own).
_CONVERT_ONLY = frozenset({"sources", "to", "output", "from_format", "debug", "quiet"})


def _render_parameters() -> list[Any]:
    """``convert``'s rendering options (``--page-size``, ``--css``…), for ``batch`` to share.

    A parameter counts when its name is a :class:`RenderOptions` field, so an option added to
    ``convert`` later is offered by ``batch`` too, with the same flags, help and default.
    """
    fields = {spec.name for spec in dataclasses.fields(RenderOptions)}
    return [
        param.replace(kind=pyinspect.Parameter.KEYWORD_ONLY)
        for param in pyinspect.signature(convert, eval_str=True).parameters.values()
        if param.name in fields and param.name not in _CONVERT_ONLY
    ]


def _batch_options(values: dict[str, Any]) -> RenderOptions:
    """Build the options from ``batch``'s copies of ``convert``'s parameters."""
    defaults = {spec.name: spec.default for spec in dataclasses.fields(RenderOptions)}
    options: dict[str, Any] = {}
    for name, value in values.items():
        if name not in defaults or (value is None and defaults[name] is not None):
            continue  # an unused repeatable option (--css) arrives as None
        options[name] = tuple(value) if isinstance(value, list) else value
    for name in ("page_size", "chapter_titles", "style"):
        if isinstance(options.get(name), str):
            options[name] = options[name].strip().lower()
    result = RenderOptions(**options, source_date_epoch=source_date_epoch())
    from fic2book.options import page_size_mm

    page_size_mm(result.page_size)  # refused even when no PDF is asked for, as convert does
    return result


def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="The folder of works; read recursively.", metavar="FOLDER", show_default=False
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FOLDER",
            help="Where the books go, in the same sub-folders as their inputs.",
            show_default=False,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to", "-t", metavar="FORMATS", help="Output formats, comma-separated (epub, pdf)."
        ),
    ] = "epub",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes. Default: one per core.",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write a JSON report: per input its status, books, error and seconds.",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild books even when they are up to date.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run the works on a Dask cluster, e.g. tcp://host:8786 "
            "(pip install 'fic2book[dask]').",
            show_default=False,
        ),
    ] = None,
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            "-f",
            metavar="FORMAT",
            help="Read every input with this reader (and take only its suffixes).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress and no summary; failures only.")
    ] = False,
    **render: Any,
) -> None:
    """Convert every work in a folder tree, in parallel; skip books that are up to date.

    Example: fic2book batch library/ -o books/ --to epub,pdf --report report.json
    """
    import signal

    from fic2book.batch import (
        BatchConfig,
        PlainDisplay,
        RichDisplay,
        check_options,
        print_summary,
        run_batch,
    )

    try:
        options = _batch_options(render)
        if options.pdf_jobs == 0:
            # batch's workers already use every core: one process per PDF unless asked.
            options = dataclasses.replace(options, pdf_jobs=1)
        formats = tuple(_split_formats(to) or ["epub"])
        check_options(formats, options)
        config = BatchConfig(
            source=source,
            output=output,
            formats=formats,
            options=options,
            from_format=from_format,
            jobs=jobs or 0,
            force=force,
            scheduler=scheduler,
            report=report,
        )
    except Fic2BookError as err:
        _exit(err, debug)
    interactive = not quiet and sys.stderr.isatty()
    display = RichDisplay(debug) if interactive else PlainDisplay(quiet, debug)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM (a service manager, kill) stops as cleanly as Ctrl-C.
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        summary = run_batch(config, display)
    except Fic2BookError as err:
        _exit(err, debug)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not quiet:
        print_summary(summary, config)
    if summary.interrupted:
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)


# Typer reads a command's options from its signature: batch's own, then convert's rendering
# options in place of ``**render``.
_batch_signature = pyinspect.signature(batch, eval_str=True)
batch.__signature__ = _batch_signature.replace(  # type: ignore[attr-defined]
    parameters=[*list(_batch_signature.parameters.values())[:-1], *_render_parameters()]
)
app.command()(batch)


# fic2book serve: the local web page (fic2book/web/); Starlette loads only when it runs.
from fic2book.web.command import serve as _serve  # noqa: E402

app.command(name="serve")(_serve)


def main() -> None:
    """Entry point of the ``fic2book`` console script and ``python -m fic2book``."""
    try:
        app(prog_name=PROG)
    finally:
        # The process ends here.  Python's last garbage collection would walk every object of
        # the imported modules (Typer, Click, the readers) only to find them alive; frozen
        # objects are skipped, which saves a tenth of ``inspect`` (~12 ms).  atexit handlers
        # and finalizers of everything else still run.
        gc.freeze()
