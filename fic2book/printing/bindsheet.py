"""The binding sheet: everything the binder needs to know about one kit, as JSON and a page.

:func:`binding_data` gathers the facts (pages, sheets, signatures and their page ranges,
blanks added, sewing stations, spine width, paper needed, the steps in order) from the
imposition that was written; :func:`write_binding_sheet` writes them as ``binding.json`` and
a one-page ``binding.pdf``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import escape

from fic2book.pipeline import write_bytes_atomically
from fic2book.printing.creep import Paper
from fic2book.printing.impose import Imposition
from fic2book.printing.layouts import folding_steps
from fic2book.printing.marks import station_offsets
from fic2book.printing.plan import ImposeSettings
from fic2book.printing.sheets import MM, SHEET_SIZES
from fic2book.printing.wrapcover import BLEED, WrapGeometry


def _mm(points: float) -> float:
    return round(points / MM, 1)


def _cover_sheet(geometry: WrapGeometry) -> str:
    """The smallest named sheet that holds the wrap cover with its bleed."""
    need = (geometry.width + 2 * BLEED, geometry.trim_height + 2 * BLEED)
    for name, (width, height) in SHEET_SIZES.items():
        if max(width, height) >= max(need) and min(width, height) >= min(need):
            return name
    return f"{_mm(need[0]):g}x{_mm(need[1]):g}mm"


def _print_steps(settings: ImposeSettings, files: dict[str, str]) -> list[str]:
    if settings.printer == "single":
        return [
            f"Print {files['fronts']} at 100 % (actual size), one-sided.",
            "Put the printed stack back in the tray as it came out, blank side where your "
            "printer prints, the same edge leading (the sheets turn over their long edge).",
            f"Print {files['backs']}: it starts with the last sheet's back.",
        ]
    edge = "short" if settings.printer == "duplex-short" else "long"
    return [f"Print {files['sheets']} at 100 % (actual size), double-sided, flip on {edge} edge."]


def _steps(
    imposition: Imposition,
    settings: ImposeSettings,
    files: dict[str, str],
    stations: list[float],
    cover: WrapGeometry,
) -> list[str]:
    """The printing, folding, sewing and casing steps, in order."""
    book = imposition.book
    sides = "on both sides" if settings.printer != "single" else "on both sides, as below"
    steps = [
        f"Print {files['calibration']} at 100 % {sides}: the ruler must measure 100 mm "
        "and the two crosses coincide against the light.",
        *_print_steps(settings, files),
        *(f"Fold each sheet: {step[0].lower()}{step[1:]}" for step in folding_steps(book.layout)),
        "Nest the folded sheets of each signature in order, sheet 1 outermost "
        "(see the signatures below); stack the signatures in order.",
        "Check the spine: the spine marks form one diagonal when the signatures are in order.",
        f"Pierce the {settings.sewing_stations} sewing stations through each signature's "
        f"centre fold, {', '.join(f'{s:g}' for s in stations)} mm from the head; sew.",
    ]
    if book.layout.cells > 2:
        steps.append("Cut open the head and fore-edge folds (or trim the book block).")
    steps.append(
        f"Print {files['cover']} on a {_cover_sheet(cover)} sheet at 100 %; cut at the crop "
        f"marks and score the spine folds ({_mm(cover.spine):g} mm apart)."
    )
    return steps


def binding_data(
    imposition: Imposition,
    settings: ImposeSettings,
    trim: tuple[float, float],
    paper: Paper,
    cover: WrapGeometry,
    files: dict[str, str],
) -> dict[str, Any]:
    """The binding sheet's facts, ready for JSON."""
    book = imposition.book
    flyleaves = book.flyleaf_pages
    signatures = []
    for gathering in book.gatherings:
        first = gathering.first_page + 1
        last = gathering.first_page + gathering.pages
        content = [p for p in range(first, last + 1) if book.source_page(p) is not None]
        signatures.append(
            {
                "signature": gathering.index,
                "sheets": gathering.sheets,
                "pages": [first, last],
                "text_pages": [book.source_page(content[0]), book.source_page(content[-1])]
                if content
                else None,
            }
        )
    stations = [_mm(x) for x in station_offsets(trim[1], settings.sewing_stations)]
    sheet_name = settings.sheet
    steps = _steps(imposition, settings, files, stations, cover)
    return {
        "layout": book.layout.name,
        "trim_mm": [_mm(trim[0]), _mm(trim[1])],
        "sheet": sheet_name,
        "sheet_mm": [_mm(imposition.geometry.width), _mm(imposition.geometry.height)],
        "printer": settings.printer,
        "text_pages": book.source_pages,
        "flyleaf_pages_each_end": flyleaves,
        "blank_pages_added": book.blank_pages,
        "total_pages": book.total_pages,
        "sheets": book.sheets,
        "signature_choice": book.choice,
        "signatures": signatures,
        "sewing_stations_mm_from_head": stations,
        "paper": paper.name,
        "caliper_mm": round(paper.caliper_mm, 4),
        "creep": settings.paper is not None,
        "spine_width_mm": _mm(cover.spine),
        "spine_text": cover.spine_text,
        "paper_needed": {
            "text_sheets": book.sheets,
            "text_sheet_size": sheet_name,
            "cover_sheets": 1,
            "cover_sheet_size": _cover_sheet(cover),
        },
        "files": files,
        "steps": steps,
    }


def _design_facts(design: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The text block's design (:func:`fic2book.printing.kit.design_data`) as sheet rows."""
    if not design:
        return []
    notes = f"notes {design['notes']}, summaries {design['summaries']}"
    rows = [
        (
            "Design",
            f"{design['theme']} theme, {design['opening']} opening, {design['ornament']} "
            f"scene breaks, {design['paragraphs']} paragraphs",
        ),
        (
            "Text",
            f"labels {design['labels']}, chapter numbers in {design['chapter_numbers']}, "
            f"headings {design['chapter_titles']}, {notes}, "
            f"work skin {'kept' if design['work_skin'] else 'left out'}",
        ),
        ("Front matter", ", ".join(design["front_matter"])),
    ]
    if design.get("bound_by"):
        rows.append(("Bound by", design["bound_by"]))
    extra = [*([design["template_dir"]] if design.get("template_dir") else []), *design["css"]]
    if extra:
        rows.append(("Your files", ", ".join(extra)))
    return rows


def binding_html(data: dict[str, Any], title: str) -> str:
    """The one-page binding sheet as HTML."""
    rows = "".join(
        f"<li>{s['signature']}: pages {s['pages'][0]}-{s['pages'][1]}, {s['sheets']} "
        f"sheet{'s' if s['sheets'] != 1 else ''}"
        f"{', text ' + '-'.join(map(str, s['text_pages'])) if s['text_pages'] else ', blank'}</li>"
        for s in data["signatures"]
    )
    steps = "".join(f"<li>{escape(step)}</li>" for step in data["steps"])
    facts = [
        ("Layout", f"{data['layout']}, trim {data['trim_mm'][0]:g} x {data['trim_mm'][1]:g} mm"),
        ("Sheets", f"{data['sheets']} {data['sheet']} sheets ({data['signature_choice']})"),
        (
            "Pages",
            f"{data['text_pages']} text, {data['blank_pages_added']} blank added, "
            f"{data['flyleaf_pages_each_end']} flyleaf pages each end, "
            f"{data['total_pages']} in all",
        ),
        ("Spine", f"{data['spine_width_mm']:g} mm ({data['paper']}, {data['caliper_mm']:g} mm)"),
        ("Sewing", ", ".join(f"{s:g}" for s in data["sewing_stations_mm_from_head"]) + " mm"),
        *_design_facts(data.get("design")),
    ]
    fact_rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Binding sheet: {escape(title)}</title><style>
@page {{ size: A4; margin: 14mm }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; line-height: 1.3 }}
h1 {{ font-size: 13pt; margin: 0 0 4mm }} h2 {{ font-size: 10pt; margin: 4mm 0 1mm }}
table {{ border-collapse: collapse }}
th, td {{ text-align: left; padding: 0.4mm 3mm 0.4mm 0 }}
ol {{ padding-left: 5mm; margin: 0 }}
ol.sigs {{ columns: 4; list-style: none; padding: 0; font-size: 7.5pt }}
</style></head><body>
<h1>Binding sheet: {escape(title)}</h1>
<table>{fact_rows}</table>
<h2>Steps</h2><ol>{steps}</ol>
<h2>Signatures</h2>
<ol class="sigs">{rows}</ol>
</body></html>"""


def write_binding_sheet(data: dict[str, Any], title: str, json_path: Path, pdf_path: Path) -> None:
    """Write the binding sheet as JSON and as a PDF page."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomically(text.encode("utf-8"), json_path)
    html = binding_html(data, title)
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    write_bytes_atomically(pdf, pdf_path)
