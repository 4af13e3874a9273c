"""What the PDF's pages and text layer say: labels in every script, the Subject, blank pages.

Each book is rendered through the real backend and read back with poppler's ``pdftotext`` and
pikepdf, so these check what search, copy and screen readers get from the finished PDF.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from fic2book.backends.pdf import PdfBackend
from fic2book.html.sanitize import clean_html, paragraphs
from fic2book.model import TagGroup, TagKind, Work
from fic2book.options import RenderOptions
from tests.conftest import make_work

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"
)

#: Labels of the tag summary as the PDF must print them, in the order they appear.
LABELS = ("Rating:", "Archive Warning:", "Fandom:", "Characters:", "Language:")


def page_texts(path: Path) -> list[str]:
    """The text of each page, in reading order (no layout)."""
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout.split("\f")[:-1]


def write(work: Work, path: Path) -> list[str]:
    # English labels whatever the work's language: the labels below are looked for by name.
    PdfBackend().write(work, path, RenderOptions(labels="en"))
    return page_texts(path)


def chinese_work() -> Work:
    work = make_work(
        title="月光下的港口",
        authors=("潮汐",),
        language="zh",
        language_name="中文",
        summary=paragraphs(["一艘无法渡河的渡船，和一位依然等待的乘客。"]),  # noqa: RUF001
    )
    groups = (
        TagGroup(TagKind.RATING, ("General Audiences",)),
        TagGroup(TagKind.WARNINGS, ("No Archive Warnings Apply",)),
        TagGroup(TagKind.FANDOMS, ("原创作品",)),
        TagGroup(TagKind.CHARACTERS, ("林小雨", "老船夫")),
    )
    return dataclasses.replace(work, tag_groups=groups)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_tag_summary_labels_read_as_printed_in_every_script(language: str, tmp_path: Path) -> None:
    work = chinese_work()
    if language == "en":
        work = dataclasses.replace(work, language="en", language_name="English")
    pages = write(work, tmp_path / f"{language}.pdf")
    summary = next(page for page in pages if "Tag Summary" in page)
    squashed = " ".join(summary.split())
    for label in LABELS:
        assert label in squashed, f"{label!r} not in the text layer: {squashed!r}"
    # Synthesised small capitals came out as "r ATing :".
    assert not re.search(r"\b[a-z] [A-Z]", squashed)
    title_page = pages[2]  # after the half title and its blank verso
    assert "Summary" in " ".join(title_page.split())


def test_subject_keeps_the_summary_paragraphs_apart(tmp_path: Path) -> None:
    summary = clean_html(
        "<p>Who had kept the lamps for <em>years</em>?</p><p>A Martin came.<br/>Then left.</p>"
    )
    target = tmp_path / "subject.pdf"
    PdfBackend().write(make_work(summary=summary), target, RenderOptions())
    with pikepdf.open(target) as pdf:
        subject = str(pdf.docinfo["/Subject"])
    assert subject == "Who had kept the lamps for years?\nA Martin came.\nThen left."


def tag_heavy_one_shot(tags: int) -> Work:
    """A work whose tag summary runs onto a second page, so the front matter has a blank."""
    work = make_work()
    chapter = dataclasses.replace(work.chapters[0], title=None)
    extra = tuple(f"Additional tag number {n} with some words" for n in range(tags))
    return dataclasses.replace(
        work,
        chapters=(chapter,),
        tag_groups=(*work.tag_groups[:-1], TagGroup(TagKind.ADDITIONAL_TAGS, extra)),
    )


@pytest.mark.parametrize("tags", [20, 30])
def test_blank_pages_carry_no_folio_or_running_head(tags: int, tmp_path: Path) -> None:
    pages = write(tag_heavy_one_shot(tags), tmp_path / "blank.pdf")
    blank = [index for index, page in enumerate(pages) if not page.strip()]
    folio_only = [
        index
        for index, page in enumerate(pages)
        if re.fullmatch(r"[ivxlc]+|\d+", " ".join(page.split()))
    ]
    assert folio_only == [], f"pages {folio_only} hold only a page number"
    # A reported case: a blank verso inside the front matter (before the contents).
    contents = next(index for index, page in enumerate(pages) if "Contents" in page)
    assert any(index < contents for index in blank)


def test_image_without_alt_text_prints_as_image(tmp_path: Path) -> None:
    from fic2book.html.clean import clean_markup

    body = clean_markup(
        '<p>Look: <img src="https://e.org/760f07f8a1b2c3d4e5f60718293a4b5c.png"></p>',
        context="test",
    )
    assert body is not None
    work = make_work()
    chapter = dataclasses.replace(work.chapters[0], body=body)
    pages = write(
        dataclasses.replace(work, chapters=(chapter, *work.chapters[1:])), tmp_path / "i.pdf"
    )
    text = " ".join(" ".join(pages).split())
    assert "Look: [Image]" in text
    assert "760f07f8" not in text
