"""The placeholders of pictures a book cannot hold, written in the book's label language.

A reader turns a picture it cannot embed into ``<span class="image-placeholder"
title="ALT">[Image: ALT]</span>`` (:func:`fic2book.html.images.prepare_image`): English, so
the model reads as it should wherever it goes, with the alt text kept apart in ``title``.
Every word fic2book puts in a book comes from the catalogs, so when a work is prepared for
a backend (:func:`fic2book.pipeline.prepare`) each placeholder is written again from its
``title`` in the label language: "[Image : ALT]" in French, "[Bild: ALT]" in German.  The
words are in the markup, not drawn by CSS, so the PDF's text layer and a screen reader read
what the page shows.  Writing them again from ``title`` makes this idempotent.

The placeholder is found by a pattern over the sanitised markup (a ``span`` of the class
holding text alone, its attributes in any order), as :mod:`fic2book.design` marks openings,
without parsing and re-serialising the rest.  An input that writes such a span itself gets
it written as fic2book's own placeholder: nothing but its words can change.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator

from markupsafe import Markup

from fic2book.labels import Labels
from fic2book.model import Work, map_prose

#: A placeholder as the sanitiser writes it: our class, perhaps a title, and plain text.
_PLACEHOLDER = re.compile(
    r'<span(?P<attrs>\s[^>]*\bclass="image-placeholder"[^>]*)>(?P<text>[^<]*)</span>'
)
_TITLE = re.compile(r'\btitle="(?P<value>[^"]*)"')
#: The class that marks a placeholder, for a quick look before any work is done.
_MARK = "image-placeholder"


def placeholder_text(alt: str, labels: Labels) -> str:
    """What a picture that is not in the book shows: "[Image: ALT]", or "[Image]" without alt."""
    if alt:
        return labels.gettext("[Image: %(alt)s]", alt=alt)
    return labels.gettext("[Image]")


def localise_placeholders(markup: Markup, labels: Labels) -> Markup:
    """``markup`` with each picture placeholder's words in the ``labels``' language."""
    text = str(markup)
    if _MARK not in text:
        return markup

    def write(match: re.Match[str]) -> str:
        title = _TITLE.search(match["attrs"])
        alt = html.unescape(title["value"]) if title else ""
        # Text escaped as the sanitiser writes it (quotes left alone), so nothing else moves.
        words = html.escape(placeholder_text(alt, labels), quote=False)
        return f"<span{match['attrs']}>{words}</span>"

    return Markup(_PLACEHOLDER.sub(write, text))


def localise_work(work: Work, labels: str | None = None) -> Work:
    """``work`` with its placeholders in its label language.

    That is ``labels`` (``--labels``), else the work's own language, as for its other labels
    (:meth:`Labels.for_work`); an omnibus's works each get their own, as their pages do.
    """
    if not any(_MARK in str(text) for text in _texts(work)):
        return work  # the same object: preparing a work without placeholders copies nothing
    chosen = Labels.for_work(work, labels, "numerals")

    localised = map_prose(work, lambda value: localise_placeholders(value, chosen))
    return dataclasses.replace(
        localised, works=tuple(localise_work(part, labels) for part in work.works)
    )


def _texts(work: Work) -> Iterator[Markup]:
    """Every markup field of the work, its chapters' and its collected works'."""
    for value in (work.summary, work.notes, work.end_notes):
        if value is not None:
            yield value
    for chapter in work.chapters:
        yield chapter.body
        for value in (chapter.summary, chapter.notes, chapter.end_notes):
            if value is not None:
                yield value
    for part in work.works:
        yield from _texts(part)
