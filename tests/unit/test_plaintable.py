"""``fic2book.plaintable`` prints exactly what Rich prints, or declines.

Every table is also rendered by Rich (the library ``inspect`` used before, and still uses for
terminals and anything ``plaintable`` declines) on an unstyled console of the same width.
"""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console
from rich.table import Table

from fic2book.plaintable import Column, plain_output_width, render_table

FIELDS = [Column(no_wrap=True), Column(fold=True)]
CHAPTERS = [
    Column("#", justify="right"),
    Column("Heading", fold=True),
    Column("Words", justify="right"),
    Column("Summary / notes / end notes", fold=True),
]
# Word material: plain, accented, curly quotes, wide CJK, a combining accent, very long words.
VOCABULARY = [
    "the",
    "a",
    "Javert/Jean",
    "Valjean",
    "Teen",
    "And",
    "Up",
    "Audiences",
    "café",
    "Don\u2019t",
    "\u201cQuoted\u201d",
    "東京",
    "の物語",
    "e\u0301te\u0301",
    "-",
    "https://archiveofourown.org/works/8621107",
    "Supercalifragilisticexpialidocious-and-then-some-more",
    "x" * 90,
]


def rich_render(
    title: str, columns: list[Column], rows: list[list[str]], width: int, header: bool
) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, highlight=False, markup=False, emoji=False, color_system=None
    )
    table = Table(title=title, show_header=header, show_lines=False)
    for column in columns:
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow="fold" if column.fold else "ellipsis",
        )
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return out.getvalue()


def phrase(rng: random.Random, most: int) -> str:
    lines = [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, most)))
        for _ in range(rng.choice([1, 1, 1, 2, 3]))
    ]
    return "\n".join(lines)


def random_tables(rng: random.Random) -> list[tuple[str, list[Column], list[list[str]], bool]]:
    labels = ["Title", "Authors", "Additional Tags", "Summary", "URL"]
    work = [[label, phrase(rng, 12)] for label in labels[: rng.randint(1, len(labels))]]
    chapters = [
        [str(n), phrase(rng, 6), f"{rng.randint(0, 200_000):,}", rng.choice(["-", "notes"])]
        for n in range(1, rng.randint(1, 12))
    ]
    return [
        (phrase(rng, 8).replace("\n", " "), FIELDS, work, False),
        ("Chapters", CHAPTERS, chapters, True),
    ]


@pytest.mark.parametrize("seed", range(60))
def test_same_as_rich(seed: int) -> None:
    rng = random.Random(seed)
    rendered = 0
    for width in (24, 40, 57, 80, 100, 133):
        for title, columns, rows, header in random_tables(rng):
            ours = render_table(title, columns, rows, width, header)
            if ours is not None:
                rendered += 1
                assert ours == rich_render(title, columns, rows, width, header), (width, rows)
    # Declining everything would pass the comparison trivially.
    assert rendered >= 4


def test_inspect_like_table_is_rendered() -> None:
    rows = [
        ["Title", "No Office Relations"],
        ["Relationships", "Javert/Jean Valjean"],
        ["Summary", "One line.\nAnother, much longer line that has to wrap somewhere " * 3],
    ]
    ours = render_table("No Office Relations", FIELDS, rows, 80, False)
    assert ours is not None and ours.startswith(" " * 30 + "No Office Relations")
    assert ours == rich_render("No Office Relations", FIELDS, rows, 80, False)


@pytest.mark.parametrize(
    "text",
    ["tab\there", "carriage\rreturn", "non\u00a0breaking", "line\u2028separator", "bell\x07"],
)
def test_declines_what_rich_rewrites(text: str) -> None:
    assert render_table("t", FIELDS, [["Title", text]], 80, False) is None


def test_declines_cutting_with_an_ellipsis() -> None:
    # A right-aligned column squeezed below its number's width: Rich cuts it with "…".
    rows = [["1" * 30, "x", "2" * 30, "y"]]
    assert render_table("Chapters", CHAPTERS, rows, 40, True) is None


def test_output_width_follows_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    assert plain_output_width(stream, {"COLUMNS": "57"}) == 57
    assert plain_output_width(stream, {"FORCE_COLOR": "1"}) is None
    assert plain_output_width(stream, {"TTY_COMPATIBLE": "1"}) is None
    # No terminal anywhere (pytest captures stdin, stdout and stderr): Rich's default.
    monkeypatch.setattr("os.get_terminal_size", _no_terminal)
    assert plain_output_width(stream, {}) == 80


def _no_terminal(descriptor: int) -> object:
    raise OSError("not a terminal")
