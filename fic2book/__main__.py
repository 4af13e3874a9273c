"""``python -m fic2book``: the same as the ``fic2book`` command."""

from fic2book.cli import main

main()
