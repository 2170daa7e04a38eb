"""Every loader on hostile input: a short deterministic fuzz run per format (the long run
is ``python -m tests.fuzz``), and named cases for each absurd value the issue lists."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.harness import Case, fuzz
from tests.fuzz.mutations import FORMAT_OPS

EXAMPLES = int(os.environ.get("ASSETLINT_FUZZ_EXAMPLES", "50"))
SHORT = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("fmt", sorted(FORMAT_OPS))
def test_mutated_seed_ends_as_an_asset_or_a_load_error(fmt, seeds, engine):
    if fmt not in seeds:
        pytest.skip("the shared corpus (binary FBX seed) is absent")
    case = Case(seeds[fmt], engine)
    assert case(case.data) == "loaded"  # the seed itself is valid
    fuzz(fmt, case, SHORT)()
    assert sum(case.outcomes.values()) >= EXAMPLES
