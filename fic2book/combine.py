"""Several works, one book: the omnibus of ``fic2book convert --combine``.

An omnibus is an ordinary :class:`~fic2book.model.Work` whose ``works`` holds the works it
collects, so the model stays the one contract between readers and backends.  Its metadata is
the union of theirs (every creator, every tag in AO3's order, the series, one language or
``mul``), and its ``chapters`` are theirs run together, renumbered, with headings that still
say "Chapter 1" for each work's first chapter (in the labels its pages are in): a backend that
knows nothing of omnibuses (or a word count) still sees every word, in order.  The EPUB and
PDF backends see ``works`` and give each work its own title page, tag summary, chapters and
afterword.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from fic2book.errors import UsageError
from fic2book.labels import Labels
from fic2book.model import TAG_ORDER, Asset, Chapter, SeriesEntry, Stats, Status, TagGroup, Work

__all__ = ["MULTIPLE_LANGUAGES", "combine", "omnibus_title", "reading_order"]

#: The ISO 639 code for a book in several languages.
MULTIPLE_LANGUAGES = "mul"


def reading_order(works: Sequence[Work]) -> list[Work]:
    """The works ordered by their part in their first series, when they have one.

    Works with a part come first, by part (ties keep the order given); works without one
    follow in the order given.  ``sorted`` is stable, so works without parts never move
    relative to each other.
    """

    def key(item: tuple[int, Work]) -> tuple[int, int, int]:
        position, work = item
        part = work.series[0].part if work.series else None
        return (0, part, position) if part is not None else (1, 0, position)

    return [work for _, work in sorted(enumerate(works), key=key)]


def omnibus_title(works: Sequence[Work], title: str | None = None) -> str:
    """``title`` when given, else the series every work belongs to, else the works' titles."""
    if title and title.strip():
        return title.strip()
    shared = _shared_series(works)
    if shared is not None:
        return shared
    return " & ".join(work.title for work in works)


def _shared_series(works: Sequence[Work]) -> str | None:
    """The name of a series every work is in, if there is one."""
    if not works:
        return None
    common = {entry.name for entry in works[0].series}
    for work in works[1:]:
        common &= {entry.name for entry in work.series}
    for entry in works[0].series:  # the first work's order decides between several
        if entry.name in common:
            return entry.name
    return None


def combine(
    works: Sequence[Work],
    title: str | None = None,
    *,
    labels: str | None = None,
    chapter_numbers: str = "numerals",
) -> Work:
    """Collect ``works`` into one omnibus work, ordered by :func:`reading_order`.

    ``labels`` and ``chapter_numbers`` are the book's ``--labels`` and ``--chapter-numbers``:
    the combined chapters say "Chapter 3" as the omnibus's pages for that work do.

    Raises :class:`~fic2book.errors.UsageError` for fewer than two works, or when two works
    embed different images under the same file name (the book could hold only one of them).
    """
    if len(works) < 2:
        raise UsageError("--combine needs at least two works")
    ordered = reading_order(works)
    languages = list(dict.fromkeys(work.language for work in ordered))
    names = list(dict.fromkeys(work.language_name or work.language for work in ordered))
    return Work(
        title=omnibus_title(ordered, title),
        authors=_union(author for work in ordered for author in work.authors),
        language=languages[0] if len(languages) == 1 else MULTIPLE_LANGUAGES,
        language_name=", ".join(names),
        chapters=_chapters(ordered, labels, chapter_numbers),
        tag_groups=_tag_groups(ordered),
        series=tuple(
            SeriesEntry(name)
            for name in _union(entry.name for work in ordered for entry in work.series)
        ),
        collections=_union(name for work in ordered for name in work.collections),
        stats=_stats(ordered),
        declared_status=_status(ordered),
        assets=_assets(ordered),
        works=tuple(ordered),
    )


def _union(values: Iterable[str]) -> tuple[str, ...]:
    """Each value once, in the order first seen."""
    return tuple(dict.fromkeys(value for value in values if value))


def _tag_groups(works: Sequence[Work]) -> tuple[TagGroup, ...]:
    """Every tag of every work, grouped by kind in AO3's order, each tag once."""
    groups = []
    for kind in TAG_ORDER:
        tags = _union(tag for work in works for tag in work.tags(kind))
        if tags:
            groups.append(TagGroup(kind, tags))
    return tuple(groups)


def _chapters(
    works: Sequence[Work], labels: str | None, chapter_numbers: str
) -> tuple[Chapter, ...]:
    """The works' chapters in order, numbered through, each keeping its own heading.

    "Chapter 3" is said as the omnibus says it on that work's pages: in the work's own
    language, or ``--labels``'s, with ``--chapter-numbers`` (``Labels.for_work``, as
    ``render.book_labels`` gives each work's part).
    """
    chapters: list[Chapter] = []
    for work in works:
        said = Labels.for_work(work, labels, chapter_numbers)
        for chapter in work.chapters:
            # A one-shot's chapter is headed by its work's title, as its contents entry is.
            label = (chapter.label or said.chapter(chapter.number)) if work.chaptered else None
            label = label or work.title
            chapters.append(dataclasses.replace(chapter, number=len(chapters) + 1, label=label))
    return tuple(chapters)


def _stats(works: Sequence[Work]) -> Stats:
    """Dates spanning every work, the words of all of them; no chapter count of its own."""
    published = [w.stats.published for w in works if w.stats.published is not None]
    updated = [w.stats.updated for w in works if w.stats.updated is not None]
    completed = [w.stats.completed for w in works if w.stats.completed is not None]
    word_counts = [w.stats.words for w in works if w.stats.words is not None]
    return Stats(
        published=min(published) if published else None,
        updated=max(updated) if updated else None,
        completed=max(completed) if len(completed) == len(works) else None,
        words=sum(word_counts) if len(word_counts) == len(works) else None,
    )


def _status(works: Sequence[Work]) -> Status | None:
    """Complete when every work is, in progress when any is, else unknown."""
    statuses = [work.status for work in works]
    if Status.IN_PROGRESS in statuses:
        return Status.IN_PROGRESS
    if statuses and all(status is Status.COMPLETE for status in statuses):
        return Status.COMPLETE
    return None


def _assets(works: Sequence[Work]) -> tuple[Asset, ...]:
    """Every embedded file once; two different files under one name cannot share a book."""
    found: dict[str, tuple[Asset, Work]] = {}
    for work in works:
        for asset in work.assets:
            seen = found.get(asset.href)
            if seen is None:
                found[asset.href] = (asset, work)
            elif seen[0].data != asset.data:
                raise UsageError(
                    f"cannot combine {seen[1].title!r} and {work.title!r}: both embed a "
                    f"different image called {asset.href}"
                )
    return tuple(asset for asset, _ in found.values())
