"""The long fuzz profile: at least 100,000 examples per reader, then a report.

Run from the repository root (it reuses the strategies of ``tests/fuzz``)::

    nice .venv/bin/python -m benchmarks.fuzz_long          # 90,000 + 10,000 per reader
    .venv/bin/python -m benchmarks.fuzz_long --bytes 1000 --near-valid 1000 --reader html

For each reader it runs two properties, any bytes (``--bytes`` examples, default 90,000) and
near-valid input (``--near-valid``, default 10,000; see ``tests/fuzz/strategies.py``), and
prints one line per
property: examples run, seconds, examples per second, and the failure hypothesis found
(shrunk), if any.  ``--json FILE`` writes the same as JSON.  Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fic2book.errors import Fic2BookError
from fic2book.model import Work
from tests.fuzz.strategies import STRUCTURED, any_bytes, read_as


def run_property(
    reader: str, kind: str, strategy: st.SearchStrategy[bytes], examples: int, folder: Path
) -> dict[str, Any]:
    """Run one property for ``examples`` examples; return its numbers and any failure."""
    count = 0

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(strategy)
    def check(data: bytes) -> None:
        nonlocal count
        count += 1
        result = read_as(reader, data, folder)
        assert isinstance(result, Work | Fic2BookError)

    started = time.perf_counter()
    failure = None
    try:
        check()
    except Exception as err:  # the point is to report whatever the reader raised
        failure = "".join(traceback.format_exception_only(err)).strip()
        notes = getattr(err, "__notes__", [])
        if notes:
            failure += "\n" + "\n".join(notes)
    seconds = time.perf_counter() - started
    return {
        "reader": reader,
        "property": kind,
        "examples": count,
        "seconds": round(seconds, 1),
        "per_second": round(count / seconds, 1) if seconds else None,
        "failure": failure,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the properties and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Near-valid inputs cost 10-50 ms each to generate and parse, raw bytes about 1 ms, so the
    # default split gives 100,000 per reader in well under an hour per reader.
    parser.add_argument("--bytes", type=int, default=90_000, help="examples of any bytes")
    parser.add_argument("--near-valid", type=int, default=10_000, help="near-valid examples")
    parser.add_argument("--reader", action="append", choices=sorted(STRUCTURED))
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    results = []
    # /dev/shm keeps the one file per example off the disk where there is one.
    scratch_root = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=scratch_root) as tmp:
        for reader in args.reader or sorted(STRUCTURED):
            for kind, strategy, examples in (
                ("bytes", any_bytes, args.bytes),
                ("near-valid", STRUCTURED[reader], args.near_valid),
            ):
                if examples <= 0:  # "--near-valid 0": run only the other property
                    continue
                result = run_property(reader, kind, strategy, examples, Path(tmp))
                results.append(result)
                print(
                    f"{reader:9} {kind:10} {result['examples']:>8,} examples "
                    f"{result['seconds']:>8.1f} s {result['per_second'] or 0:>8.1f}/s  "
                    f"{'FAILED: ' + result['failure'] if result['failure'] else 'ok'}",
                    flush=True,
                )
                if args.json:
                    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if any(r["failure"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
