"""``describe`` (the data behind ``inspect``) and the word counter."""

from __future__ import annotations

import json
import random
import re

import pytest

from fic2book.describe import _CHARACTER_SCRIPTS, count_words, describe, plain_text, work_words
from fic2book.html.sanitize import SCENE_BREAK, clean_html, paragraphs
from fic2book.model import ExtraField, Stats, Status
from tests.conftest import make_work


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("one", 1),
        ("one two  three\nfour\tfive", 5),
        ("It\u2019s a well-known fact \u2014 truly.", 5),
        ("<p>one two</p><p>three</p>", 3),
        ("<p>one</p><p>two</p>", 2),
        ("<p>in<em>line</em> tag</p>", 2),
        ("<p>line<br/>break</p>", 2),
        ("a &amp; b", 2),
        ("a < b", 2),
        ("* * *", 0),
        ('<p>x</p><hr class="scene-break"/><p>y</p>', 2),
        ("<!-- a comment with words --><p>one</p>", 1),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_count_words_markup() -> None:
    body = paragraphs(["Hello there.", "General Kenobi!"]) + SCENE_BREAK + paragraphs(["Bye."])
    assert count_words(body) == 5


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("夜の話", 3),  # Han + Hiragana, one word per character
        ("カタカナ", 4),
        ("第三章 hello", 4),
        ("你好hello世界world", 6),
        ("สวัสดีครับ", 10),  # Thai: characters, as AO3 counts them
        ("안녕하세요 세계", 2),  # Hangul separates words with spaces
        ("Привет мир", 2),
    ],
)
def test_count_words_scripts(text: str, words: int) -> None:
    assert count_words(text) == words


def test_plain_text_unescapes_and_breaks_blocks() -> None:
    assert plain_text("<p>a &lt;b&gt;</p><p>c</p>").split() == ["a", "<b>", "c"]


def test_describe_full_work() -> None:
    work = make_work()
    info = describe(work)
    assert info["title"] == "A Test Work"
    assert info["authors"] == ["alpha", "Beta Pseud (beta)"]
    assert info["language"] == "en"
    assert info["rating"] == "Teen And Up Audiences"
    assert info["warnings"] == ["No Archive Warnings Apply"]
    assert info["categories"] == ["F/M", "Gen"]
    assert info["fandoms"] == ["Original Work"]
    assert info["relationships"] == ["A/B"]
    assert info["characters"] == ["A", "B"]
    assert info["additional_tags"] == ["Fluff", "Angst"]
    assert info["series"] == [{"name": "The Series", "part": 2, "url": None}]
    assert info["collections"] == ["An Exchange"]
    assert info["work_id"] == "123456"
    assert info["url"] == "https://archiveofourown.org/works/123456"
    assert info["published"] == "2024-01-02"
    assert info["updated"] == "2024-02-03"
    assert info["completed"] is None
    assert info["words"] == 20  # declared wins
    assert info["words_counted"] == 15
    assert info["status"] == "In Progress"
    assert info["summary"] == "The work's summary."
    assert info["notes"] == "The work's notes."
    assert info["end_notes"] == "The work's end notes."
    assert info["chapters_label"] == "2/?"
    first, second = info["chapters"]
    assert first == {
        "number": 1,
        "title": "The Beginning",
        "heading": "Chapter 1: The Beginning",
        "words": 12,
        "authors": [],
        "summary": "Chapter one summary.",
        "notes": "Chapter one notes.",
        "end_notes": "Chapter one end notes.",
        "has_summary": True,
        "has_notes": True,
        "has_end_notes": True,
    }
    assert second["heading"] == "Chapter 2"
    assert second["title"] is None
    assert second["has_notes"] is False
    # Round-trips through JSON: only plain values.
    assert json.loads(json.dumps(info)) == info


def test_describe_sparse_work() -> None:
    work = make_work(
        tag_groups=(),
        series=(),
        collections=(),
        stats=Stats(),
        declared_status=None,
        summary=None,
        notes=None,
        end_notes=None,
        work_id=None,
        url=None,
        extra_fields=(ExtraField("Mood", "Brisk"),),
    )
    info = describe(work)
    assert info["rating"] is None
    for key in ("warnings", "categories", "fandoms", "relationships", "characters"):
        assert info[key] == []
    assert info["additional_tags"] == []
    assert info["series"] == []
    assert info["published"] is None
    assert info["status"] is None
    assert info["summary"] is None
    assert info["words"] == info["words_counted"] == 15
    assert info["extra"] == [{"label": "Mood", "value": "Brisk"}]


def test_describe_status_derived_and_text_flattened() -> None:
    work = make_work(
        declared_status=None,
        stats=Stats(chapters_posted=2, chapters_total=2),
        summary=clean_html("<p>Line <em>one</em>.</p><p>Line two &amp; more.</p>"),
    )
    info = describe(work)
    assert info["status"] == Status.COMPLETE.value
    assert info["summary"] == "Line one.\nLine two & more."


# --- the word counter against its first, per-word form --------------------------------


def reference_count(text: str) -> int:
    """The counter as first written: split, then look for a word character in each token."""
    plain = plain_text(text)
    scripts = re.compile(f"[{_CHARACTER_SCRIPTS}]")
    characters = len(scripts.findall(plain))
    spaced = scripts.sub(" ", plain)
    return characters + sum(1 for token in spaced.split() if re.search(r"\w", token))


# Letters, digits, punctuation, every kind of blank, CJK and Thai (with a combining mark).
_PIECES = [
    *"ab9_-*.,'\u2014\u2019 \t\n\r\x0b\x0c\x1c\x85\u00a0\u2003\u3000",
    "東",
    "の",
    "カ",
    "\u0e01",
    "\u0e31",
    "é",
    "\u0301",
    "<p>",
    "</p>",
    "<br/>",
    "&amp;",
    "* * *",
]


@pytest.mark.parametrize("seed", range(40))
def test_count_words_same_as_per_word_count(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40)))
        assert count_words(text) == reference_count(text), repr(text)


def test_describe_counts_each_body_once_and_sums_them() -> None:
    work = make_work()
    info = describe(work)
    assert info["words_counted"] == sum(c["words"] for c in info["chapters"])
    assert info["words_counted"] == work_words(work)
