"""External validators as rule families: UsdValidation (U) on OpenUSD's own usdchecker
cases, and the Khronos glTF-Validator (V001) mapped from its report."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assetlint.engine import Engine
from assetlint.loaders import load
from assetlint.loaders._isolated import FAULT_ENV
from assetlint.model import LoadError
from assetlint.rules import validators
from tests.loaders.make_usd import write_usd
from tests.shapes import asymmetric_object

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
CHECKER = SHARED / "usd" / "openusd_usdchecker"
GLTF_CASES = SHARED / "gltf-validator"
needs_corpus = pytest.mark.skipif(not CHECKER.is_dir(), reason="../shared/corpus not present")


@pytest.fixture(scope="module")
def engine():
    return Engine.default(entry_points=False)


def u_codes(engine, path: Path) -> Counter:
    return Counter(f.code for f in engine.run(load(path), select=["U"]))


# The usdchecker case, and the U findings UsdValidation gives it (upstream expects each
# file of bad/ to fail and each file of clean/ meant as a stage to pass).
BAD = {
    "badGprimParent.usda": {"U005": 1},
    "badMaterialBindingAPIApplied.usda": {"U006": 1},
    "badSkelBindingAPIApplied.usda": {"U007": 1},
    "badSkelBindingNoSkelRoot.usda": {"U007": 1},
    "badShaderParent.usda": {"U005": 1},
    "badShaderScopeParent.usda": {"U005": 2},
    "badPropertyType.usd": {"U004": 1},
    "noDefaultPrim.usda": {"U001": 1},
    "noMetrics.usda": {"U001": 1},
    "noUpAxis.usda": {"U001": 1},
    "badMaterialBinding.usdc": {"U001": 2, "U006": 1},
    "unknownfile.usdz": {"U001": 2, "U003": 1},
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(BAD))
def test_usdchecker_bad_cases_fail(engine, name):
    assert u_codes(engine, CHECKER / "bad" / name) == BAD[name]


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "clean.usd",
        "clean.usdc",
        "clean.usdz",
        "clean_arkit.usdz",
        "clean_flat.usdz",
        "cleanMaterialBindingAPIApplied.usda",
        "cleanNormalMapReader.usda",
        "cleanSkelBindingAPIApplied.usda",
    ],
)
def test_usdchecker_clean_cases_pass(engine, name):
    assert u_codes(engine, CHECKER / "clean" / name) == Counter()


@needs_corpus
def test_usdz_packaging_is_reported_once_per_problem(engine):
    """Both the root-package and the all-packages validator see badUsdz.usdz's 12
    misaligned and 9 compressed members; each problem is reported once, with the
    package named relative to its folder."""
    findings = [f for f in engine.run(load(CHECKER / "bad" / "badUsdz.usdz"), select=["U003"])]
    assert len(findings) == 21
    assert sum("has compression" in f.message for f in findings) == 9
    assert sum("invalid offset" in f.message for f in findings) == 12
    assert all("'badUsdz.usdz'" in f.message and str(SHARED) not in f.message for f in findings)


@needs_corpus
def test_validator_errors_take_the_rule_severity_and_warnings_stay_warnings(engine):
    """badNormalMapReader: 3 errors and 2 "Warn" of UsdValidation. A pack raising U004 to
    error raises the errors only; lowering it to info lowers all."""
    asset = load(CHECKER / "bad" / "badNormalMapReader.usda")
    findings = engine.run(asset, select=["U004"])
    assert Counter(f.severity for f in findings) == {"warning": 5}
    findings = engine.run(asset, select=["U004"], severities={"U004": "error"})
    assert Counter(f.severity for f in findings) == {"error": 3, "warning": 2}
    findings = engine.run(asset, select=["U004"], severities={"U004": "info"})
    assert Counter(f.severity for f in findings) == {"info": 5}


# Upstream runs these with --arkit; usd-core 26.11 registers no ARKit validator.
ARKIT_ONLY = {"variants.usdc", "zUp.usdc"}


def bad_cases() -> list[Path]:
    folder = CHECKER / "bad"
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.suffix in (".usd", ".usda", ".usdc", ".usdz")]


@needs_corpus
@pytest.mark.parametrize("path", bad_cases(), ids=lambda p: p.name)
def test_every_usdchecker_failure_is_reported(engine, path):
    """Each file upstream expects usdchecker to fail gives a U or L warning (L when the
    loader refuses the broken reference before UsdValidation sees it), except the
    ARKit-only cases, which pass: a known gap, listed in docs/conformance.md."""
    try:
        asset = load(path)
    except LoadError:
        assert path.name == "alembic.usdz"  # no layer usd-core reads
        return
    # L008 (no triangle) is not a usdchecker failure: several cases hold no mesh
    found = engine.run(asset, ignore=["L008"])
    codes = {f.code for f in found if f.severity != "info" and f.code[0] in "UL"}
    assert bool(codes) == (path.name not in ARKIT_ONLY)


def test_generated_stages_pass_and_lose_their_metadata(engine, tmp_path):
    """write_usd authors units, up axis and defaultPrim: no U finding. Without them,
    U001 names each of the three."""
    pos, tris = asymmetric_object()
    path = write_usd(tmp_path / "a.usda", pos, tris, meters_per_unit=1.0, up_axis="Y")
    assert engine.run(load(path), select=["U"]) == []
    text = path.read_text()
    for key in ("defaultPrim", "metersPerUnit", "upAxis"):
        text = "\n".join(line for line in text.splitlines() if key not in line)
    path.write_text(text)
    findings = engine.run(load(path), select=["U"])
    assert [f.code for f in findings] == ["U001"] * 3
    assert sorted(f.message.split(" ")[-1] for f in findings) == [
        "defaultPrim.",
        "metersPerUnit.",
        "upAxis.",
    ]


def test_a_validator_crash_is_a_finding_and_this_process_lives_on(engine, tmp_path, monkeypatch):
    """UsdValidation runs in a forked child, as the loader does: usd-core can abort."""
    pos, tris = asymmetric_object()
    asset = load(write_usd(tmp_path / "a.usda", pos, tris, meters_per_unit=1.0, up_axis="Y"))
    monkeypatch.setenv(FAULT_ENV, "crash")
    findings = engine.run(asset, select=["U"])
    assert [(f.code, f.severity, f.message) for f in findings] == [
        ("U010", "warning", "UsdValidation: the validators crashed (signal 11, SIGSEGV)")
    ]


def test_gltf_validator_report_is_mapped(engine, tmp_path, monkeypatch):
    """Each message of the validator's report becomes a V001 finding with its code,
    pointer and severity (errors take the rule's severity)."""
    from tests.loaders.make_gltf import write_gltf

    pos, tris = asymmetric_object()
    path = write_gltf(tmp_path / "a.glb", pos, tris)
    report = {
        "issues": {
            "messages": [
                {
                    "code": "ACCESSOR_TOO_LONG",
                    "message": "too long",
                    "severity": 0,
                    "pointer": "/accessors/2",
                },
                {
                    "code": "NODE_EMPTY",
                    "message": "empty node",
                    "severity": 1,
                    "pointer": "/nodes/0",
                },
                {"code": "UNUSED_OBJECT", "message": "unused", "severity": 2},
            ]
        }
    }
    seen = []
    monkeypatch.setattr(validators, "run_gltf_validator", lambda p, *args: seen.append(p) or report)
    findings = engine.run(load(path), select=["V001"], severities={"V001": "warning"})
    assert seen == [path]
    assert [(f.severity, f.subject, f.message) for f in findings] == [
        ("warning", "/accessors/2", "ACCESSOR_TOO_LONG: too long"),
        ("warning", "/nodes/0", "NODE_EMPTY: empty node"),
        ("info", None, "UNUSED_OBJECT: unused"),
    ]


def test_gltf_validator_is_off_by_default_and_says_when_it_cannot_run(
    engine, tmp_path, monkeypatch
):
    """Without the npm package (no NODE_PATH, an empty module_dir) the selected rule
    gives one info finding saying why it did not run, and nothing is fetched."""
    from tests.loaders.make_gltf import write_gltf

    monkeypatch.delenv("NODE_PATH", raising=False)
    pos, tris = asymmetric_object()
    asset = load(write_gltf(tmp_path / "a.glb", pos, tris))
    assert "V001" not in {r.code for r in engine.selected()}
    findings = engine.run(
        asset, select=["V001"], params={"V001": {"module_dir": str(tmp_path / "none")}}
    )
    assert [f.severity for f in findings] == ["info"]
    assert findings[0].message in (
        "Khronos glTF-Validator not run: node is not installed",
        "Khronos glTF-Validator not run: the npm package gltf-validator is not installed "
        "(see module_dir)",
    )


@pytest.mark.skipif(
    validators.node_validator()[0] is None, reason="node or npm gltf-validator not installed"
)
@needs_corpus
def test_gltf_validator_runs_on_a_suite_case(engine):
    """Real run: the suite's alignment case gives the validator's own 6 errors."""
    case = GLTF_CASES / "base" / "data" / "accessor" / "alignment.gltf"
    findings = engine.run(load(case), select=["V001"])
    errors = Counter(f.message.split(":")[0] for f in findings if f.severity == "error")
    assert errors == {
        "ACCESSOR_OFFSET_ALIGNMENT": 1,
        "ACCESSOR_TOTAL_OFFSET_ALIGNMENT": 3,
        "ACCESSOR_TOO_LONG": 2,
    }


@needs_corpus
@pytest.mark.parametrize("spelling", ["absolute", "relative"])
def test_messages_name_files_relative_to_the_asset_folder_through_symlinks(
    engine, tmp_path, monkeypatch, spelling
):
    """usd-core names files by the absolute path as given (through the symlink), the
    loader by what it opened: whichever spelling, the folder is cut from every message."""
    (tmp_path / "checkout").mkdir()
    link = tmp_path / "checkout" / "shared"
    link.symlink_to(CHECKER / "bad", target_is_directory=True)
    if spelling == "relative":
        monkeypatch.chdir(tmp_path / "checkout")
        link = Path("shared")
    messages = {}
    for name in ("badUsdz.usdz", "brokenDep.usd", "refAbc.usdc", "unencapsulated_asset.usdz"):
        found = engine.run(load(link / name), select=["ALL"])
        messages[name] = [f"{f.code} {f.message}" for f in found]
    everything = "\n".join(m for ms in messages.values() for m in ms)
    for folder in (tmp_path, tmp_path.resolve(), CHECKER.resolve(), SHARED):
        assert str(folder) not in everything
    assert (
        "U003 RootPackageValidator: File 'clean_flat.usdc' in package 'badUsdz.usdz' has "
        "an invalid offset 73." in messages["badUsdz.usdz"]
    )
    assert (
        "U002 MissingReferenceValidator: Found unresolvable external dependency "
        "'nonExistent.jpg'." in messages["brokenDep.usd"]
    )
    assert (
        "L002 layer './alembic.abc' is unreadable: Cannot determine file format for "
        "@alembic.abc@" in messages["refAbc.usdc"]
    )
    assert (
        "U003 PackageEncapsulationValidator: Found asset reference 'refs/texture.jpg' that "
        "does not belong to the package 'unencapsulated_asset.usdz'."
        in messages["unencapsulated_asset.usdz"]
    )


@needs_corpus
def test_validator_findings_come_in_one_order(engine):
    """UsdValidation runs its validators concurrently and a validator's own errors come
    in any order (badCollMaterialBinding's U006 came out in two orders over six runs):
    the findings are sorted by validator, message and prim, so a report, its cache entry
    and a diff between two runs are the same every time."""
    path = CHECKER / "bad" / "badCollMaterialBinding.usdc"
    runs = [[(f.code, f.message) for f in engine.run(load(path), select=["U"])] for _ in range(4)]
    assert all(run == runs[0] for run in runs)
    u006 = [message for code, message in runs[0] if code == "U006"]
    assert len(u006) >= 2 and u006 == sorted(u006)
