"""``fic2book batch --scheduler``: the same jobs on a Dask cluster started here, on loopback.

The cluster's workers share this machine's file system, but nothing relies on it: inputs go
out as bytes, the ``--css`` file travels with the options, and books come back as bytes.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fic2book.batch import BatchConfig, run_batch
from tests.conftest import ROOT
from tests.test_batch import FAST_FLAGS, OPTIONS, books, by_input, report_of, work_text, write

distributed: Any = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A two-worker cluster on 127.0.0.1 for this module."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield str(cluster.scheduler_address)


def test_dask_batch_makes_the_same_books_as_the_local_pool(scheduler: str, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "a.txt", work_text("Alpha"))
    write(lib / "shelf" / "ünï" / "b.txt", work_text("Beta"))
    write(lib / "c.txt", work_text("Alpha"))  # a collision, numbered like the local run
    (lib / "broken.txt").write_bytes(b"\x00\xff" * 50)
    css = write(tmp_path / "extra.css", "p { letter-spacing: 0.01em; }")
    options = dataclasses.replace(OPTIONS, css=(css,))
    report = tmp_path / "dask.json"

    remote = run_batch(
        BatchConfig(lib, tmp_path / "dask", options=options, scheduler=scheduler, report=report)
    )
    local = run_batch(BatchConfig(lib, tmp_path / "local", options=options, jobs=2))
    assert (remote.converted, remote.failed) == (3, 1)
    assert books(tmp_path / "dask") == [
        "Alpha - tester (2).epub",
        "Alpha - tester.epub",
        "shelf/ünï/Beta - tester.epub",
    ]
    assert local.converted == 3
    for name in books(tmp_path / "dask"):
        # SOURCE_DATE_EPOCH is set: the same work makes the same bytes wherever it runs.
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    with zipfile.ZipFile(tmp_path / "dask" / "Alpha - tester.epub") as archive:
        styles = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".css"))
    assert b"letter-spacing: 0.01em" in styles  # the stylesheet reached the workers

    data = report_of(report)
    assert data["scheduler"] == scheduler
    entries = by_input(data)
    assert entries["c.txt"]["outputs"] == ["Alpha - tester (2).epub"]
    assert entries["broken.txt"]["status"] == "failed"
    assert entries["broken.txt"]["error"].startswith("cannot read input: broken.txt")

    again = run_batch(BatchConfig(lib, tmp_path / "dask", options=options, scheduler=scheduler))
    assert (again.converted, again.skipped, again.failed) == (0, 3, 1)


def test_cli_scheduler_option(scheduler: str, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib / "w.txt", work_text("Over Dask"))
    out = tmp_path / "out"
    report = tmp_path / "r.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fic2book",
            "batch",
            str(lib),
            "-o",
            str(out),
            "--scheduler",
            scheduler,
            "--report",
            str(report),
            *FAST_FLAGS,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "converted w.txt -> Over Dask - tester.epub" in result.stdout
    assert books(out) == ["Over Dask - tester.epub"]
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["converted"] == 1


def test_dask_workers_update_a_work_in_progress(scheduler: str, tmp_path: Path) -> None:
    """The old book's state travels to the cluster with the newer download's bytes."""
    from tests.test_batch_updates import BOOK, WIP, nav_entries, two_chapters

    lib, out = tmp_path / "lib", tmp_path / "out"
    write(lib / "wip.html", two_chapters())
    run_batch(BatchConfig(lib, out, options=OPTIONS, scheduler=scheduler))
    (lib / "wip.html").unlink()
    write(lib / "wip (1).html", WIP.read_text(encoding="utf-8"))
    summary = run_batch(BatchConfig(lib, out, options=OPTIONS, scheduler=scheduler))
    assert (summary.converted, summary.updated) == (0, 1)
    assert books(out) == [f"{BOOK}.epub"]
    assert [e for e in nav_entries(out / f"{BOOK}.epub") if "(new)" in e] == ["Chapter 3 (new)"]
