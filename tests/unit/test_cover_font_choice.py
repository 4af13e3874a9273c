"""choose_font's fast path (preferred families first) picks what the full ranking picks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fic2book.cover import BOLD, REGULAR, FontFile, choose_font, installed_fonts, preferred_families


def _full_ranking(text: str, language: str, weight: int) -> FontFile | None:
    fonts = installed_fonts()
    if not fonts:
        return None
    needed = {ord(c) for c in text if not c.isspace()}
    preferred = preferred_families(text, language)

    def rank(font: FontFile) -> tuple[int, int, int, int]:
        missing = sum(1 for code in needed if not font.covers(code))
        family = next((i for i, name in enumerate(preferred) if name in font.families), 99)
        return (missing, family, abs(font.weight - weight), font.slant)

    return min(fonts, key=rank)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The Lighthouse Keeper", "en"),
        ("Ελληνικά και Русский", "el"),
        ("灯台守の手紙", "ja"),
        ("مرحبا بالعالم", "ar"),
        ("שלום עולם", "he"),
        ("Emoji \U0001f9ed and \u2603", "en"),
    ],
)
@pytest.mark.parametrize("weight", [REGULAR, BOLD])
def test_same_choice_as_full_ranking(text: str, language: str, weight: int) -> None:
    assert choose_font(text, language, weight) == _full_ranking(text, language, weight)


def test_charsets_parsed_lazily() -> None:
    # In a fresh process: the full ranking of the other tests parses every charset.
    code = (
        "from fic2book.cover import REGULAR, choose_font, installed_fonts\n"
        "choose_font('Plain Latin title', 'en', REGULAR)\n"
        "fonts = installed_fonts()\n"
        "print(len(fonts), sum('ranges' in vars(font) for font in fonts))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    listed, parsed = map(int, out.stdout.split())
    if listed < 3:
        pytest.skip("too few fonts listed by fc-list")
    assert parsed < listed
