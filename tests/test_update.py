"""``fic2book update``: a newer download marks exactly its new chapters and logs the update."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.cli import app
from fic2book.model import UpdateEntry
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from fic2book.update import update_book
from tests.epubcheck import failures, require_epubcheck, run_epubcheck

DATA = Path(__file__).parent / "data" / "ao3"
WIP = DATA / "ao3-2023-wip.html"
DAY = dt.date(2026, 12, 3)


def _old_book(tmp_path: Path, keep: int) -> Path:
    """The WIP built as it stood ``keep`` chapters in."""
    work = read_work(WIP, None)
    early = dataclasses.replace(work, chapters=work.chapters[:keep])
    book = tmp_path / "old.epub"
    book.write_bytes(build_epub(prepare(early, RenderOptions()), RenderOptions()))
    return book


def _text(data: bytes, member: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(member).decode()
    # The contents' "new" mark is a span of its own: compare the text a reader sees.
    return re.sub(r"<span[^>]*>|</span>", "", text) if member.endswith("nav.xhtml") else text


def _updated(book: Path, day: dt.date = DAY) -> tuple[bytes, UpdateEntry]:
    """The updated EPUB's bytes and the log entry, as ``fic2book update`` makes them."""
    result = update_book(book, read_work(WIP, None), RenderOptions(), day)
    return build_epub(result.work, RenderOptions()), result.entry


def test_update_marks_exactly_the_added_chapters(tmp_path: Path) -> None:
    book = _old_book(tmp_path, 1)
    data, entry = _updated(book)
    assert entry.added == ("Chapter 2: Midnight", "Chapter 3")
    assert entry.changed == ()
    nav = _text(data, "EPUB/nav.xhtml")
    assert "Chapter 1: Dusk (new)" not in nav
    assert "Chapter 2: Midnight (new)" in nav
    assert "Chapter 3 (new)" in nav
    log = _text(data, "EPUB/update_log.xhtml")
    assert "2026-12-03" in log and "Chapter 2: Midnight" in log and "Chapter 3" in log
    # A second update keeps the first entry and adds its own, marking nothing.
    again = tmp_path / "again.epub"
    again.write_bytes(data)
    later = dt.date(2026, 12, 4)
    data2, entry2 = _updated(again, later)
    assert entry2.added == () and entry2.changed == ()
    assert "(new)" not in _text(data2, "EPUB/nav.xhtml")
    # Nothing new: the log keeps the first update and gains no empty entry.
    log2 = _text(data2, "EPUB/update_log.xhtml")
    assert "2026-12-03" in log2 and "2026-12-04" not in log2


@pytest.mark.slow
def test_updated_book_passes_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    data, _ = _updated(_old_book(tmp_path, 2))
    updated = tmp_path / "updated.epub"
    updated.write_bytes(data)
    messages = run_epubcheck(updated, jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]


def test_cli_update_and_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796256000")
    book = _old_book(tmp_path, 2)
    runner = CliRunner()
    out = tmp_path / "new.epub"
    result = runner.invoke(app, ["update", str(book), str(WIP), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"updated: +1 chapter; wrote {out}\n"
    before = out.read_bytes()
    same = runner.invoke(app, ["update", str(out), str(WIP)])
    assert same.exit_code == 0, same.output
    assert same.output == "up to date: ao3-2023-wip.html has no new, changed or removed chapters\n"
    assert out.read_bytes() == before  # nothing new: the book is left as it was
    (tmp_path / "book.pdf").write_bytes(b"%PDF-1.7\n")
    pdf = runner.invoke(app, ["update", str(tmp_path / "book.pdf"), str(WIP)])
    assert pdf.exit_code == 2 and len(pdf.output.strip().splitlines()) == 1
    assert "update reads the EPUB fic2book made" in pdf.output
    other = runner.invoke(app, ["update", str(out), str(DATA / "ao3-2021-chaptered.html")])
    assert other.exit_code == 2
    assert len(other.output.strip().splitlines()) == 1
    assert "not the same work" in other.output


def test_a_chapter_with_other_words_is_marked_changed(tmp_path: Path) -> None:
    work = read_work(WIP, None)
    first = work.chapters[0]
    edited = dataclasses.replace(first, body=Markup("<p>An earlier draft.</p>"))
    early = dataclasses.replace(work, chapters=(edited, *work.chapters[1:2]))
    book = tmp_path / "old.epub"
    book.write_bytes(build_epub(prepare(early, RenderOptions()), RenderOptions()))
    data, entry = _updated(book)
    assert entry.changed == ("Chapter 1: Dusk",)
    assert entry.added == ("Chapter 3",)
    nav = _text(data, "EPUB/nav.xhtml")
    assert "Chapter 1: Dusk (new)" in nav and "Chapter 2: Midnight (new)" not in nav
    assert "Chapters changed" in _text(data, "EPUB/update_log.xhtml")


@pytest.mark.slow
def test_cli_update_to_pdf_marks_the_contents(tmp_path: Path) -> None:
    book = _old_book(tmp_path, 2)
    out = tmp_path / "new.pdf"
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Chapter 3 (new)" in text
    assert "Chapter 2: Midnight (new)" not in text
    assert "Update Log" in text


@pytest.mark.slow
def test_cli_update_up_to_date_to_pdf_names_the_pdf(tmp_path: Path) -> None:
    # Nothing new, but another format asked for: "up to date", and the file written named.
    book = tmp_path / "fire.epub"
    book.write_bytes(build_epub(prepare(read_work(WIP, None), RenderOptions()), RenderOptions()))
    result = CliRunner().invoke(app, ["update", str(book), str(WIP), "--to", "pdf"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "up to date: ao3-2023-wip.html has no new, changed or removed chapters; "
        f"wrote {tmp_path / 'fire.pdf'}\n"
    )
    assert (tmp_path / "fire.pdf").read_bytes().startswith(b"%PDF")


def test_cli_update_reads_the_download_under_the_limits(tmp_path: Path) -> None:
    # The newer download is untrusted: update honours the same limits as convert.
    book = _old_book(tmp_path, 2)
    before = book.read_bytes()

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "fic2book", "update", str(book), str(WIP), *flags]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    too_big = run("--max-input-size", "1K")
    assert too_big.returncode != 0
    assert len(too_big.stderr.strip().splitlines()) == 1
    assert "--max-input-size" in too_big.stderr
    starved = run("--max-memory", "50M")
    assert starved.returncode == 6, starved.stderr
    assert len(starved.stderr.strip().splitlines()) == 1
    assert "--max-memory" in starved.stderr
    assert book.read_bytes() == before
