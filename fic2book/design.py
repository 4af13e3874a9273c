"""Chapter openings and scene-break ornaments: the marks a printed book's design adds to the text.

``--opening`` marks the first paragraph of each chapter: ``dropcap`` wraps its first letter
(with any quotation mark, bracket or dialogue dash before it, and the space after a
guillemet or dash: a drop cap "“S", "« B" or "— H" carries its mark) in
``<span class="dropcap">``, ``smallcaps`` wraps its first words in ``<span
class="opening-words">``, ``plain`` changes nothing.  The words stay whole in the markup, so
the PDF's text layer and a screen reader still read "“Strange", not "“S trange".  A letter
without case (Chinese, Japanese, Arabic…) takes no drop cap or small capitals: the opening is
plain there, as books in those scripts are set.

``--ornament`` chooses what a scene break (``<hr class="scene-break"/>``) shows.  Both are
drawn by CSS (:func:`design_css`), which the EPUB links as ``styles/design.css`` and the PDF
applies after its bundled sheets, so the two books show the same ornament.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from markupsafe import Markup

from fic2book.errors import UsageError


class Opening(StrEnum):
    """``--opening``: how each chapter's first paragraph starts."""

    #: A drop cap two lines high (a simple float, which e-readers without floats show inline).
    DROPCAP = "dropcap"
    #: The first words in small capitals.
    SMALLCAPS = "smallcaps"
    #: As the text comes.
    PLAIN = "plain"


#: Named ornaments of ``--ornament``; any other short text is used as it is written.
ORNAMENTS: dict[str, str] = {
    "asterism": "\u2042",  # ⁂
    "dinkus": "*\u2002*\u2002*",  # * * * with en spaces
    "fleuron": "\u2767",  # ❧ rotated floral heart
    "rule": "",  # a short centred line, drawn as a border
}

#: The longest text ``--ornament GLYPH`` accepts: an ornament, not a sentence.
MAX_GLYPH = 12

#: How many words ``--opening smallcaps`` sets in small capitals.
SMALLCAP_WORDS = 3

_FIRST_P = re.compile(r"<p(?P<attrs>(?:\s[^>]*)?)>")
#: Inline tags that may open a paragraph before its first letter (``<p><em>“Strange``).
_INLINE_TAG = re.compile(r"<(?:em|i|strong|b|span|u|small|big|s|cite|q)(?:\s[^>]*)?>")
_CLASS = re.compile(r'\sclass="(?P<value>[^"]*)"')


def check_ornament(value: str) -> str:
    """The ornament named or written by ``value``; a usage error for one too long or empty."""
    key = value.strip()
    if key.lower() in ORNAMENTS:
        return key.lower()
    if not key or len(key) > MAX_GLYPH or any(unicodedata.category(c)[0] == "C" for c in key):
        names = ", ".join(ORNAMENTS)
        raise UsageError(
            f"--ornament must be one of {names} or up to {MAX_GLYPH} printable characters, "
            f"not {value!r}"
        )
    return key


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, every non-ASCII or special character escaped."""
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char in " *~#+=-.:_|/()[]<>!?^"):
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def is_default(ornament: str, opening: Opening) -> bool:
    """Whether ``book.css`` alone draws this ornament and opening (no extra sheet needed)."""
    return ornament == "asterism" and opening == Opening.PLAIN


def design_css(ornament: str, opening: Opening, *, pdf: bool = False) -> str:
    """The stylesheet for ``--ornament`` and ``--opening``; ``pdf`` for the print book's.

    Empty for the defaults, which ``book.css`` draws: a default book stays as it was.
    """
    if is_default(ornament, opening):
        return ""
    rules = []
    if ornament == "rule":
        rules.append(
            'hr.scene-break::after { content: ""; display: block; width: 4em; height: 0; '
            "margin: 0.7em auto; border-top: 0.06em solid currentColor; }"
        )
    else:
        glyph = ORNAMENTS.get(ornament, ornament)
        rules.append(f"hr.scene-break::after {{ content: {_css_string(glyph)}; }}")
    if ornament == "dinkus":
        rules.append("hr.scene-break::after { letter-spacing: 0.1em; }")
    if ornament == "fleuron":
        rules.append("hr.scene-break::after { font-size: 1.4em; line-height: 1; }")
    if opening is Opening.DROPCAP and pdf:
        # A raised cap, on the first line's baseline: WeasyPrint 70 has no initial-letter,
        # and a floated cap sits on another baseline, which pdftotext and copy-paste then read
        # as a word of its own ("T he").  On one baseline the text layer reads "The".
        rules.append("p.opening .dropcap { font-size: 2.4em; line-height: 0.8; }")
    elif opening is Opening.DROPCAP:
        # Two lines high, floated: readers without floats show a large first letter inline.
        rules.append(
            "p.opening .dropcap { float: left; font-size: 2.9em; line-height: 0.85; "
            "margin: 0.05em 0.08em 0 0; }"
        )
        rules.append("html[dir='rtl'] p.opening .dropcap { float: right; margin: 0 0 0 0.08em; }")
    if opening is Opening.SMALLCAPS:
        rules.append(
            "p.opening .opening-words { font-variant: small-caps; letter-spacing: 0.04em; }"
        )
    return "\n".join(rules) + "\n"


def _has_case(char: str) -> bool:
    return char.upper() != char.lower() or unicodedata.category(char) == "Lt"


#: Dialogue dashes that open a line of speech (Spanish, Russian, French…): "— Hola —dijo."
_DIALOGUE_DASHES = "\u2014\u2013\u2015"
#: Spaces that may follow an opening guillemet or dash: ordinary, no-break, narrow no-break
#: (French typography: "«\u202fBonjour"), thin.
_LEAD_SPACES = " \u00a0\u202f\u2009"
#: The same spaces written as character references in the markup.
_SPACE_ENTITY = re.compile(r"&(?:nbsp|thinsp|#160|#x0*a0|#8239|#x0*202f|#8201|#x0*2009);", re.I)


def _is_lead_mark(char: str) -> bool:
    """Whether ``char`` may stand before a paragraph's first letter: quotes, brackets, dashes."""
    return char in _DIALOGUE_DASHES or unicodedata.category(char) in ("Pi", "Ps", "Po", "Pf")


def _lead_length(text: str) -> int:
    """How many characters of ``text`` go into a drop cap: leading punctuation and one letter.

    The punctuation may be followed by a space ("« Bonjour", "— Hola"), which the drop cap
    then carries too.  0 when the first letter has no case (no drop cap in such scripts) or
    is an entity.
    """
    index = 0
    while index < len(text) and text[index] not in "&<" and _is_lead_mark(text[index]):
        index += 1
    if 0 < index < len(text) and text[index] in _LEAD_SPACES:
        index += 1
    elif index and (space := _SPACE_ENTITY.match(text, index)) is not None:
        index = space.end()  # the sanitiser writes a no-break space as "&nbsp;"
    if index < len(text) and _has_case(text[index]):
        return index + 1
    return 0


#: Marks that end a clause: the small capitals stop after a word ending in one.
_CLAUSE_ENDS = ",.;:!?\u2014\u2026\u060c\u3001"


def _all_capitals(word: str) -> bool:
    """Whether ``word`` is already in capitals ("A/N:", "NASA"): small capitals would not show."""
    cased = [char for char in word if _has_case(char)]
    return len(cased) >= 2 and all(char.isupper() for char in cased)


def _ends_clause(word: str) -> bool:
    """Whether ``word`` ends a clause, closing quotes and brackets aside ("“Strange,”")."""
    core = word.rstrip("".join(c for c in word if unicodedata.category(c) in ("Pf", "Pe")))
    core = core.rstrip("\"'")
    return bool(core) and core[-1] in _CLAUSE_ENDS


def _words_end(text: str) -> int:
    """Where the first :data:`SMALLCAP_WORDS` words of ``text`` end (before any clause mark).

    Leading marks ("«", "—") go with the first word, closing ones set apart ("»") with the
    word before; a word already in capitals, and a dialogue dash inside the text ("—dijo"),
    end the small capitals before them.  0 when
    the first word is in capitals: the opening is plain.
    """
    end = 0
    words = 0
    for match in re.finditer(r"\S+", text):
        word = match.group()
        if words and word[0] in _DIALOGUE_DASHES:
            return end
        if not any(char.isalnum() for char in word):
            if words:  # a closing mark set apart: "« Étrange »,"
                end = match.end()
                if _ends_clause(word):
                    return end
            continue  # a guillemet or dash before the first word goes with it
        if _all_capitals(word):
            return end
        words += 1
        end = match.end()
        if words >= SMALLCAP_WORDS or _ends_clause(word):
            return end
    return end


def _add_class(attrs: str, name: str) -> str:
    match = _CLASS.search(attrs)
    if match is None:
        return f'{attrs} class="{name}"'
    value = f"{match['value']} {name}".strip()
    return attrs[: match.start()] + f' class="{value}"' + attrs[match.end() :]


def mark_opening(body: Markup | str, opening: str) -> Markup:
    """``body`` with its first paragraph marked for ``opening`` (see the module's docstring).

    Works on the sanitised XHTML as a string: only a class and one ``<span>`` are added
    inside the first text of the first paragraph, so nothing else is re-serialised.
    """
    if opening == Opening.PLAIN:
        return Markup(body)
    # Plain str from here: adding a str to a Markup would escape the str's tags.
    markup = str(body)
    paragraph = _FIRST_P.search(markup)
    if paragraph is None:
        return Markup(markup)
    start = paragraph.end()
    while (tag := _INLINE_TAG.match(markup, start)) is not None:
        start = tag.end()
    end = markup.find("<", start)
    end = len(markup) if end < 0 else end
    text = markup[start:end]
    stripped = text.lstrip()
    offset = start + len(text) - len(stripped)
    if opening == Opening.DROPCAP:
        length = _lead_length(stripped)
        css_class = "dropcap"
    else:
        length = _words_end(stripped) if _lead_length(stripped) else 0
        css_class = "opening-words"
    if length == 0:
        return Markup(markup)
    head = markup[: paragraph.start()] + "<p" + _add_class(paragraph["attrs"], "opening") + ">"
    inner = markup[paragraph.end() : offset]
    span = f'<span class="{css_class}">{stripped[:length]}</span>'
    return Markup(head + inner + span + markup[offset + length :])
