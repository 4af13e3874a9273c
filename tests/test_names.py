"""``--name`` end to end: convert and batch, the settings file's ``name``, renaming in batch."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from fic2book.batch import BatchConfig, run_batch
from fic2book.batch.manifest import Manifest
from fic2book.cli import app
from fic2book.options import RenderOptions

FAST = ["--no-cover"]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def work(path: Path, title: str, fandom: str = "", series: str = "") -> Path:
    header = f"Title: {title}\nAuthor: tester\nLanguage: English\n"
    header += f"Fandom: {fandom}\n" if fandom else ""
    header += f"Series: {series}\n" if series else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{header}\nOne paragraph of {title}.\n", encoding="utf-8")
    return path


def books(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def test_convert_with_folders_and_empty_fields(tmp_path: Path) -> None:
    a = work(tmp_path / "a.txt", "Alpha", "Fandom One", "Saga")
    b = work(tmp_path / "b.txt", "Beta")
    out = tmp_path / "out"
    result = run("convert", a, b, *FAST, "-o", f"{out}/", "--name", "{fandom}/{series}/{title}")
    assert result.exit_code == 0, result.stderr
    assert books(out) == ["Beta.epub", "Fandom One/Saga/Alpha.epub"]


def test_convert_same_name_twice_is_numbered(tmp_path: Path) -> None:
    a = work(tmp_path / "a.txt", "Same")
    b = work(tmp_path / "b.txt", "Same")
    out = tmp_path / "out"
    result = run("convert", a, b, *FAST, "-o", f"{out}/", "--name", "{title}")
    assert result.exit_code == 0, result.stderr
    assert books(out) == ["Same (2).epub", "Same.epub"]


def test_name_from_the_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "fic2book.toml"
    config.write_text('name = "{title} by {authors}"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "--config", config, "convert", work(tmp_path / "a.txt", "A"), *FAST, "-o", f"{out}/"
    )
    assert result.exit_code == 0, result.stderr
    assert books(out) == ["A by tester.epub"]


def test_bad_template_is_one_usage_line(tmp_path: Path) -> None:
    result = run("convert", work(tmp_path / "a.txt", "A"), "--name", "{title} {colour}")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "fic2book: usage: --name: unknown field {colour}; the fields are title, authors, fandom, "
        "series, part, work_id, rating, language, words, chapters, date"
    ]
    assert not list(tmp_path.glob("*.epub"))


def test_bad_template_in_the_file_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "fic2book.toml"
    config.write_text('\n[batch]\nname = "{part:zz}"\n', encoding="utf-8")
    result = run("--config", config, "batch", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"fic2book: config: {config}:3: [batch] name: --name: {{part:zz}}: "
    ), result.stderr


def batch(source: Path, output: Path, name: str | None) -> None:
    options = RenderOptions(source_date_epoch=1_700_000_000, no_cover=True, name=name)
    summary = run_batch(BatchConfig(source, output, options=options, jobs=1))
    assert summary.failed == 0


def test_batch_folders_sit_in_the_mirror_folder_and_rename_cleanly(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    work(lib / "a.txt", "Alpha", "Fandom One", "Saga")
    work(lib / "sub" / "b.txt", "Beta", "Fandom Two")
    work(lib / "c.txt", "Gamma")
    batch(lib, out, "{fandom}/{series}/{title}")
    expected = ["Fandom One/Saga/Alpha.epub", "Gamma.epub", "sub/Fandom Two/Beta.epub"]
    assert books(out) == expected
    with Manifest(out) as manifest:  # the manifest accepts books in the template's folders
        assert sorted(r.output for r in manifest.in_folder("")) == expected[:2]
        assert not manifest.ignored
    batch(lib, out, "{fandom}/{series}/{title}")  # up to date: nothing moves
    assert books(out) == expected
    # A new template is a new fingerprint: every book is rebuilt under its new name, the old
    # ones go, and so do the folders they leave empty.
    batch(lib, out, "{title} - {authors}")
    assert books(out) == ["Alpha - tester.epub", "Gamma - tester.epub", "sub/Beta - tester.epub"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["sub"]


def test_batch_hostile_titles_stay_inside_the_output(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    work(lib / "a.txt", "../../escape", "../up", "/etc")
    work(lib / "b.txt", "x\u202egpj.exe", "..")
    batch(lib, out, "{fandom}/{series}/{title}")
    for book in books(out):
        assert (out / book).resolve().is_relative_to(out.resolve())
        assert ".." not in book.split("/") and "\u202e" not in book
    assert not list(tmp_path.glob("escape*")) and not (tmp_path / "up").exists()


def test_batch_removes_leftovers_in_template_folders(tmp_path: Path) -> None:
    lib, out = tmp_path / "lib", tmp_path / "out"
    work(lib / "a.txt", "Alpha", "Fandom")
    batch(lib, out, "{fandom}/{title}")
    leftover = out / "Fandom" / ".fic2book-abcd_123.epub"  # what a killed run leaves
    leftover.write_bytes(b"half a book")
    (lib / "a.txt").write_text((lib / "a.txt").read_text() + "\nMore.\n", encoding="utf-8")
    batch(lib, out, "{fandom}/{title}")
    assert not leftover.exists()
    assert books(out) == ["Fandom/Alpha.epub"]
