"""The pydantic-free coercion of plain command-line values (fic2book/fastparams.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

import fic2book.cli  # noqa: F401  (installs the fast coercion)
from fic2book.fastparams import install

runner = CliRunner()
DATA = Path(__file__).resolve().parent.parent / "data" / "no-office-relations.txt"


def _app(seen: dict[str, object]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def run(
        paths: Annotated[list[Path], typer.Argument()],
        number: Annotated[int, typer.Option()] = 1,
        ratio: Annotated[float, typer.Option()] = 0.5,
        name: Annotated[str, typer.Option()] = "x",
        flag: Annotated[bool, typer.Option()] = False,
        bounded: Annotated[int, typer.Option(min=1, max=3)] = 2,
    ) -> None:
        seen.update(paths=paths, number=number, ratio=ratio, name=name, flag=flag, bounded=bounded)

    return app


def test_installed_and_idempotent() -> None:
    assert install() is True
    assert install() is True


def test_plain_values_convert_as_before() -> None:
    seen: dict[str, object] = {}
    args = ["a.txt", "b/c.md", "--number", "-7", "--ratio", "1e3", "--name", "ü", "--flag"]
    result = runner.invoke(_app(seen), args)
    assert result.exit_code == 0, result.output
    assert seen == {
        "paths": [Path("a.txt"), Path("b/c.md")],
        "number": -7,
        "ratio": 1000.0,
        "name": "ü",
        "flag": True,
        "bounded": 2,
    }


def test_odd_spellings_and_errors_go_to_typer() -> None:
    seen: dict[str, object] = {}
    # Pydantic's lax mode reads "1_000" as 1000; the fast path leaves it to pydantic.
    result = runner.invoke(_app(seen), ["a", "--number", "1_000", "--ratio", "2"])
    assert result.exit_code == 0, result.output
    assert seen["number"] == 1000 and seen["ratio"] == 2.0
    bad = runner.invoke(_app({}), ["a", "--number", "many"])
    assert bad.exit_code == 2 and "--number" in bad.output
    # Constrained options keep Typer's own checks.
    out_of_range = runner.invoke(_app({}), ["a", "--bounded", "9"])
    assert out_of_range.exit_code == 2
    assert "--bounded" in out_of_range.output and "less than or equal to 3" in out_of_range.output
    below = runner.invoke(_app({}), ["a", "--bounded", "0"])
    assert below.exit_code == 2


def test_bounded_numbers_in_range_take_the_fast_path() -> None:
    seen: dict[str, object] = {}
    for value in ("1", "3"):
        result = runner.invoke(_app(seen), ["a", "--bounded", value])
        assert result.exit_code == 0, result.output
        assert seen["bounded"] == int(value)


@pytest.mark.parametrize(
    "args",
    [
        ["inspect", str(DATA)],
        # convert has a bounded option (--pdf-jobs, min=0): it must not pull pydantic in either.
        ["convert", str(DATA), "--to", "epub", "--no-cover", "--pdf-jobs", "2", "-o", "{out}"],
    ],
)
def test_cli_commands_need_no_pydantic(args: list[str], tmp_path: Path) -> None:
    import subprocess

    args = [a.replace("{out}", str(tmp_path / "book.epub")) for a in args]
    code = (
        "import sys; from fic2book.cli import app; from typer.testing import CliRunner; "
        f"r = CliRunner().invoke(app, {args!r}); "
        "assert r.exit_code == 0, r.output; "
        "print('pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
