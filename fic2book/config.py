"""The settings file: ``fic2book.toml`` holds the options a user gives every time.

The file lives in the user's config folder (:func:`default_path`: ``~/.config/fic2book`` on
Linux, the platform's own folder elsewhere, found by ``platformdirs``), or wherever
``--config FILE`` or ``FIC2BOOK_CONFIG`` says.  Keys are the commands' long option names
without the dashes (``page-size = "letter"``, ``no-cover = true``, ``smart = false`` for
``--no-smart``).  Keys at the top level apply to every command that has the option; a table
per command (``[convert]``, ``[batch]``, ``[bind]``) applies to that command and wins over the
top level.

The settings become the commands' ``default_map`` (the mechanism Click and Typer document for
defaults from a file), so the command line overrides the file and the file overrides the
built-in defaults by the CLI library's own rules.  Each value is checked here, through the
very option type the command line uses, so a bad value fails at once, on one line naming
the file, the key and its line.

Values are taken as TOML types: a list for an option given several times (``css =
["a.css", "b.css"]``) and, for an option that takes a comma-separated list, either a list or
the string (``to = ["epub", "pdf"]`` is ``--to epub,pdf``).  File paths may start with ``~``
and are relative to the settings file's folder, not to wherever the command is run (but
``convert``'s ``output``, whose trailing ``/`` matters, is relative to where it runs).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperOption

from fic2book.errors import UsageError

#: The settings file's name inside the user's config folder.
CONFIG_NAME = "fic2book.toml"
#: The commands whose options the file may set, each in a table of its own.
COMMANDS = ("convert", "batch", "bind")


class ConfigError(UsageError):
    """The settings file cannot be read, is not TOML, or sets an option wrongly."""

    label = "config"


def default_path() -> Path:
    """Where the settings file is looked for when neither ``--config`` nor the variable says."""
    import platformdirs

    return Path(platformdirs.user_config_dir("fic2book", appauthor=False)) / CONFIG_NAME


@dataclass(frozen=True)
class Setting:
    """One option set by the file, for one command."""

    #: The key as written (the long option's name without ``--``).
    key: str
    #: The value handed to the command (checked; paths made absolute).
    value: Any
    #: The line of the file that sets it (see :func:`key_line`).
    line: int


@dataclass
class Settings:
    """What a settings file sets, per command and option (by the option's parameter name)."""

    path: Path | None = None
    commands: dict[str, dict[str, Setting]] = field(default_factory=dict)

    def default_map(self) -> dict[str, dict[str, Any]]:
        """The settings as the root context's ``default_map``: ``{command: {param: value}}``."""
        return {
            command: {name: setting.value for name, setting in options.items()}
            for command, options in self.commands.items()
        }


def key_line(text: str, table: str | None, key: str) -> int:
    """The line (from 1) where ``key`` is set in ``table`` (``None``: the top level).

    ``tomllib`` keeps no positions, so the text is scanned with a simple rule: the table runs
    from its ``[table]`` header line (the top level: from the start) to the next header, and
    the key's line is the first line in it that starts with the key, bare or quoted, followed
    by ``=``.  A key the rule cannot find (a dotted key, an inline table) is reported at the
    table's header, or at line 1.
    """
    header = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(#.*)?$")
    wanted = re.compile(rf"""^\s*(?P<q>["']?){re.escape(key)}(?P=q)\s*=""")
    current: str | None = None
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match["name"].strip("\"'")
            if current == table:
                start = number
            continue
        if current == table and wanted.match(line):
            return number
    return start


def table_line(text: str, table: str) -> int:
    """The line of ``table``'s ``[table]`` header (1 if the rule of :func:`key_line` misses it)."""
    return key_line(text, table, "\0")  # no line sets a key named NUL


def options_of(command: Any) -> dict[str, TyperOption]:
    """A command's options by key: the long name of each, without ``--``."""
    found: dict[str, TyperOption] = {}
    for param in command.params:
        if not isinstance(param, TyperOption):
            continue  # arguments (the input files) have no place in a settings file
        longs = [opt for opt in param.opts if opt.startswith("--")]
        if longs:
            found[longs[0][2:]] = param
    return found


def load_settings(path: Path, commands: Mapping[str, Any]) -> Settings:
    """Read and check the settings file ``path`` against ``commands`` (name to command)."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    settings = Settings(path, {name: {} for name in commands})
    tables = {name: value for name, value in data.items() if isinstance(value, dict)}
    for name in tables:
        if name not in commands:
            line = table_line(text, name)
            known = ", ".join(f"[{command}]" for command in commands)
            raise ConfigError(f"{path}:{line}: unknown table [{name}] (the tables are {known})")
    shared = {key: value for key, value in data.items() if key not in tables}
    for key, value in shared.items():
        users = [name for name, command in commands.items() if key in options_of(command)]
        if not users:
            raise ConfigError(
                f"{path}:{key_line(text, None, key)}: unknown key {key!r}: no command has --{key}"
            )
        for name in users:
            _set(settings, commands[name], name, key, value, text, None)
    for name, table in tables.items():
        for key, value in table.items():
            _set(settings, commands[name], name, key, value, text, name)
    return settings


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise ConfigError(f"{path}: {err.strerror or err}") from None


def _set(
    settings: Settings,
    command: Any,
    name: str,
    key: str,
    value: Any,
    text: str,
    table: str | None,
) -> None:
    """Check one key of one command's settings and record it."""
    assert settings.path is not None
    line = key_line(text, table, key)
    where = f"{settings.path}:{line}: {f'[{table}] ' if table else ''}{key}"
    param = options_of(command).get(key)
    if param is None or param.name is None:
        raise ConfigError(f"{where}: unknown key: 'fic2book {name}' has no --{key}")
    try:
        prepared = _prepare(param, value, settings.path.absolute().parent)
        # The option's own type checks the value, as it checks the command line's.
        typed = param.process_value(typer.Context(command, info_name=name), prepared)
        _check_render_option(param.name, typed)
    except (typer.TyperException, ValueError, UsageError) as err:
        raise ConfigError(f"{where}: {' '.join(str(err).split())}") from None
    settings.commands[name][param.name] = Setting(key, prepared, line)


def _check_render_option(name: str, value: Any) -> None:
    """Check a value as :class:`RenderOptions` will (a page size, a gutter, a ``--name``).

    Those options are plain text to the command line and checked when the command builds its
    options; checking them here too makes a bad one name its line in the file.
    """
    from fic2book.options import RenderOptions

    fields = {spec.name for spec in dataclasses.fields(RenderOptions)}
    if name in fields and value is not None:
        RenderOptions(**{name: value})


def _prepare(param: TyperOption, value: Any, folder: Path) -> Any:
    """The TOML ``value`` in the form the option takes on the command line."""
    if isinstance(value, dict):
        raise ValueError("a table is no option value")
    if param.multiple:
        items = value if isinstance(value, list) else [value]
        return [_scalar(param, item, folder) for item in items]
    if isinstance(value, list):
        # An option that takes a comma-separated list ("--to epub,pdf") takes a TOML list.
        if not all(isinstance(item, str) for item in value):
            raise ValueError("expects one value or a list of strings")
        return ",".join(value)
    return _scalar(param, value, folder)


def _scalar(param: TyperOption, value: Any, folder: Path) -> Any:
    kind = param.type_descriptor.annotation
    if param.multiple:
        kind = (typing.get_args(kind) or (str,))[0]  # list[Path] -> Path
    if isinstance(value, list | dict):
        raise ValueError(f"expects one value, not a {type(value).__name__}")
    if kind in (str, Path) and not isinstance(value, str):
        # TOML keeps types: `page-size = 5` is a slip, not the string "5".
        raise ValueError('expects a string in quotes ("...")')
    if kind is bool and not isinstance(value, bool):
        raise ValueError("expects true or false")
    if kind is Path:
        path = Path(os.path.expanduser(value))
        return str(path if path.is_absolute() else folder / path)
    if param.name == "output":
        # convert's -o is text (a trailing "/" means a folder), so it stays relative to where
        # fic2book runs; a leading "~" is still the home folder, as a shell would make it.
        return os.path.expanduser(value)
    return value


def toml_value(value: Any) -> str:
    """``value`` written as TOML (for ``fic2book config show``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Iterable) and not isinstance(value, str):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    import json

    # JSON's string escapes are TOML's basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)
