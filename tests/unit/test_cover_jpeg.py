"""The generated cover's JPEG is Pillow's own JPEG, whatever the buffer is called."""

from __future__ import annotations

import io

from PIL import Image

from fic2book.cover.drawing import _JpegBuffer


def test_jpeg_buffer_gives_the_bytes_of_format_jpeg() -> None:
    image = Image.new("RGB", (64, 48), (200, 30, 90))
    named = _JpegBuffer()
    image.save(named, quality=90, subsampling=0)
    plain = io.BytesIO()
    image.save(plain, format="JPEG", quality=90, subsampling=0)
    assert named.getvalue() == plain.getvalue()
    assert named.getvalue().startswith(b"\xff\xd8")
