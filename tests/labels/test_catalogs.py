"""Every catalog translates every message fic2book puts in a book, placeholders intact."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from fic2book.labels import (
    CODE_MESSAGES,
    DOMAIN,
    LOCALE_DIR,
    STATUS,
    STATUS_MESSAGES,
    catalog_for,
    catalog_languages,
)
from fic2book.resources import data_path

#: The twelve most used languages on AO3, plus Traditional Chinese.
LANGUAGES = ("zh", "zh_Hant", "es", "ru", "fr", "de", "pt", "it", "ja", "ko", "pl", "id")
#: ``_("…")`` in a template: the messages the templates use.
TEMPLATE_MESSAGE = re.compile(r'_\("((?:[^"\\]|\\.)*)"')
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def template_messages() -> set[str]:
    found: set[str] = set()
    for path in data_path("templates").rglob("*.j2"):
        found.update(TEMPLATE_MESSAGE.findall(path.read_text(encoding="utf-8")))
    return found


def expected_messages() -> set[tuple[str | None, str]]:
    plain = template_messages() | set(CODE_MESSAGES)
    return {(None, message) for message in plain} | {(STATUS, m) for m in STATUS_MESSAGES}


def test_the_templates_use_the_catalogs() -> None:
    assert {"Contents", "Tag Summary", "Afterword", "%(label)s:"} <= template_messages()


def test_every_language_has_a_catalog() -> None:
    assert set(LANGUAGES) <= set(catalog_languages())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    translated = {
        (message.context, str(message.id)): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }
    missing = expected_messages() - set(translated)
    assert not missing, f"{language} lacks {sorted(m for _, m in missing)}"
    for (_, message), text in translated.items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(text)), message


def test_portugal_keeps_only_its_own_words() -> None:
    """pt_PT holds what Portugal says otherwise; the rest comes from pt (Brazil)."""
    path = LOCALE_DIR / "pt_PT" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale="pt_PT")
    assert "Contents" in catalog


@pytest.mark.parametrize(
    ("tag", "catalog"),
    [
        ("zh", "zh"),
        ("zh-Hans", "zh"),
        ("zh-CN", "zh"),
        ("zh-Hant", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-Hant-HK", "zh_Hant"),
        ("pt", "pt"),
        ("pt-BR", "pt"),
        ("pt-PT", "pt_PT"),
        ("fr-CA", "fr"),
        ("de", "de"),
        ("sv", "en"),
        ("", "en"),
        ("xx-nonsense", "en"),
    ],
)
def test_a_language_tag_picks_its_catalog(tag: str, catalog: str) -> None:
    assert catalog_for(tag) == catalog
