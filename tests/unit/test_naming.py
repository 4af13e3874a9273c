"""Output file names: readable, Unicode-preserving and valid on Linux, macOS and Windows."""

from __future__ import annotations

from pathlib import Path

import pytest

from fic2book.naming import (
    MAX_NAME_BYTES,
    author_list,
    output_name,
    safe_filename,
    unique_path,
)

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def assert_portable(name: str) -> None:
    assert name
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not WINDOWS_FORBIDDEN & set(name)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name)
    assert name == name.strip(" ")
    assert not name.endswith(".")
    assert not name.startswith(".")
    assert name not in {".", ".."}
    assert Path(name).name == name  # a single path component


def test_seed_name() -> None:
    name = output_name("No Office Relations", ["movielover55"], ".epub")
    assert name == "No Office Relations - movielover55.epub"


def test_several_authors_joined() -> None:
    assert output_name("T", ["a", "b"], ".pdf") == "T - a, b.pdf"


def test_more_than_three_authors_et_al() -> None:
    assert author_list(["a", "b", "c", "d"]) == "a, b, c et al."
    assert author_list(["a", "b", "c"]) == "a, b, c"
    name = output_name("T", ["a", "b", "c", "d", "e"], ".epub")
    assert name == "T - a, b, c et al..epub"
    assert_portable(name)


def test_no_authors_is_title_only() -> None:
    assert output_name("Only a Title", [], ".epub") == "Only a Title.epub"
    assert output_name("Only a Title", ["  "], ".epub") == "Only a Title.epub"


def test_unicode_kept() -> None:
    name = output_name("Ночь — 夜の話 ✨", ["作者"], ".epub")
    assert name == "Ночь — 夜の話 ✨ - 作者.epub"
    assert_portable(name)


def test_decomposed_unicode_is_composed() -> None:
    # "é" as e + combining accent becomes the single code point macOS and Linux agree on.
    assert safe_filename("Cafe\u0301", ".epub") == "Caf\u00e9.epub"


@pytest.mark.parametrize("char", sorted(WINDOWS_FORBIDDEN))
def test_forbidden_characters_replaced(char: str) -> None:
    name = safe_filename(f"a{char}b", ".epub")
    assert name == "a_b.epub"
    assert_portable(name)


def test_slash_title_never_makes_a_path() -> None:
    name = output_name("../../etc/passwd", ["x/y"], ".epub")
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert_portable(name)
    assert (Path("out") / name).parent == Path("out")


def test_control_characters_replaced() -> None:
    name = safe_filename("tab\there\nnew\x00null\x1besc\x85nel", ".pdf")
    assert_portable(name)
    assert "null" in name and "esc" in name


@pytest.mark.parametrize("title", ["..", ".", "...", " . ", "", "   ", "///", "\x00"])
def test_degenerate_titles_fall_back(title: str) -> None:
    name = safe_filename(title, ".epub")
    assert_portable(name)
    assert name.endswith(".epub")
    assert name not in {".epub", "..epub"}


def test_leading_and_trailing_dots_and_spaces_removed() -> None:
    assert safe_filename("  .hidden title.  ") == "hidden title"
    assert safe_filename("  .hidden title.  ", ".epub") == "hidden title..epub"
    assert_portable(safe_filename("  .hidden title.  "))


@pytest.mark.parametrize(
    "stem", ["CON", "con", "PRN", "AUX", "NUL", "COM1", "com9", "LPT1", "LPT9"]
)
@pytest.mark.parametrize("suffix", ["", ".epub"])
def test_reserved_windows_names_changed(stem: str, suffix: str) -> None:
    name = safe_filename(stem, suffix)
    assert name.endswith(suffix)
    assert name[: len(name) - len(suffix)].upper() != stem.upper()
    assert stem.upper() in name.upper()


def test_names_containing_reserved_words_untouched() -> None:
    assert safe_filename("Console", ".epub") == "Console.epub"
    assert safe_filename("CON - author", ".epub") == "CON - author.epub"


def test_long_ascii_truncated_keeps_suffix() -> None:
    name = safe_filename("x" * 400, ".epub")
    assert name.endswith(".epub")
    assert len(name.encode("utf-8")) == MAX_NAME_BYTES
    assert_portable(name)


@pytest.mark.parametrize("char", ["é", "夜", "🦊"])
def test_long_multibyte_truncated_on_character_boundary(char: str) -> None:
    name = safe_filename(char * 300, ".epub")
    encoded = name.encode("utf-8")
    assert len(encoded) <= MAX_NAME_BYTES
    # Decoding strictly proves no character was cut in half.
    assert encoded.decode("utf-8") == name
    stem = name.removesuffix(".epub")
    assert set(stem) == {char}
    # As long as possible: one more character would not fit.
    assert len(encoded) + len(char.encode("utf-8")) > MAX_NAME_BYTES


def test_truncation_does_not_leave_trailing_space() -> None:
    stem = "a" * 249 + " " + "b" * 50
    name = safe_filename(stem, ".epub")
    assert not name.removesuffix(".epub").endswith(" ")
    assert_portable(name)


def test_unique_path_avoids_names_taken_in_the_run(tmp_path: Path) -> None:
    taken: set[Path] = set()
    first = unique_path(tmp_path, "T - a.epub", taken)
    taken.add(first)
    second = unique_path(tmp_path, "T - a.epub", taken)
    taken.add(second)
    third = unique_path(tmp_path, "T - a.epub", taken)
    assert first.name == "T - a.epub"
    assert second.name == "T - a (2).epub"
    assert third.name == "T - a (3).epub"


def test_unique_path_stays_within_limit(tmp_path: Path) -> None:
    name = safe_filename("夜" * 200, ".epub")
    taken = {tmp_path / name}
    other = unique_path(tmp_path, name, taken)
    assert other != tmp_path / name
    assert other.name.endswith(" (2).epub")
    assert len(other.name.encode("utf-8")) <= MAX_NAME_BYTES


def test_names_are_creatable(tmp_path: Path) -> None:
    for title in ["夜" * 300, "a/b\\c:d", "CON", "..", "Ночь"]:
        name = output_name(title, ["me"], ".epub")
        (tmp_path / name).write_bytes(b"x")
        assert (tmp_path / name).is_file()
