"""Start-up cost: the commands that never read an asset import no heavy library.

Timing is unstable on a loaded CI machine, so the guard is which modules load, read from
``python -X importtime`` (every module the interpreter imports, even one later dropped).
scipy alone once doubled the start-up of ``assetlint --version`` (0.35 s of 0.6 s).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# Imported where an asset is loaded, checked, fixed, rendered or watched, never at start-up.
HEAVY = {
    "scipy",
    "pymeshlab",
    "trimesh",
    "pxr",
    "PIL",
    "embreex",
    "jsonschema",
    "jsonschema_rs",
    "pygltflib",
    "DracoPy",
    "meshopt",
    "ufbx",
    "rich",
    "watchdog",
    "junit_xml",
    "distributed",
}

RUN = "import sys; from assetlint.cli import main; sys.argv[0] = 'assetlint'; sys.exit(main())"


def imported(args: list[str]) -> set[str]:
    """Top-level packages that ``assetlint ARGS`` imports, from ``-X importtime``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", RUN, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["rules"], ["check", "--help"], ["fix", "--help"]],
    ids=" ".join,
)
def test_startup_imports_no_heavy_library(args: list[str]) -> None:
    names = imported(args)
    assert {"assetlint", "numpy"} <= names  # the output was read: numpy is the one kept
    assert sorted(names & HEAVY) == []


def test_the_cache_key_imports_no_rule_module(tmp_path) -> None:
    """A cached run answers from the key alone: the key is built from assetlint's files and
    the installed packs' versions, not from the rules, so no rule family is imported."""
    code = (
        "import sys; from pathlib import Path; from assetlint import batch; "
        f"cache = batch.Cache(Path({str(tmp_path)!r})); "
        "print(batch.entry_key(cache.salt, batch.Plan(), 'digest')); "
        "names = ('assetlint.rules.', 'assetlint.fix'); "
        "print(sorted(m for m in sys.modules if m.startswith(names)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    key, modules = proc.stdout.splitlines()
    # internal: the X codes a batch reports itself; scale: its unit table, read by targets
    assert len(key) == 64 and modules == "['assetlint.rules.internal', 'assetlint.rules.scale']"
