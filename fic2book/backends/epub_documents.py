"""The EPUB's content documents, in reading order, and the contents that lists them.

Which documents a book has is a question of its own, apart from how the EPUB is put
together (:mod:`fic2book.backends.epub`): the front matter ``--front-matter`` asks for
(fic2book/frontmatter.py), one document per chapter named as ``--chapter-titles`` says in
the label language, the back matter the work calls for (afterword, tag appendix, notes
appendix, update log), and in an omnibus each work's own documents in files named after its
place.  :func:`contents` groups them into the nav document's contents.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fic2book.frontmatter import front_parts, omnibus_front
from fic2book.labels import ENGLISH, Labels
from fic2book.model import Chapter, Work
from fic2book.notes import moved_notes
from fic2book.options import RenderOptions
from fic2book.render import book_labels, has_tag_wall, render_part

__all__ = ["Document", "book_documents", "chapter_label", "contents"]


@dataclass(frozen=True)
class Document:
    """One XHTML content document: file name, ``<title>``/navigation label and body fragment."""

    uid: str
    file_name: str
    title: str
    content: str
    #: In an omnibus, the position of the work the document belongs to (its contents group).
    work: int | None = None
    #: The contents entry when it differs from ``title`` (a chapter marked "new").
    toc_title: str | None = None
    #: The mark after ``title`` in ``toc_title`` ("(new)"), styled on the contents page.
    mark: str | None = None


def book_documents(work: Work, options: RenderOptions) -> tuple[list[Document], list[Document]]:
    """The front matter (title page, tag summary) and the rest, in reading order.

    An omnibus (``work.works``) has its own title page in front; each work follows with its
    own title page, tag summary, chapters and back matter, in files named after its place.
    """
    if not work.works:
        return _work_documents(work, options)
    _ = book_labels(work, options).gettext
    # The book's own half title (if named), title page and credits page listing every work
    # (fic2book/frontmatter.py: omnibus_front); each work then opens with its title page.
    pages = {
        "half-title": ("half_title", _("Half Title"), "half_title"),
        "title": ("title_page", _("Title Page"), "omnibus_title_page"),
        "credits": ("credits", _("Credits"), "omnibus_credits"),
    }
    front = [
        Document(uid, f"{uid}.xhtml", title, render_part(template, work, options))
        for uid, title, template in (
            pages[part] for part in omnibus_front(options.front_matter, pdf=False)
        )
    ]
    each = omnibus_front(options.front_matter, pdf=False, work=True)
    back: list[Document] = []
    for position, part in enumerate(work.works, start=1):
        head, rest = _work_documents(part, options, f"work{position:02d}_", position, each)
        back += [dataclasses.replace(head[0], title=part.title), *head[1:], *rest]
    return front, back


def _work_documents(
    work: Work,
    options: RenderOptions,
    prefix: str = "",
    group: int | None = None,
    parts: tuple[str, ...] | None = None,
) -> tuple[list[Document], list[Document]]:
    """One work's front matter and the rest; ``prefix`` starts every file name and id.

    ``parts`` are its front-matter pages (an omnibus's work has fewer); by default the EPUB's.
    """

    def doc(uid: str, title: str, content: str) -> Document:
        return Document(prefix + uid, f"{prefix}{uid}.xhtml", title, content, group)

    # Links between files (--notes end, --summaries end): which file holds which anchor.
    files = {"title-page": f"{prefix}title_page.xhtml", "tag-summary": f"{prefix}tag_summary.xhtml"}
    for position, chapter in enumerate(work.chapters, start=1):
        files[f"chapter-{chapter.number}"] = f"{prefix}chap_{position:03d}.xhtml"
    links: dict[str, Any] = {"notes_file": f"{prefix}notes.xhtml", "part_files": files}

    _ = book_labels(work, options).gettext
    # --front-matter (fic2book/frontmatter.py): by default no half title in an e-book.
    pages = {
        "half-title": ("half_title", _("Half Title")),
        "title": ("title_page", _("Title Page")),
        "credits": ("credits", _("Credits")),
        "tags": ("tag_summary", _("Tag Summary")),
    }
    front = [
        doc(pages[part][0], pages[part][1], render_part(pages[part][0], work, options, **links))
        for part in parts or front_parts(options.front_matter, pdf=False)
    ]
    back = [
        doc(
            f"chap_{position:03d}",
            chapter_label(work, chapter, options.chapter_titles, book_labels(work, options)),
            render_part("chapter", work, options, chapter=chapter, **links),
        )
        for position, chapter in enumerate(work.chapters, start=1)
    ]
    back = [
        dataclasses.replace(
            document, toc_title=f"{document.title} ({_('new')})", mark=f"({_('new')})"
        )
        if chapter.is_new
        else document
        for chapter, document in zip(work.chapters, back, strict=True)
    ]
    if work.has_end_notes:
        back.append(doc("afterword", _("Afterword"), render_part("afterword", work, options)))
    if has_tag_wall(work):
        # Hundreds of tags go after the story; the tag summary shows the first ones.
        back.append(
            doc("tag_appendix", _("Appendix: All Tags"), render_part("tag_appendix", work, options))
        )
    if moved_notes(work, options):
        back.append(doc("notes", _("Notes"), render_part("notes_appendix", work, options, **links)))
    if work.updates:
        back.append(doc("update_log", _("Update Log"), render_part("update_log", work, options)))
    return front, back


def contents(epub: Any, documents: Sequence[Document]) -> list[Any]:
    """The contents: one entry per document, an omnibus's works as sections of their own."""
    toc: list[Any] = []
    for group, members in itertools.groupby(documents, key=lambda doc: doc.work):
        docs = list(members)
        links = [epub.Link(doc.file_name, doc.toc_title or doc.title, doc.uid) for doc in docs]
        if group is None:
            toc += links
        else:
            # The work's title page is the section; its other documents are the entries.
            toc.append((epub.Section(docs[0].title, docs[0].file_name), links[1:]))
    return toc


def chapter_label(
    work: Work, chapter: Chapter, style: str = "full", labels: Labels | None = None
) -> str:
    """Return the chapter's ``<title>`` and contents entry; a one-shot is named after the work.

    ``style`` is the ``--chapter-titles`` value (see :meth:`Chapter.heading_for`); "Chapter N"
    is in the ``labels``' language (English without).
    """
    labels = labels or Labels(ENGLISH)
    if work.chaptered:
        return labels.heading(chapter, style)
    return chapter.title or work.title or labels.heading(chapter)
