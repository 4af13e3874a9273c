"""The PDF tag summary's text layer in every theme: words whole, labels read as words.

Real renders read back with plain ``pdftotext`` (tests/textract.py), as a reader copying the
page or a screen reader would get them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from fic2book.backends.pdf import PdfBackend
from fic2book.model import TagGroup, TagKind
from fic2book.options import RenderOptions
from fic2book.themes import THEMES
from tests.conftest import make_work
from tests.textract import pdf_text

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"
)

#: The tags of a real AO3 work (334557) whose tag summary split "Sherl / ock Holmes".
CHARACTERS = (
    "Sherlock Holmes",
    "John Watson",
    "Jim Moriarty",
    "Sherlock Holmes (again)",
    "Sarah Sawyer",
)
RELATIONSHIPS = ("Sarah Sawyer/John Watson", "Sherlock Holmes/John Watson")
ADDITIONAL = (
    "Alternate Reality",
    "reality play",
    "partial major character death",
    "Angst",
    "John Watson Is A BAMF",
    "watches 'verse",
)


def summary_text(tmp_path: Path, theme: str, groups: tuple[TagGroup, ...]) -> str:
    """The tag summary page's text (plain pdftotext) of a work with ``groups`` in ``theme``."""
    work = dataclasses.replace(make_work(), tag_groups=groups)
    target = tmp_path / f"{theme}.pdf"
    PdfBackend().write(work, target, RenderOptions(theme=theme))
    pages = pdf_text(target).split("\f")
    return next(page for page in pages if "Tag Summary" in page)


def summary_groups(extra_width: int) -> tuple[TagGroup, ...]:
    """The real work's tags, the first character tag widened so later tags shift along."""
    first = "Sherlock Holmes" + " X" * extra_width
    return (
        TagGroup(TagKind.RATING, ("Teen And Up Audiences",)),
        TagGroup(TagKind.RELATIONSHIPS, RELATIONSHIPS),
        TagGroup(TagKind.CHARACTERS, (first, *CHARACTERS[1:])),
        TagGroup(TagKind.ADDITIONAL_TAGS, ADDITIONAL),
    )


@pytest.mark.parametrize("theme", list(THEMES))
def test_tag_summary_lines_break_between_words(theme: str, tmp_path: Path) -> None:
    # Several widths of the first tag put each later tag's words at a line's end somewhere.
    for extra_width in range(4):
        text = summary_text(tmp_path, theme, summary_groups(extra_width))
        # Lines may end at a space or after a slash, never inside a word.
        joined = re.sub(r"\s+", " ", text).replace("/ ", "/")
        for tag in (*RELATIONSHIPS, *CHARACTERS, *ADDITIONAL):
            assert tag in joined, (theme, extra_width, tag, text)


def test_an_over_long_tag_is_still_split_inside_the_margins(tmp_path: Path) -> None:
    # The one word wider than the line is split; the words around it stay whole.
    long_tag = "Keysmash" + "asdfghjkl" * 12
    groups = (
        TagGroup(TagKind.RATING, ("Teen And Up Audiences",)),
        TagGroup(TagKind.ADDITIONAL_TAGS, ("Angst", "Sherlock Holmes", long_tag, "Fluff")),
    )
    text = summary_text(tmp_path, "classic", groups)
    assert long_tag in re.sub(r"\s+", "", text)
    for word in ("Angst", "Sherlock", "Holmes", "Fluff"):
        assert re.search(rf"\b{word}\b", text), word


#: The tag summary's labels (singular or plural, as the count asks) and the title page's.
LABELS = (
    r"Rating:",
    r"Archive Warnings?:",
    r"Categor(?:y|ies):",
    r"Fandoms?:",
    r"Relationships?:",
    r"Characters?:",
    r"Additional Tags:",
    r"Language:",
    r"Series:",
    r"Stats:",
    r"Summary",
)


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_themes_labels_read_as_words(theme: str, tmp_path: Path) -> None:
    # Plain pdftotext (not -raw): letter-spacing wide enough to read as spaces splits
    # "Rating:" into "R AT I N G :" there.
    target = tmp_path / f"{theme}.pdf"
    PdfBackend().write(make_work(), target, RenderOptions(theme=theme))
    text = pdf_text(target)
    for label in LABELS:
        assert re.search(rf"(?im)^{label}", text), (theme, label, text[:1500])
