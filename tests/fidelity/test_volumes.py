"""``convert --volumes``: one work split into complete books that lose and repeat nothing."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.describe import plain_text
from fic2book.errors import UsageError
from fic2book.labels import Labels
from fic2book.model import Chapter, Work
from fic2book.options import RenderOptions
from fic2book.pipeline import convert_volumes
from fic2book.readers import read_work
from fic2book.volumes import auto_volumes, parse_volumes, split_volumes, volume_name
from tests.conftest import DATA, make_work
from tests.epubcheck import failures, run_epubcheck
from tests.textract import epub_documents, epub_metadata, missing_words, pdf_text, squashed

OPTIONS = RenderOptions(source_date_epoch=1_700_000_000)


def test_ranges_cover_every_chapter_once() -> None:
    assert parse_volumes("1-10,11-20", 20) == [range(1, 11), range(11, 21)]
    assert parse_volumes("1-3, 4, 5-", 9) == [range(1, 4), range(4, 5), range(5, 10)]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("1-3,5-9", "chapters 4-4 are in no volume"),
        ("1-5,5-9", "chapter 5 is in two volumes"),
        ("1-5", "the work has 9 chapters: --volumes 1-5 ends at chapter 5"),
        ("1-12", "the work has 9 chapters: --volumes 1-12 ends at chapter 12"),
        ("1-5,x", "'x' is not a chapter range"),
        ("1-5,7-6", "--volumes 7-6: the range ends before it starts"),
        ("0-3,4-", "--volumes 0-3: chapters are numbered from 1"),
        ("1-,5-", "only the last range can be open"),
        ("1-4,5-,", "'' is not a chapter range"),
        ("1-9,10-", "the work has 9 chapters: --volumes 10- starts after the last"),
    ],
)
def test_bad_ranges_are_usage_errors(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_volumes(spec, 9)


def test_volume_names_sort_as_text() -> None:
    names = [volume_name("Epic.epub", ".epub", n, 12) for n in range(1, 13)]
    assert names[0] == "Epic - Volume 01.epub"
    assert sorted(names) == names
    assert volume_name("Mr. X.kepub.epub", ".kepub.epub", 3, 3) == "Mr. X - Volume 3.kepub.epub"


def _long_work() -> Work:
    base = make_work()
    chapters = tuple(
        Chapter(number=n, title=f"Part {n}", body=base.chapters[n % 2].body) for n in range(1, 8)
    )
    return make_work(chapters=chapters)


def test_split_loses_and_repeats_nothing() -> None:
    work = _long_work()
    volumes = split_volumes(work, "1-3,4-6,7-")
    assert [c for v in volumes for c in v.chapters] == list(work.chapters)
    assert [v.volume for v in volumes] == [(1, 3), (2, 3), (3, 3)]
    assert [v.title for v in volumes] == [f"A Test Work, Volume {n}" for n in (1, 2, 3)]
    assert volumes[0].notes == work.notes and volumes[1].notes is None
    assert volumes[-1].end_notes == work.end_notes and volumes[0].end_notes is None
    assert all(v.summary == work.summary and v.tag_groups == work.tag_groups for v in volumes)


@pytest.mark.parametrize(
    ("catalog", "titles"),
    [
        ("fr", ["A Test Work, tome 1", "A Test Work, tome 2"]),
        ("zh", ["A Test Work\uff08第1卷\uff09", "A Test Work\uff08第2卷\uff09"]),
        ("pt_PT", ["A Test Work, volume 1", "A Test Work, volume 2"]),  # from pt
        ("en", ["A Test Work, Volume 1", "A Test Work, Volume 2"]),
    ],
)
def test_a_volumes_title_is_in_the_labels_language(catalog: str, titles: list[str]) -> None:
    volumes = split_volumes(_long_work(), "1-3,4-", Labels(catalog))
    assert [v.title for v in volumes] == titles


def test_ranges_that_make_one_volume_give_the_work_itself() -> None:
    work = _long_work()
    assert split_volumes(work, "1-7") == [work]
    assert split_volumes(work, "1-") == [work]


def test_a_french_volume_is_titled_in_french(tmp_path: Path) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    args = ["convert", str(source), "-o", str(tmp_path / "b.epub"), "--volumes", "1-2,3-"]
    result = CliRunner().invoke(app, [*args, "--labels", "fr"])
    assert result.exit_code == 0, result.output
    title = read_work(source).title
    for number in (1, 2):
        book = tmp_path / f"b - Volume {number}.epub"
        assert epub_metadata(book)["title"] == [f"{title}, tome {number}"]
        documents = epub_documents(book)
        page = next(text for name, text in documents.items() if "title_page" in name)
        assert f"{title}, tome {number}" in page and f"Tome {number} sur 2" in page
        assert "Volume" not in page


@pytest.mark.parametrize("spec", ["1-", "1-9"])
def test_one_volume_is_a_plain_book(tmp_path: Path, spec: str) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    assert len(read_work(source).chapters) == 9
    target = tmp_path / "b.epub"
    result = CliRunner().invoke(app, ["convert", str(source), "-o", str(target), "--volumes", spec])
    assert result.exit_code == 0, result.output
    assert f"{source}: the work fits in one volume" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.epub"]
    page = next(t for n, t in epub_documents(target).items() if "title_page" in n)
    assert "Volume" not in page and "of 1" not in page
    assert "Volume" not in epub_metadata(target)["title"][0]


def test_a_range_past_a_works_end_names_the_file_and_the_range_typed(tmp_path: Path) -> None:
    short = tmp_path / "story.txt"
    short.write_text("Title: Short\nAuthor: a\n\nChapter 1\n\nOne.\n\nChapter 2\n\nTwo.\n")
    out = tmp_path / "out"
    out.mkdir()
    args = ["convert", str(short), "-o", str(out), "--volumes", "1-4,5-"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"{short} has 2 chapters: --volumes 5- starts after the last" in result.stderr
    assert "5-2" not in result.stderr


def test_a_range_wrong_for_every_work_fails_before_any_book(tmp_path: Path) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    out = tmp_path / "out"
    out.mkdir()
    args = ["convert", str(source), str(source), "-o", str(out), "--volumes", "0-3,4-"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "--volumes 0-3: chapters are numbered from 1" in result.stderr
    assert "two volumes" not in result.stderr
    assert not any(out.iterdir())


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Work, list[Path]]:
    out = tmp_path_factory.mktemp("volumes")
    source = DATA / "fanficfare" / "test1-sid1.epub"  # a FanFicFare EPUB of 9 chapters
    work = read_work(source)
    assert len(work.chapters) >= 3  # the fixture must be worth splitting
    spec = "1-2,3-"
    books = convert_volumes(source, ["epub"], out / "book.epub", OPTIONS, spec)
    return work, books


def test_each_chapter_is_in_exactly_one_volume_in_order(split: tuple[Work, list[Path]]) -> None:
    work, books = split
    assert [b.name for b in books] == ["book - Volume 1.epub", "book - Volume 2.epub"]
    texts = [squashed("\n".join(epub_documents(book).values())) for book in books]
    expected = [(0, 2), (1, len(work.chapters) - 2)]
    position = 0
    for index, count in expected:
        start = 0
        for chapter in work.chapters[position : position + count]:
            body = squashed(plain_text(str(chapter.body)))
            found = texts[index].find(body, start)
            assert found >= 0, chapter.number
            assert all(body not in text for i, text in enumerate(texts) if i != index)
            start = found + len(body)
        position += count


def test_each_volume_says_which_it_is(split: tuple[Work, list[Path]]) -> None:
    _, books = split
    for number, book in enumerate(books, start=1):
        documents = epub_documents(book)
        title_page = next(text for name, text in documents.items() if "title_page" in name)
        assert f"Volume {number} of 2" in title_page
        assert epub_metadata(book)["title"][0].endswith(f"Volume {number}")
    identifiers = [tuple(epub_metadata(book)["identifier"]) for book in books]
    assert identifiers[0] != identifiers[1]


@pytest.mark.slow
def test_volumes_pass_epubcheck(split: tuple[Work, list[Path]]) -> None:
    for book in split[1]:
        assert failures(run_epubcheck(book)) == [], book.name


def test_auto_volumes_cut_at_chapters_within_the_page_budget() -> None:
    # Front matter on pages 0-3; chapters of 2, 4, 2, 6 and 2 pages; the afterword at 20.
    starts, end = [4, 6, 10, 12, 18], 20
    assert auto_volumes(starts, end, max_pages=12) == "1-3,4-5"
    assert auto_volumes(starts, end, max_pages=11) == "1-2,3-3,4-4,5-5"
    assert auto_volumes(starts, end, max_pages=40) == "1-5"
    # A chapter longer than a volume is a volume of its own, never dropped.
    assert auto_volumes(starts, end, max_pages=6) == "1-1,2-2,3-3,4-4,5-5"
    with pytest.raises(UsageError, match="no room"):
        auto_volumes(starts, end, max_pages=4)


def test_volumes_auto_keep_every_pdf_within_max_pages(tmp_path: Path) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    books = convert_volumes(source, ["pdf"], tmp_path / "b.pdf", OPTIONS, "auto", max_pages=12)
    assert len(books) > 1
    work = read_work(source)
    headings: list[str] = []
    for book in books:
        with pikepdf.open(book) as pdf, pdf.open_outline() as outline:
            headings += [item.title for item in outline.root][2:]
            # The measure leaves out each volume's contents page: a page or two over at most.
            assert len(pdf.pages) <= 12 + 2, book.name
    # Every chapter opens in exactly one volume, in order.
    expected = [chapter.heading for chapter in work.chapters]
    assert [h for h in headings if h in expected] == expected
    union = "\n".join(pdf_text(book) for book in books)
    for chapter in work.chapters:
        assert missing_words(plain_text(str(chapter.body)), union) == [], chapter.number


def test_auto_and_max_pages_go_together(tmp_path: Path) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    with pytest.raises(UsageError, match="go together"):
        convert_volumes(source, ["pdf"], tmp_path / "b.pdf", OPTIONS, "auto")
    with pytest.raises(UsageError, match="go together"):
        convert_volumes(source, ["pdf"], tmp_path / "b.pdf", OPTIONS, "1-9", max_pages=20)


@pytest.mark.slow
def test_volumes_auto_on_a_work_that_fits_make_one_plain_book(tmp_path: Path) -> None:
    source = DATA / "fanficfare" / "test1-sid1.epub"
    target = tmp_path / "b.pdf"
    books = convert_volumes(source, ["pdf"], target, OPTIONS, "auto", max_pages=400)
    assert books == [target]
    assert "Volume" not in pdf_text(target)
