"""The ``fic2book`` command line, end to end with the real reader and backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fic2book import __version__
from fic2book.cli import app
from tests.conftest import DATA, ROOT, sample

SEED = DATA / "no-office-relations.txt"
SEED_NAME = "No Office Relations - movielover55"
SAMPLES = [sample("salt-and-semaphore.txt"), sample("the-lighthouse-keepers-ledger.txt")]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env)


def assert_epub(path: Path) -> None:
    assert path.is_file()
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/epub+zip"


def assert_pdf(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:5] == b"%PDF-"


def assert_one_line_error(result: Result, code: int, label: str | None = None) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fic2book: "), lines[0]
    if label is not None:
        assert lines[0].startswith(f"fic2book: {label}: "), lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def no_temp_files(folder: Path) -> bool:
    return not list(folder.rglob(".fic2book-*"))


# --- help and version --------------------------------------------------------------------


def command_names() -> list[str]:
    """Every command the app registers, so a new command cannot miss its help or docs."""
    from fic2book.cli import app

    names = []
    for info in app.registered_commands:
        callback = info.callback
        assert callback is not None
        names.append(info.name or callback.__name__.replace("_", "-"))
    return names


def test_the_commands_are_the_documented_ones() -> None:
    assert set(command_names()) >= {"convert", "inspect", "formats", "batch", "impose"}


@pytest.mark.parametrize("command", [[], *([name] for name in command_names())])
def test_help_for_every_command(runner: CliRunner, command: list[str]) -> None:
    result = run(runner, *command, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage" in result.stdout
    if command:
        assert command[0] in result.stdout


def test_every_command_documented(runner: CliRunner) -> None:
    result = run(runner, "--help")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in command_names():
        assert command in result.stdout
        assert f"fic2book {command}" in readme, f"README has no example of {command}"


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"fic2book {__version__}"


def test_python_m_fic2book_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fic2book", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fic2book" in result.stdout and "convert" in result.stdout


# --- convert ---------------------------------------------------------------------------


def test_convert_seed_default_name(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(runner, "convert", SEED)
    assert result.exit_code == 0, result.stderr
    book = tmp_path / f"{SEED_NAME}.epub"
    assert_epub(book)
    assert result.stdout.strip() == f"wrote {SEED_NAME}.epub"
    assert [p.name for p in tmp_path.iterdir()] == [book.name]


def test_convert_to_pdf_with_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    result = run(runner, "convert", SEED, "--to", "pdf", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert_pdf(target)
    assert result.stdout.strip() == f"wrote {target}"
    assert no_temp_files(tmp_path)


def test_output_suffix_implies_format(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    result = run(runner, "convert", SEED, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert_pdf(target)


def test_output_file_in_new_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "b.epub"
    result = run(runner, "convert", SEED, "-o", target, "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert_epub(target)


def test_output_trailing_slash_is_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    result = run(runner, "convert", SEED, "-o", f"{folder}/")
    assert result.exit_code == 0, result.stderr
    assert_epub(folder / f"{SEED_NAME}.epub")


def test_two_inputs_two_formats_into_folder(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(runner, "convert", SEED, SAMPLES[0], "--to", "epub,pdf", "-o", out)
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    expected = sorted(
        [
            f"{SEED_NAME}.epub",
            f"{SEED_NAME}.pdf",
            "Salt and Semaphore - tidewright, Juniper Vale (jvale).epub",
            "Salt and Semaphore - tidewright, Juniper Vale (jvale).pdf",
        ]
    )
    assert names == expected
    assert len(result.stdout.splitlines()) == 4
    assert all(line.startswith("wrote ") for line in result.stdout.splitlines())
    for name in names:
        (assert_epub if name.endswith(".epub") else assert_pdf)(out / name)


def test_same_work_twice_gets_distinct_names(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, SEED, "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{SEED_NAME} (2).epub",
        f"{SEED_NAME}.epub",
    ]


def test_source_date_epoch_makes_identical_epubs(runner: CliRunner, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    first, second = tmp_path / "a.epub", tmp_path / "b.epub"
    assert run(runner, "convert", SEED, "-o", first, env=env).exit_code == 0
    assert run(runner, "convert", SEED, "-o", second, env=env).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_bad_source_date_epoch(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "-o", tmp_path, env={"SOURCE_DATE_EPOCH": "soon"})
    assert_one_line_error(result, 2, "usage")


def test_several_inputs_go_on_past_a_bad_one(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    result = run(runner, "convert", missing, SEED, empty, "-o", out)
    assert result.exit_code == 3
    assert_epub(out / f"{SEED_NAME}.epub")
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert "missing.txt" in errors[0] and "empty.txt" in errors[1]
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == f"wrote {out / SEED_NAME}.epub"


# --- inspect and formats ---------------------------------------------------------------


def test_inspect_table(runner: CliRunner) -> None:
    result = run(runner, "inspect", SEED)
    assert result.exit_code == 0, result.stderr
    for text in (
        "No Office Relations",
        "movielover55",
        "Teen And Up Audiences",
        "Javert/Jean Valjean",
        "Tumblr Prompt",
        "8621107",
        "Completed",
    ):
        assert text in result.stdout


@pytest.mark.parametrize(
    "env",
    [{"FORCE_COLOR": None, "TTY_COMPATIBLE": None}, {"FORCE_COLOR": "1"}],
    ids=["plain", "rich"],
)
def test_inspect_prints_work_text_as_typed(
    runner: CliRunner, tmp_path: Path, env: dict[str, str | None]
) -> None:
    # Neither the plain tables nor Rich (a terminal, forced here) read markup or emoji codes.
    work = tmp_path / "w.txt"
    work.write_text("Title: [bold]Bees[/bold] :smile:\n\nBody words.\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(work)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "[bold]Bees[/bold] :smile:" in result.stdout
    # Which of the two printed it: only Rich, in a terminal, writes styles.
    assert ("\x1b[" in result.stdout) == bool(env["FORCE_COLOR"])


def test_inspect_json(runner: CliRunner) -> None:
    result = run(runner, "inspect", SEED, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["title"] == "No Office Relations"
    assert info["authors"] == ["movielover55"]
    assert info["language"] == "en"
    assert info["rating"] == "Teen And Up Audiences"
    assert info["relationships"] == ["Javert/Jean Valjean"]
    assert info["additional_tags"] == ["Tumblr Prompt", "Kissing"]
    assert info["warnings"] == [] and info["fandoms"] == [] and info["characters"] == []
    assert info["work_id"] == "8621107"
    assert info["status"] == "Completed"
    assert info["series"] == []
    assert len(info["chapters"]) == 1
    assert info["words"] == info["chapters"][0]["words"] == 716  # wc -w of the body
    assert info["chapters"][0]["has_notes"] is False


def test_inspect_multichapter_json(runner: CliRunner) -> None:
    result = run(runner, "inspect", SAMPLES[0], "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["authors"] == ["tidewright", "Juniper Vale (jvale)"]
    assert info["series"] == [{"name": "The Harbour Letters", "part": 2, "url": None}]
    assert info["words"] == 1204  # declared
    assert [c["number"] for c in info["chapters"]] == [1, 2, 3]
    assert info["chapters"][0]["heading"] == "Chapter 1: Red Over White"
    assert info["chapters"][0]["has_notes"] is True
    assert info["status"] == "In Progress"
    assert {"label": "Mood", "value": "Brisk"} in info["extra"]


def test_formats(runner: CliRunner) -> None:
    result = run(runner, "formats")
    assert result.exit_code == 0, result.stderr
    assert "epub" in result.stdout and ".pdf" in result.stdout and ".txt" in result.stdout


# --- errors ----------------------------------------------------------------------------


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", tmp_path / "nope.txt", "-o", tmp_path)
    assert_one_line_error(result, 3, "cannot read input")
    assert "nope.txt" in result.stderr


def test_binary_file(runner: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = run(runner, "convert", binary, "-o", f"{tmp_path / 'out'}/")
    assert_one_line_error(result, 3, "cannot read input")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_empty_file(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert_one_line_error(run(runner, "convert", empty, "-o", tmp_path), 3, "cannot read input")


def test_header_without_body(runner: CliRunner, tmp_path: Path) -> None:
    header_only = tmp_path / "header.txt"
    header_only.write_text("Title: Nothing Here\nAuthor: someone\nRating: Not Rated\n\n", "utf-8")
    result = run(runner, "convert", header_only, "-o", tmp_path)
    assert_one_line_error(result, 3, "cannot read input")
    assert list(tmp_path.iterdir()) == [header_only]


def test_directory_as_input(runner: CliRunner, tmp_path: Path) -> None:
    assert_one_line_error(run(runner, "convert", tmp_path), 3, "cannot read input")
    assert_one_line_error(run(runner, "inspect", tmp_path), 3, "cannot read input")


def test_inspect_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    assert_one_line_error(run(runner, "inspect", tmp_path / "x.txt"), 3, "cannot read input")


def test_unknown_to(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "--to", "docx", "-o", tmp_path)
    assert_one_line_error(result, 2, "unknown format")
    assert "epub" in result.stderr and "pdf" in result.stderr


def test_unknown_output_suffix(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "-o", tmp_path / "book.docx")
    assert_one_line_error(result, 2, "unknown format")
    assert "--to" in result.stderr


def test_unknown_from(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "--from", "docx", "-o", tmp_path)
    assert_one_line_error(result, 2, "unknown format")


def test_unknown_input_suffix(runner: CliRunner, tmp_path: Path) -> None:
    odd = tmp_path / "work.docx"
    odd.write_bytes(b"PK\x03\x04")
    assert_one_line_error(run(runner, "convert", odd, "-o", tmp_path), 2, "unknown format")


def test_to_given_twice_makes_both(runner: CliRunner, tmp_path: Path) -> None:
    # A repeated --to adds formats; it must not silently keep only the last one.
    out = tmp_path / "out"
    result = run(runner, "convert", SEED, "--to", "pdf", "-t", "epub", "--to", "pdf", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{SEED_NAME}.epub", f"{SEED_NAME}.pdf"]


def test_output_suffix_contradicts_to(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "--to", "epub", "-o", tmp_path / "b.pdf")
    assert_one_line_error(result, 2, "usage")


def test_one_output_file_for_several_books(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, SAMPLES[0], "-o", tmp_path / "b.epub")
    assert_one_line_error(result, 2, "usage")
    result = run(runner, "convert", SEED, "--to", "epub,pdf", "-o", tmp_path / "b.pdf")
    assert_one_line_error(result, 2, "usage")


def test_bad_page_size(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", SEED, "--page-size", "huge", "-o", tmp_path)
    assert_one_line_error(result, 2, "usage")


def test_output_under_a_file(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(runner, "convert", SEED, "-o", blocker / "book.epub")
    assert_one_line_error(result, 4, "cannot write output")


def test_broken_template_exit_6_and_no_debris(runner: CliRunner, tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "parts"
    templates.mkdir(parents=True)
    (templates / "title_page.html.j2").write_text("{% if %}broken", encoding="utf-8")
    out = tmp_path / "out"
    old = out / "keep.epub"
    out.mkdir()
    old.write_bytes(b"previous good copy")
    result = run(runner, "convert", SEED, "--template-dir", tmp_path / "templates", "-o", old)
    assert_one_line_error(result, 6, "cannot render")
    assert old.read_bytes() == b"previous good copy"
    assert no_temp_files(out)


def test_typer_usage_error_exits_2(runner: CliRunner) -> None:
    result = run(runner, "convert", SEED, "--no-such-option")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_debug_shows_traceback(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "convert", tmp_path / "nope.txt", "--debug", "-o", tmp_path)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("fic2book: cannot read input: ")


def test_repeated_format_written_once(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "one.epub"
    result = run(runner, "convert", SEED, "--to", "epub,EPUB", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert_epub(target)
    assert list(tmp_path.iterdir()) == [target]


def test_empty_to(runner: CliRunner, tmp_path: Path) -> None:
    assert_one_line_error(run(runner, "convert", SEED, "--to", ",", "-o", tmp_path), 2, "usage")


# --- the library API behind the CLI --------------------------------------------------------


def test_public_api_converts(tmp_path: Path) -> None:
    import fic2book
    from fic2book.options import RenderOptions

    work = fic2book.read_work(SEED)
    assert work.title == "No Office Relations"
    written = fic2book.convert_file(SEED, ["epub"], tmp_path, RenderOptions())
    assert written == [tmp_path / f"{SEED_NAME}.epub"]
    assert_epub(written[0])
    with pytest.raises(AttributeError):
        _ = fic2book.no_such_thing


def test_book_gets_ordinary_permissions(tmp_path: Path) -> None:
    import stat

    from fic2book.options import RenderOptions
    from fic2book.pipeline import convert_file

    (book,) = convert_file(SEED, ["epub"], tmp_path / "b.epub", RenderOptions())
    mode = stat.S_IMODE(book.stat().st_mode)
    # Not mkstemp's 0600: others may read it unless the umask says otherwise.
    current = os.umask(0o022)
    os.umask(current)
    assert mode == 0o666 & ~current


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--volumes", "auto", "--max-pages", "5"), "--max-pages must be at least 8, not 5"),
        (("--notes", "sideways"), "--notes must be one of keep, end, drop, not 'sideways'"),
        (("--summaries", "x"), "--summaries must be one of keep, end, drop, not 'x'"),
        (("--style", "x"), "--style must be one of book, block, not 'x'"),
        (("--chapter-titles", "x"), "--chapter-titles must be one of full, title, not 'x'"),
        (("--chapter-numbers", "x"), "--chapter-numbers must be one of numerals, words, not 'x'"),
        (("--opening", "weird"), "--opening must be one of dropcap, smallcaps, plain, not 'weird'"),
    ],
)
def test_bad_option_values_get_one_line(
    runner: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    # Every option checks its value the same way: one line and exit 2, no Typer error box.
    result = run(runner, "convert", SEED, "-o", tmp_path / "x.epub", *args)
    assert result.exit_code == 2
    assert result.stderr == f"fic2book: usage: {message}\n"
    assert not (tmp_path / "x.epub").exists()


def test_choices_take_any_case(runner: CliRunner, tmp_path: Path) -> None:
    result = run(
        runner, "convert", SEED, "-o", tmp_path / "x.epub", "--notes", "End", "--style", "BLOCK"
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("serve", "--port", "70000"), "--port must be 0 to 65535, not 70000"),
        (("serve", "--jobs", "-1"), "--jobs must be 0 or more, not -1"),
    ],
)
def test_bad_numbers_get_one_line(runner: CliRunner, args: tuple[str, ...], message: str) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2
    assert result.stderr == f"fic2book: usage: {message}\n"


def test_convert_help_shows_the_main_modes(runner: CliRunner) -> None:
    result = run(runner, "convert", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    for example in ("--combine -o saga.epub", "--volumes auto --max-pages 300", "--theme modern"):
        assert "fic2book convert " in result.stdout and example in result.stdout, example


def test_update_help_shows_the_book_s_design_as_default(runner: CliRunner) -> None:
    # update's default for a design option is the book's record, not convert's default.
    result = run(runner, "update", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "[default: classic]" not in result.stdout
    assert "[default: keep]" not in result.stdout
    assert result.stdout.count("[default: (the book's)]") >= 10
    convert = run(runner, "convert", "--help", env={"COLUMNS": "200"})
    assert "[default: classic]" in convert.stdout  # convert's own defaults are untouched
