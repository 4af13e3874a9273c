"""The one-listing library lookup used while WeasyPrint is imported (backends/libfind.py)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from fic2book.backends.libfind import ldconfig_sonames, quick_find_library, soname_finder

LISTING = [
    ("libpango-1.0.so.0", "libc6"),
    ("libpango-1.0.so.0", "libc6,x86-64"),
    ("libpangoft2-1.0.so.0", "libc6,x86-64"),
    ("libharfbuzz-subset.so.0", "libc6,x86-64"),
    ("libharfbuzz.so.0", "libc6,x86-64"),
]


def test_finds_the_soname_by_exact_stem() -> None:
    find = soname_finder(LISTING)
    assert find("harfbuzz") == "libharfbuzz.so.0"  # not libharfbuzz-subset
    assert find("harfbuzz-subset") == "libharfbuzz-subset.so.0"
    assert find("pangoft2-1.0") == "libpangoft2-1.0.so.0"
    # Windows and macOS spellings WeasyPrint also tries are simply not there.
    assert find("libpango-1.0-0") is None
    assert find("pango-1.0-0") is None


def test_native_word_size_first() -> None:
    find = soname_finder([("libz.so.1", "libc6"), ("libz.so.1.2", "libc6,x86-64")])
    expected = "libz.so.1.2" if sys.maxsize > 2**32 else "libz.so.1"
    assert find("z") == expected


@pytest.mark.skipif(ldconfig_sonames() is None, reason="needs ldconfig (Linux)")
@pytest.mark.parametrize("name", ["pango-1.0", "pangoft2-1.0", "gobject-2.0", "fontconfig", "c"])
def test_agrees_with_ctypes(name: str) -> None:
    entries = ldconfig_sonames()
    assert entries is not None
    assert soname_finder(entries)(name) == ctypes.util.find_library(name)


def test_restores_the_standard_lookup() -> None:
    original = ctypes.util.find_library
    with quick_find_library():
        pass
    assert ctypes.util.find_library is original
    with pytest.raises(RuntimeError), quick_find_library():
        raise RuntimeError
    assert ctypes.util.find_library is original


def test_weasyprint_imports_without_compiler_runs() -> None:
    # In a fresh interpreter: WeasyPrint loads, the standard lookup is back afterwards, and no
    # gcc or ld was started to look for libraries (each would show as a subprocess call).
    code = (
        "import ctypes.util, subprocess\n"
        "original = ctypes.util.find_library\n"
        "calls = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, args, *a, **k):\n"
        "    calls.append(args[0] if isinstance(args, (list, tuple)) else args)\n"
        "    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "from fic2book.backends.pdf import _import_weasyprint\n"
        "module = _import_weasyprint()\n"
        "assert module.__name__ == 'weasyprint'\n"
        "assert ctypes.util.find_library is original\n"
        "print(len(calls), sorted({str(c).rsplit('/', 1)[-1] for c in calls}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, programs = out.stdout.split(" ", 1)
    assert "gcc" not in programs and "ld'" not in programs, programs
    assert int(count) <= 1, out.stdout
