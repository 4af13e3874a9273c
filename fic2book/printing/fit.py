"""Fit a text block to whole signatures by nudging its leading (``--fit-signatures``).

A book of 117 pages sewn in 16-page signatures needs 11 blank pages; set a shade tighter it
might make 112, a shade looser 128.  :func:`fit_text_block` renders the book, and when the
last signature would get more than ``max_blanks`` blank pages, renders it again set a shade
tighter or looser, aiming at the nearest whole number of signatures, and keeps the render
with the fewest blank pages.  One number, the *tightness* ``t`` from -1 to 1, sets both
nudges: the body leading ``1.42 x (1 + 0.05 t)`` (1.35 to 1.49, too little to see on a page)
and the bottom margin, ``3 t`` mm more or less than the trim's default.  Page counts do not
follow it smoothly (chapters open on rectos), so it searches: a first guess proportional to
the pages wanted, then secant steps, at most :data:`MAX_RENDERS` renders in all.  The change
is one extra stylesheet placed before the reader's own ``--css``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fic2book.model import Work
from fic2book.options import RenderOptions

#: The PDF stylesheet's body leading (styles/pdf.css), and how far fitting may move it.
BASE_LEADING = 1.42
LEADING_STEP = 0.05
#: How far (mm) fitting may move the bottom margin.
MARGIN_STEP_MM = 3.0
MAX_RENDERS = 5


@dataclass(frozen=True)
class Fit:
    """What fitting did: the tightness chosen, the pages and blanks it gives."""

    tightness: float
    pages: int
    blanks: int
    renders: int
    original_pages: int

    @property
    def leading(self) -> float:
        """The body leading used."""
        return round(BASE_LEADING * (1 + LEADING_STEP * self.tightness), 4)

    def describe(self, signature_pages: int) -> str:
        """A line for people: the change and the resulting page count."""
        if self.tightness == 0:
            return (
                f"{self.pages} pages, {self.blanks} blank to whole {signature_pages}-page "
                f"signatures (unchanged: {self.renders - 1} nudges tried did no better)"
                if self.renders > 1
                else f"{self.pages} pages, {self.blanks} blank to whole {signature_pages}-page "
                "signatures (no change needed)"
            )
        return (
            f"leading {BASE_LEADING:g} → {self.leading:.3f}, bottom margin "
            f"{MARGIN_STEP_MM * self.tightness:+.1f} mm: {self.original_pages} → "
            f"{self.pages} pages, {self.blanks} blank to whole {signature_pages}-page signatures"
        )


def _count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def fit_css(options: RenderOptions, tightness: float) -> str:
    """The stylesheet for a tightness: body leading and bottom margin."""
    from fic2book.pagesize import page_geometry

    bottom = page_geometry(options.page_size, options.gutter).bottom_mm
    leading = BASE_LEADING * (1 + LEADING_STEP * tightness)
    return (
        f"body {{ line-height: {leading:.4f} }}\n"
        f"@page {{ margin-bottom: {bottom + MARGIN_STEP_MM * tightness:.2f}mm }}\n"
    )


def _render(work: Work, target: Path, options: RenderOptions, tightness: float) -> int:
    from fic2book.pipeline import backends_for, write_atomically

    extra: tuple[Path, ...] = ()
    if tightness:
        handle, name = tempfile.mkstemp(suffix=".css", prefix="fic2book-fit-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(fit_css(options, tightness))
        extra = (Path(name),)
    try:
        write_atomically(
            backends_for(["pdf"])[0], work, target, options.replace(css=extra + options.css)
        )
    finally:
        for path in extra:
            path.unlink(missing_ok=True)
    return _count(target)


def _clamp(value: float) -> float:
    return round(min(max(value, -1.0), 1.0), 4)


def fit_text_block(
    work: Work,
    target: Path,
    options: RenderOptions,
    signature_pages: int,
    max_blanks: int = 2,
    extra_pages: int = 0,
) -> Fit:
    """Render ``work`` to ``target`` as a PDF filling whole ``signature_pages``-page signatures.

    ``work`` must already be prepared (:func:`fic2book.pipeline.prepare`); ``extra_pages``
    (flyleaves) are counted with the book's own pages.
    """

    def blanks(pages: int) -> int:
        return -(pages + extra_pages) % signature_pages

    original = _render(work, target, options, 0.0)
    tried = {0.0: original}
    if blanks(original) <= max_blanks:
        return Fit(0.0, original, blanks(original), 1, original)
    down = original - (original + extra_pages) % signature_pages
    up = original + blanks(original)
    goal = down if original - down <= up - original and down > 0 else up
    # About 1 % more pages per 0.1 of tightness at first guess (leading 0.5 %, margin ~1 %).
    tightness = _clamp((goal / original - 1) / 0.15)
    scratch = target.with_name(f".{target.stem}-fit{target.suffix}")
    best_t, best = 0.0, original
    try:
        while len(tried) < MAX_RENDERS and tightness not in tried:
            pages = _render(work, scratch, options, tightness)
            tried[tightness] = pages
            if blanks(pages) < blanks(best) or (
                blanks(pages) == blanks(best) and abs(tightness) < abs(best_t)
            ):
                best_t, best = tightness, pages
                os.replace(scratch, target)
            if blanks(best) <= max_blanks:
                break
            # Secant step through the two renders nearest the goal.
            (t1, p1), (t2, p2) = sorted(tried.items(), key=lambda kv: abs(kv[1] - goal))[:2]
            step = (goal - p1) * (t2 - t1) / (p2 - p1) if p2 != p1 else (t1 - t2) or 0.1
            tightness = _clamp(t1 + step)
    finally:
        scratch.unlink(missing_ok=True)
    return Fit(best_t, best, blanks(best), len(tried), original)


def convert_fitted(
    source: Path,
    formats: list[str],
    output: Path | None,
    options: RenderOptions,
    signature_pages: int,
    from_format: str | None = None,
    *,
    into_folder: bool | None = None,
    taken: set[Path] | None = None,
) -> tuple[list[Path], Fit | None]:
    """:func:`fic2book.pipeline.convert_file`, with the PDF fitted to whole signatures.

    Returns the paths written and what fitting did (``None`` when no PDF was asked for).
    """
    from fic2book.errors import OutputError
    from fic2book.limits import check_input_size
    from fic2book.pipeline import backends_for, plan_targets, prepare, write_atomically
    from fic2book.readers import check_source, read_work

    backends = backends_for(formats)
    check_source(source)
    check_input_size(source, options.max_input_size)
    work = read_work(source, from_format)
    targets = plan_targets(
        work, backends, output, into_folder=into_folder, taken=taken, name=options.name
    )
    work = prepare(work, options)
    fit = None
    written: list[Path] = []
    for backend, target in zip(backends, targets, strict=True):
        if target.exists() and target.resolve() == source.resolve():
            raise OutputError(f"{target}: would overwrite the input")
        if backend.name == "pdf":
            fit = fit_text_block(work, target, options, signature_pages)
        else:
            write_atomically(backend, work, target, options)
        written.append(target)
        if taken is not None:
            taken.add(target)
    return written, fit
