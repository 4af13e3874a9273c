"""The wrap cover: back, spine and front on one sheet, with 3 mm bleed and crop marks.

The spine is as wide as the text block is thick: ``pages / 2`` leaves of the paper's caliper
(:meth:`fic2book.printing.creep.Paper.spine`; KDP's white paper is 0.002252 in a page, cream
0.0025 in).  Title and creators go on the spine only when it is at least
:data:`MIN_SPINE_TEXT` wide, the width of KDP's 79-page minimum for spine text, and read top
to bottom.  The front is the generated cover design (or ``--cover``), the back carries the
title, creators and summary on the cover's colours.

WeasyPrint lays the cover out (``@page { bleed: 3mm }`` writes the TrimBox and BleedBox);
pikepdf then widens the MediaBox by :data:`MARK_SPACE` and draws crop marks at the trim
corners and fold marks at the spine edges, all outside the bleed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from fic2book.cover import CoverImage, palette_for, work_seed
from fic2book.model import Work
from fic2book.pipeline import write_bytes_atomically
from fic2book.printing.sheets import MM

BLEED = 3 * MM
#: Room outside the bleed for the crop marks.
MARK_SPACE = 9 * MM
#: Narrowest spine that carries text: 79 pages of KDP white paper (0.1779 in).
MIN_SPINE_TEXT = 79 * 0.002252 * 72


@dataclass(frozen=True)
class WrapGeometry:
    """The cover's panels, in points: trim of one board, and the spine between them."""

    trim_width: float
    trim_height: float
    spine: float

    @property
    def width(self) -> float:
        """Trimmed width of the whole wrap."""
        return 2 * self.trim_width + self.spine

    @property
    def spine_text(self) -> bool:
        """Whether the spine is wide enough for title and author."""
        return self.spine >= MIN_SPINE_TEXT


def _rgb(colour: tuple[int, int, int]) -> str:
    return f"rgb({colour[0]},{colour[1]},{colour[2]})"


def cover_html(work: Work, geometry: WrapGeometry, front: CoverImage | None) -> str:
    """The wrap cover as one HTML page (sizes in pt; the front image fills its bleed)."""
    palette = palette_for(work_seed(work))
    title = escape(work.title.strip() or "Untitled")
    authors = escape(", ".join(a for a in work.authors if a.strip()))
    summary = escape(work.summary.striptags()) if work.summary else Markup("")
    g = geometry
    spine_font = min(g.spine * 0.55, 11.0)
    # A long summary gets smaller type (down to 7 pt) before the panel clips it.
    length = len(summary) + len(title) + len(authors)
    back_font = max(7.0, min(10.0, 10.0 * (1400 / max(length, 1)) ** 0.5))
    spine = (
        f'<p class="spine-text">{title}{Markup(" &#8212; ") + authors if authors else ""}</p>'
        if g.spine_text
        else ""
    )
    image = (
        f'<img class="front" src="{front.data_url()}" alt="">'
        if front is not None
        else f'<div class="front plain"><h1>{title}</h1><p>{authors}</p></div>'
    )
    return f"""<!DOCTYPE html><html lang="{escape(work.language)}"><head><meta charset="utf-8">
<title>{title}: cover</title><style>
@page {{ size: {g.width:.3f}pt {g.trim_height:.3f}pt; margin: 0; bleed: {BLEED:.3f}pt;
        background: {_rgb(palette.background)} }}
html, body {{ margin: 0; font-family: "Noto Serif", "DejaVu Serif", serif;
             color: {_rgb(palette.text)} }}
.front {{ position: absolute; top: -{BLEED:.3f}pt; left: {g.trim_width + g.spine:.3f}pt;
         width: {g.trim_width + BLEED:.3f}pt; height: {g.trim_height + 2 * BLEED:.3f}pt;
         object-fit: cover }}
.plain {{ text-align: center; padding-top: 30%; box-sizing: border-box;
          padding-left: 12mm; padding-right: 12mm; overflow: hidden; overflow-wrap: anywhere }}
.back {{ position: absolute; top: 0; left: 0; width: {g.trim_width:.3f}pt;
        height: {g.trim_height:.3f}pt; box-sizing: border-box;
        padding: {max(0.1 * g.trim_width, 12 * MM):.3f}pt; font-size: {back_font:.2f}pt;
        line-height: 1.4; overflow-wrap: anywhere }}
.back-text {{ height: 100%; overflow: hidden }}
.back h2 {{ font-size: 14pt; margin: 0 0 0.3em }}
.back .by {{ color: {_rgb(palette.accent)}; margin: 0 0 1.2em }}
.spine-text {{ position: absolute; margin: 0; top: 0; left: {g.trim_width + g.spine:.3f}pt;
              width: {g.trim_height:.3f}pt; height: {g.spine:.3f}pt;
              transform: rotate(90deg); transform-origin: 0 0;
              text-align: center; font-size: {spine_font:.2f}pt;
              line-height: {g.spine:.3f}pt; white-space: nowrap; overflow: hidden }}
</style></head><body>
<div class="back"><div class="back-text"><h2>{title}</h2><p class="by">{authors}</p>
<div>{summary}</div></div></div>
{spine}{image}
</body></html>"""


def _marks(geometry: WrapGeometry) -> bytes:
    """Crop marks at the trim corners and fold marks at the spine, outside the bleed."""
    g = geometry
    start, end = BLEED + 1 * MM, BLEED + MARK_SPACE - 1 * MM
    ops = ["q 0 G 0.5 w"]
    for x in (0.0, g.width):
        for y, sign in ((0.0, -1), (g.trim_height, 1)):
            ops.append(f"{x:.3f} {y + sign * start:.3f} m {x:.3f} {y + sign * end:.3f} l S")
    for y in (0.0, g.trim_height):
        for x, sign in ((0.0, -1), (g.width, 1)):
            ops.append(f"{x + sign * start:.3f} {y:.3f} m {x + sign * end:.3f} {y:.3f} l S")
    ops.append("[2 2] 0 d")
    for x in (g.trim_width, g.trim_width + g.spine):
        for y, sign in ((0.0, -1), (g.trim_height, 1)):
            ops.append(f"{x:.3f} {y + sign * start:.3f} m {x:.3f} {y + sign * end:.3f} l S")
    ops.append("Q\n")
    return "\n".join(ops).encode("ascii")


def write_wrap_cover(
    work: Work, target: Path, geometry: WrapGeometry, front: CoverImage | None
) -> None:
    """Render the wrap cover to ``target`` (trim, bleed and crop marks as described above)."""
    import pikepdf
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = cover_html(work, geometry, front)
    data = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        outer = BLEED + MARK_SPACE
        box = pikepdf.Array([-outer, -outer, geometry.width + outer, geometry.trim_height + outer])
        page.MediaBox = box
        page.CropBox = box
        page.contents_add(pdf.make_stream(_marks(geometry)), prepend=False)
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True)
    write_bytes_atomically(buffer.getvalue(), target)
