"""G012 judges a mesh's parts in the scene's world space: a small part lying inside a
closed shell of another mesh is hidden (G016) or a cavity (G017), never floating debris,
as it already was inside a shell of its own mesh; the professional multi-mesh files have
no floating part."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetlint.engine import Engine
from assetlint.fix import FixContext, apply_fixes
from assetlint.loaders import load
from tests.rules.meshes import asset_of, cube, merge

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "gltf-samples"
shared = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def eye_in_a_head():
    """A head (closed cube, 3 m) and a second mesh: a body beside it (3 m) and a small
    bead (5 cm) that lies inside the head."""
    head = cube(3.0)
    other = merge(cube(3.0, offset=(5, 0, 0)), cube(0.05, offset=(1.5, 1.5, 1.5)))
    return asset_of(head, other)


def test_a_part_inside_another_mesh_s_shell_is_hidden_not_floating(engine):
    asset = eye_in_a_head()
    found = {f.code: f for f in engine.run(asset, select=["G012", "G016"])}
    assert sorted(found) == ["G016"]
    assert found["G016"].subject == "mesh1" and found["G016"].value == 12
    # the same bead outside every shell floats
    free = asset_of(cube(3.0), merge(cube(3.0, offset=(5, 0, 0)), cube(0.05, offset=(-2, 0, 0))))
    (floating,) = engine.run(free, select=["G012"])
    assert floating.subject == "mesh1" and floating.message.startswith("1 floating part (12 faces)")


def test_fix_does_not_delete_a_part_held_by_another_mesh_as_a_floater(engine):
    """Even given a G012 finding for the mesh (a lint that judged each mesh alone made
    one: the free bead's, same mesh label), the floaters step keeps the held bead."""
    free = asset_of(cube(3.0), merge(cube(3.0, offset=(5, 0, 0)), cube(0.05, offset=(-2, 0, 0))))
    (stale,) = engine.run(free, select=["G012"])
    asset = eye_in_a_head()
    ctx = FixContext([stale], engine.rules)
    assert apply_fixes(asset, ctx, select=["G012"]) == []
    assert asset.meshes[1].triangle_count == 24
    # the free bead is deleted so
    ctx = FixContext([stale], engine.rules)
    (applied,) = apply_fixes(free, ctx, select=["G012"])
    assert applied.changes == ["mesh1: deleted 12 floating triangles"]


@shared
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # the truck's two mirror brackets are copies of each other and the engine's cap
        # lies along its rod all round its rim: designed, not floating (both were
        # reported before G012 asked how a part was made)
        (SAMPLES / "CesiumMilkTruck" / "CesiumMilkTruck.glb", []),
        (SAMPLES / "2CylinderEngine_Draco" / "2CylinderEngine.gltf", []),
        (SAMPLES / "ClearCoatTest" / "ClearCoatTest.gltf", []),
        (SAMPLES / "AlphaBlendModeTest" / "AlphaBlendModeTest.glb", []),
    ],
)
def test_floating_parts_of_professional_multi_mesh_files(engine, path, expected):
    found = [
        (f.subject, f.message.split(" smaller than")[0])
        for f in engine.run(load(path), select=["G012"])
    ]
    assert found == expected
