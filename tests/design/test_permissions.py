"""The permission detector on real-looking phrasings from authors' notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.describe import describe
from fic2book.describe_view import work_rows
from fic2book.model import Chapter, Work
from fic2book.permissions import find_permissions, permission_sentences
from fic2book.readers import read_work


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
    ("before", "note", "after"),
    [
        ("谢谢阅读。", "请勿转载。", "祝大家快乐！"),
        ("谢谢阅读。", "禁止轉載！", ""),
        ("", "未经授权请勿转载。", "下一章见。"),
        ("", "可以转载，请注明出处。", ""),
        ("読んでくれてありがとう。", "無断転載禁止。", ""),
        ("", "転載・翻訳はご遠慮ください。", ""),
        ("감사합니다.", "무단 전재 금지.", ""),
        ("", "무단 전재 및 재배포 금지.", ""),
        ("Merci de votre lecture.", "Merci de ne pas republier cette histoire.", ""),
        ("", "Pas de reproduction sans mon autorisation.", ""),
        ("Gracias por leer.", "Por favor, no resubir esta historia.", ""),
        ("", "Prohibida la reproducción total o parcial.", ""),
        ("Danke fürs Lesen.", "Bitte nicht erneut hochladen oder veröffentlichen.", ""),
        ("", "Übersetzungen nur mit meiner Erlaubnis.", ""),
        ("Спасибо за чтение.", "Не публиковать и не копировать без разрешения.", ""),
        ("", "Перевод запрещён.", ""),
        ("Obrigada por ler.", "Não repostar sem permissão.", ""),
        ("Grazie per aver letto.", "Non ripubblicare questa storia senza il mio permesso.", ""),
        ("Dziękuję za czytanie.", "Nie kopiować bez zgody autorki.", ""),
        ("Terima kasih sudah membaca.", "Dilarang repost tanpa izin.", ""),
    ],
)
def test_notices_in_the_ao3_languages_are_found(before: str, note: str, after: str) -> None:
    text = f"{before}{' ' if before.endswith('.') else ''}{note} {after}".strip()
    assert find_permissions(text) == [note]


@pytest.mark.parametrize(
    "note",
    [
        "谢谢大家的支持，下一章很快就来。",
        "Je ne sais pas si la traduction est bonne.",
        "No sé si la historia les va a gustar.",
        "Die Übersetzung des Zaubers war im Kanon falsch.",
        "Это не перевод, а оригинальная история.",
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


def test_inspect_shows_each_sentence_on_its_own_line(tmp_path: Path) -> None:
    source = tmp_path / "work.txt"
    source.write_text(
        "Title: T\nAuthor: A\nNotes: Blanket permission to bind this work. "
        "Please do not repost my work.\n\nChapter 1\n\nText.\n",
        encoding="utf-8",
    )
    info = describe(read_work(source))
    rows = dict(work_rows(info))
    assert rows["Permissions"] == (
        "Blanket permission to bind this work.\nPlease do not repost my work."
    )
    result = CliRunner().invoke(app, ["inspect", str(source)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "work., Please" not in result.output
    lines = result.output.splitlines()
    row = next(n for n, line in enumerate(lines) if "Permissions" in line)
    assert "Blanket permission to bind this work." in lines[row] and "Please" not in lines[row]
    assert "Please do not repost my work." in lines[row + 1]
