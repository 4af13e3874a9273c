"""A numbered test book, and reading imposed sheets back from the PDF a viewer would print.

The book is a hand-written PDF (Helvetica, no embedded fonts) whose page ``n`` shows ``Pn``
large near its top-left corner.  :func:`read_sides` asks pdftotext where every ``Pn`` landed:
the grid cell is the word's centre, and a word in the lower half of its cell is on a page
printed upside down.  Nothing here looks at the imposer's own plan.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf


def numbered_pdf(
    path: Path, pages: int, size: tuple[float, float] = (420.0, 595.0), frame: bool = False
) -> Path:
    """Write a PDF whose page n shows ``Pn`` in large type near its top-left corner.

    ``frame`` draws a grey border just inside the page, for pictures of the sheets.
    """
    width, height = size
    font = height / 8
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page ids are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for number in range(1, pages + 1):
        text = (
            f"BT /F1 {font:.0f} Tf {width / 10:.0f} {height - 1.3 * font:.0f} Td (P{number}) Tj ET"
        )
        if frame:
            text += f" 0.6 G 2 w 4 4 {width - 8:.0f} {height - 8:.0f} re S"
        data = text.encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (width, height, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        pages,
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


@dataclass(frozen=True)
class Found:
    """A page label found on a side: its cell, which way up, and its box (pdftotext, y down)."""

    page: int
    col: int
    row: int
    rotated: bool
    x_min: float
    y_min: float


@dataclass(frozen=True)
class ReadSide:
    """One output page: its size and the labels on it."""

    width: float
    height: float
    found: tuple[Found, ...]

    def grid(self) -> dict[tuple[int, int], tuple[int, bool]]:
        """(col, row) → (page, upside down)."""
        cells: dict[tuple[int, int], tuple[int, bool]] = {}
        for word in self.found:
            assert (word.col, word.row) not in cells, f"two pages in one cell: {self.found}"
            cells[(word.col, word.row)] = (word.page, word.rotated)
        return cells


def read_sides(path: Path, cols: int, rows: int) -> list[ReadSide]:
    """Every page of ``path`` read back as a ``cols`` x ``rows`` grid of page labels.

    ``cols`` and ``rows`` are for a landscape sheet; a portrait one swaps them.
    """
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    sides = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S):
        width, height, body = float(page[0]), float(page[1]), page[2]
        c, r = (cols, rows) if width >= height else (min(cols, rows), max(cols, rows))
        cell_w, cell_h = width / c, height / r
        found = []
        for x_min, y_min, x_max, y_max, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">P(\d+)</word>',
            body,
        ):
            x = (float(x_min) + float(x_max)) / 2
            y = (float(y_min) + float(y_max)) / 2
            col, row = int(x // cell_w), int(y // cell_h)
            rotated = y - row * cell_h > cell_h / 2
            found.append(Found(int(text), col, row, rotated, float(x_min), float(y_min)))
        sides.append(ReadSide(width, height, tuple(found)))
    return sides


def qpdf_ok(path: Path) -> bool:
    """``qpdf --check`` finds no syntax or stream errors."""
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    return result.returncode == 0 and "No syntax or stream encoding errors" in result.stdout


def viewer_preferences(path: Path) -> dict[str, str]:
    """The sheets PDF's /ViewerPreferences as names."""
    with pikepdf.open(path) as pdf:
        prefs = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
        return {str(key): str(value) for key, value in prefs.items()}
