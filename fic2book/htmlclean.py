"""Normalise the messy HTML fans' files contain into clean, valid book markup.

Every HTML-based reader passes each body, summary and note through :func:`clean_fragment`
before :func:`fic2book.sanitize.clean_html`.  The work happens on an lxml tree in linear time:

1. **Safety.**  ``script``, ``style``, ``iframe``, ``object``, ``embed``, ``form`` and their
   kind are removed with their content, event-handler attributes and ``javascript:`` URLs
   are dropped, each with a logged warning (nh3 would drop them too, silently).
2. **Obsolete markup.**  ``center`` → ``div.center``, ``font`` → ``span`` (``span.big`` /
   ``span.small`` by size), ``strike`` → ``s``, ``big`` → ``span.big``, ``tt`` → ``code``,
   ``acronym`` → ``abbr``, ``align=`` and inline ``text-align`` → ``class="align-…"``,
   Google-Docs ``<span style="font-style:italic">`` → ``em`` (and bold, underline, strike).
   Source classes are dropped (they are calibre's or a work skin's and would collide with the
   book's own), ``lang``/``dir``/``title`` are kept; spans left without attributes are
   unwrapped.
3. **Images.**  A relative ``src`` is offered to the reader's ``load_asset``; a found image
   is embedded under its asset href, anything else (a remote URL, a missing file) becomes a
   visible ``<span class="image-placeholder">[Image: ALT]</span>`` (``[Image]`` without alt
   text) with a warning.  Nothing is ever fetched.
4. **Structure.**  The tree is rebuilt so that it is valid XHTML whatever the input nesting:
   runs of ``<br>`` inside a paragraph split it (two = a paragraph break, three or more = a
   scene break), a block inside a paragraph or inside inline markup closes the paragraph and
   re-opens the inline markup after it, stray text between blocks is wrapped in ``<p>``,
   list items, table cells and definition terms stay where their parents allow them.
5. **Scene breaks.**  ``<hr>``, text dividers (``***``, ``oOo``, ``◇◇◇``; typography
   reference §4) and runs of empty paragraphs longer than the fragment's usual spacing become
   one ``<hr class="scene-break"/>``; adjacent breaks merge and none opens or closes a
   fragment.
"""

from __future__ import annotations

import codecs
import io
import logging
import posixpath
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from fic2book.errors import InputError
from fic2book.model import Asset
from fic2book.numbers import parse_whole
from fic2book.sanitize import clean_html

logger = logging.getLogger(__name__)

#: What a reader gives :func:`clean_fragment` to embed a relative image ``src``.
AssetLoader = Callable[[str], Asset | None]

Element = etree._Element

# ---------------------------------------------------------------------------------------------
# Vocabulary

#: Removed with everything inside them: they execute, fetch or collect input.
DANGEROUS_TAGS: Final = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "link",
        "meta",
        "base",
        "svg",
        "math",
        "template",
        "audio",
        "video",
        "canvas",
        "noscript",
        "head",
        "title",
    }
)
#: Removed silently: harmless but not content.
_SILENT_DROP: Final = frozenset({"head", "title", "meta", "link", "noscript"})

# Obsolete or unknown-to-EPUB elements and what they become: (tag, class or None).
_RENAMES: Final[dict[str, tuple[str, str | None]]] = {
    "center": ("div", "center"),
    "strike": ("s", None),
    "big": ("span", "big"),
    "tt": ("code", None),
    "acronym": ("abbr", None),
    "blink": ("span", None),
    "marquee": ("span", None),
    "nobr": ("span", None),
    "section": ("div", None),
    "article": ("div", None),
    "aside": ("div", None),
    "header": ("div", None),
    "footer": ("div", None),
    "main": ("div", None),
    "nav": ("div", None),
    "hgroup": ("div", None),
    "details": ("div", None),
    "summary": ("p", None),
    "xmp": ("pre", None),
    "listing": ("pre", None),
    "plaintext": ("pre", None),
    "dir": ("ul", None),
    "menu": ("ul", None),
    "bdi": ("span", None),
    "mark": ("span", None),
    "time": ("span", None),
    "data": ("span", None),
}

_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Blocks whose content is phrasing only.
_PHRASING_BLOCKS: Final = frozenset({"p", "dt", "caption", "figcaption", *_HEADINGS})
#: Blocks that hold flow content (blocks or phrasing).
_FLOW_BLOCKS: Final = frozenset({"div", "blockquote", "figure", "address"})
#: Elements only valid inside a particular parent.
_CONTEXT_BLOCKS: Final = frozenset(
    {"li", "dd", "td", "th", "tr", "thead", "tbody", "tfoot", "colgroup", "col"}
)
BLOCK_TAGS: Final = frozenset(
    {
        *_PHRASING_BLOCKS,
        *_FLOW_BLOCKS,
        *_CONTEXT_BLOCKS,
        "ul",
        "ol",
        "dl",
        "table",
        "pre",
        "hr",
    }
)
INLINE_TAGS: Final = frozenset(
    {
        "a",
        "abbr",
        "b",
        "cite",
        "code",
        "del",
        "dfn",
        "em",
        "i",
        "ins",
        "kbd",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "u",
        "var",
    }
)
_VOID_INLINE: Final = frozenset({"br", "img"})
_KNOWN: Final = BLOCK_TAGS | INLINE_TAGS | _VOID_INLINE

_GLOBAL_ATTRIBUTES: Final = ("lang", "dir", "title")
_TAG_ATTRIBUTES: Final[dict[str, tuple[str, ...]]] = {
    "a": ("href",),
    "img": ("src", "alt", "width", "height"),
    "ol": ("start", "type"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan", "scope"),
    "col": ("span",),
    "colgroup": ("span",),
}
#: Classes fic2book writes itself; every other class from the input is dropped.
OWN_CLASSES: Final = frozenset(
    {
        "center",
        "align-center",
        "align-right",
        "align-justify",
        "big",
        "small",
        "image-placeholder",
        "scene-break",
    }
)

_ALIGN_VALUES: Final = frozenset({"center", "right", "justify"})
_UNWRAP: Final = "fic2book-unwrap"
_WHITESPACE: Final = " \t\n\r\f\v\u00a0\u200b\u2028\u2029\ufeff"
_STYLE_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)
# An XHTML self-closed element that HTML parsers would leave open (``<div id="x"/>``).
_SELF_CLOSED = re.compile(
    r"<(?!(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b)"
    r"([a-zA-Z][\w:.-]*)((?:\s+[^\s/>\"'=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*/>"
)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)

# Scene-break text (typography reference §4 rule 2).
_BREAK_CHARS: Final = frozenset("*~#+=-\u2013\u2014•·⁂※")
_DASHES: Final = frozenset("-\u2013\u2014=")
_QUOTES: Final = frozenset("\"'\u201c\u201d\u2018\u2019«»„\u201a`")
_OX_CORE = re.compile(r"([^oOxX]*)([oOxX]+)([^oOxX]*)")


def is_divider(text: str) -> bool:
    """Tell whether a block's text is a scene-break ornament (``***``, ``oOo``, ``◇◇◇``…)."""
    core = "".join(ch for ch in text if ch not in _WHITESPACE and not ch.isspace())
    if not 1 <= len(core) <= 40:
        return False
    if any(ch.isdigit() or ch in _QUOTES for ch in core):
        return False

    def ornament(ch: str) -> bool:
        return ch in _BREAK_CHARS or unicodedata.category(ch) == "So"

    if all(ornament(ch) for ch in core):
        return len(core) >= 3 or not all(ch in _DASHES for ch in core)
    if len(core) >= 3 and core.strip("_") == "":
        return True
    match = _OX_CORE.fullmatch(core)
    if match is None:
        return False
    left, letters, right = match.groups()
    if not all(ornament(ch) for ch in left + right):
        return False
    if len(letters) >= 3:
        return letters == letters[::-1]
    return len(letters) == 1 and bool(left) and bool(right)


# ---------------------------------------------------------------------------------------------
# Parsing


#: Characters XML 1.0 forbids (tab, newline and carriage return are allowed).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _drop_illegal_reference(match: re.Match[str]) -> str:
    """Drop a numeric character reference to a character XML cannot hold; keep the rest."""
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    legal = (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code < 0xD800
        or 0xE000 <= code < 0xFFFE
        or 0x10000 <= code <= 0x10FFFF
    )
    return match.group(0) if legal else ""


def decode_html(data: bytes) -> str:
    """Decode an HTML file: a BOM, else a ``<meta charset>``, else UTF-8, else cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        name = declared.group(1).decode("ascii", errors="replace")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = "utf-8"
        # A page saved by a browser is re-encoded as UTF-8 but may keep a stale declaration.
        if codec not in ("utf-8", "ascii"):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_html(source: str | bytes) -> Element:
    """Parse a whole document or a run of fragments into an ``<html>`` element, tolerantly.

    XHTML's self-closed non-void elements (``<div/>``, ``<a id="x"/>``) are opened and closed
    first, since an HTML parser would leave them open around the rest of the document.
    """
    text = decode_html(source) if isinstance(source, bytes) else source
    # lxml refuses to store NUL, C0 controls and noncharacters in the tree it builds (a
    # ValueError mid-clean), and none of them can appear in an EPUB's XHTML anyway.
    text = _XML_ILLEGAL.sub("", text)
    if "&#" in text:
        # The same characters written as references ("&#1;") would be decoded into the tree.
        text = _NUMERIC_REFERENCE.sub(_drop_illegal_reference, text)
    text = _XML_DECLARATION.sub("", text.lstrip("\ufeff"), count=1)
    text = _SELF_CLOSED.sub(r"<\1\2></\1>", text)
    if not text.strip():
        text = "<html><body></body></html>"
    # huge_tree lifts libxml2's depth (256) and text-node (10 MB) limits, which would drop the
    # rest of a deep or long document silently; the HTML parser expands no entities, input
    # size is capped (fic2book.limits) and depth is flattened below instead.
    parser = lxml_html.HTMLParser(huge_tree=True, no_network=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except etree.ParserError:
        # Only a comment, a doctype or "<!" ("Document is empty"): no content, an empty page.
        return lxml_html.document_fromstring("<html><body></body></html>")
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # libxml2 stops reading at 2,048 levels even with huge_tree; the rest would be lost.
        raise InputError("the HTML nests elements more than 2,048 levels deep; refusing it")
    limit_depth(root)
    return root


#: Deepest element nesting kept; deeper markup is flattened into its text (see limit_depth).
MAX_DEPTH = 48


def limit_depth(root: Element, max_depth: int = MAX_DEPTH) -> int:
    """Flatten every element nested deeper than ``max_depth`` into its text, in place.

    Cleaning, typesetting and WeasyPrint's layout all recurse over the tree, so a hostile
    ``<div>`` nested 100,000 deep would end in a RecursionError.  No story needs more than a
    dozen levels; past ``max_depth`` the words are kept and the markup is dropped (scripts,
    styles and comments with it).  Returns how many subtrees were flattened.
    """
    flattened = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth < max_depth:
            stack.extend((child, depth + 1) for child in element)
            continue
        if not len(element):
            continue
        words: list[str] = [element.text or ""]
        for node in element.iterdescendants():
            if isinstance(node.tag, str) and node.tag not in ("script", "style"):
                words.append(node.text or "")
            words.append(node.tail or "")
        for child in list(element):
            element.remove(child)
        element.text = "".join(words)
        flattened += 1
    if flattened:
        logger.warning("flattened markup nested more than %d levels deep", max_depth)
    return flattened


def text_of(element: Element | None) -> str:
    """The element's text with whitespace runs collapsed to single spaces."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def class_list(element: Element) -> list[str]:
    """The element's classes."""
    return (element.get("class") or "").split()


# ---------------------------------------------------------------------------------------------
# Images


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


# ---------------------------------------------------------------------------------------------
# Pass 1: safety, obsolete markup, attributes, images (in place)


@dataclass
class _Report:
    """What pass 1 removed, for one warning per fragment."""

    removed: Counter[str] = field(default_factory=Counter)

    def warn(self, context: str) -> None:
        if self.removed:
            what = ", ".join(f"{count} {name}" for name, count in sorted(self.removed.items()))
            logger.warning("%s: removed unsafe content (%s)", context, what)


def _prepare(root: Element, load_asset: AssetLoader | None, context: str) -> None:
    """Make the tree safe and modern in place; every element left is one of :data:`_KNOWN`."""
    report = _Report()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    dangerous = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in DANGEROUS_TAGS:
            dangerous.append(element)
    for element in dangerous:
        tag = str(element.tag).lower()
        if tag not in _SILENT_DROP:
            report.removed[f"<{tag}>"] += 1
        _remove_keep_tail(element)

    for element in list(root.iter()):
        if element is not root and isinstance(element.tag, str):
            _prepare_element(element, load_asset, context, report)
    etree.strip_tags(root, _UNWRAP)
    # A ruby annotation outside <ruby> is invalid XHTML (EPUBCheck RSC-005); keep its text.
    for element in list(root.iter("rt", "rp")):
        parent = element.getparent()
        if parent is None or parent.tag != "ruby":
            element.tag = _STRAY_RUBY
    etree.strip_tags(root, _STRAY_RUBY)
    report.warn(context)


#: Temporary tag of ``<rt>``/``<rp>`` elements found outside ``<ruby>``, unwrapped at once.
_STRAY_RUBY = "fic2book-stray-ruby"


def _remove_keep_tail(element: Element) -> None:
    """Remove an element and its content but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _prepare_element(
    element: Element, load_asset: AssetLoader | None, context: str, report: _Report
) -> None:
    """Rename, restyle and filter the attributes of one element."""
    tag = str(element.tag).lower()
    classes: list[str] = []
    wrappers: list[str] = []
    if tag in _RENAMES:
        tag, extra_class = _RENAMES[tag]
        if extra_class:
            classes.append(extra_class)
    elif tag == "font":
        tag = "span"
        size_class = _font_size_class(element.get("size"))
        if size_class:
            classes.append(size_class)
    align = (element.get("align") or "").strip().lower()
    style = element.get("style") or ""
    if style:
        align = _style_alignment(style) or align
        wrappers = _style_wrappers(style)
    if align in _ALIGN_VALUES and tag in BLOCK_TAGS:
        classes.append(f"align-{align}")
    # Classes fic2book wrote itself survive, so cleaning cleaned markup (a book of ours read
    # back) changes nothing; any other class from the input is dropped below.
    classes += class_list(element)
    if tag == "span" and wrappers:
        tag = wrappers.pop(0)

    kept: dict[str, str] = {}
    for name, value in element.attrib.items():
        key = str(name).lower()
        text_value = str(value)
        if key.startswith("on"):
            report.removed["event handler"] += 1
            continue
        if "javascript:" in text_value.lower().replace(" ", "") and key in ("href", "src"):
            report.removed["javascript: link"] += 1
            continue
        if key == "xml:lang":
            key = "lang"
        if key in _GLOBAL_ATTRIBUTES or key in _TAG_ATTRIBUTES.get(tag, ()):
            kept.setdefault(key, text_value)
    kept_classes = [c for c in dict.fromkeys(classes) if c in OWN_CLASSES]
    element.attrib.clear()
    for key, value in kept.items():
        element.set(key, value)
    if kept_classes:
        element.set("class", " ".join(kept_classes))

    if tag == "img":
        _prepare_image(element, load_asset, context)
        return
    if tag == "span" and not element.attrib:
        tag = _UNWRAP
    if tag == "a":
        href = (element.get("href") or "").strip()
        if urlsplit(href).scheme.lower() in ("http", "https", "mailto"):
            element.set("href", href)
        else:
            # An anchor, or a link into a page that is not in the book: keep just its text.
            tag = _UNWRAP
    # Anything nh3 would not keep is unwrapped now (its content stays), so pass 2 sees only
    # elements whose nesting rules it knows.
    element.tag = tag if tag in _KNOWN else _UNWRAP
    # Extra formatting from a style (bold as well as italic) wraps the content.
    for wrapper in wrappers:
        inner = etree.Element(wrapper)
        inner.text = element.text
        element.text = None
        for child in list(element):
            inner.append(child)
        element.insert(0, inner)


def _font_size_class(size: str | None) -> str | None:
    """``<font size>``: 5 to 7 or ``+2`` and up read as big, 1 and 2 or negatives as small."""
    if not size:
        return None
    value = size.strip()
    try:
        number = int(value)
    except ValueError:
        return None
    if value.startswith("+"):
        return "big" if number >= 1 else None
    if value.startswith("-"):
        return "small"
    if number >= 5:
        return "big"
    if number <= 2:
        return "small"
    return None


def _style_declarations(style: str) -> dict[str, str]:
    return {
        name.lower(): value.strip().lower() for name, value in _STYLE_DECLARATION.findall(style)
    }


def _style_alignment(style: str) -> str | None:
    value = _style_declarations(style).get("text-align")
    return value if value in _ALIGN_VALUES else None


def _style_wrappers(style: str) -> list[str]:
    """Inline formatting a ``style`` expresses: Google Docs marks italics on spans this way."""
    declarations = _style_declarations(style)
    wrappers = []
    if declarations.get("font-style", "").startswith(("italic", "oblique")):
        wrappers.append("em")
    weight = declarations.get("font-weight", "")
    if weight in ("bold", "bolder") or (parse_whole(weight) or 0) >= 600:
        wrappers.append("strong")
    decoration = declarations.get("text-decoration", "") + declarations.get(
        "text-decoration-line", ""
    )
    if "underline" in decoration:
        wrappers.append("u")
    if "line-through" in decoration:
        wrappers.append("s")
    return wrappers


def _prepare_image(element: Element, load_asset: AssetLoader | None, context: str) -> None:
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
    placeholder.text = label
    placeholder.tail = element.tail
    parent = element.getparent()
    if parent is not None:
        parent.replace(element, placeholder)


# ---------------------------------------------------------------------------------------------
# Pass 2: rebuild a valid structure


class _Mark:
    """A placeholder in a list of blocks: a scene break or an empty paragraph."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


BREAK: Final = _Mark("BREAK")
EMPTY: Final = _Mark("EMPTY")
_Item = Element | _Mark


def _copy_attrs(element: Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in element.attrib.items()}


class _Phrasing:
    """Rebuild phrasing content into one or more blocks shaped like a template element.

    ``split`` (paragraphs): two ``<br>`` in a row end the block, three or more add a scene
    break.  A block found inside (``<p><div>…</div></p>``, ``<em><p>…</p></em>``) ends the
    current block and is emitted after it, unless ``flatten``, where its content continues the
    block after a ``<br>`` (for elements their parent needs whole: ``dt``, ``li``…).  Inline
    elements open at a split are re-opened in the next block, so formatting survives.
    """

    def __init__(self, tag: str, attrib: dict[str, str], *, split: bool, flatten: bool) -> None:
        self.tag = tag
        self.attrib = attrib
        self.split_breaks = split
        self.flatten = flatten
        self.out: list[_Item] = []
        # Open inline elements: [source element, its clone in the current block or None,
        # the clone's last child].
        self.stack: list[list[Element | None]] = []
        self.block: Element | None = None
        self.block_last: Element | None = None
        self.pending_br = 0
        self.has_content = False
        self.has_image = False
        # A <br> was just written: the next text starts a line.
        self.after_break = False

    # -- feeding

    def feed_children(self, source: Element) -> None:
        if source.text:
            self.text(source.text)
        for child in source:
            self.feed(child)
            if child.tail:
                self.text(child.tail)

    def feed(self, element: Element) -> None:
        tag = element.tag
        if tag == "br":
            self.pending_br += 1
        elif tag == "img":
            self._flush_breaks()
            image = etree.Element("img", _copy_attrs(element))
            self._append(image)
            self.has_content = self.has_image = True
        elif tag in BLOCK_TAGS:
            if self.flatten:
                if tag == "hr":
                    self.pending_br += 1
                    return
                self.pending_br += 1
                self.feed_children(element)
                self.pending_br += 1
                return
            self.end_block()
            if self.split_breaks and self.pending_br >= 3:
                self.out.append(BREAK)
            self.pending_br = 0
            items = block_items(element)
            if self.stack:
                # <em><p>…</p></em>: the formatting around the block still applies inside it.
                for item in items:
                    if isinstance(item, Element) and item.tag in _PHRASING_BLOCKS:
                        self._wrap_content(item)
            self.out.extend(items)
        else:
            if tag == "a" and any(
                entry[0] is not None and entry[0].tag == "a" for entry in self.stack
            ):
                # A link inside a link is invalid; the inner one becomes plain text.
                self.feed_children(element)
                return
            self.stack.append([element, None, None])
            self.feed_children(element)
            self.stack.pop()

    def _wrap_content(self, block: Element) -> None:
        """Move ``block``'s content into clones of the open inline elements."""
        outer: Element | None = None
        inner: Element | None = None
        for source, _clone, _last in self.stack:
            assert source is not None
            clone = etree.Element(str(source.tag), _copy_attrs(source))
            if inner is None:
                outer = clone
            else:
                inner.append(clone)
            inner = clone
        if outer is None or inner is None:
            return
        inner.text = block.text
        block.text = None
        for child in list(block):
            inner.append(child)
        block.append(outer)

    def text(self, value: str) -> None:
        # A character reference such as "&#1;" puts a control character into the parsed tree
        # that lxml then refuses to store in a new one.
        value = _XML_ILLEGAL.sub("", value)
        blank = not value.strip(_WHITESPACE)
        if self.pending_br:
            if blank:
                return
            self._flush_breaks()
        if not self.has_content or self.after_break:
            if blank:
                return
            # Layout whitespace before a block's (or a line's) first word.
            value = value.lstrip(_LAYOUT_SPACE)
            self.after_break = False
        target, last = self._materialise()
        if last is None:
            target.text = (target.text or "") + value
        else:
            last.tail = (last.tail or "") + value
        if not blank:
            self.has_content = True

    # -- building

    def _flush_breaks(self) -> None:
        count, self.pending_br = self.pending_br, 0
        if count == 0 or not self.has_content:
            return
        if self.block is not None:
            # A line ends at the break: a space before it would be set at the line's end.
            _trim_end(self.block)
        self.after_break = True
        if not self.split_breaks:
            for _ in range(min(count, 2)):
                self._append(etree.Element("br"))
        elif count == 1:
            self._append(etree.Element("br"))
        else:
            self.end_block()
            if count >= 3:
                self.out.append(BREAK)

    def _materialise(self) -> tuple[Element, Element | None]:
        """Create the current block and clones of the open inline elements; return the target."""
        if self.block is None:
            self.block = etree.Element(self.tag, self.attrib)
            self.block_last = None
        parent, last = self.block, self.block_last
        for index, entry in enumerate(self.stack):
            source, clone, clone_last = entry
            if clone is None:
                assert source is not None
                clone = etree.SubElement(parent, str(source.tag), _copy_attrs(source))
                self._set_last(index - 1, clone)
                entry[1], entry[2] = clone, None
                clone_last = None
            parent, last = clone, clone_last
        return parent, last

    def _set_last(self, index: int, child: Element) -> None:
        if index < 0:
            self.block_last = child
        else:
            self.stack[index][2] = child

    def _append(self, child: Element) -> None:
        target, _ = self._materialise()
        target.append(child)
        self._set_last(len(self.stack) - 1, child)

    def end_block(self) -> None:
        """Close the current block and start a fresh one for whatever follows."""
        block = self.block
        if block is not None and self.has_content:
            _trim_end(block)
            if self.tag in ("p", "div") and not self.has_image and is_divider(text_of(block)):
                self.out.append(BREAK)
            else:
                self.out.append(block)
        self.block = None
        self.block_last = None
        self.has_content = self.has_image = self.after_break = False
        for entry in self.stack:
            entry[1] = entry[2] = None

    def finish(self) -> list[_Item]:
        """Return the blocks built; a trailing run of three ``<br>`` still counts as a break."""
        trailing = self.pending_br if self.has_content else 0
        self.pending_br = 0
        self.end_block()
        if self.split_breaks and trailing >= 3:
            self.out.append(BREAK)
        return self.out


#: Source-layout whitespace (not the no-break or zero-width spaces an author typed).
_LAYOUT_SPACE: Final = " \t\n\r\f"


def _trim_end(element: Element) -> bool:
    """Remove layout whitespace at the end of ``element``, however deep its last text sits.

    AO3 writes a newline before ``</p>``; kept, it is a space set at the end of the last line,
    and the line breaker then breaks the line before it early, leaving one word alone there.
    Text is visited backwards (the last child's tail, inside that child, …, the element's own
    text) until something other than whitespace, or an image, is met; True when it was.
    """
    for child in reversed(element):
        if child.tail:
            child.tail = child.tail.rstrip(_LAYOUT_SPACE)
            if child.tail:
                return True
        if child.tag in _VOID_INLINE or _trim_end(child):
            return True
    if element.text:
        element.text = element.text.rstrip(_LAYOUT_SPACE)
        if element.text:
            return True
    return False


def _phrasing_items(
    source: Element, tag: str, attrib: dict[str, str], *, split: bool, flatten: bool
) -> list[_Item]:
    builder = _Phrasing(tag, attrib, split=split, flatten=flatten)
    builder.feed_children(source)
    return builder.finish()


def flow_items(source: Element) -> list[_Item]:
    """Normalise the children of a flow container: stray phrasing becomes ``<p>`` blocks."""
    return _phrasing_items(source, "p", {}, split=True, flatten=False)


def _has_block_child(element: Element) -> bool:
    return any(child.tag in BLOCK_TAGS for child in element)


def block_items(element: Element) -> list[_Item]:
    """Normalise one block element into zero or more valid blocks (or marks)."""
    tag = str(element.tag)
    attrib = _copy_attrs(element)
    if tag == "hr":
        return [BREAK]
    if tag == "p":
        items = _phrasing_items(element, "p", attrib, split=True, flatten=False)
        return items or [EMPTY]
    if tag in _HEADINGS:
        items = _phrasing_items(element, tag, attrib, split=False, flatten=True)
        if len(items) == 1 and isinstance(items[0], Element) and is_divider(text_of(items[0])):
            return [BREAK]
        return items
    if tag in ("dt", "caption", "figcaption"):
        # Only valid inside their parent; out of place they are paragraphs.
        return _phrasing_items(element, "p", attrib, split=True, flatten=False)
    if tag in ("div", "address", "figure", "blockquote"):
        return _container_items(element, tag, attrib)
    if tag in ("ul", "ol"):
        result = _list(element, tag, attrib)
        # A list with nothing in it is nothing (not one empty bullet).
        return [result] if text_of(result) or result.find(".//img") is not None else []
    if tag == "dl":
        return [_definition_list(element, attrib)]
    if tag == "table":
        return [_table(element, attrib)]
    if tag == "pre":
        copy = etree.Element("pre", attrib)
        copy.text = element.text
        for child in element:
            copy.append(_deep_copy(child))
        nested = {str(e.tag) for e in copy.iter() if e is not copy and e.tag in BLOCK_TAGS}
        if nested:
            etree.strip_tags(copy, *nested)
        return [copy]
    if tag in ("li", "dd", "td", "th"):
        # Out of their parent: their content, as a container.
        return _container_items(element, "div", attrib)
    # tr, thead… outside a table: keep the text.
    return _container_items(element, "div", {})


def _deep_copy(element: Element) -> Element:
    copy = etree.Element(str(element.tag), _copy_attrs(element))
    copy.text = element.text
    copy.tail = element.tail
    for child in element:
        copy.append(_deep_copy(child))
    return copy


def _container_items(element: Element, tag: str, attrib: dict[str, str]) -> list[_Item]:
    """A ``div``/``blockquote``/``figure``: a paragraph when it holds only phrasing."""
    if tag == "div" and not _has_block_child(element):
        # A div used as a paragraph (one per line, as some editors write): a <p>.
        items = _phrasing_items(element, "p", attrib, split=True, flatten=False)
        return items or [EMPTY]
    items = finalise(flow_items(element), edges=True)
    if tag == "div" and not attrib:
        # A bare wrapper adds nothing; its blocks join the parent's (and its breaks merge).
        return items or [EMPTY]
    if all(isinstance(item, _Mark) for item in items):
        return items or ([EMPTY] if tag == "div" else [])
    container = etree.Element(tag, attrib)
    _extend(container, items)
    return [container]


def _extend(container: Element, items: Iterable[_Item]) -> None:
    for item in items:
        if item is BREAK:
            etree.SubElement(container, "hr", {"class": "scene-break"})
        elif isinstance(item, _Mark):
            continue
        else:
            container.append(item)


def _flow_or_phrasing(element: Element, tag: str) -> Element:
    """``li``, ``dd``, ``td``, ``th``: blocks when it has block children, else one line."""
    attrib = _copy_attrs(element)
    if _has_block_child(element):
        container = etree.Element(tag, attrib)
        _extend(container, finalise(flow_items(element), edges=True))
        return container
    items = _phrasing_items(element, tag, attrib, split=False, flatten=True)
    for item in items:
        if isinstance(item, Element):
            return item
    return etree.Element(tag, attrib)


def _wrap_strays(
    element: Element, allowed: frozenset[str], wrapper: str
) -> Iterator[tuple[Element, bool]]:
    """Yield the children a structural parent allows, wrapping text and others in ``wrapper``.

    The second value is True for a synthetic wrapper.
    """
    stray = etree.Element(wrapper)
    stray_has_content = False
    stray_last: Element | None = None

    def add_text(value: str | None) -> None:
        nonlocal stray_has_content
        value = _XML_ILLEGAL.sub("", value) if value else value
        if value and value.strip(_WHITESPACE):
            if stray_last is None:
                stray.text = (stray.text or "") + value
            else:
                stray_last.tail = (stray_last.tail or "") + value
            stray_has_content = True

    add_text(element.text)
    for child in element:
        tail = child.tail
        if child.tag in allowed:
            if stray_has_content:
                yield stray, True
                stray = etree.Element(wrapper)
                stray_has_content, stray_last = False, None
            yield child, False
        else:
            copy = _deep_copy(child)
            copy.tail = None
            stray.append(copy)
            stray_last = copy
            stray_has_content = True
        add_text(tail)
    if stray_has_content:
        yield stray, True


def _list(element: Element, tag: str, attrib: dict[str, str]) -> Element:
    result = etree.Element(tag, attrib)
    for child, _synthetic in _wrap_strays(element, frozenset({"li"}), "li"):
        result.append(_flow_or_phrasing(child, "li"))
    if len(result) == 0:
        etree.SubElement(result, "li")
    return result


def _definition_list(element: Element, attrib: dict[str, str]) -> Element:
    result = etree.Element("dl", attrib)
    for child, _synthetic in _wrap_strays(element, frozenset({"dt", "dd"}), "dd"):
        if child.tag == "dt":
            items = _phrasing_items(child, "dt", _copy_attrs(child), split=False, flatten=True)
            result.append(next((i for i in items if isinstance(i, Element)), etree.Element("dt")))
        else:
            result.append(_flow_or_phrasing(child, "dd"))
    # HTML allows only groups of terms followed by descriptions: ``<dl><dd>`` (the old
    # indentation trick) gets an empty term first, and a closing term an empty description.
    if len(result) and result[0].tag == "dd":
        result.insert(0, etree.Element("dt"))
    if len(result) and result[-1].tag == "dt":
        etree.SubElement(result, "dd")
    return result


def _table(element: Element, attrib: dict[str, str]) -> Element:
    result = etree.Element("table", attrib)
    sections = frozenset({"caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr"})
    caption_done = False
    for child, _synthetic in _wrap_strays(element, sections, "td"):
        tag = str(child.tag)
        if tag == "caption":
            if caption_done:
                continue
            caption_done = True
            items = _phrasing_items(child, "caption", _copy_attrs(child), split=False, flatten=True)
            caption = next((i for i in items if isinstance(i, Element)), None)
            if caption is not None:
                result.insert(0, caption)
        elif tag in ("colgroup", "col"):
            result.append(_deep_copy(child))
        elif tag in ("thead", "tbody", "tfoot"):
            section = etree.SubElement(result, tag, _copy_attrs(child))
            for row, _ in _wrap_strays(child, frozenset({"tr"}), "td"):
                section.append(_row(row))
        else:
            result.append(_row(child))
    return result


def _row(element: Element) -> Element:
    if element.tag != "tr":
        row = etree.Element("tr")
        row.append(_flow_or_phrasing(element, "td"))
        return row
    row = etree.Element("tr", _copy_attrs(element))
    for cell, _synthetic in _wrap_strays(element, frozenset({"td", "th"}), "td"):
        row.append(_flow_or_phrasing(cell, str(cell.tag)))
    if len(row) == 0:
        etree.SubElement(row, "td")
    return row


def finalise(items: list[_Item], *, edges: bool) -> list[_Item]:
    """Turn empty-paragraph runs into breaks or nothing, merge breaks, trim them at the edges.

    A run of empty paragraphs is a scene break when it is longer than the most common run
    between two paragraphs of the same fragment (so a work that spaces every paragraph with
    one empty paragraph breaks scenes with two or more).
    """
    gaps: Counter[int] = Counter()
    run = 0
    seen_content = False
    for item in items:
        if item is EMPTY:
            run += 1
        elif item is BREAK:
            run = 0
        else:
            if seen_content:
                gaps[run] += 1
            seen_content = True
            run = 0
    usual = max((n for n, c in gaps.items() if c == max(gaps.values())), default=0)
    result: list[_Item] = []
    run = 0
    for item in items:
        if item is EMPTY:
            run += 1
            continue
        if run > usual:
            result.append(BREAK)
        run = 0
        result.append(item)
    if run > usual:
        result.append(BREAK)
    merged: list[_Item] = []
    for item in result:
        if item is BREAK and merged and merged[-1] is BREAK:
            continue
        merged.append(item)
    if edges:
        while merged and merged[0] is BREAK:
            merged.pop(0)
        while merged and merged[-1] is BREAK:
            merged.pop()
    return merged


# ---------------------------------------------------------------------------------------------
# The entry points


def normalise_fragment(
    container: Element, *, context: str, load_asset: AssetLoader | None = None
) -> str:
    """Clean ``container``'s content (modified in place) and return it as an HTML string."""
    _prepare(container, load_asset, context)
    items = finalise(flow_items(container), edges=True)
    holder = etree.Element("div")
    _extend(holder, items)
    return "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=False)
        for child in holder
    )


def clean_fragment(
    container: Element | None, *, context: str, load_asset: AssetLoader | None = None
) -> Markup | None:
    """Clean a body, summary or note element into trusted markup; ``None`` when it is empty."""
    if container is None:
        return None
    html = normalise_fragment(container, context=context, load_asset=load_asset)
    markup = clean_html(html)
    return markup if markup.strip() else None


def clean_markup(
    html: str, *, context: str, load_asset: AssetLoader | None = None
) -> Markup | None:
    """Parse an HTML fragment string and clean it like :func:`clean_fragment`."""
    document = parse_html(f"<html><body><div>{html}</div></body></html>")
    body = document.find("body")
    holder = body[0] if body is not None and len(body) else None
    return clean_fragment(holder, context=context, load_asset=load_asset)
