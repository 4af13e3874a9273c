"""``fic2book themes``: the bundled designs of ``--theme``, one per line with what it looks like."""

from __future__ import annotations

import typer


def themes() -> None:
    """List the bundled themes (--theme) and where their stylesheets are.

    Example: [bold]fic2book themes[/bold]
    """
    from fic2book.resources import data_path
    from fic2book.themes import THEMES, theme_styles

    width = max(len(name) for name in THEMES)
    for name, description in THEMES.items():
        typer.echo(f"{name:<{width}}  {description}")
    folder = data_path("styles")
    typer.echo("")
    typer.echo("Stylesheets (a starting point for --css):")
    typer.echo(f"  classic: {folder / 'book.css'} (both books), {folder / 'pdf.css'} (print)")
    for name in THEMES:
        for sheet in theme_styles(name):
            typer.echo(f"  {name}: {folder / sheet}")
