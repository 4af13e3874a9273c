"""The ``fic2book`` command: a thin Typer layer over :mod:`fic2book.pipeline`.

This is the only module that knows about exit codes: a :class:`Fic2BookError` becomes one line
``fic2book: <label>: <message>`` on stderr and the error's exit code; anything else is a bug and
keeps its traceback.  The pipeline, readers and backends are imported inside the commands, so
``--help`` and ``inspect`` never load ebooklib or WeasyPrint.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from fic2book import __version__
from fic2book.errors import Fic2BookError, UsageError
from fic2book.options import RenderOptions

if TYPE_CHECKING:
    from fic2book.backends import Backend

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
        options = RenderOptions(
            page_size=page_size.strip().lower(),
            template_dir=template_dir,
            css=tuple(css or ()),
            source_date_epoch=source_date_epoch(),
        )
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


def _print_table(info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    # Text from a work is never Rich markup: "[Chapter 1]" must print as typed.
    console = Console(highlight=False, markup=False)
    work_table = Table(title=info["title"], show_header=False, show_lines=False)
    work_table.add_column("Field", style="bold", no_wrap=True)
    work_table.add_column("Value", overflow="fold")
    for label, value in _table_rows(info):
        work_table.add_row(label, value)
    console.print(work_table)

    chapters = Table(title="Chapters")
    chapters.add_column("#", justify="right")
    chapters.add_column("Heading", overflow="fold")
    chapters.add_column("Words", justify="right")
    chapters.add_column("Summary / notes / end notes", overflow="fold")
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
        chapters.add_row(
            str(chapter["number"]),
            chapter["heading"],
            f"{chapter['words']:,}",
            ", ".join(flags) or "-",
        )
    console.print(chapters)


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
    from fic2book.pipeline import check_source
    from fic2book.readers import read_work

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
def formats() -> None:
    """List the input readers and output backends.

    Example: fic2book formats
    """
    from fic2book.backends import BACKENDS
    from fic2book.readers import READERS

    typer.echo("Input formats (--from):")
    for name, reader in sorted(READERS.items()):
        typer.echo(f"  {name:<8} {', '.join(reader.suffixes):<12} {reader.description}")
    typer.echo("Output formats (--to):")
    for name, backend in sorted(BACKENDS.items()):
        typer.echo(f"  {name:<8} {backend.suffix:<12} {backend.description}")


def main() -> None:
    """Entry point of the ``fic2book`` console script and ``python -m fic2book``."""
    app(prog_name=PROG)
