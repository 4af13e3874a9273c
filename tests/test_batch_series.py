"""``batch --combine series`` keeps a manifest: unchanged members skip, a changed one rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.batch.discover import hash_file
from fic2book.batch.manifest import Manifest
from fic2book.batch.series import convert_series
from fic2book.cli import app
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.test_batch import FAST_FLAGS, OPTIONS
from tests.textract import epub_text, squashed


def _tale(path: Path, title: str, series: str | None, extra: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"---\ntitle: {title}\nauthors: [someone]\n"
    if series:
        header += f"series:\n  - {series}\n"
    path.write_text(
        f"{header}---\n\n# One\n\nThe {title} text.{extra}\n\n# Two\n\nMore of {title}.\n",
        encoding="utf-8",
    )


def _mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.epub")}


def test_series_rerun_skips_unchanged_books_and_rebuilds_a_changed_omnibus(
    tmp_path: Path,
) -> None:
    library, out = tmp_path / "library", tmp_path / "books"
    _tale(library / "a.md", "First Tale", "Part 1 of Saga")
    _tale(library / "b.md", "Second Tale", "Part 2 of Saga")
    _tale(library / "c.md", "Lone Tale", None)
    first = convert_series(library, out, ("epub",), OPTIONS)
    assert sorted(p.name for p in first.written) == [
        "Lone Tale - someone.epub",
        "Saga - someone.epub",
    ]
    before = _mtimes(out)

    again = convert_series(library, out, ("epub",), OPTIONS)
    assert again.written == [] and again.failed == []
    assert sorted(p.name for p in again.skipped) == sorted(before)
    assert _mtimes(out) == before

    # A changed member rebuilds its omnibus alone.
    _tale(library / "b.md", "Second Tale", "Part 2 of Saga", " Now revised.")
    changed = convert_series(library, out, ("epub",), OPTIONS)
    assert [p.name for p in changed.written] == ["Saga - someone.epub"]
    assert [p.name for p in changed.skipped] == ["Lone Tale - someone.epub"]
    assert squashed("Now revised.") in squashed(epub_text(out / "Saga - someone.epub"))

    # An added member rebuilds it too; so do other options and --force.
    _tale(library / "later" / "d.md", "Third Tale", "Part 3 of Saga")
    added = convert_series(library, out, ("epub",), OPTIONS)
    assert [p.name for p in added.written] == ["Saga - someone.epub"]
    assert squashed("The Third Tale text.") in squashed(epub_text(out / "Saga - someone.epub"))
    forced = convert_series(library, out, ("epub",), OPTIONS, force=True)
    assert len(forced.written) == 2 and forced.skipped == []

    # Each input's series is remembered by its content: a changed file is read again.
    with Manifest(out) as manifest:
        digest = hash_file(library / "c.md")[0]
        assert manifest.series_of("c.md", digest, "") == (None,)
    _tale(library / "c.md", "Lone Tale", "Part 4 of Saga")
    joined = convert_series(library, out, ("epub",), OPTIONS)
    assert [p.name for p in joined.written] == ["Saga - someone.epub"]
    assert squashed("The Lone Tale text.") in squashed(epub_text(out / "Saga - someone.epub"))


def test_cli_series_reports_and_summarises_like_batch(tmp_path: Path) -> None:
    library, out = tmp_path / "library", tmp_path / "books"
    _tale(library / "a.md", "First Tale", "Part 1 of Saga")
    _tale(library / "b.md", "Second Tale", "Part 2 of Saga")
    _tale(library / "c.md", "Lone Tale", None)
    library.joinpath("broken.epub").write_bytes(b"not a zip")
    report = tmp_path / "r.json"
    args = ["batch", str(library), "-o", str(out), "--combine", "series", *FAST_FLAGS]
    first = CliRunner().invoke(app, [*args, "--report", str(report)])
    assert first.exit_code == 1, first.output  # broken.epub failed; the rest was written
    lines = first.stdout.splitlines()
    assert lines[:2] == [
        "[2/3] converted series 'Saga' -> Saga - someone.epub",
        "[3/3] converted c.md -> Lone Tale - someone.epub",
    ]
    assert first.stderr.startswith("fic2book: [1/3] failed broken.epub: ")
    # The same summary table as an ordinary batch.
    assert "fic2book batch" in first.stdout and "│ converted │      2 │" in first.stdout
    assert "│ failed    │      1 │" in first.stdout
    assert "2 book(s) written" in first.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    entries = {entry["input"]: entry for entry in data["works"]}
    assert set(entries) == {"broken.epub", "series 'Saga'", "c.md"}
    assert entries["series 'Saga'"]["status"] == "converted"
    assert entries["series 'Saga'"]["members"] == ["a.md", "b.md"]
    assert entries["series 'Saga'"]["outputs"] == ["Saga - someone.epub"]
    assert entries["broken.epub"]["status"] == "failed"
    assert data["summary"]["converted"] == 2 and data["summary"]["failed"] == 1
    assert data["summary"]["total"] == 3 and data["summary"]["books_written"] == 2
    library.joinpath("broken.epub").unlink()
    again = CliRunner().invoke(app, [*args, "--report", str(report)])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:2] == [
        "[1/2] skipped series 'Saga' -> Saga - someone.epub",
        "[2/2] skipped c.md -> Lone Tale - someone.epub",
    ]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [entry["status"] for entry in data["works"]] == ["skipped", "skipped"]


def _chaptered(path: Path, title: str, work_id: str, part: int, chapters: list[str]) -> None:
    body = "".join(f"# {name}\n\nThe {name} of {title}.\n\n" for name in chapters)
    path.write_text(
        f"---\ntitle: {title}\nauthors: [someone]\nwork_id: '{work_id}'\n"
        f"series:\n  - Part {part} of Saga\n---\n\n{body}",
        encoding="utf-8",
    )


def test_a_newer_download_of_a_member_updates_its_omnibus(tmp_path: Path) -> None:
    """Same work ID, a new file name, one more chapter: said, marked and logged as an update."""
    from tests.textract import epub_documents

    library, out = tmp_path / "library", tmp_path / "books"
    library.mkdir()
    _chaptered(library / "first.md", "First Tale", "101", 1, ["Dawn", "Noon"])
    _chaptered(library / "second.md", "Second Tale", "102", 2, ["Dusk", "Night"])
    report = tmp_path / "r.json"
    args = ["batch", str(library), "-o", str(out), "--combine", "series", *FAST_FLAGS]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    (library / "second.md").unlink()
    _chaptered(library / "second-v2.md", "Second Tale", "102", 2, ["Dusk", "Night", "Dawn Again"])
    again = CliRunner().invoke(app, [*args, "--report", str(report)])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == (
        "[1/1] updated: +1 chapter: series 'Saga' -> Saga - someone.epub"
    )
    documents = epub_documents(out / "Saga - someone.epub")
    nav = squashed(documents["EPUB/nav.xhtml"])
    assert nav.count("new") == 1 and squashed("Chapter 3: Dawn Again (new)") in nav
    assert "work02_update_log.xhtml" in " ".join(documents)
    assert "Dawn Again" in documents["EPUB/work02_update_log.xhtml"]
    (entry,) = json.loads(report.read_text(encoding="utf-8"))["works"]
    assert entry["status"] == "updated" and entry["update"] == "updated: +1 chapter"
    assert entry["added"] == ["Chapter 3: Dawn Again"]
    assert entry["members"] == ["first.md", "second-v2.md"]


@pytest.mark.slow
def test_an_updated_omnibus_passes_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    library, out = tmp_path / "library", tmp_path / "books"
    library.mkdir()
    _chaptered(library / "first.md", "First Tale", "101", 1, ["Dawn", "Noon"])
    _chaptered(library / "second.md", "Second Tale", "102", 2, ["Dusk"])
    args = ["batch", str(library), "-o", str(out), "--combine", "series", *FAST_FLAGS]
    assert CliRunner().invoke(app, args).exit_code == 0
    _chaptered(library / "second.md", "Second Tale", "102", 2, ["Dusk", "Night"])
    result = CliRunner().invoke(app, args)
    assert result.stdout.startswith("[1/1] updated: +1 chapter: "), result.output
    messages = run_epubcheck(out / "Saga - someone.epub", jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]
