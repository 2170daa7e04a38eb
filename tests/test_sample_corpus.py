"""The bundled corpus is what its generator makes, and assetlint finds in it exactly what
corpus/EXPECTED.json says (default rules, --target unity, --target print)."""

from __future__ import annotations

import json

import pytest

from corpus import expected, make_corpus

RECORD = json.loads(expected.EXPECTED.read_text())


def test_every_sample_is_recorded():
    names = [p.relative_to(expected.HERE).as_posix() for p in expected.sample_paths()]
    assert names == list(RECORD)


def test_samples_are_what_the_generator_makes(tmp_path):
    make_corpus.main(tmp_path)
    made = expected.sample_paths(tmp_path)
    assert [p.relative_to(tmp_path) for p in made] == [
        p.relative_to(expected.HERE) for p in expected.sample_paths()
    ]
    for path in made:
        committed = expected.HERE / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), committed


@pytest.mark.parametrize("name", list(RECORD))
def test_facts_and_findings_are_as_recorded(name):
    path = expected.HERE / name
    assert expected.facts(path) == RECORD[name]["facts"]
    for run, rows in RECORD[name]["findings"].items():
        target = None if run == "default" else run
        assert expected.findings(path, target) == rows, f"{name} with {run}"


def test_the_record_says_what_each_sample_is_for():
    """The corpus shows each kind of defect it is meant to (see the README's table)."""

    def codes(name: str, run: str = "default") -> set[str]:
        return {row[0] for row in RECORD[name]["findings"][run]}

    problems = {
        name: {r[0] for r in entry["findings"]["default"] if r[1] != "info"}
        for name, entry in RECORD.items()
    }
    assert problems["clean/crate.glb"] == set()
    assert {"G003", "G011", "G012", "H001"} <= codes("generated/statue.glb")
    assert "P002" in codes("print/bracket_mm.stl", "print")
    assert {"L002", "T001"} <= codes("obj/lamp.obj")
    assert codes("broken/truncated.glb") == {"L001"}
    chair = RECORD["usd/chair_cm_zup.usda"]["facts"]
    assert (chair["meters_per_unit"], chair["up_axis"]) == (0.01, "+Z")
    block = RECORD["fbx/block_cm_zup.fbx"]["facts"]
    assert (block["meters_per_unit"], block["up_axis"]) == (0.01, "+Z")
