"""The permission detector on real-looking phrasings from authors' notes."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from fic2book.model import Chapter, Work
from fic2book.permissions import find_permissions, permission_sentences


@pytest.mark.parametrize(
    "note",
    [
        "I have blanket permission for podfic, translations and fanbinding!",
        "Feel free to podfic, translate or bind this work, just link back to me.",
        "Please do not repost my work to other sites.",
        "Don't translate this without asking me first.",
        "Podfics are very welcome!",
        "If you want to bind this, go ahead!",
        "Translations are okay as long as you credit me.",
        "Any transformative works are welcome.",
    ],
)
def test_statements_are_found(note: str) -> None:
    assert find_permissions(f"Thanks to my beta. {note} Enjoy the story.") == [note]


@pytest.mark.parametrize(
    "note",
    [
        "Thanks for reading, kudos and comments are welcome!",
        "The translation of the spell was wrong in canon, so I fixed it.",
        "He bound the book himself.",
        "This chapter was a pain to write.",
    ],
)
def test_other_notes_are_not(note: str) -> None:
    assert find_permissions(note) == []


def test_work_notes_and_first_chapter_notes_are_read_once() -> None:
    note = Markup("<p>Hello!</p><p>Blanket permission to podfic and bind.</p>")
    chapter = Chapter(number=1, title=None, body=Markup("<p>Text.</p>"), notes=note)
    work = Work(title="T", authors=("A",), language="en", chapters=(chapter,), notes=note)
    assert permission_sentences(work) == ("Blanket permission to podfic and bind.",)
