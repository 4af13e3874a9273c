"""Generate a long work in the seed text format, deterministically, from a built-in word list.

The text is nonsense prose built by a seeded pseudo-random sentence generator, so the benchmark
needs no outside corpus and produces the same file on every machine::

    python -m benchmarks.generate --words 150000 --chapters 40 -o big.txt
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

_NOUNS = [
    "harbour",
    "lantern",
    "signal",
    "tower",
    "letter",
    "ledger",
    "gull",
    "tide",
    "rope",
    "window",
    "kettle",
    "flag",
    "morning",
    "evening",
    "storm",
    "island",
    "keeper",
    "boat",
    "chart",
    "compass",
    "map",
    "bridge",
    "station",
    "office",
    "desk",
    "winter",
    "summer",
    "garden",
    "river",
    "road",
    "door",
    "stair",
    "bell",
    "candle",
    "paper",
    "ink",
    "voice",
    "silence",
    "promise",
    "secret",
]
_VERBS = [
    "watched",
    "carried",
    "answered",
    "folded",
    "signalled",
    "remembered",
    "waited",
    "crossed",
    "opened",
    "closed",
    "measured",
    "counted",
    "wrote",
    "kept",
    "lifted",
    "dropped",
    "followed",
    "found",
    "lost",
    "mended",
    "noticed",
]
_ADJECTIVES = [
    "grey",
    "quiet",
    "bright",
    "narrow",
    "old",
    "patient",
    "salt-stained",
    "careful",
    "distant",
    "warm",
    "cold",
    "small",
    "stubborn",
    "untidy",
    "gentle",
    "sudden",
    "long",
    "crooked",
    "silver",
]
_NAMES = ["Ada", "Sera", "Tomas", "Juniper", "Brae", "Quill", "Lind", "Marlow", "Essie", "Corin"]
_ADVERBS = ["slowly", "carefully", "again", "quietly", "at", "once", "twice"]
_LINKS = ["and", "but", "while", "because", "until", "so"]


def _clause(rng: random.Random) -> str:
    subject = rng.choice(_NAMES) if rng.random() < 0.5 else f"the {rng.choice(_NOUNS)}"
    phrase = f"{subject} {rng.choice(_VERBS)} the {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    if rng.random() < 0.3:
        phrase += f" {rng.choice(_ADVERBS)}"
    return phrase


def sentence(rng: random.Random) -> str:
    """Return one sentence of one to three clauses, capitalised and punctuated."""
    clauses = [_clause(rng) for _ in range(rng.randint(1, 3))]
    text = clauses[0]
    for clause in clauses[1:]:
        text += f", {rng.choice(_LINKS)} {clause}"
    text = text[0].upper() + text[1:]
    if rng.random() < 0.15:
        return f"\u201c{text},\u201d said {rng.choice(_NAMES)}."
    return text + "."


def paragraph(rng: random.Random, words: int) -> str:
    """Return sentences until the paragraph has at least ``words`` words."""
    parts: list[str] = []
    count = 0
    while count < words:
        text = sentence(rng)
        parts.append(text)
        count += len(text.split())
    return " ".join(parts)


def generate(words: int, chapters: int, seed: int = 1) -> str:
    """Return a seed-format work of about ``words`` body words in ``chapters`` chapters."""
    rng = random.Random(seed)
    per_chapter = max(words // max(chapters, 1), 1)
    lines = [
        f"Title: Generated Work of {words:,} Words",
        "Author: fic2book-bench",
        "Rating: General Audiences",
        "Archive Warning: No Archive Warnings Apply",
        "Fandom: Original Work",
        "Additional Tags: Benchmark, Generated Text",
        "Language: English",
        f"Chapters: {chapters}/{chapters}",
        "Summary: A long generated work for timing fic2book.",
        "",
    ]
    for number in range(1, chapters + 1):
        title = f"The {rng.choice(_ADJECTIVES).title()} {rng.choice(_NOUNS).title()}"
        lines += ["", f"Chapter {number}: {title}", ""]
        if number % 5 == 1:
            lines += [f"Chapter Notes: {sentence(rng)}", ""]
        written = 0
        while written < per_chapter:
            size = min(rng.randint(30, 140), per_chapter - written)
            text = paragraph(rng, size)
            lines.append(text)
            written += len(text.split())
            if rng.random() < 0.04:
                lines.append("* * *")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line: write a generated work to a file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--chapters", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.write_text(generate(args.words, args.chapters, args.seed), encoding="utf-8")


if __name__ == "__main__":
    main()
