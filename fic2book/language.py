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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

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

# The languages most works are in, by AO3 name and by tag, with their scripts: answered without
# importing langcodes, whose import and first lookup (~0.2 s) cost more than converting a short
# work.  tests/unit/test_language.py checks that langcodes gives the same answers.
_COMMON_SCRIPTS: dict[str, str] = {
    "ar": "Arab", "ca": "Latn", "cs": "Latn", "da": "Latn", "de": "Latn", "el": "Grek",
    "en": "Latn", "es": "Latn", "fi": "Latn", "fr": "Latn", "he": "Hebr", "hu": "Latn",
    "id": "Latn", "it": "Latn", "ja": "Jpan", "ko": "Kore", "nl": "Latn", "pl": "Latn",
    "pt": "Latn", "ru": "Cyrl", "sv": "Latn", "th": "Thai", "tr": "Latn", "uk": "Cyrl",
    "vi": "Latn", "zh": "Hans",
}  # fmt: skip
COMMON_NAMES: dict[str, str] = {
    **{tag: tag for tag in _COMMON_SCRIPTS},
    "English": "en", "Español": "es", "Français": "fr", "Deutsch": "de", "Italiano": "it",
    "Português": "pt", "Polski": "pl", "Русский": "ru", "日本語": "ja", "한국어": "ko",
    "中文-普通话 國語": "zh", "Nederlands": "nl", "Svenska": "sv", "Türkçe": "tr",
    "Tiếng Việt": "vi", "Bahasa Indonesia": "id", "Čeština": "cs", "Magyar": "hu",
    "Українська": "uk", "العربية": "ar", "עברית": "he", "Suomi": "fi", "Dansk": "da",
    "Català": "ca", "Ελληνικά": "el", "ไทย": "th",
}  # fmt: skip
#: The scripts of :data:`COMMON_NAMES`' tags (checked against langcodes by the tests too).
COMMON_SCRIPTS = _COMMON_SCRIPTS


def _langcodes() -> ModuleType:
    import langcodes

    module: ModuleType = langcodes
    return module


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
    known = _AO3_NAMES.get(name) or _AO3_NAMES.get(name.lower()) or COMMON_NAMES.get(name)
    if known is not None:
        return known
    langcodes = _langcodes()
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
    langcodes = _langcodes()
    standard = langcodes.standardize_tag(tag)
    simplified: str = langcodes.Language.get(standard).simplify_script().to_tag()
    return simplified


#: ISO 15924 scripts written right to left (Arabic, Hebrew, Thaana, Syriac, N'Ko, Adlam…).
RTL_SCRIPTS: frozenset[str] = frozenset(
    {"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg", "Mand", "Samr", "Yezi"}
)


@functools.lru_cache(maxsize=256)
def script_of(tag: str) -> str:
    """The ISO 15924 script a language tag is most likely written in (``ar`` → ``Arab``).

    An explicit script subtag wins (``az-Arab``); an unknown tag gives ``""``.
    """
    common = COMMON_SCRIPTS.get(tag)
    if common is not None:
        return common
    try:
        return str(_langcodes().Language.get(tag).maximize().script or "")
    except (ValueError, LookupError):
        return ""


def text_direction(tag: str) -> str:
    """``rtl`` for a right-to-left language (``ar``, ``he``, ``fa``, ``ur``), else ``ltr``."""
    return "rtl" if script_of(tag) in RTL_SCRIPTS else "ltr"
