"""A saved AO3 work page ("Entire Work" saved from the browser)."""

from __future__ import annotations

import pytest

from fic2book.describe import describe
from fic2book.errors import InputError
from fic2book.model import Asset
from fic2book.readers import read_work
from fic2book.readers.ao3_page import Ao3PageReader, work_from_ao3_page
from tests.conftest import DATA

PAGE = DATA / "ao3" / "saved-page.html"


def no_assets(src: str) -> Asset | None:
    return None


def test_metadata_matches_the_page() -> None:
    data = describe(read_work(PAGE))
    expected = {
        "title": "Bell Tower",
        "authors": ["belfrybat"],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "categories": ["Gen"],
        "fandoms": ["Original Work"],
        "characters": ["Bellringer", "Jackdaw"],
        "additional_tags": ["Bells", "Birds"],
        "language": "en",
        "language_name": "English",
        "series": [{"name": "Towers", "part": 2, "url": "https://archiveofourown.org/series/601"}],
        "collections": ["Bell Week"],
        "work_id": "6000006",
        "url": "https://archiveofourown.org/works/6000006",
        "published": "2022-11-02",
        "updated": "2022-12-24",
        "words_declared": 1337,
        "chapters_label": "2/4",
        "kudos": 256,
        "hits": 4096,
        "bookmarks": 31,
        "comments": 12,
        "chaptered": True,
    }
    for key, value in expected.items():
        assert data[key] == value, key


def test_chapters_notes_and_afterword() -> None:
    work = read_work(PAGE)
    assert [c.heading for c in work.chapters] == ["Chapter 1: The Bird", "Chapter 2"]
    first, second = work.chapters
    assert "Chapter Text" not in str(first.body) and "Chapter Text" not in str(second.body)
    assert "took the best beam" in str(first.body)
    # The work skin is kept apart (fic2book/skin.py); the class it styles stays, prefixed.
    assert "color" not in str(first.body) and 'class="ws-bellrope"' in str(first.body)
    assert work.skin_css == ".workskin .ws-bellrope { color: red; }\n"
    assert "Arrival." in str(first.summary)
    assert "Jackdaws really do this." in str(first.notes)
    assert "More bird facts" in str(first.end_notes)
    assert second.notes is None and second.end_notes is None
    assert "For bell week." in str(work.notes) and "Rookery" in str(work.notes)
    assert "See the end" not in str(work.notes)
    assert "Thank you, bell week mods." in str(work.end_notes)
    assert "Carillon" in str(work.end_notes)
    # Navigation, kudos and the footer are not part of the work.
    everything = " ".join(str(c.body) for c in work.chapters) + str(work.notes)
    for junk in ("Fandoms", "Browse", "left kudos", "Footer", "Previous Work"):
        assert junk not in everything


def test_one_shot_page_uses_work_text_landmark() -> None:
    page = """<html><head><title>One [Archive of Our Own]</title></head><body>
    <dl class="work meta group"><dt class="fandom tags">Fandom:</dt>
    <dd class="fandom tags"><ul class="commas"><li><a class="tag">Original Work</a></li></ul></dd>
    <dt class="stats">Stats:</dt><dd class="stats"><dl class="stats"><dt>Published:</dt>
    <dd class="published">2020-01-01</dd><dt>Words:</dt><dd class="words">4</dd>
    <dt>Chapters:</dt><dd class="chapters">1/1</dd></dl></dd></dl>
    <div id="workskin"><div class="preface group"><h2 class="title heading">One</h2>
    <h3 class="byline heading">by <a rel="author">Anonymous</a></h3></div>
    <div id="chapters" role="article"><div class="userstuff">
    <h3 class="landmark heading">Work Text:</h3><p>Just four words here.</p></div></div></div>
    </body></html>"""
    work = work_from_ao3_page(page, source_name="one.html", load_asset=no_assets)
    assert not work.chaptered and len(work.chapters) == 1
    assert str(work.chapters[0].body) == "<p>Just four words here.</p>"
    assert work.authors == ("Anonymous",)
    assert work.stats.chapters_label == "1/1"


def test_a_page_without_the_work_is_refused() -> None:
    with pytest.raises(InputError, match="not a saved AO3 work page"):
        work_from_ao3_page("<p>x</p>", source_name="x.html", load_asset=no_assets)


def test_sniff() -> None:
    reader = Ao3PageReader()
    assert reader.sniff(PAGE.read_bytes()[:65536]) == 95
    assert reader.sniff(b"<title>Work - x [Archive of Our Own]</title>") == 60
    assert reader.sniff(b"<html><p>hello</p>") == 0
