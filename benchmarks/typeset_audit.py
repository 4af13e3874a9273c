"""Proof-read the PDF's setting by measurement: runts, widows, orphans, hyphens, running heads.

Each input is converted as ``fic2book convert`` would (read, prepared, laid out) in each
theme, with ``--style book`` and ``--style block``, and its pages read back from poppler's word
boxes (``tests/layout.py``).  A plain-text novel (paragraphs between blank lines, lines
hard-wrapped, as Project Gutenberg writes them) can be given with ``--novel`` and is cut into
chapters of AO3-like HTML first::

    python -m benchmarks.typeset_audit WORK.html ... [--novel BOOK.txt --words 40000]
        [--themes classic,modern,ao3] [--styles book,block] [--lang fr] [--css FILE]
        [--no-tie] [--show 5]

Prints one row per input, theme and style; ``--show N`` lists the first N cases of each fault.
"""

from __future__ import annotations

import argparse
import html
import tempfile
from pathlib import Path

from fic2book.backends.pdf import render_pdf
from fic2book.options import RenderOptions
from fic2book.pagesize import page_geometry
from fic2book.pipeline import prepare
from fic2book.readers import read_work
from tests.layout import Figures, measure, paragraphs
from tests.pdfboxes import pages

_FIELDS = (
    "runts",
    "orphans",
    "widows",
    "loose_lines",
    "short_fragments",
    "hyphen_ladders",
    "wrapped_heads",
)


def novel_html(source: Path, words: int, lang: str, chapter_words: int = 4000) -> str:
    """The first ``words`` words of a hard-wrapped plain-text book, as chaptered AO3 HTML."""
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    # A paragraph ends at a blank line or at a short line (hard-wrapped text fills its lines).
    width = max((len(line) for line in lines[:2000]), default=0)
    blocks: list[str] = [""]
    for line in lines:
        line = line.strip()
        if line and not line.isupper():
            blocks[-1] += " " + line
        if not line or line.isupper() or len(line) < 0.8 * width:
            blocks.append("")
    blocks = [block.strip() for block in blocks]
    # Skip the front matter: start at the first long paragraph.
    start = next(index for index, block in enumerate(blocks) if len(block.split()) > 60)
    chapters: list[list[str]] = [[]]
    count = in_chapter = 0
    for block in blocks[start:]:
        if len(block.split()) < 4:
            continue
        if in_chapter >= chapter_words:
            chapters.append([])
            in_chapter = 0
        chapters[-1].append(block)
        count += len(block.split())
        in_chapter += len(block.split())
        if count >= words:
            break
    parts = [f'<html lang="{lang}"><body><h1>{html.escape(source.stem)}</h1>']
    for number, chapter in enumerate(chapters, 1):
        parts.append(f"<h2>Chapter {number}</h2>\n")
        parts.extend(f"<p>{html.escape(block)}\n</p>\n" for block in chapter)
    parts.append("</body></html>")
    return "".join(parts)


def audit(source: Path, options: RenderOptions, folder: Path, tie: bool = True) -> Figures:
    """Convert ``source`` to a PDF with ``options`` and measure its setting.

    ``tie=False`` lays the typeset work out as ``--no-smart`` would, without tying last words
    (fic2book/typography/runts.py): the figures before that step.
    """
    work = prepare(read_work(source), options)
    target = folder / f"{source.stem}-{options.theme}-{options.style}.pdf"
    render_pdf(work, target, options if tie else options.replace(smart=False))
    top = page_geometry(options.page_size, options.gutter).top_mm / 25.4 * 72
    return measure(pages(target), paragraphs(work), top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--novel", type=Path, help="a plain-text book, cut into a work")
    parser.add_argument("--words", type=int, default=40000, help="words of --novel to use")
    parser.add_argument("--lang", default="en", help="language tag of --novel")
    parser.add_argument("--themes", default="classic,modern,ao3")
    parser.add_argument("--styles", default="book,block")
    parser.add_argument("--css", type=Path, action="append", default=[], help="extra CSS")
    parser.add_argument("--no-tie", action="store_true", help="do not tie last words")
    parser.add_argument("--show", type=int, default=0, help="list this many cases of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        inputs = list(args.inputs)
        if args.novel:
            made = folder / f"{args.novel.stem}.html"
            made.write_text(novel_html(args.novel, args.words, args.lang), encoding="utf-8")
            inputs.append(made)
        header = False
        for source in inputs:
            for theme in args.themes.split(","):
                for style in args.styles.split(","):
                    options = RenderOptions(
                        theme=theme, style=style, css=tuple(args.css), source_date_epoch=0
                    )
                    figures = audit(source, options, folder, not args.no_tie)
                    row = figures.row()
                    if not header:
                        print("input | theme | style | " + " | ".join(row))
                        header = True
                    values = " | ".join(str(value) for value in row.values())
                    print(f"{source.name[:40]} | {theme} | {style} | {values}", flush=True)
                    for name in _FIELDS if args.show else ():
                        cases = getattr(figures, name)[: args.show]
                        if cases:
                            print(f"    {name}: {cases}")


if __name__ == "__main__":
    main()
