"""The same asymmetric object, written in all five formats with different authored units
and up axes, must normalize to the same canonical bounds and triangle count.

This is the loaders' shared contract: any axis swap, mirror or unit slip in one loader
changes the bounds of the L-block (it is asymmetric along every axis)."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.loaders import load
from tests.loaders.make_fbx import write_fbx
from tests.loaders.make_gltf import write_gltf
from tests.loaders.make_obj import write_obj
from tests.loaders.make_stl import write_stl
from tests.loaders.make_usd import write_usd
from tests.shapes import asymmetric_object, to_authored

POSITIONS, TRIANGLES = asymmetric_object()
EXPECTED = np.array([[0.1, 0.0, -0.05], [0.5, 0.6, 0.15]])


def _gltf(path, binary):
    write_gltf(path, POSITIONS, TRIANGLES, binary=binary)


def _usd(fmt, mpu, up):
    def write(path):
        write_usd(
            path,
            to_authored(POSITIONS, mpu, up),
            TRIANGLES,
            meters_per_unit=mpu,
            up_axis=up,
            fmt=fmt,
        )

    return write


def _fbx(cm_per_unit, up):
    def write(path):
        authored = to_authored(POSITIONS, cm_per_unit / 100.0, up)
        write_fbx(path, authored, TRIANGLES, unit_scale_factor_cm=cm_per_unit, up_axis=up)

    return write


# name, writer, authored metres per unit (None: the format has none), authored up axis
CASES = [
    ("m_y.glb", lambda p: _gltf(p, True), 1.0, "+Y"),
    ("m_y.gltf", lambda p: _gltf(p, False), 1.0, "+Y"),
    ("unitless.obj", lambda p: write_obj(p, POSITIONS, TRIANGLES), None, None),
    ("unitless_bin.stl", lambda p: write_stl(p, POSITIONS, TRIANGLES, binary=True), None, None),
    ("unitless_ascii.stl", lambda p: write_stl(p, POSITIONS, TRIANGLES, binary=False), None, None),
    ("cm_z.usda", _usd("usda", 0.01, "+Z"), 0.01, "+Z"),
    ("mm_y.usdc", _usd("usdc", 0.001, "+Y"), 0.001, "+Y"),
    ("inch_z.usdz", _usd("usdz", 0.0254, "+Z"), 0.0254, "+Z"),
    ("cm_z.fbx", _fbx(1.0, "+Z"), 0.01, "+Z"),
    ("inch_y.fbx", _fbx(2.54, "+Y"), 0.0254, "+Y"),
    ("m_z.fbx", _fbx(100.0, "+Z"), 1.0, "+Z"),
]


@pytest.mark.parametrize("name,write,mpu,up", CASES, ids=[c[0] for c in CASES])
def test_same_object_same_canonical_bounds(tmp_path, name, write, mpu, up):
    path = tmp_path / name
    write(path)
    asset = load(path)
    assert asset.scene_triangle_count == len(TRIANGLES)
    np.testing.assert_allclose(asset.bounds(), EXPECTED, rtol=1e-4, atol=1e-4 * 0.6)
    if mpu is None:
        assert asset.authored.meters_per_unit is None
    else:
        assert asset.authored.meters_per_unit == pytest.approx(mpu)
    assert asset.authored.up_axis == up
    # no loader may mirror the object: the signed volume stays positive (outward winding)
    assert _signed_volume(asset) == pytest.approx(0.4 * 0.15 * 0.2 + 0.12 * 0.45 * 0.2, rel=1e-3)


def _signed_volume(asset) -> float:
    total = 0.0
    for mesh_index, node in asset.instances():
        mesh = asset.meshes[mesh_index]
        world = mesh.positions.astype(np.float64) @ node.world[:3, :3].T + node.world[:3, 3]
        a, b, c = (world[mesh.triangles[:, i]] for i in range(3))
        total += float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0
    return total
