"""Print-shop text blocks: bleed, crop and cross marks, and PDF/X, through WeasyPrint.

A print shop wants the trim (TrimBox), a bleed round it (BleedBox, usually 3 mm / 0.125 in)
and printer's marks outside the trim; many also ask for PDF/X.  All of it is CSS paged media
and WeasyPrint options: ``@page { bleed: 3mm; marks: crop cross }`` writes the boxes and the
marks, and ``pdf_variant`` the PDF/X metadata.  fic2book's pages are RGB and no CMYK profile
ships with it, so the output intent is sRGB (``output_intent="srgb"``), which PDF/X-3 and
PDF/X-4 allow; PDF/X-1a, which demands CMYK, is refused.  No PDF/X validator is available here
(see the README): the tests check the boxes, the output intent and the XMP identification,
which are necessary, not sufficient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fic2book.errors import UsageError
from fic2book.printing.sheets import MM, parse_length

#: ``--pdf-variant`` values: the PDF/X variants WeasyPrint writes that allow an RGB intent.
PDF_X_VARIANTS: tuple[str, ...] = ("pdf/x-3", "pdf/x-4", "pdf/x-5g")
#: ``--marks`` values of convert (CSS ``marks``).
PRINT_MARKS: tuple[str, ...] = ("crop", "cross")
#: Widest bleed accepted, in millimetres.
MAX_BLEED_MM = 10.0


@dataclass(frozen=True)
class PrintShop:
    """Bleed (mm), marks and PDF/X variant for a print-shop PDF; all empty by default."""

    bleed: float = 0.0
    marks: tuple[str, ...] = ()
    variant: str | None = None

    def css(self) -> str:
        """The ``@page`` rule for the bleed and marks ('' when there are none)."""
        rules = []
        if self.bleed:
            rules.append(f"bleed: {self.bleed:g}mm")
        if self.marks:
            rules.append(f"marks: {' '.join(self.marks)}")
        return f"@page {{ {'; '.join(rules)} }}\n" if rules else ""

    def weasyprint_options(self) -> dict[str, Any]:
        """``pdf_variant`` and the sRGB output intent, when a variant is asked for."""
        if self.variant is None:
            return {}
        return {"pdf_variant": self.variant, "output_intent": "srgb"}


def parse_print_shop(bleed: str | None, marks: str | None, variant: str | None) -> PrintShop:
    """Check ``--bleed``, ``--print-marks`` and ``--pdf-variant``; a usage error otherwise."""
    bleed_mm = 0.0
    if bleed:
        bleed_mm = parse_length(bleed, "--bleed") / MM
        if bleed_mm > MAX_BLEED_MM:
            raise UsageError(f"--bleed {bleed!r} is wider than {MAX_BLEED_MM:g} mm")
    chosen = tuple(m.strip().lower() for m in (marks or "").split(",") if m.strip())
    for mark in chosen:
        if mark not in PRINT_MARKS:
            raise UsageError(f"--marks takes {', '.join(PRINT_MARKS)}, not {mark!r}")
    key = variant.strip().lower() if variant else None
    if key == "pdf/x-1a":
        raise UsageError("--pdf-variant pdf/x-1a needs CMYK pages; use pdf/x-3 or pdf/x-4")
    if key is not None and key not in PDF_X_VARIANTS:
        raise UsageError(
            f"--pdf-variant must be one of {', '.join(PDF_X_VARIANTS)}, not {variant!r}"
        )
    return PrintShop(round(bleed_mm, 3), chosen, key)
