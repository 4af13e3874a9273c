"""Books in any script, tag walls, chapter-title and paragraph styles, on real output.

Chinese, Japanese, Arabic and Hebrew works (with emoji) must print with a font that has their
glyphs (pdffonts names a CJK, Arabic, Hebrew and an emoji font, all embedded as subsets) and
give their text back (pdftotext: a missing glyph would come back as nothing); right-to-left
works get ``dir="rtl"`` and a right-to-left page progression in the EPUB; every EPUB passes
EPUBCheck.  Each book is rendered once per module.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from fic2book.backends.epub import EpubBackend
from fic2book.backends.pdf import PdfBackend
from fic2book.html.sanitize import SCENE_BREAK, paragraphs
from fic2book.model import Chapter, TagGroup, TagKind, Work
from fic2book.options import ChapterTitles, ParagraphStyle, RenderOptions
from fic2book.pipeline import prepare
from fic2book.render import TAGS_SHOWN
from tests.conftest import make_work
from tests.epubcheck import epubcheck_jar, run_epubcheck_batch
from tests.textract import has_text, unwrapped

pytestmark = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed",
)


@dataclass(frozen=True)
class Script:
    """A work in one script and what its PDF must show."""

    language: str
    title: str
    paragraphs: tuple[str, ...]
    #: A substring of a font name pdffonts must list.
    font: str


EMOJI = "🌙👍🏽"

SCRIPTS: tuple[Script, ...] = (
    Script(
        "zh",
        "月下的信",
        ("他说：“你好。”她笑了。" + EMOJI, "第二段文字，用来测试换行和标点符号。"),
        "CJK-SC",
    ),
    Script(
        "ja",
        "月夜の手紙",
        ("「こんにちは」と彼は言った。" + EMOJI, "二番目の段落です。改行を確認します。"),
        "CJK-JP",
    ),
    Script(
        "ar",
        "رسالة تحت القمر",
        ("قال: «مرحبا». ثم ابتسمت. " + EMOJI, "هذه فقرة ثانية لاختبار اتجاه النص."),
        "Arabic",
    ),
    Script(
        "he",
        "מכתב תחת הירח",
        ("הוא אמר: שלום. והיא חייכה. " + EMOJI, "זוהי פסקה שנייה כדי לבדוק את כיוון הטקסט."),
        "Hebrew",
    ),
)


def script_work(script: Script) -> Work:
    """A two-chapter work in one script, with a scene break and emoji."""
    first, second = script.paragraphs
    body = paragraphs([first]) + SCENE_BREAK + paragraphs([second])
    return Work(
        title=script.title,
        authors=("作者 كاتب",),
        language=script.language,
        chapters=(
            Chapter(1, script.title, body),
            Chapter(2, None, paragraphs([second])),
        ),
        tag_groups=(TagGroup(TagKind.FANDOMS, (script.title,)),),
    )


def wall_work() -> Work:
    """make_work() with 300 additional tags and 60 characters."""
    base = make_work()
    walls = {
        TagKind.ADDITIONAL_TAGS: tuple(f"Additional Tag {n} of the Wall" for n in range(1, 301)),
        TagKind.CHARACTERS: tuple(f"Character {n}" for n in range(1, 61)),
    }
    groups = tuple(TagGroup(g.kind, walls.get(g.kind, g.tags)) for g in base.tag_groups)
    return dataclasses.replace(base, tag_groups=groups)


def german_work() -> Work:
    """Long German compounds in justified text: they only fit hyphenated."""
    words = (
        "Donaudampfschifffahrtsgesellschaft Rechtsschutzversicherungsgesellschaften "
        "Kraftfahrzeughaftpflichtversicherung Geschwindigkeitsbegrenzung "
    )
    body = paragraphs([words * 12])
    return make_work(language="de", language_name="Deutsch", chapters=(Chapter(1, "Eins", body),))


def build(work: Work, folder: Path, name: str, options: RenderOptions) -> tuple[Path, Path]:
    """Prepare the work as the pipeline does and write its EPUB and PDF."""
    work = prepare(work, options)
    epub, pdf = folder / f"{name}.epub", folder / f"{name}.pdf"
    EpubBackend().write(work, epub, options)
    PdfBackend().write(work, pdf, options)
    return epub, pdf


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("scripts")
    made = {s.language: build(script_work(s), folder, s.language, RenderOptions()) for s in SCRIPTS}
    made["wall"] = build(wall_work(), folder, "wall", RenderOptions())
    made["plain"] = build(make_work(), folder, "plain", RenderOptions())
    made["de"] = build(german_work(), folder, "de", RenderOptions())
    made["styled"] = build(
        make_work(),
        folder,
        "styled",
        RenderOptions(chapter_titles=ChapterTitles.TITLE, style=ParagraphStyle.BLOCK),
    )
    return made


def pdffonts(path: Path) -> list[list[str]]:
    """The rows of ``pdffonts``: name, type…, emb, sub, uni, object, generation."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def pdftext(path: Path, *args: str) -> str:
    """Text of the PDF, without the bidi controls pdftotext adds around right-to-left runs."""
    out = subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(ch for ch in out.stdout if unicodedata.category(ch) != "Cf")


def epub_text(path: Path, name: str) -> str:
    """One file of an EPUB."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"EPUB/{name}").decode("utf-8")


def story_start(path: Path) -> int:
    """The 1-based page number of the first chapter, from the PDF outline."""
    reader = pypdf.PdfReader(path)
    for item in reader.outline:
        if isinstance(item, dict) and str(item.title).startswith("Chapter 1"):
            page = reader.get_destination_page_number(item)
            assert page is not None
            return page + 1
    raise AssertionError("no chapter 1 in the outline")


# ---- scripts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.language)
def test_script_prints_with_its_font_subset(
    books: dict[str, tuple[Path, Path]], script: Script
) -> None:
    rows = pdffonts(books[script.language][1])
    names = [row[0] for row in rows]
    assert any(script.font in name for name in names), names
    assert any("Emoji" in name for name in names), names
    for row in rows:
        assert row[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, Unicode map


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.language)
def test_script_text_comes_back(books: dict[str, tuple[Path, Path]], script: Script) -> None:
    text = pdftext(books[script.language][1])
    squashed = re.sub(r"\s+", "", text)
    for paragraph in script.paragraphs:
        for word in paragraph.replace(EMOJI, " ").split():
            assert word.strip(".:«»") in text or word in squashed, word
    assert "🌙" in text


def test_cjk_fonts_are_subset_small(books: dict[str, tuple[Path, Path]]) -> None:
    # A whole Noto CJK face is over 10 MB; a subset of a few dozen glyphs is tiny.
    for language in ("zh", "ja"):
        assert books[language][1].stat().st_size < 1_000_000


@pytest.mark.parametrize("language", ["ar", "he"])
def test_right_to_left_books(books: dict[str, tuple[Path, Path]], language: str) -> None:
    epub, _ = books[language]
    assert 'page-progression-direction="rtl"' in epub_text(epub, "content.opf")
    chapter = epub_text(epub, "chap_001.xhtml")
    assert re.search(r'<html[^>]* dir="rtl"', chapter)


def test_left_to_right_books_have_no_direction(books: dict[str, tuple[Path, Path]]) -> None:
    epub, _ = books["zh"]
    assert "page-progression-direction" not in epub_text(epub, "content.opf")
    assert 'dir="rtl"' not in epub_text(epub, "chap_001.xhtml")


@pytest.mark.slow
def test_every_book_passes_epubcheck(books: dict[str, tuple[Path, Path]]) -> None:
    if epubcheck_jar() is None:
        pytest.skip("EPUBCheck is not installed")
    results = run_epubcheck_batch([epub for epub, _ in books.values()])
    assert all(not messages for messages in results.values()), results


def test_german_is_hyphenated(books: dict[str, tuple[Path, Path]]) -> None:
    lines = [line.strip() for line in pdftext(books["de"][1]).splitlines()]
    # The compounds contain no hyphen, so a line ending in one (WeasyPrint writes U+2010) was
    # broken by the German dictionary: "Rechtsschutzversi-cherungsgesellschaften".
    broken = [line for line in lines if re.search(r"[a-zäöüß][-\u2010]$", line)]
    assert len(broken) >= 3, lines


# ---- tag walls ---------------------------------------------------------------------------------


def test_tag_wall_summary_is_cut_short(books: dict[str, tuple[Path, Path]]) -> None:
    summary = epub_text(books["wall"][0], "tag_summary.xhtml")
    assert summary.count('class="tag"') < 3 * TAGS_SHOWN
    assert f"and {300 - TAGS_SHOWN} more — see Appendix: All Tags" in summary
    assert f"and {60 - TAGS_SHOWN} more — see Appendix: All Tags" in summary
    assert "Additional Tag 300 of the Wall" not in summary


def test_tag_wall_appendix_lists_every_tag(books: dict[str, tuple[Path, Path]]) -> None:
    epub, pdf = books["wall"]
    appendix = epub_text(epub, "tag_appendix.xhtml")
    nav = epub_text(epub, "nav.xhtml")
    assert "Appendix: All Tags" in nav
    text = pdftext(pdf)
    for n in (1, 150, 300):
        assert f"Additional Tag {n} of the Wall" in appendix
        assert has_text(text, f"Additional Tag {n} of the Wall")
    assert "Character 60" in appendix
    # The appendix comes after the story.
    flat = unwrapped(text)
    assert flat.index(unwrapped("Appendix: All Tags Rating")) > flat.index(
        unwrapped("Second chapter text.")
    )


def test_tag_wall_does_not_push_the_story_back(books: dict[str, tuple[Path, Path]]) -> None:
    plain, wall = story_start(books["plain"][1]), story_start(books["wall"][1])
    assert wall <= plain + 2, (plain, wall)


def test_no_appendix_without_a_tag_wall(books: dict[str, tuple[Path, Path]]) -> None:
    with zipfile.ZipFile(books["plain"][0]) as archive:
        assert "EPUB/tag_appendix.xhtml" not in archive.namelist()
    assert "Appendix" not in pdftext(books["plain"][1])


# ---- chapter titles and paragraph styles -------------------------------------------------------


def test_full_chapter_titles_by_default(books: dict[str, tuple[Path, Path]]) -> None:
    epub, pdf = books["plain"]
    assert "Chapter 1: The Beginning" in epub_text(epub, "nav.xhtml")
    assert "Chapter 1: The Beginning" in epub_text(epub, "toc.ncx")
    titles = [str(item.title) for item in pypdf.PdfReader(pdf).outline if isinstance(item, dict)]
    assert "Chapter 1: The Beginning" in titles


def test_title_only_chapter_titles(books: dict[str, tuple[Path, Path]]) -> None:
    epub, pdf = books["styled"]
    nav, ncx = epub_text(epub, "nav.xhtml"), epub_text(epub, "toc.ncx")
    chapter = epub_text(epub, "chap_001.xhtml")
    assert '<h2 class="heading">The Beginning</h2>' in chapter
    assert "The Beginning" in nav and "Chapter 1: The Beginning" not in nav
    assert "The Beginning" in ncx and "Chapter 1: The Beginning" not in ncx
    # The untitled chapter falls back to its number.
    assert "Chapter 2" in nav
    titles = [str(item.title) for item in pypdf.PdfReader(pdf).outline if isinstance(item, dict)]
    assert "The Beginning" in titles and "Chapter 2" in titles
    assert not has_text(pdftext(pdf), "Chapter 1: The Beginning")


def paragraph_starts(pdf: Path, page_words: tuple[str, ...]) -> list[float]:
    """The left edge of the first word of each given paragraph, from ``pdftotext -bbox``."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    starts = []
    for wanted in page_words:
        for position, (x_min, _) in enumerate(words):
            following = " ".join(w for _, w in words[position : position + 2])
            if following == wanted:
                starts.append(float(x_min))
                break
        else:
            raise AssertionError(f"{wanted!r} not found")
    return starts


def test_book_style_indents_all_but_the_first_paragraph(
    books: dict[str, tuple[Path, Path]],
) -> None:
    first, second, after_break = paragraph_starts(
        books["plain"][1], ("First chapter,", "It goes", "After the")
    )
    assert second > first + 5  # indented
    assert after_break == pytest.approx(first, abs=0.5)  # not indented after a scene break


def test_block_style_indents_nothing(books: dict[str, tuple[Path, Path]]) -> None:
    epub, pdf = books["styled"]
    assert 'href="styles/block.css"' in epub_text(epub, "chap_001.xhtml")
    first, second = paragraph_starts(pdf, ("First chapter,", "It goes"))
    assert second == pytest.approx(first, abs=0.5)


def test_scene_break_is_an_ornament_in_both_books(books: dict[str, tuple[Path, Path]]) -> None:
    epub, pdf = books["plain"]
    assert '<hr class="scene-break"/>' in epub_text(epub, "chap_001.xhtml")
    assert "\u2042" in pdftext(pdf)  # the asterism book.css draws
