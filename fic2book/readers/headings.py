"""Split a chapter heading as an input writes it ("Chapter 2: The Storm") into title and label.

The EPUB and Markdown readers get whole headings from their input, while the model keeps the
chapter's own title apart from the "Chapter N" the books print (:attr:`Chapter.heading`), so
the number must come off or the books would say "Chapter 2: Chapter 2: The Storm".
"""

from __future__ import annotations

import re

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_NUMBER = rf"(?:\d+|[ivxlcdm]+|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)"
_SEPARATOR = r"\s*(?:[:.\-\u2013\u2014|]\s*|\s+)"
_NUMBERED = re.compile(
    rf"(?:chapter|chap\.|ch\.)\s*{_NUMBER}(?:{_SEPARATOR}(?P<title>.+?))?", re.IGNORECASE
)
_SPECIAL = re.compile(
    rf"(?P<label>prologue|epilogue|interlude|foreword|afterword)(?:\s+{_NUMBER})?"
    rf"(?:{_SEPARATOR}(?P<title>.+?))?",
    re.IGNORECASE,
)


def split_heading(text: str) -> tuple[str | None, str | None]:
    """Return ``(title, label)`` for a heading's text.

    ``"Chapter 2: The Storm"`` → ``("The Storm", None)``; ``"Chapter 2"`` → ``(None, None)``;
    ``"Prologue: Storm"`` → ``("Storm", "Prologue")``; ``"Prologue"`` → ``("Prologue",
    "Prologue")``; anything else is the title itself.  The label keeps the input's wording so
    the book prints the heading the author wrote.
    """
    heading = " ".join(text.split())
    if not heading:
        return None, None
    numbered = _NUMBERED.fullmatch(heading)
    if numbered is not None:
        return numbered.group("title"), None
    special = _SPECIAL.fullmatch(heading)
    if special is not None:
        if special.group("title") is None:
            return heading, heading
        label = heading[: special.start("title")].rstrip(" :.-\u2013\u2014|")
        return special.group("title"), label
    return heading, None
