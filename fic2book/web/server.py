"""Start the web app with uvicorn on this machine only, unless told otherwise.

``fic2book serve`` binds 127.0.0.1: only programs on this computer can reach the page, and
even they need the run's random token.  ``--host`` binds another address for people who run
it on a home server; then anyone who can reach that address and learns the link can use it,
so a warning says so.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable

from fic2book.options import RenderOptions
from fic2book.web.security import new_token

#: The address served unless ``--host`` says otherwise.
LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning printed when ``host`` lets other computers reach the page, else ``None``."""
    if is_loopback(host):
        return None
    return (
        f"fic2book: warning: serving on {host}, not only on this computer: anyone who can "
        "reach this address and has the link can upload files and make books."
    )


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on now (for ``--port 0`` and the tests)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host.strip("[]"), 0))
        port: int = probe.getsockname()[1]
        return port


def page_url(host: str, port: int, token: str) -> str:
    """The link to the page, token included."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = LOOPBACK if host == "0.0.0.0" else "[::1]"
    return f"http://{shown}:{port}/{token}/"


def serve(
    host: str,
    port: int,
    options: RenderOptions,
    *,
    open_browser: bool,
    max_jobs: int,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the page until Ctrl-C; uploads and books are deleted on the way out."""
    import uvicorn

    from fic2book.web.app import ServerSettings, create_app

    token = new_token()
    loopback = is_loopback(host)
    warning = exposure_warning(host)
    if warning:
        print(warning, file=sys.stderr)
    port = port or free_port(host if loopback else LOOPBACK)
    settings = ServerSettings(
        token=token,
        options=options,
        max_jobs=max_jobs,
        # A Host header naming another site is a DNS-rebinding attempt (IPv6 hosts are not
        # checked by the middleware: the token alone guards them).
        allowed_hosts=(host, "localhost") if loopback and ":" not in host else ("*",),
    )
    url = page_url(host, port, token)
    echo(f"fic2book: the page is at {url}")
    echo("fic2book: press Ctrl-C to stop (your uploads and books are then deleted)")
    config = uvicorn.Config(
        create_app(settings), host=host.strip("[]"), port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    if open_browser:
        # Opened once the server listens, from a thread: webbrowser.open may block.
        def opener() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=opener, daemon=True).start()
    server.run()
