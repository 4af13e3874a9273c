"""The web app's endpoints through Starlette's TestClient: real readers, real books."""

from __future__ import annotations

import io
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fic2book.describe import describe
from fic2book.errors import InputError, RenderError
from fic2book.options import RenderOptions
from fic2book.readers import read_work
from fic2book.resources import data_path
from fic2book.themes import THEMES
from fic2book.web.jobs import SHOWN_FIELDS, sentence
from fic2book.web.security import PAGE_CSP, PREVIEW_CSP
from tests.web.conftest import AO3_HTML, DATA, SEED, TOKEN, Page, epub_bytes, make_page


@pytest.fixture
def tiny_limit() -> Iterator[Page]:
    yield from make_page(RenderOptions(max_input_size=1000))


@pytest.fixture
def one_job() -> Iterator[Page]:
    yield from make_page(max_jobs=1)


def test_token_missing_or_wrong_is_forbidden(page: Page) -> None:
    for path in ("/", "/files", "/static/app.js", f"/{TOKEN}x/", f"/{TOKEN[:-1]}/files"):
        response = page.client.get(path)
        assert response.status_code == 403, path
        assert "secret part" in response.text
        assert response.headers["content-security-policy"] == PAGE_CSP
    upload = page.client.post("/files", content=b"Title: x\n\nText.\n")
    assert upload.status_code == 403
    assert page.server.store.all() == []


def test_page_with_token_has_strict_headers(page: Page) -> None:
    response = page.client.get(f"/{TOKEN}", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"/{TOKEN}/"
    response = page.client.get(page.url(""))
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # Nothing is loaded from elsewhere: every URL on the page is relative.
    assert "http" not in response.text.replace("http-equiv", "")
    assert 'id="file-input"' in response.text and 'for="file-input"' in response.text
    assert 'aria-live="polite"' in response.text
    assert page.client.get(page.url("static/app.js")).status_code == 200
    assert (
        page.client.get(page.url("static/web.css")).headers["content-type"].startswith("text/css")
    )


def test_another_host_is_refused(page: Page) -> None:
    response = page.client.get(page.url(""), headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_upload_shows_what_inspect_shows(page: Page) -> None:
    response = page.upload("no-office-relations.txt", SEED.read_bytes())
    assert response.status_code == 201
    data = response.json()
    info = data["info"]
    assert data["name"] == "no-office-relations.txt"
    assert info["title"] == "No Office Relations"
    assert info["authors"] == ["movielover55"]
    assert info["rating"] == "Teen And Up Audiences"
    assert info["chapters_label"] == "1/1"
    assert info["chapters"] == 1


def test_upload_ao3_html_and_epub(page: Page) -> None:
    html = page.upload("ao3.html", AO3_HTML.read_bytes()).json()["info"]
    assert html["title"] == "Ferry Crossing"
    assert html["fandoms"] and html["chapters"] == 2
    epub = page.upload("The Lamplighter's Wager.epub", epub_bytes())
    assert epub.status_code == 201, epub.text
    assert epub.json()["info"]["title"]


@pytest.mark.parametrize("name", ["ao3like-1001.epub", "ao3like-1001.html", "ao3like-1001.txt"])
def test_upload_fanficfare_files(page: Page, name: str) -> None:
    data = (DATA / "fanficfare" / name).read_bytes()
    response = page.upload(name, data)
    assert response.status_code == 201, response.text
    info = response.json()["info"]
    assert info["title"] == "The Lighthouse Keeper's Daughter"
    # The same as `fic2book inspect --json` says of the file.
    expected = describe(read_work(DATA / "fanficfare" / name))
    assert info == {
        **{key: expected[key] for key in SHOWN_FIELDS},
        "chapters": len(expected["chapters"]),
    }


def test_reader_warnings_are_shown(page: Page) -> None:
    text = b"Title: Hooks\nAuthor: me\n\n<p onclick='x()'>Hi <script>alert(1)</script>there.</p>\n"
    response = page.upload("hooks.md", text)
    assert response.status_code == 201, response.text
    assert any("removed" in warning for warning in response.json()["warnings"])


def test_browser_file_names_never_become_paths(page: Page) -> None:
    response = page.upload("..%2F..%2Fetc%2Fevil%0A.txt", SEED.read_bytes())
    assert response.status_code == 201
    assert response.json()["name"] == "evil.txt"
    upload = page.server.store.all()[0]
    assert upload.source.parent.parent == page.server.store.root
    assert upload.source.name == "upload.txt"
    assert stat.S_IMODE(page.server.store.root.stat().st_mode) == 0o700


def test_bad_file_is_one_sentence(page: Page) -> None:
    response = page.upload("broken.txt", b"\x00\x01\x02binary\xff" * 50)
    assert response.status_code == 422
    message = response.json()["error"]
    assert message.startswith("This file cannot be read") and message.endswith(".")
    assert "\n" not in message and str(page.server.store.root) not in message
    assert "upload.txt" not in message
    assert page.server.store.all() == []  # nothing kept of a file that cannot be read


def test_empty_and_unknown_files_are_refused(page: Page) -> None:
    assert page.upload("empty.txt", b"").status_code == 400
    response = page.upload("story.docx", b"PK\x03\x04")
    assert response.status_code == 415
    assert "cannot read .docx files" in response.json()["error"]


def test_oversize_upload_is_refused(tiny_limit: Page) -> None:
    response = tiny_limit.upload("big.txt", b"Title: Big\n\n" + b"word " * 400)
    assert response.status_code == 413
    assert response.json()["error"] == "This file is larger than the 1000 bytes fic2book accepts."

    # Without a Content-Length the stream is counted as it comes.
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"word " * 50

    response = tiny_limit.client.post(
        tiny_limit.url("files"), content=chunks(), headers={"X-File-Name": "big.txt"}
    )
    assert response.status_code == 413
    assert tiny_limit.server.store.all() == []


def test_convert_download_and_zip(page: Page, tmp_path: Path) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    started = page.convert(upload_id, formats=["epub", "pdf"], page_size="6x9in")
    assert started.status_code == 202
    assert started.json()["job"]["total"] == 2
    done = page.wait(upload_id)
    assert done["job"]["state"] == "done", done
    names = {book["format"]: book["name"] for book in done["job"]["books"]}
    assert names == {
        "epub": "No Office Relations - movielover55.epub",
        "pdf": "No Office Relations - movielover55.pdf",
    }
    epub = page.client.get(page.url(f"files/{upload_id}/books/epub"))
    assert epub.headers["content-type"] == "application/epub+zip"
    disposition = epub.headers["content-disposition"]
    assert (
        disposition
        == "attachment; filename*=utf-8''No%20Office%20Relations%20-%20movielover55.epub"
    )
    with zipfile.ZipFile(io.BytesIO(epub.content)) as book:
        assert book.read("mimetype") == b"application/epub+zip"
    pdf = page.client.get(page.url(f"files/{upload_id}/books/pdf"))
    target = tmp_path / "book.pdf"
    target.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-l", "1", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "No Office Relations" in text
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert "432 x 648 pts" in info  # 6 x 9 in, as chosen on the page
    bundle = page.client.get(page.url("books.zip"))
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert sorted(archive.namelist()) == sorted(names.values())
    assert list(page.server.store.root.glob("*.zip")) == []  # the zip was deleted after


def test_download_before_converting_is_404(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    assert page.client.get(page.url(f"files/{upload_id}/books/epub")).status_code == 404
    assert page.client.get(page.url("books.zip")).status_code == 404
    assert page.client.get(page.url("files/nope")).status_code == 404


def test_bad_settings_are_a_sentence(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    for options, words in (
        ({"formats": []}, "at least one kind of book"),
        ({"formats": ["mobi"]}, "not a kind of book"),
        ({"page_size": "huge"}, "page size"),
        ({"cover": "own"}, "pick a cover picture"),
        ({"cover": "none", "pdf_cover": True}, "needs a cover"),
    ):
        response = page.convert(upload_id, **options)
        assert response.status_code == 400, options
        assert words in response.json()["error"]
    assert page.client.post(page.url(f"files/{upload_id}/convert"), content=b"[").status_code == 400


def test_too_many_at_once(one_job: Page) -> None:
    upload_id = one_job.upload("seed.txt", SEED.read_bytes()).json()["id"]
    # Hold the only slot, as a conversion in progress does.
    assert one_job.server.converting.acquire(blocking=False)
    try:
        response = one_job.convert(upload_id)
        assert response.status_code == 429
        assert response.json()["error"] == (
            "fic2book is making a book already; this one waits until one is done."
        )
    finally:
        one_job.server.converting.release()
    assert one_job.convert(upload_id).status_code == 202
    assert one_job.wait(upload_id)["job"]["state"] == "done"
    # The slot is free again once the job ended.
    assert one_job.server.converting.acquire(blocking=False)
    one_job.server.converting.release()


def test_failed_conversion_is_a_sentence_beside_the_file(page: Page) -> None:
    # A PNG's signature with nothing after it: checked, as --cover is, while the book is made.
    assert page.client.post(page.url("cover"), content=b"\x89PNG\r\n\x1a\n").status_code == 201
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    assert page.convert(upload_id, formats=["epub"], cover="own").status_code == 202
    job = page.wait(upload_id)["job"]
    assert job["state"] == "failed"
    assert job["error"].startswith("The cover picture cannot be used: ")
    assert job["error"].endswith(".") and "\n" not in job["error"]
    assert str(page.server.store.root) not in job["error"]
    assert job["books"] == []


def test_too_little_memory_is_a_sentence() -> None:
    # Far too little memory to lay out a PDF: the sandbox stops, the page gets one sentence.
    for page in make_page(RenderOptions(max_memory=64 * 1024 * 1024)):
        upload = page.upload("seed.txt", SEED.read_bytes())
        if upload.status_code == 422:  # reading may already need more than that
            assert upload.json()["error"] == (
                "This file cannot be read: it needed more than 64 MiB of memory (--max-memory)."
            )
            return
        upload_id = upload.json()["id"]
        assert page.convert(upload_id, formats=["pdf"]).status_code == 202
        job = page.wait(upload_id)["job"]
        assert job["state"] == "failed"
        assert job["error"] == (
            "The book could not be made: it needed more than 64 MiB of memory (--max-memory)."
        )


def test_previews(page: Page) -> None:
    upload_id = page.upload("ao3.html", AO3_HTML.read_bytes()).json()["id"]
    preview = page.client.get(page.url(f"files/{upload_id}/preview?style=block"))
    assert preview.status_code == 200
    assert preview.headers["content-security-policy"] == PREVIEW_CSP
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    assert "Ferry Crossing" in preview.text and "<script" not in preview.text
    assert "<style>" in preview.text and "<link" not in preview.text
    assert "hr.scene-break" in preview.text  # the EPUB's own stylesheets, inlined
    png = page.client.get(page.url(f"files/{upload_id}/page.png?page_size=a4"))
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    bad = page.client.get(page.url(f"files/{upload_id}/page.png?page_size=1x1mm"))
    assert bad.status_code == 422


def test_previews_of_one_file_at_once(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    urls = [page.url(f"files/{upload_id}/{name}") for name in ["page.png"] * 4 + ["preview"] * 4]
    with ThreadPoolExecutor(len(urls)) as pool:
        statuses = list(pool.map(lambda url: page.client.get(url).status_code, urls))
    assert statuses == [200] * len(urls)
    # Each call's scratch folder is gone; only the upload itself is left.
    upload = page.server.store.get(upload_id)
    assert upload is not None
    assert [path.name for path in upload.folder.iterdir()] == ["upload.txt"]


def test_remove_deletes_the_upload(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    folder = page.server.store.get(upload_id).folder  # type: ignore[union-attr]
    assert folder.is_dir()
    assert page.client.delete(page.url(f"files/{upload_id}")).status_code == 204
    assert not folder.exists()
    assert page.client.get(page.url(f"files/{upload_id}")).status_code == 404


def test_own_cover(page: Page) -> None:
    refused = page.client.post(page.url("cover"), content=b"GIF89a not a cover")
    assert refused.status_code == 415
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (400, 640), "navy").save(picture, "PNG")
    assert page.client.post(page.url("cover"), content=picture.getvalue()).status_code == 201
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    assert page.convert(upload_id, cover="own").status_code == 202
    assert page.wait(upload_id)["job"]["state"] == "done"
    epub = page.client.get(page.url(f"files/{upload_id}/books/epub")).content
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        assert any(name.endswith("cover.png") for name in book.namelist())


def test_uploads_are_deleted_when_the_server_stops() -> None:
    for page in make_page():
        page.upload("seed.txt", SEED.read_bytes())
        root = page.server.store.root
        assert any(root.iterdir())
    assert not root.exists()


def test_sentences_name_the_file_not_the_private_path(tmp_path: Path) -> None:
    source = tmp_path / "upload.txt"
    cover = tmp_path / "cover.png"
    cases = [
        (
            RenderError(f"reading {source} took longer than 600 s (--timeout)"),
            "This file cannot be read: it took longer than 600 s (--timeout).",
        ),
        (
            RenderError(f"converting {source} needed more than 4 GiB of memory (--max-memory)"),
            "The book could not be made: it needed more than 4 GiB of memory (--max-memory).",
        ),
        (
            InputError(f"{source}: file is empty"),
            "This file cannot be read: file is empty.",
        ),
        (
            InputError(f"cover {cover} is not a PNG or JPEG picture"),
            "The cover picture cannot be used: it is not a PNG or JPEG picture.",
        ),
    ]
    for error, expected in cases:
        assert sentence(error, source, "My Fic.txt", cover) == expected


def _epub_of(page: Page, upload_id: str, **options: object) -> zipfile.ZipFile:
    """Make the upload's EPUB with ``options`` through the page's endpoint; open it."""
    assert page.convert(upload_id, formats=["epub"], **options).status_code == 202
    assert page.wait(upload_id)["job"]["state"] == "done"
    epub = page.client.get(page.url(f"files/{upload_id}/books/epub")).content
    return zipfile.ZipFile(io.BytesIO(epub))


def test_page_offers_the_cli_design_defaults(page: Page) -> None:
    from lxml import html

    form = html.fromstring(page.client.get(page.url("")).text).get_element_by_id("options")
    defaults = RenderOptions()
    themes = form.xpath(".//input[@name='theme']")
    assert [radio.get("value") for radio in themes] == list(THEMES)  # the CLI's registry
    assert [radio.get("value") for radio in themes if radio.checked] == [defaults.theme]
    for radio in themes:  # a name and a description a screen reader can say
        assert radio.getparent().tag == "label" and radio.getparent().text_content().strip()
        assert form.get_element_by_id(radio.get("aria-describedby")).text_content().strip()
    for name in ("opening", "ornament"):
        assert form.xpath(f".//label[@for='{name}']")
        chosen = form.get_element_by_id(name).xpath("option[@selected]/@value")
        assert chosen == [getattr(defaults, name)], name
    skin = form.xpath(".//input[@name='skin']")[0]
    assert skin.checked is (not defaults.no_skin) is True
    fonts = form.xpath(".//input[@name='embed_fonts']")[0]
    assert fonts.checked is defaults.embed_fonts is False
    assert "EPUB" in fonts.getparent().text_content()


def test_theme_opening_and_skin_reach_the_book(page: Page) -> None:
    upload_id = page.upload("skin.html", (DATA / "skins" / "chat-log.html").read_bytes()).json()[
        "id"
    ]
    with _epub_of(page, upload_id) as book:  # the page's defaults are the CLI's
        names = book.namelist()
        assert "EPUB/styles/skin.css" in names
        assert not any("themes/" in name for name in names)
        first = book.read("EPUB/chap_001.xhtml").decode("utf-8")
        assert 'class="dropcap"' not in first
    with _epub_of(
        page, upload_id, theme="modern", opening="dropcap", ornament="fleuron", skin=False
    ) as book:
        names = book.namelist()
        assert "EPUB/styles/themes/modern/theme.css" in names
        assert "EPUB/styles/skin.css" not in names
        assert '<span class="dropcap">' in book.read("EPUB/chap_001.xhtml").decode("utf-8")
        assert "\\2767" in book.read("EPUB/styles/design.css").decode("utf-8")


def test_theme_reaches_the_preview(page: Page) -> None:
    upload_id = page.upload("ao3.html", AO3_HTML.read_bytes()).json()["id"]
    classic = page.client.get(page.url(f"files/{upload_id}/preview")).text
    ao3 = page.client.get(page.url(f"files/{upload_id}/preview?theme=ao3&skin=false")).text
    sheet = (data_path("styles") / "themes" / "ao3" / "theme.css").read_text(encoding="utf-8")
    assert sheet.strip() in ao3 and sheet.strip() not in classic
    plain = page.client.get(page.url(f"files/{upload_id}/page.png"))
    dropcap = page.client.get(page.url(f"files/{upload_id}/page.png?opening=dropcap"))
    assert plain.status_code == dropcap.status_code == 200
    assert plain.content != dropcap.content


def test_bad_design_values_are_a_sentence(page: Page) -> None:
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    for options, words in (
        ({"theme": "gothic"}, "theme must be one of classic, modern, ao3, not 'gothic'"),
        ({"opening": "huge"}, "chapter opening must be one of"),
        ({"ornament": "x" * 40}, "scene-break ornament must be one of"),
    ):
        response = page.convert(upload_id, **options)
        assert response.status_code == 400, options
        message = response.json()["error"]
        assert words in message and "--" not in message, message
        assert message.count(". ") == 0 and message.endswith(".")
    preview = page.client.get(page.url(f"files/{upload_id}/preview?theme=gothic"))
    assert preview.status_code == 422
    assert "theme must be one of" in preview.json()["error"]


def test_embedded_fonts_reach_the_epub_and_a_bad_value_is_a_sentence(page: Page) -> None:
    from fic2book.backends.epub_fonts import find_face

    if find_face("Noto Serif", "regular", "roman") is None:
        pytest.skip("fontconfig has no Noto Serif (fonts-noto-core)")
    upload_id = page.upload("seed.txt", SEED.read_bytes()).json()["id"]
    with _epub_of(page, upload_id) as book:  # off by default, as in the CLI
        assert not any(name.startswith("EPUB/fonts/") for name in book.namelist())
    with _epub_of(page, upload_id, embed_fonts=True) as book:
        names = book.namelist()
        assert "EPUB/styles/fonts.css" in names
        assert "EPUB/fonts/NotoSerif-Regular.ttf" in names
        chapter = book.read("EPUB/chap_001.xhtml").decode("utf-8")
        assert 'href="styles/fonts.css"' in chapter
    response = page.convert(upload_id, embed_fonts="maybe")
    assert response.status_code == 400
    message = response.json()["error"]
    assert "embedded fonts must be on or off" in message and "--" not in message, message
