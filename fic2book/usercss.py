"""``--css`` stylesheets without what would fetch: no ``@import``, no ``url()`` to a file.

A user's stylesheet is copied into the EPUB and given to WeasyPrint for the PDF.  Themes get
shared like templates, and a stylesheet can reach out: ``@import url(file:///…)``,
``background: url(http://…)``, ``@font-face { src: url(…) }``.  In the PDF WeasyPrint's
fetcher (:mod:`fic2book.fetch`) refuses these anyway, but the EPUB would carry them to every
e-reader that opens the book, so both get the sheet cleaned here, as a work's own styles are
dropped by the readers.

The sheet is parsed with tinycss2 (the CSS parser WeasyPrint itself uses), so comments,
strings and escapes cannot hide a URL from the check.  What goes: every ``@import``, and every
declaration whose value refers to a resource (``url()``, ``src()``, or a string inside
``image-set()``, ``image()`` or ``cross-fade()``) other than a ``data:`` URL or a ``#fragment``
within the document.  Everything else is serialised back unchanged.  Each removal is logged,
on the ``fic2book.fetch`` logger with the fetcher's own refusals.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import tinycss2
import tinycss2.ast

#: The fetcher's logger: a refused ``url()`` is reported where refused fetches are.
log = logging.getLogger("fic2book.fetch")

#: At-rules whose block holds rules (``@media print { p { … } }``); others hold declarations.
_RULE_LIST_AT_RULES = frozenset(
    {"media", "supports", "layer", "container", "document", "-moz-document", "scope"}
)
#: Functions whose string arguments are image URLs.
_IMAGE_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "cross-fade"})

#: Bracketed blocks, searched for URLs inside.
_BLOCKS = (
    tinycss2.ast.ParenthesesBlock,
    tinycss2.ast.SquareBracketsBlock,
    tinycss2.ast.CurlyBracketsBlock,
)

__all__ = ["clean_user_css"]


def clean_user_css(text: str, source: Path | str) -> str:
    """``text`` without ``@import`` rules and declarations that would load a resource."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=False, skip_whitespace=False)
    return str(tinycss2.serialize(_clean_rules(rules, str(source))))


def _fetches(url: str) -> bool:
    """Whether loading ``url`` would read a file or the network (``data:`` and ``#x`` do not)."""
    url = url.strip()
    return not (url.startswith("#") or url[:5].lower() == "data:")


def _urls(tokens: Iterable[tinycss2.ast.Node], in_image: bool = False) -> list[str]:
    """Every resource URL ``tokens`` refer to, at any depth."""
    found: list[str] = []
    for token in tokens:
        is_string_url = isinstance(token, tinycss2.ast.StringToken) and in_image
        if isinstance(token, tinycss2.ast.URLToken) or is_string_url:
            found.append(token.value)
        elif isinstance(token, tinycss2.ast.FunctionBlock):
            name = token.lower_name
            if name in ("url", "src"):
                strings = [a for a in token.arguments if isinstance(a, tinycss2.ast.StringToken)]
                # url("") or a url() built from variables: treat as fetching.
                found.extend([s.value for s in strings] or ["(unresolved url)"])
            else:
                found += _urls(token.arguments, in_image or name in _IMAGE_FUNCTIONS)
        elif isinstance(token, _BLOCKS):
            found += _urls(token.content, in_image)
    return found


def _refused(urls: Sequence[str], source: str, what: str) -> bool:
    fetching = [url for url in urls if _fetches(url)]
    for url in fetching:
        log.warning("refused to load %s (%s in the stylesheet %s)", url, what, source)
    return bool(fetching)


def _clean_rules(rules: Iterable[tinycss2.ast.Node], source: str) -> list[tinycss2.ast.Node]:
    kept: list[tinycss2.ast.Node] = []
    for rule in rules:
        if isinstance(rule, tinycss2.ast.AtRule) and rule.lower_at_keyword == "import":
            urls = _urls(rule.prelude) + [
                t.value for t in rule.prelude if isinstance(t, tinycss2.ast.StringToken)
            ]
            _refused(urls or ["(an @import)"], source, "@import")
            continue
        if isinstance(rule, tinycss2.ast.QualifiedRule | tinycss2.ast.AtRule) and rule.content:
            if (
                isinstance(rule, tinycss2.ast.AtRule)
                and rule.lower_at_keyword in _RULE_LIST_AT_RULES
            ):
                inner = tinycss2.parse_rule_list(
                    rule.content, skip_comments=False, skip_whitespace=False
                )
                rule.content = _clean_rules(inner, source)
            else:
                rule.content = _clean_block(rule.content, source)
        kept.append(rule)
    return kept


def _clean_block(content: list[tinycss2.ast.Node], source: str) -> list[tinycss2.ast.Node]:
    """A rule's block with the fetching declarations (and nested rules' ones) removed."""
    items = tinycss2.parse_blocks_contents(content, skip_comments=False, skip_whitespace=False)
    kept: list[tinycss2.ast.Node] = []
    for item in items:
        if isinstance(item, tinycss2.ast.Declaration):
            if _refused(_urls(item.value), source, f"'{item.name}'"):
                continue
            kept.append(item)  # serialised with its ";"
        elif isinstance(item, tinycss2.ast.QualifiedRule | tinycss2.ast.AtRule):
            kept.extend(_clean_rules([item], source))
        elif isinstance(item, tinycss2.ast.ParseError):
            continue  # dropped by every CSS parser anyway
        else:
            kept.append(item)
    return kept
