"""Impose a PDF: read its pages, plan the sheets, draw them, and write the files binders print.

Each source page becomes one form XObject (pikepdf's ``Page.as_form_xobject``, which clips
to the page's trim box and folds in ``/Rotate``) and every sheet side draws the ones it needs
with a ``cm`` transform: scaled, and turned half round for the pages printed head to head.
The sheets PDF asks viewers to print at 100 % (``/ViewerPreferences`` ``/PrintScaling
/None``) and double-sided as the printer setting says (``/Duplex``).

Files, for ``target`` ``BOOK-sheets.pdf``:

- duplex printers: ``BOOK-sheets.pdf``, front and back of each sheet in turn;
- ``single``: ``BOOK-sheets-fronts.pdf`` and ``BOOK-sheets-backs.pdf``.  Print the fronts,
  put the printed stack back in the tray as it came out (blank side where the printer
  prints, the same edge leading: the sheets turn over their long edge); the backs come in
  reverse order, last sheet first, so the top sheet of that stack gets its own back;
- ``split``: also ``BOOK-sheets-sig01.pdf`` … (or ``-sig01-fronts.pdf``/``-backs.pdf``);
  ``split="only"``: those files alone.

pikepdf is imported inside the functions, so the CLI loads it only for this command.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fic2book.errors import InputError
from fic2book.pipeline import write_bytes_atomically
from fic2book.printing.marks import marks_content
from fic2book.printing.plan import ImposeSettings, SheetGeometry, SidePlan, plan_sheet, plan_sides
from fic2book.printing.signatures import BookPlan, plan_book


@dataclass(frozen=True)
class Imposition:
    """What :func:`impose` wrote, and the plan behind it."""

    book: BookPlan
    geometry: SheetGeometry
    sides: tuple[SidePlan, ...]
    files: tuple[Path, ...]

    @property
    def source_pages(self) -> int:
        """Pages of the source PDF."""
        return self.book.source_pages

    @property
    def blank_pages(self) -> int:
        """Blank pages added after the last page (flyleaves not counted)."""
        return self.book.blank_pages

    @property
    def sheets(self) -> int:
        """Sheets to print."""
        return self.book.sheets

    @property
    def signatures(self) -> int:
        """Signatures to sew."""
        return len(self.book.gatherings)


def default_output(source: Path) -> Path:
    """``BOOK.pdf`` → ``BOOK-sheets.pdf`` beside it."""
    return source.with_name(f"{source.stem}-sheets.pdf")


def open_pdf(source: Path) -> Any:
    """Open ``source`` with pikepdf, or raise :class:`InputError` saying what is wrong."""
    import pikepdf

    try:
        with source.open("rb") as handle:
            if not handle.read(1024).lstrip().startswith(b"%PDF-"):
                raise InputError(f"{source} is not a PDF file")
        pdf = pikepdf.open(source)
    except InputError:
        raise
    except pikepdf.PasswordError as err:
        raise InputError(f"{source} is encrypted; decrypt it first (qpdf --decrypt)") from err
    except OSError as err:
        raise InputError(f"{source}: {err.strerror or err}") from err
    except pikepdf.PdfError as err:
        raise InputError(f"{source} is not a readable PDF: {err}") from err
    if pdf.is_encrypted:
        raise InputError(f"{source} is encrypted; decrypt it first (qpdf --decrypt)")
    try:
        count = len(pdf.pages)
    except pikepdf.PdfError as err:
        raise InputError(f"{source} is not a readable PDF: {err}") from err
    if count == 0:
        raise InputError(f"{source} has no pages")
    return pdf


def _form_size(form: Any) -> tuple[float, float, float, float]:
    """The form's box after its /Matrix: (x0, y0, width, height)."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    points = [(a * x + c * y + e, b * x + d * y + f) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _forms(pdf: Any, source: Path) -> tuple[list[Any], list[tuple[float, float, float, float]]]:
    """Every page as a form XObject, with its box; a page without a usable size is refused."""
    import pikepdf

    forms, boxes = [], []
    for number, page in enumerate(pdf.pages, start=1):
        try:
            form = page.as_form_xobject()
            box = _form_size(form)
        except (pikepdf.PdfError, ValueError, TypeError, AttributeError) as err:
            raise InputError(f"{source}: page {number} cannot be read: {err}") from err
        if not (1 <= box[2] <= 14400 and 1 <= box[3] <= 14400):
            raise InputError(f"{source}: page {number} is {box[2]:g} x {box[3]:g} pt")
        forms.append(form)
        boxes.append(box)
    return forms, boxes


def _matrix(box: tuple[float, float, float, float], placement: Any) -> str:
    """The ``cm`` that draws a form whose box is ``box`` into the placement's rect."""
    left, bottom, _width, _height = box
    s = placement.scale
    x0, y0, x1, y1 = placement.rect
    if placement.rotated:
        return f"{-s:.6f} 0 0 {-s:.6f} {x1 + left * s:.4f} {y1 + bottom * s:.4f} cm"
    return f"{s:.6f} 0 0 {s:.6f} {x0 - left * s:.4f} {y0 - bottom * s:.4f} cm"


class _Drawer:
    """Draws sides into one output PDF, copying each source page in at most once."""

    def __init__(self, forms: list[Any], boxes: list[tuple[float, float, float, float]]) -> None:
        import pikepdf

        self.pdf = pikepdf.new()
        self.forms = forms
        self.boxes = boxes
        self.copied: dict[int, Any] = {}

    def side(self, side: SidePlan, geometry: SheetGeometry, marks: bytes) -> None:
        import pikepdf

        page = self.pdf.add_blank_page(page_size=(geometry.width, geometry.height))
        xobjects = pikepdf.Dictionary()
        ops = []
        for placement in side.placements:
            number = placement.source_page
            if number is None:
                continue
            if number not in self.copied:
                self.copied[number] = self.pdf.copy_foreign(self.forms[number - 1])
            name = f"/P{number}"
            xobjects[name] = self.copied[number]
            ops.append(f"q {_matrix(self.boxes[number - 1], placement)} {name} Do Q")
        page.obj.Resources = pikepdf.Dictionary(XObject=xobjects)
        content = "\n".join(ops).encode("ascii") + b"\n" + marks
        page.obj.Contents = self.pdf.make_stream(content)

    def save(self, target: Path, printer: str) -> None:
        import pikepdf

        duplex = {
            "duplex-short": "/DuplexFlipShortEdge",
            "duplex-long": "/DuplexFlipLongEdge",
        }.get(printer, "/Simplex")
        self.pdf.Root.ViewerPreferences = pikepdf.Dictionary(
            PrintScaling=pikepdf.Name("/None"), Duplex=pikepdf.Name(duplex)
        )
        self.pdf.docinfo["/Producer"] = "fic2book impose"
        buffer = io.BytesIO()
        self.pdf.save(buffer, deterministic_id=True)
        write_bytes_atomically(buffer.getvalue(), target)


def output_groups(
    target: Path, sides: list[SidePlan], settings: ImposeSettings
) -> list[tuple[Path, list[SidePlan]]]:
    """Each file to write and the sides it holds, in feed order."""

    def files(stem_path: Path, group: list[SidePlan]) -> list[tuple[Path, list[SidePlan]]]:
        if settings.printer != "single":
            return [(stem_path, group)]
        fronts = [s for s in group if s.face == "front"]
        backs = [s for s in group if s.face == "back"][::-1]
        return [
            (stem_path.with_name(f"{stem_path.stem}-fronts.pdf"), fronts),
            (stem_path.with_name(f"{stem_path.stem}-backs.pdf"), backs),
        ]

    groups = [] if settings.split == "only" else files(target, sides)
    if settings.split:
        for index in sorted({s.signature for s in sides}):
            part = target.with_name(f"{target.stem}-sig{index:02d}.pdf")
            groups += files(part, [s for s in sides if s.signature == index])
    return groups


def impose(source: Path, target: Path, settings: ImposeSettings | None = None) -> Imposition:
    """Impose the PDF ``source`` as ``settings`` say; write ``target`` (and its siblings).

    Raises :class:`~fic2book.errors.InputError` when ``source`` is missing, not a PDF,
    encrypted or empty, :class:`~fic2book.errors.UsageError` for bad settings (a page that
    does not fit at 100 % among them) and :class:`~fic2book.errors.OutputError` when a file
    cannot be written (each is written beside its target and renamed into place).
    """
    settings = settings or ImposeSettings()
    layout = settings.check()
    pdf = open_pdf(source)
    forms, boxes = _forms(pdf, source)
    trims = [(box[2], box[3]) for box in boxes]
    largest = (max(t[0] for t in trims), max(t[1] for t in trims))
    book = plan_book(layout, len(forms), settings.signatures, settings.flyleaves)
    geometry = plan_sheet(layout, settings.sheet, largest, settings.scale, settings.margin)
    sides = plan_sides(
        book, geometry, settings, lambda number: trims[number - 1] if number else trims[0]
    )
    sheets_of = {g.index: g.sheets for g in book.gatherings}
    written = []
    for path, group in output_groups(target, sides, settings):
        drawer = _Drawer(forms, boxes)
        for side in group:
            marks = marks_content(
                geometry,
                side,
                settings.marks,
                len(book.gatherings),
                sheets_of[side.signature],
                settings.sewing_stations,
            )
            drawer.side(side, geometry, marks)
        drawer.save(path, settings.printer)
        written.append(path)
    return Imposition(book, geometry, tuple(sides), tuple(written))


def describe(result: Imposition, sheet: str) -> str:
    """A one-line summary for the CLI: pages, blanks, sheets and the signatures chosen."""
    blanks = f", {result.blank_pages} blank" if result.blank_pages else ""
    flyleaves = result.book.flyleaf_pages
    fly = f", {flyleaves} flyleaf pages front and back" if flyleaves else ""
    return (
        f"{result.source_pages} pages{blanks}{fly} on {result.sheets} {sheet} sheets, "
        f"{result.book.layout.name} ({result.book.choice})"
    )
