"""Pictures in HTML inputs: embedded when they are local files, placeholders otherwise.

A relative ``src`` is offered to the reader's :data:`AssetLoader` (:class:`LocalImages` for
files next to the input, confined to its folder); a found image is embedded under its asset
href, anything else (a remote URL, a missing file) becomes a visible placeholder with a
warning.  Nothing is ever fetched, and only formats Pillow can read are embedded.

The placeholder is ``<span class="image-placeholder" title="ALT">[Image: ALT]</span>``
(``<span class="image-placeholder">[Image]</span>`` without alt text): the model reads in
English as it comes from a reader, and the ``title`` keeps the alt text apart from the
English words, so :func:`fic2book.html.placeholders.localise_placeholders` can write the
placeholder again in the book's label language when the work is prepared for a backend.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import unquote, urlsplit

from lxml import etree

from fic2book.html.parse import Element
from fic2book.model import Asset
from fic2book.numbers import parse_whole

logger = logging.getLogger(__name__)

#: What a reader gives the cleaner to embed a relative image ``src``.
AssetLoader = Callable[[str], Asset | None]


_SAFE_IMAGE_TYPES: Final[dict[str, tuple[str, str]]] = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
#: Bigger files are not embedded: a fan work's picture is rarely over a few MB.
MAX_IMAGE_BYTES: Final = 32 * 1024 * 1024


def sniff_image(data: bytes, name: str) -> tuple[bytes, str, str] | None:
    """Identify image bytes with Pillow: ``(bytes, media type, suffix)`` or ``None``.

    PNG, JPEG, GIF and WebP (EPUB core media types) are kept as they are; another raster format
    Pillow reads (BMP, TIFF…) is converted to PNG; SVG and anything unreadable are refused,
    since an SVG can carry scripts.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind in _SAFE_IMAGE_TYPES:
                image.verify()
                media_type, suffix = _SAFE_IMAGE_TYPES[kind]
                return data, media_type, suffix
            image.load()
            converted = io.BytesIO()
            image.save(converted, format="PNG")
            return converted.getvalue(), "image/png", ".png"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        logger.debug("%s is not a usable image: %s", name, err)
        return None


def is_remote(src: str) -> bool:
    """Whether an image ``src`` names another machine or scheme rather than a relative file."""
    stripped = src.strip()
    return bool(urlsplit(stripped).scheme) or stripped.startswith(("//", "\\\\"))


@dataclass
class LocalImages:
    """An :data:`AssetLoader` for images next to an input file, confined to its folder.

    A relative ``src`` (URL-decoded, without query or fragment) is resolved inside ``folder``;
    absolute paths, ``..`` escapes and symlinks leading outside are refused.  Each image is
    read once and named ``images/NAME`` (with ``-2``… when two differ but share a name).
    """

    folder: Path
    _by_path: dict[Path, Asset | None] = field(default_factory=dict)
    _names: set[str] = field(default_factory=set)

    def __call__(self, src: str) -> Asset | None:
        """Return the embedded image for ``src``, or ``None`` when it cannot be used."""
        path = self._resolve(src)
        if path is None:
            return None
        if path not in self._by_path:
            self._by_path[path] = self._load(path)
        return self._by_path[path]

    def _resolve(self, src: str) -> Path | None:
        if is_remote(src):
            return None
        relative = unquote(urlsplit(src.strip()).path).replace("\\", "/")
        if not relative or relative.startswith("/") or "\x00" in relative:
            return None  # NUL: no file has it in its name (and os calls refuse it)
        parts = PurePosixPath(posixpath.normpath(relative)).parts
        if not parts or parts[0] == ".." or ".." in parts:
            return None
        try:
            root = self.folder.resolve(strict=True)
            target = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return target

    def _load(self, path: Path) -> Asset | None:
        try:
            if path.stat().st_size > MAX_IMAGE_BYTES:
                logger.warning(
                    "%s: image larger than %d bytes; not embedded", path.name, MAX_IMAGE_BYTES
                )
                return None
            data = path.read_bytes()
        except OSError:
            return None
        sniffed = sniff_image(data, path.name)
        if sniffed is None:
            return None
        content, media_type, suffix = sniffed
        return Asset(image_href(path.stem, suffix, self._names), media_type, content)


def image_href(stem: str, suffix: str, taken: set[str]) -> str:
    """A book path ``images/STEM.SUFFIX`` for a picture, safe and not yet in ``taken``.

    The stem keeps letters, digits, ``_`` and ``-``; a clash gets ``-2``, ``-3``…  The path
    is added to ``taken``.
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "image"
    href = f"images/{stem}{suffix}"
    counter = 2
    while href in taken:
        href = f"images/{stem}-{counter}{suffix}"
        counter += 1
    taken.add(href)
    return href


@dataclass
class AssetCollector:
    """Wraps an :data:`AssetLoader` and remembers every asset it handed out, in order."""

    load: AssetLoader
    _assets: dict[str, Asset] = field(default_factory=dict)

    def __call__(self, src: str) -> Asset | None:
        """Load ``src`` and record the asset."""
        asset = None if is_remote(src) else self.load(src)
        if asset is not None:
            self._assets.setdefault(asset.href, asset)
        return asset

    @property
    def assets(self) -> tuple[Asset, ...]:
        """The distinct assets used so far."""
        return tuple(self._assets.values())


def prepare_image(element: Element, load_asset: AssetLoader | None, context: str) -> None:
    """Embed a local image or replace it by a visible placeholder naming it."""
    element.tag = "img"
    src = (element.get("src") or "").strip()
    alt = " ".join((element.get("alt") or element.get("title") or "").split())
    asset = None
    if src and not is_remote(src) and load_asset is not None:
        asset = load_asset(src)
    if asset is not None:
        element.set("src", asset.href)
        element.set("alt", alt)
        for name in ("width", "height"):
            number = parse_whole(element.get(name))
            if number is None:
                element.attrib.pop(name, None)
            else:
                element.set(name, str(number))
        return
    # Without alt text the reader learns only that a picture was here: a file name is no
    # description (often a hash such as "760f07f8….png").
    label = f"[Image: {alt}]" if alt else "[Image]"
    shown = src if len(src) <= 80 else src[:77] + "..."
    if src and is_remote(src):
        logger.warning("%s: image %s not fetched; shown as %s", context, shown, label)
    else:
        logger.warning("%s: image %r not found next to the input; shown as %s", context, src, label)
    placeholder = etree.Element("span", {"class": "image-placeholder"})
    if alt:
        placeholder.set("title", alt)  # the alt text, for the label language's placeholder
    placeholder.text = label
    placeholder.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, placeholder)
