"""Benchmarks: a work generator and timing scripts (not part of the package)."""
