"""Clean the messy HTML fans' files contain into trusted, valid book markup.

Every HTML-based reader passes each body, summary and note through :func:`clean_fragment` (or
:func:`clean_markup` for a string): :func:`fic2book.html.prepare.prepare` makes the tree safe
and modern in place (obsolete markup, dangerous elements, attributes, images), then
:mod:`fic2book.html.structure` rebuilds it into valid blocks and scene breaks, and
:func:`fic2book.html.sanitize.clean_html` (nh3, with the same allow-list) makes the trusted
:class:`~markupsafe.Markup`.  All of it is linear in the size of the input.
"""

from __future__ import annotations

from lxml import etree
from markupsafe import Markup

from fic2book.html.images import AssetLoader
from fic2book.html.items import extend, finalise
from fic2book.html.parse import Element, parse_html
from fic2book.html.prepare import prepare
from fic2book.html.sanitize import clean_html
from fic2book.html.structure import flow_items


def normalise_fragment(
    container: Element, *, context: str, load_asset: AssetLoader | None = None
) -> str:
    """Clean ``container``'s content (modified in place) and return it as an HTML string."""
    prepare(container, load_asset, context)
    items = finalise(flow_items(container), edges=True)
    holder = etree.Element("div")
    extend(holder, items)
    _unwrap_incomplete_ruby(holder)
    return "".join(
        etree.tostring(child, encoding="unicode", method="html", with_tail=False)
        for child in holder
    )


def _unwrap_incomplete_ruby(holder: Element) -> None:
    """Keep only the text of a ``<ruby>`` with no ``<rt>``: EPUB 3 requires one in each.

    Input can lack it, and splitting a paragraph (at a ``<br>`` run or a nested block) can
    leave the annotation in one part and the base text in another.
    """
    incomplete = [ruby for ruby in holder.iter("ruby") if ruby.find("rt") is None]
    for ruby in incomplete:
        ruby.tag = _INCOMPLETE_RUBY
    if incomplete:
        etree.strip_tags(holder, _INCOMPLETE_RUBY)


#: Temporary tag of a ``<ruby>`` being unwrapped.
_INCOMPLETE_RUBY = "fic2book-incomplete-ruby"


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
