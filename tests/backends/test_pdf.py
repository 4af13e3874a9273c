"""The PDF backend, checked on real WeasyPrint output with pypdf, pikepdf and poppler.

Rendering costs about half a second per small book, so each book is rendered once per module
and many facts are asserted on it.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
from markupsafe import Markup

from fic2book.backends import backend_for, backend_for_path
from fic2book.backends.pdf import PdfBackend, document_date
from fic2book.errors import RenderError
from fic2book.html.sanitize import clean_html, paragraphs
from fic2book.model import Asset, Chapter, Work
from fic2book.options import RenderOptions
from fic2book.pagesize import PageSize, page_geometry
from tests.backends.conftest import SEED, png_bytes, read_input
from tests.conftest import ROOT, make_work
from tests.textract import has_text, unwrapped
from tests.unit.test_fetch import RecordingServer

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="needs poppler-utils (pdftotext, pdffonts)",
)

SECRET = "SECRET-CANARY-5be1c0de"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z

#: Distinct paragraphs long enough to fill several A5 pages, so chapter 1 has running heads.
LONG_PARAGRAPHS = [
    f"Paragraph {n} of the long chapter. The signal tower kept its lamps trimmed through the "
    "winter, and the keepers argued about the weather, the tides and the proper way to fold "
    "a flag, as keepers always have, while the harbour went about its business below them. "
    "Nobody in the town admitted to reading the flags, and everybody did."
    for n in range(1, 31)
]

#: Long words on a narrow page: lines must break inside words.
HYPHENATION_TEXT = (
    "Incomprehensibilities notwithstanding, the extraordinarily conscientious "
    "telecommunications representatives characteristically misunderstood the "
    "interdisciplinary internationalisation of uncharacteristically straightforward "
    "responsibilities. " * 4
)


# ---- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pdf:
    """A rendered book and what the tools say about it."""

    work: Work
    path: Path
    #: pdftotext -layout, one string per page.
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def outline(self) -> list[tuple[str, int]]:
        """(title, 0-based page index) of every top-level outline entry."""
        reader = pypdf.PdfReader(self.path)
        entries = []
        for entry in reader.outline:
            assert not isinstance(entry, list), "only top-level entries are expected"
            page = reader.get_destination_page_number(entry)
            assert entry.title is not None and page is not None
            entries.append((entry.title, page))
        return entries


def render(work: Work, path: Path, **options: object) -> Pdf:
    PdfBackend().write(work, path, RenderOptions(**options))  # type: ignore[arg-type]
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return Pdf(work, path, result.stdout.split("\f")[:-1])


def reading_text(pdf: Pdf) -> str:
    """Return the pages' text without folios and running heads, so paragraphs read across pages."""
    openers = set(chapter_starts(pdf).values())
    story_start = min(openers, default=len(pdf.pages))
    kept: list[str] = []
    for index, page in enumerate(pdf.pages):
        page_lines = lines(page)
        if page_lines and re.fullmatch(r"\d+|[ivxlc]+", page_lines[-1]):
            page_lines = page_lines[:-1]
        if page_lines and index > story_start and index not in openers:
            page_lines = page_lines[1:]
        kept.extend(page_lines)
    return "\n".join(kept)


def lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def roman(number: int) -> str:
    values = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in values:
        while number >= value:
            out += letters
            number -= value
    return out


def page_size(path: Path, index: int = 0) -> tuple[float, float]:
    box = pypdf.PdfReader(path).pages[index].mediabox
    return float(box.width), float(box.height)


def all_stream_bytes(path: Path) -> bytes:
    with pikepdf.open(path) as pdf:
        return b"".join(obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream))


def image_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return sum(
            1
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        )


def assert_no_attachments(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert dict(pdf.attachments) == {}
        names = pdf.Root.get("/Names")
        assert names is None or "/EmbeddedFiles" not in names
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                assert annot.get("/Subtype") != "/FileAttachment"
                assert "/FS" not in annot


# ---- works --------------------------------------------------------------------------------


def rich_work() -> Work:
    """make_work() with a long first chapter and an embedded image in the second."""
    base = make_work()
    first, second = base.chapters
    return dataclasses.replace(
        base,
        chapters=(
            dataclasses.replace(first, body=first.body + paragraphs(LONG_PARAGRAPHS)),
            dataclasses.replace(
                second,
                body=second.body
                + clean_html('<p><img src="images/map.png" alt="A map of the harbour"/></p>'),
            ),
        ),
        assets=(Asset("images/map.png", "image/png", png_bytes(40, 30)),),
    )


def hostile_work(server_url: str, secret: Path) -> Work:
    """Markup built directly, bypassing the sanitiser, so the fetcher is the only defence."""
    secret_url = secret.as_uri()
    data_png = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    # Deliberately unsanitised hostile input.
    body = Markup(
        "<p>Hostile chapter text.</p>"
        f'<img src="{server_url}/x.png" alt="remote">'
        f'<a rel="attachment" href="{secret_url}">attach-secret</a>'
        '<a rel="attachment" href="images/map.png">attach-asset</a>'
        f'<link rel="attachment" href="{secret_url}">'
        f'<link rel="stylesheet" href="{server_url}/linked.css">'
        f'<style>@import url("{server_url}/imported.css");'
        f" .body {{ border-image: url({server_url}/border) }}</style>"
        f'<p style="background:url({server_url}/y)">Styled paragraph.</p>'
        f'<img src="{secret_url}" alt="local file">'
        f'<img src="../../../../{secret.relative_to(secret.anchor)}" alt="climbing">'
        f'<object data="{server_url}/object"></object><embed src="{server_url}/embed">'
        f'<iframe src="{server_url}/iframe"></iframe>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        f'<image href="{server_url}/svg-image" width="10" height="10"/></svg>'
        f'<p><img src="{data_png}" alt="inline data image"></p>'
    )
    return make_work(
        title=f'Evil <link rel="attachment" href="{secret_url}">',
        chapters=(Chapter(number=1, title="Trouble", body=body),),
        assets=(Asset("images/map.png", "image/png", png_bytes()),),
    )


def hostile_css(server_url: str, secret: Path) -> str:
    return (
        f'@import url("{secret.as_uri()}");\n'
        f'@import url("{server_url}/import.css");\n'
        f"@font-face {{ font-family: Evil; src: url({server_url}/font.ttf) }}\n"
        f"body {{ background: url(http://127.0.0.1:{server_url.rsplit(':', 1)[1]}/z) }}\n"
        f".chapter p {{ font-family: Evil, serif }}\n"
        f'.title-page::before {{ content: url("{secret.as_uri()}") }}\n'
        f'.chapter::after {{ content: url("{server_url}/content") }}\n'
        # Proof that the sheet was applied at all, so "nothing was fetched" means something.
        '.title-page .title::after { content: " [user css applied]" }\n'
    )


# ---- fixtures -----------------------------------------------------------------------------


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def rich(out_dir: Path) -> Pdf:
    return render(rich_work(), out_dir / "rich.pdf")


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Hostile:
    pdf: Pdf
    server: RecordingServer
    warnings: list[str]


@pytest.fixture(scope="module")
def hostile(out_dir: Path, server: RecordingServer) -> Hostile:
    secret = out_dir / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    css = out_dir / "user.css"
    css.write_text(hostile_css(server.url, secret), encoding="utf-8")
    handler = _ListHandler()
    logger = logging.getLogger("fic2book.fetch")
    logger.addHandler(handler)
    try:
        pdf = render(
            hostile_work(server.url, secret),
            out_dir / "hostile.pdf",
            page_size="6x9in",
            css=(css,),
        )
    finally:
        logger.removeHandler(handler)
    return Hostile(pdf, server, handler.messages)


@pytest.fixture(scope="module")
def narrow(out_dir: Path) -> Pdf:
    work = make_work(
        chapters=(Chapter(number=1, title="Long Words", body=paragraphs([HYPHENATION_TEXT])),)
    )
    return render(work, out_dir / "narrow.pdf", page_size="80x125mm")


@pytest.fixture(scope="module")
def oneshot(out_dir: Path) -> Pdf:
    work = Work(
        title="Untagged",
        authors=("solo",),
        language="en",
        chapters=(Chapter(number=1, title=None, body=paragraphs(["Only words here."])),),
        chaptered=False,
    )
    return render(work, out_dir / "oneshot.pdf", page_size="5x8in", source_date_epoch=EPOCH)


# ---- the rich book ------------------------------------------------------------------------


def test_is_a_pdf(rich: Pdf) -> None:
    assert rich.path.read_bytes()[:5] == b"%PDF-"
    assert len(rich.pages) == len(pypdf.PdfReader(rich.path).pages)


def test_default_page_size_is_a5(rich: Pdf) -> None:
    assert page_size(rich.path) == pytest.approx((419.53, 595.28), abs=0.1)


def test_fonts_are_embedded_and_subset(rich: Pdf) -> None:
    out = subprocess.run(
        ["pdffonts", str(rich.path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows
    for row in rows:
        emb, sub, uni = row[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", row[0]), row  # the subset tag


def test_body_font_is_a_book_serif(rich: Pdf) -> None:
    out = subprocess.run(["pdffonts", str(rich.path)], capture_output=True, text=True).stdout
    assert "Noto-Serif" in out or "DejaVu-Serif" in out


def test_outline_has_one_entry_per_chapter_at_its_page(rich: Pdf) -> None:
    outline = rich.outline()
    titles = [title for title, _ in outline]
    assert titles == [
        "A Test Work",
        "Tag Summary",
        "Chapter 1: The Beginning",
        "Chapter 2",
        "Afterword",
    ]
    assert "Contents" not in titles
    for title, index in outline[2:]:
        assert lines(rich.pages[index])[0] == title


def chapter_starts(pdf: Pdf) -> dict[str, int]:
    """Outline title → 0-based page index of the chapters and the afterword.

    The first two outline entries are the title page and the tag summary.
    """
    outline = pdf.outline()
    assert [title for title, _ in outline[:2]] == [pdf.work.title, "Tag Summary"]
    return dict(outline[2:])


def test_chapters_open_on_right_hand_pages(rich: Pdf) -> None:
    for title, index in chapter_starts(rich).items():
        assert (index + 1) % 2 == 1, f"{title} opens on page {index + 1}"


def test_printed_contents_match_the_real_pages(rich: Pdf) -> None:
    starts = chapter_starts(rich)
    first = starts["Chapter 1: The Beginning"]
    contents = next(page for page in rich.pages if "Contents" in page)
    printed = {
        match["title"].strip(): int(match["page"])
        for match in re.finditer(
            r"^\s*(?P<title>(?:Chapter \d+|Afterword)[^\n]*?)[\s.]*?\s(?P<page>\d+)\s*$",
            contents,
            re.MULTILINE,
        )
    }
    assert printed == {title: index - first + 1 for title, index in starts.items()}
    # And the folio printed on each opener says the same.
    for title, index in starts.items():
        assert lines(rich.pages[index])[-1] == str(printed[title])


def test_front_matter_is_numbered_in_roman(rich: Pdf) -> None:
    first = chapter_starts(rich)["Chapter 1: The Beginning"]
    assert first >= 3
    title_page = lines(rich.pages[0])
    assert title_page[0] == "A Test Work"
    assert title_page[-1] != "i"  # no folio on the title page
    for index in range(1, first):
        # The half title and the title page (both start with the title) carry no folio.
        if rich.pages[index].strip() and lines(rich.pages[index])[0] != "A Test Work":
            assert lines(rich.pages[index])[-1] == roman(index + 1)


def test_story_is_numbered_from_arabic_one(rich: Pdf) -> None:
    first = chapter_starts(rich)["Chapter 1: The Beginning"]
    assert lines(rich.pages[first])[-1] == "1"
    for index in range(first, len(rich.pages)):
        if rich.pages[index].strip():
            assert lines(rich.pages[index])[-1] == str(index - first + 1)


def test_blank_versos_are_empty_and_only_before_openers(rich: Pdf) -> None:
    openers = set(chapter_starts(rich).values())
    # The title page and the contents open on rectos too (after the half title, the tags).
    openers |= {
        index
        for index, page in enumerate(rich.pages)
        if page.strip() and lines(page)[0] in ("A Test Work", "Contents")
    }
    blanks = [index for index, page in enumerate(rich.pages) if not page.strip()]
    assert blanks, "expected at least one blank verso in this book"
    for index in blanks:
        assert index + 1 in openers
        assert index % 2 == 1  # a verso


def test_running_heads(rich: Pdf) -> None:
    start = chapter_starts(rich)["Chapter 1: The Beginning"]
    opener, verso, recto = (lines(rich.pages[start + k]) for k in range(3))
    # Openers: the chapter heading once (the heading itself), no running head.
    assert opener[0] == "Chapter 1: The Beginning"
    assert "\n".join(opener).count("Chapter 1: The Beginning") == 1
    assert "A Test Work" not in opener
    # Versos carry the work's title, rectos the chapter heading.
    assert verso[0] == "A Test Work"
    assert recto[0] == "Chapter 1: The Beginning"
    for title, index in chapter_starts(rich).items():
        assert "\n".join(lines(rich.pages[index])).count(title) == 1


def test_document_information(rich: Pdf) -> None:
    work = rich.work
    with pikepdf.open(rich.path) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == work.title
        assert str(info["/Author"]) == "alpha, Beta Pseud (beta)"
        assert str(info["/Keywords"]) == ", ".join(work.all_tags)
        assert str(info["/Subject"]) == "The work's summary."
        assert str(info["/Creator"]) == "fic2book"
        # No SOURCE_DATE_EPOCH: the work's last revision (updated 2024-02-03).
        assert str(info["/CreationDate"]) == "D:20240203000000Z"
        assert str(info["/ModDate"]) == "D:20240203000000Z"
        assert str(pdf.Root["/Lang"]) == "en"


def test_every_field_and_paragraph_is_printed(rich: Pdf) -> None:
    work = rich.work
    text = unwrapped(reading_text(rich))
    expected = [
        work.title,
        *work.authors,
        *work.all_tags,
        "English",
        "The Series",
        "An Exchange",
        "2024-01-02",
        "2024-02-03",
        "2/?",
        "In Progress",
        "123456",
        "https://archiveofourown.org/works/123456",
        "The work's summary.",
        "The work's notes.",
        "The work's end notes.",
        "Chapter one summary.",
        "Chapter one notes.",
        "Chapter one end notes.",
        "First chapter, first paragraph.",
        "It goes on a little.",
        "After the break.",
        "Second chapter text.",
        *LONG_PARAGRAPHS,
    ]
    missing = [item for item in expected if unwrapped(item) not in text]
    assert missing == []


def test_asset_image_is_embedded(rich: Pdf) -> None:
    assert image_count(rich.path) == 1


def test_no_attachments(rich: Pdf) -> None:
    assert_no_attachments(rich.path)


def test_rebuild_is_byte_identical(rich: Pdf, out_dir: Path) -> None:
    again = out_dir / "rich-again.pdf"
    PdfBackend().write(rich.work, again, RenderOptions())
    assert again.read_bytes() == rich.path.read_bytes()


# ---- hostile input ------------------------------------------------------------------------


def test_hostile_book_made_no_requests(hostile: Hostile) -> None:
    assert hostile.server.requests == []


def test_hostile_book_was_rendered_with_the_user_css(hostile: Hostile) -> None:
    # The title holds a temporary path, so where its lines break depends on the path's length.
    assert has_text(hostile.pdf.text, "Hostile chapter text.")
    assert has_text(hostile.pdf.text, "[user css applied]")
    assert page_size(hostile.pdf.path) == pytest.approx((432, 648), abs=0.1)


def test_hostile_book_embeds_nothing_it_should_not(hostile: Hostile) -> None:
    assert_no_attachments(hostile.pdf.path)
    assert not has_text(hostile.pdf.text, SECRET)
    assert SECRET.encode() not in all_stream_bytes(hostile.pdf.path)
    # Only the data: image; the remote, local-file and escaping ones were refused.
    assert image_count(hostile.pdf.path) == 1


def test_hostile_title_is_escaped_text(hostile: Hostile) -> None:
    with pikepdf.open(hostile.pdf.path) as pdf:
        assert str(pdf.docinfo["/Title"]) == hostile.pdf.work.title


def test_refusals_were_logged(hostile: Hostile, server: RecordingServer) -> None:
    refused = "\n".join(hostile.warnings)
    for path in ("/x.png", "/y", "/z", "/import.css", "/imported.css", "/font.ttf", "/content"):
        assert f"{server.url}{path}" in refused, path
    assert "secret.txt" in refused


# ---- other page sizes, hyphenation, one-shots ---------------------------------------------


def test_custom_page_size_in_millimetres(narrow: Pdf) -> None:
    assert page_size(narrow.path) == pytest.approx((80 / 25.4 * 72, 125 / 25.4 * 72), abs=0.1)


def test_long_words_are_hyphenated(narrow: Pdf) -> None:
    assert "\u2010" in narrow.text
    assert unwrapped(HYPHENATION_TEXT) in unwrapped(reading_text(narrow))


def test_one_shot_has_no_contents_but_an_outline_entry(oneshot: Pdf) -> None:
    assert page_size(oneshot.path) == pytest.approx((360, 576), abs=0.1)
    assert "Contents" not in oneshot.text
    outline = oneshot.outline()
    assert ("Untagged", 2) in outline  # the title page, after the half title and a blank
    story = [index for title, index in outline if title == "Untagged" and index > 2]
    assert len(story) == 1
    assert has_text(oneshot.pages[story[0]], "Only words here.")
    assert lines(oneshot.pages[story[0]])[-1] == "1"


def test_source_date_epoch_fixes_the_dates(oneshot: Pdf, out_dir: Path) -> None:
    with pikepdf.open(oneshot.path) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20231114221320Z"
        assert str(pdf.docinfo["/ModDate"]) == "D:20231114221320Z"
    again = out_dir / "oneshot-again.pdf"
    PdfBackend().write(
        oneshot.work,
        again,
        RenderOptions(page_size=PageSize.parse("5x8in"), source_date_epoch=EPOCH),
    )
    assert again.read_bytes() == oneshot.path.read_bytes()


# ---- options and errors (no rendering) ----------------------------------------------------


def test_registered_under_its_name_and_suffix() -> None:
    assert isinstance(backend_for("pdf"), PdfBackend)
    assert isinstance(backend_for_path(Path("book.PDF")), PdfBackend)


def test_document_date_precedence() -> None:
    work = make_work()
    assert document_date(work, RenderOptions(source_date_epoch=0)) == "1970-01-01T00:00:00Z"
    assert document_date(work, RenderOptions()) == "2024-02-03T00:00:00Z"
    bare = dataclasses.replace(
        work, stats=dataclasses.replace(work.stats, published=None, updated=None)
    )
    assert document_date(bare, RenderOptions()) == "2000-01-01T00:00:00Z"


def test_margins_scale_with_the_page_and_leave_a_gutter() -> None:
    a5, a4 = page_geometry("a5"), page_geometry("a4")
    assert a4.outer_mm > a5.outer_mm and a4.top_mm > a5.top_mm
    for geometry in (a5, a4, page_geometry("6x9in"), page_geometry("80x125mm")):
        assert geometry.inner_mm > geometry.outer_mm
        assert "@page :right" in geometry.css() and "@page :left" in geometry.css()
    assert "size: 6in 9in;" in page_geometry("6x9in").css()


def test_missing_user_css_is_a_render_error(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    with pytest.raises(RenderError, match=r"nope\.css"):
        PdfBackend().write(make_work(), target, RenderOptions(css=(tmp_path / "nope.css",)))
    assert not target.exists()


def test_missing_pango_is_backend_unavailable(tmp_path: Path) -> None:
    # A stand-in weasyprint package that fails to import the way a missing Pango does.
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': not found\")\n"
    )
    code = (
        "from pathlib import Path\n"
        "from fic2book.backends.pdf import PdfBackend\n"
        "from fic2book.errors import BackendUnavailableError\n"
        "from fic2book.options import RenderOptions\n"
        "from tests.conftest import make_work\n"
        "try:\n"
        f"    PdfBackend().write(make_work(), Path({str(tmp_path / 'x.pdf')!r}), RenderOptions())\n"
        "except BackendUnavailableError as err:\n"
        "    print('unavailable:', err)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    assert "unavailable:" in out.stdout
    assert "libpango" in out.stdout
    assert not (tmp_path / "x.pdf").exists()


# ---- the seed work through the real reader ------------------------------------------------


def test_seed_work_renders(out_dir: Path) -> None:
    work = read_input(SEED)
    pdf = render(work, out_dir / "seed.pdf")
    assert unwrapped(pdf.pages[0]).startswith(unwrapped(work.title))
    text = unwrapped(reading_text(pdf))
    for chapter in work.chapters:
        for paragraph in re.findall(r"<p>(.*?)</p>", str(chapter.body), re.DOTALL):
            plain = html.unescape(re.sub(r"<[^>]+>", "", paragraph))
            assert unwrapped(plain) in text
    assert_no_attachments(pdf.path)
