"""The design a book was made with, kept in its EPUB so ``fic2book update`` can make it again.

A book of a work in progress is rebuilt many times; each rebuild should look like the book
the reader chose, not like the defaults.  So every EPUB carries the design-relevant
:class:`~fic2book.options.RenderOptions` as one JSON ``<meta property="fic2book:design">``
(:func:`design_record`), and ``update`` reads them back (:func:`apply_design`), letting the
options given on its own command line win.

Recorded: what decides how the book looks and reads (:data:`DESIGN_FIELDS`).  Not recorded:
the limits (a property of the machine and the run), ``SOURCE_DATE_EPOCH``, the ``--name``
template, the print shop's marks and bleed, and file paths (``--css``, ``--cover``,
``--template-dir``): a path recorded in a book may not exist, or may not be the same file,
on the machine that updates it, so those are given again on ``update``'s command line.
Unknown keys in a record (from a newer fic2book) are ignored, so a book stays updatable.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from fic2book.errors import InputError, UsageError
from fic2book.options import RenderOptions

__all__ = ["DESIGN_FIELDS", "apply_design", "design_record", "read_design"]

#: The options a book's design record holds, as :class:`RenderOptions` field names.
DESIGN_FIELDS: tuple[str, ...] = (
    "theme",
    "opening",
    "ornament",
    "style",
    "smart",
    "chapter_titles",
    "chapter_numbers",
    "labels",
    "front_matter",
    "bound_by",
    "notes",
    "summaries",
    "no_cover",
    "no_skin",
    "page_size",
    "gutter",
    "pdf_cover",
    "pdf_ua",
    "embed_fonts",
)


#: The JSON types each recorded value may have (the rest are strings); anything else is a
#: damaged record, refused before :class:`RenderOptions` sees it.
_TYPES: dict[str, tuple[type, ...]] = {
    "smart": (bool,),
    "no_cover": (bool,),
    "no_skin": (bool,),
    "pdf_cover": (bool,),
    "pdf_ua": (bool,),
    "embed_fonts": (bool,),
    "labels": (str, type(None)),
    "bound_by": (str, type(None)),
    "front_matter": (list, type(None)),
    "gutter": (int, float, type(None)),
}


def design_record(options: RenderOptions) -> str:
    """The design part of ``options`` as compact, stable JSON (sorted keys)."""
    record: dict[str, Any] = {}
    for name in DESIGN_FIELDS:
        value = getattr(options, name)
        if name == "page_size":
            value = value.name  # "a5" or "140x216mm": what --page-size takes back
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def read_design(text: str, where: str) -> dict[str, Any]:
    """The recorded options in ``text`` (a :func:`design_record`), unknown keys left out."""
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise InputError(f"{where}: unreadable design record {text[:80]!r}") from err
    if not isinstance(raw, dict):
        raise InputError(f"{where}: unreadable design record {text[:80]!r}")
    design = {name: raw[name] for name in DESIGN_FIELDS if name in raw}
    for name, value in design.items():
        kinds = _TYPES.get(name, (str,))
        wrong = not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
        if wrong or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
            raise InputError(f"{where}: the design record's {name} is {value!r}")
    return design


def apply_design(
    options: RenderOptions,
    design: Mapping[str, Any],
    given: Collection[str] = (),
    where: str = "the book",
) -> RenderOptions:
    """``options`` with the recorded ``design``, except the fields named in ``given``.

    ``given`` are the options the user set for this run (``update``'s command line): they
    win over the record.  A recorded value this fic2book refuses (a theme since removed) is
    an :class:`~fic2book.errors.InputError` naming the book.
    """
    changes = {name: value for name, value in design.items() if name not in given}
    try:
        return options.replace(**changes)
    except UsageError as err:
        raise InputError(f"{where}: its recorded design is not usable here ({err})") from err
