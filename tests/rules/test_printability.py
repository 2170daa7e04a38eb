"""Printability rules P001 (self-intersection) and P002 (thin walls) through the engine."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys

import numpy as np
import pytest

from assetlint.engine import Engine
from tests.geometry.solids import folded_strip, hollow_box
from tests.rules.meshes import asset_of, cube, merge

MM = 0.001
THIN = hollow_box(20 * MM, (0.5 * MM, 2 * MM, 2 * MM), (18 * MM, 18 * MM, 18 * MM))
THICK = hollow_box(20 * MM, (2 * MM,) * 3, (18 * MM,) * 3)
CUBES = merge(cube(), cube(offset=(0.5, 0.3, 0.2)))

needs_embree = pytest.mark.skipif(
    importlib.util.find_spec("embreex") is None,
    reason="embreex (Embree ray casting) must be a dependency",
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def thin_share(message: str) -> float:
    """The percentage of thin samples a P002 message states."""
    return float(re.search(r"; ([0-9.]+)% of samples thinner", message).group(1))


def run(engine, asset, code, **params):
    return [f for f in engine.run(asset, select=[code], params={code: params}) if f.code == code]


def test_registered_for_the_print_target_only(engine):
    assert {"P001", "P002"} <= set(engine.rules)
    for code in ("P001", "P002"):
        rule = engine.rules[code]
        assert rule.targets == ("print",) and rule.severity == "error"
        assert len(rule.rationale) > 200 and rule.fix
    assert not [r for r in engine.selected() if r.prefix == "P"]
    assert not [r for r in engine.selected(target="game") if r.prefix == "P"]
    assert [r.code for r in engine.selected(target="print") if r.prefix == "P"] == [
        "P001",
        "P002",
    ]
    # not run without the target: the expensive tests cost nothing by default
    assert not [f for f in engine.run(asset_of(CUBES)) if f.code.startswith("P")]


def test_p001_two_interpenetrating_cubes(engine):
    (f,) = run(engine, asset_of(CUBES), "P001")
    assert f.severity == "error" and f.subject == "mesh0" and f.subject_type == "mesh"
    assert f.count == 12 and f.value == 12 and f.limit == 0
    assert f.message == (
        "12 triangles of 24 intersect other triangles of the mesh "
        "(faces 1, 3, 5, 7, 9, ...; limit 0)"
    )
    assert f.sample == {"faces": [1, 3, 5, 7, 9, 11, 12, 14, 16, 18, 20, 22]}
    assert f.location == pytest.approx([1 / 3, 1.0, 2 / 3])  # centre of face 1 (+Y side)


def test_p001_folded_strip_and_clean_solids(engine):
    (f,) = run(engine, asset_of(folded_strip()), "P001")
    assert f.count == 4 and f.sample == {"faces": [0, 1, 4, 5]}
    assert run(engine, asset_of(cube(), THICK), "P001") == []


def test_p001_refuses_pathological_meshes_with_an_info(engine):
    rng = np.random.default_rng(0)
    pos = rng.random((18_000, 3)).astype(np.float32)
    (f,) = run(engine, asset_of((pos, np.arange(18_000).reshape(-1, 3))), "P001")
    assert f.severity == "info" and f.message.startswith("self-intersection test skipped")


@needs_embree
def test_p002_thin_wall(engine):
    (f,) = run(engine, asset_of(THIN), "P002")
    assert f.severity == "error" and f.limit == 0.0008
    assert f.value == pytest.approx(0.0005, abs=1e-7)
    assert f.message.startswith("thinnest wall 0.50 mm at (")
    assert f.message.endswith("% of samples thinner (limit 0.1%)")
    assert thin_share(f.message) == pytest.approx(100 * 512 / 4032, abs=1.0)  # 12.7%
    assert f.count == pytest.approx(0.127 * 20_000, rel=0.08)
    assert f.sample["faces"][0] in {2, 8, 14, 20}  # the -X sides of box and cavity
    assert f.location[0] in (pytest.approx(0.0, abs=1e-9), pytest.approx(0.0005, abs=1e-9))


@needs_embree
def test_p002_thick_walls_and_parameters(engine):
    assert run(engine, asset_of(THICK), "P002") == []
    assert run(engine, asset_of(THIN), "P002", min_thickness=0.0004) == []
    assert run(engine, asset_of(THIN), "P002", max_thin_share=0.2) == []
    (f,) = run(engine, asset_of(THICK), "P002", min_thickness=0.0025)
    assert f.value == pytest.approx(0.002, abs=1e-7)


@needs_embree
def test_p002_measures_in_scene_metres(engine):
    """A node scaling the 2 mm box by 0.2 makes 0.4 mm walls; mirroring keeps the faces
    outward (rays still go in); the message gives the spot in scene metres."""
    asset = asset_of(THICK)
    node = asset.nodes[0]
    node.world = np.diag([-0.2, 0.2, 0.2, 1.0])
    node.world[:3, 3] = (1.0, 2.0, 3.0)
    (f,) = run(engine, asset, "P002")
    assert f.value == pytest.approx(0.0004, abs=1e-7)
    # every cavity side (6 x 16 x 16 mm) and the middle 16 x 16 mm of each outer side are
    # thin; rays from the outer 2 mm bands run along a side wall: 3072 / 3936 mm² = 78%
    assert f.message.startswith("thinnest wall 0.40 mm at (")
    assert thin_share(f.message) == pytest.approx(100 * 3072 / 3936, abs=1.5)
    x, y, z = (float(v) for v in f.message.split(" at (")[1].split(")")[0].split(", "))
    assert 0.996 <= x <= 1.0 and 2.0 <= y <= 2.004 and 3.0 <= z <= 3.004  # world metres
    assert all(0.0 <= c <= 0.02 for c in f.location)  # mesh-local metres


@needs_embree
def test_p002_measures_once_per_stretch(engine):
    """Three instances: rotated a quarter turn, mirrored, and both at half scale. Rotation
    and mirroring do not change distances: one measurement per scale, the thinnest kept."""
    asset = asset_of(THICK)
    node = asset.nodes[0]
    quarter = np.array([[0, 0, 1, 0], [0, 1, 0, 0], [-1, 0, 0, 0], [0, 0, 0, 1]], float)
    mirror = np.diag([1.0, -1.0, 1.0, 1.0])
    half = np.diag([0.5, 0.5, 0.5, 1.0])
    asset.nodes = [
        dataclasses.replace(node, name=str(i), world=w)
        for i, w in enumerate([quarter, mirror, quarter @ half, mirror @ half])
    ]
    (f,) = run(engine, asset, "P002", min_thickness=0.0015)
    assert f.value == pytest.approx(0.001, abs=1e-7)  # the half-scale 2 mm walls
    assert len([k for k in asset.meshes[0].cache if k[0] == "wall_thickness"]) == 2
    x, y, z = (float(v) for v in f.message.split(" at (")[1].split(")")[0].split(", "))
    assert 0 <= x <= 0.01 and 0 <= y <= 0.01 and -0.01 <= z <= 0  # rotated into place


@needs_embree
def test_p002_open_surface_is_reported_as_not_measured(engine):
    pos, tris = cube()
    (f,) = run(engine, asset_of((pos, tris[:, ::-1])), "P002")
    assert f.severity == "warning"
    assert f.message.startswith("wall thickness not measured: all 20,000 inward rays")


@needs_embree
def test_p002_skips_meshes_without_area(engine):
    nan = np.full((3, 3), np.nan, dtype=np.float32)
    flat = np.zeros((3, 3), dtype=np.float32)
    tri = np.array([[0, 1, 2]])
    assert run(engine, asset_of((nan, tri), (flat, tri)), "P002") == []


@needs_embree
def test_p002_share_shows_enough_digits(engine):
    (f,) = run(engine, asset_of(THIN), "P002", max_thin_share=0.12)  # 12.4% measured
    assert f.message.endswith("; 12.4% of samples thinner (limit 12%)")
    (f,) = run(engine, asset_of(THIN), "P002", min_thickness=0.00051, max_thin_share=0.0005)
    assert "(limit 0.05%)" in f.message


def test_p002_without_ray_caster_says_so(engine, monkeypatch):
    monkeypatch.setitem(sys.modules, "embreex", None)
    (f,) = run(engine, asset_of(THIN, cube()), "P002")
    assert f.severity == "info" and "pip install embreex" in f.message
