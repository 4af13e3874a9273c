"""``fic2book impose``'s entry points, kept while the command still lives in ``cli.py``.

The imposer itself is :mod:`fic2book.printing` (layouts, signatures, marks, creep); this
module only translates the command's original options (``--sheet``, ``--signature N``,
``--flip short|long``) into :class:`~fic2book.printing.plan.ImposeSettings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fic2book.errors import UsageError
from fic2book.printing.impose import Imposition, default_output
from fic2book.printing.impose import describe as describe_result
from fic2book.printing.impose import impose as impose_settings
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.sheets import parse_size
from fic2book.printing.signatures import MAX_SHEETS, Signatures

__all__ = ["Imposition", "check_settings", "default_output", "describe", "impose"]

Flip = Literal["short", "long"]
FLIPS: tuple[str, ...] = ("short", "long")


def check_settings(signature: int, flip: str, sheet: str = "a4") -> None:
    """Refuse a signature, flip or sheet size :func:`impose` cannot use."""
    if not 1 <= signature <= MAX_SHEETS:
        raise UsageError(f"--signature must be 1 to {MAX_SHEETS} sheets, not {signature}")
    if flip not in FLIPS:
        raise UsageError(f"--flip must be one of {', '.join(FLIPS)}, not {flip!r}")
    parse_size(sheet)


def impose(
    source: Path, target: Path, sheet: str = "a4", signature: int = 4, flip: Flip = "short"
) -> Imposition:
    """Impose ``source`` as folio signatures of ``signature`` sheets on ``sheet`` paper."""
    check_settings(signature, flip, sheet)
    settings = ImposeSettings(
        sheet=sheet, signatures=Signatures("standard", signature), printer=f"duplex-{flip}"
    )
    return impose_settings(source, target, settings)


def describe(result: Imposition, sheet: str, signature: int = 0) -> str:
    """A one-line summary for the CLI (``signature`` is implied by the result)."""
    del signature
    return describe_result(result, sheet)
