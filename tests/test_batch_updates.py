"""``fic2book batch`` and works in progress: a newer download updates the book already built.

The work is the AO3 fixture ``ao3-2023-wip.html`` (work 3000003, three chapters); its first
download is the same file cut to two chapters, as AO3 served it before chapter 3 was posted.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fic2book.batch import MANIFEST_NAME, BatchConfig, Summary, run_batch
from fic2book.batch.manifest import Manifest
from fic2book.cli import app
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.test_batch import FAST_FLAGS, OPTIONS, books, by_input, report_of, work_text, write

WIP = Path(__file__).parent / "data" / "ao3" / "ao3-2023-wip.html"
BOOK = "Lamplighter's Round - tallowmere"
CHAPTER_3 = (
    '<div class="meta group"><h2 class="heading">Chapter 3</h2></div>\n'
    '<div class="userstuff"><p>Dawn, and every lamp had to come down again.</p></div>\n'
)


def two_chapters() -> str:
    """The WIP as it stood before chapter 3."""
    text = WIP.read_text(encoding="utf-8")
    cut = text.replace(CHAPTER_3, "").replace("Chapters: 3/?", "Chapters: 2/?")
    assert cut.count('class="heading"') == 2
    return cut


def batch(source: Path, output: Path, **overrides: Any) -> Summary:
    settings: dict[str, Any] = {"jobs": 1, "options": OPTIONS, **overrides}
    return run_batch(BatchConfig(source, output, **settings))


def nav_entries(book: Path) -> list[str]:
    """The EPUB contents' entries, as a reader shows them."""
    with zipfile.ZipFile(book) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
    return [re.sub(r"<[^>]+>", "", entry) for entry in re.findall(r"<a [^>]*>.*?</a>", nav)]


def counts(summary: Summary) -> tuple[int, int, int, int]:
    return summary.converted, summary.updated, summary.skipped, summary.failed


def test_renamed_newer_download_updates_the_same_book(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    assert counts(batch(lib, out)) == (1, 0, 0, 0)
    assert books(out) == [f"{BOOK}.epub"]
    first = nav_entries(out / f"{BOOK}.epub")
    assert "Chapter 2: Midnight" in first and not [e for e in first if "(new)" in e]

    # The newer download comes in under another name; the old file is gone.
    (lib / "wip.html").unlink()
    write(lib / "wip (1).html", WIP.read_text(encoding="utf-8"))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["batch", str(lib), "-o", str(out), "-j", "1", "--report", str(report), *FAST_FLAGS]
    )
    assert result.exit_code == 0, result.output
    line = f"[1/1] updated: +1 chapter: wip (1).html -> {BOOK}.epub (was wip.html)"
    assert line in result.output
    assert re.search(r"updated\s+.\s+1\s+.", result.output)  # the summary's own row

    assert books(out) == [f"{BOOK}.epub"]  # the same book, not a second one
    entries = nav_entries(out / f"{BOOK}.epub")
    assert [e for e in entries if "(new)" in e] == ["Chapter 3 (new)"]
    assert "Update Log" in entries
    data = report_of(report)
    entry = by_input(data)["wip (1).html"]
    assert entry["status"] == "updated" and entry["outputs"] == [f"{BOOK}.epub"]
    assert entry["added"] == ["Chapter 3"] and entry["changed"] == []
    assert entry["replaces"] == "wip.html" and entry["update"] == "updated: +1 chapter"
    assert (data["summary"]["converted"], data["summary"]["updated"]) == (0, 1)
    with Manifest(out) as manifest:
        assert list(manifest.by_work("ao3:3000003")) == ["wip (1).html"]
        assert manifest.records("wip.html") == {}

    again = CliRunner().invoke(app, ["batch", str(lib), "-o", str(out), "-j", "1", *FAST_FLAGS])
    assert again.exit_code == 0, again.output
    assert f"[1/1] skipped wip (1).html -> {BOOK}.epub" in again.output
    assert "0 book(s) written" in again.output


def test_older_download_left_beside_the_newer_makes_no_second_book(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out)
    write(lib / "wip (1).html", WIP.read_text(encoding="utf-8"))  # sorts before wip.html
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (0, 1, 1, 0)
    assert books(out) == [f"{BOOK}.epub"]
    for _ in range(2):
        summary = batch(lib, out, report=report)
        assert counts(summary) == (0, 0, 2, 0) and summary.books_written == 0
        stale = by_input(report_of(report))["wip.html"]
        assert stale["status"] == "skipped" and stale["outputs"] == [f"{BOOK}.epub"]
        assert stale["note"].startswith("superseded by wip (1).html")
    assert books(out) == [f"{BOOK}.epub"]
    entries = nav_entries(out / f"{BOOK}.epub")
    assert [e for e in entries if "(new)" in e] == ["Chapter 3 (new)"]

    # An older download found after the newer one is superseded at once: no second book,
    # no chapter dropped.
    write(lib / "zz-old.html", two_chapters())
    summary = batch(lib, out, report=report)
    assert counts(summary) == (0, 0, 3, 0) and summary.books_written == 0
    assert by_input(report_of(report))["zz-old.html"]["note"].startswith("superseded by")
    assert "Chapter 3 (new)" in nav_entries(out / f"{BOOK}.epub")


def test_same_path_with_a_new_and_a_changed_chapter(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out)
    newer = WIP.read_text(encoding="utf-8").replace(
        "blew out lamp nineteen", "blew out lamp twenty"
    )
    write(lib / "wip.html", newer)
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (0, 1, 0, 0)
    entry = by_input(report_of(report))["wip.html"]
    assert entry["added"] == ["Chapter 3"] and entry["changed"] == ["Chapter 2: Midnight"]
    assert entry["update"] == "updated: +1 chapter, 1 changed" and entry["replaces"] is None
    marked = [e for e in nav_entries(out / f"{BOOK}.epub") if "(new)" in e]
    assert marked == ["Chapter 2: Midnight (new)", "Chapter 3 (new)"]


def test_other_options_rebuild_and_keep_the_update_log_and_marks(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out)
    write(lib / "wip.html", WIP.read_text(encoding="utf-8"))
    batch(lib, out)
    rebuilt = batch(lib, out, force=True)
    assert counts(rebuilt) == (1, 0, 0, 0)  # nothing new: converted, not updated
    with zipfile.ZipFile(out / f"{BOOK}.epub") as archive:
        log = archive.read("EPUB/update_log.xhtml").decode()
    assert "Chapter 3" in log
    # The marks stay too, also when the manifest alone remembers them (the book deleted).
    assert [e for e in nav_entries(out / f"{BOOK}.epub") if "(new)" in e] == ["Chapter 3 (new)"]
    (out / f"{BOOK}.epub").unlink()  # only the manifest's state is left to say so
    assert counts(batch(lib, out)) == (1, 0, 0, 0)
    assert [e for e in nav_entries(out / f"{BOOK}.epub") if "(new)" in e] == ["Chapter 3 (new)"]


def test_work_without_id_keeps_the_per_path_behaviour(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "w.txt", work_text("Plain", paragraphs=2))
    batch(lib, out)
    write(lib / "w.txt", work_text("Plain", paragraphs=5))
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (1, 0, 0, 0)
    assert by_input(report_of(report))["w.txt"]["status"] == "converted"
    assert books(out) == ["Plain - tester.epub"]
    with zipfile.ZipFile(out / "Plain - tester.epub") as archive:
        assert "EPUB/update_log.xhtml" not in archive.namelist()
    db = sqlite3.connect(out / MANIFEST_NAME)
    assert db.execute("SELECT input, work, state FROM books").fetchall() == [("w.txt", None, None)]
    db.close()


def test_a_schema_1_manifest_is_migrated_in_place(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "w.txt", work_text("Plain"))
    batch(lib, out)
    db = sqlite3.connect(out / MANIFEST_NAME)
    with db:
        db.executescript(
            "DROP INDEX books_work; DROP TABLE superseded; DROP TABLE omnibuses;"
            "DROP TABLE series_of;"
            "ALTER TABLE books DROP COLUMN work; ALTER TABLE books DROP COLUMN state;"
            "UPDATE meta SET value = '1' WHERE key = 'schema';"
        )
    db.close()
    summary = batch(lib, out)
    assert counts(summary) == (0, 0, 1, 0)  # its rows are still true: nothing rebuilt
    write(lib / "wip.html", two_chapters())
    assert counts(batch(lib, out)) == (1, 0, 1, 0)
    write(lib / "wip.html", WIP.read_text(encoding="utf-8"))
    assert counts(batch(lib, out)) == (0, 1, 1, 0)


@pytest.mark.slow
def test_updated_books_pass_epubcheck_and_the_pdf_marks_the_contents(tmp_path: Path) -> None:
    jar = require_epubcheck()
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out, formats=("epub", "pdf"))
    (lib / "wip.html").rename(lib / "Lamplighter (newer).html")
    (lib / "Lamplighter (newer).html").write_text(WIP.read_text(encoding="utf-8"), "utf-8")
    assert counts(batch(lib, out, formats=("epub", "pdf"))) == (0, 1, 0, 0)
    assert books(out) == [f"{BOOK}.epub", f"{BOOK}.pdf"]
    messages = run_epubcheck(out / f"{BOOK}.epub", jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / f"{BOOK}.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Chapter 3 (new)" in text and "Chapter 2: Midnight (new)" not in text
    assert "Update Log" in text
    # A PDF-only library updates as well: the manifest keeps the state a PDF cannot carry.
    pdf_lib, pdf_out = tmp_path / "pdf-lib", tmp_path / "pdf-out"
    write(pdf_lib / "wip.html", two_chapters())
    batch(pdf_lib, pdf_out, formats=("pdf",))
    write(pdf_lib / "wip.html", WIP.read_text(encoding="utf-8"))
    assert counts(batch(pdf_lib, pdf_out, formats=("pdf",))) == (0, 1, 0, 0)
    with Manifest(pdf_out) as manifest:
        (record,) = manifest.records("wip.html").values()
    assert record.state is not None and len(json.loads(record.state)["prints"]) == 3


def test_a_renamed_unchanged_download_keeps_its_book_and_log(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out)
    write(lib / "wip.html", WIP.read_text(encoding="utf-8"))
    batch(lib, out)
    (lib / "wip.html").rename(lib / "renamed.html")
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (1, 0, 0, 0)
    entry = by_input(report_of(report))["renamed.html"]
    assert entry["replaces"] == "wip.html" and entry["outputs"] == [f"{BOOK}.epub"]
    assert books(out) == [f"{BOOK}.epub"]
    with zipfile.ZipFile(out / f"{BOOK}.epub") as archive:
        assert "Chapter 3" in archive.read("EPUB/update_log.xhtml").decode()
    assert counts(batch(lib, out)) == (0, 0, 1, 0)


def test_a_work_with_a_url_and_no_id_is_known_by_its_url(tmp_path: Path) -> None:
    """A FanFicFare download from a site without AO3 work IDs updates by its URL."""
    source = WIP.parent.parent / "fanficfare" / "test1-sid1.html"
    text = source.read_text(encoding="utf-8")
    last = text.index('<a name="section0009">')
    shorter = (
        text[:last].replace('<a href="#section0009">Chapter 8</a><br />', "")
        + text[text.index("</body>", last) :]
    ).replace("<td>9</td>", "<td>8</td>")
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "story.html", shorter)
    batch(lib, out)
    (lib / "story.html").unlink()
    write(lib / "story-2.html", text)
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (0, 1, 0, 0)
    entry = by_input(report_of(report))["story-2.html"]
    assert entry["update"] == "updated: +1 chapter" and entry["replaces"] == "story.html"
    (book,) = (out / name for name in books(out))
    marked = [e for e in nav_entries(book) if "(new)" in e]
    assert len(marked) == 1 and "Chapter 8" in marked[0]
    with Manifest(out) as manifest:
        assert list(manifest.by_work("url:test1.com?sid=1")) == ["story-2.html"]


def test_a_tampered_state_rebuilds_the_book_as_new(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    batch(lib, out)
    (out / f"{BOOK}.epub").unlink()  # no old EPUB to read: the manifest's state only
    db = sqlite3.connect(out / MANIFEST_NAME)
    with db:
        db.execute("UPDATE books SET state = ?", ('{"prints": [1, 2',))
    db.close()
    write(lib / "wip.html", WIP.read_text(encoding="utf-8"))
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (1, 0, 0, 0)
    assert by_input(report_of(report))["wip.html"]["outputs"] == [f"{BOOK}.epub"]
    assert not [e for e in nav_entries(out / f"{BOOK}.epub") if "(new)" in e]


def test_a_superseded_row_naming_a_file_outside_the_library_is_forgotten(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "w.txt", work_text("Plain"))
    write(tmp_path / "outside.txt", work_text("Elsewhere"))
    batch(lib, out)
    db = sqlite3.connect(out / MANIFEST_NAME)
    with db:
        db.execute(
            "INSERT INTO superseded (input, hash, size, mtime_ns, by) "
            "SELECT input, hash, size, mtime_ns, '../outside.txt' FROM books"
        )
    db.close()
    summary = batch(lib, out, force=True)
    assert counts(summary) == (1, 0, 0, 0)  # not skipped as superseded by a file outside
    with Manifest(out) as manifest:
        assert manifest.superseded("w.txt") is None


def test_a_copy_of_the_work_in_another_folder_has_its_own_book(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    write(lib / "favourites" / "wip.html", WIP.read_text(encoding="utf-8"))
    assert counts(batch(lib, out)) == (2, 0, 0, 0)
    assert books(out) == [f"{BOOK}.epub", f"favourites/{BOOK}.epub"]
    assert not [e for e in nav_entries(out / "favourites" / f"{BOOK}.epub") if "(new)" in e]
    assert counts(batch(lib, out)) == (0, 0, 2, 0)


def test_a_chain_of_downloads_points_at_the_newest_book(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "c-v1.html", two_chapters())
    batch(lib, out)
    newer = WIP.read_text(encoding="utf-8")
    write(lib / "b-v2.html", newer)
    batch(lib, out)  # b-v2 takes the book over; c-v1 is superseded by it
    write(lib / "a-v3.html", newer.replace("blew out lamp nineteen", "blew out lamp twenty"))
    report = tmp_path / "report.json"
    assert counts(batch(lib, out, report=report)) == (0, 1, 2, 0)
    entries = by_input(report_of(report))
    assert entries["a-v3.html"]["replaces"] == "b-v2.html"
    assert books(out) == [f"{BOOK}.epub"]
    assert counts(batch(lib, out, report=report)) == (0, 0, 3, 0)
    entries = by_input(report_of(report))
    for stale in ("b-v2.html", "c-v1.html"):
        assert entries[stale]["outputs"] == [f"{BOOK}.epub"]
    assert entries["c-v1.html"]["note"].startswith("superseded by b-v2.html")
