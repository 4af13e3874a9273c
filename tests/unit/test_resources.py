"""``resources.data_path``: bundled templates and styles in a checkout and in an installed wheel."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import fic2book.resources
from fic2book.resources import data_path

ROOT = Path(__file__).resolve().parents[2]


def test_templates_found_in_checkout() -> None:
    templates = data_path("templates")
    assert templates.is_dir()
    assert (templates / "parts" / "title_page.html.j2").is_file()
    assert (templates / "parts" / "chapter.html.j2").is_file()


def test_styles_found_in_checkout() -> None:
    styles = data_path("styles")
    assert styles.is_dir()
    assert (styles / "book.css").is_file()


def _load_copy(package: Path) -> object:
    """Import a copy of resources.py from ``package`` as if it were installed there."""
    package.mkdir(parents=True)
    target = package / "resources.py"
    shutil.copy(fic2book.resources.__file__, target)
    spec = importlib.util.spec_from_file_location("copied_resources", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_inside_package_wins(tmp_path: Path) -> None:
    # The wheel layout: site-packages/fic2book/templates next to resources.py.
    package = tmp_path / "site-packages" / "fic2book"
    module = _load_copy(package)
    (package / "templates").mkdir()
    (tmp_path / "site-packages" / "templates").mkdir()
    assert module.data_path("templates") == package.resolve() / "templates"  # type: ignore[attr-defined]


def test_falls_back_to_repository_top(tmp_path: Path) -> None:
    # The checkout / editable layout: templates/ beside the package folder.
    package = tmp_path / "repo" / "fic2book"
    module = _load_copy(package)
    assert module.data_path("styles") == package.resolve().parent / "styles"  # type: ignore[attr-defined]
