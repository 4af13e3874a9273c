"""Accessibility: covers in the EPUB, Ace by DAISY on real books, and ``--pdf-ua``.

Ace (``@daisy/ace-cli`` with Chromium) is found in ``.ace/`` (``scripts/setup.sh`` installs
it there when ``CI=true`` or ``FIC2BOOK_ACE=1``), on ``PATH`` or through ``FIC2BOOK_ACE_CLI``.
Without it the Ace tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from fic2book.backends.pdf import PdfBackend, weasyprint_options
from fic2book.cover import COVER_SIZE
from fic2book.errors import BackendUnavailableError
from fic2book.options import RenderOptions
from tests.backends.conftest import SEED, Book, input_files, read_input
from tests.conftest import ROOT, make_work
from tests.epubcheck import must_validate

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

#: Books Ace checks: the samples and books with pictures (embedded images, a reader's cover).
ACE_BOOKS = [*(path.stem for path in input_files() if path != SEED), "assets", "own-cover"]


class Package:
    """An EPUB's package document and files, read with zipfile and lxml."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.opf = etree.fromstring(self.zip.read("EPUB/content.opf"))

    def xpath(self, query: str) -> list[str]:
        return [str(item) for item in self.opf.xpath(query, namespaces=OPF)]

    def meta(self, prop: str) -> list[str]:
        return self.xpath(f"//opf:meta[@property='{prop}']/text()")

    def document(self, href: str) -> etree._Element:
        return etree.fromstring(self.zip.read(f"EPUB/{href}"))


# ---- covers in the EPUB -----------------------------------------------------------------------


def test_generated_cover_is_the_cover_image_and_the_first_page(
    epub_books: dict[str, Book],
) -> None:
    package = Package(epub_books["make-work"].path)
    (href,) = package.xpath("//opf:item[@properties='cover-image']/@href")
    assert href == "cover.jpg"
    assert package.xpath("//opf:meta[@name='cover']/@content") == ["cover-img"]
    image = Image.open(io.BytesIO(package.zip.read(f"EPUB/{href}")))
    assert (image.format, image.size) == ("JPEG", COVER_SIZE)
    # First in the spine and linear, so readers open on it (and EPUBCheck's OPF-096 holds).
    assert package.xpath("//opf:spine/opf:itemref[1]/@idref") == ["cover"]
    assert package.xpath("//opf:itemref[@idref='cover']/@linear") in ([], ["yes"])
    page = package.document("cover.xhtml")
    assert page.get("lang") == "en" and page.get("{http://www.w3.org/XML/1998/namespace}lang")
    (img,) = page.xpath("//x:img", namespaces=XHTML)
    assert img.get("src") == "cover.jpg"
    assert img.get("alt") == "Cover: A Test Work by alpha and Beta Pseud (beta)"
    assert img.get(EPUB_TYPE) == "cover" and img.get("role") == "doc-cover"
    # The cover is not a contents entry (it is a landmark, in the hidden landmarks list).
    nav = package.document("nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=XHTML)
    assert toc and "cover.xhtml" not in toc
    marks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@href", namespaces=XHTML)
    assert "cover.xhtml" in marks


def test_cover_page_follows_the_work_language(epub_books: dict[str, Book]) -> None:
    page = Package(epub_books["russian"].path).document("cover.xhtml")
    assert page.get("lang") == "ru"
    (img,) = page.xpath("//x:img", namespaces=XHTML)
    assert img.get("alt") == "Обложка: Белые ночи, автор: Фёдор"  # in Russian too


def test_own_cover_is_used_as_it_is(epub_books: dict[str, Book]) -> None:
    book = epub_books["own-cover"]
    package = Package(book.path)
    (href,) = package.xpath("//opf:item[@properties='cover-image']/@href")
    assert href == "cover.jpg"
    assert package.xpath("//opf:item[@href='cover.jpg']/@media-type") == ["image/jpeg"]
    picture = book.path.with_name("own-cover.jpg")
    assert package.zip.read("EPUB/cover.jpg") == picture.read_bytes()


def test_no_cover_means_no_image_and_textual_only(epub_books: dict[str, Book]) -> None:
    package = Package(epub_books["no-cover"].path)
    assert not package.xpath("//opf:item[@properties='cover-image']")
    assert not package.xpath("//opf:meta[@name='cover']")
    assert "cover" not in package.xpath("//opf:itemref/@idref")
    assert package.meta("schema:accessMode") == ["textual"]
    assert "alternativeText" not in package.meta("schema:accessibilityFeature")


def test_accessibility_metadata_is_complete(epub_books: dict[str, Book]) -> None:
    package = Package(epub_books["assets"].path)
    assert package.meta("schema:accessMode") == ["textual", "visual"]
    assert package.meta("schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" in package.meta("schema:accessibilityFeature")
    assert package.meta("schema:accessibilityHazard") == ["none"]
    assert package.meta("schema:accessibilitySummary")
    assert package.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_every_image_has_alt_text(epub_books: dict[str, Book]) -> None:
    for book in epub_books.values():
        package = Package(book.path)
        for href in package.xpath("//opf:item[@media-type='application/xhtml+xml']/@href"):
            for img in package.document(href).xpath("//x:img", namespaces=XHTML):
                assert img.get("alt") is not None, (book.name, href)


def test_undescribed_image_gets_empty_alt_and_no_alternative_text_claim(tmp_path: Path) -> None:
    from fic2book.backends.epub import EpubBackend
    from fic2book.html.sanitize import clean_html
    from fic2book.model import Asset, Chapter
    from tests.backends.conftest import png_bytes

    body = clean_html('<p><img src="images/x.png"></p>')
    assert 'alt=""' in str(body)
    work = make_work(
        chapters=(Chapter(number=1, title="Pictures", body=body),),
        assets=(Asset("images/x.png", "image/png", png_bytes()),),
    )
    EpubBackend().write(work, tmp_path / "x.epub", RenderOptions())
    package = Package(tmp_path / "x.epub")
    assert package.meta("schema:accessMode") == ["textual", "visual"]
    assert "alternativeText" not in package.meta("schema:accessibilityFeature")


# ---- Ace by DAISY -----------------------------------------------------------------------------


def ace_command() -> list[str] | None:
    """The ace-cli command, or ``None`` when Ace or Chromium is missing."""
    if shutil.which("chromium") is None and not os.environ.get("PUPPETEER_EXECUTABLE_PATH"):
        return None
    configured = os.environ.get("FIC2BOOK_ACE_CLI")
    for candidate in (configured, str(ROOT / ".ace/node_modules/.bin/ace-cli"), "ace-cli"):
        if candidate and (found := shutil.which(candidate)):
            return [found]
    return None


@pytest.fixture(scope="module")
def ace() -> list[str]:
    command = ace_command()
    if command is None:
        if must_validate() or os.environ.get("FIC2BOOK_ACE") == "1":
            pytest.fail("Ace (.ace/ or ace-cli on PATH) and chromium are required in CI")
        pytest.skip("Ace by DAISY is not installed (FIC2BOOK_ACE=1 bash scripts/setup.sh)")
    return command


def run_ace(command: list[str], book: Path, out: Path) -> dict[str, Any]:
    """Run Ace on ``book``; return its report (``-E``: exit 2 when it finds violations)."""
    env = dict(os.environ)
    env.setdefault("PUPPETEER_EXECUTABLE_PATH", shutil.which("chromium") or "chromium")
    # Chromium puts its singleton socket in TMPDIR and stops when that path is longer than a
    # Unix socket allows (108 bytes): give it a short one whatever the suite's TMPDIR is.
    with tempfile.TemporaryDirectory(dir="/tmp" if os.path.isdir("/tmp") else None) as short:
        done = subprocess.run(
            [*command, "-s", "-E", "-f", "-o", str(out), str(book)],
            capture_output=True,
            text=True,
            env={**env, "TMPDIR": short},
            timeout=300,
        )
    report_file = out / "report.json"
    assert report_file.is_file(), f"Ace wrote no report: {done.stdout}{done.stderr}"
    report: dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
    report["_exit_code"] = done.returncode
    return report


def violations(report: dict[str, Any]) -> list[str]:
    found = []
    for document in report.get("assertions", []):
        for check in document.get("assertions", []):
            test = check["earl:test"]
            where = document["earl:testSubject"]["url"]
            found.append(f"{where}: {test['dct:title']} ({test['earl:impact']})")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", ACE_BOOKS)
def test_ace_finds_no_violations(
    name: str, ace: list[str], epub_books: dict[str, Book], tmp_path: Path
) -> None:
    if name not in epub_books:
        pytest.skip(f"{name}: no text reader registered yet")
    report = run_ace(ace, epub_books[name].path, tmp_path / "ace")
    assert violations(report) == []
    assert report["earl:result"] == {"earl:outcome": "pass"}
    assert report["_exit_code"] == 0


@pytest.mark.slow
def test_ace_catches_a_missing_alt(
    ace: list[str], epub_books: dict[str, Book], tmp_path: Path
) -> None:
    # The check can fail: strip the cover's alt text and Ace must complain (exit 2 with -E).
    source = epub_books["make-work"].path
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("cover.xhtml"):
                data = re.sub(rb' alt="[^"]*"', b"", data)
            dst.writestr(info, data)
    report = run_ace(ace, broken, tmp_path / "ace")
    assert any("alt" in v.lower() or "image" in v.lower() for v in violations(report))
    assert report["_exit_code"] == 2


# ---- PDF/UA -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ua_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdfinfo") is None:
        pytest.skip("needs poppler-utils (pdfinfo)")
    work = read_input(input_files()[-1])
    target = tmp_path_factory.mktemp("ua") / "book.pdf"
    PdfBackend().write(work, target, RenderOptions(pdf_ua=True, pdf_cover=True))
    return target


def test_pdf_ua_is_tagged_with_language_and_title_shown(ua_pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", str(ua_pdf)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    with pikepdf.open(ua_pdf) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked)
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == "en"
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo.Title).strip()
        with pdf.open_metadata() as xmp:
            assert str(xmp.get("pdfuaid:part")) == "1"


def test_pdf_ua_cover_figure_has_alt_text(ua_pdf: Path) -> None:
    alts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/Alt" in node:
                alts.append(str(node.Alt))
            if "/K" in node:
                walk(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(ua_pdf) as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert len(alts) == 1 and alts[0].startswith("Cover: ")


def test_pdf_without_ua_is_not_tagged(tmp_path: Path) -> None:
    options = weasyprint_options(
        RenderOptions(), {"presentational_hints", "attachments", "custom_metadata", "pdf_variant"}
    )
    assert "pdf_variant" not in options
    assert (
        weasyprint_options(RenderOptions(pdf_ua=True), options.keys() | {"pdf_variant"})[
            "pdf_variant"
        ]
        == "pdf/ua-1"
    )


def test_unknown_weasyprint_option_is_an_error_not_a_silent_skip() -> None:
    with pytest.raises(BackendUnavailableError, match="pdf_variant"):
        weasyprint_options(
            RenderOptions(pdf_ua=True), {"presentational_hints", "attachments", "custom_metadata"}
        )
