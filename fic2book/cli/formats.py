"""``fic2book formats``: the input readers and output backends, one per line."""

from __future__ import annotations

import typer


def formats() -> None:
    """List the input readers and output backends.

    Example: [bold]fic2book formats[/bold]
    """
    from fic2book.backends import BACKENDS
    from fic2book.readers import reader_infos

    readers = sorted(reader_infos(), key=lambda info: info.name)
    rows = [
        *((r.name, ", ".join(r.suffixes), r.description) for r in readers),
        *((name, b.suffix, b.description) for name, b in sorted(BACKENDS.items())),
    ]
    # Plain lines, one per format, so scripts can read them: columns as wide as the longest
    # name and suffix list ("ao3-html", ".md, .markdown").
    name_width = max(8, *(len(row[0]) for row in rows))
    suffix_width = max(12, *(len(row[1]) for row in rows))
    for index, (name, suffixes, description) in enumerate(rows):
        if index == 0:
            typer.echo("Input formats (--from):")
        elif index == len(readers):
            typer.echo("Output formats (--to):")
        typer.echo(f"  {name:<{name_width}} {suffixes:<{suffix_width}} {description}")
