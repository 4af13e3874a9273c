"""Turn untrusted text and HTML into markup the templates may trust.

This is the only module that creates :class:`markupsafe.Markup`.  HTML goes through nh3 (the
Rust ``ammonia`` sanitiser) with an allow-list close to AO3's own, so no script, style, event
handler, embedded object or remote fetch survives into a renderer.  Plain text is escaped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import nh3
from markupsafe import Markup, escape

logger = logging.getLogger(__name__)

#: The markup every scene break becomes, in both books.
SCENE_BREAK = Markup('<hr class="scene-break"/>')

# AO3's sanitiser allows ordinary HTML plus a few obsolete elements; the obsolete ones are not
# valid EPUB 3, so readers convert them before this point (issue: messy markup) and they are
# not listed here.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "acronym",
        "address",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
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
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "var",
    }
)
_GLOBAL_ATTRIBUTES = {"class", "dir", "lang", "title"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
}
# Links may point at the web (the reader's e-reader opens them on request); images may only
# be relative references to embedded assets or data: URLs, resolved by the backends.
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})


def clean_html(html: str) -> Markup:
    """Sanitise an HTML fragment and mark it safe for templates.

    Elements outside the allow-list are removed with their content when they can execute or
    fetch (``script``, ``style``, ``iframe``…) and unwrapped otherwise, as nh3 does.
    """
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    if _lost_active_content(html, cleaned):
        logger.warning("removed scripts, styles or embedded content from the input")
    # nh3 output is the trusted form by definition.
    return Markup(cleaned)


def _lost_active_content(before: str, after: str) -> bool:
    lowered = before.lower()
    markers = ("<script", "<style", "<iframe", "<object", "<embed", "<form", "javascript:", " on")
    return any(m in lowered and m not in after.lower() for m in markers[:-1])


def paragraphs(texts: Iterable[str]) -> Markup:
    """Escape plain-text paragraphs into ``<p>`` elements; ``None``-free, empty strings skipped."""
    return Markup("\n").join(Markup("<p>{}</p>").format(t) for t in texts if t.strip())


def text_block(text: str) -> Markup:
    """Escape a plain-text field (a summary or note) into paragraphs, one per non-blank line."""
    return paragraphs(text.splitlines())


def escape_text(text: str) -> Markup:
    """Escape a plain string for use where markup is expected."""
    return escape(text)
