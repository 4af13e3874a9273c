"""``fic2book serve``: the local web page (:mod:`fic2book.web`), for readers without a terminal.

Starlette and uvicorn are imported only when the command runs, so other commands start as
fast as before.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from fic2book.cli.app import DEFAULTS, MaxInputSize, MaxMemory, Timeout, reported
from fic2book.errors import UsageError
from fic2book.options import RenderOptions

_Port = Annotated[
    int,
    typer.Option(
        "--port",
        "-p",
        metavar="N",
        help="The port to listen on (0: any free port).",
    ),
]

_Host = Annotated[
    str,
    typer.Option(
        "--host",
        metavar="ADDRESS",
        help="The address to listen on. Anything but 127.0.0.1 lets other computers "
        "reach the page (a warning is printed).",
    ),
]

_NoBrowser = Annotated[
    bool, typer.Option("--no-browser", help="Do not open the page in a web browser.")
]

_Jobs = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        help="Books made at once; more wait. Default (0): one per core, at most 2.",
        show_default=False,
    ),
]


def serve(
    port: _Port = 0,
    host: _Host = "127.0.0.1",
    no_browser: _NoBrowser = False,
    jobs: _Jobs = 0,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
) -> None:
    """Open a web page on this computer to turn files into books, no terminal needed.

    Example: [bold]fic2book serve --port 8000 --no-browser[/bold]
    """
    from fic2book.web.server import serve as run

    with reported(debug=False):
        # Checked here, not by Typer's min=/max=, for the one-line usage error.
        if not 0 <= port <= 65535:
            raise UsageError(f"--port must be 0 to 65535, not {port}")
        if jobs < 0:
            raise UsageError(f"--jobs must be 0 or more, not {jobs}")
        options = RenderOptions(
            max_input_size=max_input_size, timeout=timeout, max_memory=max_memory
        )
    try:
        run(
            host,
            port,
            options,
            open_browser=not no_browser,
            max_jobs=jobs or max(1, min(2, os.cpu_count() or 1)),
            echo=typer.echo,
        )
    except OSError as err:
        typer.echo(f"fic2book: cannot serve: {err.strerror or err}", err=True)
        raise typer.Exit(1) from err
