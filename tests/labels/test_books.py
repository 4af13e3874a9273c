"""Whole books in the work's language: the EPUB's pages and contents, the PDF's text layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from fic2book.backends.epub import build_epub
from fic2book.backends.pdf import render_pdf
from fic2book.cli import app
from fic2book.model import Stats, Work
from fic2book.options import RenderOptions
from tests.conftest import make_work
from tests.epubcheck import failures, require_epubcheck, run_epubcheck
from tests.textract import epub_documents, epub_members, pdf_text

XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
STATS = Stats(published=dt.date(2024, 3, 3), words=12345, chapters_posted=2, chapters_total=2)


def chinese_work() -> Work:
    return make_work(title="灯塔", language="zh", language_name="中文-普通话 國語", stats=STATS)


def french_work() -> Work:
    return make_work(title="Le phare", language="fr", language_name="Français", stats=STATS)


@pytest.fixture(scope="module")
def chinese_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("zh") / "zh.epub"
    path.write_bytes(build_epub(chinese_work(), RenderOptions()))
    return path


@pytest.fixture(scope="module")
def french_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fr") / "fr.epub"
    path.write_bytes(build_epub(french_work(), RenderOptions()))
    return path


def test_a_chinese_epub_says_mulu_in_its_nav_and_contents(chinese_epub: Path) -> None:
    nav = etree.fromstring(epub_members(chinese_epub)["EPUB/nav.xhtml"])
    assert nav.findtext("x:head/x:title", namespaces=XHTML) == "目录"
    toc = nav.find(".//x:nav[@epub:type='toc']", XHTML)
    assert toc is not None and toc.findtext("x:h2", namespaces=XHTML) == "目录"
    entries = [a.text for a in toc.iterfind(".//x:a", XHTML)]
    # "Credits" (the credits page, fic2book/frontmatter.py) has no catalog entry yet: English.
    assert entries[:4] == ["扉页", "版权页", "标签一览", "第1章\u3000The Beginning"]
    assert "第2章" in entries and "后记" in entries
    assert "Contents" not in etree.tostring(nav, encoding="unicode")


def test_a_chinese_epub_writes_dates_and_numbers_as_chinese_does(chinese_epub: Path) -> None:
    text = epub_documents(chinese_epub)
    summary = next(body for name, body in text.items() if name.endswith("tag_summary.xhtml"))
    assert "发布于\uff1a2024年3月3日" in summary
    assert "字数\uff1a12,345" in summary
    assert "Published" not in summary and "Words" not in summary
    cover = epub_members(chinese_epub)["EPUB/cover.xhtml"].decode()
    assert 'alt="封面\uff1a《灯塔》' in cover


def test_a_french_epub_is_in_french(french_epub: Path) -> None:
    text = "\n".join(epub_documents(french_epub).values())
    assert "Récapitulatif des tags" in text
    assert "Publié\u00a0: 3 mars 2024" in text and "Mots\u00a0: 12\u202f345" in text
    assert "Chapitre 1\u00a0: The Beginning" in text
    nav = etree.fromstring(epub_members(french_epub)["EPUB/nav.xhtml"])
    assert nav.findtext("x:head/x:title", namespaces=XHTML) == "Table des matières"


@pytest.mark.slow
def test_chinese_and_french_epubs_pass_epubcheck(chinese_epub: Path, french_epub: Path) -> None:
    jar = require_epubcheck()
    for book in (chinese_epub, french_epub):
        assert failures(run_epubcheck(book, jar)) == [], book.name


@pytest.mark.slow
def test_a_french_pdf_says_table_des_matieres(tmp_path: Path) -> None:
    target = tmp_path / "fr.pdf"
    render_pdf(french_work(), target, RenderOptions())
    text = pdf_text(target)
    assert "Table des matières" in text
    assert "3 mars 2024" in text and "Récapitulatif des tags" in text
    assert "Contents" not in text and "Tag Summary" not in text


SEED = """Title: Ein Leuchtturm
Author: someone
Language: {language}
Chapters: 2/2

Chapter 1: Anfang

Der erste Satz.

Chapter 12: Ende

Der letzte Satz.
"""


def convert(tmp_path: Path, language: str, *options: str) -> str:
    source = tmp_path / "work.txt"
    source.write_text(SEED.format(language=language), encoding="utf-8")
    target = tmp_path / "book.epub"
    result = CliRunner().invoke(app, ["convert", str(source), "-o", str(target), *options])
    assert result.exit_code == 0, result.output
    return "\n".join(epub_documents(target).values())


def test_labels_override_the_works_language(tmp_path: Path) -> None:
    text = convert(tmp_path, "English", "--labels", "de")
    assert "Inhaltsverzeichnis" in text and "Kapitel 1: Anfang" in text
    assert "Contents" not in text


def test_a_language_without_a_catalog_warns_and_falls_back_to_english(tmp_path: Path) -> None:
    source = tmp_path / "work.txt"
    source.write_text(SEED.format(language="English"), encoding="utf-8")
    target = tmp_path / "book.epub"
    args = ["convert", str(source), "-o", str(target), "--labels", "sw"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "fic2book: warning: no labels in Swahili (sw) yet: English" in result.stderr
    text = "\n".join(epub_documents(target).values())
    assert "Contents" in text and "Chapter 1: Anfang" in text


@pytest.mark.parametrize("command", ["convert", "batch", "bind", "update"])
@pytest.mark.parametrize("value", ["french", "xx", "x1!", "tlh"])
def test_a_tag_that_is_no_language_is_a_usage_error(
    tmp_path: Path, command: str, value: str
) -> None:
    source = tmp_path / "work.txt"
    source.write_text(SEED.format(language="English"), encoding="utf-8")
    args = {
        "batch": [command, str(tmp_path), "-o", str(tmp_path / "out")],
        "update": [command, str(source), str(source)],
    }.get(command, [command, str(source)])
    result = CliRunner().invoke(app, [*args, "--labels", value])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--labels must be a language tag such as fr or zh-Hant" in lines[0]
    assert repr(value) in lines[0] and "pt-PT" in lines[0]
    assert not (tmp_path / "work.epub").exists()


def test_chapter_numbers_in_words(tmp_path: Path) -> None:
    text = convert(tmp_path, "English", "--chapter-numbers", "words", "--labels", "fr")
    assert "Chapitre un\u00a0: Anfang" in text


@pytest.mark.parametrize(
    ("labels", "first"),
    [("zh", "第一章"), ("ru", "Глава первая"), ("pl", "Rozdział pierwszy")],
)
def test_chapter_numbers_in_words_fit_the_chapter_word(
    tmp_path: Path, labels: str, first: str
) -> None:
    text = convert(tmp_path, "English", "--chapter-numbers", "words", "--labels", labels)
    assert first in text
    assert "第1章" not in text and "один" not in text and "jeden" not in text


def test_a_bad_labels_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "work.txt"
    source.write_text(SEED.format(language="English"), encoding="utf-8")
    result = CliRunner().invoke(app, ["convert", str(source), "--labels", "not a tag!"])
    assert result.exit_code == 2
    assert "--labels must be a language tag" in result.output
