r"""AO3 work skins: an author's CSS for chat logs, text messages and letters, made safe to keep.

A work skin is CSS the author attached to the work; AO3 prefixes every selector with
``#workskin`` and serves it in a ``<style>`` on the work page, so a saved page carries it.
Without it a texting fic reads as a wall of lines, so readers put a sanitised copy in
:attr:`fic2book.model.Work.skin_css` and both books apply it (``--no-skin`` turns it off).

The sheet comes from a stranger, so it is parsed with tinycss2 (the parser WeasyPrint uses:
comments, strings and escapes such as ``u\72l(`` decode the same way here as there) and
rebuilt from what an allow-list keeps:

* **Rules.**  Only style rules; every at-rule goes (``@import``, ``@font-face``, ``@media``,
  ``@page``).  A selector naming an id other than ``#workskin`` is dropped (ids in the book
  are fic2book's own), and so is one not starting with ``#workskin`` as AO3's all do.  Each
  selector is scoped to ``.workskin``, the class the chapter
  templates put on a chapter when the work has a skin, as AO3 scopes it to ``#workskin``, and
  every class it names gets the prefix ``ws-`` (``.text`` → ``.ws-text``): the cleaning keeps
  exactly those classes on the work's markup, prefixed the same way
  (:func:`keeping_classes`), so a skin's class can never style fic2book's own elements and
  fic2book's stylesheets never style the author's.
* **Properties.**  Colours, fonts, text, borders, spacing, floats, widths and the display of
  blocks and inlines (:data:`ALLOWED_PROPERTIES`).  Nothing that positions outside the text
  (``position``, ``transform``, ``top``…), clips or hides (``overflow``, ``visibility``,
  ``opacity``, ``display: none``, ``clip``) or generates text (``content``) is allowed.
* **Values.**  No function but the colour ones (``rgb()``, ``hsl()``…), so no ``url()``,
  ``image-set()``, ``expression()``, ``var()`` or ``calc()``; no ``!important``.  Values that
  hide text are refused: a ``color`` that is ``transparent`` or fully transparent, a font
  size under half the surrounding one (:data:`MIN_FONT`), a negative margin, indent or
  letter-spacing beyond about one em (:data:`NEGATIVE_LIMIT`).  A colour the same as its
  background is not detected.

Every removal is logged once per sheet on this module's logger, so ``--debug`` shows what went.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import tinycss2
import tinycss2.ast

from fic2book.html.parse import Element
from fic2book.model import Work

log = logging.getLogger(__name__)

#: The class on the element a skin applies to (AO3's ``#workskin``).
SCOPE_CLASS = "workskin"
#: Prefix of an author's classes in the book, in the markup and in the skin alike.
CLASS_PREFIX = "ws-"

#: Properties a skin may set; anything else is dropped.
ALLOWED_PROPERTIES: frozenset[str] = frozenset(
    {
        "color", "background-color", "background",
        "font", "font-family", "font-size", "font-style", "font-weight", "font-variant",
        "font-variant-caps", "font-stretch", "line-height",
        "text-align", "text-decoration", "text-decoration-line", "text-decoration-style",
        "text-decoration-color", "text-transform", "text-indent", "letter-spacing",
        "word-spacing", "white-space", "vertical-align", "list-style-type", "font-feature-settings",
        "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-width", "border-style", "border-color", "border-radius",
        *(f"border-{side}-{part}" for side in ("top", "right", "bottom", "left")
          for part in ("width", "style", "color")),
        *(f"border-{corner}-radius" for corner in ("top-left", "top-right", "bottom-left",
                                                   "bottom-right")),
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "display", "float", "clear", "width", "max-width", "min-width",
    }
)  # fmt: skip

#: ``display`` values kept: blocks, inlines, lists and tables (never ``none``).
DISPLAY_VALUES: frozenset[str] = frozenset(
    {"block", "inline", "inline-block", "list-item", "table", "table-row", "table-cell",
     "inline-table", "flow-root"}
)  # fmt: skip
#: Functions a value may use: colours only.
ALLOWED_FUNCTIONS: frozenset[str] = frozenset({"rgb", "rgba", "hsl", "hsla"})
#: Properties whose negative values are bounded (further would move text out of view).
BOUNDED_NEGATIVE: frozenset[str] = frozenset(
    {"margin", "margin-top", "margin-right", "margin-bottom", "margin-left", "text-indent",
     "letter-spacing", "word-spacing"}
)  # fmt: skip
#: The most negative length allowed per unit: about one em.
NEGATIVE_LIMIT: dict[str, float] = {
    "em": 1.0, "rem": 1.0, "ex": 2.0, "ch": 2.0, "px": 16.0, "pt": 12.0, "pc": 1.0,
    "mm": 4.0, "cm": 0.4, "in": 0.17, "q": 16.0, "%": 5.0,
}  # fmt: skip
#: The smallest font size kept per unit (half the surrounding size); keywords are kept.
MIN_FONT: dict[str, float] = {
    "em": 0.5, "rem": 0.5, "ex": 1.0, "ch": 1.0, "%": 50.0, "px": 6.0, "pt": 4.5, "pc": 0.4,
    "mm": 1.6, "cm": 0.16, "in": 0.07, "q": 6.4, "vw": 1.0, "vh": 1.0,
}  # fmt: skip

_IDENT = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Skin:
    """A sanitised skin: the CSS to include and the author's classes it styles (unprefixed)."""

    css: str
    classes: frozenset[str]


#: The author's classes the cleaning keeps (with :data:`CLASS_PREFIX`) while a work is read.
_KEPT_CLASSES: ContextVar[frozenset[str]] = ContextVar("skin_classes", default=frozenset())


@contextmanager
def keeping_classes(classes: Iterable[str]) -> Iterator[None]:
    """Let the HTML cleaning keep these author classes (prefixed) inside the ``with`` block.

    A context variable rather than a parameter: the cleaning is called from every reader,
    and only a reader that found a skin needs the classes it names.
    """
    token = _KEPT_CLASSES.set(frozenset(classes))
    try:
        yield
    finally:
        _KEPT_CLASSES.reset(token)


def kept_classes(classes: Iterable[str]) -> list[str]:
    """The book's names (``ws-…``) of those of ``classes`` the current skin styles."""
    wanted = _KEPT_CLASSES.get()
    return [CLASS_PREFIX + name for name in classes if name in wanted]


def sheets_skin(sheets: Iterable[str], source: str) -> Skin | None:
    """The work skin among a page's or a book's stylesheets, sanitised; ``None`` without one.

    A sheet holds the skin when it styles ``#workskin``: AO3 prefixes every rule of a skin
    with it, in a ``<style>`` on a work page; FanFicFare (``use_workskin``) copies those rules
    into its book's stylesheet among its own, which :func:`sanitize_skin` leaves out.
    """
    css = "\n".join(sheet for sheet in sheets if "#workskin" in sheet)
    return sanitize_skin(css, source) if css else None


def page_skin(root: Element, source: str) -> Skin | None:
    """The work skin in a parsed HTML page's ``<style>`` elements (see :func:`sheets_skin`)."""
    return sheets_skin(("".join(style.itertext()) for style in root.iter("style")), source)


def with_skin(work: Work, skin: Skin | None) -> Work:
    """``work`` carrying ``skin``'s CSS (the model's only field for it)."""
    return dataclasses.replace(work, skin_css=skin.css) if skin else work


def skin_within(css: str, ancestor: str) -> str:
    """A sanitised skin's rules, each limited to the descendants of ``ancestor``.

    An omnibus's PDF is one HTML document holding several works, each in its own element:
    a work's skin, scoped to ``.workskin`` like any other, would style every skinned work's
    chapters, so each is put under its own work's element instead (``[id="book-w2"]``, an
    attribute selector, so the skin weighs no more than a class over the reader's ``--css``).
    """
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    out = []
    for rule in rules:
        if isinstance(rule, tinycss2.ast.QualifiedRule):
            selectors = [tinycss2.serialize(_strip(part)) for part in _split(rule.prelude)]
            prelude = ", ".join(f"{ancestor} {selector}" for selector in selectors)
            out.append(f"{prelude} {{{tinycss2.serialize(rule.content)}}}")
    return "\n".join(out) + "\n" if out else ""


def sanitize_skin(css: str, source: str = "work skin") -> Skin | None:
    """The safe, scoped part of a work skin; ``None`` when nothing is left."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    dropped: list[str] = []
    out: list[str] = []
    classes: set[str] = set()
    for rule in rules:
        if isinstance(rule, tinycss2.ast.AtRule):
            dropped.append(f"@{rule.at_keyword}")
            continue
        if not isinstance(rule, tinycss2.ast.QualifiedRule):
            continue
        selectors = [_scoped(sel, classes, dropped) for sel in _split(rule.prelude)]
        kept_selectors = [s for s in selectors if s]
        declarations = _declarations(rule.content or [], dropped)
        if kept_selectors and declarations:
            out.append(f"{', '.join(kept_selectors)} {{ {'; '.join(declarations)}; }}")
    if dropped:
        log.warning("%s: dropped %s", source, ", ".join(sorted(set(dropped))))
    if not out:
        return None
    return Skin("\n".join(out) + "\n", frozenset(classes))


def _split(prelude: list[tinycss2.ast.Node]) -> list[list[tinycss2.ast.Node]]:
    """A selector list's selectors (split at top-level commas)."""
    parts: list[list[tinycss2.ast.Node]] = [[]]
    for token in prelude:
        if isinstance(token, tinycss2.ast.LiteralToken) and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _scoped(tokens: list[tinycss2.ast.Node], classes: set[str], dropped: list[str]) -> str:
    """One selector scoped to ``.workskin`` with prefixed classes; ``""`` when refused."""
    tokens = _strip(tokens)
    named: set[str] = set()  # added to ``classes`` only when the selector is kept
    if not tokens or not isinstance(tokens[0], tinycss2.ast.HashToken):
        return ""  # AO3 starts every selector of a skin with #workskin; others are not its own
    if tokens[0].value != "workskin":
        dropped.append(f"selector #{tokens[0].value}")
        return ""
    tokens = _strip(tokens[1:])
    text: list[str] = []
    previous: tinycss2.ast.Node | None = None
    for token in tokens:
        if isinstance(token, tinycss2.ast.HashToken):
            dropped.append(f"selector #{token.value}")
            return ""
        if isinstance(token, tinycss2.ast.FunctionBlock | tinycss2.ast.CurlyBracketsBlock):
            # :not(), :nth-child() and the like: rare in skins, and a way round the checks.
            dropped.append(f"selector {token.serialize()}")
            return ""
        is_class = isinstance(previous, tinycss2.ast.LiteralToken) and previous.value == "."
        if is_class and isinstance(token, tinycss2.ast.IdentToken):
            if not _IDENT.fullmatch(token.value):
                return ""
            named.add(token.value)
            text.append(CLASS_PREFIX + token.value)
        else:
            text.append(token.serialize())
        previous = token
    classes.update(named)
    selector = "".join(text).strip()
    if not selector:
        return f".{SCOPE_CLASS}"
    # A selector starting with a combinator (">") still attaches to the scope.
    return f".{SCOPE_CLASS} {selector}"


def _strip(tokens: list[tinycss2.ast.Node]) -> list[tinycss2.ast.Node]:
    start, end = 0, len(tokens)
    while start < end and isinstance(tokens[start], tinycss2.ast.WhitespaceToken):
        start += 1
    while end > start and isinstance(tokens[end - 1], tinycss2.ast.WhitespaceToken):
        end -= 1
    return tokens[start:end]


def _declarations(content: list[tinycss2.ast.Node], dropped: list[str]) -> list[str]:
    """The allowed declarations of a rule's block, serialised without ``!important``."""
    kept: list[str] = []
    items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    for item in items:
        if not isinstance(item, tinycss2.ast.Declaration):
            continue
        name = item.lower_name
        value = _strip(list(item.value))
        reason = _refusal(name, value)
        if reason:
            dropped.append(f"{name} ({reason})")
            continue
        kept.append(f"{name}: {tinycss2.serialize(value).strip()}")
    return kept


def _refusal(name: str, value: list[tinycss2.ast.Node]) -> str | None:
    """Why the declaration ``name: value`` is dropped, or ``None`` to keep it."""
    if name not in ALLOWED_PROPERTIES:
        return "property not allowed"
    if not value:
        return "empty"
    for token in _flatten(value):
        if isinstance(token, tinycss2.ast.URLToken):
            return "loads a resource"
        if isinstance(token, tinycss2.ast.FunctionBlock):
            if token.lower_name not in ALLOWED_FUNCTIONS:
                return f"{token.lower_name}()"
            if name == "color" and _alpha_zero(token):
                return "invisible"
        if isinstance(token, tinycss2.ast.ParseError):
            return "invalid"
    idents = {t.lower_value for t in value if isinstance(t, tinycss2.ast.IdentToken)}
    if name == "display" and not (len(value) == 1 and idents <= DISPLAY_VALUES and idents):
        return "display value"
    if name == "color" and "transparent" in idents:
        return "invisible"
    if name in ("font-size", "font") and _too_small(value):
        return "font too small"
    if name in BOUNDED_NEGATIVE and _too_negative(value):
        return "too far negative"
    return None


def _flatten(tokens: Iterable[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.Node]:
    for token in tokens:
        yield token
        if isinstance(token, tinycss2.ast.FunctionBlock):
            yield from _flatten(token.arguments)
        elif isinstance(token, tinycss2.ast.ParenthesesBlock | tinycss2.ast.SquareBracketsBlock):
            yield from _flatten(token.content)


def _alpha_zero(function: tinycss2.ast.FunctionBlock) -> bool:
    """Whether a colour function's alpha is 0 (``rgba(0,0,0,0)``, ``rgb(0 0 0 / 0%)``)."""
    numbers = [
        t
        for t in function.arguments
        if isinstance(t, tinycss2.ast.NumberToken | tinycss2.ast.PercentageToken)
    ]
    return len(numbers) == 4 and numbers[-1].value == 0


def _too_small(value: list[tinycss2.ast.Node]) -> bool:
    """A font size under :data:`MIN_FONT` (in ``font``: the first length, before any ``/``)."""
    for token in value:
        if isinstance(token, tinycss2.ast.LiteralToken) and token.value == "/":
            return False
        # A bare number is a weight in ``font``; as a size only 0 is valid.
        if isinstance(token, tinycss2.ast.NumberToken) and token.value == 0:
            return True
        unit = _unit(token)
        if unit is not None:
            number = token.value
            return bool(number < MIN_FONT.get(unit, 1.0))
    return False


def _too_negative(value: list[tinycss2.ast.Node]) -> bool:
    for token in value:
        unit = _unit(token)
        if unit is not None and token.value < 0:
            limit = NEGATIVE_LIMIT.get(unit)
            if limit is None or -token.value > limit:
                return True
    return False


def _unit(token: tinycss2.ast.Node) -> str | None:
    if isinstance(token, tinycss2.ast.DimensionToken):
        return str(token.lower_unit)
    if isinstance(token, tinycss2.ast.PercentageToken):
        return "%"
    return None
