"""``fic2book serve``: a local web page for readers who never open a terminal.

A small Starlette app (:mod:`fic2book.web.app`) in front of the same library calls the CLI
makes: the readers and :func:`fic2book.describe.describe` for what a file holds,
:func:`fic2book.pipeline.convert_file` for the books.  Every call that reads an uploaded file
runs in a forked child under the CLI's time and memory limits (:mod:`fic2book.web.jobs`).
"""
