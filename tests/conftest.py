"""Shared fixtures: a model factory, the sample paths, the golden-file switch, one EPUBCheck JVM."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fic2book.html.sanitize import SCENE_BREAK, paragraphs, text_block
from fic2book.model import Chapter, SeriesEntry, Stats, Status, TagGroup, TagKind, Work
from tests.epubcheck import stop_session_server

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/expected from the current output (review the git diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def sample(name: str) -> Path:
    """Path of a file in samples/."""
    return SAMPLES / name


def make_work(**overrides: Any) -> Work:
    """A small, fully populated work; keyword arguments replace fields."""
    body_1 = paragraphs(["First chapter, first paragraph.", "It goes on a little."])
    body_1 = body_1 + SCENE_BREAK + paragraphs(["After the break."])
    chapters = (
        Chapter(
            number=1,
            title="The Beginning",
            body=body_1,
            summary=text_block("Chapter one summary."),
            notes=text_block("Chapter one notes."),
            end_notes=text_block("Chapter one end notes."),
        ),
        Chapter(number=2, title=None, body=paragraphs(["Second chapter text."])),
    )
    work = Work(
        title="A Test Work",
        authors=("alpha", "Beta Pseud (beta)"),
        language="en",
        language_name="English",
        chapters=chapters,
        tag_groups=(
            TagGroup(TagKind.RATING, ("Teen And Up Audiences",)),
            TagGroup(TagKind.WARNINGS, ("No Archive Warnings Apply",)),
            TagGroup(TagKind.CATEGORIES, ("F/M", "Gen")),
            TagGroup(TagKind.FANDOMS, ("Original Work",)),
            TagGroup(TagKind.RELATIONSHIPS, ("A/B",)),
            TagGroup(TagKind.CHARACTERS, ("A", "B")),
            TagGroup(TagKind.ADDITIONAL_TAGS, ("Fluff", "Angst")),
        ),
        series=(SeriesEntry("The Series", 2),),
        collections=("An Exchange",),
        stats=Stats(
            published=dt.date(2024, 1, 2),
            updated=dt.date(2024, 2, 3),
            words=20,
            chapters_posted=2,
            chapters_total=None,
        ),
        declared_status=Status.IN_PROGRESS,
        summary=text_block("The work's summary."),
        notes=text_block("The work's notes."),
        end_notes=text_block("The work's end notes."),
        work_id="123456",
        url="https://archiveofourown.org/works/123456",
    )
    return dataclasses.replace(work, **overrides)


@pytest.fixture(scope="session", autouse=True)
def epubcheck_jvm() -> Iterator[None]:
    """One EPUBCheck JVM per session: started by the first check, if any, and stopped here."""
    yield
    stop_session_server()


@pytest.fixture(autouse=True)
def no_user_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the tester's own fic2book.toml out of every test (see fic2book/config.py)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.delenv("FIC2BOOK_CONFIG", raising=False)
