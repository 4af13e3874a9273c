"""The pages before the story (``--front-matter``) and what the credits page says.

A printed book opens with a half title (the title alone), the title page, the credits page
(the copyright page of a fan book: where the work was posted, by whom, when, what the author
allows, who made this copy) and, for a fan work, the tag summary.  The PDF has all four by
default; the EPUB no half title, which e-books do without.  ``--front-matter`` names the
pages to have, in order, for both books.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fic2book.errors import UsageError

#: Every front-matter page, in the default order.
FRONT_PARTS: tuple[str, ...] = ("half-title", "title", "credits", "tags")
#: The defaults: the print book has them all, the EPUB no half title.
PDF_FRONT: tuple[str, ...] = FRONT_PARTS
EPUB_FRONT: tuple[str, ...] = ("title", "credits", "tags")


def parse_front_matter(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"half-title,title,credits,tags"`` (or a sequence) as a checked tuple, or a usage error."""
    names = value.split(",") if isinstance(value, str) else list(value)
    parts = tuple(name.strip().lower() for name in names if name.strip())
    unknown = [name for name in parts if name not in FRONT_PARTS]
    if unknown or not parts:
        raise UsageError(f"--front-matter takes a list of {', '.join(FRONT_PARTS)}, not {value!r}")
    if len(set(parts)) != len(parts):
        raise UsageError(f"--front-matter names a page twice: {value!r}")
    return parts


def front_parts(chosen: tuple[str, ...] | None, *, pdf: bool) -> tuple[str, ...]:
    """The front-matter pages of one book: ``--front-matter`` or that book's default."""
    if chosen is not None:
        return chosen
    return PDF_FRONT if pdf else EPUB_FRONT


#: The pages an omnibus has once, for the whole book; each work has its own of the others.
OMNIBUS_PARTS: tuple[str, ...] = ("half-title", "title", "credits")


def omnibus_front(
    chosen: tuple[str, ...] | None, *, pdf: bool, work: bool = False
) -> tuple[str, ...]:
    """The front matter of an omnibus (``convert --combine``), or with ``work`` of each work.

    The book opens with its own half title, title page and credits page (which lists every
    work), as ``--front-matter`` or the book's default has them; each work then opens with its
    title page, always (it starts the work's part of the contents and outline), and its tag
    summary when the front matter has one.
    """
    parts = front_parts(chosen, pdf=pdf)
    if work:
        return ("title", "tags") if "tags" in parts else ("title",)
    return tuple(part for part in parts if part in OMNIBUS_PARTS)


def build_day(source_date_epoch: int | None) -> dt.date | None:
    """The build day for the credits page, ``SOURCE_DATE_EPOCH``'s (UTC), else none.

    A date, not text: the page writes it in the label language ("14 novembre 2023").
    """
    if source_date_epoch is None:
        return None
    return dt.datetime.fromtimestamp(source_date_epoch, tz=dt.UTC).date()
