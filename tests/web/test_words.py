"""The page's label language, chapter numbers, notes, summaries and binder's name.

They are offered as ``convert`` offers them (``--labels``, ``--chapter-numbers``, ``--notes``,
``--summaries``, ``--bound-by``), checked by the same rules, and reach the books: read back
from the PDF's text layer and the EPUB's documents.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import html

from fic2book.frontmatter import parse_front_matter
from fic2book.labels import catalog_languages
from fic2book.options import RenderOptions
from fic2book.web.choices import MAX_BOUND_BY, offered_labels
from tests.textract import document_text, has_text
from tests.web.conftest import AO3_HTML, SEED, Page


def _book(page: Page, upload_id: str, fmt: str, **options: object) -> bytes:
    started = page.convert(upload_id, formats=[fmt], **options)
    assert started.status_code == 202, started.text
    done = page.wait(upload_id)
    assert done["job"]["state"] == "done", done
    response = page.client.get(page.url(f"files/{upload_id}/books/{fmt}"))
    assert response.status_code == 200
    return response.content


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "book.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    return result.stdout.decode("utf-8")


def test_page_offers_every_catalog_and_the_cli_defaults(page: Page) -> None:
    form = html.fromstring(page.client.get(page.url("")).text).get_element_by_id("options")
    defaults = RenderOptions()
    labels = form.get_element_by_id("labels")
    values = labels.xpath("option/@value")
    # The work's own language first, then every catalog that ships, and English.
    assert values[0] == "" and labels.xpath("option[@selected]/@value") == [""]
    tags = {catalog.replace("_", "-") for catalog in catalog_languages()}
    assert set(values[1:]) == tags | {"en"} and len(values) == len(tags) + 2
    assert "French \u2014 fran\u00e7ais" in labels.xpath("option/text()")
    assert form.get_element_by_id(labels.get("aria-describedby") or "").text_content().strip()
    for name in ("chapter-numbers", "notes", "summaries"):
        chosen = form.get_element_by_id(name).xpath("option[@selected]/@value")
        assert chosen == [str(getattr(defaults, name.replace("-", "_")))], name
        assert form.xpath(f".//label[@for='{name}']"), name
    # Each book's own front matter by default (--front-matter unset), and every choice valid.
    front = form.get_element_by_id("front-matter")
    assert front.xpath("option[@selected]/@value") == [""] and defaults.front_matter is None
    for value in front.xpath("option/@value")[1:]:
        assert parse_front_matter(value) == tuple(value.split(","))
    bound_by = form.get_element_by_id("bound-by")
    assert bound_by.get("value") == "" and bound_by.get("maxlength") == str(MAX_BOUND_BY)
    assert form.xpath(".//label[@for='bound-by']")


@pytest.mark.slow
def test_labels_numbers_and_binder_reach_the_pdf(page: Page, tmp_path: Path) -> None:
    upload_id = page.upload("ao3.html", AO3_HTML.read_bytes()).json()["id"]
    english = _pdf_text(_book(page, upload_id, "pdf"), tmp_path)
    assert has_text(english, "Chapter 1: The Ferry") and "Relié" not in english
    french = _pdf_text(
        _book(
            page,
            upload_id,
            "pdf",
            labels="fr",
            chapter_numbers="words",
            bound_by="  Ana   Relieuse ",
            front_matter="title,credits,tags",
        ),
        tmp_path,
    )
    assert has_text(french, "Table des matières") and has_text(french, "Chapitre un : The Ferry")
    assert has_text(french, "Relié par Ana Relieuse")
    assert "Contents" not in french and "Chapter 1" not in french
    # No half title: the book opens on the title page (the title, then "par" and the creators).
    assert english.split("\f")[0].split() == ["Ferry", "Crossing"]
    assert french.split("\f")[0].split()[:3] == ["Ferry", "Crossing", "par"]


@pytest.mark.slow
def test_notes_and_summaries_reach_the_epub(page: Page) -> None:
    upload_id = page.upload("ao3.html", AO3_HTML.read_bytes()).json()["id"]
    data = _book(page, upload_id, "epub", notes="end", summaries="drop", labels="de")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        chapter = " ".join(document_text(book.read("EPUB/chap_001.xhtml")).split())
        notes = " ".join(document_text(book.read("EPUB/notes.xhtml")).split())
    assert chapter.startswith("Kapitel 1: The Ferry")  # labels in German
    assert "Wherein a map is unrolled" not in chapter  # the summary dropped
    assert "Ferries on this river run every hour" not in chapter  # the notes moved to the end
    assert "Ferries on this river run every hour" in notes


def test_labels_reach_the_preview(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    english = page.client.get(page.url(f"files/{upload_id}/preview")).text
    french = page.client.get(page.url(f"files/{upload_id}/preview?labels=fr")).text
    assert "par movielover55" in " ".join(html.fromstring(french).text_content().split())
    assert "Récapitulatif des tags" in french and "Récapitulatif" not in english


def test_bad_word_choices_are_a_sentence(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    for options, words in (
        ({"labels": "xx"}, "there are no labels in 'xx'"),
        ({"labels": "fr; rm -rf"}, "there are no labels in"),
        ({"chapter_numbers": "roman"}, "chapter numbers must be one of numerals, words"),
        ({"notes": "hide"}, "authors' notes must be one of keep, end, drop"),
        ({"summaries": "x"}, "summaries must be one of keep, end, drop"),
        ({"bound_by": "A" * (MAX_BOUND_BY + 1)}, "binder's name is longer than"),
        ({"front_matter": "tags,title"}, "pages before the story must be one of"),
    ):
        response = page.convert(upload_id, **options)
        assert response.status_code == 400, options
        message = response.json()["error"]
        assert words in message and "--" not in message, message
    assert page.client.get(page.url(f"files/{upload_id}/preview?labels=xx")).status_code == 422


def test_labels_are_case_blind_and_canonical() -> None:
    from fic2book.web.choices import options_from

    base = RenderOptions()
    assert options_from({"labels": "ZH-hant"}, base, None).labels == "zh-Hant"
    assert options_from({"labels": ""}, base, None).labels is None
    assert options_from({}, base, None).labels is None
    assert options_from({"bound_by": "   "}, base, None).bound_by is None
    assert options_from({"front_matter": ""}, base, None).front_matter is None
    assert options_from({"front_matter": "title,tags"}, base, None).front_matter == (
        "title",
        "tags",
    )
    assert next(iter(offered_labels())) == ""
