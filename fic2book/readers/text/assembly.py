"""From a parsed header and body to the model: chapters, notes, stats, the :class:`Work`.

Chapters are numbered 1..n in order, whatever numbers the headings used; "Prologue",
"Epilogue" and "Interlude" keep their word as the chapter's label, and a heading whose number
differs from its position keeps its own ("Chapter 1" after a prologue).  The ``Chapter
Summary:``/``Chapter Notes:``/``Chapter End Notes:`` lines are fic2book's own convention, since
no tool's plain-text export carries chapter notes: summary and notes count right after a
heading (or at the top of a heading-less body), end notes anywhere in the chapter.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from fic2book.html.sanitize import SCENE_BREAK, paragraphs, text_block
from fic2book.language import language_tag
from fic2book.model import (
    Chapter,
    Stats,
    Status,
    TagGroup,
    TagKind,
    Work,
)
from fic2book.readers.common import (
    link_work,
    title_from_path,
)
from fic2book.readers.text.header import Header, HeaderField
from fic2book.readers.text.headings import Heading
from fic2book.readers.text.lines import CHAPTER_NOTE, Block, Body, Line


def _build_chapter(number: int, heading: Heading | None, blocks: list[Block]) -> Chapter:
    """One chapter: leading chapter notes, body paragraphs and breaks, end notes anywhere."""
    notes: dict[str, list[str]] = {"summary": [], "notes": [], "end notes": []}
    position = 0
    # Summary and notes count only at the top; end notes anywhere.
    while position < len(blocks):
        kind = _note_kind(blocks[position])
        if kind is None or kind == "end notes":
            break
        notes[kind].append(_note_text(blocks[position].text))
        position += 1
    items: list[str | None] = []  # None is a scene break
    for block in blocks[position:]:
        if block.kind is Line.BREAK:
            if items and items[-1] is not None:
                items.append(None)
        elif _note_kind(block) == "end notes":
            notes["end notes"].append(_note_text(block.text))
        else:
            items.append(block.text)
    while items and items[-1] is None:
        items.pop()
    return Chapter(
        number=number,
        title=heading.title if heading else None,
        body=_body_markup(items),
        summary=_note_markup(notes["summary"]),
        notes=_note_markup(notes["notes"]),
        end_notes=_note_markup(notes["end notes"]),
        label=_label(number, heading),
    )


def _label(number: int, heading: Heading | None) -> str | None:
    """The heading's own label where "Chapter N" by position would misstate it.

    A "Part 2" stays "Part 2", and "Chapter 1" after a prologue stays "Chapter 1" rather than
    becoming "Chapter 2": readers look for the numbers the author wrote.
    """
    if heading is None:
        return None
    if heading.number is not None and (heading.group != "chapter" or heading.number != number):
        return f"{heading.group.title()} {heading.number}"
    return heading.label


def _note_kind(block: Block) -> str | None:
    """``summary``, ``notes`` or ``end notes`` for a chapter-note block, else ``None``."""
    if block.kind is not Line.TEXT:
        return None
    match = CHAPTER_NOTE.match(block.text)
    return " ".join(match.group(1).lower().split()) if match else None


def _note_text(text: str) -> str:
    """Return the text of a chapter-note line after its ``Chapter Notes:`` label."""
    match = CHAPTER_NOTE.match(text)
    return match.group(2) if match else text


def _body_markup(items: list[str | None]) -> Markup:
    """Paragraph runs as ``<p>`` elements with scene breaks between them."""
    parts: list[Markup] = []
    run: list[str] = []
    for item in items:
        if item is None:
            parts.append(paragraphs(run))
            parts.append(SCENE_BREAK)
            run = []
        else:
            run.append(item)
    if run:
        parts.append(paragraphs(run))
    return Markup("\n").join(parts)


def _note_markup(texts: list[str]) -> Markup | None:
    """Chapter or work notes as paragraphs, ``None`` when there are none."""
    text = "\n".join(t for t in texts if t.strip())
    return text_block(text) if text else None


def build_work(path: Path, header: Header, body: Body) -> Work:
    """Combine the header and the body into the model."""
    chapters = tuple(
        _build_chapter(number, heading, blocks)
        for number, (heading, blocks) in enumerate(body.sections, start=1)
    )
    status = header.status or header.completed_status
    posted, total = header.chapters_posted, header.chapters_total
    if header.bare_chapter_count is not None and posted is None:
        # "Chapters: 3" says nothing about the total; assume none are missing unless a WIP.
        posted = header.bare_chapter_count
        total = None if status is Status.IN_PROGRESS else posted
    stats = Stats(
        published=header.dates.get(HeaderField.PUBLISHED),
        updated=header.dates.get(HeaderField.UPDATED),
        completed=header.dates.get(HeaderField.COMPLETED),
        words=header.counts.get(HeaderField.WORDS),
        chapters_posted=posted,
        chapters_total=total,
        kudos=header.counts.get(HeaderField.KUDOS),
        hits=header.counts.get(HeaderField.HITS),
        bookmarks=header.counts.get(HeaderField.BOOKMARKS),
        comments=header.counts.get(HeaderField.COMMENTS),
    )
    # Headings make a chaptered work; so does a header promising more than one chapter.
    headed = body.headed
    chaptered = headed or (posted is not None and (posted, total) != (1, 1))
    work_id, url = link_work(header.work_id, header.url)
    preamble = [block.text for block in body.preamble if block.kind is Line.TEXT]
    notes = [header.notes] if header.notes else []
    return Work(
        title=header.title or title_from_path(path),
        authors=tuple(header.authors) or ("Anonymous",),
        language=language_tag(header.language_name),
        language_name=header.language_name,
        chapters=chapters,
        tag_groups=tuple(
            TagGroup(kind, tuple(header.tags[kind])) for kind in TagKind if header.tags.get(kind)
        ),
        series=tuple(header.series),
        collections=tuple(header.collections),
        stats=stats,
        declared_status=status,
        summary=_note_markup([header.summary] if header.summary else []),
        notes=_note_markup(notes + preamble),
        end_notes=_note_markup([header.end_notes] if header.end_notes else []),
        work_id=work_id,
        url=url,
        extra_fields=tuple(header.extras),
        chaptered=chaptered,
    )
