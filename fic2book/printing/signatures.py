"""Signatures: how many sheets each gathering takes, and which book page each sheet carries.

A signature of ``k`` folded sheets is ``k`` sheets folded one by one and nested, the first
(outermost) around the others.  With ``P`` pages a sheet (4 folio … 32 sextodecimo) and
``T = kP`` pages in the signature, local page ``p`` of sheet ``i`` (0 = outermost) is page

- ``i·P/2 + p`` of the signature when ``p ≤ P/2`` (the first half, before the centre fold),
- ``T - (i+1)·P/2 + (p - P/2)`` otherwise (the second half).

Folio is the familiar case: sheet 1 of a 4k-page signature carries ``4k | 1`` and ``2 | 4k-1``.

Formats: ``booklet`` (one signature of every sheet), ``perfect`` (each sheet alone, for a
glued spine), ``standard`` (N sheets each) and a custom list (``4,4,3``).  For ``standard``
and ``booklet`` the book takes the fewest sheets that hold it, so at most one sheet's worth of
pages is blank, and those sheets are spread so that some signatures are one sheet short (the
last ones) rather than adding a signature of blanks.  Flyleaves are blank leaves (two pages
each) before the first and after the last page of the book.
"""

from __future__ import annotations

from dataclasses import dataclass

from fic2book.errors import UsageError
from fic2book.printing.layouts import Layout

#: More folded sheets than this make a signature too thick to fold flat.
MAX_SHEETS = 32

#: Names accepted by ``--signatures`` besides a number or a list.
FORMATS: tuple[str, ...] = ("booklet", "perfect", "standard")


def default_sheets(layout: Layout) -> int:
    """Sheets per signature by default: 16-page signatures (32 for sextodecimo)."""
    return max(1, 16 // layout.pages_per_sheet)


@dataclass(frozen=True)
class Signatures:
    """A choice of signatures: a format and, for ``standard`` or a list, the sheet counts."""

    kind: str = "standard"
    #: Sheets per signature for ``standard`` (``None``: the layout's default).
    sheets: int | None = None
    #: Sheets of each signature for ``custom``.
    custom: tuple[int, ...] = ()


def parse_signatures(value: str) -> Signatures:
    """``booklet``, ``perfect``, ``standard``, ``N`` or a list such as ``4,4,3``."""
    key = value.strip().lower()
    if key in FORMATS:
        return Signatures(key)
    parts = [part.strip() for part in key.split(",")]
    if not all(part.isdigit() for part in parts):
        raise UsageError(
            f"--signatures must be booklet, perfect, standard, a number of sheets or a list "
            f"such as 4,4,3, not {value!r}"
        )
    counts = tuple(int(part) for part in parts)
    for count in counts:
        if not 1 <= count <= MAX_SHEETS:
            raise UsageError(f"a signature must have 1 to {MAX_SHEETS} sheets, not {count}")
    if len(counts) == 1:
        return Signatures("standard", counts[0])
    return Signatures("custom", custom=counts)


@dataclass(frozen=True)
class Gathering:
    """One signature: its sheets and its first page in the padded book (0-based)."""

    index: int
    sheets: int
    first_page: int
    pages: int


@dataclass(frozen=True)
class BookPlan:
    """Pages of the book laid into signatures, with the blank pages added."""

    layout: Layout
    #: Pages of the source PDF.
    source_pages: int
    #: Blank pages before the first page and after the last (flyleaves: two a leaf).
    flyleaf_pages: int
    gatherings: tuple[Gathering, ...]
    #: How the signatures were chosen, for people: "3 signatures of 4 sheets, 1 of 3".
    choice: str

    @property
    def total_pages(self) -> int:
        """Pages of all signatures, blanks included."""
        return sum(g.pages for g in self.gatherings)

    @property
    def sheets(self) -> int:
        """Sheets to print."""
        return sum(g.sheets for g in self.gatherings)

    @property
    def blank_pages(self) -> int:
        """Blank pages added after the book's last page (flyleaves not counted)."""
        return self.total_pages - self.source_pages - 2 * self.flyleaf_pages

    def source_page(self, book_page: int) -> int | None:
        """The 1-based source page shown on padded page ``book_page`` (1-based), or blank."""
        number = book_page - self.flyleaf_pages
        if 1 <= number <= self.source_pages:
            return number
        return None


def _spread(total_sheets: int, per: int) -> list[int]:
    """``total_sheets`` over the fewest signatures of at most ``per``, evenly (short ones last)."""
    count = -(-total_sheets // per)
    base, longer = divmod(total_sheets, count)
    return [base + 1] * longer + [base] * (count - longer)


def describe_counts(counts: list[int]) -> str:
    """``2 signatures of 4 sheets, 1 of 3``: a run-length summary of sheet counts."""
    runs: list[tuple[int, int]] = []
    for count in counts:
        if runs and runs[-1][1] == count:
            runs[-1] = (runs[-1][0] + 1, count)
        else:
            runs.append((1, count))
    parts = []
    for position, (times, sheets) in enumerate(runs):
        noun = "signature" if times == 1 else "signatures"
        sheet_word = "sheet" if sheets == 1 else "sheets"
        parts.append(
            f"{times} {noun} of {sheets} {sheet_word}" if position == 0 else f"{times} of {sheets}"
        )
    return ", ".join(parts)


def plan_book(
    layout: Layout, pages: int, signatures: Signatures | None = None, flyleaves: int = 0
) -> BookPlan:
    """Lay ``pages`` pages (plus ``flyleaves`` blank leaves front and back) into signatures.

    Raises :class:`~fic2book.errors.UsageError` when a custom list cannot hold the book.
    """
    choice = signatures or Signatures()
    if not 0 <= flyleaves <= 16:
        raise UsageError(f"--flyleaves must be 0 to 16 leaves, not {flyleaves}")
    per_sheet = layout.pages_per_sheet
    needed = pages + 4 * flyleaves
    total_sheets = -(-needed // per_sheet)
    if choice.kind == "booklet":
        counts = [total_sheets]
        if total_sheets > MAX_SHEETS:
            raise UsageError(
                f"{pages} pages need {total_sheets} {layout.name} sheets, too many to fold as "
                f"one booklet (at most {MAX_SHEETS}); use --signatures standard"
            )
    elif choice.kind == "perfect":
        counts = [1] * total_sheets
    elif choice.kind == "custom":
        counts = list(choice.custom)
        if sum(counts) < total_sheets:
            raise UsageError(
                f"--signatures {','.join(map(str, counts))} holds {sum(counts) * per_sheet} "
                f"pages; the book needs {needed} ({total_sheets} {layout.name} sheets)"
            )
    elif choice.kind == "standard":
        per = choice.sheets or default_sheets(layout)
        if not 1 <= per <= MAX_SHEETS:
            raise UsageError(f"a signature must have 1 to {MAX_SHEETS} sheets, not {per}")
        counts = _spread(total_sheets, per)
    else:
        raise UsageError(f"unknown signature format {choice.kind!r}")
    gatherings, first = [], 0
    for index, sheets in enumerate(counts, start=1):
        gatherings.append(Gathering(index, sheets, first, sheets * per_sheet))
        first += sheets * per_sheet
    summary = describe_counts(counts)
    if choice.kind in ("booklet", "perfect"):
        summary = f"{choice.kind}: {summary}"
    return BookPlan(layout, pages, 2 * flyleaves, tuple(gatherings), summary)


def signature_page(layout: Layout, sheets: int, sheet: int, local_page: int) -> int:
    """The 1-based signature page that ``local_page`` of sheet ``sheet`` shows.

    ``sheet`` counts from 0 (outermost) in a signature of ``sheets`` sheets; ``local_page``
    numbers the folded sheet's own pages from 1.
    """
    half = layout.pages_per_sheet // 2
    total = sheets * layout.pages_per_sheet
    if local_page <= half:
        return sheet * half + local_page
    return total - (sheet + 1) * half + (local_page - half)


def nesting_depth(total: int, page: int) -> int:
    """How many folded leaves lie outside ``page``'s leaf at the spine (0 = outermost).

    ``total`` is the signature's page count; pages ``2d+1, 2d+2`` and their conjugates
    ``total-2d-1, total-2d`` share depth ``d``.
    """
    first_half = page if page <= total // 2 else total + 1 - page
    return (first_half - 1) // 2
