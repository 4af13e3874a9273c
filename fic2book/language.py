"""Turn a language as an input names it ("English", "Русский", "pt-BR") into a BCP 47 tag.

AO3 prints each language's own name (its ``languages.name`` column, e.g. ``中文-普通话 國語``),
other tools print English names or tags.  EPUB and PDF both need a real tag: ``und`` makes
e-readers pick no hyphenation dictionary and no fonts, so an unknown name falls back to ``en``
with a warning rather than to ``und``.
"""

from __future__ import annotations

import functools
import logging
import re

import langcodes

logger = logging.getLogger(__name__)

#: Used when the input names no language, or one that cannot be identified.
DEFAULT_TAG = "en"

# AO3 language names that langcodes cannot find (or finds too coarsely): the Chinese varieties
# are written "中文-<variety> <native name>", and AO3 separates the two Portuguese standards.
_AO3_NAMES: dict[str, str] = {
    "中文-广东话 粵語": "yue",
    "中文-闽南话 臺語": "nan",
    "中文-客家话": "hak",
    "中文-吴语": "wuu",
    "português brasileiro": "pt-BR",
    "português europeu": "pt-PT",
}

# Only strings shaped like a tag are offered to the tag parser, so a name such as "Ido" or
# "Tok" is still looked up as a name when it is not also a registered code.
_TAG_SHAPE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")
# The first word of a compound name ("中文-客家话" → "中文", "English (UK)" → "English").
_FIRST_WORD = re.compile(r"[^\s\-(/,]+")


def language_tag(name: str | None) -> str:
    """Return the shortest standard BCP 47 tag for a language name or tag.

    ``None`` or an empty string gives ``en`` silently; a name that cannot be identified gives
    ``en`` and logs a warning.  Tags are normalised (``eng`` → ``en``, ``en-Latn`` → ``en``,
    ``zh-cmn-Hans`` → ``zh-Hans``); names are looked up in every language's own name and in
    English (``Русский`` → ``ru``, ``中文-普通话 國語`` → ``zh``).
    """
    if name is None or not name.strip():
        return DEFAULT_TAG
    tag = _lookup(" ".join(name.split()))
    if tag is None:
        logger.warning("unknown language %r; using %r", name, DEFAULT_TAG)
        return DEFAULT_TAG
    return tag


@functools.lru_cache(maxsize=256)
def _lookup(name: str) -> str | None:
    """Return the tag for a whitespace-normalised name, or ``None``.

    Cached because a batch of files names the same few languages over and over.
    """
    known = _AO3_NAMES.get(name) or _AO3_NAMES.get(name.lower())
    if known is not None:
        return known
    if _TAG_SHAPE.fullmatch(name) and langcodes.tag_is_valid(name):
        tag = _normalise(name)
        # "und" is a valid tag but names no language, which is what the fallback is for.
        return None if tag == "und" else tag
    for candidate in (name, _first_word(name)):
        if not candidate:
            continue
        try:
            return _normalise(langcodes.find(candidate).to_tag())
        except LookupError:
            continue
    return None


def _first_word(name: str) -> str | None:
    """Return the leading word of a compound name, when it differs from the whole name."""
    match = _FIRST_WORD.match(name)
    if match is None or match.group() == name:
        return None
    return match.group()


def _normalise(tag: str) -> str:
    """Standardise a valid tag and drop a script its language implies (``ja-Jpan`` → ``ja``)."""
    standard = langcodes.standardize_tag(tag)
    simplified: str = langcodes.Language.get(standard).simplify_script().to_tag()
    return simplified
