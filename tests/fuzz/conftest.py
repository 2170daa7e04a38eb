"""Fixtures shared by the fuzz and hostile-input tests: the valid seeds, written once per
module, and one rule engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetlint.engine import Engine
from tests.fuzz.seeds import write_seeds


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, Path]:
    return write_seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default()
