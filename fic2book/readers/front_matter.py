"""YAML front matter, loaded so that no file can make the loader blow up.

``yaml.safe_load`` runs no code, but it still trusts the document's shape:

* **Aliases** (``*name``) repeat a node anchored elsewhere without copying it, so nine nested
  lists of nine aliases are a 489-byte file whose values, once walked (printed, compared,
  turned into strings), hold 9^9 items — the "billion laughs" of YAML; an alias inside its own
  anchor (``&r [a, *r]``) is a cycle that every walk recurses into forever.  Front matter is
  a handful of ``key: value`` lines, so aliases are refused outright, with one line.
* **Nesting** deeper than :data:`MAX_DEPTH` is refused: PyYAML builds nodes recursively, and a
  few thousand ``[`` would end in a ``RecursionError``.
* **Scalars** that resolve to a number or a date are built only when they make sense: an
  integer of more than 30 characters (Python refuses to convert more than 4,300 digits) or
  an impossible date (``0000-01-01``) stays the text it was written as, and the reader treats
  it like any other text it does not understand.

Everything here is PyYAML's public API: the event stream of :func:`yaml.parse` and
constructors registered on a :class:`yaml.SafeLoader` subclass with ``add_constructor``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fic2book.errors import InputError

#: Deepest nesting of lists and mappings accepted in front matter.
MAX_DEPTH = 20
#: Longest integer scalar turned into a number; longer ones stay text.
_MAX_INT_CHARS = 30


class _FrontMatterLoader(yaml.SafeLoader):
    """``SafeLoader`` whose numbers and dates never raise on absurd values."""


def _bounded_int(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """An integer of at most 30 characters; a longer one is kept as its text."""
    if not isinstance(node, yaml.ScalarNode):
        return None  # ``!!int [1, 2]``: no integer at all
    if len(node.value) > _MAX_INT_CHARS:
        return loader.construct_scalar(node)
    return loader.construct_yaml_int(node)


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """A date or date-time; one that cannot exist (year 0, month 13) is kept as its text."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)
_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def load_front_matter(source: str, path: Path, first_line: int = 2) -> object:
    """The YAML document ``source`` (front matter starting on line ``first_line`` of ``path``).

    Raises :class:`InputError` with one line for invalid YAML, an alias, or nesting deeper
    than :data:`MAX_DEPTH`.
    """
    try:
        _check_shape(source, path, first_line)
        return yaml.load(source, Loader=_FrontMatterLoader)  # a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" on line {mark.line + first_line}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise InputError(f"{path}: front matter{where}: {problem}") from err


def _check_shape(source: str, path: Path, first_line: int) -> None:
    """Refuse aliases and deep nesting from the event stream, before any node is built."""
    depth = 0
    for event in yaml.parse(source, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            where = _line(event, first_line)
            raise InputError(
                f"{path}: front matter{where}: YAML aliases (*{_short(event.anchor)}) "
                "are not accepted; write the value out"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                where = _line(event, first_line)
                raise InputError(f"{path}: front matter{where}: nested more than {MAX_DEPTH} deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line(event: yaml.Event, first_line: int) -> str:
    mark = event.start_mark
    return "" if mark is None else f" on line {mark.line + first_line}"


def _short(text: Any) -> str:
    name = str(text)
    return name if len(name) <= 40 else name[:37] + "..."
