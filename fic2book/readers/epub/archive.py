"""The EPUB as an untrusted zip: capped sizes, checked member names, safe XML, no DRM.

Nothing is extracted to disk; members are read by name with caps on their count and sizes
(zip bombs), names with ``..`` or an absolute path are refused (zip slip), and XML is parsed
without DTDs, entity expansion or network (XXE, billion laughs).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from fic2book.errors import InputError
from fic2book.html.parse import Element

#: Largest uncompressed member; a fan work's biggest file is an image of a few MiB.
MAX_MEMBER_BYTES = 64 * 1024 * 1024

#: Largest total uncompressed size of all members.
MAX_TOTAL_BYTES = 256 * 1024 * 1024

#: Most members an archive may list.
MAX_MEMBERS = 10_000

CONTAINER = "META-INF/container.xml"

OPS_TYPE = "{http://www.idpf.org/2007/ops}type"

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Font obfuscation (IDPF and Adobe) scrambles fonts only; everything else in encryption.xml
# means the text itself is encrypted.
_FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _xml_parser() -> etree.XMLParser:
    """A parser that never loads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class Archive:
    """A zip opened for reading with every member name checked and every read capped."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self.zip = archive
        self.path = path
        self.read_total = 0
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"{path}: the EPUB lists {len(infos)} files; refusing (zip bomb?)")
        total = 0
        for info in infos:
            if not _safe_member_name(info.filename):
                raise InputError(f"{path}: unsafe file name inside the EPUB: {info.filename!r}")
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputError(
                    f"{path}: {info.filename!r} would unpack to {info.file_size:,} bytes;"
                    f" refusing files over {MAX_MEMBER_BYTES:,} (zip bomb?)"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise InputError(
                f"{path}: the EPUB would unpack to {total:,} bytes;"
                f" refusing more than {MAX_TOTAL_BYTES:,} (zip bomb?)"
            )
        self.names = {info.filename for info in infos}

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def read(self, name: str) -> bytes | None:
        """The member's bytes, or ``None`` when there is no such member."""
        if name not in self.names:
            return None
        try:
            with self.zip.open(name) as member:
                # The header's size is checked already; a header that lies is caught here.
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
            raise InputError(f"{self.path}: {name!r} is damaged inside the EPUB ({err})") from err
        except RuntimeError as err:  # zipfile's "File is encrypted, password required"
            raise InputError(f"{self.path}: the EPUB is password-protected") from err
        except NotImplementedError as err:
            raise InputError(f"{self.path}: {name!r} uses an unsupported compression") from err
        self.read_total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self.read_total > MAX_TOTAL_BYTES:
            raise InputError(f"{self.path}: {name!r} unpacks to too much data (zip bomb?)")
        return data

    def xml(self, name: str) -> Element | None:
        """Parse a member as XML safely; ``None`` when it is missing."""
        data = self.read(name)
        if data is None:
            return None
        return parse_xml(data, f"{self.path}: {name}")


def open_archive(path: Path) -> Archive:
    """Open ``path`` as a zip, turning every way of not being one into :class:`InputError`."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise InputError(f"{path}: not an EPUB (not a zip archive)") from err
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from err
    try:
        return Archive(archive, path)
    except BaseException:
        archive.close()
        raise


def _safe_member_name(name: str) -> bool:
    """Whether a member name stays inside the archive: no ``..``, root, drive or NUL."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return False
    if re.match(r"[A-Za-z]:", name):
        return False
    return ".." not in re.split(r"[/\\]", name)


def parse_xml(data: bytes, where: str) -> Element:
    """Parse XML with no DTD, no entity expansion and no network; refuse entity declarations."""
    if _ENTITY_DECLARATION.search(data[:65536]):
        # Nothing legitimate in an EPUB declares entities; expanding them is how XXE and
        # "billion laughs" attacks work, so the file is refused rather than half-read.
        raise InputError(f"{where}: declares XML entities; refusing (unsafe XML)")
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as err:
        raise InputError(f"{where}: not well-formed XML ({err})") from err
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{where}: declares XML entities; refusing (unsafe XML)")
    return root


def resolve(base: str, href: str) -> str | None:
    """The member an ``href`` in member ``base`` points at, without its fragment.

    ``None`` for web links and paths leaving the archive; ``base`` itself for ``#fragment``.
    """
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    target = unquote(parts.path)
    if not target:
        return base
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    if joined.startswith(("/", "../")) or joined == "..":
        return None
    return joined


def refuse_drm(archive: Archive) -> None:
    """Raise for Adobe or other DRM: ``rights.xml``, or encrypted content in encryption.xml."""
    if "META-INF/rights.xml" in archive.names:
        raise InputError(f"{archive.path}: encrypted (DRM) EPUB; fic2book cannot read it")
    root = archive.xml("META-INF/encryption.xml")
    if root is None:
        return
    for data in root.iter("{*}EncryptedData"):
        method = data.find("{*}EncryptionMethod")
        algorithm = method.get("Algorithm") if method is not None else None
        if algorithm not in _FONT_OBFUSCATION:
            raise InputError(f"{archive.path}: encrypted (DRM) EPUB; fic2book cannot read it")


def element_text(element: Element) -> str:
    """The element's text with whitespace collapsed (entity references are left out)."""
    return " ".join("".join(element.itertext(with_tail=False)).split())
