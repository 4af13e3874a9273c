"""Rendering options: one documented field per CLI option, shared by every backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Named trim sizes accepted by ``--page-size``, as CSS ``size`` values.
PAGE_SIZES: dict[str, str] = {
    "a4": "A4",
    "a5": "A5",
    "letter": "letter",
    "5.5x8.5in": "5.5in 8.5in",
    "6x9in": "6in 9in",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render a work; the defaults make a reader's EPUB and an A5 print PDF."""

    #: ``--page-size``: a key of :data:`PAGE_SIZES` or ``WIDTHxHEIGHT`` with CSS units.
    page_size: str = "a5"
    #: ``--template-dir``: searched before the bundled templates, so one file can be overridden.
    template_dir: Path | None = None
    #: ``--css``: extra stylesheets applied after the bundled ones.
    css: tuple[Path, ...] = ()
    #: ``SOURCE_DATE_EPOCH`` or ``None``; fixes every timestamp written into a book.
    source_date_epoch: int | None = None
