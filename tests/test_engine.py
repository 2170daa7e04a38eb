"""The rule engine: registry from plugins, --select/--ignore, params, internal errors."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from assetlint.engine import Engine, SelectionError
from assetlint.findings import SAMPLE_LIMIT
from assetlint.model import LOAD_CODES
from assetlint.plugins import BUILTIN_RULE_MODULES, PluginError, hookimpl
from assetlint.rules import Rule, RuleGroup
from tests.plugin_pack import install
from tests.rules.meshes import asset_of, cube, merge, soup


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def codes(findings) -> list[str]:
    return sorted({f.code for f in findings})


def test_builtin_rules_have_complete_metadata(engine):
    assert set(LOAD_CODES) <= set(engine.rules)
    assert {"G001", "G003", "G015", "X001"} <= set(engine.rules)
    for rule in engine.rules.values():
        assert rule.name and rule.summary and rule.fix, rule.code
        assert len(rule.rationale) > 80, rule.code  # a paragraph, not a stub
        assert rule.severity in ("error", "warning", "info")
    names = [r.name for r in engine.rules.values()]
    assert len(names) == len(set(names))


def test_builtin_modules_are_plugins_of_the_same_hook(engine):
    registered = {name for name, _ in engine.pm.list_name_plugin()}
    assert set(BUILTIN_RULE_MODULES) <= registered


def test_selection_by_code_and_prefix(engine):
    sel = [r.code for r in engine.selected(["G00"], ["G003"])]
    assert sel == ["G001", "G002", "G004", "G005", "G006", "G007", "G008", "G009"]
    # the more specific selector wins: G003 selected back although G0 is ignored
    sel = [r.code for r in engine.selected(["G003", "L"], ["G0", "L00"])]
    assert sel == ["G003"]
    # on a tie, ignore wins
    assert engine.selected(["G003"], ["G003"]) == []
    assert len(engine.selected(["ALL"])) == len(engine.rules)


def test_unknown_selector_is_a_usage_error(engine):
    with pytest.raises(SelectionError, match="Q9"):
        engine.selected(["Q9"])
    with pytest.raises(SelectionError, match="--ignore"):
        engine.selected(None, ["G999"])


def test_target_specific_rules_run_only_for_their_target_or_when_selected():
    group = RuleGroup("test")

    @group.rule("T901", "print-only", severity="error", summary="s", fix="f", targets=("print",))
    def print_only(asset, ctx):
        """Only matters for printing."""
        yield ctx.finding("printing problem")

    class Pack:
        @hookimpl
        def assetlint_rules(self):
            return group.rules

    eng = Engine.default(entry_points=False, extra=[Pack()])
    asset = asset_of(cube())
    assert "T901" not in codes(eng.run(asset))
    assert "T901" not in codes(eng.run(asset, target="game"))
    assert "T901" in codes(eng.run(asset, target="print"))
    assert codes(eng.run(asset, select=["T901"])) == ["T901"]


def test_a_rule_that_raises_becomes_x001_and_the_others_still_run():
    group = RuleGroup("test")

    @group.rule("T902", "broken", severity="warning", summary="s", fix="f")
    def broken(asset, ctx):
        """Always fails."""
        raise ZeroDivisionError("division by zero\nsecond line")

    class Pack:
        @hookimpl
        def assetlint_rules(self):
            return group.rules

    eng = Engine.default(entry_points=False, extra=[Pack()])
    p, t = cube()
    findings = eng.run(asset_of((p, t[2:])))  # an open cube: G003 must still be found
    internal = [f for f in findings if f.code == "X001"]
    assert len(internal) == 1
    assert internal[0].message == "rule T902 (broken) failed: ZeroDivisionError: division by zero"
    assert internal[0].subject == "T902" and internal[0].severity == "error"
    assert "G003" in codes(findings)
    assert "X001" not in codes(eng.run(asset_of((p, t[2:])), ignore=["X001"]))


def test_params_resolve_from_defaults_then_prefix_then_code(engine):
    rule = engine.rules["G012"]
    assert engine.resolve_params(rule) == {
        "weld_tolerance": 1e-6,
        "area_ratio": 0.001,
        "size_ratio": 0.02,
    }
    got = engine.resolve_params(
        rule, {"G012": {"area_ratio": 0.5}, "G": {"area_ratio": 0.1, "weld_tolerance": 1e-4}}
    )
    assert got == {"weld_tolerance": 1e-4, "area_ratio": 0.5, "size_ratio": 0.02}
    with pytest.raises(SelectionError, match="no parameter 'nope'"):
        engine.resolve_params(rule, {"G012": {"nope": 1}})


def test_params_change_what_a_rule_finds(engine):
    big, small = cube(), cube(0.1, (5, 0, 0))  # the small one: 1% of the area, 10% of size
    asset = asset_of(merge(big, small))
    assert "G012" not in codes(engine.run(asset, select=["G012"]))
    found = engine.run(asset, select=["G012"], params={"G012": {"size_ratio": 0.2}})
    assert codes(found) == ["G012"] and found[0].count == 1


def test_load_issues_are_findings_and_obey_selection(engine):
    asset = asset_of(cube())
    asset.issue("L002", "texture 'a.png' not found", subject="a.png")
    asset.issue("L004", "KHR_lights_punctual ignored", severity="info")
    assert codes(engine.run(asset)) == ["G015", "L002", "L004"]
    assert codes(engine.run(asset, ignore=["L004", "G015"])) == ["L002"]
    l002 = engine.run(asset, select=["L002"])[0]
    assert (l002.severity, l002.subject, l002.path) == ("warning", "a.png", "test.glb")


def test_samples_are_bounded_but_counts_are_not(engine):
    pos, tris = soup(*cube())
    many = [(pos + i * 3.0, tris) for i in range(10)]  # 360 soup vertices
    finding = engine.run(asset_of(merge(*many)), select=["G011"])[0]
    assert finding.count == 360
    assert finding.sample["vertices"] == list(range(SAMPLE_LIMIT))


def test_duplicate_codes_and_bad_packs_are_plugin_errors():
    class Clash:
        @hookimpl
        def assetlint_rules(self):
            return [Rule("G001", "again", "x", "error", "s", "r", "f")]

    with pytest.raises(PluginError, match="G001 is declared by both"):
        Engine.default(entry_points=False, extra=[Clash()])

    class Raises:
        @hookimpl
        def assetlint_rules(self):
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="failed to list its rules: boom"):
        Engine.default(entry_points=False, extra=[Raises()])


def test_rule_metadata_is_validated():
    with pytest.raises(ValueError, match="not a prefix and three digits"):
        Rule("G1", "n", "f", "error", "s", "r", "f")
    with pytest.raises(ValueError, match="unknown severity"):
        Rule("G901", "n", "f", "fatal", "s", "r", "f")
    with pytest.raises(ValueError, match="unknown targets"):
        Rule("G901", "n", "f", "error", "s", "r", "f", targets=("moon",))


@pytest.fixture
def demo_pack(tmp_path, monkeypatch):
    """The demo pack installed through its entry point, as pip would."""
    for folder in install(tmp_path):
        monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("assetlint_demo_pack", None)


def test_third_party_pack_from_entry_point_runs_and_can_be_ignored(demo_pack):
    eng = Engine.default()
    rule = eng.rules["DP001"]
    assert (rule.origin, rule.family, rule.params) == ("demo", "demo", {"min_length": 8})
    asset = asset_of(cube())
    asset.meshes[0].name = ""
    found = [f for f in eng.run(asset) if f.code == "DP001"]
    assert [(f.subject, f.message) for f in found] == [
        ("mesh #0", "mesh name '' is shorter than 8")
    ]
    assert codes(eng.run(asset, select=["DP"])) == ["DP001"]
    assert "DP001" not in codes(eng.run(asset, ignore=["DP001"]))
    assert eng.run(asset, select=["DP001"], params={"DP001": {"min_length": 0}}) == []


def test_findings_carry_the_measured_value_and_limit(engine):
    p, t = cube()
    pos = np.vstack([p, [[np.nan, 0, 0]]])
    tris = np.vstack([t, [[0, 1, 8], [0, 1, 99]]])
    found = {f.code: f for f in engine.run(asset_of((pos, tris)), select=["G009", "G010"])}
    assert (found["G009"].count, found["G009"].value, found["G009"].limit) == (1, 1.0, 0.0)
    assert found["G009"].sample == {"vertices": [8]}
    assert found["G010"].sample == {"faces": [13]}
    assert found["G010"].subject_type == "mesh"


def test_rules_judge_overflowing_values_without_numpy_warnings():
    """A node scaled by 1e200 overflows determinants and singular-value ratios to inf:
    the rules report what they can and numpy prints nothing (warnings as errors here)."""
    import warnings

    import numpy as np

    from tests.rules.pack_assets import box, instance, make_asset

    asset = make_asset(box())
    instance(asset, 0, np.diag([1e200, 1e-200, 1.0, 1.0]), name="huge")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        findings = Engine.default().run(asset)
    assert "X001" not in {f.code for f in findings}
    assert any(f.code == "O006" and f.subject == "huge" for f in findings)


def test_rules_on_threads_find_the_same_in_the_same_order():
    """The rules of one file spread over threads (families side by side, each family's
    rules in turn, shared evidence computed once): the same findings in the same order as
    one after another, on a real image-to-3D file with findings from several families,
    and a crashing rule still becomes X001 in its place."""
    from pathlib import Path

    from assetlint.loaders import load

    corpus = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    path = corpus / "generated-real" / "hunyuan3d1_vernon-banana" / "mesh.glb"
    if not path.is_file():
        pytest.skip("shared corpus not present")
    group = RuleGroup("test")

    @group.rule("T903", "broken", severity="warning", summary="s", fix="f")
    def broken(asset, ctx):
        """Always fails."""
        raise ValueError("no")

    class Pack:
        @hookimpl
        def assetlint_rules(self):
            return group.rules

    eng = Engine.default(entry_points=False, extra=[Pack()])
    runs = {}
    for threads in (1, 2, 4):
        eng.threads = threads
        found = eng.run(load(path), target="game")  # a fresh asset: every cache cold
        runs[threads] = [(f.code, f.subject, f.message) for f in found]
    assert runs[2] == runs[1] and runs[4] == runs[1]
    families = {eng.rules[code].family for code, _, _ in runs[1] if code in eng.rules}
    assert {"heuristics", "orientation", "geometry", "internal"} <= families
    assert ("X001", "T903", "rule T903 (broken) failed: ValueError: no") in runs[1]


def test_on_a_large_asset_the_heavy_families_run_one_at_a_time():
    """Their memory peaks would add up: geometry, heuristics and orientation run in turn
    on one thread, light families beside them; results stay in the rules' order and
    every family is reported done once."""
    import threading
    import time

    from assetlint.engine import run_grouped

    families = ["geometry", "heuristics", "orientation", "budgets", "materials", "geometry"]
    rules = [
        Rule(f"Z{i:03d}", "r", fam, "warning", "s", "r", "f") for i, fam in enumerate(families)
    ]
    lock = threading.Lock()
    running: set[str] = set()
    overlaps: list[set[str]] = []

    def check(i: int) -> list:
        with lock:
            running.add(rules[i].family)
            overlaps.append(set(running))
        time.sleep(0.05)
        with lock:
            running.discard(rules[i].family)
        return [i]

    for large in (True, False):
        overlaps.clear()
        done: list[str] = []
        results = run_grouped(rules, check, 4, large, done.append)
        assert results == [[i] for i in range(len(rules))]
        assert sorted(done) == sorted(set(families))
        heavy = [o & {"geometry", "heuristics", "orientation"} for o in overlaps]
        assert (max(len(h) for h in heavy) == 1) == large
    assert any(len(o) > 1 for o in overlaps)  # light families still ran beside


def test_a_large_mesh_drops_its_topology_once_the_geometry_rules_are_done(monkeypatch):
    """The topology (~150 MB per million triangles) is read by G and P rules only: on a
    large mesh it is dropped after them, with the same findings, and kept when another
    run follows (a second target) or when the mesh is small."""
    from pathlib import Path

    import assetlint.engine
    from assetlint.loaders import load

    corpus = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    path = corpus / "generated-real" / "hunyuan3d1_vernon-banana" / "mesh.glb"
    if not path.is_file():
        pytest.skip("shared corpus not present")
    eng = Engine.default(entry_points=False)

    def run(**kw):
        asset = load(path)
        found = [(f.code, f.subject, f.message) for f in eng.run(asset, target="print", **kw)]
        cached = {k[0] if isinstance(k, tuple) else k for k in asset.meshes[0].cache}
        return found, cached

    small, kept = run()
    assert {"topology", "nesting"} <= kept
    monkeypatch.setattr(assetlint.engine, "LARGE_MESH", 1)
    large, dropped = run()
    assert large == small and "G014" in {code for code, _, _ in large}  # seams: topology
    assert not {"topology", "nesting"} & dropped
    assert {"topology", "nesting"} <= run(keep_caches=True)[1]


def test_the_batch_gives_idle_cores_to_the_rules_of_its_files(monkeypatch):
    """--jobs 4 on one file: its rules get 4 threads; on as many files as workers: 1."""
    import assetlint.engine
    from assetlint import batch
    from assetlint.batch import pool

    class Stop(Exception):
        pass

    def no_worker(ctx, memory):
        raise Stop

    seen: list[int] = []
    monkeypatch.setattr(assetlint.engine, "set_rule_threads", seen.append)
    monkeypatch.setattr(pool, "_Worker", no_worker)
    for files, processes in [(1, 4), (2, 5), (3, 4), (8, 2)]:
        with pytest.raises(Stop):
            batch.run_local([("x", None, None)] * files, processes, 1.0, lambda i, r: None)
    assert seen == [4, 2, 1, 1]


def test_a_repeated_selection_follows_the_rules_it_was_made_from():
    """Every file asks the engine the same selection: the answer is kept, but a rule
    replaced since (other targets, other checks) is answered afresh, and a bad selector
    still raises each time."""
    import dataclasses

    engine = Engine.default(entry_points=False)
    first = engine.selected(None, (), "print")
    assert first == engine.selected(None, (), "print")
    g001 = engine.rules["G001"]
    assert g001 in first
    engine.rules["G001"] = dataclasses.replace(g001, targets=("web",))
    assert "G001" not in [r.code for r in engine.selected(None, (), "print")]
    engine.rules["G001"] = replaced = dataclasses.replace(g001, summary="replaced")
    assert replaced in engine.selected(None, (), "print")
    for _ in range(2):
        with pytest.raises(SelectionError, match="Q9"):
            engine.selected(["Q9"])
