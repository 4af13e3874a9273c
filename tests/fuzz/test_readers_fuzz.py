"""Every reader, given any bytes or near-valid input, returns a work or its own error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from fic2book.errors import Fic2BookError
from fic2book.model import Work
from tests.fuzz.strategies import STRUCTURED, any_bytes, read_as

READERS = sorted(STRUCTURED)


def _check(reader: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = read_as(reader, data, Path(tmp))
    assert isinstance(result, Work | Fic2BookError)
    if isinstance(result, Work):
        # A work always has at least one chapter and a title to name the book after.
        assert result.chapters
        assert result.title.strip()


@pytest.mark.parametrize("reader", READERS)
def test_any_bytes(reader: str) -> None:
    """Random bytes (with each format's magic prefixes) never crash a reader."""

    @given(any_bytes)
    def check(data: bytes) -> None:
        _check(reader, data)

    check()


@pytest.mark.parametrize("reader", READERS)
def test_near_valid(reader: str) -> None:
    """Inputs built from the format's own vocabulary never crash a reader."""

    @given(STRUCTURED[reader])
    def check(data: bytes) -> None:
        _check(reader, data)

    check()
