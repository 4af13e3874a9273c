"""Progress of a conversion: shown on a terminal, silent elsewhere and with --quiet."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_file
from fic2book.progress import StageDisplay, listening, report
from tests.conftest import DATA

SEED = DATA / "no-office-relations.txt"


def test_report_without_a_listener_does_nothing() -> None:
    report("Writing the EPUB")  # no display, no error


def test_a_terminal_shows_the_stages_of_a_book(tmp_path: Path) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    seen: list[str] = []
    with StageDisplay(console, "[b]seed[/b].txt", delay=0) as display:

        def listener(stage: str) -> None:
            seen.append(stage)
            display.stage(stage)

        with listening(listener):
            convert_file(SEED, ["epub"], tmp_path, RenderOptions(no_cover=True))
    assert seen == ["Writing the EPUB"]
    shown = screen.getvalue()
    assert "\x1b[" in shown  # drawn for a terminal
    # The last stage, with the file name as typed (not read as markup).
    assert "[b]seed[/b].txt: Writing the EPUB" in shown


def test_a_display_closed_before_its_delay_draws_nothing() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True)
    with StageDisplay(console, "quick.txt", delay=60) as display:
        display.stage("Writing the EPUB")
    assert screen.getvalue() == ""


def test_off_a_terminal_convert_prints_only_what_it_wrote(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["convert", str(SEED), "--to", "epub", "-o", f"{tmp_path}/"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["wrote"]
    quiet = CliRunner().invoke(
        app, ["convert", str(SEED), "--to", "epub", "-o", f"{tmp_path}/q/", "-q"]
    )
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
