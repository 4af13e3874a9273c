"""Errors a user can fix, each with a short label and its own exit code.

Anything that is not a :class:`Fic2BookError` is a bug and keeps its traceback.  The CLI is the
only place that turns these into a one-line message and an exit code; the exit codes are listed
in the README.
"""

from __future__ import annotations


class Fic2BookError(Exception):
    """A problem the user can fix; shown as ``label: message`` without a traceback."""

    label = "error"
    exit_code = 1


class UsageError(Fic2BookError):
    """The command line asks for something contradictory or impossible."""

    label = "usage"
    exit_code = 2


class UnknownFormatError(Fic2BookError):
    """No reader or backend is registered under the requested name or suffix."""

    label = "unknown format"
    exit_code = 2


class InputError(Fic2BookError):
    """The input file is missing, unreadable, empty, binary or malformed."""

    label = "cannot read input"
    exit_code = 3


class OutputError(Fic2BookError):
    """The book could not be written where the user asked."""

    label = "cannot write output"
    exit_code = 4


class BackendUnavailableError(Fic2BookError):
    """A backend's system libraries are missing (for example Pango for the PDF backend)."""

    label = "backend unavailable"
    exit_code = 5


class RenderError(Fic2BookError):
    """A template or stylesheet the user supplied could not be used."""

    label = "cannot render"
    exit_code = 6
