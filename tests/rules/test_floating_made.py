"""G012 asks how a small part was made. Debris is cut from a reconstructed surface by
noise: no two pieces alike, each separated from the object somewhere along its rim.
Designed small parts are copied (mirrored brackets, a pair of ornaments) or held all round
their rim by the surfaces they meet (a CAD face meshed on its own). On the real files:
the professional ones report nothing, each generator output reports exactly its debris,
and fix deletes exactly that."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assetlint.cli import main
from assetlint.engine import Engine
from assetlint.findings import Finding
from assetlint.fix import FixContext, apply_fixes
from assetlint.geometry import shells
from assetlint.geometry.shells import floating, repeated, rim_held
from assetlint.geometry.topology import topology
from assetlint.loaders import load
from tests.rules.meshes import asset_of, cube, merge

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
GENERATED = CORPUS / "generated-real"
SAMPLES = CORPUS / "gltf-samples"
TRUCK = SAMPLES / "CesiumMilkTruck" / "CesiumMilkTruck.glb"
BUNKER = GENERATED / "hunyuan3d2_devmechanica-bunker-textured" / "textured_mesh.glb"
PERSON = GENERATED / "meshgpt_vsekai-person" / "output.glb"
ONE = np.array([[0, 1, 2]], dtype=np.int32)  # a single triangle
shared = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
WHY = (
    "smaller than 0.10% of the main part's area or 2% of its size, none a copy of another "
    "part nor held all round its rim by other parts"
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.default(entry_points=False)


def g012(engine: Engine, asset) -> list[tuple[str | None, str]]:
    return [(f.subject, f.message) for f in engine.run(asset, select=["G012"])]


def plate(size: float, offset, lift: float = 0.0):
    """An open square plate (2 triangles) of side ``size`` at ``offset`` (x, z), lying
    flat at height 3 m (on the top of the 3 m cube, or on :func:`sheet`), raised
    ``lift`` above it."""
    x, z = offset
    y = 3.0 + lift
    pos = np.array([[x, y, z], [x + size, y, z], [x + size, y, z + size], [x, y, z + size]])
    return pos.astype(np.float32), np.array([[0, 2, 1], [0, 3, 2]], dtype=np.int32)


def sheet():
    """An open 3 m square sheet at height 3 m: a main part with no inside, so that what
    lies on it is judged as floating or not, never as nested in a shell."""
    return plate(3.0, (0.0, 0.0))


def test_a_mirrored_pair_of_small_parts_is_designed_a_lone_one_floats(engine):
    body = cube(3.0)
    left = cube(0.05, offset=(-1.0, 1.0, 1.0))
    right = (left[0] * [-1, 1, 1] + [4.05, 0, 0], left[1][:, ::-1].copy())  # mirrored, x=4
    pair = asset_of(merge(body, left, right))
    assert g012(engine, pair) == []
    topo = topology(pair.meshes[0])
    assert repeated(topo, np.ones(3, dtype=bool)).tolist() == [False, True, True]
    # a lone bead, or two beads of different sizes, float
    (lone,) = g012(engine, asset_of(merge(body, left)))
    assert lone[1].startswith(f"1 floating part (12 faces) {WHY}; the largest is 0.08")
    other = cube(0.06, offset=(4.0, 1.0, 1.0))
    (two,) = g012(engine, asset_of(merge(body, left, other)))
    assert two[1].startswith("2 floating parts (24 faces) ")


def test_copies_of_fewer_than_four_faces_prove_nothing(engine):
    """Single triangles come out congruent in a quantized soup (MeshGPT): still debris."""
    body = cube(3.0)
    tri = (np.array([[0, 0, 0], [0.05, 0, 0], [0, 0.05, 0]], np.float32) + [-1, 1, 1], ONE)
    twin = (tri[0] + [6, 0, 0], tri[1])
    (found,) = g012(engine, asset_of(merge(body, tri, twin)))
    assert found[1].startswith("2 floating parts (2 faces) ")


def test_a_plate_held_all_round_its_rim_is_designed_a_lifted_one_floats(engine):
    """A plate lying on the sheet has its whole rim on the sheet's surface: a face meshed
    on its own, not debris; lifted 1 cm it is separated, and floats."""
    body = sheet()
    held = asset_of(merge(body, plate(0.05, (1.0, 1.0))))
    assert g012(engine, held) == []
    topo = topology(held.meshes[0])
    assert rim_held(topo, np.ones(2, dtype=bool)).tolist() == [False, True]
    (lifted,) = g012(engine, asset_of(merge(body, plate(0.05, (1.0, 1.0), lift=0.01))))
    assert lifted[1].startswith("1 floating part (2 faces) ")
    # half over the edge of the sheet: part of its rim is in the air
    (overhang,) = g012(engine, asset_of(merge(body, plate(0.05, (2.98, 1.0)))))
    assert overhang[1].startswith("1 floating part (2 faces) ")


def test_a_zero_area_spike_on_the_surface_still_floats(engine):
    """A degenerate triangle lying along the surface (MeshGPT's spikes) is a line, not a
    surface anything holds."""
    body = sheet()
    spike = (np.array([[0.5, 3, 1], [1.0, 3, 1], [2.0, 3, 1]], np.float32), ONE)
    asset = asset_of(merge(body, spike))
    topo = topology(asset.meshes[0])
    assert not rim_held(topo, np.ones(2, dtype=bool)).any()
    assert floating(topo, 0.001, 0.02).tolist() == [False, True]


@shared
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # professional: copies (truck brackets, pirate pair) and a CAD cap held by its rod
        (TRUCK, []),
        (SAMPLES / "pirate_meshopt" / "pirate.glb", []),
        (SAMPLES / "2CylinderEngine_Draco" / "2CylinderEngine.gltf", []),
        # generator debris, each part unlike any other and free somewhere along its rim
        (BUNKER, [("tmpbukgfh90.ply", "1 floating part (46 faces)", "0.1154 m")]),
        (PERSON, [("geometry_0", "13 floating parts (13 faces)", "0.5547 m")]),
        (
            GENERATED / "instantmesh_artsousa-sword" / "sword.obj",
            [("sword", "3 floating parts (68 faces)", "0.03039 m")],
        ),
        (
            GENERATED / "trellis_gendb-ornament" / "mesh.glb",
            [("geometry_0", "16 floating parts (96 faces)", "0.05581 m")],
        ),
        (
            GENERATED / "meshy_dahee-character-animated" / "Meshy_Merged_Animations.glb",
            [("char1", "22 floating parts (103 faces)", "0.04716 m (mesh-local)")],
        ),
    ],
)
def test_floating_parts_of_real_files(engine, path, expected):
    assert g012(engine, load(path)) == [
        (subject, f"{parts} {WHY}; the largest is {size} across (limit 0)")
        for subject, parts, size in expected
    ]


@shared
def test_fix_for_unity_keeps_the_truck_s_mirror_brackets(tmp_path, capsys):
    """The brackets (42 faces each) are a mirrored pair: fix deletes no part of the truck,
    and its output reports no floater."""
    out = tmp_path / "truck.glb"
    main(["fix", str(TRUCK), "--target", "unity", "--output", str(out)])
    assert "floaters" not in capsys.readouterr().out
    before, after = load(TRUCK), load(out)
    parts = [topology(m).parts[0] for m in after.meshes]
    assert parts == [topology(m).parts[0] for m in before.meshes] == [10, 2]
    assert after.meshes[0].triangle_count >= before.meshes[0].triangle_count == 2088
    assert main(["check", "--no-cache", "--target", "unity", "--select", "G012", str(out)]) == 0


@shared
def test_the_floaters_step_keeps_the_brackets_even_given_a_finding(engine):
    """The step asks the same function as the rule: a G012 finding naming the truck's
    mesh (from a lint that judged otherwise) does not make it delete the brackets."""
    asset = load(TRUCK)
    stale = Finding("G012", "warning", "2 floating parts", str(TRUCK), "Cesium_Milk_Truck")
    assert apply_fixes(asset, FixContext([stale], engine.rules), select=["G012"]) == []
    assert asset.meshes[0].triangle_count == 2088


@shared
@pytest.mark.parametrize(
    ("path", "change"),
    [
        (BUNKER, "tmpbukgfh90.ply: deleted 46 floating triangles"),
        (PERSON, "geometry_0: deleted 13 floating triangles"),
    ],
)
def test_the_floaters_step_deletes_exactly_the_debris(engine, path, change):
    asset = load(path)
    findings = engine.run(asset, select=["G012"])
    (applied,) = apply_fixes(asset, FixContext(findings, engine.rules), select=["G012"])
    assert applied.changes == [change]
    assert engine.run(asset, select=["G012"]) == []


def test_the_rim_test_gives_one_answer_whatever_its_batch(monkeypatch):
    """Points and faces are measured a batch of pairs at a time (memory stays bounded):
    one pair at a time, the answer is the same."""
    asset = asset_of(merge(sheet(), plate(0.05, (1.0, 1.0)), plate(0.05, (2.0, 2.0), lift=0.01)))
    topo = topology(asset.meshes[0])
    every = np.ones(3, dtype=bool)
    assert rim_held(topo, every).tolist() == [False, True, False]
    monkeypatch.setattr(shells, "RIM_PAIRS", 1)
    assert rim_held(topo, every).tolist() == [False, True, False]
