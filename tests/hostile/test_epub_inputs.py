"""EPUB inputs that attack the parser: XML entities, external DTDs, zip bombs, zip slip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    SECRET,
    Sandbox,
    TrapServer,
    check_books_safe,
    check_cli,
    check_contained,
)

_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_OPF = (
    '<?xml version="1.0"?>{doctype}<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
    'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>Hostile {title}</dc:title><dc:creator>x{entity}</dc:creator>"
    '<dc:identifier id="id">x</dc:identifier><dc:language>en</dc:language></metadata>'
    '<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>'
    '<spine><itemref idref="c"/></spine></package>'
)
_XHTML = (
    '<?xml version="1.0" encoding="utf-8"?>{doctype}'
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:xi="http://www.w3.org/2001/XInclude">'
    "<head><title>c</title></head><body><p>Safe words stay.{entity}</p>{extra}</body></html>"
)
_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10))
    + '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def epub(
    title: str,
    *,
    opf_doctype: str = "",
    opf_entity: str = "",
    doctype: str = "",
    entity: str = "",
    extra: str = "",
    members: tuple[tuple[str, bytes], ...] = (),
) -> bytes:
    """A small EPUB with hostile pieces dropped into its OPF, its one document or its zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", _CONTAINER)
        archive.writestr(
            "content.opf", _OPF.format(doctype=opf_doctype, title=title, entity=opf_entity)
        )
        archive.writestr("c.xhtml", _XHTML.format(doctype=doctype, entity=entity, extra=extra))
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _cases(secret: Path, url: str) -> dict[str, tuple[bytes, bool]]:
    """Name → (EPUB bytes, whether a book of the safe parts is expected)."""
    external = f'<!DOCTYPE html [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    bomb = b"\0" * (65 * 1024 * 1024)
    return {
        "xxe-xhtml": (epub("xxe-xhtml", doctype=external, entity="&x;"), False),
        "xxe-opf": (
            epub(
                "xxe-opf",
                opf_doctype=f'<!DOCTYPE package [<!ENTITY x SYSTEM "{secret.as_uri()}">]>',
                opf_entity="&x;",
            ),
            False,
        ),
        "xxe-remote": (
            epub(
                "xxe-remote",
                doctype=f'<!DOCTYPE html [<!ENTITY x SYSTEM "{url}/e">]>',
                entity="&x;",
            ),
            False,
        ),
        "laughs-xhtml": (epub("laughs-xhtml", doctype=_LAUGHS, entity="&lol9;"), False),
        "laughs-opf": (epub("laughs-opf", opf_doctype=_LAUGHS, opf_entity="&lol9;"), False),
        "external-dtd": (
            epub("external-dtd", doctype=f'<!DOCTYPE html SYSTEM "{url}/x.dtd">'),
            True,
        ),
        "xinclude": (
            epub(
                "xinclude",
                extra=f'<xi:include href="{secret.as_uri()}" parse="text"/>'
                '<xi:include href="../secret.txt" parse="text"/>',
            ),
            True,
        ),
        "zip-bomb": (epub("zip-bomb", members=(("big.bin", bomb),)), False),
        "zip-slip": (epub("zip-slip", members=(("../evil.xhtml", b"<p>x</p>"),)), False),
        "zip-absolute": (epub("zip-absolute", members=(("/tmp/evil.xhtml", b"<p>x</p>"),)), False),
        "zip-many": (
            epub("zip-many", members=tuple((f"f{n}.txt", b"") for n in range(10_001))),
            False,
        ),
    }


def test_hostile_epubs(sandbox: Sandbox, trap: TrapServer) -> None:
    """Each attack is refused with one line (exit 3) or gives a book of the safe parts."""
    cases = _cases(sandbox.secret, trap.url)
    for name, (data, _) in cases.items():
        (sandbox.inputs / f"{name}.epub").write_bytes(data)
    sandbox.freeze()
    before = len(trap.connections)
    result = sandbox.run(
        "convert", *sorted(sandbox.inputs.iterdir()), "--to", "epub", "-o", f"{sandbox.out}/"
    )
    refused = [name for name, (_, ok) in cases.items() if not ok]
    errors = check_cli(result, failures=len(refused))
    assert result.returncode == 3
    for name in refused:
        assert any(f"{name}.epub" in line for line in errors), (name, errors)
    books = sandbox.books()
    assert sorted(p.name for p in books) == sorted(
        f"Hostile {name} - x.epub" for name, (_, ok) in cases.items() if ok
    )
    check_books_safe(books)
    check_contained(sandbox, trap, before)
    assert not (sandbox.root / "evil.xhtml").exists()
    assert SECRET not in result.stderr


@pytest.mark.parametrize("name", ["xxe-xhtml", "laughs-opf", "zip-bomb", "zip-slip"])
def test_error_names_the_problem(sandbox: Sandbox, trap: TrapServer, name: str) -> None:
    """The one-line error says what was refused, so the user knows it is not a bug."""
    from fic2book.errors import InputError
    from fic2book.readers import read_work

    path = sandbox.inputs / f"{name}.epub"
    path.write_bytes(_cases(sandbox.secret, trap.url)[name][0])
    with pytest.raises(InputError, match=r"entit|zip bomb|unsafe file name"):
        read_work(path)
