"""The wheel ships the templates, styles and type marker, and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fic2book.resources import data_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: the build backend (hatchling, a dev dependency) is already
    # installed, and isolation would need the network.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("fic2book-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_contains_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "fic2book/templates/parts/title_page.html.j2",
        "fic2book/templates/parts/chapter.html.j2",
        "fic2book/styles/book.css",
        "fic2book/py.typed",
        "fic2book/cli/__init__.py",
        "fic2book/readers/__init__.py",
        "fic2book/backends/__init__.py",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    # Every bundled template and stylesheet in the checkout made it in.
    for kind in ("templates", "styles"):
        for file in data_path(kind).rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                relative = file.relative_to(data_path(kind)).as_posix()
                assert f"fic2book/{kind}/{relative}" in names
    # Nothing lands at the top level of site-packages besides the package and its metadata.
    assert {name.split("/")[0] for name in names} == {
        "fic2book",
        next(n.split("/")[0] for n in names if ".dist-info/" in n),
    }
    assert not any(name.startswith(("tests/", "samples/")) for name in names)


@pytest.mark.slow
def test_wheel_declares_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        text = archive.read(entry_points).decode()
    assert "fic2book = fic2book.cli:main" in text


def test_data_path_finds_checkout_templates() -> None:
    assert (data_path("templates") / "parts" / "title_page.html.j2").is_file()
    assert (data_path("styles") / "book.css").is_file()
