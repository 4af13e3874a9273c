"""The ``fic2book serve`` command: its options, then :func:`fic2book.web.server.serve`.

Starlette and uvicorn are imported only when the command runs, so other commands start as
fast as before.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from fic2book.errors import Fic2BookError, UsageError
from fic2book.limits import (
    DEFAULT_MAX_INPUT_SIZE,
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    parse_seconds,
    parse_size,
)
from fic2book.options import RenderOptions


def _size(value: str | int) -> int:
    try:
        return parse_size(value)
    except UsageError as err:
        raise typer.BadParameter(str(err)) from err


def _seconds(value: str | float) -> float:
    try:
        return parse_seconds(value)
    except UsageError as err:
        raise typer.BadParameter(str(err)) from err


def serve(
    port: Annotated[
        int,
        typer.Option(
            "--port",
            "-p",
            metavar="N",
            min=0,
            max=65535,
            help="The port to listen on (0: any free port).",
        ),
    ] = 0,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="The address to listen on. Anything but 127.0.0.1 lets other computers "
            "reach the page (a warning is printed).",
        ),
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open the page in a web browser.")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            min=0,
            help="Books made at once; more wait. Default (0): one per core, at most 2.",
            show_default=False,
        ),
    ] = 0,
    max_input_size: Annotated[
        int,
        typer.Option(
            "--max-input-size",
            metavar="SIZE",
            parser=_size,
            help="Refuse uploads larger than this, e.g. 64M (0: no limit). Default: 64M.",
            show_default=False,
        ),
    ] = DEFAULT_MAX_INPUT_SIZE,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            parser=_seconds,
            help="Stop reading or rendering a book after this many seconds (0: no limit).",
        ),
    ] = DEFAULT_TIMEOUT,
    max_memory: Annotated[
        int,
        typer.Option(
            "--max-memory",
            metavar="SIZE",
            parser=_size,
            help="Address space one book's reading or rendering may use (0: no limit). "
            "Default: 4G.",
            show_default=False,
        ),
    ] = DEFAULT_MAX_MEMORY,
) -> None:
    """Open a web page on this computer to turn files into books, no terminal needed.

    Example: fic2book serve --port 8000 --no-browser
    """
    from fic2book.web.server import serve as run

    options = RenderOptions(max_input_size=max_input_size, timeout=timeout, max_memory=max_memory)
    try:
        run(
            host,
            port,
            options,
            open_browser=not no_browser,
            max_jobs=jobs or max(1, min(2, os.cpu_count() or 1)),
            echo=typer.echo,
        )
    except (Fic2BookError, OSError) as err:
        typer.echo(f"fic2book: cannot serve: {err}", err=True)
        raise typer.Exit(1) from err
