"""``fic2book serve``'s address handling and its command line."""

from __future__ import annotations

from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.web.server import exposure_warning, free_port, is_loopback, page_url


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org", "10.0.0.1"):
        assert not is_loopback(host), host


def test_other_addresses_are_warned_about() -> None:
    assert exposure_warning("127.0.0.1") is None
    warning = exposure_warning("0.0.0.0")
    assert warning is not None
    assert warning.startswith("fic2book: warning: serving on 0.0.0.0, not only on this computer")


def test_page_url_carries_the_token() -> None:
    assert page_url("127.0.0.1", 8000, "abc") == "http://127.0.0.1:8000/abc/"
    assert page_url("::1", 8000, "abc") == "http://[::1]:8000/abc/"
    # An "every address" bind is opened on this machine through the loopback address.
    assert page_url("0.0.0.0", 8000, "abc") == "http://127.0.0.1:8000/abc/"


def test_free_port_is_a_port() -> None:
    assert 0 < free_port() < 65536


def test_serve_help_and_bad_options() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--no-browser", "--jobs", "--max-input-size"):
        assert option in result.stdout
    assert runner.invoke(app, ["serve", "--port", "70000"]).exit_code == 2
    assert runner.invoke(app, ["serve", "--max-input-size", "lots"]).exit_code == 2
