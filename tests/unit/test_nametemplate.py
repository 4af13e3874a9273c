"""``--name`` templates: every field, format specs, empty fields, folders, hostile values."""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from fic2book.backends import backend_for
from fic2book.errors import UsageError
from fic2book.model import Stats
from fic2book.nametemplate import FIELDS, NameTemplate, book_path, name_fields
from fic2book.options import RenderOptions
from fic2book.pipeline import plan_targets
from tests.conftest import make_work

EVERY_FIELD = (
    "{fandom}/{series}/{part:02} {title} - {authors} [{rating}] {work_id} {language} "
    "{words:,} {chapters} {date:%Y-%m-%d}"
)


def render(template: str, suffix: str = ".epub", **values: Any) -> str:
    return NameTemplate.parse(template).render(values, suffix).as_posix()


def test_every_field_of_a_work() -> None:
    fields = name_fields(make_work())
    assert set(FIELDS) <= set(fields)
    assert render(EVERY_FIELD, **fields) == (
        "Original Work/The Series/02 A Test Work - alpha, Beta Pseud (beta) "
        "[Teen And Up Audiences] 123456 en 20 2 2024-02-03.epub"
    )


def test_default_formats_and_specs() -> None:
    fields = name_fields(make_work())
    assert render("{date}", **fields) == "2024-02-03.epub"
    assert render("{work_id:>08}", **fields) == "00123456.epub"
    assert render("{title:.6}", **fields) == "A Test.epub"
    assert render("{words:05}", **fields) == "00020.epub"


def test_words_are_counted_when_not_declared() -> None:
    fields = name_fields(make_work(stats=Stats()))
    assert fields["words"] == 15 and fields["date"] is None  # the bodies, as inspect counts


def test_no_template_is_the_usual_name() -> None:
    fields = name_fields(make_work())
    assert book_path(None, fields, ".pdf") == PurePosixPath(
        "A Test Work - alpha, Beta Pseud (beta).pdf"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{series} {part:02} - {title}", "Title.epub"),  # empty at the start: the text after
        ("{title} ({series})", "Title.epub"),  # empty at the end: the text after too
        ("[{rating}] {title} ({series} {part})", "Title.epub"),
        ("{title} - {series} - {authors}", "Title - Author.epub"),  # the text before it
        ("{fandom}/{series}/{title}", "Title.epub"),  # empty folders are left out
        ("books/{title}", "books/Title.epub"),  # literal folders stay
        ("{series}", "Untitled.epub"),
    ],
)
def test_empty_fields_disappear_with_their_separator(template: str, expected: str) -> None:
    values = {"title": "Title", "authors": "Author", "series": None, "part": None, "fandom": ""}
    assert NameTemplate.parse(template).render(values, ".epub").as_posix() == expected


@pytest.mark.parametrize(
    "template",
    [
        "{nope}",
        "{}",
        "{0}",
        "{title.upper}",
        "{authors[0]}",
        "{title!r}",
        "{part:zz}",
        "{title:02d}",
        "{title",
        "{part:{words}}",
        "{title}/",
        "",
    ],
)
def test_bad_templates_are_usage_errors(template: str) -> None:
    with pytest.raises(UsageError, match="--name"):
        NameTemplate.parse(template)
    with pytest.raises(UsageError, match="--name"):
        RenderOptions(name=template)


HOSTILE = [
    "../../etc",
    "/etc/passwd",
    "a\0b",
    "x - \u202egpj.exe",
    "..",
    "CON",
    ".hidden",
    "a/../b",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_one_safe_component(value: str, tmp_path: Path) -> None:
    work = make_work(title=value, series=(dataclasses.replace(make_work().series[0], name=value),))
    options = RenderOptions(name="{series}/{title} {authors}")
    out = tmp_path / "out"
    (target,) = plan_targets(work, [backend_for("epub")], out, into_folder=True, name=options.name)
    relative = target.relative_to(out)  # raises if the book left -o
    assert 1 <= len(relative.parts) <= 2  # a folder of dots alone is left out
    for part in relative.parts:
        assert part not in ("", ".", "..") and not part.startswith(".")
        assert "\0" not in part and "\u202e" not in part and "/" not in part
    assert target.resolve().is_relative_to(out.resolve())


def test_hostile_template_text_stays_inside(tmp_path: Path) -> None:
    work = make_work()
    for template in ("../{title}", "/{title}", "../../x/{title}", "{title}/../../y"):
        (target,) = plan_targets(
            work, [backend_for("epub")], tmp_path, into_folder=True, name=template
        )
        assert target.resolve().is_relative_to(tmp_path.resolve()), template
        assert ".." not in target.relative_to(tmp_path).parts
