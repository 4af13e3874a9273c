"""Break opportunities inside words wider than any line, for WeasyPrint.

``overflow-wrap: break-word`` (``styles/pdf.css``) lets WeasyPrint break a word that does not
fit on a line, so a keysmash or a long URL stays on the page.  But WeasyPrint lays out the rest
of the text box again for every line it breaks that way, so one 100,000-character "word" takes
minutes.  A ``<wbr>`` every :data:`LONG_RUN` characters of such a run cuts it into boxes of
bounded length and keeps the layout linear.  ``<wbr>`` adds no character to the text layer,
and only the PDF's HTML gets it (the EPUB's XHTML is left as the reader made it).
"""

from __future__ import annotations

import re

#: Characters in a row without a break opportunity after which a ``<wbr>`` is put in.
LONG_RUN = 80

# One character of text as it appears in serialised HTML: a character reference counts as one
# and is never cut.
_UNIT = r"(?:&#?\w+;|[^\s<>&])"
_UNITS = re.compile(_UNIT)
_LONG = re.compile(rf"{_UNIT}{{{LONG_RUN + 1},}}")
# A tag, with quoted attribute values that may hold ">" (nh3 leaves it unescaped there).
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")


def _cut(match: re.Match[str]) -> str:
    units = _UNITS.findall(match.group(0))
    return "<wbr>".join(
        "".join(units[start : start + LONG_RUN]) for start in range(0, len(units), LONG_RUN)
    )


def break_long_words(html: str) -> str:
    """Put a ``<wbr>`` into every run longer than :data:`LONG_RUN` in ``html``'s body text.

    Tags and everything before ``<body`` (the title and metadata) are left untouched.
    """
    start = html.find("<body")
    if start < 0 or _LONG.search(html, start) is None:
        return html
    parts = _TAG.split(html[start:])
    # split() with a group: text, tag, text, tag, … — only the even items are text.
    for index in range(0, len(parts), 2):
        if len(parts[index]) > LONG_RUN:
            parts[index] = _LONG.sub(_cut, parts[index])
    return html[:start] + "".join(parts)
