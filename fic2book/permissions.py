"""What a work's notes say about binding, podfic, translation and reposting.

Authors often give ("blanket permission to podfic, translate or bind") or refuse ("please do
not repost or translate") permission for transformative works in their notes.  A binder
should see that sentence before printing, so the credits page shows it and ``inspect``
reports it.  :func:`permission_sentences` finds such sentences: one that names a use (bind,
podfic, translate, remix, repost, fanart, audio) and a permission word (permission, feel
free, welcome, may, allowed, okay; or a refusal: do not, don't, ask first…), or that is a
notice by itself (请勿转载, 無断転載禁止, 무단 전재 금지).  The phrasings are data, one table
per language in ``permissions.toml`` (English, Chinese, French, Spanish, German, Russian,
Portuguese, Italian, Japanese, Korean, Polish, Indonesian), and every language is tried on
every sentence, since notes are often in another language than the work.  It reports the
author's words as they stand and does not judge what they allow.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fic2book.html.sanitize import plain_text
from fic2book.model import Work

#: The phrasings, by language (its comments say how they are read).
PHRASES = Path(__file__).resolve().parent / "permissions.toml"

#: A sentence ends at a full stop, a question or exclamation mark (Western or CJK), or a line,
#: with any closing quotes or brackets after it.
_SENTENCE = re.compile(
    "[^.!?\u3002\uff01\uff1f\n]+"
    "(?:[.!?\u3002\uff01\uff1f]+[\"'\u201d\u2019)\u300d\u300f\uff09]*|$)",
    re.MULTILINE,
)
#: A sentence longer than this is a paragraph run together, not a statement to quote.
_LONGEST = 400


@dataclass(frozen=True)
class _Language:
    """One language's phrasings, compiled: a use and a permission word, or a whole notice."""

    use: re.Pattern[str] | None
    permission: re.Pattern[str] | None
    notice: re.Pattern[str] | None

    def finds(self, sentence: str) -> bool:
        if self.notice is not None and self.notice.search(sentence):
            return True
        return bool(
            self.use is not None
            and self.permission is not None
            and self.use.search(sentence)
            and self.permission.search(sentence)
        )


def _compile(patterns: list[str], words: bool) -> re.Pattern[str] | None:
    if not patterns:
        return None
    either = "|".join(f"(?:{pattern})" for pattern in patterns)
    return re.compile(rf"\b(?:{either})\b" if words else either, re.IGNORECASE)


@lru_cache(maxsize=1)
def languages() -> dict[str, _Language]:
    """Every language's phrasings from :data:`PHRASES`, compiled once."""
    with PHRASES.open("rb") as source:
        data = tomllib.load(source)
    return {
        code: _Language(
            use=_compile(table.get("use", []), words=True),
            permission=_compile(table.get("permission", []), words=True),
            notice=_compile(table.get("notice", []), words=False),
        )
        for code, table in data.items()
    }


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
            and any(language.finds(sentence) for language in languages().values())
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
