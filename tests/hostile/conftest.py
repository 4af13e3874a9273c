"""The hostile-input harness: a sandbox with a secret beside it, a trap server, the real CLI.

Every hostile test converts its input in a sandbox laid out as::

    tmp/secret.txt, tmp/secret.png   the secret (SECRET) next to the input folder
    tmp/in/                          the input files
    tmp/out/                         -o
    tmp/cwd/                         the working directory of the fic2book process

and then checks the four promises of docs/security.md: the secret is in no book, the trap
server on 127.0.0.1 received no connection, no book carries a script, and nothing outside
``out/`` changed; the command ended with books or one-line errors, never a traceback or a hang.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fic2book.batch.manifest import MANIFEST_NAME
from tests.backends.conftest import png_bytes
from tests.textract import (
    epub_members,
    has_text,
    pdf_active_content,
    pdf_text,
    pdf_uncompressed,
)

#: The secret every hostile input tries to pull into a book.
SECRET = "SECRET-7f3a9c-DO-NOT-LEAK"
#: Seconds a CLI run may take before the test calls it a hang.
CLI_TIMEOUT = 240

# Script markers no EPUB member may contain: script elements, javascript: (or vbscript:) URLs
# in any attribute, event handlers as attributes (` onload=`).  "javascript:" as escaped prose
# (a Markdown link markdown-it refused stays literal text) is words, not a script.
_SCRIPT_MARKERS = (
    re.compile(rb"<script", re.IGNORECASE),
    re.compile(rb"""=\s*["']?\s*(?:java|vb)script:""", re.IGNORECASE),
    re.compile(rb"""url\(\s*["']?\s*javascript:""", re.IGNORECASE),
    re.compile(rb"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE),
)


class _TrapHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png_bytes())

    def log_message(self, format: str, *args: object) -> None:
        pass


class TrapServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _TrapHandler)
        self.connections: list[tuple[str, int]] = []

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        request, address = super().get_request()
        self.connections.append(address)
        return request, address

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@pytest.fixture(scope="session")
def trap() -> Iterator[TrapServer]:
    """The trap server, running for the whole session."""
    server = TrapServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@dataclass
class Sandbox:
    """The folders of one hostile conversion and the snapshot of everything outside out/."""

    root: Path
    before: dict[str, str] = field(default_factory=dict)

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def cwd(self) -> Path:
        return self.root / "cwd"

    @property
    def secret(self) -> Path:
        return self.root / "secret.txt"

    def snapshot(self) -> dict[str, str]:
        """Path → content digest of every file and folder outside out/."""
        state: dict[str, str] = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if relative.parts[0] == "out":
                continue
            if path.is_symlink():
                state[str(relative)] = "link:" + os.readlink(path)
            elif path.is_file():
                state[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[str(relative)] = "dir"
        return state

    def freeze(self) -> None:
        """Remember the tree as it is now (call after writing the inputs)."""
        self.before = self.snapshot()

    def run(
        self, *args: str | Path, timeout: float = CLI_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -m fic2book ARGS`` in cwd/; a hang fails the test."""
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            [sys.executable, "-m", "fic2book", *map(str, args)],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def books(self) -> list[Path]:
        """Every file in out/."""
        return sorted(p for p in self.out.rglob("*") if p.is_file())


def make_sandbox(root: Path) -> Sandbox:
    """Lay out a sandbox under ``root`` with the secret files beside the input folder."""
    box = Sandbox(root)
    for folder in (box.inputs, box.out, box.cwd):
        folder.mkdir(parents=True, exist_ok=True)
    box.secret.write_text(SECRET + "\n")
    # A real PNG whose bytes carry the secret (a tEXt chunk), in case an image is embedded.
    png = png_bytes()
    text_chunk = _png_chunk(b"tEXt", b"Comment\x00" + SECRET.encode())
    (root / "secret.png").write_bytes(png[:-12] + text_chunk + png[-12:])
    return box


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    import struct
    import zlib

    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """A fresh sandbox for one test."""
    return make_sandbox(tmp_path)


def check_cli(result: subprocess.CompletedProcess[str], failures: int | None = None) -> list[str]:
    """No traceback; every failure one ``fic2book: label: message`` line.  Returns them.

    ``fic2book: warning: …`` lines are no failures and are not returned.
    """
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("fic2book: ") and not line.startswith("fic2book: warning: ")
    ]
    if failures is not None:
        assert len(errors) == failures, result.stderr[-3000:]
    if result.returncode == 0:
        assert not errors, result.stderr[-3000:]
    else:
        assert errors, result.stderr[-3000:]
    return errors


def check_epub_safe(book: Path) -> None:
    """No member of the EPUB holds the secret, a script, a handler or a ``javascript:`` URL."""
    for name, data in epub_members(book).items():
        assert SECRET.encode() not in data, f"{book.name}:{name} leaks the secret"
        if name.endswith((".xhtml", ".html", ".opf", ".ncx", ".css", ".svg")):
            for marker in _SCRIPT_MARKERS:
                assert not marker.search(data), f"{book.name}:{name} has {marker.pattern!r}"
        assert not name.startswith(("/", "../")) and "/../" not in name


def check_pdf_safe(book: Path) -> None:
    """The PDF has no script, action or embedded file, and the secret is nowhere in it."""
    assert pdf_active_content(book) == []
    raw = pdf_uncompressed(book)
    assert SECRET.encode() not in raw
    assert not has_text(pdf_text(book), SECRET)
    for marker in (b"/JS", b"/JavaScript", b"/EmbeddedFile", b"/Launch"):
        assert marker not in raw


def check_books_safe(books: Sequence[Path]) -> None:
    """Apply the EPUB or PDF checks to each book."""
    for book in books:
        if book.suffix == ".epub":
            check_epub_safe(book)
        elif book.suffix == ".pdf":
            check_pdf_safe(book)


def check_contained(box: Sandbox, trap: TrapServer, connections_before: int) -> None:
    """Nothing outside out/ changed, no temporary file was left, the trap saw nobody."""
    assert box.snapshot() == box.before
    left = [p for p in box.out.rglob(".fic2book-*") if not p.name.startswith(MANIFEST_NAME)]
    assert not left, "temporary files left behind"
    assert trap.connections[connections_before:] == []
