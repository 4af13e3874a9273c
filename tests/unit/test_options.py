"""RenderOptions: --page-size parsing, and every option checked and normalised on creation."""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.errors import InputError, RenderError, UsageError
from fic2book.options import (
    PAGE_SIZES,
    ChapterTitles,
    PageSize,
    ParagraphStyle,
    RenderOptions,
    css_page_size,
    page_size_mm,
)


def test_defaults_make_an_a5_book() -> None:
    options = RenderOptions()
    assert options.page_size.name == "a5"
    assert css_page_size(options.page_size) == "A5"


@pytest.mark.parametrize("name", sorted(PAGE_SIZES))
def test_every_named_size_has_css_and_dimensions(name: str) -> None:
    assert css_page_size(name) == PAGE_SIZES[name]
    width, height = page_size_mm(name)
    assert 100 < width < height < 300


@pytest.mark.parametrize(
    ("value", "css", "mm"),
    [
        ("A4", "A4", (210.0, 297.0)),
        (" Letter ", "letter", (215.9, 279.4)),
        ("6x9in", "6in 9in", (152.4, 228.6)),
        ("140x216mm", "140mm 216mm", (140.0, 216.0)),
        ("5x8in", "5in 8in", (127.0, 203.2)),
        ("14x21.6CM", "14cm 21.6cm", (140.0, 216.0)),
        ("5.5in x 210mm", "5.5in 210mm", (139.7, 210.0)),
        ("400x600pt", "400pt 600pt", (141.111, 211.667)),
        ("500x800px", "500px 800px", (132.292, 211.667)),
        ("5\u00d78in", "5in 8in", (127.0, 203.2)),
    ],
)
def test_page_sizes(value: str, css: str, mm: tuple[float, float]) -> None:
    assert css_page_size(value) == css
    assert page_size_mm(value) == pytest.approx(mm, abs=0.001)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "b5",
        "5x8",  # no unit
        "5inx8",  # the unit belongs after the height
        "x8in",
        "-5x8in",
        "5x8furlongs",
        "0x0mm",
        "10x10mm",  # too small to hold the margins
        "2x1000in",
        "5x8in; background: url(http://x)",  # not a place to inject CSS
    ],
)
def test_bad_page_sizes_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError, match="page size"):
        css_page_size(value)
    with pytest.raises(UsageError):
        page_size_mm(value)


def test_error_lists_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        css_page_size("b5")
    for name in PAGE_SIZES:
        assert name in str(info.value)
    assert "140x216mm" in str(info.value)


def test_strings_are_parsed_once_into_typed_values() -> None:
    # A library caller may pass the values as the command line has them.
    options = RenderOptions(
        page_size=" 6x9IN ",  # type: ignore[arg-type]
        gutter="0.5in",  # type: ignore[arg-type]
        chapter_titles="Title",  # type: ignore[arg-type]
        style="BLOCK",  # type: ignore[arg-type]
    )
    assert options.page_size == PageSize("6x9in", "6in 9in", 152.4, 228.6)
    assert options.gutter == pytest.approx(12.7)
    assert options.chapter_titles is ChapterTitles.TITLE
    assert options.style is ParagraphStyle.BLOCK
    # Normalising again (dataclasses.replace) changes nothing.
    assert options.replace(smart=False).page_size == options.page_size


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"page_size": "b5"}, "page size"),
        ({"gutter": "wide"}, "length"),
        ({"gutter": "39mm", "page_size": "80x125mm"}, "too narrow"),
        ({"chapter_titles": "short"}, "--chapter-titles must be one of full, title"),
        ({"style": "fancy"}, "--style must be one of book, block"),
        ({"no_cover": True, "pdf_cover": True}, "contradict"),
        ({"no_cover": True, "cover": Path("c.png")}, "contradict"),
        ({"timeout": -1.0}, "--timeout"),
        ({"max_memory": -1}, "--max-memory"),
    ],
)
def test_bad_values_are_refused_on_creation(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        RenderOptions(**changes)  # type: ignore[arg-type]


def test_check_files_reads_the_cover_and_stylesheets(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.css"
    latin1.write_bytes("p { content: '\xe9' }".encode("latin-1"))
    with pytest.raises(RenderError, match="not UTF-8"):
        RenderOptions(css=(latin1,)).check_files()
    with pytest.raises(RenderError, match="missing"):
        RenderOptions(css=(tmp_path / "missing.css",)).check_files()
    picture = tmp_path / "cover.png"
    picture.write_bytes(b"not a picture")
    with pytest.raises(InputError, match="cover"):
        RenderOptions(cover=picture).check_files()
