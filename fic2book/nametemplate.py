"""``--name`` templates: ``"{fandom}/{series}/{part:02} {title}"`` into safe relative paths.

A template is Python's format-string syntax (parsed with :class:`string.Formatter`) over the
fields in :data:`FIELDS`, each optionally with a format spec (``{part:02}``, ``{words:,}``,
``{date:%Y}``).  Anything else (an unknown field, ``{}``, ``{title.upper}``, ``{authors[0]}``,
a ``!r`` conversion, a spec the field's type refuses) is a usage error when the template is
read, before any work is.

Rules, in order:

* ``/`` in the template's own text separates folders; a ``/`` inside a field's value never
  does (it is replaced like any character a file system refuses).
* An empty field (a work with no series, no rating…) disappears with the literal text
  *before* it, back to the previous field; when no field of its folder or name has been
  written yet, it takes the text *after* it too; and the text after a folder's or name's
  last field goes when that field is empty.  So ``"{series} {part:02} - {title}"`` gives
  ``"Title"`` for a work outside any series, ``"[{rating}] {title} ({series})"`` gives
  ``"Title"``, and a folder that comes out empty (``"{series}/"``) is left out.
* Each folder and the name is then made safe by :func:`fic2book.naming.safe_filename`:
  forbidden and control characters replaced, bidi and invisible characters dropped, leading
  dots stripped (so no ``..``), reserved Windows names altered, 255 bytes at most.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from fic2book.describe import work_words
from fic2book.errors import UsageError
from fic2book.model import TagKind, Work
from fic2book.naming import author_list, output_name, safe_filename

#: The fields a template may use, with a sample of each one's type (to check format specs).
FIELDS: dict[str, Any] = {
    "title": "Title",
    "authors": "Author",
    "fandom": "Fandom",
    "series": "Series",
    "part": 1,
    "work_id": 1,
    "rating": "General Audiences",
    "language": "en",
    "words": 1000,
    "chapters": 1,
    "date": dt.date(2024, 1, 31),
}


@dataclass(frozen=True)
class _Field:
    name: str
    spec: str


#: One folder or name of a template: literal strings and fields, in order.
_Part = tuple[str | _Field, ...]


@dataclass(frozen=True)
class NameTemplate:
    """A checked ``--name`` template."""

    text: str
    #: The folders, then the name.
    parts: tuple[_Part, ...]

    @classmethod
    def parse(cls, text: str) -> NameTemplate:
        """Check ``text`` and split it into folders; raise :class:`UsageError` if it is bad."""
        parts: list[list[str | _Field]] = [[]]
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as err:
            raise UsageError(f"--name {text!r}: {err}") from None
        for literal, name, spec, conversion in parsed:
            pieces = literal.split("/")
            parts[-1].append(pieces[0])
            for piece in pieces[1:]:
                parts.append([piece])
            if name is None:
                continue
            if name not in FIELDS:
                known = ", ".join(FIELDS)
                raise UsageError(f"--name: unknown field {{{name}}}; the fields are {known}")
            if conversion is not None:
                raise UsageError(f"--name: {{{name}!{conversion}}}: no conversions, only specs")
            _check_spec(name, spec or "")
            parts[-1].append(_Field(name, spec or ""))
        if (
            not any(isinstance(piece, _Field) for piece in parts[-1])
            and not "".join(piece for piece in parts[-1] if isinstance(piece, str)).strip()
        ):
            raise UsageError(f"--name {text!r}: the template ends with an empty file name")
        return cls(text, tuple(tuple(part) for part in parts))

    def render(self, values: Mapping[str, Any], suffix: str) -> PurePosixPath:
        """The book's path relative to the output folder, each part made safe.

        Empty folders are left out; a name that comes out empty becomes "Untitled".
        """
        texts = [_render_part(part, values) for part in self.parts]
        folders = [safe_filename(text) for text in texts[:-1] if text.strip(" .")]
        return PurePosixPath(*folders, safe_filename(texts[-1], suffix))


def _check_spec(name: str, spec: str) -> None:
    if any(char in spec for char in "{}"):
        raise UsageError(f"--name: {{{name}:{spec}}}: no fields inside a format spec")
    try:
        format(FIELDS[name], spec)
    except (ValueError, TypeError) as err:
        raise UsageError(f"--name: {{{name}:{spec}}}: {err}") from None


def _render_part(part: _Part, values: Mapping[str, Any]) -> str:
    """One folder or name: fields formatted, empty ones dropped with their separator."""
    out: list[str] = []
    pending = ""  # literal text waiting for the next field
    written = False  # has a field of this part been written yet?
    skip_next = False  # an empty field at the start takes the text after it
    last_empty = False
    for piece in part:
        if isinstance(piece, str):
            if not skip_next:
                pending += piece
            skip_next = False
            continue
        value = values.get(piece.name)
        last_empty = value is None or value == ""
        if last_empty:
            pending = ""  # the text back to the previous field goes with it
            skip_next = not written  # at the start, the text after it too
            continue
        out.append(pending + format(value, piece.spec))
        pending, written = "", True
    fields = any(isinstance(piece, _Field) for piece in part)
    if (written and not last_empty) or not fields:
        out.append(pending)  # the text after the last field, or a part without fields
    return "".join(out)


def book_path(template: str | None, fields: Mapping[str, Any], suffix: str) -> PurePosixPath:
    """The path of a book named by ``template`` (``None``: "Title - Authors"), from its fields."""
    if template is None:
        title, authors = fields.get("title") or "", fields.get("authors_list") or ()
        return PurePosixPath(output_name(title, authors, suffix))
    return NameTemplate.parse(template).render(fields, suffix)


def name_fields(work: Work) -> dict[str, Any]:
    """The values of :data:`FIELDS` for ``work`` (``None`` where the work has none)."""
    series = work.series[0] if work.series else None
    work_id = (work.work_id or "").strip()
    stats = work.stats
    fandoms = work.tags(TagKind.FANDOMS)
    ratings = work.tags(TagKind.RATING)
    return {
        "title": work.title.strip() or None,
        "authors": author_list(work.authors) or None,
        "fandom": author_list(fandoms) or None,
        "series": series.name.strip() or None if series else None,
        "part": series.part if series else None,
        "work_id": int(work_id) if work_id.isdigit() else work_id or None,
        "rating": ratings[0] if ratings else None,
        "language": work.language or None,
        "words": stats.words if stats.words is not None else work_words(work) or None,
        "chapters": len(work.chapters) or None,
        "date": stats.updated or stats.completed or stats.published,
        # Not a template field: the authors one by one, for the default name.
        "authors_list": tuple(work.authors),
    }
