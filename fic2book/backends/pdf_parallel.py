"""``--pdf-jobs``: lay a long book out in several processes and join it, page for page exact.

Layout and PDF writing of the chapters are nearly all the time a long book takes, and chapters
are independent but for their page numbers.  So:

1. The chapters are cut into K consecutive runs of similar length ("groups"; the last also
   takes the afterword and the appendix).  Each group is one document
   (``templates/pdf/book.html.j2`` with ``part_chapters``) with the same stylesheets, rendered
   at once: this process takes the first, K-1 forked workers the others.  A group starts on a
   recto, as its first chapter does in the whole book, so every page keeps its side, margins,
   line breaks, running head and blank versos.
2. Page numbers are the one thing a group cannot know alone.  WeasyPrint paginates the whole
   document first and lays out the margin boxes (folios, running heads) afterwards; at that
   moment each group publishes its page count in shared memory and waits for the counts of the
   groups before it, from which its first folio follows (a group that ends on a recto is
   followed by a blank verso, as the next chapter opens on a recto), and shifts the page
   counter of each of its pages by that much (:func:`page_number_hook`).  So the costly
   pagination runs fully in parallel, and each page gets the folio a one-process render gives.
3. The front matter is rendered last, with the real page numbers in its contents
   (``toc_pages``) and empty placeholders for the chapters so its links have targets, by
   whichever process finishes its group first (:meth:`PageCounts.claim_front`), so the other
   core is not left idle while one process renders it.
4. pikepdf joins the front pages, the groups' pages and the blank versos between groups, and
   rebuilds the named destinations and the outline from the pieces' own (their targets moved
   to the joined pages); metadata are the front document's.  The file is saved with a
   deterministic ``/ID``, so rebuilds stay byte-identical.

Configurations this cannot reproduce exactly use one process (:func:`parallel_blocker`).
WeasyPrint has no public hook between pagination and margin boxes, so
:func:`page_number_hook` wraps ``weasyprint.layout.make_margin_boxes``; the tests compare
every page's text with a one-process render to catch a WeasyPrint that changes this.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fic2book.errors import RenderError
from fic2book.model import Chapter, Work
from fic2book.options import RenderOptions

logger = logging.getLogger(__name__)

#: Stylesheet added to a group: the book title for the verso running heads, which the whole
#: book takes from the front matter a group does not have.
GROUP_CSS = "body { string-set: book-title attr(data-title); }\n"

#: Stylesheet added to the front document: the contents take the page numbers given in the
#: markup, since the chapters there are empty placeholders, which share one page after the
#: front matter (only their anchors matter, for the contents' links).
FRONT_CSS = (
    '.book-toc a::after { content: leader(". ") attr(data-page); }\n'
    ".book-chapter + .book-chapter { break-before: auto; }\n"
)

#: A run of chapters shorter than this many characters (about 3,500 words, 15 A5 pages) is
#: not worth a process of its own: a separate front matter, the join and a worker cost about
#: 0.2 s whatever the size.  Measured on 2 cores (benchmarks/bench_single.py): a 5k-word work
#: in two chapters gains 0.1-0.2 s from the split, a 30k-word work 1.5 s.
MIN_GROUP_CHARS = 20_000

#: The share of the text the first run gets, relative to the others' (see split_chapters).
FIRST_SHARE = 0.95

#: How often a waiting group looks at the page counts of the groups before it, in seconds.
_POLL = 0.005

#: Shared-memory value of a slot whose group has not published its page count yet, and of
#: the abort slot while all is well.
_PENDING = -1
_FAILED = -2


#: ``--pdf-jobs 0`` uses one process per core, but at most this many: each process holds its
#: share of the layout, and beyond a few the fixed costs outweigh the gain.
MAX_AUTO_JOBS = 4


def job_count(requested: int, cpus: int | None = None) -> int:
    """Processes for ``--pdf-jobs N``: ``0`` means one per usable core, at most four."""
    if requested > 0:
        return requested
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # macOS, Windows
            cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_AUTO_JOBS))


def parallel_blocker(work: Work, options: RenderOptions) -> str | None:
    """Why this book must be rendered in one process, or ``None`` if it can be split.

    ``--pdf-ua`` needs one structure tree for the whole document; ``--css`` and a
    ``pdf/book.html.j2`` override can change page numbering or breaks in ways the pieces do
    not reproduce; a right-to-left book starts on a verso; chapter numbers must be unique
    because they name the wrappers.  Without ``fork`` there are no workers.
    """
    from fic2book.language import text_direction

    if options.pdf_ua:
        return "--pdf-ua needs one structure tree"
    if options.css:
        return "--css may change page breaks or numbering"
    if options.template_dir is not None and (options.template_dir / "pdf").exists():
        return "--template-dir overrides the PDF template"
    if text_direction(work.language) == "rtl":
        return "right-to-left books start on a verso"
    numbers = [chapter.number for chapter in work.chapters]
    if len(set(numbers)) != len(numbers):
        return "chapter numbers repeat"
    if not hasattr(os, "fork"):
        return "no fork on this system"
    return None


def split_chapters(chapters: Sequence[Chapter], groups: int) -> list[list[Chapter]]:
    """Cut ``chapters`` into at most ``groups`` consecutive runs of similar text length.

    The first run, which this process renders before it renders the front matter and joins
    the book, gets :data:`FIRST_SHARE` of a full share.  Each run gets at least one chapter and
    about :data:`MIN_GROUP_CHARS` of text, so a short book is not cut into tiny documents (one
    run means: render in one process).
    """
    sizes = [len(chapter.body) + 1 for chapter in chapters]
    total = sum(sizes)
    groups = max(1, min(groups, len(chapters), total // MIN_GROUP_CHARS))
    if groups == 1:
        return [list(chapters)]
    # Where each run ends, as a share of the whole text.
    shares = FIRST_SHARE + groups - 1
    ends = [(FIRST_SHARE + index) / shares for index in range(groups - 1)]
    runs: list[list[Chapter]] = [[] for _ in range(groups)]
    done = 0
    for chapter, size in zip(chapters, sizes, strict=True):
        # The run whose share of the text the middle of this chapter falls into.
        middle = (done + size / 2) / total
        runs[sum(middle >= end for end in ends)].append(chapter)
        done += size
    return [run for run in runs if run]


def wrapper_ids(work: Work, chapters: Sequence[Chapter], with_back: bool) -> list[str]:
    """The ids of the chapter wrappers of ``book.html.j2`` a document holds, in order."""
    from fic2book.render import has_tag_wall

    ids = [f"book-chapter-{chapter.number}" for chapter in chapters]
    if with_back and work.has_end_notes:
        ids.append("book-afterword")
    if with_back and has_tag_wall(work):
        ids.append("book-tag-appendix")
    return ids


def anchor_pages(document: Any, ids: Sequence[str]) -> dict[str, int]:
    """The index of the page each wrapper of ``ids`` starts on, in a WeasyPrint document."""
    wanted = set(ids)
    found: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            if name in wanted:
                found.setdefault(name, index)
    missing = wanted - set(found)
    if missing:
        raise RenderError(f"--pdf-jobs: {', '.join(sorted(missing))} is on no page")
    return found


@dataclass(frozen=True)
class Piece:
    """A rendered piece of the book: its PDF and where its wrappers start."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]


class PageCounts:
    """Page counts the groups publish to each other through shared memory (set up before fork).

    Slot ``g`` holds group g's page count once known; the last slot is set when the render is
    abandoned, so no group waits for a count that will never come.  A second array holds the
    page (within its group) each wrapper starts on, for the front matter's contents.
    """

    def __init__(self, groups: int, wrappers: int) -> None:
        """Shared slots for ``groups`` groups and ``wrappers`` wrappers, all pending."""
        context = multiprocessing.get_context("fork")
        self._slots = context.RawArray("q", [_PENDING] * (groups + 1))
        self._anchors = context.RawArray("q", [_PENDING] * wrappers)
        self._abort = groups
        self._front = context.Value("b", 0)

    def claim_front(self) -> bool:
        """Whether the caller is the first to ask, and so renders the front matter."""
        with self._front.get_lock():
            if self._front.value:
                return False
            self._front.value = 1
            return True

    def publish(self, group: int, pages: int) -> None:
        """Group ``group`` has ``pages`` pages."""
        self._slots[group] = pages

    def publish_anchors(self, first: int, pages: Sequence[int]) -> None:
        """Wrappers ``first``, ``first + 1``… start on these pages of their group."""
        for index, page in enumerate(pages):
            self._anchors[first + index] = page

    def anchors(self) -> list[int]:
        """The page each wrapper starts on within its group; waits for every group."""
        result = []
        for index in range(len(self._anchors)):
            result.append(self._wait(self._anchors, index))
        return result

    def _wait(self, array: Any, index: int) -> int:
        while (value := int(array[index])) == _PENDING:
            if self._slots[self._abort] == _FAILED:
                raise RenderError("--pdf-jobs: another part of the book failed")
            time.sleep(_POLL)
        return value

    def abort(self) -> None:
        """Release every waiting group: the render has failed."""
        self._slots[self._abort] = _FAILED

    def first_folio(self, group: int) -> int:
        """The page number of group ``group``'s first page; waits for the groups before it.

        The story starts at 1; a group that ends on a recto (an odd count, as groups start on
        rectos) is followed by a blank verso, which is numbered but carries no folio.
        """
        folio = 1
        for earlier in range(group):
            pages = self._wait(self._slots, earlier)
            folio += pages + pages % 2
        return folio


@contextlib.contextmanager
def page_number_hook(counts: PageCounts, group: int) -> Iterator[None]:
    """While active, a WeasyPrint render publishes its page count and shifts its folios.

    WeasyPrint's ``layout_document`` paginates everything, then lays out each page's margin
    boxes from the page counter in ``context.page_maker``.  On the first margin-box call
    (pagination done) the count is published, the first folio awaited, and every page's
    ``page`` counter moved up by the difference.
    """
    from weasyprint import layout

    original = layout.make_margin_boxes
    done = False

    def hooked(context: Any, page: Any, state: Any) -> Any:
        nonlocal done
        if not done:
            done = True
            pages = len(context.page_maker) - 1
            counts.publish(group, pages)
            shift = counts.first_folio(group) - 1
            if shift:
                seen: set[int] = set()
                for entry in context.page_maker[1:]:
                    stack = entry[3][1]["page"]
                    if id(stack) not in seen:
                        seen.add(id(stack))
                        stack[-1] += shift
        return original(context, page, state)

    layout.make_margin_boxes = hooked
    try:
        yield
    finally:
        layout.make_margin_boxes = original


@dataclass(frozen=True)
class _Job:
    """What the forked workers run: the group render, the front render and the shared counts."""

    render: Callable[[int], Piece]
    front: Callable[[], Piece]
    counts: PageCounts


#: The job of the forked workers (set just before they are forked; never pickled).
_JOB: _Job | None = None


def _run_job(index: int) -> tuple[Piece, Piece | None]:
    """Worker entry point: render group ``index``, then the front matter if no one has yet."""
    _exit_with_parent()
    assert _JOB is not None
    piece = _JOB.render(index)
    return piece, _JOB.front() if _JOB.counts.claim_front() else None


def _exit_with_parent() -> None:
    """Leave when the parent dies (killed by --timeout) rather than render on as an orphan."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def render_groups(
    render: Callable[[int], Piece], count: int, counts: PageCounts, front: Callable[[], Piece]
) -> tuple[list[Piece], Piece]:
    """Render groups ``0..count-1`` and then the front matter.

    The first group is rendered in this process, the other groups in forked workers, all at
    once; the process that finishes its group first renders the front matter too.  ``front``
    waits (:meth:`PageCounts.anchors`) only for what the contents need, so it overlaps with
    the others writing their PDFs.
    """
    global _JOB
    _JOB = _Job(render, front, counts)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(count - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_job, index) for index in range(1, count)]
            try:
                first = render(0)
                front_piece = front() if counts.claim_front() else None
                results = [future.result() for future in futures]
                for _, piece in results:
                    front_piece = front_piece or piece
                if front_piece is None:  # pragma: no cover - someone always claims it
                    raise RenderError("--pdf-jobs: the front matter was not rendered")
                return [first, *(piece for piece, _ in results)], front_piece
            except BaseException:
                counts.abort()
                for future in futures:
                    future.cancel()
                raise
    finally:
        _JOB = None


def join(front: Piece, groups: Sequence[Piece]) -> bytes:
    """The book: the first ``front.pages`` pages of ``front``, the groups, blank versos between.

    Named destinations and outline entries are taken from every piece, pointing at the same
    places on the joined pages; those of the front document's placeholders are dropped.
    """
    import pikepdf

    book = pikepdf.open(io.BytesIO(front.pdf))
    front_pages = front.pages
    dests = [d for d in _dests(book) if d[1] < front_pages]
    outline = [o for o in _outline(book) if o[1] < front_pages]
    del book.pages[front_pages:]
    for group in groups:
        if len(book.pages) % 2 == 1:  # the last page is a recto: a blank verso follows
            _append_blank(book)
        base = len(book.pages)
        source = pikepdf.open(io.BytesIO(group.pdf))
        dests += [(name, base + page, rest) for name, page, rest in _dests(source)]
        outline += [(title, base + page, rest) for title, page, rest in _outline(source)]
        book.pages.extend(source.pages)
    _write_dests(book, dests)
    _write_outline(book, outline)
    out = io.BytesIO()
    # deterministic_id: the /ID is a hash of the content, so rebuilds are byte-identical.
    book.save(out, deterministic_id=True)
    return out.getvalue()


#: A destination: (name or title, page index, the rest of the explicit destination).
_Target = tuple[Any, int, list[Any]]


def _page_index(pdf: Any) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def _split_dest(dest: Any, pages: dict[tuple[int, int], int]) -> tuple[int, list[Any]] | None:
    """``[page /XYZ x y 0]`` → (page index, ``[/XYZ, x, y, 0]``)."""
    index = pages.get(dest[0].objgen)
    if index is None:
        return None
    return index, [dest[position] for position in range(1, len(dest))]


def _dests(pdf: Any) -> list[_Target]:
    """The named destinations of a WeasyPrint PDF (one flat name tree)."""
    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    array = tree.get("/Names") if tree is not None else None
    if array is None:
        return []
    pages = _page_index(pdf)
    found = []
    for position in range(0, len(array), 2):
        split = _split_dest(array[position + 1], pages)
        if split is not None:
            found.append((str(array[position]), split[0], split[1]))
    return found


def _outline(pdf: Any) -> list[_Target]:
    """The entries of a WeasyPrint PDF's outline (flat: every bookmark has level 1)."""
    root = pdf.Root.get("/Outlines")
    item = root.get("/First") if root is not None else None
    pages = _page_index(pdf)
    found = []
    while item is not None:
        if "/First" in item:
            raise RenderError("--pdf-jobs: nested outline entries are not supported")
        split = _split_dest(item.Dest, pages)
        if split is not None:
            found.append((str(item.Title), split[0], split[1]))
        item = item.get("/Next")
    return found


def _append_blank(book: Any) -> None:
    """Append an empty page the size of the last one (a blank verso: no head, no folio)."""
    import pikepdf

    last = book.pages[-1].obj
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary())
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in last:
            page[box] = pikepdf.Array(list(last[box]))
    page.Contents = book.make_stream(b"")
    book.pages.append(pikepdf.Page(page))


def _explicit(book: Any, page: int, rest: list[Any]) -> Any:
    import pikepdf

    return pikepdf.Array([book.pages[page].obj, *rest])


def _write_dests(book: Any, dests: list[_Target]) -> None:
    """Replace the name tree of destinations, sorted by name as a name tree must be."""
    import pikepdf

    if not dests:
        return
    array = pikepdf.Array()
    for name, page, rest in sorted(dests, key=lambda dest: str(dest[0])):
        array.append(pikepdf.String(name))
        array.append(_explicit(book, page, rest))
    if "/Names" not in book.Root:
        book.Root.Names = pikepdf.Dictionary()
    book.Root.Names.Dests = book.make_indirect(pikepdf.Dictionary(Names=array))


def _write_outline(book: Any, outline: list[_Target]) -> None:
    """Replace the outline with ``outline``, built as WeasyPrint builds a flat one."""
    import pikepdf

    if not outline:
        return
    root = book.make_indirect(pikepdf.Dictionary(Count=len(outline)))
    items: list[Any] = []
    for title, page, rest in outline:
        item = book.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(title), Dest=_explicit(book, page, rest), Count=0
            )
        )
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        item.Parent = root
        items.append(item)
    root.First = items[0]
    root.Last = items[-1]
    book.Root.Outlines = root


def fallback_note(reason: str) -> None:
    """Log why a book is rendered in one process after all."""
    logger.info("--pdf-jobs: rendering in one process (%s)", reason)
