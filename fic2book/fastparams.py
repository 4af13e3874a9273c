"""Typer's parameter coercion without importing pydantic for the plain cases.

Typer (0.29 and later) coerces every command-line value through a pydantic ``TypeAdapter``
built on first use.  Importing pydantic and building the adapters of one command costs about
0.15 s, more than everything else ``fic2book inspect`` does on a short work, although fic2book
only has flags, strings, whole numbers, decimals, paths and lists of paths, which arrive as
bools or strings that Python converts exactly as pydantic would.

:func:`install` wraps Typer's ``build_runtime_param``: a parameter with one of those plain
annotations and no constraint beyond a number's ``min``/``max`` (no ``clamp``, ``-`` for stdin
or special path type; a value out of bounds goes to Typer for its error message), or
with its own ``parser`` (whose result Typer does not check), gets a coercion that converts
the unambiguous spellings itself (``42``, ``-3``, ``2.5``, ``1e3``, any string, a non-empty
path) and hands every other value to Typer's own pydantic coercion, built only then, so odd
input and error messages behave exactly as before.
Path checks (``exists``, ``dir_okay``, ``resolve_path``…) still run through Typer's own
``coerce_cli_path``.  Should Typer's internals change shape, :func:`install` does nothing and
Typer works as it always did, only slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

# Spellings whose value Python's int()/float() and pydantic's lax mode agree on.
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

_LEAVES = (bool, str, int, float, Path)

#: Returned by :func:`_leaf` when a value is not a plain spelling.
_UNSURE = object()


def _leaf(annotation: Any, value: Any, coerce_path: Any, info: Any, param: Any, ctx: Any) -> Any:
    """The coerced value, or :data:`_UNSURE` to let Typer's own coercion decide."""
    kind = type(value)
    if annotation is bool:
        # Flags arrive as bools; "--flag=yes" spellings are left to Typer.
        return value if kind is bool else _UNSURE
    if annotation is str:
        return value if kind is str else _UNSURE
    if annotation is int:
        if kind is int:
            return value
        return int(value) if kind is str and _INT.fullmatch(value) else _UNSURE
    if annotation is float:
        if kind is float:
            return value
        return float(value) if kind is str and _FLOAT.fullmatch(value) else _UNSURE
    if annotation is Path and kind is str and value:
        # Typer's path checks, on a value that is already a Path (so no pydantic is needed).
        return coerce_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _UNSURE


def _in_bounds(value: Any, info: Any) -> bool:
    """Whether a number lies within the parameter's ``min``/``max`` (when it has them)."""
    if info.min is not None and value < info.min:
        return False
    return info.max is None or value <= info.max


def _plain(annotation: Any, info: Any) -> bool:
    """Whether the parameter is one :func:`_leaf` (or its own ``parser``) can serve."""
    if getattr(info, "click_type", None) is not None:
        return False
    if info.parser is not None:
        # Typer validates a parser's result as ``Any``: the parser alone decides.
        return get_origin(annotation) is not list
    if info.clamp:
        return False
    if (info.min is not None or info.max is not None) and annotation not in (int, float):
        return False
    if get_origin(annotation) is list:
        args = get_args(annotation)
        return len(args) == 1 and _plain(args[0], info)
    if annotation is Path:
        return not info.allow_dash and info.path_type in (None, Path)
    return annotation in _LEAVES


def install() -> bool:
    """Put the fast coercion in front of Typer's; ``False`` when Typer is not as expected."""
    try:
        from typer import _coercion, _param_types, core
    except ImportError:  # pragma: no cover - Typer is a dependency
        return False
    original: Any = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    coerce_path: Any = getattr(_param_types, "coerce_cli_path", None)
    if original is None or base is None or coerce_path is None:
        return False
    if getattr(original, "fic2book_fast", False):
        return True

    @dataclass(frozen=True)
    class FastRuntimeParam(base):  # type: ignore[misc,valid-type]
        """Plain values converted here; anything else by Typer's own (pydantic) coercion."""

        descriptor: Any = None
        slow: list[Any] = field(default_factory=list, compare=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            annotation: Any = self.annotation
            result: Any
            if info.parser is not None:
                try:
                    return info.parser(value)
                except Exception:
                    # Typer's own coercion calls it again and reports the error, as before.
                    result = _UNSURE
            elif get_origin(annotation) is list:
                (item,) = get_args(annotation)
                if isinstance(value, (list, tuple)):
                    items = [_leaf(item, v, coerce_path, info, param, ctx) for v in value]
                    result = _UNSURE if any(v is _UNSURE for v in items) else items
                else:
                    result = _UNSURE
            else:
                result = _leaf(annotation, value, coerce_path, info, param, ctx)
                if result is not _UNSURE and not _in_bounds(result, info):
                    # Typer's coercion words the out-of-range error, as before.
                    result = _UNSURE
            if result is not _UNSURE:
                return result
            if not self.slow:
                self.slow.append(original(self.descriptor))
            return self.slow[0]._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        if descriptor.file_annotation is None and _plain(
            descriptor.annotation, descriptor.parameter_info
        ):
            return FastRuntimeParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
        return original(descriptor)

    build_runtime_param.fic2book_fast = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build_runtime_param)  # noqa: B010 (private name)
    return True
