"""The EPUB's zip, rewritten after ebooklib so that its bytes depend only on the book.

ebooklib leaves two things to its caller: ``xml:lang`` on ``<package>`` and zip entries with
the book's own timestamp and fixed modes instead of the clock's (:func:`finish_zip`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping

from fic2book.errors import RenderError

#: Clark notation of ``xml:lang``, set on ``<package>`` and on every content document.
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


#: Changes to members ebooklib writes itself, by archive path (the contents' "new" marks).
Rewrites = Mapping[str, Callable[[bytes], bytes]]

#: Members written without deflate because their format is compressed already.
_COMPRESSED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def finish_zip(
    raw: bytes, mtime: dt.datetime, language: str, rewrites: Rewrites | None = None
) -> bytes:
    """Rewrite the zip ebooklib wrote so that its bytes depend only on the book and ``mtime``.

    ``mimetype`` comes first and is stored (the OCF rule), and so are images; the rest is
    deflated at level 9.  Every entry gets the time of ``mtime`` (UTC), never the clock's or
    the local time zone's, and Unix mode 0644.  ``content.opf`` gets ``xml:lang`` on
    ``<package>`` (ebooklib writes none), which reading systems use for the whole book.
    A member named in ``rewrites`` is passed through its function.
    """
    date_time = _zip_date_time(mtime)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as target:
        names = source.namelist()
        if not names or names[0] != "mimetype":
            raise RenderError("ebooklib did not write the mimetype entry first")
        if len(set(names)) != len(names):
            raise RenderError("two files in the book have the same name")
        for name in names:
            data = source.read(name)
            if name.endswith("/content.opf"):
                data = _package_language(data, language)
            if rewrites and name in rewrites:
                data = rewrites[name](data)
            info = zipfile.ZipInfo(name, date_time)
            # JPEG, PNG, GIF and WebP are compressed already: deflating them again costs time
            # (a cover is most of a short book's bytes) and saves nothing.
            stored = name == "mimetype" or name.lower().endswith(_COMPRESSED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below means what it says
            info.external_attr = 0o644 << 16
            target.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _package_language(opf: bytes, language: str) -> bytes:
    """``content.opf`` with ``xml:lang`` on its ``<package>`` element, otherwise as written."""
    from lxml import etree

    root = etree.fromstring(opf, etree.XMLParser(remove_blank_text=False))
    root.set(XML_LANG, language)
    data: bytes = etree.tostring(
        root.getroottree(), pretty_print=True, encoding="utf-8", xml_declaration=True
    )
    return data


def _zip_date_time(mtime: dt.datetime) -> tuple[int, int, int, int, int, int]:
    # The zip format cannot store years before 1980 (or after 2107).
    stamp = mtime.astimezone(dt.UTC)
    year = min(max(stamp.year, 1980), 2107)
    if year != stamp.year:
        return (year, 1, 1, 0, 0, 0)
    # DOS times have a two-second resolution; round down explicitly.
    return (year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second - stamp.second % 2)
