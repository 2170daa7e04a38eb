"""How many pytest-xdist workers `pytest -n auto` (the README's test command) starts."""

from __future__ import annotations

import os

import pytest

# Each worker imports the whole tool (about 1.2 GB resident at its peak), and several
# tests start two batch workers of their own: four is past where more cores pay.
MOST_WORKERS = 4


def usable_cpus() -> int:
    """The cores this process may run on (a container's or CI runner's share)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """One worker per usable core, up to MOST_WORKERS; on one core none (0 runs the tests
    in this process, as plain pytest: a lone worker would only add its start-up).
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, is left to pytest-xdist."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cpus = usable_cpus()
    return 0 if cpus < 2 else min(cpus, MOST_WORKERS)
