"""Nested shells: cavities and hidden shells are told apart from inside-out shells, on
cubes built in code and on a real generator output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint import targets as target_packs
from assetlint.engine import Engine
from assetlint.fix import FixContext, apply_fixes
from assetlint.fix.harm import shell_counts
from assetlint.geometry.shells import nesting, nesting_across_meshes
from assetlint.geometry.topology import topology
from assetlint.loaders import load
from assetlint.model import Mesh
from tests.rules.meshes import asset_of, cube, merge

GENERATED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "generated-real"
FISH = GENERATED / "tripo_fishabe-fish-rigged" / "fishanim.glb"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def hollow(inner_inward: bool = True, outer_inward: bool = False):
    """A 3 m cube with a 1 m cube in its middle, each facing the way asked."""
    outer_pos, outer_tris = cube(3.0)
    inner_pos, inner_tris = cube(1.0, offset=(1, 1, 1))
    if outer_inward:
        outer_tris = outer_tris[:, ::-1].copy()
    if inner_inward:
        inner_tris = inner_tris[:, ::-1].copy()
    return merge((outer_pos, outer_tris), (inner_pos, inner_tris))


def codes(engine, asset, target: str | None = None) -> dict[str, list]:
    families = ("game", "web", "print") if target is None else (target,)
    out: dict[str, list] = {}
    for family in families:
        for f in engine.run(asset, select=["G005", "G016", "G017"], target=family):
            out.setdefault(f.code, []).append(f)
    return out


def test_cavity_is_not_inside_out(engine):
    asset = asset_of(hollow())
    found = codes(engine, asset, "game")
    assert "G005" not in found and "G016" not in found
    (cavity,) = found["G017"]
    assert cavity.message == (
        "1 cavity inside a closed shell: 12 triangles of hidden interior geometry enclosing 1 m³"
    )
    kinds = nesting(topology(asset.meshes[0])).kind
    assert sorted(kinds.tolist()) == ["cavity", "outer"]


def test_solid_inside_a_solid_is_hidden(engine):
    found = codes(engine, asset_of(hollow(inner_inward=False)), "game")
    assert "G005" not in found and "G017" not in found
    (hidden,) = found["G016"]
    assert hidden.message == (
        "1 part (12 triangles) hidden inside another closed shell facing the same way, at "
        "least 100% inside (limit 0)"
    )
    assert hidden.value == 12


def test_inside_out_outer_shell_is_still_found(engine):
    # the whole object turned over: the outer shell is inside out; the inner one faces
    # the opposite way to it, so it stays the object's cavity
    found = codes(engine, asset_of(hollow(inner_inward=False, outer_inward=True)), "print")
    (inside_out,) = found["G005"]
    assert inside_out.message.startswith("1 of 1 outer closed shell inside out")
    assert inside_out.value == pytest.approx(-27.0)
    assert len(found["G017"]) == 1


def test_side_by_side_shells_are_not_nested():
    pos, tris = merge(cube(), cube(offset=(3, 0, 0)))
    nest = nesting(topology(Mesh("m", pos, tris)))
    assert nest.kind.tolist() == ["outer", "outer"]
    assert nest.container.tolist() == [-1, -1]


def test_lining_modelled_as_its_own_mesh_is_a_cavity_not_inside_out(engine):
    # the hollow box written as two meshes: the skin facing out, the lining facing into
    # the hollow. Judged alone the lining is an inward shell; in the scene it is inside
    # the skin's closed shell, facing the opposite way: the cavity, as in one mesh
    outer, inner = cube(3.0), cube(1.0, offset=(1, 1, 1))
    asset = asset_of(outer, (inner[0], inner[1][:, ::-1].copy()))
    for family in ("game", "print"):
        found = codes(engine, asset, family)
        assert sorted(found) == ["G017"]
        (cavity,) = found["G017"]
        assert cavity.subject == "mesh1"
        assert cavity.message == (
            "1 cavity inside a closed shell: 12 triangles of hidden interior geometry "
            "enclosing 1 m³"
        )
    assert nesting_across_meshes(asset, 1e-6)[1].tolist() == ["cavity"]
    assert nesting_across_meshes(asset, 1e-6)[0].tolist() == [""]
    assert shell_counts(asset) == {"outward": 1, "inward": 0, "cavity": 1, "hidden": 0}


def test_solid_modelled_as_its_own_mesh_inside_a_solid_is_hidden(engine):
    # an eyeball mesh wholly inside a closed head mesh, both facing out
    asset = asset_of(cube(3.0), cube(1.0, offset=(1, 1, 1)))
    found = codes(engine, asset, "game")
    assert sorted(found) == ["G016"]
    (hidden,) = found["G016"]
    assert hidden.subject == "mesh1" and hidden.value == 12
    # the lining alone, inside nothing, is inside out; the skin alone is a plain solid
    lining = cube(1.0, offset=(1, 1, 1))
    alone = codes(engine, asset_of((lining[0], lining[1][:, ::-1].copy())), "print")
    assert sorted(alone) == ["G005"]


def test_a_mirroring_instance_turns_the_facing_it_is_judged_by(engine):
    # the skin drawn through a mirroring node faces inward in the scene: the lining,
    # facing inward too, is then a solid hidden in it, not its cavity
    outer, inner = cube(3.0), cube(1.0, offset=(1, 1, 1))
    asset = asset_of(outer, (inner[0], inner[1][:, ::-1].copy()))
    mirror = np.diag([-1.0, 1.0, 1.0, 1.0])
    mirror[0, 3] = 3.0  # x -> 3 - x: the skin covers the same box
    node = next(n for n in asset.nodes if n.mesh == 0)
    node.world = node.local = mirror
    assert nesting_across_meshes(asset, 1e-6)[1].tolist() == ["hidden"]


TWO_OBJECTS = GENERATED.parent / "meshes" / "two_objects.obj"


@pytest.mark.skipif(not TWO_OBJECTS.is_file(), reason="shared corpus not present")
def test_a_solid_object_inside_another_object_is_hidden(engine):
    """trimesh's two_objects.obj: a unit tetrahedron ("o tetra") inside the unit cube
    ("o cube"), three of its faces on the cube's. Judged per mesh nothing nested; in
    the scene the tetrahedron is a solid inside a solid (at least 3 of its 4 faces vote
    inside)."""
    asset = load(TWO_OBJECTS)
    (hidden,) = codes(engine, asset, "game")["G016"]
    assert (hidden.subject, hidden.value) == ("tetra", 4)
    assert sorted(codes(engine, asset, "game")) == ["G016"]
    assert shell_counts(asset) == {"outward": 1, "inward": 0, "cavity": 0, "hidden": 1}


def test_fix_never_flips_a_cavity(engine):
    asset = asset_of(hollow())
    target = target_packs.resolve(["print"], engine)[0]
    before = target_packs.run_targets(engine, asset, [target])
    ctx = FixContext(before, engine.rules, target.params)
    # winding runs for a G004 elsewhere in the file: the cavity must keep facing inward
    from assetlint.findings import Finding

    ctx.findings.append(Finding("G004", "error", "x", "test.glb", subject="mesh0"))
    apply_fixes(asset, ctx, select=["G004"])
    volumes = sorted(topology(asset.meshes[0]).part_volumes.tolist())
    assert volumes == pytest.approx([-1.0, 27.0])


@pytest.mark.skipif(not FISH.is_file(), reason="shared corpus not present")
def test_fish_eyeballs_are_hidden_inside_the_body(engine):
    """The Tripo fish keeps two eyeballs inside its closed body: one closed shell (214
    triangles, 91% of its samples inside) and one open part (209 triangles, 91%); the
    visible eyes (open, 16% inside) and the mouth (closed, 56% inside) are not nested."""
    asset = load(FISH)
    topo = topology(asset.meshes[0])
    nest = nesting(topo)
    _, part = topo.parts
    hidden = nest.parts("hidden")
    assert sorted(np.bincount(part)[hidden].tolist()) == [209, 214]
    assert set(nest.container[hidden].tolist()) == {int(np.argmax(np.bincount(part)))}
    assert len(nest.parts("cavity")) == 0
    found = codes(engine, asset, "game")
    assert "G005" not in found and "G017" not in found
    (g016,) = found["G016"]
    assert g016.message == (
        "2 parts (423 triangles) hidden inside another closed shell facing the same way, at "
        "least 91% inside (limit 0)"
    )


CUBES = GENERATED.parent / "fbx-extra" / "assimp" / "cubes_with_outofrange_float.fbx"


@pytest.mark.skipif(not CUBES.is_file(), reason="shared corpus not present")
def test_hollow_cube_from_assimp_is_a_cavity_not_inside_out(engine, tmp_path, capsys):
    """assimp's cubes_with_outofrange_float.fbx: a 192-triangle cube with an inward
    192-triangle cube inside it. Before, G005 said "1 of 2 closed shells inside out" and
    fix flipped the hollow into a solid inside a solid."""
    import argparse

    from assetlint.fix.cli import add_fix_command, cmd_fix

    asset = load(CUBES)
    for family in ("game", "web", "print"):
        found = {
            f.code: f for f in engine.run(asset, select=["G005", "G016", "G017"], target=family)
        }
        assert set(found) == {"G017"}, family
    assert found["G017"].message == (
        "1 cavity inside a closed shell: 192 triangles of hidden interior geometry enclosing "
        "0.0004634 m³"
    )
    parser = argparse.ArgumentParser()
    add_fix_command(parser.add_subparsers(dest="command"))
    out = tmp_path / "cubes.glb"
    cmd_fix(parser.parse_args(["fix", str(CUBES), "--target", "print", "--output", str(out)]))
    assert "winding" not in capsys.readouterr().out
    mesh = load(out).meshes[-1]
    kinds = nesting(topology(mesh)).kind
    assert sorted(kinds.tolist()) == ["cavity", "outer"]
