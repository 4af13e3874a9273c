"""A cover picture: the bytes, their kind and size, and the reader's own ``--cover`` file."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from fic2book.errors import InputError
from fic2book.labels import ENGLISH, Labels
from fic2book.model import Work

COVER_SIZE: tuple[int, int] = (1600, 2560)

#: The suffix of a generated cover's file (it is always a JPEG).
GENERATED_COVER_SUFFIX = ".jpg"

#: Pillow format name → media type, for the pictures ``--cover`` accepts.
COVER_FORMATS: dict[str, str] = {"PNG": "image/png", "JPEG": "image/jpeg"}

#: A picture larger than this (in pixels) is refused: Pillow's own bomb limit is far higher,
#: and no e-reader needs more than a few megapixels.
MAX_COVER_PIXELS = 40_000_000


@dataclass(frozen=True)
class CoverImage:
    """The bytes of a cover picture and what a book needs to know about them."""

    data: bytes = b""
    #: ``image/png`` or ``image/jpeg``.
    media_type: str = "image/png"
    width: int = 0
    height: int = 0
    #: The lines of text a generated cover shows, top to bottom (empty for a reader's picture).
    lines: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        """The file-name suffix for this picture (``.png`` or ``.jpg``)."""
        return ".jpg" if self.media_type == "image/jpeg" else ".png"

    def data_url(self) -> str:
        """The picture as a ``data:`` URL, the only kind of URL the PDF renderer may load."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def cover_alt(work: Work, labels: Labels | None = None) -> str:
    """The cover's alternative text: ``Cover: TITLE by AUTHOR, AUTHOR``, in ``labels``' language."""
    authors = [author for author in work.authors if author.strip()]
    return (labels or Labels(ENGLISH)).cover_alt(work.title.strip(), authors)


def load_cover_file(path: Path) -> CoverImage:
    """Read and check a ``--cover`` picture; anything but a sound PNG or JPEG is an InputError."""
    from PIL import Image, UnidentifiedImageError

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cover {path}: {err.strerror or err}") from err
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            if width * height > MAX_COVER_PIXELS:
                raise InputError(
                    f"cover {path} is {width}x{height} pixels; "
                    f"use a picture under {MAX_COVER_PIXELS // 1_000_000} megapixels"
                )
            # verify() checks the structure; load() decodes, which catches truncated files.
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except InputError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise InputError(f"cover {path} is not a PNG or JPEG picture") from err
    if kind not in COVER_FORMATS:
        raise InputError(f"cover {path} is a {kind or 'unknown'} picture; use a PNG or JPEG")
    return CoverImage(data, COVER_FORMATS[kind], width, height)
