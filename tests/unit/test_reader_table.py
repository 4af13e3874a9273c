"""The readers' static table (``BUILTIN_READERS``) cannot drift from the readers it names."""

from __future__ import annotations

import importlib

import pytest

from fic2book.readers import BUILTIN_READERS, READERS, reader_infos


@pytest.mark.parametrize("info", BUILTIN_READERS, ids=lambda info: info.name)
def test_static_table_matches_the_reader(info: object) -> None:
    from fic2book.readers import ReaderInfo

    assert isinstance(info, ReaderInfo)
    importlib.import_module(info.module)
    cls = READERS[info.name]
    assert cls.__module__ == info.module
    assert (cls.name, cls.suffixes, cls.description) == (
        info.name,
        info.suffixes,
        info.description,
    )


def test_every_registered_reader_is_in_the_table() -> None:
    # Importing every reader module registers nothing the static table does not list.
    for info in BUILTIN_READERS:
        importlib.import_module(info.module)
    assert [info.name for info in reader_infos()] == [info.name for info in BUILTIN_READERS]
    assert list(READERS) == [info.name for info in BUILTIN_READERS]
