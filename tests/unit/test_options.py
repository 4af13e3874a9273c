"""--page-size parsing: named trim sizes, custom WIDTHxHEIGHT sizes and refused values."""

from __future__ import annotations

import pytest

from fic2book.errors import UsageError
from fic2book.options import PAGE_SIZES, RenderOptions, css_page_size, page_size_mm


def test_defaults_make_an_a5_book() -> None:
    options = RenderOptions()
    assert options.page_size == "a5"
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
