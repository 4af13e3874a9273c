"""Jinja2 rendering of the parts both backends share (title page, tag summary, chapters).

Templates are looked up first in ``--template-dir`` and then in the bundled ``templates/``
folder, so a user can override one file and keep the rest.  Autoescape is always on: the only
markup a template trusts is the :class:`markupsafe.Markup` that :mod:`fic2book.html.sanitize` made.

Templates and themes get shared, so they run in Jinja2's sandbox
(:class:`jinja2.sandbox.SandboxedEnvironment`): a template can read the work and format it, but
not reach Python's internals (``__class__``, ``__globals__``…) to run code; trying is a
one-line :class:`~fic2book.errors.RenderError`.

Part templates render XHTML fragments (one ``<section>`` each) that are valid both inside an
EPUB content document and inside the PDF backend's HTML book.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from fic2book import __version__
from fic2book.design import mark_opening
from fic2book.errors import Fic2BookError, RenderError
from fic2book.frontmatter import build_day, front_parts, omnibus_front
from fic2book.html.sanitize import plain_text
from fic2book.labels import Labels
from fic2book.language import text_direction
from fic2book.model import TAG_ORDER, Chapter, Work
from fic2book.notes import moved_notes
from fic2book.options import RenderOptions
from fic2book.permissions import permission_sentences
from fic2book.resources import data_path
from fic2book.themes import theme_styles, theme_templates

#: A tag group with more tags than this is a "tag wall": the tag summary shows only its first
#: :data:`TAGS_SHOWN` tags and points to an appendix after the story that lists every tag.
TAG_WALL = 40
#: How many tags of a tag wall the tag summary shows.
TAGS_SHOWN = 25


def has_tag_wall(work: Work) -> bool:
    """Whether the work needs the "All Tags" appendix (some tag group is a tag wall)."""
    return any(len(group.tags) > TAG_WALL for group in work.tag_groups)


def option_styles(options: RenderOptions) -> tuple[str, ...]:
    """Bundled stylesheets (in ``styles/``) that options add after the backend's own.

    The theme's sheet first, so ``--style block`` still applies over any theme.
    """
    block = ("block.css",) if options.style == "block" else ()
    return (*theme_styles(options.theme), *block)


#: How much of a title a running head holds, in letters (a wide CJK character counts two).
#: The PDF's font size scales with the page, so about this many fit on every page size.
RUNNING_HEAD_WIDTH = 60


def running_head(text: str, width: int = RUNNING_HEAD_WIDTH) -> str:
    """Shorten ``text`` to one running-head line, ending in an ellipsis after a whole word.

    Done on the string, not only by CSS: ``text-overflow`` clips the head as drawn, but the
    clipped words would stay in the PDF's text layer, which must read as what is shown.
    """
    text = " ".join(text.split())
    widths = [2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text]
    if sum(widths) <= width:
        return text
    end, used = 0, 1  # the ellipsis takes one
    while used + widths[end] <= width:  # stops inside: the whole text is wider
        used += widths[end]
        end += 1
    cut = text[:end]
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


@lru_cache(maxsize=32)
def environment(
    template_dir: Path | None = None, theme_dir: Path | None = None, catalog: str = "en"
) -> jinja2.Environment:
    """The Jinja2 environment for one override folder, theme and label language (cached).

    Building one parses nothing.  Its gettext functions (``_``, ``{% trans %}``) and its
    ``date`` and ``number`` filters speak the catalog's language (:mod:`fic2book.labels`).
    """
    folders = [str(data_path("templates"))]
    if theme_dir is not None:
        folders.insert(0, str(theme_dir))
    if template_dir is not None:
        folders.insert(0, str(template_dir))
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        # Always on, whatever the file suffix: ".html.j2" would not match the default rule.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    labels = Labels(catalog)
    env.install_gettext_translations(labels.messages, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = labels.date
    env.filters["number"] = labels.number
    env.filters["plain_text"] = plain_text
    env.filters["running_head"] = running_head
    env.filters["opening"] = mark_opening
    env.globals["TAG_ORDER"] = TAG_ORDER
    env.globals["TAG_WALL"] = TAG_WALL
    env.globals["TAGS_SHOWN"] = TAGS_SHOWN
    env.globals["has_tag_wall"] = has_tag_wall
    env.globals["moved_notes"] = moved_notes
    env.globals["text_direction"] = text_direction
    env.globals["permission_sentences"] = permission_sentences
    env.globals["front_parts"] = front_parts
    env.globals["build_day"] = build_day
    env.globals["fic2book_version"] = __version__
    # An omnibus's works each speak their own label language (templates/pdf/omnibus.html.j2).
    env.globals["book_labels"] = book_labels
    env.globals["work_part"] = work_part
    env.globals["omnibus_front"] = omnibus_front
    return env


def render_template(
    name: str,
    options: RenderOptions,
    **context: Any,
) -> str:
    """Render any template by name with ``options`` and the given context.

    The labels (``labels`` in the template) are in the language of the context's ``work``,
    or of ``--labels``.
    """
    labels = book_labels(context.get("work"), options)
    env = environment(options.template_dir, theme_templates(options.theme), labels.catalog)
    try:
        template = env.get_template(name)
        return template.render(options=options, labels=labels, **context)
    except jinja2.TemplateNotFound as err:
        raise RenderError(f"template {err.name!r} not found") from err
    except jinja2.TemplateError as err:
        # SecurityError (the sandbox refused) is a TemplateError too.
        raise RenderError(f"template {name!r}: {_one_line(err)}") from err
    except Fic2BookError:
        raise
    except Exception as err:
        # A template is user input: "{{ 1 / 0 }}" is its author's error, not a bug of ours.
        raise RenderError(f"template {name!r}: {type(err).__name__}: {_one_line(err)}") from err


def book_labels(work: Work | None, options: RenderOptions) -> Labels:
    """The labels of ``work``'s book: in ``--labels`` language, else the work's."""
    return Labels.for_work(work, options.labels, options.chapter_numbers)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def render_part(
    name: str,
    work: Work,
    options: RenderOptions,
    chapter: Chapter | None = None,
    **context: Any,
) -> str:
    """Render ``parts/<name>.html.j2`` (``title_page``, ``tag_summary``, ``chapter``…).

    ``context`` adds variables, such as the EPUB's file names for links between its files.
    """
    return render_template(f"parts/{name}.html.j2", options, work=work, chapter=chapter, **context)


def work_part(
    name: str, work: Work, options: RenderOptions, chapter: Chapter | None = None, **context: Any
) -> Markup:
    """:func:`render_part` as markup a template can include: one work's part of an omnibus.

    The part is rendered in its own environment, so its labels are in that work's language
    (or ``--labels``) whatever the language of the book around it.
    """
    # Trusted: rendered with autoescape, as every part the backends put in a book.
    return Markup(render_part(name, work, options, chapter=chapter, **context))
