"""The settings file (fic2book.toml): precedence, per-command tables, errors, ``config``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fic2book.cli import app
from fic2book.config import key_line
from tests.conftest import DATA

SEED = DATA / "no-office-relations.txt"
SEED_NAME = "No Office Relations - movielover55"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """Write ``text`` as the user's own fic2book.toml (under a fresh XDG_CONFIG_HOME)."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return write(home / "fic2book" / "fic2book.toml", text)


def one_line(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


# --- precedence ----------------------------------------------------------------------------


def test_file_sets_a_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user_file(tmp_path, monkeypatch, f'[convert]\noutput = "{tmp_path / "from-file"}/"\n')
    result = run("convert", SEED)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "from-file" / f"{SEED_NAME}.epub").is_file()


def test_command_line_beats_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user_file(tmp_path, monkeypatch, f'[convert]\noutput = "{tmp_path / "from-file"}/"\n')
    result = run("convert", SEED, "-o", f"{tmp_path / 'cli'}/")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "cli" / f"{SEED_NAME}.epub").is_file()
    assert not (tmp_path / "from-file").exists()


def test_command_table_beats_the_top_level(tmp_path: Path) -> None:
    config = write(
        tmp_path / "my.toml",
        f'output = "{tmp_path / "top"}/"\n[convert]\noutput = "{tmp_path / "table"}/"\n',
    )
    result = run("--config", config, "convert", SEED)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "table" / f"{SEED_NAME}.epub").is_file()


def test_a_table_applies_to_its_command_only(tmp_path: Path) -> None:
    # [batch]'s bad --to would fail convert if it leaked into it.
    config = write(
        tmp_path / "my.toml", f'[batch]\nto = "epub"\n[convert]\noutput = "{tmp_path}/c/"\n'
    )
    result = run("--config", config, "config", "show")
    assert result.exit_code == 0, result.stderr
    convert, batch = result.stdout.split("[batch]")
    assert f'output = "{tmp_path}/c/"' in convert
    assert 'to = ["epub"]  # ' + str(config) in batch
    assert "# to is not set  # default" in convert


def test_environment_variable_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "env.toml", f'output = "{tmp_path}/env/"\n')
    result = run("convert", SEED, env={"FIC2BOOK_CONFIG": str(config)})
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "env" / f"{SEED_NAME}.epub").is_file()


def test_convert_output_expands_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = write(tmp_path / "my.toml", '[convert]\noutput = "~/Books/"\n')
    result = run("--config", config, "convert", SEED)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "home" / "Books" / f"{SEED_NAME}.epub").is_file()


def test_list_values_and_relative_paths(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "extra.css", "p { color: black }\n")
    config = write(tmp_path / "conf" / "fic2book.toml", 'to = ["epub", "pdf"]\ncss = "extra.css"\n')
    result = run("--config", config, "config", "show")
    assert result.exit_code == 0, result.stderr
    assert 'to = ["epub", "pdf"]' in result.stdout
    # A path in the file is relative to the file's folder, not to where fic2book runs.
    assert f'css = ["{tmp_path / "conf" / "extra.css"}"]' in result.stdout


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'smart = true\n\n[convert]\n# a comment\nstlye = "block"\n',
            ":5: [convert] stlye: unknown",
        ),
        ('colour = "red"\n', ":1: unknown key 'colour'"),
        ("[convert]\npage-size = 5\n", ":2: [convert] page-size: expects a string"),
        ('[convert]\nstyle = "blok"\n', ":2: [convert] style: "),
        ('\n[convert]\npage-size = "a9x"\n', ":3: [convert] page-size: page size 'a9x' is"),
        ('gutter = "900mm"\n', ":1: gutter: gutter '900mm' is not between 0 and 40 mm"),
        ('name = "{title} {colour}"\n', ":1: name: --name: unknown field {colour}"),
        ('\n[bind]\nflyleaves = "many"\n', ":3: [bind] flyleaves: "),
        ('max-input-size = "12Q"\n', ":1: max-input-size: size '12Q'"),
        ('[convrt]\nstyle = "block"\n', ":1: unknown table [convrt]"),
        ("[convert]\nstyle = \n", ": not valid TOML: Invalid value (at line 2, column 9)"),
    ],
)
def test_errors_name_the_file_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    config = write(tmp_path / "my.toml", text)
    line = one_line(run("--config", config, "convert", SEED))
    assert line.startswith(f"fic2book: config: {config}{expected}"), line


def test_a_bad_user_file_fails_config_show_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = user_file(tmp_path, monkeypatch, "[batch]\njobs = 0\n")
    line = one_line(run("config", "show"))
    assert line.startswith(f"fic2book: config: {config}:2: [batch] jobs: "), line


def test_missing_named_file(tmp_path: Path) -> None:
    line = one_line(run("--config", tmp_path / "nope.toml", "convert", SEED))
    assert line == f"fic2book: config: {tmp_path / 'nope.toml'}: No such file or directory"


def test_missing_user_file_is_no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("convert", SEED)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / f"{SEED_NAME}.epub").is_file()


def test_key_line_rule() -> None:
    text = 'to = "a"\n[convert]\n  "to" = "b"\n[batch]\n# to = "c"\nto=\'d\'\n'
    assert key_line(text, None, "to") == 1
    assert key_line(text, "convert", "to") == 3
    assert key_line(text, "batch", "to") == 6
    assert key_line(text, "bind", "to") == 1


# --- config path / show --------------------------------------------------------------------


def test_config_path_is_in_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = run("config", "path")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{tmp_path / 'fic2book' / 'fic2book.toml'}\n"


def test_config_path_names_the_chosen_file(tmp_path: Path) -> None:
    result = run("--config", tmp_path / "x.toml", "config", "path")
    assert result.stdout == f"{tmp_path / 'x.toml'}\n"


def test_config_show_says_where_each_value_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = user_file(tmp_path, monkeypatch, 'page-size = "letter"\n\n[convert]\nsmart = false\n')
    result = run("config", "show")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"# settings file: {config}"
    convert = lines[lines.index("[convert]") : lines.index("[batch]")]
    assert f'page-size = "letter"  # {config}:1' in convert
    assert f"smart = false  # {config}:4" in convert
    assert 'style = "book"  # default' in convert
    bind = lines[lines.index("[bind]") :]
    assert 'trim = "a5"  # default' in bind  # bind has no --page-size
    assert "smart = true  # default" in bind


def test_config_show_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = run("config", "show")
    assert result.exit_code == 0, result.stderr
    assert "(not there: every setting is a default)" in result.stdout.splitlines()[0]
    assert "# settings file: " in result.stdout and "  # /" not in result.stdout


# --- batch: the file's settings are part of the fingerprint ---------------------------------


def test_changing_the_file_rebuilds_batch_books(tmp_path: Path) -> None:
    """Settings from the file reach RenderOptions, whose fingerprint decides what is stale."""
    library = write(tmp_path / "lib" / "w.txt", "Title: W\nAuthor: A\n\nOne paragraph.\n").parent
    config = tmp_path / "fic2book.toml"
    report = tmp_path / "report.json"

    def statuses(style: str) -> list[str]:
        write(config, f'no-cover = true\n[batch]\nstyle = "{style}"\njobs = 1\n')
        result = run(
            "--config", config, "batch", library, "-o", tmp_path / "out", "-q", "--report", report
        )
        assert result.exit_code == 0, result.stderr
        return [work["status"] for work in json.loads(report.read_text())["works"]]

    assert statuses("book") == ["converted"]
    assert statuses("book") == ["skipped"]
    assert statuses("block") == ["converted"]
