"""``fic2book update``: bring a book of a work in progress up to date from a newer download."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from fic2book.cli.app import Debug, FromFormat, reported, source_date_epoch


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
    debug: Debug = False,
) -> None:
    """Rebuild a book from a newer download, mark new chapters and log the update.

    Example: [bold]fic2book update story.epub story-newer.html[/bold]
    """
    from fic2book.backends import backend_for_path
    from fic2book.options import RenderOptions
    from fic2book.pipeline import write_atomically
    from fic2book.readers import check_source, read_work
    from fic2book.update import update_book

    with reported(debug):
        epoch = source_date_epoch()
        now = dt.datetime.now(dt.UTC) if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)
        check_source(newer)
        work = read_work(newer, from_format)
        target = output or book
        backend = backend_for_path(target)
        options = RenderOptions()
        result = update_book(book, work, options, now.date())
        write_atomically(backend, result.work, target, options)
    entry = result.entry
    typer.echo(f"updated: +{len(entry.added)} chapters, {len(entry.changed)} changed")
