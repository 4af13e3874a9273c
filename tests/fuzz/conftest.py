"""Hypothesis profiles for the fuzz tests.

``ci`` (the default) is small and derandomised, so a CI run is quick and repeatable; set
``HYPOTHESIS_PROFILE=dev`` locally for a random, larger run.  The long profile lives in
``benchmarks/fuzz_long.py``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Writing a file per example and parsing it is slow for hypothesis' taste, by design.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "dev", max_examples=400, deadline=None, suppress_health_check=_SLOW_IS_FINE
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
