"""The PDF renderer's URL fetcher: data: URLs and the work's own assets, nothing else."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest

from fic2book.fetch import ASSET_SCHEME, BASE_URL, AssetFetcher, asset_key
from fic2book.model import Asset

PNG = b"\x89PNG\r\n\x1a\n-not-really-a-png"


class RecordingServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that remembers every request path it was sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: RecordingServer

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher() -> AssetFetcher:
    return AssetFetcher(
        [
            Asset("images/map.png", "image/png", PNG),
            Asset("images/with space.jpg", "image/jpeg", b"jpeg bytes"),
            Asset("../outside.png", "image/png", b"never served"),
        ]
    )


def read(fetcher: AssetFetcher, url: str) -> tuple[bytes, str]:
    response = fetcher.fetch(url)
    try:
        return response.read(), response.content_type
    finally:
        response.close()


def test_relative_references_resolve_under_the_private_base() -> None:
    # WeasyPrint joins with urllib, which only resolves hierarchical schemes it knows.
    assert urljoin(BASE_URL, "images/map.png") == f"{ASSET_SCHEME}:/images/map.png"
    assert urljoin(BASE_URL, "./images/../images/map.png") == f"{ASSET_SCHEME}:/images/map.png"


def test_serves_an_asset_with_its_media_type(fetcher: AssetFetcher) -> None:
    assert read(fetcher, urljoin(BASE_URL, "images/map.png")) == (PNG, "image/png")
    assert read(fetcher, f"{ASSET_SCHEME}:/images/./map.png")[0] == PNG
    assert fetcher.refused == []


def test_serves_percent_encoded_names(fetcher: AssetFetcher) -> None:
    # WeasyPrint percent-encodes IRIs before fetching them.
    assert read(fetcher, f"{ASSET_SCHEME}:/images/with%20space.jpg") == (
        b"jpeg bytes",
        "image/jpeg",
    )


def test_serves_data_urls(fetcher: AssetFetcher) -> None:
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert read(fetcher, url) == (PNG, "image/png")


@pytest.mark.parametrize(
    "url",
    [
        f"{ASSET_SCHEME}:/images/missing.png",
        f"{ASSET_SCHEME}:/outside.png",  # the asset whose href climbs out of the book
        f"{ASSET_SCHEME}://evil.example/images/map.png",
        "fic2book-assets:/images/map.png",
        "ftp://127.0.0.1/images/map.png",
        "javascript:alert(1)",
        "images/map.png",  # not absolute: never produced by WeasyPrint, refused all the same
    ],
)
def test_refuses_everything_else(fetcher: AssetFetcher, url: str) -> None:
    with pytest.raises(ValueError, match="does not load"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_refuses_local_files_even_inside_the_asset_names(
    fetcher: AssetFetcher, tmp_path: Path
) -> None:
    secret = tmp_path / "images" / "map.png"
    secret.parent.mkdir()
    secret.write_bytes(b"a real file with an asset's name")
    for url in (secret.as_uri(), "file:///etc/passwd", f"file://{tmp_path}/images/map.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_never_touches_the_network(fetcher: AssetFetcher, server: RecordingServer) -> None:
    urls = [
        f"{server.url}/x.png",
        f"{server.url.replace('http', 'https')}/y.png",
        f"{server.url}/redirect?to=data:,x",
    ]
    for url in urls:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert server.requests == []
    assert fetcher.refused == urls


def test_the_server_does_answer(server: RecordingServer) -> None:
    # Guard for the test above: the server is reachable, so "no requests" means something.
    from urllib.request import urlopen

    with urlopen(f"{server.url}/probe") as response:
        assert response.read() == PNG
    assert server.requests == ["/probe"]


def test_refusals_are_logged_as_warnings(
    fetcher: AssetFetcher, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fic2book.fetch"), pytest.raises(ValueError):
        fetcher.fetch("file:///etc/hostname")
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "file:///etc/hostname" in caplog.text


@pytest.mark.parametrize(
    ("href", "key"),
    [
        ("images/map.png", "images/map.png"),
        ("./images//map.png", "images/map.png"),
        ("images/../map.png", "map.png"),
        ("images/a%20b.png", "images/a b.png"),
        ("images/map.png#frag", "images/map.png"),
        ("../map.png", None),
        ("images/../../map.png", None),
        ("/etc/passwd", None),
        ("http://example.com/x.png", None),
        ("C:/x.png", None),
        ("", None),
    ],
)
def test_asset_key(href: str, key: str | None) -> None:
    assert asset_key(href) == key
