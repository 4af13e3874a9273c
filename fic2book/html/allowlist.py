"""The one allow-list: which elements and attributes cleaned markup may hold.

Both passes use it: :mod:`fic2book.html.prepare` renames obsolete elements, removes the
dangerous ones with their content and filters attributes; :mod:`fic2book.html.sanitize` hands
the same lists to nh3, the last line of defence.  AO3's own sanitiser allows about the same
ordinary HTML; obsolete elements (``center``, ``font``, ``big``…) are not valid EPUB 3 and are
renamed before this point (see :data:`RENAMES`), so they are not allowed here.
"""

from __future__ import annotations

from typing import Final

#: Removed with everything inside them: they execute, fetch or collect input (or, like
#: ``<head>``, hold no content).  nh3 would keep the text of an element it does not know.
REMOVED_WITH_CONTENT: Final = frozenset(
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
SILENT_DROP: Final = frozenset({"head", "title", "meta", "link", "noscript"})

# Obsolete or unknown-to-EPUB elements and what they become: (tag, class or None).
RENAMES: Final[dict[str, tuple[str, str | None]]] = {
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

HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Blocks whose content is phrasing only.
PHRASING_BLOCKS: Final = frozenset({"p", "dt", "caption", "figcaption", *HEADINGS})
#: Blocks that hold flow content (blocks or phrasing).
FLOW_BLOCKS: Final = frozenset({"div", "blockquote", "figure", "address"})
#: Elements only valid inside a particular parent.
CONTEXT_BLOCKS: Final = frozenset(
    {"li", "dd", "td", "th", "tr", "thead", "tbody", "tfoot", "colgroup", "col"}
)
BLOCK_TAGS: Final = frozenset(
    {
        *PHRASING_BLOCKS,
        *FLOW_BLOCKS,
        *CONTEXT_BLOCKS,
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
VOID_INLINE: Final = frozenset({"br", "img"})
#: Every element the cleaned markup may hold: what the sanitiser lets through.
ALLOWED_TAGS: Final = BLOCK_TAGS | INLINE_TAGS | VOID_INLINE

#: Attributes every element may keep (and ``class``, limited to :data:`OWN_CLASSES`).
GLOBAL_ATTRIBUTES: Final = ("lang", "dir", "title")
TAG_ATTRIBUTES: Final[dict[str, tuple[str, ...]]] = {
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

ALIGN_VALUES: Final = frozenset({"center", "right", "justify"})

#: Link schemes kept: the web and mail (an e-reader opens them on request).  Images keep only
#: relative paths inside the book, checked by the sanitiser.
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
