"""Pass 1 of cleaning: make a parsed fragment safe and modern, in place.

* **Safety.**  ``script``, ``style``, ``iframe``, ``object``, ``embed``, ``form`` and their
  kind are removed with their content, event-handler attributes and ``javascript:`` URLs are
  dropped, with one warning per fragment (nh3 would drop them too, silently).
* **Obsolete markup.**  ``center`` → ``div.center``, ``font`` → ``span`` (``span.big`` /
  ``span.small`` by size), ``strike`` → ``s``, ``big`` → ``span.big``, ``tt`` → ``code``,
  ``acronym`` → ``abbr``, ``align=`` and inline ``text-align`` → ``class="align-…"``,
  Google-Docs ``<span style="font-style:italic">`` → ``em`` (and bold, underline, strike).
  Source classes are dropped (they are calibre's or a work skin's and would collide with the
  book's own), ``lang``/``dir``/``title`` are kept; spans left without attributes are
  unwrapped.  Images go to :func:`fic2book.html.images.prepare_image`.

Every element left is one the allow-list (:mod:`fic2book.html.allowlist`) allows.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from fic2book.html.allowlist import (
    ALIGN_VALUES,
    ALLOWED_TAGS,
    BLOCK_TAGS,
    GLOBAL_ATTRIBUTES,
    OWN_CLASSES,
    REMOVED_WITH_CONTENT,
    RENAMES,
    SILENT_DROP,
    TAG_ATTRIBUTES,
    URL_SCHEMES,
)
from fic2book.html.images import AssetLoader, prepare_image
from fic2book.html.parse import Element, class_list, remove_keeping_tail
from fic2book.numbers import parse_whole
from fic2book.skin import kept_classes as kept_classes_for_skin

logger = logging.getLogger(__name__)

#: Temporary tag of elements to unwrap (their content stays), stripped at the end of the pass.
_UNWRAP = "fic2book-unwrap"
_STYLE_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)", re.IGNORECASE)


@dataclass
class _Report:
    """What pass 1 removed, for one warning per fragment."""

    removed: Counter[str] = field(default_factory=Counter)

    def warn(self, context: str) -> None:
        if self.removed:
            what = ", ".join(f"{count} {name}" for name, count in sorted(self.removed.items()))
            logger.warning("%s: removed unsafe content (%s)", context, what)


def prepare(root: Element, load_asset: AssetLoader | None, context: str) -> None:
    """Make the tree safe and modern in place; every element left is one of :data:`ALLOWED_TAGS`."""
    report = _Report()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    dangerous = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in REMOVED_WITH_CONTENT:
            dangerous.append(element)
    for element in dangerous:
        tag = str(element.tag).lower()
        if tag not in SILENT_DROP:
            report.removed[f"<{tag}>"] += 1
        remove_keeping_tail(element)

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


def _prepare_element(
    element: Element, load_asset: AssetLoader | None, context: str, report: _Report
) -> None:
    """Rename, restyle and filter the attributes of one element."""
    tag, classes, wrappers = _modern_tag(element)
    _filter_attributes(element, tag, classes, report)
    if tag == "img":
        prepare_image(element, load_asset, context)
        return
    if tag == "span" and not element.attrib:
        tag = _UNWRAP
    if tag == "a":
        href = (element.get("href") or "").strip()
        if urlsplit(href).scheme.lower() in URL_SCHEMES:
            element.set("href", href)
        else:
            # An anchor, or a link into a page that is not in the book: keep just its text.
            tag = _UNWRAP
    # Anything nh3 would not keep is unwrapped now (its content stays), so pass 2 sees only
    # elements whose nesting rules it knows.
    element.tag = tag if tag in ALLOWED_TAGS else _UNWRAP
    # Extra formatting from a style (bold as well as italic) wraps the content.
    for wrapper in wrappers:
        inner = etree.Element(wrapper)
        inner.text = element.text
        element.text = None
        for child in list(element):
            inner.append(child)
        element.insert(0, inner)


def _modern_tag(element: Element) -> tuple[str, list[str], list[str]]:
    """The element's tag once obsolete markup is renamed, its classes and style wrappers."""
    tag = str(element.tag).lower()
    classes: list[str] = []
    wrappers: list[str] = []
    if tag in RENAMES:
        tag, extra_class = RENAMES[tag]
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
    if align in ALIGN_VALUES and tag in BLOCK_TAGS:
        classes.append(f"align-{align}")
    # Classes fic2book wrote itself survive, so cleaning cleaned markup (a book of ours read
    # back) changes nothing; any other class from the input is dropped below.
    classes += class_list(element)
    if tag == "span" and wrappers:
        tag = wrappers.pop(0)
    return tag, classes, wrappers


def _filter_attributes(element: Element, tag: str, classes: list[str], report: _Report) -> None:
    """Keep the allowed attributes of ``tag`` and fic2book's own classes; count the unsafe."""
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
        if key in GLOBAL_ATTRIBUTES or key in TAG_ATTRIBUTES.get(tag, ()):
            kept.setdefault(key, text_value)
    kept_classes = [c for c in dict.fromkeys(classes) if c in OWN_CLASSES]
    # The classes a work skin styles stay, prefixed (fic2book/skin.py).
    kept_classes += kept_classes_for_skin(dict.fromkeys(classes))
    element.attrib.clear()
    for key, value in kept.items():
        element.set(key, value)
    if kept_classes:
        element.set("class", " ".join(kept_classes))


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
    return value if value in ALIGN_VALUES else None


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
