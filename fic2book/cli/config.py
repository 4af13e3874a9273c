"""``fic2book config``: where the settings file is and what it sets (see fic2book.config).

:func:`apply_settings` is what the root callback calls: it reads the file for the commands
it configures and hands it to them as the context's ``default_map``, so the command line
still wins over the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from fic2book.cli.app import reported
from fic2book.config import (
    COMMANDS,
    Settings,
    default_path,
    load_settings,
    options_of,
    toml_value,
)

#: Where the root callback leaves ``--config`` for ``fic2book config`` (``ctx.meta`` is shared).
META_KEY = "fic2book.config"

config_app: typer.Typer = typer.Typer(
    name="config",
    help="Your settings file (fic2book.toml): where it is and what it sets.",
    no_args_is_help=True,
)


def settings_file(ctx: typer.Context) -> tuple[Path, bool]:
    """The settings file's path, and whether ``--config``/``FIC2BOOK_CONFIG`` named it."""
    explicit = ctx.meta.get(META_KEY)
    return (Path(explicit), True) if explicit is not None else (default_path(), False)


def _commands(ctx: typer.Context) -> dict[str, Any]:
    root = ctx.find_root()
    group: Any = root.command
    return {name: group.get_command(root, name) for name in COMMANDS}


def read_settings(ctx: typer.Context) -> Settings:
    """The settings in force: the named file's, the default file's if it exists, or none."""
    path, explicit = settings_file(ctx)
    if not explicit and not path.is_file():
        return Settings()
    return load_settings(path, _commands(ctx))


def apply_settings(ctx: typer.Context, config: Path | None) -> None:
    """Give the invoked command the file's settings as its defaults (the root callback's job)."""
    ctx.meta[META_KEY] = config
    if ctx.invoked_subcommand in COMMANDS:
        with reported(debug=False):
            ctx.default_map = read_settings(ctx).default_map()


@config_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the settings file is (or would be).

    Example: [bold]fic2book config path[/bold]
    """
    typer.echo(str(settings_file(ctx)[0]))


@config_app.command("show")
def show(ctx: typer.Context) -> None:
    """Print every setting of convert, batch and bind, and where each comes from.

    Example: [bold]fic2book config show[/bold]
    """
    with reported(debug=False):
        settings = read_settings(ctx)
    file, _ = settings_file(ctx)
    found = "" if settings.path is not None else " (not there: every setting is a default)"
    typer.echo(f"# settings file: {file}{found}")
    for name, command in _commands(ctx).items():
        typer.echo(f"\n[{name}]")
        chosen = settings.commands.get(name, {})
        for key, param in options_of(command).items():
            setting = chosen.get(param.name or "")
            if setting is not None:
                typer.echo(f"{key} = {toml_value(setting.value)}  # {settings.path}:{setting.line}")
            elif param.default is None:
                typer.echo(f"# {key} is not set  # default")
            else:
                typer.echo(f"{key} = {toml_value(param.default)}  # default")
