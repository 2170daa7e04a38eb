"""One lint run for every front end (:mod:`assetlint.runner`): `check`, `render`, the HTML
report and `fix` read each file once, in the same worker, and judge it with the same
findings; the renders draw exactly the elements those findings name, computing nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import assetlint
from assetlint.cli import main
from assetlint.findings import Finding
from assetlint.geometry.raster import build_scene
from assetlint.render import marks, views

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
# MeshGPT's person: 3 non-manifold edges, 663 bow-tie vertices, 113 holes (3,135 open
# edges), 38 badly wound edges, 13 floating triangles: all past the 20-element sample
PERSON = SHARED / "generated-real" / "meshgpt_vsekai-person" / "output.glb"
# Cesium's milk truck: 2 holes and the wheels drawn twice (its two mirror brackets are
# copies of each other, designed parts, not floating)
TRUCK = SHARED / "gltf-samples" / "CesiumMilkTruck" / "CesiumMilkTruck.glb"
needs_corpus = pytest.mark.skipif(
    not PERSON.is_file() or not TRUCK.is_file(), reason="../shared/corpus not present"
)
DRAWN = ["--select", "G001,G002,G003,G004,G005,G012"]


@pytest.fixture
def loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """The files the loader was asked for, in this process and in the workers it forks
    (each call is appended to a file)."""
    import assetlint.loaders

    log = tmp_path / "loads.log"
    real = assetlint.loaders.load

    def counting(path):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path}\n")
        return real(path)

    monkeypatch.setattr(assetlint.loaders, "load", counting)
    return lambda: log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """(asset, findings, defects) of every render made, as the renderer collected them."""
    seen: list[tuple] = []
    real = views.collect

    def spy(asset, scene, findings, rules=None):
        defects = real(asset, scene, findings, rules)
        seen.append((asset, scene, list(findings), defects))
        return defects

    monkeypatch.setattr(views, "collect", spy)
    return seen


def checked(capsys, path: Path, *argv: str) -> list[dict]:
    """The findings `check` reports for ``path``, as JSON."""
    main(["check", "--no-cache", "--format", "json", *argv, str(path)])
    return json.loads(capsys.readouterr().out)["findings"]


def as_json(findings: list[Finding]) -> list[dict]:
    keys = ("rule", "fixable")
    return [{k: v for k, v in f.items() if k not in keys} for f in json_findings(findings)]


def json_findings(findings: list[Finding]) -> list[dict]:
    return json.loads(json.dumps([f.to_dict() for f in findings]))


@needs_corpus
def test_render_and_the_html_report_load_once_and_draw_check_s_findings(
    tmp_path, capsys, loads, drawn
):
    expected = [
        {k: v for k, v in f.items() if k not in ("rule", "fixable")}
        for f in checked(capsys, PERSON)
    ]
    assert loads() == [str(PERSON)]
    assert main(["render", str(PERSON), "--output", str(tmp_path / "views.png")]) == 0
    assert loads() == [str(PERSON)] * 2  # check's, then render's one
    assert as_json(drawn[-1][2]) == expected
    page = tmp_path / "report.html"
    main(["check", "--no-cache", "--format", "html", "--output", str(page), str(PERSON)])
    assert loads() == [str(PERSON)] * 3  # the report draws the asset the lint read
    assert as_json(drawn[-1][2]) == expected
    assert page.read_text(encoding="utf-8").count('<figure id="asset-1-') == 7


@needs_corpus
def test_fix_plans_from_the_findings_of_the_one_run(tmp_path, capsys, loads, monkeypatch):
    from assetlint.fix import cli as fix_cli

    expected = checked(capsys, PERSON, "--target", "unity")
    planned: list[list[Finding]] = []
    apply = fix_cli.apply_fixes

    def spy(asset, ctx, *args):
        planned.append(list(ctx.findings))
        return apply(asset, ctx, *args)

    monkeypatch.setattr(fix_cli, "apply_fixes", spy)
    before = len(loads())
    main(["fix", str(PERSON), "--target", "unity", "--dry-run"])
    assert loads()[before:] == [str(PERSON)]
    strip = ("rule", "fixable")
    assert as_json(planned[0]) == [{k: v for k, v in f.items() if k not in strip} for f in expected]


def _mark_of(defects, findings, code: str):
    (index,) = [i for i, f in enumerate(findings) if f.code == code]
    return findings[index], defects.marks[index]


def _drawn_exactly(asset, scene, findings, defects) -> dict[str, int]:
    """Check every mark against the elements its finding names; how many of each."""
    out = {}
    for index, f in enumerate(findings):
        mark = defects.marks.get(index)
        if f.code not in ("G001", "G002", "G003", "G004", "G005", "G012"):
            continue
        assert mark is not None, f.code
        mesh_index = next(i for i, m in enumerate(asset.meshes) if m.name == f.subject)
        mesh = asset.meshes[mesh_index]
        copies = sum(1 for m, _, _ in scene.instances if m == mesh_index)
        if "edges" in f.elements:
            pairs = f.elements["edges"]
            ends = np.concatenate(scene.world_points(mesh_index, mesh.positions[pairs.ravel()]))
            assert np.allclose(mark.segments.reshape(-1, 3), ends)
            out[f.code] = len(pairs)
        if "faces" in f.elements:
            faces = scene.global_faces(mesh_index, f.elements["faces"])
            assert len(faces) == copies * len(np.unique(f.elements["faces"]))
            assert np.array_equal(np.sort(mark.faces), np.sort(faces))
            out.setdefault(f.code, len(f.elements["faces"]))
        if f.code == "G002":
            verts = f.elements["vertices"]
            assert len(mark.points) == copies * len(verts)
            out[f.code] = len(verts)
        if f.code == "G012":
            parts = np.unique(f.elements["parts"])
            assert len(mark.rings) == copies * min(len(parts), marks.MAX_RINGS)
            out["G012 parts"] = len(parts)
    return out


@needs_corpus
@pytest.mark.parametrize(
    ("path", "counts"),
    [
        (
            PERSON,
            {"G001": 3, "G002": 663, "G003": 3135, "G004": 38, "G012": 13, "G012 parts": 13},
        ),
        (TRUCK, {"G002": 2, "G003": 8}),
    ],
    ids=["person", "truck"],
)
def test_renders_draw_every_element_the_findings_name(tmp_path, drawn, path, counts):
    report = assetlint.lint(path, select=DRAWN[1].split(","), config=False, keep_assets=True)
    (result,) = report.results
    views.render_views(result.asset, result.findings, size=64)
    assert _drawn_exactly(*drawn[-1]) == counts
    # past the bounded sample: the JSON still carries at most 20 of each, and no elements
    for f in result.findings:
        assert all(len(v) <= 20 for v in f.sample.values())
        assert "elements" not in f.to_dict()
    # the renderer computed nothing: no rule's memo on the meshes it drew
    assert all(not mesh.cache for mesh in result.asset.meshes)
    # the HTML report of the same run draws the same marks
    from assetlint.reporters import render

    render("html", report)
    assert _drawn_exactly(*drawn[-1]) == counts


@needs_corpus
def test_a_finding_read_back_from_json_draws_its_sample_only(drawn):
    report = assetlint.lint(PERSON, select=["G003"], config=False, keep_assets=True)
    (result,) = report.results
    asset = result.asset
    (read_back,) = [Finding(**f.to_dict()) for f in result.findings]
    assert read_back.elements == {} and len(read_back.sample["edges"]) == 20
    scene = build_scene(asset)
    defects = marks.collect(asset, scene, [read_back])
    assert len(defects.marks[0].segments) == 20
    assert all(not mesh.cache for mesh in asset.meshes)
    # a run that draws nothing keeps no element ids (a batch of scans holds its samples)
    (plain,) = assetlint.lint(PERSON, select=["G003"], config=False).findings
    assert plain.elements == {} and plain.sample == read_back.sample


def test_render_and_fix_read_within_check_s_time_limit(tmp_path, monkeypatch, capsys):
    """The one run reads in check's worker, under the config's time limit: a reader that
    hangs is a clear error for `render` and `fix`, and they go on to exit."""
    import time

    import assetlint.loaders
    from tests.loaders.make_gltf import write_gltf
    from tests.shapes import asymmetric_object

    path = write_gltf(tmp_path / "block.glb", *asymmetric_object())
    (tmp_path / "pyproject.toml").write_text("[tool.assetlint]\ntimeout = 2\n", encoding="utf-8")
    monkeypatch.setattr(assetlint.loaders, "load", lambda path: time.sleep(60))
    start = time.monotonic()
    assert main(["render", str(path), "--output", str(tmp_path / "views.png")]) == 2
    assert main(["fix", str(path), "--target", "unity", "--dry-run"]) == 2
    assert time.monotonic() - start < 30
    said = capsys.readouterr().err.splitlines()
    assert said == [
        f"{path}: error: not checked: linting took longer than the 2 s time limit",
        f"error: {path}: not checked: linting took longer than the 2 s time limit",
    ]
    assert not (tmp_path / "views.png").exists()
