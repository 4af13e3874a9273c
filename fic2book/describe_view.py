"""How ``fic2book inspect`` shows :func:`fic2book.describe.describe`: two Rich tables or JSON.

:func:`describe` gives the facts as plain data; this module decides their order, labels and
formatting (AO3's preface order, thousands separators, "declared" versus "counted" words).
Rich is imported only when tables are printed, so ``--json`` never loads it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def _joined(value: Any) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _words(info: dict[str, Any]) -> Any:
    declared, counted = info["words_declared"], info["words_counted"]
    if declared is not None and declared != counted:
        return f"{declared:,} declared, {counted:,} counted"
    return f"{info['words']:,}" if isinstance(info["words"], int) else info["words"]


def work_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    """The (label, value) rows of the work table, in AO3's preface order; empty ones left out."""
    series = [
        f"Part {s['part']} of {s['name']}" if s["part"] is not None else s["name"]
        for s in info["series"]
    ]
    language = info["language"]
    if info["language_name"]:
        language = f"{info['language_name']} ({language})"
    rows: list[tuple[str, Any]] = [
        ("Title", info["title"]),
        ("Authors", info["authors"]),
        ("Rating", info["rating"]),
        ("Archive Warnings", info["warnings"]),
        ("Categories", info["categories"]),
        ("Fandoms", info["fandoms"]),
        ("Relationships", info["relationships"]),
        ("Characters", info["characters"]),
        ("Additional Tags", info["additional_tags"]),
        ("Language", language),
        ("Series", series),
        ("Collections", info["collections"]),
        ("Published", info["published"]),
        ("Updated", info["updated"]),
        ("Completed", info["completed"]),
        ("Words", _words(info)),
        ("Chapters", info["chapters_label"] or len(info["chapters"])),
        ("Status", info["status"]),
        ("Kudos", info["kudos"]),
        ("Hits", info["hits"]),
        ("Bookmarks", info["bookmarks"]),
        ("Comments", info["comments"]),
        ("Work ID", info["work_id"]),
        ("URL", info["url"]),
        ("Summary", info["summary"]),
        ("Notes", info["notes"]),
        ("End Notes", info["end_notes"]),
        # Whole sentences, one a line: joined with commas they would run together.
        ("Permissions", "\n".join(info["permissions"])),
    ]
    rows += [(extra["label"], extra["value"]) for extra in info["extra"]]
    rows += [("Image", f"{a['href']} ({a['media_type']})") for a in info["assets"]]
    return [(label, _joined(value)) for label, value in rows if _joined(value)]


def chapter_rows(info: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """One row per chapter: number, heading, words and which notes it has."""
    rows = []
    for chapter in info["chapters"]:
        flags = [
            name
            for name, present in (
                ("summary", chapter["has_summary"]),
                ("notes", chapter["has_notes"]),
                ("end notes", chapter["has_end_notes"]),
            )
            if present
        ]
        rows.append(
            (
                str(chapter["number"]),
                chapter["heading"],
                f"{chapter['words']:,}",
                ", ".join(flags) or "-",
            )
        )
    return rows


def tables(info: dict[str, Any]) -> list[Table]:
    """The work table and the chapter table."""
    from rich.table import Table

    work = Table(title=info["title"], show_header=False)
    # The labels stand out in a terminal; long values fold rather than being cut off.
    work.add_column(no_wrap=True, style="bold")
    work.add_column(overflow="fold")
    for label, value in work_rows(info):
        work.add_row(label, value)
    chapters = Table(title="Chapters")
    chapters.add_column("#", justify="right")
    chapters.add_column("Heading", overflow="fold")
    chapters.add_column("Words", justify="right")
    chapters.add_column("Summary / notes / end notes", overflow="fold")
    for row in chapter_rows(info):
        chapters.add_row(*row)
    return [work, chapters]


def print_tables(info: dict[str, Any], console: Console | None = None) -> None:
    """Print both tables; text from the work is never read as Rich markup or emoji codes."""
    from rich.console import Console

    # "[Chapter 1]" or ":heart:" in a title must print as typed.
    console = console or Console(highlight=False, markup=False, emoji=False)
    for table in tables(info):
        console.print(table)


def to_json(info: dict[str, Any]) -> str:
    """The ``--json`` output: the description as it is, non-ASCII text kept readable."""
    return json.dumps(info, ensure_ascii=False, indent=2)
