"""``fic2book inspect``: show everything fic2book parsed from a work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import Debug, FromFormat, reported


def inspect(
    source: Annotated[
        Path, typer.Argument(help="The work file to read.", metavar="FILE", show_default=False)
    ],
    from_format: FromFormat = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Show everything fic2book parsed from a work.

    Example: [bold]fic2book inspect work.txt --json[/bold]
    """
    from fic2book.describe import describe
    from fic2book.describe_view import print_tables, to_json
    from fic2book.readers import check_source, read_work

    with reported(debug):
        check_source(source)
        info = describe(read_work(source, from_format))
    if as_json:
        typer.echo(to_json(info))
    else:
        print_tables(info)
