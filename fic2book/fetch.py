"""The only way WeasyPrint may load anything while rendering a book: a deny-by-default fetcher.

WeasyPrint fetches every ``file:`` and ``http(s):`` URL it meets in HTML and CSS (images,
stylesheets, ``@import``, fonts, ``rel="attachment"`` links), so untrusted fic markup or a
careless user stylesheet could read local files into the PDF or make requests from the
renderer's machine.  :class:`AssetFetcher` serves ``data:`` URLs and the work's own assets,
which are already in memory, and refuses everything else: no network, no ``file:`` reads, no
redirects.

Assets live under the private base URL :data:`BASE_URL` (``fic2book-asset:/``), so a chapter's
``<img src="images/map.png">`` resolves to ``fic2book-asset:/images/map.png``.  The scheme has no
handler anywhere, so even a resolved URL that escaped this fetcher could not be opened.

This module imports WeasyPrint; import it only where a PDF is being rendered.
"""

from __future__ import annotations

import logging
import posixpath
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

from fic2book.model import Asset

logger = logging.getLogger(__name__)

#: Scheme of the private URLs the work's assets are served under.
ASSET_SCHEME = "fic2book-asset"
#: Base URL of the rendered document and stylesheets.
BASE_URL = f"{ASSET_SCHEME}:/"

# urljoin() only resolves relative references against schemes it knows to be hierarchical;
# without this, "images/x.png" against BASE_URL would stay relative and fail to load.  Adding
# a scheme nobody else uses changes nothing for other URLs.
if ASSET_SCHEME not in urllib.parse.uses_relative:
    urllib.parse.uses_relative.append(ASSET_SCHEME)

#: Seconds before a fetch gives up; only ``data:`` URLs ever reach the network-capable parent.
_TIMEOUT = 5


def asset_key(href: str) -> str | None:
    """Normalise an asset's relative ``href`` (``images/./map.png`` → ``images/map.png``).

    Returns ``None`` for an href that is absolute or climbs out of the book (``../x``), which
    can never be served.
    """
    path = urllib.parse.unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not path or path.startswith("/") or ":" in path.split("/", 1)[0]:
        return None
    normal = posixpath.normpath(path)
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serve ``data:`` URLs and in-memory assets; refuse and log every other URL."""

    def __init__(self, assets: Iterable[Asset] = ()) -> None:
        """Build a fetcher for ``assets`` (usually ``work.assets``)."""
        # Only data: may reach URLFetcher.fetch(); redirects are off so that even a data: URL
        # cannot be turned into something else.
        super().__init__(timeout=_TIMEOUT, allowed_protocols={"data"}, allow_redirects=False)
        self._assets: Mapping[str, Asset] = {
            key: asset for asset in assets if (key := asset_key(asset.href)) is not None
        }
        #: Every URL refused so far, in order; lets callers and tests see what was blocked.
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the asset or decoded ``data:`` URL for ``url``; raise for anything else.

        WeasyPrint catches the :class:`ValueError`, logs it and renders on without the
        resource, so a hostile URL costs an image, not the book.
        """
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == ASSET_SCHEME:
            asset = self._lookup(url)
            if asset is not None:
                return URLFetcherResponse(
                    url, asset.data, headers={"Content-Type": asset.media_type}
                )
        self.refused.append(url)
        logger.warning("refused to load %s: only the work's own images may be used", url)
        raise ValueError(f"fic2book does not load {url}")

    def _lookup(self, url: str) -> Asset | None:
        parts = urllib.parse.urlsplit(url)
        # "fic2book-asset://host/…" is not a URL this module hands out.
        if parts.netloc:
            return None
        key = asset_key(parts.path.lstrip("/"))
        return None if key is None else self._assets.get(key)
