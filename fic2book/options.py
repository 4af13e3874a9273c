"""Rendering options: one documented field per CLI option, checked and normalised on creation.

:class:`RenderOptions` is the one home of every rule about an option's value: ``convert``,
``batch`` and the library's :func:`fic2book.convert_file` all build one, so they share the
same checks and defaults — but for the limits: the library's default is none (no child
process), the CLI's and the web page's are :func:`bounded_defaults`.  Values may be given as
the CLI receives them (``page_size="6x9in"``, ``gutter="6mm"``, ``style="block"``) or already
typed; either way the fields hold the typed,
normalised value, and a bad value is a :class:`~fic2book.errors.UsageError` at once.

Checks that read files (the ``--cover`` picture, ``--css`` sheets) are in
:meth:`RenderOptions.check_files`, which the CLI calls before reading any work.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from fic2book.design import Opening, check_ornament
from fic2book.errors import RenderError, UsageError
from fic2book.frontmatter import parse_front_matter
from fic2book.limits import DEFAULT_MAX_INPUT_SIZE, DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT
from fic2book.notes import Placement
from fic2book.pagesize import (
    PAGE_SIZES,
    PageSize,
    css_page_size,
    length_mm,
    page_geometry,
    page_size_mm,
)
from fic2book.printing.printshop import PrintShop
from fic2book.themes import check_theme

__all__ = [
    "PAGE_SIZES",
    "ChapterNumbers",
    "ChapterTitles",
    "PageSize",
    "ParagraphStyle",
    "RenderOptions",
    "bounded_defaults",
    "css_page_size",
    "length_mm",
    "page_size_mm",
]


class ChapterTitles(StrEnum):
    """``--chapter-titles``: how a chapter heading reads."""

    #: "Chapter 3: Title".
    FULL = "full"
    #: The title alone ("Chapter 3" when the chapter has none).
    TITLE = "title"


class ChapterNumbers(StrEnum):
    """``--chapter-numbers``: how the number in "Chapter N" is written."""

    #: "Chapter 12".
    NUMERALS = "numerals"
    #: "Chapter Twelve", in the labels' language (numerals where num2words has none).
    WORDS = "words"


class ParagraphStyle(StrEnum):
    """``--style``: how paragraphs are set apart."""

    #: Indented first lines, no space between, as printed books do.
    BOOK = "book"
    #: Spaced paragraphs without indents, as AO3 shows them.
    BLOCK = "block"


#: The default trim size.
A5 = PageSize.parse("a5")


@dataclass(frozen=True)
class RenderOptions:
    """How to render a work; the defaults make a reader's EPUB and an A5 print PDF."""

    #: ``--page-size``: a key of :data:`PAGE_SIZES` or ``WIDTHxHEIGHT`` with CSS units.
    page_size: PageSize = A5
    #: ``--template-dir``: searched before the bundled templates, so one file can be overridden.
    template_dir: Path | None = None
    #: ``--css``: extra stylesheets applied after the bundled ones.
    css: tuple[Path, ...] = ()
    #: ``SOURCE_DATE_EPOCH`` or ``None``; fixes every timestamp written into a book.
    source_date_epoch: int | None = None
    #: ``--smart/--no-smart``: typeset quotes, dashes and ellipses by the work's language.
    smart: bool = True
    #: ``--chapter-titles``: ``full`` ("Chapter 3: Title") or ``title`` (the title alone).
    chapter_titles: ChapterTitles = ChapterTitles.FULL
    #: ``--chapter-numbers``: ``numerals`` ("Chapter 12") or ``words`` ("Chapter Twelve").
    chapter_numbers: ChapterNumbers = ChapterNumbers.NUMERALS
    #: ``--labels``: the language of the book's own words ("Contents", "Chapter", dates) as a
    #: BCP 47 tag; ``None``: the work's language (:mod:`fic2book.labels`).
    labels: str | None = None
    #: ``--style``: ``book`` (indented paragraphs) or ``block`` (spaced, as AO3 shows them).
    style: ParagraphStyle = ParagraphStyle.BOOK
    #: ``--cover``: the reader's own cover picture (PNG or JPEG) instead of a generated one.
    cover: Path | None = None
    #: ``--no-cover``: no cover image and no cover page at all.
    no_cover: bool = False
    #: ``--no-skin``: leave out the work skin (the author's CSS) in both books.
    no_skin: bool = False
    #: ``--pdf-cover``: start the PDF with the cover as a full-bleed page (off for print).
    pdf_cover: bool = False
    #: ``--pdf-ua``: a tagged PDF/UA-1 file (structure tree, language, document title shown).
    pdf_ua: bool = False
    #: ``--gutter``: extra inner margin for the binding, in millimetres (a string such as
    #: ``"0.25in"`` is converted); ``None`` picks the trim size's default
    #: (see :func:`fic2book.pagesize.page_geometry`).
    gutter: float | None = None
    #: ``--bleed``, ``--marks``, ``--pdf-variant``: a print shop's PDF
    #: (:mod:`fic2book.printing.printshop`).
    print_shop: PrintShop = dataclasses.field(default_factory=PrintShop)
    #: ``--max-input-size``: input files larger than this many bytes are refused (0: no limit).
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE
    #: ``--timeout``: seconds one book may take to render (0: no limit; see fic2book.limits).
    #: The library's default is no limit, so :func:`fic2book.convert_file` runs in the
    #: caller's process and forks nothing; the CLI and the web page pass
    #: :func:`bounded_defaults`' limits.
    timeout: float = 0
    #: ``--max-memory``: bytes of address space a rendering process may map (0: no limit;
    #: the library's default, as for ``timeout``).
    max_memory: int = 0
    #: ``--name``: the books' file names (and folders) in a folder, e.g. ``"{title} - {authors}"``
    #: (:mod:`fic2book.nametemplate`); ``None``: "Title - Author1, Author2".  An option here so
    #: that batch's fingerprint covers it: a new template renames the books it made.
    name: str | None = None
    #: ``--notes``: authors' notes where they stand, in an appendix at the end, or left out.
    notes: Placement = Placement.KEEP
    #: ``--summaries``: summaries likewise (:mod:`fic2book.notes`).
    summaries: Placement = Placement.KEEP
    #: ``--opening``: drop caps, small-capital opening words or plain (fic2book/design.py).
    opening: Opening = Opening.PLAIN
    #: ``--ornament``: a named scene-break ornament or the text to show (fic2book/design.py).
    ornament: str = "asterism"
    #: ``--theme``: a bundled design under ``styles/themes/`` (fic2book/themes.py).
    theme: str = "classic"
    #: ``--front-matter``: the pages before the story, in order (fic2book/frontmatter.py);
    #: ``None``: each book's default (the PDF all of them, the EPUB no half title).
    front_matter: tuple[str, ...] | None = None
    #: ``--bound-by``: the binder's name on the credits page.
    bound_by: str | None = None
    #: ``--embed-fonts``: the EPUB carries the design's fonts, subset to the characters it
    #: uses (fic2book/backends/epub_fonts.py); the PDF always embeds its fonts.
    embed_fonts: bool = False
    #: ``--volume-tags``: the tag summary in every volume (``each``) or the first (``first``).
    volume_tags: str = "each"

    def __post_init__(self) -> None:
        """Check every value and store it typed; raise :class:`UsageError` for a bad one."""
        set_field = object.__setattr__  # the documented way to normalise a frozen dataclass
        set_field(self, "page_size", PageSize.parse(self.page_size))
        set_field(
            self, "chapter_titles", _member(ChapterTitles, self.chapter_titles, "--chapter-titles")
        )
        set_field(
            self,
            "chapter_numbers",
            _member(ChapterNumbers, self.chapter_numbers, "--chapter-numbers"),
        )
        set_field(self, "style", _member(ParagraphStyle, self.style, "--style"))
        if self.labels is not None:
            set_field(self, "labels", _language_tag(self.labels))
        set_field(self, "notes", _member(Placement, self.notes, "--notes"))
        set_field(self, "summaries", _member(Placement, self.summaries, "--summaries"))
        set_field(self, "css", tuple(Path(path) for path in self.css))
        set_field(self, "opening", _member(Opening, self.opening, "--opening"))
        set_field(self, "ornament", check_ornament(self.ornament))
        set_field(self, "theme", check_theme(self.theme))
        if self.front_matter is not None:
            set_field(self, "front_matter", parse_front_matter(self.front_matter))
        if self.bound_by is not None:
            set_field(self, "bound_by", " ".join(self.bound_by.split()) or None)
        if self.volume_tags not in ("first", "each"):
            raise UsageError(f"--volume-tags must be first or each, not {self.volume_tags!r}")
        if self.gutter is not None:
            set_field(self, "gutter", length_mm(self.gutter))
        # A gutter too wide for the page is refused here, not half-way through a batch.
        page_geometry(self.page_size, self.gutter)
        if self.name is not None:
            from fic2book.nametemplate import NameTemplate

            NameTemplate.parse(self.name)  # a bad template fails before any work is read
        if self.cover is not None and self.no_cover:
            raise UsageError("--cover and --no-cover contradict each other")
        if self.pdf_cover and self.no_cover:
            raise UsageError("--pdf-cover and --no-cover contradict each other")
        if self.pdf_ua and self.print_shop.variant:
            raise UsageError("--pdf-ua and --pdf-variant contradict each other (one variant a PDF)")
        for name, flag in (
            ("max_input_size", "--max-input-size"),
            ("timeout", "--timeout"),
            ("max_memory", "--max-memory"),
        ):
            value = getattr(self, name)
            if not value >= 0:  # also refuses NaN
                raise UsageError(f"{flag} must be zero or more, not {value!r}")

    def replace(self, **changes: Any) -> RenderOptions:
        """A copy with ``changes``, checked like a new one."""
        return dataclasses.replace(self, **changes)

    def check_files(self) -> None:
        """Read the ``--cover`` picture and the ``--css`` sheets now, before any work is read.

        The backends read them again when they use them; this only makes a bad file fail
        once, up front, instead of once per book.
        """
        if self.cover is not None:
            from fic2book.cover import load_cover_file

            load_cover_file(self.cover)
        for path in self.css:
            try:
                path.read_bytes().decode("utf-8")
            except OSError as err:
                raise RenderError(f"stylesheet {path}: {err.strerror or err}") from err
            except UnicodeDecodeError as err:
                raise RenderError(f"stylesheet {path} is not UTF-8") from err


def bounded_defaults() -> RenderOptions:
    """The CLI's and the web page's defaults: the library's, bounded by the default limits.

    A command-line run or an uploaded file may be hostile, so every conversion there runs in
    a sandboxed child under ``--timeout`` and ``--max-memory`` (:mod:`fic2book.limits`); a
    library caller chooses limits itself and by default gets none (no child process).
    """
    return RenderOptions(timeout=DEFAULT_TIMEOUT, max_memory=DEFAULT_MAX_MEMORY)


def _language_tag(value: str) -> str:
    """``--labels``' value as a BCP 47 tag (:func:`fic2book.labels.labels_tag`)."""
    from fic2book.labels import labels_tag

    return labels_tag(value)


E = TypeVar("E", bound=StrEnum)


def _member(kind: type[E], value: str, flag: str) -> E:
    """The member of ``kind`` named by ``value`` (any case, spaces ignored); else a usage error."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise UsageError(f"{flag} must be one of {allowed}, not {value!r}") from None


#: Values of ``--chapter-titles`` and ``--style``, for forms that offer them as lists.
CHAPTER_TITLES: tuple[str, ...] = tuple(member.value for member in ChapterTitles)
STYLES: tuple[str, ...] = tuple(member.value for member in ParagraphStyle)


def choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` normalised if it is one of ``allowed``; else a usage error."""
    key = value.strip().lower()
    if key not in allowed:
        raise UsageError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    return key
