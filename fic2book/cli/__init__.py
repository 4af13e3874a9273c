"""The ``fic2book`` command: a Typer app over :mod:`fic2book.pipeline`, one module per command.

* :mod:`fic2book.cli.app` holds the Typer app, the options several commands share (declared
  once, as ``Annotated`` aliases), the one place that turns a
  :class:`~fic2book.errors.Fic2BookError` into a line on stderr and an exit code, and the list
  of commands.
* Each command lives in a module of its own named after it (``convert.py``, ``batch.py``,
  ``inspect.py``, ``impose.py``, ``formats.py``, ``serve.py``) and defines one function of
  the same name.

Adding a command: write ``fic2book/cli/NAME.py`` with a function ``NAME`` (its docstring is
the help, its parameters are the options; reuse the aliases of :mod:`fic2book.cli.app`), add
``NAME`` to the import of command modules at the bottom of ``app.py`` and one line
``app.command()(NAME.NAME)`` beside the others.  ``tests/test_cli.py`` then checks that it
has help and an example in the README.

Command modules import the heavy parts (readers, backends, Rich tables) inside the command,
so ``fic2book --help`` loads none of them.
"""

from fic2book.cli.app import app, main

__all__ = ["app", "main"]
