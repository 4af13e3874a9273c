"""``fic2book convert --combine`` from the command line: one book from several inputs."""

from __future__ import annotations

import zipfile
from pathlib import Path

from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.readers import read_work
from tests.conftest import DATA
from tests.textract import epub_metadata

SOURCES = [DATA / "markdown" / "full.md", DATA / "ao3" / "ao3-2021-chaptered.html"]


def test_combine_writes_one_book_named_by_o(tmp_path: Path) -> None:
    target = tmp_path / "omnibus.epub"
    args = [*map(str, SOURCES), "--combine", "--title", "Both", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {target}"
    assert epub_metadata(target)["title"] == ["Both"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["omnibus.epub"]


def test_title_without_combine_is_a_usage_error(tmp_path: Path) -> None:
    args = [str(SOURCES[0]), "--title", "X", "-o", str(tmp_path / "a.epub")]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code != 0
    assert "--title needs --combine" in result.output
    assert not (tmp_path / "a.epub").exists()


def test_a_bad_input_fails_the_omnibus_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    target = tmp_path / "omnibus.epub"
    args = [str(SOURCES[0]), str(missing), "--combine", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code != 0
    assert "missing.html" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_file_given_twice_is_combined_once(tmp_path: Path) -> None:
    target = tmp_path / "omnibus.epub"
    work = SOURCES[1]
    args = [str(work), str(SOURCES[0]), str(work), "--combine", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"fic2book: warning: {work} is given twice; combined once\n"
    assert result.stdout.strip() == f"wrote {target}"
    with zipfile.ZipFile(target) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
    # The AO3 work's title stands once in the omnibus's contents, the Markdown work's once.
    assert nav.count(read_work(work, None).title) == 1


def test_two_downloads_of_one_work_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "again.html"
    copy.write_bytes(SOURCES[1].read_bytes())
    target = tmp_path / "omnibus.epub"
    args = [str(SOURCES[1]), str(copy), "--combine", "-o", str(target)]
    result = CliRunner().invoke(app, ["convert", *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"fic2book: usage: {SOURCES[1]} and {copy} are the same work "
        f"(AO3 work {read_work(copy, None).work_id}): combine one of them"
    ]
    assert not target.exists()


def test_batch_drops_notes_with_notes_drop(tmp_path: Path) -> None:
    """``batch --notes drop``: the option reaches every book of the run."""
    import shutil

    from fic2book.describe import plain_text
    from fic2book.readers import read_work
    from tests.textract import epub_text, squashed

    library = tmp_path / "library"
    library.mkdir()
    source = DATA / "ao3" / "ao3-2021-chaptered.html"
    shutil.copy(source, library / source.name)
    out = tmp_path / "books"
    args = ["batch", str(library), "-o", str(out), "--notes", "drop", "-j", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (book,) = out.rglob("*.epub")
    note = plain_text(str(read_work(source).chapters[0].notes))
    assert squashed(note) not in squashed(epub_text(book))


def _markdown(folder: Path, name: str, title: str, series: str | None) -> None:
    header = f"---\ntitle: {title}\nauthors: [someone]\n"
    if series:
        header += f"series:\n  - {series}\n"
    folder.joinpath(name).write_text(
        f"{header}---\n\n# One\n\nThe {title} text.\n\n# Two\n\nMore of {title}.\n",
        encoding="utf-8",
    )


def test_batch_combine_series_makes_one_book_per_series(tmp_path: Path) -> None:
    """Two parts of a series (out of order, in two folders) make one omnibus; the rest alone."""
    from tests.textract import epub_documents, squashed

    library = tmp_path / "library"
    (library / "later").mkdir(parents=True)
    _markdown(library / "later", "b.md", "Second Tale", "Part 2 of Saga")
    _markdown(library, "a.md", "First Tale", "Part 1 of Saga")
    _markdown(library, "c.md", "Lone Tale", None)
    library.joinpath("broken.epub").write_bytes(b"not a zip")
    out = tmp_path / "books"
    result = CliRunner().invoke(app, ["batch", str(library), "-o", str(out), "--combine", "series"])
    assert result.exit_code == 1, result.output  # broken.epub failed; the rest was written
    assert "broken.epub" in result.output
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["Lone Tale - someone.epub", "Saga - someone.epub"]
    text = squashed(" ".join(epub_documents(out / "Saga - someone.epub").values()))
    first, second = (text.index(squashed(f"The {t} Tale text")) for t in ("First", "Second"))
    assert first < second
    assert epub_metadata(out / "Saga - someone.epub")["series"] == ["Saga"]


def test_batch_combine_takes_only_series(tmp_path: Path) -> None:
    args = ["batch", str(tmp_path), "-o", str(tmp_path / "o"), "--combine", "fandom"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "--combine must be 'series'" in result.output
