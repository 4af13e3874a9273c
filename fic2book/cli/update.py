"""``fic2book update``: bring a book of a work in progress up to date from a newer download."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import (
    DEFAULTS,
    Debug,
    FromFormat,
    MaxInputSize,
    MaxMemory,
    Timeout,
    reported,
    source_date_epoch,
)


def update(
    book: Annotated[
        Path, typer.Argument(help="The EPUB fic2book made.", metavar="BOOK", show_default=False)
    ],
    newer: Annotated[
        Path,
        typer.Argument(help="The newer download of the work.", metavar="NEWER", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here instead of replacing BOOK.", metavar="OUT"),
    ] = None,
    from_format: FromFormat = None,
    max_input_size: MaxInputSize = DEFAULTS.max_input_size,
    timeout: Timeout = DEFAULTS.timeout,
    max_memory: MaxMemory = DEFAULTS.max_memory,
    debug: Debug = False,
) -> None:
    """Rebuild a book from a newer download, mark new chapters and log the update.

    Example: [bold]fic2book update story.epub story-newer.html[/bold]
    """
    from fic2book.backends import backend_for_path
    from fic2book.limits import check_input_size
    from fic2book.model import UpdateEntry
    from fic2book.options import RenderOptions
    from fic2book.pipeline import write_atomically
    from fic2book.readers import check_source, read_work
    from fic2book.sandbox import run_limited
    from fic2book.update import update_book

    with reported(debug):
        epoch = source_date_epoch()
        now = dt.datetime.now(dt.UTC) if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)
        options = RenderOptions(
            max_input_size=max_input_size, timeout=timeout, max_memory=max_memory
        )
        target = output or book
        backend = backend_for_path(target)
        for source in (book, newer):
            check_source(source)
            check_input_size(source, options.max_input_size)

        def rebuild() -> UpdateEntry:
            # The newer download is untrusted input: read, compare and write it under the
            # same time and memory limits as ``convert``.
            work = read_work(newer, from_format)
            result = update_book(book, work, options, now.date())
            write_atomically(backend, result.work, target, options)
            return result.entry

        entry = run_limited(
            rebuild, timeout=timeout, max_memory=max_memory, what=f"updating {book.name}"
        )
    typer.echo(f"updated: +{len(entry.added)} chapters, {len(entry.changed)} changed")
