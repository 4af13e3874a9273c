"""The reader and backend registries: lookups, errors that list the choices, no duplicates."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from fic2book.backends import BACKENDS, backend_for, backend_for_path
from fic2book.backends import register as register_backend
from fic2book.errors import UnknownFormatError
from fic2book.model import Work
from fic2book.options import RenderOptions
from fic2book.readers import READERS, reader_for, reader_named
from fic2book.readers import register as register_reader


def test_both_backends_registered() -> None:
    assert {"epub", "pdf"} <= set(BACKENDS)
    assert BACKENDS["epub"].suffix == ".epub"
    assert BACKENDS["pdf"].suffix == ".pdf"


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_backend_describes_itself(name: str) -> None:
    cls = BACKENDS[name]
    assert cls.name == name
    assert cls.suffix.startswith(".") and cls.suffix == cls.suffix.lower()
    assert cls.description.strip()
    assert isinstance(backend_for(name), cls)


@pytest.mark.parametrize("spelling", ["pdf", "PDF", " pdf ", ".pdf"])
def test_backend_lookup_is_forgiving(spelling: str) -> None:
    assert isinstance(backend_for(spelling), BACKENDS["pdf"])


def test_unknown_backend_lists_choices() -> None:
    with pytest.raises(UnknownFormatError) as info:
        backend_for("docx")
    message = str(info.value)
    assert "docx" in message and "epub" in message and "pdf" in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("name", "backend"), [("b.epub", "epub"), ("B.PDF", "pdf")])
def test_backend_from_suffix(name: str, backend: str) -> None:
    assert isinstance(backend_for_path(Path(name)), BACKENDS[backend])


@pytest.mark.parametrize("name", ["book.docx", "book", "book.epub.bak"])
def test_backend_from_unknown_suffix(name: str) -> None:
    with pytest.raises(UnknownFormatError, match="--to"):
        backend_for_path(Path(name))


def test_duplicate_backend_refused() -> None:
    class Impostor:
        name: ClassVar[str] = "epub"
        suffix: ClassVar[str] = ".epub"
        description: ClassVar[str] = "not the real one"

        def write(self, work: Work, target: Path, options: RenderOptions) -> None:
            raise AssertionError("never called")

    original = BACKENDS["epub"]
    with pytest.raises(ValueError, match="already registered"):
        register_backend(Impostor)
    assert BACKENDS["epub"] is original


def test_text_reader_registered() -> None:
    assert READERS, "no reader registered"
    assert any(".txt" in info.suffixes for info in READERS.values())
    for name, info in READERS.items():
        assert info.name == name
        assert info.description.strip()
        assert all(s.startswith(".") and s == s.lower() for s in info.suffixes)
        reader = info.load()()  # every entry names a class that sniffs and reads
        assert callable(reader.sniff) and callable(reader.read)


def test_reader_for_txt(tmp_path: Path) -> None:
    path = tmp_path / "w.TXT"
    path.write_text("Title: x\n\nBody.\n", encoding="utf-8")
    reader = reader_for(path)
    assert ".txt" in reader.suffixes


def test_unknown_reader_lists_choices() -> None:
    with pytest.raises(UnknownFormatError) as info:
        reader_named("docx")
    for name in READERS:
        assert name in str(info.value)


def test_unknown_input_suffix_suggests_from() -> None:
    with pytest.raises(UnknownFormatError, match="--from"):
        reader_for(Path("work.docx"))


def test_duplicate_reader_refused() -> None:
    existing = next(iter(READERS))

    class Impostor:
        def sniff(self, head: bytes) -> int:
            return 100

        def read(self, path: Path) -> Work:
            raise AssertionError("never called")

    original = READERS[existing]
    with pytest.raises(ValueError, match="already registered"):
        register_reader(existing.upper(), (".txt",), "not the real one")(Impostor)
    assert READERS[existing] is original
