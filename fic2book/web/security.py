"""The gate in front of the page: the run's token, and headers that keep the page to itself.

``fic2book serve`` prints (and opens) ``http://127.0.0.1:PORT/TOKEN/``.  Every request must
start with that token, compared in constant time; anything else gets 403 before any route
runs, so another user of the machine, or a web page the reader visits (which can send
requests to 127.0.0.1 but cannot know the token), can neither read uploads nor start work.
The token becomes the ASGI ``root_path``, so the app's routes and the page's relative URLs
need not know it.

Every response carries a strict Content-Security-Policy (only this server's own script,
styles, pictures and frames; no inline script; nothing from elsewhere) unless a route set a
stricter one of its own (the preview's), and headers that stop sniffing, framing by others
and referrers.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The page's policy: its own files only, no inline script, no plug-ins, no base changes.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
#: The title-page preview's policy: inline book styles only, sandboxed, framed by the page.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox"
)

FORBIDDEN = (
    "This address needs the secret part fic2book serve printed; "
    "open the link it showed in the terminal."
)


def new_token() -> str:
    """A fresh random token for one run (about 190 bits)."""
    return secrets.token_urlsafe(24)


class TokenGate:
    """Refuse (403) every request whose path does not start with ``/TOKEN``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        """Guard ``app`` with ``token``."""
        self.app = app
        self.token = token.encode()
        self.prefix = f"/{token}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a request carrying the token on, with the token as its ``root_path``."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        head, slash, _ = path[1:].partition("/")
        if not secrets.compare_digest(head.encode(), self.token):
            await PlainTextResponse(FORBIDDEN, status_code=403)(scope, receive, send)
            return
        if not slash:
            await RedirectResponse(f"{self.prefix}/", status_code=307)(scope, receive, send)
            return
        root = scope.get("root_path", "") + self.prefix
        await self.app(dict(scope, root_path=root), receive, send)


class SecurityHeaders:
    """Add the CSP and the other protective headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers a response does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                defaults = {
                    "Content-Security-Policy": PAGE_CSP,
                    "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "DENY",
                    "Cross-Origin-Opener-Policy": "same-origin",
                    "Cross-Origin-Resource-Policy": "same-origin",
                    "Cache-Control": "no-store",
                }
                for name, value in defaults.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
