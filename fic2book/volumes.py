"""One work, several books: ``fic2book convert --volumes 1-10,11-20``.

A long work is split by chapter ranges into volumes, each a complete :class:`~fic2book.model.Work`
(its title numbered in the labels' language, "Volume 1 of 3" on its title page, tag summary,
its own contents) that the backends render as any other work; ranges that make one volume
leave the work whole.  The ranges must cover every chapter once, in order, so a split never loses or
repeats a chapter; the last range may be open (``21-``).  The work's opening notes go in the
first volume, its end notes in the last; the summary and tags are in every volume.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fic2book.errors import RenderError, UsageError
from fic2book.model import Work

if TYPE_CHECKING:
    from fic2book.labels import Labels
    from fic2book.options import RenderOptions

__all__ = [
    "auto_volumes",
    "check_volumes",
    "measure_chapters",
    "parse_volumes",
    "split_volumes",
    "volume_name",
    "volume_title",
]

_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d*)\s*)?")


@dataclasses.dataclass(frozen=True)
class ChapterRange:
    """One range of ``--volumes`` as the user typed it: ``first`` to ``last`` (``None``: open)."""

    text: str
    first: int
    last: int | None


def check_volumes(spec: str) -> list[ChapterRange]:
    """The ranges of ``spec`` (``"1-10,11-20,21-"``), checked without knowing the work.

    Everything that is wrong whatever the work — a part that is no range, chapter 0, a range
    that ends before it starts, a gap, an overlap, an open range before the last — is a
    :class:`~fic2book.errors.UsageError` naming the part as typed, so ``convert`` can refuse
    a bad ``--volumes`` before any input is read or any book written.
    """
    ranges: list[ChapterRange] = []
    for part in spec.split(","):
        text = part.strip()
        match = _RANGE.fullmatch(part)
        if match is None:
            raise UsageError(f"--volumes: {text!r} is not a chapter range such as 1-10")
        first = int(match.group(1))
        if match.group(2) is None:
            last: int | None = first  # a single chapter
        else:
            last = int(match.group(2)) if match.group(2) else None
        if first < 1:
            raise UsageError(f"--volumes {text}: chapters are numbered from 1")
        if last is not None and last < first:
            raise UsageError(f"--volumes {text}: the range ends before it starts")
        ranges.append(ChapterRange(text, first, last))
    expected = 1
    for index, volume in enumerate(ranges):
        if volume.first < expected:
            raise UsageError(
                f"--volumes {spec}: chapter {volume.first} is in two volumes ({volume.text})"
            )
        if volume.first > expected:
            raise UsageError(
                f"--volumes {spec}: chapters {expected}-{volume.first - 1} are in no volume"
            )
        if volume.last is None and index + 1 < len(ranges):
            raise UsageError(f"--volumes {spec}: only the last range can be open ({volume.text})")
        expected = (volume.last or volume.first) + 1
    return ranges


def parse_volumes(spec: str, chapters: int, name: str = "the work") -> list[range]:
    """Chapter ranges (1-based, inclusive as written) from ``spec``, e.g. ``"1-10,11-20,21-"``.

    Raises :class:`~fic2book.errors.UsageError` unless the ranges cover chapters 1 to
    ``chapters`` exactly once, in order; a message about the work names it (``name``, the
    input's file name) and its chapters, and quotes the ranges as typed.
    """
    ranges = check_volumes(spec)
    has = f"{name} has {chapters} chapter{'' if chapters == 1 else 's'}"
    for volume in ranges:
        if volume.first > chapters:
            raise UsageError(f"{has}: --volumes {volume.text} starts after the last")
    end = ranges[-1].last or chapters
    if end != chapters:
        raise UsageError(f"{has}: --volumes {spec} ends at chapter {end}")
    return [range(v.first, (v.last or chapters) + 1) for v in ranges]


def volume_title(work: Work, number: int, labels: Labels | None = None) -> str:
    """A volume's title in the labels' language: "Epic, Volume 2", "La Traversée, tome 2"."""
    message = "%(title)s, Volume %(num)s"
    if labels is None:
        return message % {"title": work.title, "num": number}
    return labels.gettext(message, title=work.title, num=number)


def split_volumes(
    work: Work, spec: str, labels: Labels | None = None, name: str = "the work"
) -> list[Work]:
    """``work`` split into volumes by the chapter ranges of ``spec`` (see :func:`parse_volumes`).

    Each volume's title gets its number in ``labels``' language (English without them).
    Ranges that make a single volume give ``[work]`` itself: a plain book, not "Volume 1 of 1".
    """
    ranges = parse_volumes(spec, len(work.chapters), name)
    count = len(ranges)
    if count == 1:
        return [work]
    volumes = []
    for number, chapters in enumerate(ranges, start=1):
        volumes.append(
            dataclasses.replace(
                work,
                title=volume_title(work, number, labels),
                chapters=work.chapters[chapters.start - 1 : chapters.stop - 1],
                notes=work.notes if number == 1 else None,
                end_notes=work.end_notes if number == count else None,
                volume=(number, count),
                # A one-shot has one chapter, so it is never split; keep its flag anyway.
                chaptered=work.chaptered,
            )
        )
    return volumes


def volume_name(name: str, suffix: str, number: int, count: int) -> str:
    """The file name ``name`` (ending in ``suffix``) of volume ``number``: ``Epic - Volume 1.epub``.

    The number is padded to the width of ``count``, so the volumes sort in order as text.
    """
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    padded = str(number).zfill(len(str(count)))
    return f"{stem} - Volume {padded}{suffix}"


def auto_volumes(starts: Sequence[int], end: int, max_pages: int) -> str:
    """Chapter ranges (``"1-4,5-9"``) for volumes of at most about ``max_pages`` pages each.

    ``starts`` are the 0-based pages on which each chapter opens in the whole work's PDF and
    ``end`` the page after the last chapter; the pages before the first chapter (title page,
    tag summary, contents) are counted in every volume.  Chapters are taken greedily; a
    chapter longer than a volume makes a volume of its own.  A volume's own contents page and
    the afterword of the last volume are not measured, so a volume may run a page or two over.
    """
    budget = max_pages - (starts[0] if starts else 0)
    if budget < 1:
        raise UsageError(f"--max-pages {max_pages} leaves no room after the front matter")
    groups: list[tuple[int, int]] = []
    first, used = 1, 0
    for index, start in enumerate(starts):
        length = (starts[index + 1] if index + 1 < len(starts) else end) - start
        if used and used + length > budget:
            groups.append((first, index))
            first, used = index + 1, 0
        used += length
    groups.append((first, len(starts)))
    return ",".join(f"{a}-{b}" for a, b in groups)


def measure_chapters(work: Work, options: RenderOptions) -> tuple[list[int], int]:
    """Lay the whole work out as a PDF once and read where each chapter opens.

    Returns the 0-based opening page of each chapter and the page after the last one (from
    the PDF's outline, whose entries are the title page, the tag summary, then the chapters).
    """
    import pikepdf

    from fic2book.backends import backend_for

    with tempfile.TemporaryDirectory(prefix="fic2book-volumes-") as folder:
        path = Path(folder) / "whole.pdf"
        backend_for("pdf").write(work, path, options)
        with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
            pages: dict[tuple[int, int], int] = {
                page.obj.objgen: index for index, page in enumerate(pdf.pages)
            }
            found: list[int] = []
            for item in outline.root:
                target = item.destination
                if isinstance(target, pikepdf.Array) and len(target):
                    found.append(pages.get(target[0].objgen, -1))
            total = len(pdf.pages)
    count = len(work.chapters)
    starts = found[2 : 2 + count]
    if len(starts) != count or -1 in starts:
        raise RenderError("cannot measure the chapters' pages from the PDF's outline")
    end = found[2 + count] if len(found) > 2 + count else total
    return starts, end
