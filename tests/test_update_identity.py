"""``fic2book update`` pairs chapters by identity, and refuses omnibuses and volumes.

An author inserting or deleting a chapter in the middle must mark that chapter alone; an
omnibus or one volume of a split work cannot be rebuilt from one download and is refused in
one line with the usage exit code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.chapter_match import ChapterPrint, match_chapters
from fic2book.cli import app
from fic2book.model import Chapter, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from fic2book.update import read_state, update_book

DATA = Path(__file__).parent / "data" / "ao3"
WIP = DATA / "ao3-2023-wip.html"
DAY = dt.date(2026, 12, 3)

#: Distinct made-up chapter texts, long enough to tell an edit from another chapter.
TEXTS = [
    " ".join(f"{word}{n}" for n in range(60))
    for word in ("harbour", "lantern", "orchard", "quarry", "meadow", "glacier")
]


def _work(*specs: tuple[str | None, int]) -> Work:
    """The WIP fixture's work with made-up chapters (title, text number), numbered in order."""
    base = read_work(WIP, None)
    chapters = tuple(
        Chapter(number, title, Markup(f"<p>{TEXTS[text]}</p>"))
        for number, (title, text) in enumerate(specs, start=1)
    )
    return dataclasses.replace(base, chapters=chapters)


def _book(tmp_path: Path, work: Work, name: str = "old.epub") -> Path:
    book = tmp_path / name
    book.write_bytes(build_epub(prepare(work, RenderOptions()), RenderOptions()))
    return book


def _update(
    book: Path, newer: Work
) -> tuple[bytes, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    result = update_book(book, newer, RenderOptions(), DAY)
    data = build_epub(result.work, RenderOptions())
    return data, result.entry.added, result.entry.changed, result.entry.removed


def _member(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


def _marked(data: bytes) -> list[str]:
    """The contents entries marked new, as the nav shows them."""
    nav = _member(data, "EPUB/nav.xhtml")
    entries = re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)
    return [re.sub(r"<[^>]+>", "", entry).strip() for entry in entries if "new" in entry]


def test_a_chapter_inserted_in_the_middle_marks_only_itself(tmp_path: Path) -> None:
    old = _book(tmp_path, _work(("Dawn", 0), (None, 1), ("Dusk", 2), (None, 3)))
    newer = _work(("Dawn", 0), ("Interlude", 4), (None, 1), ("Dusk", 2), (None, 3))
    data, added, changed, removed = _update(old, newer)
    assert (added, changed, removed) == (("Chapter 2: Interlude",), (), ())
    assert _marked(data) == ["Chapter 2: Interlude (new)"]


def test_a_chapter_deleted_in_the_middle_is_logged_as_removed(tmp_path: Path) -> None:
    old = _book(tmp_path, _work(("Dawn", 0), ("Noon", 1), (None, 2), ("Dusk", 3)))
    newer = _work(("Dawn", 0), (None, 2), ("Dusk", 3))
    data, added, changed, removed = _update(old, newer)
    assert (added, changed, removed) == ((), (), ("Chapter 2: Noon",))
    assert _marked(data) == []
    log = _member(data, "EPUB/update_log.xhtml")
    assert "Chapters removed" in log and "Chapter 2: Noon" in log
    # The log survives the next update, removed chapters and all.
    again = tmp_path / "again.epub"
    again.write_bytes(data)
    state = read_state(again.read_bytes(), again.name)
    assert state.updates[0].removed == ("Chapter 2: Noon",)


def test_an_edit_next_to_an_insertion_is_changed_and_the_insertion_added(tmp_path: Path) -> None:
    old = _book(tmp_path, _work(("Dawn", 0), ("Noon", 1), ("Dusk", 2)))
    edited = TEXTS[1].replace("lantern7 ", "lamp ")
    newer = _work(("Dawn", 0), ("Storm", 3), ("Noon", 1), ("Dusk", 2))
    newer = dataclasses.replace(
        newer,
        chapters=(
            *newer.chapters[:2],
            dataclasses.replace(newer.chapters[2], body=Markup(f"<p>{edited}</p>")),
            newer.chapters[3],
        ),
    )
    data, added, changed, removed = _update(old, newer)
    assert (added, changed, removed) == (("Chapter 2: Storm",), ("Chapter 3: Noon",), ())
    assert _marked(data) == ["Chapter 2: Storm (new)", "Chapter 3: Noon (new)"]


def test_a_renamed_chapter_is_changed(tmp_path: Path) -> None:
    old = _book(tmp_path, _work(("Dawn", 0), ("Noon", 1)))
    _, added, changed, removed = _update(old, _work(("Dawn", 0), ("High Noon", 1)))
    assert (added, changed, removed) == ((), ("Chapter 2: High Noon",), ())


def test_untitled_chapters_are_known_by_their_words() -> None:
    def prints(*texts: int) -> list[ChapterPrint]:
        return [
            ChapterPrint(f"Chapter {n}", f"Chapter {n}", f"fp{t}", tuple(TEXTS[t].split()))
            for n, t in enumerate(texts, start=1)
        ]

    old = prints(0, 1, 2)
    # An untitled chapter inserted before an edited one: words, not headings, pair them.
    new = prints(0, 3, 1, 2)
    edited = tuple(TEXTS[1].replace("lantern3 ", "lamp ").split())
    new[2] = dataclasses.replace(new[2], fingerprint="fp1-edited", words=edited)

    def heading_at(i: int, j: int) -> str:
        return f"Chapter {i + 1}"

    match = match_chapters(old, new, heading_at, [False] * len(new))
    assert match.old_of == (0, None, 1, 2)
    assert match.is_new == (False, True, True, False)
    assert match.removed == ()


def _without_markers(book: Path) -> None:
    """Rewrite ``book`` as fic2book wrote it before it marked omnibuses and volumes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                data = re.sub(
                    rb"<meta property=\"fic2book:(omnibus|volume)\"[^<]*</meta>", b"", data
                )
            target.writestr(info, data)
    book.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("marked", [True, False], ids=["marked", "older-book"])
def test_update_refuses_an_omnibus_and_a_volume(tmp_path: Path, marked: bool) -> None:
    runner = CliRunner()
    omnibus = tmp_path / "omnibus.epub"
    chaptered = DATA / "ao3-2021-chaptered.html"
    made = runner.invoke(
        app, ["convert", str(WIP), str(chaptered), "--combine", "-o", str(omnibus)]
    )
    assert made.exit_code == 0, made.output
    volumes = tmp_path / "volumes"
    made = runner.invoke(app, ["convert", str(WIP), "--volumes", "1-2,3-", "-o", f"{volumes}/"])
    assert made.exit_code == 0, made.output
    (volume,) = [path for path in volumes.iterdir() if "1" in path.stem.split("Volume")[-1]]
    if not marked:
        _without_markers(omnibus)
        _without_markers(volume)
    for book, words in ((omnibus, "omnibus"), (volume, "volume 1 of 2" if marked else "a volume")):
        before = book.read_bytes()
        result = runner.invoke(app, ["update", str(book), str(WIP)])
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert words in result.output
        assert book.read_bytes() == before
