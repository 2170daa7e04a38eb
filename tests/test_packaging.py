"""The wheel must carry every subpackage and the target packs: pyproject.toml lists the
packages by hand (rules/ ships as assetlint._packs), so a forgotten one fails here, not on
a user's machine."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "assetlint").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert set(config["packages"]) == on_disk | {"assetlint._packs"}
    assert config["package-dir"] == {"assetlint._packs": "rules"}
    assert sorted(p.name for p in (ROOT / "rules").glob("*.toml"))
