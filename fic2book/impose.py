"""Imposition: a book's pages two-up on landscape sheets, in folding order, for duplex printing.

A saddle-stitched signature of ``s`` sheets holds ``n = 4s`` pages.  Sheet ``k`` (1 is the
outermost) carries, counting inside the signature:

- front: page ``n - 2k + 2`` on the left, ``2k - 1`` on the right;
- back, printed with a short-edge flip: ``2k`` left, ``n - 2k + 1`` right;
- back, printed with a long-edge flip: ``n - 2k + 1`` left, ``2k`` right, both upside down
  (the duplex unit turns the sheet over its long edge, so the back is printed rotated).

Signature ``j`` adds ``4s(j - 1)`` to every number.  The book is padded with blank pages to
whole signatures; print the sheets double-sided, fold each signature in half, stack the
signatures and sew or staple them.  Every page is scaled to fit its half of the sheet,
keeping its proportions, and centred there.  Any PDF works, not only fic2book's.

pypdf is imported inside :func:`impose`, so the CLI only loads it for this command.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fic2book.errors import InputError, OutputError, UsageError

#: Landscape sheet sizes in PostScript points (width, height).
SHEETS: dict[str, tuple[float, float]] = {
    "letter": (792.0, 612.0),
    "a4": (841.89, 595.276),
    "tabloid": (1224.0, 792.0),
    "a3": (1190.551, 841.89),
}

Flip = Literal["short", "long"]
FLIPS: tuple[str, ...] = ("short", "long")

#: More folded sheets than this make a signature too thick to fold flat.
MAX_SIGNATURE = 32


@dataclass(frozen=True)
class Slot:
    """One half of one side of a sheet: a 1-based page number (``None`` when blank)."""

    page: int | None
    #: Printed upside down (the back of a long-edge flip).
    rotated: bool = False


@dataclass(frozen=True)
class Side:
    """One side of a sheet: the left and right halves."""

    left: Slot
    right: Slot


@dataclass(frozen=True)
class Imposition:
    """What :func:`impose` wrote."""

    source_pages: int
    #: Pages after padding to whole signatures.
    padded_pages: int
    sheets: int
    signatures: int

    @property
    def blank_pages(self) -> int:
        """Blank pages added at the end."""
        return self.padded_pages - self.source_pages


def padded_count(pages: int, signature: int) -> int:
    """``pages`` rounded up to whole signatures of ``signature`` sheets (4 pages a sheet)."""
    per_signature = 4 * signature
    return -(-pages // per_signature) * per_signature


def sheet_sides(pages: int, signature: int, flip: Flip = "short") -> list[Side]:
    """The sides of every sheet in printing order (front, back, front, back and so on).

    ``pages`` is the book's page count; numbers beyond it (the padding) come back as blank
    slots.  Raises :class:`~fic2book.errors.UsageError` for a signature outside 1 to
    :data:`MAX_SIGNATURE` or an unknown flip.
    """
    check_settings(signature, flip)
    per_signature = 4 * signature
    sides: list[Side] = []
    for first in range(0, padded_count(pages, signature), per_signature):

        def slot(number: int, rotated: bool = False, offset: int = first) -> Slot:
            page = offset + number
            return Slot(page if page <= pages else None, rotated)

        n = per_signature
        for k in range(1, signature + 1):
            sides.append(Side(slot(n - 2 * k + 2), slot(2 * k - 1)))
            if flip == "short":
                sides.append(Side(slot(2 * k), slot(n - 2 * k + 1)))
            else:
                sides.append(Side(slot(n - 2 * k + 1, True), slot(2 * k, True)))
    return sides


def check_settings(signature: int, flip: str, sheet: str = "letter") -> None:
    """Refuse a signature, flip or sheet size :func:`impose` cannot use."""
    if not 1 <= signature <= MAX_SIGNATURE:
        raise UsageError(f"--signature must be 1 to {MAX_SIGNATURE} sheets, not {signature}")
    if flip not in FLIPS:
        raise UsageError(f"--flip must be one of {', '.join(FLIPS)}, not {flip!r}")
    if sheet not in SHEETS:
        raise UsageError(f"--sheet must be one of {', '.join(SHEETS)}, not {sheet!r}")


def default_output(source: Path) -> Path:
    """``BOOK.pdf`` → ``BOOK-sheets.pdf`` beside it."""
    return source.with_name(f"{source.stem}-sheets.pdf")


def _read(source: Path) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with source.open("rb") as handle:
            if not handle.read(1024).lstrip().startswith(b"%PDF-"):
                raise InputError(f"{source} is not a PDF file")
        reader = PdfReader(source)
        if reader.is_encrypted:
            raise InputError(f"{source} is encrypted; decrypt it first (qpdf --decrypt)")
        count = len(reader.pages)
    except InputError:
        raise
    except OSError as err:
        raise InputError(f"{source}: {err.strerror or err}") from err
    except (PyPdfError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"{source} is not a readable PDF: {err}") from err
    if count == 0:
        raise InputError(f"{source} has no pages")
    return reader


def _page_box(page: Any) -> tuple[float, float, float, float]:
    # The crop box is what a viewer shows; it defaults to the media box.
    box = page.cropbox
    return float(box.left), float(box.bottom), float(box.width), float(box.height)


def _clip_to_box(page: Any, box: tuple[float, float, float, float]) -> None:
    """Clip a page's content to its crop box, so nothing spills onto the neighbouring half."""
    from pypdf.generic import ContentStream

    left, bottom, width, height = box
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    stream = ContentStream(None, None)
    stream.set_data(
        f"q {left:.4f} {bottom:.4f} {width:.4f} {height:.4f} re W n\n".encode("ascii")
        + data
        + b"\nQ"
    )
    page.replace_contents(stream)


def _place(sheet: Any, page: Any, half: int, size: tuple[float, float], rotated: bool) -> None:
    """Draw ``page`` scaled to fit half ``half`` (0 left, 1 right) of ``sheet``, centred."""
    from pypdf import Transformation

    left, bottom, width, height = _page_box(page)
    sheet_width, sheet_height = size
    half_width = sheet_width / 2
    scale = min(half_width / width, sheet_height / height)
    placed_width, placed_height = width * scale, height * scale
    x = half * half_width + (half_width - placed_width) / 2
    y = (sheet_height - placed_height) / 2
    # Move the crop box's corner to the origin, scale, then (for a long-edge back) turn the
    # page half a turn about its own centre, and move it into its slot.
    transform = Transformation().translate(-left, -bottom).scale(scale, scale)
    if rotated:
        transform = transform.rotate(180).translate(placed_width, placed_height)
    transform = transform.translate(x, y)
    sheet.merge_transformed_page(page, transform)


def impose(
    source: Path,
    target: Path,
    sheet: str = "a4",
    signature: int = 4,
    flip: Flip = "short",
) -> Imposition:
    """Impose the PDF ``source`` onto ``sheet``-size sheets in ``target``.

    Raises :class:`~fic2book.errors.InputError` when ``source`` is missing, not a PDF,
    encrypted or empty, :class:`~fic2book.errors.UsageError` for bad settings and
    :class:`~fic2book.errors.OutputError` when ``target`` cannot be written (it is written
    to a temporary file beside it and renamed into place).
    """
    from pypdf import PdfWriter
    from pypdf.generic import RectangleObject

    check_settings(signature, flip, sheet)
    reader = _read(source)
    count = len(reader.pages)
    size = SHEETS[sheet]
    prepared: dict[int, Any] = {}
    # Pages are changed (rotation folded in, clipped) only in a copy that pypdf lets us edit.
    source_pages = PdfWriter(clone_from=reader).pages

    def prepared_page(number: int) -> Any:
        if number not in prepared:
            page = source_pages[number - 1]
            # A /Rotate entry is folded into the content so the page is placed as seen.
            if page.rotation:
                page.transfer_rotation_to_content()
            box = _page_box(page)
            if tuple(float(v) for v in page.cropbox) != tuple(float(v) for v in page.mediabox):
                _clip_to_box(page, box)
            prepared[number] = page
        return prepared[number]

    writer = PdfWriter()
    sides = sheet_sides(count, signature, flip)
    for side in sides:
        out = writer.add_blank_page(width=size[0], height=size[1])
        for half, slot in enumerate((side.left, side.right)):
            if slot.page is not None:
                _place(out, prepared_page(slot.page), half, size, slot.rotated)
        out.mediabox = RectangleObject((0, 0, size[0], size[1]))
    writer.add_metadata({"/Producer": "fic2book impose"})
    _write(writer, target)
    padded = padded_count(count, signature)
    return Imposition(count, padded, padded // 4, padded // (4 * signature))


def _write(writer: Any, target: Path) -> None:
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".fic2book-", suffix=".pdf")
    except OSError as err:
        raise OutputError(f"{folder}: {err.strerror or err}") from err
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            writer.write(stream)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"{target}: {err.strerror or err}") from err
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def describe(result: Imposition, sheet: str, signature: int) -> str:
    """A one-line summary for the CLI."""
    blanks = f", {result.blank_pages} blank" if result.blank_pages else ""
    plural = "s" if result.signatures != 1 else ""
    return (
        f"{result.source_pages} pages{blanks} on {result.sheets} {sheet} sheets "
        f"({result.signatures} signature{plural} of {signature})"
    )


def sides_table(sides: Sequence[Side]) -> list[tuple[str, str]]:
    """The sides as printable ``(left, right)`` labels; ``↻`` marks an upside-down page."""

    def label(slot: Slot) -> str:
        if slot.page is None:
            return "blank"
        return f"{slot.page}\u21bb" if slot.rotated else str(slot.page)

    return [(label(side.left), label(side.right)) for side in sides]
