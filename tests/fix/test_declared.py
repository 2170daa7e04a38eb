"""What `assetlint fix` repairs is declared once, by its repair steps, and every place
that says whether a rule is fixable (Rule.autofix, `explain`, `rules --format json`, the
README table, the reports' ``fixable``) reads that declaration."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assetlint.cli import main
from assetlint.docs import rules_table
from assetlint.engine import Engine
from assetlint.fix import fix_for, fixes, repaired_codes

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "generated-real"
# MeshGPT's person (degenerate triangles, flipped patches, floaters, an off-centre pivot)
# and InstantMesh's sword (floaters): real generator output the fix steps change
FIXED = [
    SHARED / "meshgpt_vsekai-person" / "output.glb",
    SHARED / "instantmesh_artsousa-sword" / "sword.obj",
]
STEP = re.compile(r"^(\w+) \(([A-Z0-9, ]+)\): ", re.M)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def test_every_code_a_fix_declares_is_a_rule_marked_fixable(engine):
    repaired = repaired_codes()
    assert len(repaired) >= 19
    assert repaired <= set(engine.rules)
    assert {c for c, r in engine.rules.items() if r.autofix} == repaired
    table = rules_table(engine.rules.values())
    for code in repaired:
        assert f"| {code} | `{engine.rules[code].name}` |" in table
        assert re.search(rf"^\| {code} \|[^\n]*\| yes \|", table, re.M), code


def test_explain_and_rules_json_say_auto_fix(engine, capsys):
    for fix in fixes():
        for code in fix.codes:
            assert main(["explain", code]) == 0
            assert "Auto-fix: yes" in capsys.readouterr().out, code
    assert main(["explain", "M004"]) == 0
    assert "Auto-fix: no" in capsys.readouterr().out
    assert main(["rules", "--format", "json"]) == 0
    listed = {r["code"]: r["autofix"] for r in json.loads(capsys.readouterr().out)}
    assert {c for c, fixable in listed.items() if fixable} == repaired_codes()


@pytest.mark.parametrize("path", FIXED, ids=lambda p: p.parent.name)
def test_every_code_fix_touches_is_declared(path, tmp_path, capsys):
    if not path.is_file():
        pytest.skip("../shared/corpus not present")
    src = tmp_path / path.name
    shutil.copy(path, src)
    assert main(["fix", str(src), "--target", "unity", "--dry-run"]) == 1
    steps = STEP.findall(capsys.readouterr().out)
    assert steps
    for name, codes in steps:
        for code in codes.split(", "):
            assert fix_for(code) == name, (name, code)
            assert code in repaired_codes()
