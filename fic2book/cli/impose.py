"""``fic2book impose``: a PDF laid out two-up on sheets in folding order."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import Debug, Quiet, reported


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
    debug: Debug = False,
    quiet: Quiet = False,
) -> None:
    """Lay out a PDF two-up on sheets in folding order for duplex printing and binding.

    Example: [bold]fic2book impose book.pdf -o sheets.pdf --sheet letter --signature 4[/bold]
    """
    from fic2book import impose as imposition

    sheet_name, flip_edge = sheet.strip().lower(), flip.strip().lower()
    target = output or imposition.default_output(source)
    with reported(debug):
        imposition.check_settings(signature, flip_edge, sheet_name)
        result = imposition.impose(
            source,
            target,
            sheet_name,
            signature,
            "long" if flip_edge == "long" else "short",
        )
    if not quiet:
        typer.echo(f"wrote {target}: {imposition.describe(result, sheet_name, signature)}")
