"""``fic2book bind``: the kit's files, read back (page counts, boxes, spine, binding sheet)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.printing.sheets import MM
from fic2book.printing.wrapcover import BLEED, MIN_SPINE_TEXT
from tests.printing.readback import qpdf_ok

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("qpdf") is None,
    reason="needs poppler-utils and qpdf",
)

WORDS = "The tide came in over the causeway and the lamps were lit one by one. " * 40


def _work(path: Path, chapters: int) -> Path:
    lines = [
        "Title: The Binder's Test",
        "Authors: tidewright",
        "Language: English",
        "Summary: A work written to be printed, folded and sewn.",
        "",
    ]
    for number in range(1, chapters + 1):
        lines += [f"Chapter {number}: Part {number}", "", *([WORDS] * 4), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# Rendering the text block and the cover takes a few seconds: one kit for the module.
@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object], str]:
    folder = tmp_path_factory.mktemp("kit")
    work = _work(folder / "work.txt", 6)
    result = CliRunner().invoke(
        app,
        [
            "bind", str(work), "-o", str(folder / "kit"), "--layout", "quarto",
            "--paper", "kdp-white", "--split",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((folder / "kit" / "binding.json").read_text(encoding="utf-8"))
    return folder / "kit", data, result.output


@pytest.mark.slow
def test_every_file_is_written_and_sound(kit: tuple[Path, dict[str, object], str]) -> None:
    folder, _data, output = kit
    names = {p.name for p in folder.iterdir()}
    assert {"textblock.pdf", "sheets.pdf", "cover.pdf", "calibration.pdf", "binding.pdf"} <= names
    assert "binding.json" in names and "sheets-sig01.pdf" in names
    for path in folder.glob("*.pdf"):
        assert qpdf_ok(path), path
    assert "wrote" in output and "quarto" in output


@pytest.mark.slow
def test_binding_sheet_matches_the_files(kit: tuple[Path, dict[str, object], str]) -> None:
    folder, data, _output = kit
    with pikepdf.open(folder / "textblock.pdf") as pdf:
        text_pages = len(pdf.pages)
    with pikepdf.open(folder / "sheets.pdf") as pdf:
        sides = len(pdf.pages)
    assert data["text_pages"] == text_pages
    # Quarto: 8 pages a sheet; flyleaves (1 leaf = 2 pages) at each end.
    assert data["flyleaf_pages_each_end"] == 2
    assert data["total_pages"] == text_pages + 4 + data["blank_pages_added"]  # type: ignore[operator]
    assert data["sheets"] * 2 == sides  # type: ignore[operator]
    assert data["blank_pages_added"] < 8  # type: ignore[operator]
    signatures = data["signatures"]
    assert isinstance(signatures, list)
    assert signatures[0]["pages"][0] == 1 and signatures[-1]["pages"][1] == data["total_pages"]
    assert len(data["sewing_stations_mm_from_head"]) == 3  # type: ignore[arg-type]
    # The page says the same as the JSON.
    text = subprocess.run(
        ["pdftotext", str(folder / "binding.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"{data['spine_width_mm']:g} mm" in text
    assert "Pierce the 3 sewing stations" in " ".join(text.split())


@pytest.mark.slow
def test_cover_spine_is_the_text_block_thickness(kit: tuple[Path, dict[str, object], str]) -> None:
    folder, data, _output = kit
    total = data["total_pages"]
    assert isinstance(total, int)
    spine = total * 0.002252 * 72  # KDP white, inches a page → points
    with pikepdf.open(folder / "cover.pdf") as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
    # Quarto on A4: the A5 pages are shrunk to the 105 x 148.5 mm cells (page_scale), and the
    # cover wraps the book as printed.
    scale = data["page_scale"]
    assert isinstance(scale, float)
    assert scale == pytest.approx(min(105 / 148, 148.5 / 210), abs=0.001)
    printed = (148 * MM * scale, 210 * MM * scale)
    assert trim[2] - trim[0] == pytest.approx(2 * printed[0] + spine, abs=0.5)
    assert trim[3] - trim[1] == pytest.approx(printed[1], abs=0.5)
    assert bleed[0] == pytest.approx(trim[0] - BLEED, abs=0.05)
    assert media[0] < bleed[0] and media[2] > bleed[2]
    assert data["spine_width_mm"] == pytest.approx(spine / MM, abs=0.1)
    # A thin book: no title on its spine.
    assert data["spine_text"] is (spine >= MIN_SPINE_TEXT)
    words = subprocess.run(
        ["pdftotext", str(folder / "cover.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A work written to be printed" in words


@pytest.mark.slow
def test_calibration_page_has_a_100_mm_ruler(kit: tuple[Path, dict[str, object], str]) -> None:
    folder, _data, _output = kit
    with pikepdf.open(folder / "calibration.pdf") as pdf:
        assert len(pdf.pages) == 2
        assert str(pdf.Root.ViewerPreferences.PrintScaling) == "/None"
        lines = []
        for instruction in pikepdf.parse_content_stream(pdf.pages[0]):
            if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(
                instruction.operator
            ) in ("m", "l"):
                lines.append([float(v) for v in instruction.operands])
    # The ruler's base line is the first segment drawn: exactly 100 mm long.
    (x0, y0), (x1, y1) = lines[0], lines[1]
    assert x1 - x0 == pytest.approx(100 * MM, abs=0.01)
    assert y1 == y0


def test_bind_refuses_bad_settings_before_rendering(tmp_path: Path) -> None:
    work = _work(tmp_path / "w.txt", 1)
    result = CliRunner().invoke(
        app, ["bind", str(work), "-o", str(tmp_path / "k"), "--layout", "x"]
    )
    assert result.exit_code == 2
    assert "--layout must be one of" in result.output
    assert not (tmp_path / "k").exists()
