"""Turn untrusted text and HTML into markup the templates may trust.

This is the only module that creates :class:`markupsafe.Markup`.  HTML goes through nh3 (the
Rust ``ammonia`` sanitiser) with the allow-list the cleaner uses (:mod:`fic2book.html.allowlist`,
close to AO3's own), so no script, style, event handler, embedded object or remote fetch
survives into a renderer.  Plain text is escaped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from fic2book.html.allowlist import (
    ALLOWED_TAGS,
    GLOBAL_ATTRIBUTES,
    REMOVED_WITH_CONTENT,
    TAG_ATTRIBUTES,
    URL_SCHEMES,
)
from fic2book.numbers import parse_whole

if TYPE_CHECKING:
    from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

#: The markup every scene break becomes, in both books.
SCENE_BREAK = Markup('<hr class="scene-break"/>')

#: What nh3 keeps: the allow-list's elements, their attributes and ``class`` on any element.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {*GLOBAL_ATTRIBUTES, "class"},
    **{tag: set(names) for tag, names in TAG_ATTRIBUTES.items()},
}

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_INTEGER_ATTRIBUTES = frozenset({"width", "height", "colspan", "rowspan", "span", "start"})
_ENUMERATED: dict[str, frozenset[str]] = {
    "dir": frozenset({"ltr", "rtl", "auto"}),
    "scope": frozenset({"row", "col", "rowgroup", "colgroup"}),
    "type": frozenset({"1", "a", "A", "i", "I"}),
}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """Drop attribute values an EPUB 3 validator rejects or a book cannot resolve.

    Links keep only absolute web and mail URLs (a relative or ``#fragment`` link points into
    a file that is not in the book); images keep only relative paths inside the book (the
    embedded assets) since nothing is fetched; ``lang``, ``dir`` and numeric attributes must
    be well-formed.
    """
    if tag == "a" and name == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        return value if scheme in URL_SCHEMES else None
    if tag == "img" and name == "src":
        path = value.strip()
        if ":" in path.split("/", 1)[0] or path.startswith(("/", "\\")) or ".." in path:
            return None
        return path or None
    if name == "lang":
        return value if _LANGUAGE_TAG.fullmatch(value.strip()) else None
    if name in _INTEGER_ATTRIBUTES:
        number = parse_whole(value)
        return str(number) if number is not None and (name == "start" or number > 0) else None
    if name in _ENUMERATED:
        allowed = _ENUMERATED[name]
        if name == "type":
            return value if value in allowed else None
        lowered = value.strip().lower()
        return lowered if lowered in allowed else None
    return value


def clean_html(html: str) -> Markup:
    """Sanitise an HTML fragment and mark it safe for templates.

    Elements outside the allow-list are removed with their content when they can execute or
    fetch (``script``, ``style``, ``iframe``…) and unwrapped otherwise, as nh3 does.  Links
    keep only absolute ``http``/``https``/``mailto`` URLs, images only relative paths (the
    book's embedded assets); malformed ``lang``, ``dir`` and numeric attributes are dropped.
    """
    # Imported here: plain-text works never need it (``inspect`` start-up).
    import nh3

    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        # No rel: ammonia would add it to every <a>, and rel on an <a> without href (a former
        # anchor whose target is gone) is invalid EPUB 3; e-readers ignore it anyway.
        link_rel=None,
        strip_comments=True,
    )
    if _lost_active_content(html, cleaned):
        logger.warning("removed scripts, styles or embedded content from the input")
    # nh3 output is the trusted form by definition.
    return Markup(_give_images_alt(cleaned))


# An <img> tag as nh3 serialises it: every attribute value double-quoted, '"' escaped inside.
_IMG_TAG = re.compile(r'<img((?:\s+[^\s=>/]+(?:="[^"]*")?)*)(\s*/?)>')
_ALT_ATTRIBUTE = re.compile(r'\salt(?:="|\s|$)')


def _give_images_alt(html: str) -> str:
    """Add ``alt=""`` to images without one.

    Every image needs alt text (WCAG 1.1.1); an image the author did not describe is treated
    as decorative rather than read out as its file name.
    """
    if "<img" not in html:
        return html

    def fix(match: re.Match[str]) -> str:
        if _ALT_ATTRIBUTE.search(match[1]):
            return match[0]
        return f'<img{match[1]} alt=""{match[2]}>'

    return _IMG_TAG.sub(fix, html)


def _lost_active_content(before: str, after: str) -> bool:
    lowered = before.lower()
    markers = ("<script", "<style", "<iframe", "<object", "<embed", "<form", "javascript:", " on")
    return any(m in lowered and m not in after.lower() for m in markers[:-1])


def paragraphs(texts: Iterable[str]) -> Markup:
    """Escape plain-text paragraphs into ``<p>`` elements; ``None``-free, empty strings skipped.

    Whitespace at a paragraph's edges is dropped: a space before ``</p>`` is set at the end of
    the last line and makes the PDF break the line before it early.
    """
    # What Markup("<p>{}</p>").format(t) joined by Markup("\n") gives, in a quarter of the time:
    # escape() is the same escaping (and leaves Markup alone), the rest is a constant frame.
    return Markup("\n".join(f"<p>{escape(t.strip())}</p>" for t in texts if t.strip()))


def text_block(text: str) -> Markup:
    """Escape a plain-text field (a summary or note) into paragraphs, one per non-blank line."""
    return paragraphs(text.splitlines())


#: Elements after which :func:`plain_text` starts a new line.
_LINE_ENDS = frozenset(
    {"p", "div", "li", "dt", "dd", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "hr"}
)


def plain_text(markup: Markup) -> str:
    """The text of trusted markup, one line per paragraph (or other block, or ``<br>``).

    For places that take text, not markup, such as the PDF's Subject: ``striptags`` would run
    the paragraphs together ("…for years?A Martin…").
    """
    # Imported here: reading a plain-text work needs none of lxml (``inspect`` start-up).
    from lxml import html as lxml_html

    if not markup.strip():
        return ""
    holder = lxml_html.fragment_fromstring(str(markup), create_parent="div")
    for element in holder.iter():
        if element.tag == "br" or element.tag in _LINE_ENDS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in holder.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


#: Elements with no content, written ``<br/>`` by :func:`trusted_from_tree`.
_VOID_ELEMENTS = frozenset({"br", "hr", "img", "col", "wbr"})


def trusted_from_tree(container: HtmlElement) -> Markup:
    """Serialise the children of ``container`` (parsed from trusted markup) back into Markup.

    For transforms that change only text, such as :mod:`fic2book.typography`: the tree came
    from markup this module made, and the serialiser escapes every text node, so what comes out
    is as safe as what went in.  The output is XHTML-style (``<hr class="scene-break"/>``)
    like the rest of the model's markup; empty non-void elements keep an end tag, since
    ``<span/>`` would open an element in an HTML parser.
    """
    for element in container.iter():
        if (
            isinstance(element.tag, str)
            and element.text is None
            and len(element) == 0
            and element.tag not in _VOID_ELEMENTS
        ):
            element.text = ""
    # Imported here: reading a plain-text work needs none of lxml (``inspect`` start-up).
    from lxml import etree

    head = escape(container.text or "")
    body = "".join(
        etree.tostring(child, encoding="unicode", method="xml", with_tail=True)
        for child in container
    )
    # Text and tails were escaped by lxml; element structure is that of trusted input.
    return Markup(str(head) + body)
