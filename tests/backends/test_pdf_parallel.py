"""``--pdf-jobs``: a book laid out by several processes is the book one process lays out.

One work of about 50 A5 pages (nine chapters of different lengths, so groups end on rectos
and versos, an afterword and a tag appendix) is rendered with one, two and three processes;
every page's text (folios, running heads, contents, blank versos), the outline, the named
destinations, links, metadata and fonts must agree, and rebuilds must be byte-identical.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from markupsafe import Markup

from fic2book.backends import pdf_parallel
from fic2book.backends.pdf import PdfBackend
from fic2book.errors import RenderError
from fic2book.model import Chapter, TagGroup, TagKind, Work
from fic2book.options import RenderOptions
from fic2book.sanitize import clean_html, paragraphs, text_block
from tests.conftest import ROOT, make_work
from tests.textract import has_text

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="needs poppler-utils (pdftotext, pdffonts)",
)

EPOCH = 1_700_000_000

SENTENCE = (
    "The keeper of the signal tower wrote the weather into the ledger every morning, and "
    "the harbour master read it every evening without once admitting that he did. "
)


def chapter_body(number: int, paragraphs_count: int) -> Markup:
    """Distinct text per chapter and paragraph, so a page out of place cannot look right."""
    texts = [
        f"Chapter {number}, paragraph {index}. " + SENTENCE * 3
        for index in range(1, paragraphs_count + 1)
    ]
    body = paragraphs(texts)
    # An external link in every chapter: its annotation must survive the join.
    link = clean_html(f'<p>See <a href="https://example.org/map/{number}">the map</a>.</p>')
    return body + link


def big_work() -> Work:
    """Nine chapters of 2 to 7 pages, an afterword and a tag wall (an appendix)."""
    lengths = [14, 9, 22, 6, 17, 11, 25, 8, 15]
    chapters = tuple(
        Chapter(
            number=number,
            title=f"Part {number}",
            body=chapter_body(number, count),
            summary=text_block(f"Summary of chapter {number}.") if number % 3 == 0 else None,
        )
        for number, count in enumerate(lengths, start=1)
    )
    wall = TagGroup(TagKind.ADDITIONAL_TAGS, tuple(f"Tag number {n}" for n in range(60)))
    base = make_work()
    return dataclasses.replace(
        base,
        chapters=chapters,
        tag_groups=(*base.tag_groups[:-1], wall),
        end_notes=text_block("Thank you for reading."),
    )


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and what poppler and pypdf say about it."""

    path: Path
    pages: list[str]

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def render(work: Work, path: Path, **options: object) -> Rendered:
    """Render with ``options`` (SOURCE_DATE_EPOCH fixed) and read the text page by page."""
    settings = RenderOptions(source_date_epoch=EPOCH, **options)  # type: ignore[arg-type]
    PdfBackend().write(work, path, settings)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return Rendered(path, text.split("\f")[:-1])


def outline(path: Path) -> list[tuple[str, int | None]]:
    reader = pypdf.PdfReader(path)
    entries = []
    for entry in reader.outline:
        assert not isinstance(entry, list)
        entries.append((str(entry.title), reader.get_destination_page_number(entry)))
    return entries


def destinations(path: Path) -> dict[str, tuple[int | None, list[object]]]:
    """Named destination → (page index, the /XYZ coordinates)."""
    reader = pypdf.PdfReader(path)
    found: dict[str, tuple[int | None, list[object]]] = {}
    for name, dest in reader.named_destinations.items():
        found[name] = (reader.get_destination_page_number(dest), [dest.left, dest.top])
    return found


def links(path: Path) -> list[tuple[int, str, list[float]]]:
    """(page, URI or destination name, rectangle) of every link annotation."""
    found = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                target = str(annotation.A.URI) if "/A" in annotation else str(annotation.Dest)
                rect = [round(float(value), 2) for value in annotation.Rect]
                found.append((index, target, rect))
    return found


def fonts(path: Path) -> set[tuple[str, str, str]]:
    """(name without subset tag, embedded, subset) of every font pdffonts lists."""
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    found = set()
    for line in lines:
        fields = line.split()
        name = fields[0].split("+", 1)[-1]
        # emb and sub are the 3rd and 2nd last columns but one: ... emb sub uni object ID
        found.add((name, fields[-5], fields[-4]))
    return found


@pytest.fixture(scope="module", autouse=True)
def small_groups() -> Iterator[None]:
    """Split the small test books finely (in real use a run is worth a process from ~15 pages)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parallel, "MIN_GROUP_CHARS", 10_000)
        yield


@pytest.fixture(scope="module")
def work() -> Work:
    return big_work()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf-parallel")


@pytest.fixture(scope="module")
def single(work: Work, folder: Path) -> Rendered:
    return render(work, folder / "k1.pdf")


@pytest.fixture(scope="module")
def two(work: Work, folder: Path) -> Rendered:
    return render(work, folder / "k2.pdf", pdf_jobs=2)


@pytest.fixture(scope="module")
def three(work: Work, folder: Path) -> Rendered:
    return render(work, folder / "k3.pdf", pdf_jobs=3)


# ---- the split itself ---------------------------------------------------------------------


def test_the_work_is_really_split(work: Work) -> None:
    """Guard the guard: the test work must be big enough to be cut into three groups."""
    groups = pdf_parallel.split_chapters(work.chapters, 3)
    assert len(groups) == 3
    assert [c.number for group in groups for c in group] == list(range(1, 10))


def test_split_keeps_order_and_balances_text() -> None:
    chapters = [Chapter(number=n, title=None, body=Markup("x" * 30_000)) for n in range(1, 11)]
    groups = pdf_parallel.split_chapters(chapters, 2)
    assert [c.number for c in groups[0]] == [1, 2, 3, 4, 5]
    assert [c.number for c in groups[1]] == [6, 7, 8, 9, 10]
    # Never more groups than chapters, and a short book is not split at all.
    assert len(pdf_parallel.split_chapters(chapters[:2], 8)) == 2
    short = [Chapter(number=n, title=None, body=Markup("x" * 1000)) for n in range(1, 5)]
    assert len(pdf_parallel.split_chapters(short, 4)) == 1


def test_job_count() -> None:
    assert pdf_parallel.job_count(3) == 3
    assert pdf_parallel.job_count(0, cpus=2) == 2
    assert pdf_parallel.job_count(0, cpus=64) == pdf_parallel.MAX_AUTO_JOBS
    assert pdf_parallel.job_count(6, cpus=2) == 6
    assert pdf_parallel.job_count(0) >= 1


def test_what_keeps_a_book_in_one_process(work: Work, tmp_path: Path) -> None:
    assert pdf_parallel.parallel_blocker(work, RenderOptions()) is None
    assert pdf_parallel.parallel_blocker(work, RenderOptions(pdf_ua=True)) is not None
    assert pdf_parallel.parallel_blocker(work, RenderOptions(css=(tmp_path / "a.css",)))
    assert pdf_parallel.parallel_blocker(dataclasses.replace(work, language="ar"), RenderOptions())
    repeated = dataclasses.replace(work, chapters=work.chapters[:2] * 2)
    assert pdf_parallel.parallel_blocker(repeated, RenderOptions()) is not None


# ---- two and three processes make the one-process book -------------------------------------


@pytest.mark.parametrize("jobs", [2, 3])
def test_every_page_reads_the_same(
    jobs: int, single: Rendered, two: Rendered, three: Rendered
) -> None:
    parallel = two if jobs == 2 else three
    assert 30 <= len(single.pages) <= 60, "the test work should fill a few dozen pages"
    assert len(parallel.pages) == len(single.pages)
    for number, (expected, actual) in enumerate(zip(single.pages, parallel.pages, strict=True)):
        assert actual == expected, f"page {number + 1} differs"


def test_folios_blank_versos_and_contents_are_there(single: Rendered) -> None:
    """What the comparison covers: the one-process book has all of these."""
    blanks = [index for index, page in enumerate(single.pages) if not page.strip()]
    assert len(blanks) >= 2
    folios = [page.strip().splitlines()[-1].strip() for page in single.pages if page.strip()]
    assert any(re.fullmatch(r"\d+", folio) for folio in folios)
    contents = next(page for page in single.pages if "Contents" in page)
    assert re.search(r"Part 9 [. ]+\d+", contents)
    assert has_text(contents, "Appendix: All Tags")


@pytest.mark.parametrize("jobs", [2, 3])
def test_outline_destinations_and_links_match(
    jobs: int, single: Rendered, two: Rendered, three: Rendered
) -> None:
    parallel = two if jobs == 2 else three
    assert outline(parallel.path) == outline(single.path)
    assert len(outline(single.path)) == 2 + 9 + 2  # title, tags, chapters, afterword, appendix
    assert destinations(parallel.path) == destinations(single.path)
    assert sorted(links(parallel.path)) == sorted(links(single.path))
    assert sum("example.org" in target for _, target, _ in links(single.path)) == 9


def test_metadata_match(single: Rendered, two: Rendered) -> None:
    one, other = pypdf.PdfReader(single.path), pypdf.PdfReader(two.path)
    assert other.metadata == one.metadata
    assert other.metadata is not None and other.metadata.title == "A Test Work"
    with pikepdf.open(single.path) as a, pikepdf.open(two.path) as b:
        assert str(b.Root.Lang) == str(a.Root.Lang) == "en"
        assert a.pdf_version == b.pdf_version
        assert [page.mediabox for page in a.pages] == [page.mediabox for page in b.pages]


def test_fonts_are_embedded_and_subset(single: Rendered, two: Rendered) -> None:
    assert fonts(two.path) == fonts(single.path)
    assert all(embedded == "yes" and subset == "yes" for _, embedded, subset in fonts(two.path))


def test_rebuilds_are_byte_identical(work: Work, two: Rendered, folder: Path) -> None:
    again = render(work, folder / "k2-again.pdf", pdf_jobs=2)
    assert again.data == two.data


@pytest.mark.parametrize("who", ["worker", "first group"])
def test_front_matter_is_the_same_whoever_renders_it(
    work: Work, two: Rendered, folder: Path, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever process renders the front matter, the book is the same byte for byte."""
    original = pdf_parallel.PageCounts.claim_front
    name = who.replace(" ", "-")
    # The claim happens in a forked process: it leaves a note in a file.
    note = folder / f"claimed-{name}"
    note.unlink(missing_ok=True)

    def only(counts: pdf_parallel.PageCounts) -> bool:
        # Pool workers have a multiprocessing parent; the process of the first group has not.
        in_worker = multiprocessing.parent_process() is not None
        if in_worker != (who == "worker") or not original(counts):
            return False
        note.write_text(who)
        return True

    monkeypatch.setattr(pdf_parallel.PageCounts, "claim_front", only)
    forced = render(work, folder / f"k2-front-{name}.pdf", pdf_jobs=2)
    assert note.read_text() == who
    assert forced.data == two.data


def test_cover_page_is_kept(work: Work, folder: Path) -> None:
    """--pdf-cover: the cover and its blank inside page come first, the folios are unchanged."""
    one = render(work, folder / "cover1.pdf", pdf_cover=True)
    other = render(work, folder / "cover2.pdf", pdf_cover=True, pdf_jobs=2)
    assert other.pages == one.pages
    assert outline(other.path) == outline(one.path)


def test_one_job_is_the_default_code_path(work: Work, single: Rendered, folder: Path) -> None:
    """A blocked configuration (--pdf-ua) renders exactly as with one process."""
    ua_single = render(work, folder / "ua1.pdf", pdf_ua=True)
    ua_two = render(work, folder / "ua2.pdf", pdf_ua=True, pdf_jobs=2)
    assert ua_two.data == ua_single.data


# ---- limits ----------------------------------------------------------------------------------


def _session_processes() -> set[int]:
    """Live (not zombie) forks of this test process: same session, same command line."""
    session = os.getsid(0)
    command = Path("/proc/self/cmdline").read_bytes()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            same = (entry / "cmdline").read_bytes() == command
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if same and fields[0] != "Z" and int(fields[3]) == session:
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_timeout_stops_every_worker(tmp_path: Path) -> None:
    # About 200,000 words: far more than any machine lays out in the half second allowed.
    base = big_work()
    chapters = tuple(
        dataclasses.replace(chapter, body=chapter_body(chapter.number, 400))
        for chapter in base.chapters
    )
    work = dataclasses.replace(base, chapters=chapters)
    before = _session_processes()
    with pytest.raises(RenderError, match="--timeout"):
        render(work, tmp_path / "slow.pdf", pdf_jobs=2, timeout=0.5)
    # The workers notice that their parent was killed (within half a second); the generous
    # bound only keeps a broken build from hanging the suite.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        left = _session_processes() - before - {os.getpid()}
        if not left:
            break
        time.sleep(0.1)
    assert not left


def test_cli_refuses_a_negative_job_count(tmp_path: Path) -> None:
    source = tmp_path / "work.txt"
    source.write_text("Title: A\nAuthor: b\n\nText.\n", encoding="utf-8")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "fic2book", "convert", str(source), "--to", "pdf"),
            *("-o", str(tmp_path / "a.pdf"), "--pdf-jobs", "-1"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "--pdf-jobs" in result.stderr
