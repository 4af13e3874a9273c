"""Split a chapter heading as an input writes it ("Chapter 2: The Storm") into title and label.

The EPUB and Markdown readers get whole headings from their input, while the model keeps the
chapter's own title apart from the "Chapter N" the books print (:attr:`Chapter.heading`), so
the number must come off or the books would say "Chapter 2: Chapter 2: The Storm".
"""

from __future__ import annotations

import re

from fic2book.readers.common import TENS_WORDS, UNIT_WORDS

_NUMBER_WORDS = "|".join((*UNIT_WORDS[1:], *TENS_WORDS))
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


# A heading that starts with its own "Chapter" word is the input's complete heading, whatever
# follows ("Chapter 1, Xenos", "Chapter A & B"): "Chapter N: " must not be put in front of it.
_OWN_CHAPTER_WORD = re.compile(r"(?:chapter|chap\.|ch\.)(?![^\W\d_])", re.IGNORECASE)


def keep_heading(text: str, number: int) -> tuple[str | None, str | None]:
    """Return ``(title, label)`` that make the book print the input's own heading.

    :func:`split_heading` drops "Chapter N", which is right only when N is the chapter's
    place in the book and the rest reads as :attr:`Chapter.heading` prints it.  Otherwise the
    whole heading becomes the label: "Chapter 7" after a prologue stays "Chapter 7" (not
    "Chapter 8"), "Chapter 4 & 4.5" stays as written (not "Chapter 5: & 4.5").  A bare title
    ("The Storm") stays a title, numbered by the book like AO3's; a leading "3. " that is the
    chapter's own place (FanFicFare's ``add_chapter_numbers``) is dropped.
    """
    heading = " ".join(text.split())
    if not heading:
        return None, None
    numbered = re.match(rf"0*{number}[.:]\s+(?=\S)", heading)
    if numbered is not None:
        return keep_heading(heading[numbered.end() :], number)
    title, label = split_heading(heading)
    printed = label or f"Chapter {number}"
    if title and title != label:
        printed = f"{printed}: {title}"
    if printed == heading:
        return title, label
    if label is None and title == heading and _OWN_CHAPTER_WORD.match(heading) is None:
        return title, None
    return None, heading
