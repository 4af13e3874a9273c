"""Paper and creep: a sheet's thickness, and how far each page moves towards the fold.

Folded sheets nested in a signature wrap round each other at the spine, so every leaf inside
another is pushed out at the fore-edge by about the thickness of the paper wrapped round it.
After trimming, the inner pages' fore-edge margins come out narrower than the outer ones'.
fic2book moves each page towards the spine by the creep of its leaf instead::

    shift(d) = d x t x f

where ``d`` is the leaf's nesting depth at the spine (0 for the outermost folded leaf of the
signature, ``T/4 - 1`` for the centre spread of a ``T``-page signature; for quarto and up the
leaves of one folded sheet count too, since they nest at the spine like separate sheets),
``t`` the paper's caliper and ``f`` a correction factor (1 by default; printers use 1.2-1.4
for stiff or coated stock).  The outermost leaf does not move; the centre spread moves most,
``(T/4 - 1) x t x f``: 0.3 mm for 16 pages of 0.1 mm paper.  Head creep (quarto and up) is
not compensated: those folds are cut open.

A paper is given as a caliper (``0.1mm``), a weight the table below turns into a caliper
(``80gsm``), pages per inch (``444ppi``) or a KDP preset (``kdp-white``, ``kdp-cream``),
whose per-page factors are also what the spine width uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fic2book.errors import UsageError
from fic2book.printing.sheets import POINTS_PER_UNIT, parse_length

INCH = 72.0

#: Typical office paper caliper by weight (gsm → mm), uncoated.
CALIPER_BY_WEIGHT_MM: dict[int, float] = {
    60: 0.08,
    70: 0.09,
    80: 0.10,
    90: 0.11,
    100: 0.125,
    120: 0.15,
}

#: Spine thickness per page (inches) KDP uses for its papers; a leaf is two pages.
PAPER_PRESETS_IN_PER_PAGE: dict[str, float] = {
    "kdp-white": 0.002252,
    "kdp-cream": 0.0025,
    "kdp-colour": 0.002347,
}

_WEIGHT = re.compile(r"(?P<n>\d+)\s*gsm")
_PPI = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*ppi")


@dataclass(frozen=True)
class Paper:
    """A paper stock: its caliper (thickness of one leaf) in points, and what it was called."""

    caliper: float
    name: str

    @property
    def caliper_mm(self) -> float:
        """The caliper in millimetres."""
        return self.caliper / POINTS_PER_UNIT["mm"]

    def spine(self, pages: int) -> float:
        """Thickness of a text block of ``pages`` pages (``pages / 2`` leaves), in points."""
        return pages / 2 * self.caliper


def parse_paper(value: str) -> Paper:
    """A ``--paper`` value: ``0.1mm``, ``80gsm``, ``444ppi``, ``kdp-white`` or ``kdp-cream``."""
    key = value.strip().lower()
    if key in PAPER_PRESETS_IN_PER_PAGE:
        return Paper(2 * PAPER_PRESETS_IN_PER_PAGE[key] * INCH, key)
    weight = _WEIGHT.fullmatch(key)
    if weight is not None:
        grams = int(weight["n"])
        if grams not in CALIPER_BY_WEIGHT_MM:
            known = ", ".join(f"{g}gsm" for g in CALIPER_BY_WEIGHT_MM)
            raise UsageError(f"--paper {value!r}: known weights are {known}; or give 0.1mm")
        return Paper(CALIPER_BY_WEIGHT_MM[grams] * POINTS_PER_UNIT["mm"], key)
    ppi = _PPI.fullmatch(key)
    if ppi is not None and float(ppi["n"]) > 0:
        # Pages per inch: two pages make one leaf.
        return Paper(2 * INCH / float(ppi["n"]), key)
    caliper = parse_length(value, "--paper")
    if not 0 < caliper <= 1 * POINTS_PER_UNIT["mm"]:
        raise UsageError(f"--paper {value!r}: a caliper must be above 0 and at most 1 mm")
    return Paper(caliper, key)


def creep_shift(depth: int, paper: Paper | None, factor: float = 1.0) -> float:
    """How far (points) to move a page at nesting ``depth`` towards the spine."""
    if paper is None:
        return 0.0
    return depth * paper.caliper * factor
