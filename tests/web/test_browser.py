"""The page in a real headless browser: Debian's Chromium driven by Playwright.

The test starts ``fic2book serve`` itself on a free loopback port, picks a fixture with the
file input, waits for its title, picks a theme, a label language, chapter numbers and a
binder's name, previews it, makes an EPUB and a PDF, downloads both and checks them with
EPUBCheck and pdftotext (the PDF's labels in the language picked).  No network: Chromium's
background connections are switched off and the page loads only from the server.

Set ``FIC2BOOK_WEB_SCREENSHOT=docs/web.png`` to refresh the README's screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fic2book.web.server import free_port
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.web.conftest import AO3_HTML, DATA, SEED

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Error, Page

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: axe-core as Ace by DAISY ships it (installed into .ace/ by scripts/setup.sh in CI).
AXE = ROOT / ".ace" / "node_modules" / "@daisy" / "axe-core-for-ace" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Flags for a headless Chromium on a machine with no network (and as root in CI).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: What names the focused control: its id, its aria-label or its form name.
FOCUSED = """() => {
    const el = document.activeElement;
    return el.id || el.getAttribute('aria-label') || el.name || el.tagName;
}"""


@pytest.fixture
def served() -> Iterator[str]:
    """``fic2book serve`` in a child process; yields the page's URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fic2book", "serve", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/[\w-]+/", line)
        assert match, line
        yield match[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have chromium (scripts/setup.sh installs it)")
        pytest.skip("needs Debian's chromium (FIC2BOOK_ACE=1 bash scripts/setup.sh)")
    from playwright.sync_api import sync_playwright

    # Chromium puts its singleton socket in TMPDIR and stops when that path is longer than a
    # Unix socket allows (108 bytes): give it a short one whatever the suite's TMPDIR is.
    with (
        tempfile.TemporaryDirectory(dir="/tmp" if os.path.isdir("/tmp") else None) as short,
        sync_playwright() as playwright,
    ):
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "TMPDIR": short}
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _watch_problems(page: Page) -> list[str]:
    """Collect script errors and refused loads (CSP violations are console errors)."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def page_error(error: Error) -> None:
        problems.append(str(error))

    page.on("console", console)
    page.on("pageerror", page_error)
    return problems


def _check_names_and_focus(page: Page) -> None:
    """Every control has a name a screen reader can say; Tab follows the reading order."""
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button')]
            .filter((el) => !el.closest('template'))
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                            && !el.textContent.trim())
            .map((el) => el.outerHTML)"""
    )
    assert unnamed == []
    page.locator("body").focus()
    order: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    assert order.index("file-input") < order.index("Preview No Office Relations")
    assert order.index("Remove No Office Relations") < order.index("Preview Ferry Crossing")
    assert order.index("Remove Ferry Crossing") < order.index("formats")


def _check_books(books: dict[str, Path]) -> None:
    """The PDF's text layer names the work; the EPUB passes EPUBCheck."""
    text = subprocess.run(
        ["pdftotext", str(books["PDF"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "No Office Relations" in text and "movielover55" in text
    # The label language picked on the page: French labels, the binder's name on the credits.
    assert "Récapitulatif des tags" in text and "par movielover55" in text
    assert "Relié par Ana Relieuse" in text and "Tag Summary" not in text
    with zipfile.ZipFile(books["EPUB"]) as epub:  # the theme picked on the page
        assert "EPUB/styles/themes/modern/theme.css" in epub.namelist()
    require_epubcheck()
    assert failures(run_epubcheck(books["EPUB"])) == []


def test_pick_preview_convert_download(served: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems = _watch_problems(page)
    page.goto(served)

    page.set_input_files("#file-input", [str(SEED), str(AO3_HTML)])
    cards = page.locator("#files > li")
    expect(cards.nth(0).locator(".file-title")).to_have_text("No Office Relations")
    expect(cards.nth(1).locator(".file-title")).to_have_text("Ferry Crossing")
    expect(cards.nth(0).locator(".facts")).to_contain_text("movielover55")
    expect(cards.nth(0).locator(".facts")).to_contain_text("Teen And Up Audiences")
    expect(page.locator("#status")).to_contain_text("Read")
    _check_names_and_focus(page)

    page.get_by_label("PDF (print)").check()
    page.get_by_label("Modern", exact=True).check()
    # The labels' languages are the catalogs that ship; French for the book's own words.
    page.get_by_label("Language of the book's own words").select_option(
        label="French \u2014 fran\u00e7ais"
    )
    page.get_by_label("Chapter numbers").select_option("words")
    page.get_by_label("Bound by (your name on the credits page)").fill("Ana Relieuse")
    cards.nth(1).get_by_role("button", name="Preview Ferry Crossing").click()
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("body")).to_contain_text("Ferry Crossing")
    expect(frame.locator("h1.title")).to_have_css("font-family", re.compile("Noto Sans"))
    expect(page.locator("#preview-page-caption")).to_have_text("First page of the story (PDF)")
    assert page.eval_on_selector("#preview-page", "img => img.naturalWidth") > 0

    first = cards.nth(0)
    first.get_by_role("button", name="Make books of No Office Relations").click()
    expect(first.get_by_role("link", name="Download PDF")).to_be_visible(timeout=120_000)
    expect(first.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("#status")).to_contain_text("ready to download")

    books: dict[str, Path] = {}
    for fmt in ("EPUB", "PDF"):
        with page.expect_download() as info:
            first.get_by_role("link", name=f"Download {fmt}").click()
        download = info.value
        assert download.suggested_filename == f"No Office Relations - movielover55.{fmt.lower()}"
        books[fmt] = tmp_path / download.suggested_filename
        download.save_as(books[fmt])

    # In view, so Chromium paints the preview frame (it may skip offscreen frames).
    page.locator("#previews").scroll_into_view_if_needed()
    screenshot = tmp_path / "web.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    wanted = os.environ.get("FIC2BOOK_WEB_SCREENSHOT")
    if wanted:
        shutil.copyfile(screenshot, wanted)
    context.close()
    assert problems == []  # no script error, no refused resource (CSP), nothing from elsewhere
    _check_books(books)


def test_page_passes_axe(served: str, browser: object, tmp_path: Path) -> None:
    """No WCAG 2.1 A/AA violation that axe-core finds, with files read, one refused, a preview."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    if not AXE.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have axe-core (scripts/setup.sh installs Ace by DAISY)")
        pytest.skip("needs axe-core from Ace by DAISY (FIC2BOOK_ACE=1 bash scripts/setup.sh)")
    # The page's CSP refuses injected scripts, rightly; axe is injected past it here only.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(served)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\x00\x01binary")
    page.set_input_files("#file-input", [str(SEED), str(broken)])
    expect(page.locator("#files > li").nth(1).locator(".error")).to_be_visible()
    page.get_by_role("button", name="Preview No Office Relations").click()
    expect(page.locator("#preview-page-caption")).to_have_text("First page of the story (PDF)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.html)))"""
    )
    context.close()
    assert result == []


def test_drop_a_file(served: str, browser: object) -> None:
    """A file dropped on the drop zone is read like a picked one."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context()
    page = context.new_page()
    page.goto(served)
    text = (DATA / "markdown" / "full.md").read_text(encoding="utf-8")
    transfer = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], 'full.md', {type: 'text/markdown'}));
            return transfer;
        }""",
        text,
    )
    page.dispatch_event("#drop", "dragover", {"dataTransfer": transfer})
    expect(page.locator("#drop")).to_have_class("drop over")
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    expect(page.locator("#files .file-title")).to_have_text("The Cartographer's Apprentice")
    expect(page.locator("#drop")).to_have_class("drop")
    context.close()
