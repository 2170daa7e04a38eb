"""O010 (lying on its side, back or front) on real generator output, silence on the
professional sets, and the rotation `fix` applies."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from assetlint.api import lint
from assetlint.fix.cli import add_fix_command, cmd_fix
from assetlint.fix.scene import rotate_scene
from assetlint.loaders import load
from assetlint.model import LoadError
from assetlint.rules.orientation import (
    Plane,
    bilateral_plane,
    facing,
    facing_direction,
    lying_flat,
    lying_pose,
    up_rotation,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
GENERATED = CORPUS / "generated-real"
needs_corpus = pytest.mark.skipif(not GENERATED.is_dir(), reason="shared corpus not present")

SIDE = (
    "lies on its side: its one mirror plane ({score} of the surface maps onto itself) is "
    "horizontal, so its up axis is horizontal; the bottom touches the ground at a point or "
    "an edge (0% of its footprint); {fix}"
)
BACK = (
    "lies on its back or front: its one mirror plane ({score} of the surface maps onto "
    "itself) is vertical; the bottom touches the ground at a point or an edge (0% of its "
    "footprint); {fix}"
)
STAND = "its -Z end is a flat base ({base}): rotate -90° about X to stand it up"

# MANIFEST.tsv's up_axis_as_rendered, checked on `assetlint render`: TripoSR's GLB lies on
# its side; the TripoSR robot lies on its side too (its bottom view shows its profile, not
# its face as the note says); InstantMesh's sword lies along Z (no flat end tells which
# way is up, so no rotation is offered); Point-E's figure lies on its back.
LYING = {
    "triposr_anik81-chibi-boy/output_model.glb": SIDE.format(
        score="87%", fix=STAND.format(base="9%")
    ),
    "triposr_speakandsee-robot/mesh.obj": SIDE.format(score="81%", fix=STAND.format(base="32%")),
    "instantmesh_artsousa-sword/sword.obj": SIDE.format(
        score="91%", fix="no end of it is a flat base that says which way is up (not rotated)"
    ),
    "point-e_mesieeeee-human/human.obj": BACK.format(score="98%", fix=STAND.format(base="16%")),
    # Shap-E's sword lies flat on its blade (stable, and its left-right plane is too thin
    # to count): a slab along Z filling the 2-unit cube, as the Z-up frame leaves it.
    "shap-e_vengelstad-sword/swordmesh.obj": "lies flat: a slab 4% as high as it is long, its "
    "length along Z filling the 2-unit cube generators fit their output into, as Z-up "
    "generators write a standing object into a Y-up file; rotate -90° about X to stand it "
    "on its -Z end (their up is +Z)",
}


def o010(path: Path) -> list[str]:
    report = lint(path, select=["O010"], config=False)
    return [f.message for f in report.findings if f.code == "O010"]


@needs_corpus
@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(GENERATED)) for p in GENERATED.glob("*/*.*") if p.is_file())
)
def test_generated_real_lying_down(path):
    if path.endswith((".tsv", ".md")):
        pytest.skip("not an asset")
    assert o010(GENERATED / path) == ([LYING[path]] if path in LYING else [])


PROFESSIONAL = sorted(
    p
    for folder in ("gltf-samples", "meshes", "usd", "fbx", "fbx-extra")
    for p in (CORPUS / folder).rglob("*")
    if p.suffix.lower() in (".glb", ".gltf", ".obj", ".fbx", ".usd", ".usda", ".usdc", ".usdz")
)


@needs_corpus
def test_professional_assets_are_not_lying():
    """Every readable model of the professional sets stands as authored (STL is not judged:
    slicers orient it)."""
    lying = []
    for path in PROFESSIONAL:
        try:
            asset = load(path)
        except LoadError:
            continue
        if lying_pose(asset) is not None or lying_flat(asset) is not None:
            lying.append(path.name)
    assert lying == []


@needs_corpus
def test_fix_stands_it_up_and_turns_it_in_one_run(tmp_path, capsys):
    """The lint before fixing does not judge the facing of an object that lies (O011 is
    silent while O010 fires): the orientation step judges it once the chibi stands, so one
    run also turns its face (+X once stood, as the reviewer saw it) to Unity's +Z, and the
    relint has neither O010 nor O011. Before, the relint reported O011 "faces +X" as new."""
    out = tmp_path / "boy.glb"
    parser = argparse.ArgumentParser()
    add_fix_command(parser.add_subparsers(dest="command"))
    source = GENERATED / "triposr_anik81-chibi-boy/output_model.glb"
    # the two codes only: the whole unity fix (its colour bake) takes ~40 s, and which
    # codes the lint judged is what the turn depends on
    args = ["fix", str(source), "--target", "unity", "--select", "O010,O011", "--output", str(out)]
    cmd_fix(parser.parse_args(args))
    said = capsys.readouterr().out
    assert "orientation (O010): rotate -90° about X: it lay on its side" in said
    assert "orientation (O010): rotate -90° about Y: it faced +X (O011, judged once it stood)" in (
        said
    )
    assert "new: O011" not in said
    report = lint(out, select=["O010", "O011"], target="unity", config=False)
    assert [f.code for f in report.findings] == []
    fixed = load(out)
    face = facing(fixed)
    assert (facing_direction(face.axis), face.sign) == ("+Z", True)
    bounds = fixed.bounds()
    assert np.allclose(bounds[1] - bounds[0], [0.505, 1.005, 0.434], atol=5e-3)


@needs_corpus
def test_fix_turns_nothing_the_selection_leaves_out(tmp_path, capsys):
    """`fix --select O010` stands the chibi up and leaves its facing to the relint."""
    out = tmp_path / "boy.glb"
    parser = argparse.ArgumentParser()
    add_fix_command(parser.add_subparsers(dest="command"))
    source = GENERATED / "triposr_anik81-chibi-boy/output_model.glb"
    args = ["fix", str(source), "--target", "unity", "--select", "O010", "--output", str(out)]
    cmd_fix(parser.parse_args(args))
    said = capsys.readouterr().out
    assert "orientation (O010): rotate -90° about X: it lay on its side" in said
    assert "it faced" not in said
    assert "new: O011 (warning) faces +X; the target's front is +Z: rotate -90° about Y" in said
    assert o010(out) == []
    bounds = load(out).bounds()
    assert np.allclose(bounds[1] - bounds[0], [0.434, 1.005, 0.505], atol=2e-3)


def test_up_rotation_names_the_quarter_turn():
    for up, text, image in [
        ((0, 0, 1), "rotate -90° about X", (0, 1, 0)),
        ((0, 0, -1), "rotate +90° about X", (0, 1, 0)),
        ((1, 0, 0), "rotate +90° about Z", (0, 1, 0)),
        ((0, -1, 0), "rotate +180° about X", (0, 1, 0)),
    ]:
        rotation, how = up_rotation(np.array(up, float))
        assert how == text
        assert np.allclose(rotation @ np.array(up, float), image)


def test_bilateral_plane_needs_one_clear_plane_across_a_solid():
    y, x = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
    assert bilateral_plane([Plane(x, 0.9, 0.5), Plane(y, 0.6, 0.5)]).score == 0.9
    assert bilateral_plane([Plane(x, 0.9, 0.5), Plane(y, 0.8, 0.5)]) is None  # a box
    assert bilateral_plane([Plane(y, 0.99, 0.1), Plane(x, 0.9, 0.5)]).score == 0.9  # a slab
    assert bilateral_plane([Plane(x, 0.7, 0.5)]) is None


def _turned(path: Path, axis: int, degrees: float):
    """A real upright asset turned about a world axis, as a generator's frame would leave it."""
    asset = load(path)
    t = np.radians(degrees)
    c, s = np.cos(t), np.sin(t)
    a, b = [i for i in range(3) if i != axis]
    rotation = np.eye(3)
    rotation[a, a], rotation[a, b], rotation[b, a], rotation[b, b] = c, -s, s, c
    rotate_scene(asset, rotation)
    return asset


@needs_corpus
def test_upright_assets_turned_over_are_found_lying():
    """The Hunyuan3D penguin stands on its feet; turned onto its back it is found with the
    rotation that undoes the turn. The car turned onto its side is found too, but no end of
    it is a flat base (wheels touch at points), so no rotation is claimed."""
    penguin = GENERATED / "hunyuan3d2_bravesailor-penguin/mesh.glb"
    assert lying_pose(load(penguin)) is None
    pose = lying_pose(_turned(penguin, 0, 90))
    assert (pose.kind, up_rotation(pose.axis)[1]) == ("back", "rotate -90° about X")
    car = GENERATED / "hunyuan3d2_ryanedward-car-white/white_mesh.glb"
    pose = lying_pose(_turned(car, 0, 90))
    assert (pose.kind, pose.base) == ("side", 0.0)


@needs_corpus
@pytest.mark.parametrize("turn", [(0, 0, 1), (0, 0, -1)])
def test_a_chair_on_its_back_or_front_stands_on_its_legs(turn):
    """The SF3D chair, squared to face +Z and tipped onto its back (or front): its legs
    reach the ground only roughly together (one within 1% of its height, all four within
    5%), and that end is the base it is stood on."""
    from assetlint.rules.orientation import facing, turn_about_y, y_rotation

    chair = load(GENERATED / "sf3d_prnyc-chair/mesh.glb")
    assert lying_pose(chair) is None
    rotate_scene(chair, y_rotation(turn_about_y(facing(chair).axis, np.array([0.0, 0, 1]))))
    rotate_scene(chair, up_rotation(np.array(turn, float))[0])
    pose = lying_pose(chair)
    assert (pose.kind, round(pose.base, 2)) == ("back", 0.36)
    assert up_rotation(pose.axis)[1] == (
        "rotate -90° about X" if turn[2] < 0 else "rotate +90° about X"
    )
    rotate_scene(chair, up_rotation(pose.axis)[0])
    assert lying_pose(chair) is None
    assert facing_direction(facing(chair).axis) == "+Z"


@needs_corpus
def test_fix_stands_the_flat_sword_up(tmp_path, capsys):
    out = tmp_path / "sword.obj"
    parser = argparse.ArgumentParser()
    add_fix_command(parser.add_subparsers(dest="command"))
    source = GENERATED / "shap-e_vengelstad-sword/swordmesh.obj"
    cmd_fix(parser.parse_args(["fix", str(source), "--target", "web", "--output", str(out)]))
    said = capsys.readouterr().out
    assert "orientation (O010): rotate -90° about X: it lay flat, its length along Z" in said
    assert o010(out) == []
    bounds = load(out).bounds()
    assert np.allclose(bounds[1] - bounds[0], [0.464, 1.952, 0.073], atol=2e-3)
