"""Chapter numbers spelt out (``--chapter-numbers words``) in the labels' language.

"Chapter %(num)s" is translated as a whole ("Глава %(num)s", "第%(num)s章"), so the number has
to fit the word around it: Russian "Глава" and Polish "Rozdział" take an ordinal ("Глава
первая", feminine; "Rozdział pierwszy", masculine), not the cardinal "один"/"jeden"; Chinese
and Japanese write 第一章.  num2words spells most languages; its public ``to="ordinal"`` and
``gender`` arguments give the Russian and Polish ordinals.  It has no Chinese, so Chinese
numerals are written here from the digits (Simplified 万, Traditional 萬), as Chinese writes
them: 十二, 一百零一, 一千零一十.  A language neither knows keeps the numeral.
"""

from __future__ import annotations

from typing import Any

#: How num2words is asked for the number in "Chapter %(num)s", by catalog: the languages
#: whose chapter word takes an ordinal, with the word's gender where num2words asks for one.
ORDINALS: dict[str, dict[str, Any]] = {
    "ru": {"to": "ordinal", "gender": "f"},  # глава is feminine: "Глава первая"
    "pl": {"to": "ordinal"},  # rozdział is masculine, num2words' only form: "Rozdział pierwszy"
}

_DIGITS = "零一二三四五六七八九"
_UNITS = ("", "十", "百", "千")
#: Ten thousand, by catalog.
_WAN = {"zh": "万", "zh_Hant": "萬"}
#: Beyond this (a hundred million) no chapter is numbered; the numeral is kept.
_CHINESE_LIMIT = 10**8


def _below_wan(number: int) -> str:
    """1 to 9999 in Chinese numerals, zeros inside said once: 一千零一, 一百一十."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += _DIGITS[0]
            zero = False
        text += _DIGITS[digit] + _UNITS[position]
    return text


def chinese_numeral(number: int, catalog: str = "zh") -> str:
    """``number`` (1 to 99,999,999) in Chinese numerals: 十二, 一百零一, 一万零一十.

    Ten to nineteen drop the leading 一 (十二, not 一十二), as chapter headings write them.
    """
    if not 0 < number < _CHINESE_LIMIT:
        return str(number)
    high, low = divmod(number, 10_000)
    text = _below_wan(high) + _WAN.get(catalog, _WAN["zh"]) if high else ""
    if low:
        text += _DIGITS[0] if high and low < 1000 else ""
        text += _below_wan(low)
    return text[1:] if text.startswith("一十") else text


def _title_case(words: str) -> str:
    """English chapter numbers as headings write them: "Twenty-One", "One Hundred and Two"."""
    return "-".join(part.capitalize() for part in words.split("-")).replace(" And ", " and ")


def spell_number(number: int, catalog: str) -> str:
    """``number`` as the words of "Chapter %(num)s" in ``catalog``; the numeral if unknown."""
    if catalog in _WAN:
        return chinese_numeral(number, catalog)
    from num2words import CONVERTER_CLASSES, num2words

    lang = catalog if catalog in CONVERTER_CLASSES else catalog[:2]
    if lang not in CONVERTER_CLASSES:
        return str(number)
    words = str(num2words(number, lang=lang, **ORDINALS.get(lang, {})))
    return _title_case(words) if lang == "en" else words
