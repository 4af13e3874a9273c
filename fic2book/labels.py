"""The words fic2book itself puts in a book, in the work's language.

"Contents", "Chapter 3", "Tag Summary", each tag group's label, "Published: 3 mars 2024"…
come from gettext message catalogs, ``fic2book/locale/<lang>/LC_MESSAGES/fic2book.po``, one per
language.  They are read with Babel at run time (:func:`babel.messages.pofile.read_po`), so no
compiled ``.mo`` file has to be kept in step with its source.  A message a catalog lacks falls
back along a chain (``pt_PT`` → ``pt`` → English), and English is the message id itself, so a
label is never empty.

The language is the work's (``Work.language``) unless ``--labels LANG`` says otherwise; a
language without a catalog gets English labels, and then English dates and numbers too, so a
book never mixes "Published" with "3 mars 2024".  Dates and numbers are formatted by Babel in
the same locale, and so are lists (:meth:`Labels.join`: "A, B et C", "A、B、C"); chapter
numbers as words (``--chapter-numbers words``) come from :mod:`fic2book.spellout`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import babel
import babel.dates
import babel.localedata
import babel.numbers
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from fic2book.errors import UsageError
from fic2book.model import Chapter, Status, TagKind, Work

#: The folder holding one ``<lang>/LC_MESSAGES/fic2book.po`` per catalog.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The gettext domain: the catalogs' file name.
DOMAIN = "fic2book"
#: The catalog English falls back to: the message ids are English.
ENGLISH = "en"

#: Which catalog a catalog's missing messages come from before English.
_FALLBACK = {"pt_PT": "pt"}


def catalog_languages() -> tuple[str, ...]:
    """The catalogs that ship, by folder name (``en``, ``fr``, ``zh``, ``zh_Hant``…)."""
    return tuple(
        sorted(
            p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
        )
    )


def catalog_for(tag: str | None) -> str:
    """The catalog for a BCP 47 tag (``zh-Hant-TW`` → ``zh_Hant``, ``pt-BR`` → ``pt``).

    Chinese written in Traditional characters (a ``Hant`` script, or Taiwan, Hong Kong and
    Macau without a script) gets the Traditional catalog, other Chinese the Simplified one;
    Portugal's Portuguese has a catalog of its own for the words Brazil says otherwise.  A
    language without a catalog gets English.
    """
    parts = (tag or "").replace("_", "-").lower().split("-")
    primary, rest = parts[0], parts[1:]
    available = catalog_languages()
    if primary == "zh":
        hant = "hant" in rest or ("hans" not in rest and bool({"tw", "hk", "mo"} & set(rest)))
        return "zh_Hant" if hant and "zh_Hant" in available else "zh"
    if primary == "pt" and "pt" in rest[-1:] and "pt_PT" in available:
        return "pt_PT"
    return primary if primary in available else ENGLISH


def labels_tag(value: str) -> str:
    """``--labels``' value as a BCP 47 tag, or a usage error naming the tags accepted.

    The primary subtag must be a language CLDR knows (``fr``, ``sw``; not ``french``, ``xx``),
    the others well-formed (``zh-Hant-TW``): a typo is refused rather than turned silently
    into English labels.  A real language without a catalog is accepted (see
    :func:`missing_catalog`).
    """
    tag = value.strip().replace("_", "-")
    parts = tag.split("-")
    primary = parts[0].lower()
    well_formed = all(part.isascii() and part.isalnum() and len(part) <= 8 for part in parts)
    if not (well_formed and primary.isalpha() and 2 <= len(primary) <= 3):
        known = False
    else:
        known = babel.localedata.exists(primary)
    if not known:
        shown = ", ".join(name.replace("_", "-") for name in (ENGLISH, *catalog_languages()))
        raise UsageError(
            f"--labels must be a language tag such as fr or zh-Hant (labels in: {shown}), "
            f"not {value!r}"
        )
    return tag


def missing_catalog(tag: str) -> str | None:
    """The warning for a language fic2book has no labels in, e.g. "no labels in Swahili (sw)…".

    ``None`` when the tag has a catalog (or is English).
    """
    if catalog_for(tag) != ENGLISH or tag.split("-")[0].lower() == ENGLISH:
        return None
    try:
        name = babel.Locale(tag.split("-")[0].lower()).get_display_name(ENGLISH) or tag
    except (ValueError, babel.UnknownLocaleError):
        name = tag
    return f"no labels in {name} ({tag}) yet: English"


@lru_cache(maxsize=32)
def translations(catalog: str) -> NullTranslations:
    """The compiled messages of one catalog, with its fallbacks behind it (cached)."""
    if catalog == ENGLISH or catalog not in catalog_languages():
        return NullTranslations()  # the message ids are the English text
    path = LOCALE_DIR / catalog / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(source, locale=catalog))
    compiled.seek(0)
    messages = Translations(compiled, domain=DOMAIN)
    messages.add_fallback(translations(_FALLBACK.get(catalog, ENGLISH)))
    return messages


def _locale(catalog: str) -> babel.Locale:
    return babel.Locale.parse(catalog)


#: How a list is joined (:meth:`Labels.join`): ``tags`` with the language's list comma alone
#: ("A, B, C", "A、B、C"), as a list of labels is read; ``names`` as a sentence says them
#: ("A and B", "A, B, and C", "A、B和C", "A, B et C").
ListStyle = Literal["tags", "names"]

#: Marks standing for the items while Babel writes a list's pattern around them.
_ITEM = re.compile("\ue000[0-9]+\ue001")


@lru_cache(maxsize=256)
def _joints(catalog: str, count: int, style: ListStyle) -> tuple[str, ...]:
    """The ``count - 1`` separators between the items of a list of ``count`` in ``catalog``.

    Babel's :func:`~babel.lists.format_list` writes the CLDR patterns around marks that stand
    for the items, and the separators are read off between them.  ``tags`` uses the
    pattern's middle separator everywhere (the one between the second and third of four
    items), which has no "and" in any language.
    """
    if count < 2:
        return ()
    size = max(count, 4) if style == "tags" else count
    marks = [f"\ue000{n}\ue001" for n in range(size)]
    pieces = _ITEM.split(format_list(marks, style="standard", locale=_locale(catalog)))
    joints = tuple(pieces[1:-1])
    if style == "tags":
        return (joints[1],) * (count - 1)
    return joints


@dataclass(frozen=True)
class Labels:
    """The labels, dates and numbers of one book, in one language."""

    #: The catalog's name (``en``, ``fr``, ``zh_Hant``…); also the Babel locale.
    catalog: str
    #: ``--chapter-numbers``: ``numerals`` ("Chapter 12") or ``words`` ("Chapter Twelve").
    chapter_numbers: str = "numerals"

    @classmethod
    def for_work(cls, work: Work | None, labels: str | None, chapter_numbers: str) -> Labels:
        """The labels for ``work``: ``--labels`` if given, else the work's language.

        An omnibus of works in several languages (``mul``, :mod:`fic2book.combine`) speaks its
        first work's, the language its EPUB declares first.
        """
        tag = labels or (work.language if work is not None else None)
        if not labels and work is not None and work.works and tag == "mul":
            tag = work.works[0].language
        return cls(catalog_for(tag), str(chapter_numbers))

    @property
    def messages(self) -> NullTranslations:
        """The catalog's messages (with its fallbacks)."""
        return translations(self.catalog)

    @property
    def language(self) -> str:
        """The labels' language as a BCP 47 tag (``zh-Hant``), for ``lang`` attributes."""
        return self.catalog.replace("_", "-")

    def gettext(self, message: str, **values: Any) -> str:
        """``message`` translated, with ``%(name)s`` placeholders filled from ``values``."""
        text = self.messages.gettext(message)
        return text % values if values else text

    def date(self, value: dt.date | None) -> str:
        """A date as the language writes it in full ("3 mars 2024", "2024年3月3日").

        English keeps AO3's own form, ``2024-03-03``, which English readers see on the work.
        """
        if value is None:
            return ""
        if self.catalog == ENGLISH:
            return value.isoformat()
        return babel.dates.format_date(value, "long", locale=_locale(self.catalog))

    def number(self, value: int | None) -> str:
        """A count with the language's grouping ("12,345", "12 345", "12.345")."""
        if value is None:
            return ""
        return babel.numbers.format_decimal(value, locale=_locale(self.catalog))

    def chapter_number(self, number: int) -> str:
        """``number`` as a numeral, or spelt out in the language with ``--chapter-numbers words``.

        Words as "Chapter %(num)s" needs them (:mod:`fic2book.spellout`): "Глава первая",
        "第十二章"; a language with no words for numbers keeps the numeral.
        """
        if self.chapter_numbers != "words":
            return str(number)
        from fic2book.spellout import spell_number

        return spell_number(number, self.catalog)

    def chapter(self, number: int) -> str:
        """The chapter's number after its word: "Chapter 3", "Chapitre 3", "第3章"."""
        return self.gettext("Chapter %(num)s", num=self.chapter_number(number))

    def heading(self, chapter: Chapter, style: str = "full") -> str:
        """The chapter's heading in a ``--chapter-titles`` style, "Chapter N" translated.

        Like :meth:`Chapter.heading_for`, whose "Chapter N" is English: a labelled chapter
        ("Prologue") keeps the label its author wrote.
        """
        prefix = chapter.label or self.chapter(chapter.number)
        if style == "title":
            return chapter.title or prefix
        if chapter.title and chapter.title != chapter.label:
            return self.gettext("%(label)s: %(title)s", label=prefix, title=chapter.title)
        return prefix

    def status(self, status: Status) -> str:
        """The work's status ("Completed", "In Progress"), a different word from the date's."""
        return str(self.messages.pgettext(STATUS, status.value))

    def tag_label(self, kind: TagKind, count: int) -> str:
        """A tag group's label, singular or plural by ``count`` as AO3 prints it."""
        return self.gettext(kind.singular if count == 1 else kind.plural)

    def join_text(self, items: Iterable[str], style: ListStyle = "tags") -> str:
        """``items`` as one plain-text list in the language (see :data:`ListStyle`)."""
        shown = [str(item) for item in items]
        joints = (*_joints(self.catalog, len(shown), style), "") if shown else ()
        return "".join(item + joint for item, joint in zip(shown, joints, strict=True))

    def join(
        self, items: Iterable[str], style: ListStyle = "tags", cls: str | None = None
    ) -> Markup:
        """``items`` as one list in the language, as markup for the templates.

        Tags, fandoms and collections are ``tags`` lists ("A, B, C", "A、B、C"); creators are
        ``names`` ("by A and B").  Each item is escaped (markup stays as it is) and, with
        ``cls``, set in its own ``<span class="cls">``, so the stylesheets can still reach it.
        """
        shown = [
            Markup('<span class="{}">{}</span>').format(cls, item) if cls else escape(item)
            for item in items
        ]
        joints = (*_joints(self.catalog, len(shown), style), "") if shown else ()
        return Markup("").join(
            item + escape(joint) for item, joint in zip(shown, joints, strict=True)
        )

    def cover_alt(self, title: str, authors: list[str]) -> str:
        """The cover's alternative text: "Cover: TITLE by AUTHOR and AUTHOR"."""
        title = title or self.gettext("Untitled")
        if authors:
            return self.gettext(
                "Cover: %(title)s by %(authors)s",
                title=title,
                authors=self.join_text(authors, "names"),
            )
        return self.gettext("Cover: %(title)s", title=title)


#: The message context of the work's status: "Completed" is "完结" there, "完结于" in the stats.
STATUS = "status"
#: The status messages, each in the :data:`STATUS` context.
STATUS_MESSAGES: tuple[str, ...] = tuple(status.value for status in Status)

#: Messages the code uses (the templates' are found in them by the catalog test): the tag
#: groups' labels, the work's status, and what the backends write outside templates.
CODE_MESSAGES: tuple[str, ...] = (
    *(label for kind in TagKind for label in (kind.singular, kind.plural)),
    "Chapter %(num)s",
    "%(label)s: %(title)s",
    "%(title)s, Volume %(num)s",
    "Untitled",
    "Cover",
    "Cover: %(title)s by %(authors)s",
    "Cover: %(title)s",
    "[Image]",
    "[Image: %(alt)s]",
    "Landmarks",
    "Title Page",
    "Half Title",
    "Credits",
    "Tag Summary",
    "Contents",
    "Afterword",
    "Appendix: All Tags",
    "Notes",
)
