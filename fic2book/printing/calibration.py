"""The calibration page: a 100 mm ruler and a centre cross on both sides of one sheet.

Printed with the sheets' settings, it shows whether the printer keeps 100 % (the ruler must
measure 100 mm) and how far the back lands from the front (hold the sheet to the light: the
two crosses should coincide).  Drawn with pikepdf in PDF units (no fonts to embed: the
figures are drawn as strokes), so the millimetres are exact.
"""

from __future__ import annotations

import io
from pathlib import Path

from fic2book.pipeline import write_bytes_atomically
from fic2book.printing.sheets import MM

#: Seven-segment strokes for the ruler's figures: segment → ((x0, y0), (x1, y1)) in a 1x2 box.
_SEGMENTS = {
    "a": ((0, 2), (1, 2)),
    "b": ((1, 2), (1, 1)),
    "c": ((1, 1), (1, 0)),
    "d": ((0, 0), (1, 0)),
    "e": ((0, 1), (0, 0)),
    "f": ((0, 2), (0, 1)),
    "g": ((0, 1), (1, 1)),
}
_DIGITS = {
    "0": "abcdef", "1": "bc", "2": "abged", "3": "abgcd", "4": "fgbc",
    "5": "afgcd", "6": "afgedc", "7": "abc", "8": "abcdefg", "9": "abcdfg",
}  # fmt: skip


def _figure(text: str, x: float, y: float, size: float) -> list[str]:
    """Stroke ``text`` (digits) with its lower-left corner at (x, y), ``size`` tall."""
    unit = size / 2
    ops = []
    for index, char in enumerate(text):
        left = x + index * unit * 1.6
        for segment in _DIGITS[char]:
            (x0, y0), (x1, y1) = _SEGMENTS[segment]
            ops.append(
                f"{left + x0 * unit:.2f} {y + y0 * unit:.2f} m "
                f"{left + x1 * unit:.2f} {y + y1 * unit:.2f} l S"
            )
    return ops


def calibration_content(width: float, height: float) -> bytes:
    """One side: the ruler centred above the middle, and a cross at the sheet's centre."""
    left = width / 2 - 50 * MM
    base = height / 2 + 30 * MM
    ops = ["q 0 G 0.4 w"]
    ops.append(f"{left:.3f} {base:.3f} m {left + 100 * MM:.3f} {base:.3f} l S")
    for mm in range(101):
        tall = 6 if mm % 10 == 0 else 4 if mm % 5 == 0 else 2.5
        x = left + mm * MM
        ops.append(f"{x:.3f} {base:.3f} m {x:.3f} {base + tall * MM:.3f} l S")
        if mm % 10 == 0:
            label = str(mm)
            ops += _figure(label, x - len(label) * 0.8 * MM, base + 7.5 * MM, 3 * MM)
    cx, cy, arm = width / 2, height / 2, 15 * MM
    ops.append(f"{cx - arm:.3f} {cy:.3f} m {cx + arm:.3f} {cy:.3f} l S")
    ops.append(f"{cx:.3f} {cy - arm:.3f} m {cx:.3f} {cy + arm:.3f} l S")
    ops.append(f"{cx - 5 * MM:.3f} {cy - 5 * MM:.3f} {10 * MM:.3f} {10 * MM:.3f} re S")
    ops.append("Q")
    return "\n".join(ops).encode("ascii")


def write_calibration(target: Path, width: float, height: float, duplex: str) -> None:
    """Write the two-sided calibration sheet, ``width`` x ``height`` points."""
    import pikepdf

    pdf = pikepdf.new()
    for _side in range(2):
        page = pdf.add_blank_page(page_size=(width, height))
        page.obj.Contents = pdf.make_stream(calibration_content(width, height))
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(
        PrintScaling=pikepdf.Name("/None"), Duplex=pikepdf.Name(duplex)
    )
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    write_bytes_atomically(buffer.getvalue(), target)
