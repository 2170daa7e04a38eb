"""What the renders draw and where the reports group a finding are declared by its rule
(``Rule.mark``, ``Rule.stage``): nothing in the renderer or the reporters names a rule
code, so adding a rule touches its module and its test only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import assetlint
from assetlint.cli import main
from assetlint.engine import Engine
from assetlint.geometry.raster import build_scene
from assetlint.render import marks
from assetlint.rules import MARKS, STAGES, RuleGroup

PACKAGE = Path(__file__).resolve().parents[2] / "assetlint"
SHARED = PACKAGE.parent / ".." / "shared" / "corpus"
# MeshGPT's person (non-manifold edges and vertices, holes, bad winding, floaters) and
# Cesium's milk truck (holes): every element-carrying G rule fires
CARRIERS = [
    SHARED / "generated-real" / "meshgpt_vsekai-person" / "output.glb",
    SHARED / "gltf-samples" / "CesiumMilkTruck" / "CesiumMilkTruck.glb",
]
ELEMENT_MARKS = set(MARKS) - {"spot", "none", "light", "highlight"}


@pytest.fixture(scope="module")
def rules():
    return Engine.default(entry_points=False).rules


def test_every_mark_has_a_colour_and_a_legend_and_every_rule_a_stage(rules):
    drawn_in_3d = set(MARKS) - {"none", "highlight"}  # highlights ring texture thumbnails
    assert set(marks.COLORS) == set(marks.LEGEND) == drawn_in_3d | {"back side"}
    assert {r.stage for r in rules.values()} == set(STAGES) - {"other"}
    drawn = {c: r.mark for c, r in rules.items() if r.mark in ELEMENT_MARKS}
    assert drawn == {
        "G001": "non-manifold",
        "G002": "non-manifold",
        "G003": "hole",
        "G004": "flipped",
        "G005": "flipped",
        "G012": "floater",
        "P001": "intersection",
    }
    declare = RuleGroup("test").rule(
        "Z001", "z", severity="info", summary="s", fix="f", rationale="r", mark="blob"
    )
    with pytest.raises(ValueError, match="mark 'blob' is not one of"):
        declare(lambda asset, ctx: ())


@pytest.mark.skipif(not all(p.is_file() for p in CARRIERS), reason="../shared/corpus absent")
def test_every_rule_whose_findings_carry_elements_declares_a_mark(rules):
    report = assetlint.lint(CARRIERS, select=["G", "P001"], config=False, keep_assets=True)
    carried = {f.code for r in report.results for f in r.findings if f.elements}
    assert carried >= {"G001", "G002", "G003", "G004", "G012"}
    assert {c for c in carried if rules[c].mark not in ELEMENT_MARKS} == set()
    # and each is drawn as it declares
    for result in report.results:
        scene = build_scene(result.asset)
        defects = marks.collect(result.asset, scene, result.findings, rules)
        for index, f in enumerate(result.findings):
            if f.elements:
                assert defects.marks[index].kind == rules[f.code].mark, f.code
            elif rules[f.code].mark == "none":
                assert index not in defects.marks, f.code


def test_a_new_rule_is_drawn_and_grouped_as_it_declares(tmp_path, rules):
    """A rule from a pack, declared in its own module only, is drawn with its mark and
    grouped under its stage by the HTML report."""
    from assetlint.reporters.html import render_html, stage
    from tests.render.shapes import asset_of, grid_box

    group = RuleGroup("demo", stage="materials and textures")

    @group.rule("Z901", "z-hole", severity="warning", summary="s", fix="f", mark="hole")
    def z_hole(asset, ctx):
        """A demo rule."""
        yield ctx.finding(
            "an edge", subject="box", subject_type="mesh", elements={"edges": [[0, 1]]}
        )

    asset = asset_of(*grid_box(2))
    declared = {**rules, **{r.code: r for r in group.rules}}
    finding = next(iter(z_hole(asset, _ctx(group.rules[0]))))
    defects = marks.collect(asset, build_scene(asset), [finding], declared)
    assert defects.marks[0].kind == "hole" and len(defects.marks[0].segments) == 1
    assert stage("Z901", declared) == "materials and textures" and stage("Z901") == "other"
    page = render_html([("box.glb", asset, [finding])], rules=declared)
    assert "<h3>Materials and textures</h3>" in page


def _ctx(rule):
    from assetlint.rules import RuleContext

    return RuleContext(rule=rule, path="box.glb", params={}, severity=rule.severity)


def test_renderer_and_reporters_name_no_rule_code():
    code = re.compile(r"[\"'][A-Z][0-9]{3}[\"']")
    sources = [PACKAGE / "render" / "marks.py", *(PACKAGE / "reporters").glob("*.py")]
    named = {p.name: code.findall(p.read_text(encoding="utf-8")) for p in sources}
    assert {name: found for name, found in named.items() if found} == {}


def test_explain_and_rules_json_show_mark_and_stage(capsys):
    import json

    assert main(["explain", "G003"]) == 0
    assert "Stage: mesh inspection    Drawn as: hole" in capsys.readouterr().out
    assert main(["rules", "--format", "json", "--select", "G003,T001"]) == 0
    listed = {r["code"]: (r["stage"], r["mark"]) for r in json.loads(capsys.readouterr().out)}
    assert listed == {
        "G003": ("mesh inspection", "hole"),
        "T001": ("materials and textures", "spot"),
    }
