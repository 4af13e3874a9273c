"""A test client for the web app, with a known token, and small helpers."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fic2book.options import RenderOptions
from fic2book.web.app import Server, ServerSettings, create_app

DATA = Path(__file__).resolve().parent.parent / "data"
TOKEN = "test-token-0123456789"
SEED = DATA / "no-office-relations.txt"
AO3_HTML = DATA / "ao3" / "ao3-2021-chaptered.html"
AO3_EPUB_FOLDER = DATA / "epub" / "ao3-calibre"


def epub_bytes(folder: Path = AO3_EPUB_FOLDER) -> bytes:
    """Zip an unpacked EPUB fixture as an EPUB (``mimetype`` first, stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.write(folder / "mimetype", "mimetype", zipfile.ZIP_STORED)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "mimetype":
                book.write(path, path.relative_to(folder).as_posix(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


class Page:
    """The app under test, spoken to as the page speaks to it."""

    def __init__(self, client: TestClient, server: Server) -> None:
        self.client = client
        self.server = server

    def url(self, path: str) -> str:
        return f"/{TOKEN}/{path}"

    def upload(self, name: str, data: bytes) -> Any:
        return self.client.post(self.url("files"), content=data, headers={"X-File-Name": name})

    def convert(self, upload_id: str, **options: Any) -> Any:
        return self.client.post(self.url(f"files/{upload_id}/convert"), json=options)

    def wait(self, upload_id: str, limit: float = 300.0) -> dict[str, Any]:
        """Poll until the job ends (the limit only stops a hung test)."""
        deadline = time.monotonic() + limit
        while True:
            data: dict[str, Any] = self.client.get(self.url(f"files/{upload_id}")).json()
            if data["job"]["state"] in ("done", "failed") or time.monotonic() > deadline:
                return data
            time.sleep(0.1)


def make_page(options: RenderOptions | None = None, max_jobs: int = 2) -> Iterator[Page]:
    settings = ServerSettings(
        token=TOKEN,
        options=options or RenderOptions(),
        max_jobs=max_jobs,
        allowed_hosts=("testserver",),
    )
    server = Server(settings)
    with TestClient(create_app(settings, server)) as client:
        yield Page(client, server)


@pytest.fixture
def page() -> Iterator[Page]:
    yield from make_page()
