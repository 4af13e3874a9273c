"""Labels, dates, numbers and chapter headings in the work's language, or --labels'."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from fic2book.errors import UsageError
from fic2book.labels import Labels
from fic2book.model import Chapter, Status, TagKind
from fic2book.options import RenderOptions
from fic2book.render import render_part
from fic2book.spellout import chinese_numeral
from tests.conftest import make_work


def test_dates_and_numbers_follow_the_language() -> None:
    day = dt.date(2024, 3, 3)
    assert Labels("fr").date(day) == "3 mars 2024"
    assert Labels("zh").date(day) == "2024年3月3日"
    assert Labels("en").date(day) == "2024-03-03"
    assert Labels("en").number(12345) == "12,345"
    assert Labels("de").number(12345) == "12.345"
    assert Labels("fr").number(12345) == "12\u202f345"
    assert Labels("fr").number(None) == Labels("fr").date(None) == ""


def test_chapter_numbers_as_numerals_or_words() -> None:
    chapter = Chapter(number=12, title=None, body=make_work().chapters[0].body)
    assert Labels("en").heading(chapter) == "Chapter 12"
    assert Labels("en", "words").heading(chapter) == "Chapter Twelve"
    assert Labels("en", "words").chapter(21) == "Chapter Twenty-One"
    assert Labels("zh").heading(chapter) == "第12章"
    assert Labels("fr", "words").heading(chapter) == "Chapitre douze"
    # Chinese numerals as Japanese has them from num2words: 第十二章.
    assert Labels("zh", "words").heading(chapter) == "第十二章"
    assert Labels("ja", "words").heading(chapter) == "第十二章"
    assert Labels("zh_Hant", "words").chapter(10010) == "第一萬零一十章"
    # "Глава" and "Rozdział" take an ordinal of their gender, not "один", "jeden".
    assert Labels("ru", "words").chapter(1) == "Глава первая"
    assert Labels("ru", "words").chapter(21) == "Глава двадцать первая"
    assert Labels("pl", "words").chapter(1) == "Rozdział pierwszy"
    assert Labels("pl", "words").chapter(22) == "Rozdział dwudziesty drugi"
    titled = dataclasses.replace(chapter, title="La tempête")
    assert Labels("fr").heading(titled) == "Chapitre 12\u00a0: La tempête"
    assert Labels("fr").heading(titled, "title") == "La tempête"
    prologue = dataclasses.replace(chapter, label="Prologue")
    assert Labels("fr").heading(prologue) == "Prologue"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (12345, "一万二千三百四十五"),
        (100000, "十万"),
        (10**8, "100000000"),
    ],
)
def test_chinese_numerals(number: int, words: str) -> None:
    assert chinese_numeral(number) == words


def test_status_and_stat_are_different_words() -> None:
    assert Labels("zh").status(Status.COMPLETE) == "已完结"
    assert Labels("zh").gettext("Completed") == "完结于"
    assert Labels("en").status(Status.COMPLETE) == "Completed"


def test_missing_messages_fall_back_to_english_never_empty() -> None:
    assert Labels("fr").gettext("A message no catalog has") == "A message no catalog has"
    assert Labels("en").tag_label(TagKind.FANDOMS, 2) == "Fandoms"
    assert Labels("de").tag_label(TagKind.FANDOMS, 1) == "Fandom"


def test_a_chinese_work_gets_chinese_labels() -> None:
    work = make_work(language="zh", language_name="中文")
    html = render_part("tag_summary", work, RenderOptions())
    assert "标签一览" in html and "发布于\uff1a2024年1月2日" in html and "Tag Summary" not in html


def test_labels_override_the_work_language() -> None:
    work = make_work(language="zh")
    html = render_part("tag_summary", work, RenderOptions(labels="de"))
    assert "Tag-Übersicht" in html
    assert "标签一览" not in html
    assert "2. Januar 2024" in html


def test_an_unknown_language_gets_english() -> None:
    html = render_part("tag_summary", make_work(language="tlh"), RenderOptions())
    assert "Tag Summary" in html and "Published: 2024-01-02" in html


def test_a_bad_labels_value_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--labels"):
        RenderOptions(labels="not a tag!")
    with pytest.raises(UsageError, match="--labels"):
        RenderOptions(labels="french")
    with pytest.raises(UsageError, match="--chapter-numbers"):
        RenderOptions(chapter_numbers="roman")  # type: ignore[arg-type]
