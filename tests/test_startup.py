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


CHECK = (
    "import sys; from assetlint.cli import main; rc = main(sys.argv[1:]); "
    "names = ('assetlint.rules.', 'assetlint.analysis', 'assetlint.geometry'); "
    "print(sorted(m for m in sys.modules if m.startswith(names) or m.split('.')[0] in HEAVY)); "
    "sys.exit(rc)"
)


def cached_check(args: list[str], cwd) -> tuple[int, str, str, str]:
    """(exit code, stdout less the last line, stderr, the modules of interest imported)."""
    proc = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {sorted(HEAVY)!r}; {CHECK}", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    *out, modules = proc.stdout.splitlines()
    return proc.returncode, "\n".join(out), proc.stderr, modules


def test_a_cached_check_imports_no_rule_module(tmp_path) -> None:
    """The pre-commit case: an unchanged file is answered from the cache with the rule
    catalogue the first run stored (keyed like the entries by assetlint's sources), so no
    rule, analysis or geometry module is imported and no plugin is loaded; the findings,
    the exit code and the errors for a bad selector are those of a full run."""
    from tests.rules.meshes import cube
    from tests.test_cli import write_obj

    pos, tris = cube()
    write_obj(tmp_path / "holed.obj", pos, tris[2:])
    args = ["--cache-dir", "c", "--select", "G,L", "holed.obj"]
    cold = cached_check(args, tmp_path)
    assert cold[0] == 1 and "G003" in cold[1]
    assert [p.name for p in (tmp_path / "c").glob("rules-*.json")] != []
    warm = cached_check(args, tmp_path)
    assert warm[:3] == cold[:3]
    # internal: the X codes a batch reports itself; scale: its unit table, read by targets
    assert warm[3] == "['assetlint.rules.internal', 'assetlint.rules.scale']"
    bad = cached_check(["--cache-dir", "c", "--select", "ZZ9", "holed.obj"], tmp_path)
    assert bad[:3] == (2, "", "error: --select 'ZZ9' matches no rule code\n")
    assert "assetlint.rules.geometry" not in bad[3]
    # a selection not cached yet: linted by rules built for it, as without the cache
    other = cached_check(["--cache-dir", "c", "--select", "G003", "holed.obj"], tmp_path)
    fresh = cached_check(["--no-cache", "--select", "G003", "holed.obj"], tmp_path)
    assert other[:3] == fresh[:3] and other[0] == 1 and "assetlint.rules.geometry" in other[3]


PACKS = (
    "import sys; from assetlint.batch import cache; "
    "print([d.name for d in cache._pack_distributions()]); "
    "print('importlib.metadata' in sys.modules)"
)


def test_the_cache_key_reads_the_installed_packs_without_importlib_metadata(tmp_path) -> None:
    """The key names the installed rule packs; when no distribution declares one (a scan
    of the metadata folders on sys.path) importlib.metadata, a sixth of a cached run's
    CPU, is not imported; a pack installed as pip would is found as importlib finds it."""
    import os

    from tests.plugin_pack import install

    def packs(extra: list[str]) -> list[str]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(extra)}
        proc = subprocess.run(
            [sys.executable, "-c", PACKS], capture_output=True, text=True, timeout=120, env=env
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout.split("\n")[:2]

    assert packs([]) == ["[]", "False"]
    site = [str(p) for p in install(tmp_path / "site")]
    assert packs(site) == ["['assetlint-demo-pack']", "True"]
