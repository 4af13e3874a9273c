"""Generated covers and ``--cover`` pictures: size, text, colours, fonts, determinism, errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from fic2book.cover import (
    COVER_SIZE,
    MIN_CONTRAST,
    book_cover,
    choose_font,
    contrast_ratio,
    cover_alt,
    fit_text,
    generate_cover,
    installed_fonts,
    load_cover_file,
    palette_for,
    relative_luminance,
    visual_order,
    work_seed,
)
from fic2book.errors import InputError
from fic2book.model import TagGroup, TagKind
from fic2book.options import RenderOptions
from tests.conftest import make_work

LONG_TITLE = (
    "The Extraordinarily Long and Winding Title of a Work That Simply Refuses to End, Being "
    "a Chronicle of Several Improbable Summers and One Very Patient Lighthouse Keeper Who "
    "Kept Every Letter Anyone Ever Sent Him, Even the Ones About the Weather"
)


def pixels(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def has_font(family: str) -> bool:
    return any(family in font.families for font in installed_fonts())


# ---- the generated cover -----------------------------------------------------------------


def test_cover_is_a_jpeg_of_the_right_size_showing_title_authors_and_fandom() -> None:
    work = make_work()
    cover = generate_cover(work)
    image = pixels(cover.data)
    assert (image.format, image.size, image.mode) == ("JPEG", COVER_SIZE, "RGB")
    assert (cover.media_type, cover.width, cover.height) == ("image/jpeg", *COVER_SIZE)
    # Fandom (in capitals) at the head, then the title, then the creators.
    assert cover.lines == ("ORIGINAL WORK", "A Test Work", "alpha \u00b7 Beta Pseud (beta)")


def test_title_is_drawn_in_the_text_colour_in_the_title_zone() -> None:
    work = make_work()
    colours = palette_for(work_seed(work))
    image = pixels(generate_cover(work).data)
    width, height = image.size
    zone = image.crop((0, round(0.22 * height), width, round(0.66 * height)))

    # The cover is a JPEG, so colours are compared with a small tolerance.
    def near(colour: object, target: tuple[int, int, int]) -> bool:
        assert isinstance(colour, tuple)
        return max(abs(int(a) - b) for a, b in zip(colour, target, strict=True)) <= 12

    counts = zone.getcolors(1 << 22) or []
    # Thousands of pixels of the text colour: the title's strokes.
    assert sum(n for n, colour in counts if near(colour, colours.text)) > 5000
    # And nothing but background below the frame's inner edge at the very top.
    strip = image.crop((200, 130, width - 200, 150))
    assert all(near(colour, colours.background) for _, colour in strip.getcolors() or [])


def test_same_work_same_bytes_other_work_other_colours() -> None:
    first, again = generate_cover(make_work()), generate_cover(make_work())
    assert first.data == again.data
    other = make_work(title="Another Title Entirely")
    assert palette_for(work_seed(other)) != palette_for(work_seed(make_work()))
    # Same title, other creators: still another cover.
    assert work_seed(make_work(authors=("gamma",))) != work_seed(make_work())


@pytest.mark.parametrize("number", range(60))
def test_every_palette_has_readable_text(number: int) -> None:
    seed = work_seed(make_work(title=f"Work {number}"))
    colours = palette_for(seed)
    assert contrast_ratio(colours.text, colours.background) >= MIN_CONTRAST
    assert contrast_ratio(colours.accent, colours.background) >= MIN_CONTRAST


def test_wcag_contrast_reference_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)


def test_a_very_long_title_is_wrapped_and_shrunk_but_kept_whole() -> None:
    many = tuple(f"Fandom Number {n} - Some Creator" for n in range(12))
    work = make_work(
        title=LONG_TITLE,
        authors=tuple(f"author{n}" for n in range(9)),
        tag_groups=(TagGroup(TagKind.FANDOMS, many),),
    )
    cover = generate_cover(work)
    assert pixels(cover.data).size == COVER_SIZE
    # Every word of the title is on the cover, in order; creators beyond six are summed up.
    assert " ".join(cover.lines).split().count("Lighthouse") == 1
    assert "Weather" in " ".join(cover.lines)
    assert "and 3 more" in " ".join(cover.lines)


def test_fit_text_shrinks_then_truncates_with_an_ellipsis() -> None:
    block = fit_text("word " * 12, (600, 400), language="en", weight=80, max_size=120, min_size=20)
    assert block.size < 120
    assert block.height <= 400
    assert all(block.font.getlength(line) <= 600 for line in block.lines)
    tiny = fit_text("word " * 400, (300, 60), language="en", weight=80, max_size=40, min_size=20)
    assert tiny.size == 20
    assert tiny.lines[-1].endswith("\u2026")
    assert tiny.height <= 60


def test_a_word_longer_than_the_line_is_broken() -> None:
    block = fit_text("x" * 300, (400, 2000), language="en", weight=80, max_size=60, min_size=60)
    assert len(block.lines) > 1
    assert "".join(block.lines) == "x" * 300


def test_creators_names_stay_whole_when_they_fit() -> None:
    cover = generate_cover(make_work(authors=("tidewright", "Juniper Vale (jvale)")))
    assert "Juniper Vale (jvale)" in cover.lines


def test_cyrillic_title_uses_a_font_that_covers_it() -> None:
    work = make_work(title="Белые ночи", authors=("Фёдор",), language="ru")
    font = choose_font(work.title, "ru", 200)
    assert font is not None and all(font.covers(ord(c)) for c in "Белыеночи")
    assert generate_cover(work).lines[1:3] == ("Белые", "ночи")


@pytest.mark.skipif(not has_font("Noto Serif CJK JP"), reason="needs fonts-noto-cjk")
def test_japanese_title_uses_noto_cjk_and_wraps_between_characters() -> None:
    title = "僕のヒーローアカデミア\uff1a夏の終わりに、君と見た空の色"
    font = choose_font(title, "ja", 200)
    assert font is not None and "Noto Serif CJK JP" in font.families
    cover = generate_cover(make_work(title=title, authors=("山田花子",), language="ja"))
    title_lines = cover.lines[1:-1]
    assert "".join(title_lines) == title and len(title_lines) > 1
    # Closing punctuation never starts a line.
    assert not any(line.startswith(("、", "。", "\uff1a")) for line in title_lines)


def test_arabic_and_hebrew_titles_get_fonts_for_their_scripts() -> None:
    for title, language in (("ألف ليلة وليلة", "ar"), ("שיר השירים", "he")):
        font = choose_font(title, language, 200)
        assert font is not None
        assert all(font.covers(ord(c)) for c in title if not c.isspace()), font.families
        assert generate_cover(make_work(title=title, language=language)).width == COVER_SIZE[0]


def test_visual_order_fallback_for_right_to_left_lines() -> None:
    assert visual_order("abc def") == "abc def"
    assert visual_order("שלום") == "םולש"
    # A Latin word inside Hebrew keeps its own order.
    assert visual_order("שלום abc") == "abc םולש"


def test_characters_no_font_has_are_left_out_rather_than_boxed() -> None:
    block = fit_text(
        "Love \U000f0000 story", (1200, 400), language="en", weight=80, max_size=80, min_size=40
    )
    assert block.lines == ("Love  story",) or block.lines == ("Love story",)


# ---- which cover a book gets ---------------------------------------------------------------


def test_alt_text_names_title_and_creators() -> None:
    assert cover_alt(make_work()) == "Cover: A Test Work by alpha and Beta Pseud (beta)"
    assert cover_alt(make_work(authors=())) == "Cover: A Test Work"


def test_book_cover_options(tmp_path: Path) -> None:
    work = make_work()
    assert book_cover(work, RenderOptions(no_cover=True)) is None
    generated = book_cover(work, RenderOptions(), size=(400, 600))
    assert generated is not None and pixels(generated.data).size == (400, 600)
    picture = tmp_path / "mine.jpg"
    Image.new("RGB", (300, 480), (10, 120, 200)).save(picture, format="JPEG")
    own = book_cover(work, RenderOptions(cover=picture))
    assert own is not None
    assert (own.media_type, own.width, own.height, own.suffix) == ("image/jpeg", 300, 480, ".jpg")
    assert own.data == picture.read_bytes()
    assert own.data_url().startswith("data:image/jpeg;base64,")


def test_a_png_cover_file_is_accepted(tmp_path: Path) -> None:
    picture = tmp_path / "mine.png"
    Image.new("RGB", (20, 32), (1, 2, 3)).save(picture, format="PNG")
    assert load_cover_file(picture).media_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"just some text", "not a PNG or JPEG"),
        ("empty.jpg", b"", "not a PNG or JPEG"),
        ("cut.png", None, "not a PNG or JPEG"),
        ("anim.gif", "GIF", "GIF picture; use a PNG or JPEG"),
    ],
)
def test_bad_cover_files_are_input_errors(
    tmp_path: Path, name: str, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (200, 200), (200, 10, 10)).save(buffer, format="PNG")
        path.write_bytes(buffer.getvalue()[:300])  # truncated
    elif content == "GIF":
        Image.new("P", (10, 10)).save(path, format="GIF")
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_cover_file(path)


def test_missing_cover_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.png"):
        load_cover_file(tmp_path / "missing.png")
