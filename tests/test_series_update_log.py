"""An omnibus records its works: a rebuild pairs them by AO3 ID and keeps each work's log.

Real ``batch --combine series`` runs: a member re-downloaded under a new name that moves it
ahead in the folder's order still has its own chapters marked and logged, a later update of
another member keeps the first entry, and an omnibus from before works were recorded still
updates by place.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.test_batch import FAST_FLAGS
from tests.textract import epub_documents, squashed

BOOK = "Saga - someone.epub"


def _work(path: Path, title: str, work_id: str, chapters: list[str]) -> None:
    """A work of the series ``Saga`` with no part number: the folder's order is the book's."""
    body = "".join(f"# {name}\n\nThe {name} of {title}.\n\n" for name in chapters)
    path.write_text(
        f"---\ntitle: {title}\nauthors: [someone]\nwork_id: '{work_id}'\n"
        f"series:\n  - Saga\n---\n\n{body}",
        encoding="utf-8",
    )


def _run(library: Path, out: Path) -> str:
    args = ["batch", str(library), "-o", str(out), "--combine", "series", *FAST_FLAGS]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0]


def _opf(book: Path) -> str:
    with zipfile.ZipFile(book) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".opf")]
        return archive.read(name).decode("utf-8")


def _two_updates(library: Path, out: Path) -> dict[str, str]:
    """Build the series, update member 2 (moved ahead), then member 1: the last omnibus."""
    library.mkdir()
    _work(library / "b-first.md", "First Tale", "101", ["Dawn", "Noon"])
    _work(library / "c-second.md", "Second Tale", "102", ["Dusk", "Night"])
    assert _run(library, out) == f"[1/1] converted series 'Saga' -> {BOOK}"
    first = epub_documents(out / BOOK)
    assert "First Tale" in first["EPUB/work01_chap_001.xhtml"]

    # Member 2, re-downloaded under a name that now sorts first: it becomes work 1.
    (library / "c-second.md").unlink()
    _work(library / "a-second-v2.md", "Second Tale", "102", ["Dusk", "Night", "Dawn Again"])
    assert _run(library, out) == f"[1/1] updated: +1 chapter: series 'Saga' -> {BOOK}"
    documents = epub_documents(out / BOOK)
    assert "Second Tale" in documents["EPUB/work01_chap_001.xhtml"]
    nav = squashed(documents["EPUB/nav.xhtml"])
    assert nav.count("new") == 1 and squashed("Chapter 3: Dawn Again (new)") in nav
    assert "Dawn Again" in documents["EPUB/work01_update_log.xhtml"]
    assert "EPUB/work02_update_log.xhtml" not in documents

    # Member 1 gains a chapter: it gets its own entry, member 2 keeps its one.
    _work(library / "b-first.md", "First Tale", "101", ["Dawn", "Noon", "Dusk Falls"])
    assert _run(library, out) == f"[1/1] updated: +1 chapter: series 'Saga' -> {BOOK}"
    return epub_documents(out / BOOK)


def test_members_are_paired_by_work_id_and_keep_their_logs(tmp_path: Path) -> None:
    documents = _two_updates(tmp_path / "library", tmp_path / "books")
    nav = squashed(documents["EPUB/nav.xhtml"])
    assert nav.count("new") == 1 and squashed("Chapter 3: Dusk Falls (new)") in nav
    second_log = documents["EPUB/work01_update_log.xhtml"]
    first_log = documents["EPUB/work02_update_log.xhtml"]
    assert "Dawn Again" in second_log and "Dusk Falls" not in second_log
    assert "Dusk Falls" in first_log and "Dawn Again" not in first_log
    records = re.findall(r'property="fic2book:work">([^<]*)<', _opf(tmp_path / "books" / BOOK))
    assert [('"ao3": "102"' in r, '"ao3": "101"' in r) for r in records] == [
        (True, False),
        (False, True),
    ]


def _strip_work_records(book: Path) -> None:
    """Make ``book`` look like an omnibus from before works were recorded."""
    source = io.BytesIO(book.read_bytes())
    target = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".opf"):
                text = data.decode("utf-8")
                stripped = re.sub(r'<meta property="fic2book:work">[^<]*</meta>\s*', "", text)
                assert stripped != text
                data = stripped.encode("utf-8")
            new.writestr(info, data)
    book.write_bytes(target.getvalue())


def test_an_omnibus_without_work_records_updates_by_place(tmp_path: Path) -> None:
    library, out = tmp_path / "library", tmp_path / "books"
    library.mkdir()
    _work(library / "a.md", "First Tale", "101", ["Dawn", "Noon"])
    _work(library / "b.md", "Second Tale", "102", ["Dusk", "Night"])
    _run(library, out)
    _strip_work_records(out / BOOK)
    assert "fic2book:work" not in _opf(out / BOOK)
    _work(library / "b.md", "Second Tale", "102", ["Dusk", "Night", "Dawn Again"])
    assert _run(library, out) == f"[1/1] updated: +1 chapter: series 'Saga' -> {BOOK}"
    documents = epub_documents(out / BOOK)
    nav = squashed(documents["EPUB/nav.xhtml"])
    assert nav.count("new") == 1 and squashed("Chapter 3: Dawn Again (new)") in nav
    assert "Dawn Again" in documents["EPUB/work02_update_log.xhtml"]
    assert "fic2book:work" in _opf(out / BOOK)


@pytest.mark.slow
def test_an_omnibus_updated_twice_passes_epubcheck(tmp_path: Path) -> None:
    jar = require_epubcheck()
    _two_updates(tmp_path / "library", tmp_path / "books")
    messages = run_epubcheck(tmp_path / "books" / BOOK, jar)
    assert failures(messages) == []
    assert not [m for m in messages if m.get("severity") in {"WARNING", "ERROR", "FATAL"}]
