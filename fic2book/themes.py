"""Bundled designs (``--theme``): a stylesheet each, plus optional template overrides.

A theme is ``styles/themes/NAME/theme.css``, applied after the backend's own sheets (so it
only says what differs from the default book) and before ``--style block``, the generated
opening/ornament rules and any ``--css``; and, if the folder exists,
``templates/themes/NAME/``, searched after ``--template-dir`` and before the bundled
templates.  ``classic``, the default, is the bundled sheets alone.  Copy a sheet as the
starting point of your own ``--css``, a template as that of your ``--template-dir``.

Fonts are ones Debian ships (fonts-noto-core, fonts-dejavu, fonts-liberation2; see
scripts/setup.sh): WeasyPrint embeds the glyphs used, subset, in the PDF; e-readers use their
own fonts where the named ones are missing.
"""

from __future__ import annotations

from pathlib import Path

from fic2book.errors import UsageError
from fic2book.resources import data_path

#: The bundled themes and what each looks like, as ``fic2book themes`` lists them.
THEMES: dict[str, str] = {
    "classic": "A printed novel: Noto Serif, indented paragraphs, centred headings (default).",
    "modern": "Clean and airy: sans-serif headings and labels, ragged-right text, ruled openers.",
    "ao3": "The Archive's look, set well: spaced paragraphs, the boxed tag summary, red headings.",
}


def check_theme(value: str) -> str:
    """The theme named by ``value`` (any case); a usage error for an unknown one."""
    key = value.strip().lower()
    if key not in THEMES:
        raise UsageError(f"--theme must be one of {', '.join(THEMES)}, not {value!r}")
    return key


def theme_styles(theme: str) -> tuple[str, ...]:
    """The theme's stylesheet, as a name under ``styles/`` (none if the theme has no sheet).

    ``classic`` has none: it is the book ``book.css`` and ``pdf.css`` make, so a default
    book stays what it was before themes.
    """
    name = f"themes/{theme}/theme.css"
    return (name,) if (data_path("styles") / name).is_file() else ()


def theme_templates(theme: str) -> Path | None:
    """The theme's template overrides folder, or ``None`` when it overrides nothing."""
    folder = data_path("templates") / "themes" / theme
    return folder if folder.is_dir() else None
