"""What keeps ``fic2book inspect`` quick (issue 7): lazy readers, few imports, fast escaping.

Timings are left to ``benchmarks/compare.py``; these tests pin down the means: which modules a
command imports, that the readers' static table cannot drift from the readers, and that the
faster ``paragraphs`` escapes exactly as before.
"""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import Markup

from fic2book.readers import BUILTIN_READERS, READERS, reader_infos
from fic2book.sanitize import paragraphs

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "no-office-relations.txt"
# Never needed to read a .txt work and print what was found.
HEAVY = (
    "weasyprint",
    "ebooklib",
    "dask",
    "docutils",
    "rich",
    "lxml",
    "markdown_it",
    "nh3",
    "langcodes",
    "jinja2",
    "PIL",
    "fic2book.backends",
    "fic2book.pipeline",
    "fic2book.typography",
    "fic2book.readers.ao3_html",
    "fic2book.readers.epub",
    "fic2book.readers.markdown",
)


def imported_by(args: list[str]) -> set[str]:
    """Top-level and fic2book modules loaded by running the command line with ``args``."""
    code = (
        "import sys\n"
        "from fic2book.cli import main\n"
        f"sys.argv = ['fic2book', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stderr.split())


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The packages of ``names`` that were imported, in whole or in part."""
    return [
        name
        for name in names
        if any(m.split(".")[: name.count(".") + 1] == name.split(".") for m in modules)
    ]


@pytest.mark.parametrize("args", [["inspect", str(SEED)], ["inspect", str(SEED), "--json"]])
def test_inspect_of_a_text_work_imports_nothing_heavy(args: list[str]) -> None:
    modules = imported_by(args)
    assert "fic2book.readers.text" in modules  # the check would pass on a failed run otherwise
    assert loaded(modules, HEAVY) == []


def test_formats_imports_no_reader() -> None:
    modules = imported_by(["formats"])
    assert [info.module for info in BUILTIN_READERS if info.module in modules] == []


@pytest.mark.parametrize("info", BUILTIN_READERS, ids=lambda info: info.name)
def test_static_table_matches_the_reader(info: object) -> None:
    from fic2book.readers import ReaderInfo

    assert isinstance(info, ReaderInfo)
    importlib.import_module(info.module)
    cls = READERS[info.name]
    assert cls.__module__ == info.module
    assert (cls.name, cls.suffixes, cls.description) == (
        info.name,
        info.suffixes,
        info.description,
    )


def test_every_registered_reader_is_in_the_table() -> None:
    # Importing every reader module registers nothing the static table does not list.
    for info in BUILTIN_READERS:
        importlib.import_module(info.module)
    assert [info.name for info in reader_infos()] == [info.name for info in BUILTIN_READERS]
    assert list(READERS) == [info.name for info in BUILTIN_READERS]


def _paragraphs_before(texts: list[str]) -> Markup:
    """``paragraphs`` as first written, with Markup.format per paragraph."""
    return Markup("\n").join(Markup("<p>{}</p>").format(t) for t in texts if t.strip())


@pytest.mark.parametrize("seed", range(10))
def test_paragraphs_escape_as_before(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = [*"ab <>&\"'\n\t\u00a0é{}%", "&amp;", "{0}", "</p>", "\ud800", "  "]
    for _ in range(200):
        texts: list[str] = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for _ in range(rng.randint(0, 5))
        ]
        # Markup passed in is trusted and kept as it is, by both.
        texts = [Markup(t) if rng.random() < 0.2 else t for t in texts]
        before, after = _paragraphs_before(texts), paragraphs(texts)
        assert after == before and type(after) is Markup, texts
