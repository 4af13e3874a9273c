"""What a work's notes say about binding, podfic, translation and reposting.

Authors often give ("blanket permission to podfic, translate or bind") or refuse ("please do
not repost or translate") permission for transformative works in their notes.  A binder
should see that sentence before printing, so the credits page shows it and ``inspect``
reports it.  :func:`permission_sentences` finds such sentences: one that names a use (bind,
podfic, translate, remix, repost, fanart, audio) and a permission word (permission, feel
free, welcome, may, allowed, okay; or a refusal: do not, don't, ask first…).  It reports the
author's words as they stand and does not judge what they allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fic2book.html.sanitize import plain_text
from fic2book.model import Work

#: A use of the work that authors give or refuse permission for.
_USE = re.compile(
    r"\b(?:bind\w*|bound|fanbind\w*|podfic\w*|pod-?fic\w*|translat\w*|remix\w*|repost\w*|"
    r"re-post\w*|fan ?art|audiobook|record\w*|transformative works?)\b",
    re.IGNORECASE,
)
#: Words that give or refuse it.
_PERMISSION = re.compile(
    r"\b(?:permission|permit\w*|feel free|(?:very |more than )?welcome|go ahead|you may|"
    r"you can|allowed|ok(?:ay)?|fine|happy for|love to see|"
    r"do not|don'?t|never|not allowed|ask (?:me )?first|without (?:my )?(?:consent|asking))\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|$)", re.MULTILINE)
#: A sentence longer than this is a paragraph run together, not a statement to quote.
_LONGEST = 400


def _texts(work: Work) -> Iterable[str]:
    for markup in (work.notes, work.end_notes, work.summary):
        if markup:
            yield plain_text(markup)
    if work.chapters:
        first = work.chapters[0]
        for markup in (first.notes, first.end_notes):
            if markup:
                yield plain_text(markup)


def find_permissions(text: str) -> list[str]:
    """The sentences of ``text`` that give or refuse permission for a use of the work."""
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = " ".join(match.group().split())
        if (
            sentence
            and len(sentence) <= _LONGEST
            and _USE.search(sentence)
            and _PERMISSION.search(sentence)
        ):
            found.append(sentence)
    return found


def permission_sentences(work: Work) -> tuple[str, ...]:
    """Every permission statement in the work's notes (and summary), each once, in order."""
    seen: dict[str, None] = {}
    for text in _texts(work):
        for sentence in find_permissions(text):
            seen.setdefault(sentence, None)
    return tuple(seen)
