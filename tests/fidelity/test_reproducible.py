"""Rebuilding gives byte-identical books, whatever the time zone; SOURCE_DATE_EPOCH is honoured."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import DATA, SAMPLES
from tests.textract import epub_members, missing_words, pdf_metadata

INPUTS = [SAMPLES / "the-lighthouse-keepers-ledger.txt", DATA / "ao3" / "ao3-2021-chaptered.html"]
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def build(folder: Path, tz: str, epoch: int | None) -> dict[str, bytes]:
    """Convert every input to EPUB and PDF in a fresh process; return the books by name."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["TZ"] = tz
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    folder.mkdir()
    subprocess.run(
        [sys.executable, "-m", "fic2book", "convert", *map(str, INPUTS), "--to", "epub,pdf"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Four builds: with and without SOURCE_DATE_EPOCH, each in two far-apart time zones."""
    root = tmp_path_factory.mktemp("repro")
    return {
        f"{tz}-{epoch}": build(root / f"{tz.replace('/', '_')}-{epoch}", tz, epoch)
        for epoch in (EPOCH, None)
        for tz in ("UTC", "Pacific/Kiritimati" if epoch else "America/St_Johns")
    }


def test_same_bytes_across_time_zones(builds: dict[str, dict[str, bytes]]) -> None:
    """UTC+14 and UTC give the same EPUBs and PDFs, with or without SOURCE_DATE_EPOCH."""
    assert builds["UTC-1700000000"] == builds["Pacific/Kiritimati-1700000000"]
    assert builds["UTC-None"] == builds["America/St_Johns-None"]
    assert len(builds["UTC-None"]) == 2 * len(INPUTS)


def test_source_date_epoch_is_honoured(builds: dict[str, dict[str, bytes]], tmp_path: Path) -> None:
    """Zip entry times, dcterms:modified and the PDF dates are the epoch's, not the clock's."""
    for name, data in builds["UTC-1700000000"].items():
        path = tmp_path / name
        path.write_bytes(data)
        if name.endswith(".epub"):
            with zipfile.ZipFile(path) as archive:
                assert {info.date_time for info in archive.infolist()} == {
                    (2023, 11, 14, 22, 13, 20)
                }
            opf = next(v for k, v in epub_members(path).items() if k.endswith(".opf"))
            assert b"2023-11-14T22:13:20Z" in opf
        else:
            info = pdf_metadata(path)
            assert info["/CreationDate"].startswith("D:20231114221320"), info
            assert info["/ModDate"].startswith("D:20231114221320"), info
    assert builds["UTC-1700000000"] != builds["UTC-None"]


def test_missing_words_can_fail() -> None:
    """The comparison used by the fidelity tests notices a lost word, and only that."""
    assert missing_words("the “quick” brown fox—jumps", 'the "quick" brown fox -- jumps') == []
    assert missing_words("hyphen-ated word", "hyph-\nen-\nated word") == []
    assert missing_words("one two three", "one three") == ["two"]
