"""The font list is read once, started early, and survives a fork; the JPEG is Pillow's own."""

from __future__ import annotations

import io
import multiprocessing
import os

import pytest
from PIL import Image

from fic2book.cover import fonts as cover
from fic2book.cover import installed_fonts, prefetch_fonts
from fic2book.cover.drawing import _JpegBuffer


def _fonts_in_child(queue: multiprocessing.Queue[int]) -> None:
    queue.put(len(installed_fonts()))


def test_prefetched_fonts_are_the_listed_fonts() -> None:
    prefetch_fonts()
    fonts = installed_fonts()
    assert fonts == installed_fonts()  # read once
    fresh = cover._read_fc_list(cover._start_fc_list())  # type: ignore[arg-type]
    assert fonts == fresh


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_reads_fonts_even_when_forked_mid_listing() -> None:
    # A child forked while the parent's fc-list runs must not wait on a process or a lock
    # that belong to its parent.
    cover._after_fork_in_child()  # start from an empty list in this process
    prefetch_fonts()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_fonts_in_child, args=(queue,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == len(installed_fonts())


def test_jpeg_buffer_gives_the_bytes_of_format_jpeg() -> None:
    image = Image.new("RGB", (64, 48), (200, 30, 90))
    named = _JpegBuffer()
    image.save(named, quality=90, subsampling=0)
    plain = io.BytesIO()
    image.save(plain, format="JPEG", quality=90, subsampling=0)
    assert named.getvalue() == plain.getvalue()
    assert named.getvalue().startswith(b"\xff\xd8")
