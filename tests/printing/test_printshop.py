"""Print-shop PDFs: ``convert --bleed --marks --pdf-variant``, checked in the file written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from fic2book.cli import app
from fic2book.errors import UsageError
from fic2book.printing.printshop import PrintShop, parse_print_shop
from fic2book.printing.sheets import MM
from tests.printing.readback import qpdf_ok

WORK = "Title: Print Shop\nAuthors: tidewright\n\nChapter 1: One\n\nThe lamps were lit.\n"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="needs qpdf")
def test_convert_writes_boxes_marks_and_pdf_x(tmp_path: Path) -> None:
    work = tmp_path / "work.txt"
    work.write_text(WORK, encoding="utf-8")
    target = tmp_path / "book.pdf"
    args = ["convert", str(work), "-o", str(target), "--bleed", "3mm"]
    args += ["--marks", "crop,cross", "--pdf-variant", "pdf/x-4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert qpdf_ok(target)
    with pikepdf.open(target) as pdf:
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(148 * MM, abs=0.1)
            assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.01)
            assert bleed[2] - trim[2] == pytest.approx(3 * MM, abs=0.01)
            # Marks need room outside the bleed.
            assert media[0] <= bleed[0] and media[2] >= bleed[2]
        intent = pdf.Root.OutputIntents[0]
        assert str(intent.S) == "/GTS_PDFX"
        assert "sRGB" in str(intent.OutputConditionIdentifier)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"


def test_print_shop_values() -> None:
    shop = parse_print_shop("0.125in", "crop", "PDF/X-3")
    assert shop == PrintShop(3.175, ("crop",), "pdf/x-3")
    assert shop.css() == "@page { bleed: 3.175mm; marks: crop }\n"
    assert shop.weasyprint_options() == {"pdf_variant": "pdf/x-3", "output_intent": "srgb"}
    assert PrintShop().css() == ""
    for bad in (("3", None, None), ("20mm", None, None), (None, "stars", None)):
        with pytest.raises(UsageError):
            parse_print_shop(*bad)
    with pytest.raises(UsageError, match="CMYK"):
        parse_print_shop(None, None, "pdf/x-1a")


def test_pdf_ua_and_a_variant_contradict(tmp_path: Path) -> None:
    work = tmp_path / "work.txt"
    work.write_text(WORK, encoding="utf-8")
    args = ["convert", str(work), "-o", str(tmp_path / "b.pdf"), "--pdf-ua"]
    result = CliRunner().invoke(app, [*args, "--pdf-variant", "pdf/x-4"])
    assert result.exit_code == 2
    assert "contradict" in result.output
