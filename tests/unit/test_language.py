"""Language names and tags → BCP 47 (fic2book.language)."""

from __future__ import annotations

import logging

import langcodes
import pytest

from fic2book.language import DEFAULT_TAG, language_tag


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("English", "en"),
        ("Русский", "ru"),
        ("中文-普通话 國語", "zh"),
        ("中文-广东话 粵語", "yue"),
        ("Deutsch", "de"),
        ("Español", "es"),
        ("日本語", "ja"),
        ("Bahasa Indonesia", "id"),
        ("Português brasileiro", "pt-BR"),
        ("  English  ", "en"),
        ("english", "en"),
    ],
)
def test_names_map_to_tags(name: str, tag: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert language_tag(name) == tag
    assert not caplog.records


@pytest.mark.parametrize(
    ("given", "tag"),
    [
        ("en", "en"),
        ("pt-BR", "pt-BR"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        # Normalised to the shortest standard form.
        ("eng", "en"),
        ("EN", "en"),
        ("pt_br", "pt-BR"),
        ("en-Latn", "en"),
        ("zh-cmn-Hans", "zh-Hans"),
    ],
)
def test_tags_pass_through_normalised(given: str, tag: str) -> None:
    result = language_tag(given)
    assert result == tag
    assert langcodes.tag_is_valid(result)


@pytest.mark.parametrize("name", [None, "", "   "])
def test_missing_language_is_english_silently(
    name: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert language_tag(name) == DEFAULT_TAG == "en"
    assert not caplog.records


@pytest.mark.parametrize("name", ["Gibberishian", "und", "Not A Language At All"])
def test_unknown_language_is_english_with_warning(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert language_tag(name) == "en"
    assert any(name in record.getMessage() for record in caplog.records)


def test_common_languages_agree_with_langcodes() -> None:
    """The table that spares short works the langcodes import gives langcodes' own answers."""
    from fic2book.language import COMMON_NAMES, COMMON_SCRIPTS

    for name, tag in COMMON_NAMES.items():
        if name != tag:
            assert langcodes.find(name).to_tag() == tag, name
        assert langcodes.standardize_tag(tag) == tag, tag
    for tag, script in COMMON_SCRIPTS.items():
        assert langcodes.Language.get(tag).maximize().script == script, tag
    assert set(COMMON_SCRIPTS) == set(COMMON_NAMES.values())
