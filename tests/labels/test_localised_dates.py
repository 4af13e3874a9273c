"""Dates and "Label:" pairs fic2book writes outside the tag summary, in the label language."""

from __future__ import annotations

import dataclasses
import datetime as dt

from fic2book.model import UpdateEntry, Work
from fic2book.options import RenderOptions
from fic2book.render import render_part
from tests.conftest import make_work

DAY = 1_700_000_000  # 2023-11-14


def logged(language: str) -> Work:
    entry = UpdateEntry(dt.date(2024, 3, 3), added=("Chapter 3",), changed=("Chapter 1",))
    return dataclasses.replace(make_work(language=language), updates=(entry,))


def words(html: str) -> str:
    return " ".join(html.replace("<", " <").split())


def test_a_french_update_log_writes_its_date_and_colons_as_french_does() -> None:
    html = render_part("update_log", logged("fr"), RenderOptions())
    assert ">3 mars 2024<" in html
    assert ">Chapitres ajoutés\u00a0:<" in html and ">Chapitres modifiés\u00a0:<" in html
    assert "2024-03-03" not in html and "ajoutés:" not in html


def test_an_english_update_log_keeps_the_iso_date() -> None:
    html = render_part("update_log", logged("en"), RenderOptions())
    assert ">2024-03-03<" in html and ">Chapters added:<" in html


def test_the_build_date_on_the_credits_page_follows_the_labels() -> None:
    options = RenderOptions(source_date_epoch=DAY)
    french = words(render_part("credits", make_work(language="fr"), options))
    assert "Réalisé avec fic2book 0.1.0 le 14 novembre 2023" in french
    german = words(
        render_part("credits", make_work(), RenderOptions(source_date_epoch=DAY, labels="de"))
    )
    assert "14. November 2023" in german
    english = words(render_part("credits", make_work(), options))
    assert "Made with fic2book 0.1.0 on 2023-11-14" in english
