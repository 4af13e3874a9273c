"""The page's book options, turned into the CLI's :class:`RenderOptions` by the CLI's checks.

The form offers what ``convert`` offers a reader (formats, fonts embedded in the EPUB, trim
size, cover, paragraph style, chapter titles and numbers, typography, theme, chapter opening,
scene-break ornament, work skin, the labels' language, notes, summaries, the pages before the
story, the binder's name) and starts from the same defaults: those of :class:`RenderOptions`.
Themes are listed from :data:`fic2book.themes.THEMES`, the registry ``--theme`` checks
against, and label languages from the catalogs that ship
(:func:`fic2book.labels.catalog_languages`), so a new theme or catalog shows up on the page
without a change here.  Anything else the browser sends is ignored; a bad value (a box that is
neither on nor off too) is a :class:`~fic2book.errors.UsageError` the page shows as a sentence.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fic2book.design import ORNAMENTS, Opening, check_ornament
from fic2book.errors import UsageError
from fic2book.frontmatter import parse_front_matter
from fic2book.notes import Placement
from fic2book.options import (
    CHAPTER_TITLES,
    PAGE_SIZES,
    STYLES,
    ChapterNumbers,
    ChapterTitles,
    PageSize,
    ParagraphStyle,
    RenderOptions,
    choice,
)
from fic2book.themes import THEMES

#: How the page names the formats it knows; any other registered backend (a KEPUB one, say)
#: is offered under its ``--to`` name.
FORMAT_LABELS: dict[str, str] = {
    "epub": "EPUB (e-readers)",
    "kepub": "KEPUB (Kobo)",
    "pdf": "PDF (print)",
}


def offered_formats() -> dict[str, str]:
    """Every output backend ``--to`` takes, by name, with the label the page shows."""
    from fic2book.backends import BACKENDS

    return {name: FORMAT_LABELS.get(name, name.upper()) for name in BACKENDS}


#: Cover choices: the generated one (the CLI's default), none, or the reader's own picture.
COVERS: tuple[str, ...] = ("generated", "none", "own")
#: Trim sizes offered in the form, with the labels shown.
TRIM_LABELS: dict[str, str] = {
    "a5": "A5 (148 \u00d7 210 mm)",
    "a4": "A4 (210 \u00d7 297 mm)",
    "letter": "US Letter (8.5 \u00d7 11 in)",
    "5.5x8.5in": "Digest (5.5 \u00d7 8.5 in)",
    "6x9in": "US Trade (6 \u00d7 9 in)",
}
assert set(TRIM_LABELS) == set(PAGE_SIZES), "every named trim size is offered"

#: How the page names a theme where its key does not read well capitalised.
THEME_NAMES: dict[str, str] = {"ao3": "AO3"}
#: ``--opening`` choices, with the labels shown.
OPENING_LABELS: dict[str, str] = {
    "plain": "Plain",
    "dropcap": "A drop cap",
    "smallcaps": "First words in small capitals",
}
assert set(OPENING_LABELS) == {member.value for member in Opening}, "every opening is offered"
#: ``--ornament``'s named choices, with the labels shown (a glyph of one's own is accepted too).
ORNAMENT_LABELS: dict[str, str] = {
    "asterism": "\u2042 (asterism)",
    "dinkus": "* * * (dinkus)",
    "fleuron": "\u2767 (fleuron)",
    "rule": "A short line",
}
assert set(ORNAMENT_LABELS) == set(ORNAMENTS), "every named ornament is offered"


#: ``--chapter-numbers`` choices, with the labels shown.
CHAPTER_NUMBER_LABELS: dict[str, str] = {
    "numerals": "As numerals (Chapter 12)",
    "words": "In words (Chapter Twelve)",
}
assert set(CHAPTER_NUMBER_LABELS) == {member.value for member in ChapterNumbers}
#: ``--notes`` and ``--summaries`` choices, with the labels shown.
PLACEMENT_LABELS: dict[str, str] = {
    "keep": "Where the author put them",
    "end": "Together at the end",
    "drop": "Left out",
}
assert set(PLACEMENT_LABELS) == {member.value for member in Placement}
#: ``--front-matter`` as the page offers it: a few orders of the pages before the story, by
#: their ``--front-matter`` value; ``""`` leaves it unset (each book's default).
FRONT_MATTER_LABELS: dict[str, str] = {
    "": "All (half title in PDF only)",
    "title,credits,tags": "Title page, credits and tags",
    "title,tags": "Title page and tags",
    "title": "The title page alone",
}
#: The labels choice that leaves ``--labels`` unset: the work's own language.
WORK_LANGUAGE = ""
#: Longest binder's name the page takes (a name, not a paragraph).
MAX_BOUND_BY = 100


def offered_labels() -> dict[str, str]:
    """``--labels`` choices: the work's language, then every catalog that ships, by name.

    Keys are the BCP 47 tags ``--labels`` takes (``zh-Hant``); names are English with the
    language's own name beside it ("French — français"), sorted by the English name.
    """
    import babel

    from fic2book.labels import ENGLISH, catalog_languages

    names = {}
    for catalog in {ENGLISH, *catalog_languages()}:
        locale = babel.Locale.parse(catalog)
        english = locale.get_display_name(ENGLISH) or catalog
        own = locale.get_display_name() or english
        names[catalog.replace("_", "-")] = (english, own)
    ordered = sorted(names.items(), key=lambda item: item[1][0].casefold())
    shown = {
        tag: english if own == english else f"{english} \u2014 {own}"
        for tag, (english, own) in ordered
    }
    return {WORK_LANGUAGE: "The work's own language", **shown}


def offered_themes() -> dict[str, tuple[str, str]]:
    """Every theme ``--theme`` takes: its name as shown and what it looks like."""
    return {
        key: (THEME_NAMES.get(key, key.capitalize()), description)
        for key, description in THEMES.items()
    }


#: The words a box's value may be sent as (a JSON boolean, or text in a query string).
_YES = frozenset({"1", "true", "on", "yes"})
_NO = frozenset({"0", "false", "off", "no", ""})


def _flag(values: Mapping[str, Any], name: str, default: bool, what: str) -> bool:
    """A box's value; anything but a yes or a no is refused, as a bad choice is."""
    value = values.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise UsageError(f"{what} must be on or off, not {str(value)[:40]!r}")


def _ornament(value: str) -> str:
    """A named ornament or one's own glyph, as ``--ornament`` takes them; errors say no flag."""
    try:
        return check_ornament(value)
    except UsageError:
        names = ", ".join(ORNAMENTS)
        raise UsageError(
            f"scene-break ornament must be one of {names} or a few characters, not {value!r}"
        ) from None


def _labels(value: str) -> str | None:
    """The labels language picked: ``None`` for the work's own, else one of the catalogs."""
    offered = {key.casefold(): key for key in offered_labels()}
    key = offered.get(value.strip().casefold())
    if key is None:
        raise UsageError(f"there are no labels in {value!r} (choose a language from the list)")
    return key or None


def _bound_by(value: Any) -> str | None:
    """The binder's name for the credits page, or ``None`` when the box is empty."""
    name = " ".join(str(value or "").split())
    if len(name) > MAX_BOUND_BY:
        raise UsageError(f"the binder's name is longer than {MAX_BOUND_BY} characters")
    return name or None


def _front_matter(
    values: Mapping[str, Any], default: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    """The front-matter pages picked, ``None`` for each book's own (the PDF's half title)."""
    raw = values.get("front_matter")
    if raw is None:
        return default
    picked = choice("pages before the story", str(raw), tuple(FRONT_MATTER_LABELS))
    return parse_front_matter(picked) if picked else None


def _placement(values: Mapping[str, Any], name: str, what: str, default: Placement) -> Placement:
    return Placement(choice(what, str(values.get(name, default)), tuple(PLACEMENT_LABELS)))


def formats_from(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The formats asked for (``formats``: a list, or a comma-separated string)."""
    raw = values.get("formats", "epub")
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = tuple(dict.fromkeys(str(name).strip().lower() for name in names if str(name).strip()))
    if not wanted:
        raise UsageError("choose at least one kind of book (EPUB or PDF)")
    for name in wanted:
        if name not in offered_formats():
            raise UsageError(f"{name!r} is not a kind of book this page makes")
    return wanted


def options_from(
    values: Mapping[str, Any], base: RenderOptions, cover: Path | None
) -> RenderOptions:
    """``base`` (the server's limits) with the reader's choices from the form.

    ``cover`` is the picture uploaded for "own", if any.  ``skin`` is the page's "keep the
    author's work skin" box, so its default is the opposite of ``--no-skin``'s.
    """
    page_size = PageSize.parse(str(values.get("page_size", base.page_size.name)))
    cover_choice = choice("cover", str(values.get("cover", "generated")), COVERS)
    if cover_choice == "own" and cover is None:
        raise UsageError("pick a cover picture first, or choose another cover")
    no_cover = cover_choice == "none"
    pdf_cover = _flag(values, "pdf_cover", base.pdf_cover, "the PDF cover page")
    if pdf_cover and no_cover:
        raise UsageError("a PDF cover page needs a cover")
    return dataclasses.replace(
        base,
        page_size=page_size,
        style=ParagraphStyle(
            choice("paragraph style", str(values.get("style", base.style)), STYLES)
        ),
        chapter_titles=ChapterTitles(
            choice(
                "chapter titles",
                str(values.get("chapter_titles", base.chapter_titles)),
                CHAPTER_TITLES,
            )
        ),
        chapter_numbers=ChapterNumbers(
            choice(
                "chapter numbers",
                str(values.get("chapter_numbers", base.chapter_numbers)),
                tuple(CHAPTER_NUMBER_LABELS),
            )
        ),
        labels=_labels(str(values.get("labels", base.labels or WORK_LANGUAGE))),
        notes=_placement(values, "notes", "authors' notes", base.notes),
        summaries=_placement(values, "summaries", "summaries", base.summaries),
        bound_by=_bound_by(values.get("bound_by", base.bound_by)),
        front_matter=_front_matter(values, base.front_matter),
        smart=_flag(values, "smart", base.smart, "curly quotes"),
        theme=choice("theme", str(values.get("theme", base.theme)), tuple(THEMES)),
        opening=Opening(
            choice("chapter opening", str(values.get("opening", base.opening)), tuple(Opening))
        ),
        ornament=_ornament(str(values.get("ornament", base.ornament))),
        no_skin=not _flag(values, "skin", not base.no_skin, "the work skin"),
        embed_fonts=_flag(values, "embed_fonts", base.embed_fonts, "embedded fonts"),
        no_cover=no_cover,
        cover=cover if cover_choice == "own" else None,
        pdf_cover=pdf_cover,
    )
