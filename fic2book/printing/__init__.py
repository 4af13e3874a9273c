"""Printing for hand binders: imposition, signatures, marks, creep, and the binder's kit.

:func:`fic2book.printing.impose.impose` is the library entry point for imposing a PDF; the
modules under it each do one job (see the README's "Binding a book" section).
"""
