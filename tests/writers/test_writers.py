"""Writers: what is written reads back the same through assetlint's own loaders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree

from assetlint.loaders import load
from assetlint.writers import WriteError, write, writer_for
from tests.fix.assets import textured_sphere


@pytest.fixture
def sphere():
    asset = textured_sphere(rows=8, cols=16)
    asset.nodes[0].local[:3, 3] = asset.nodes[0].world[:3, 3] = [1.0, 2.0, 3.0]
    return asset


def test_glb_round_trip(tmp_path, sphere):
    write(sphere, tmp_path / "s.glb")
    back = load(tmp_path / "s.glb")
    mesh, orig = back.meshes[0], sphere.meshes[0]
    assert back.format == "glb"
    assert (mesh.triangle_count, mesh.vertex_count) == (224, 153)
    assert np.array_equal(mesh.positions, orig.positions)
    assert np.array_equal(mesh.uvs[0], orig.uvs[0])
    # triangles are regrouped by material: compare as sets of (corners, slot)
    assert sorted(map(tuple, np.column_stack([mesh.triangles, mesh.material_indices]))) == sorted(
        map(tuple, np.column_stack([orig.triangles, orig.material_indices]))
    )
    assert [m.name for m in back.materials] == ["top", "bottom"]
    assert [m.textures["base_color"].texture for m in back.materials] == [0, 0]
    assert (back.textures[0].width, back.textures[0].height) == (64, 64)
    assert np.allclose(back.nodes[0].world[:3, 3], [1.0, 2.0, 3.0])


def test_obj_round_trip_writes_mtl_and_texture(tmp_path, sphere):
    write(sphere, tmp_path / "s.obj")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.mtl", "s.obj", "s_tex0.png"]
    back = load(tmp_path / "s.obj")
    mesh = back.meshes[0]
    assert mesh.triangle_count == 224
    assert [m.name for m in back.materials] == ["top", "bottom"]
    assert back.textures[0].width == 64
    bounds = back.bounds()
    assert np.allclose(bounds, [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]], atol=1e-5)
    # UVs come back top-left after the bottom-left file: same texel per corner
    orig = sphere.meshes[0]
    corners = lambda m, shift: np.concatenate(  # noqa: E731
        [m.positions + shift, m.uvs[0]], axis=1
    )[m.triangles.reshape(-1)]
    distance, _ = cKDTree(corners(orig, [1.0, 2.0, 3.0])).query(corners(mesh, 0.0))
    assert distance.max() < 1e-5


def test_stl_in_millimetres_z_up(tmp_path, sphere):
    write(sphere, tmp_path / "s.stl", meters_per_unit=0.001, up_axis="+Z")
    back = load(tmp_path / "s.stl")  # read raw: one unit a metre, Y up
    assert back.meshes[0].triangle_count == 224
    # (x, y, z) metres Y up -> (x, -z, y) millimetres Z up
    assert np.allclose(
        back.bounds(), [[0.0, -4000.0, 1000.0], [2000.0, -2000.0, 3000.0]], atol=1e-2
    )


@pytest.mark.parametrize("name", ["s.usda", "s.usdc", "s.usdz"])
def test_usd_round_trip(tmp_path, sphere, name):
    write(sphere, tmp_path / name)
    back = load(tmp_path / name)
    assert back.authored.up_axis == "+Y"
    assert back.authored.meters_per_unit == 1.0
    assert back.scene_triangle_count == 224
    assert sorted(m.name.rsplit("/", 1)[-1] for m in back.materials) == ["bottom", "top"]
    assert (back.textures[0].width, back.textures[0].missing) == (64, False)
    assert np.allclose(back.bounds(), [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]], atol=1e-5)
    mesh = back.meshes[0]
    assert (
        np.bincount(mesh.material_indices).tolist()
        == np.bincount(sphere.meshes[0].material_indices).tolist()
    )
    expected = ["s.usdz"] if name == "s.usdz" else [name, "s_tex0.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)


def test_usd_z_up_keeps_the_object_upright(tmp_path, sphere):
    write(sphere, tmp_path / "z.usda", up_axis="+Z")
    back = load(tmp_path / "z.usda")
    assert back.authored.up_axis == "+Z"
    assert np.allclose(back.bounds(), [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]], atol=1e-5)


def test_fbx_and_unknown_formats_are_refused():
    with pytest.raises(WriteError, match="writing FBX is out of scope"):
        writer_for(__import__("pathlib").Path("a.fbx"))
    with pytest.raises(WriteError, match="cannot write .ply"):
        writer_for(__import__("pathlib").Path("a.ply"))


def test_obj_never_writes_nan_colours(tmp_path, sphere):
    mesh = sphere.meshes[0]
    colours = np.full((mesh.vertex_count, 4), 0.5, dtype=np.float32)
    colours[:3, 0] = np.nan
    colours[3, 1] = np.inf
    colours[4, 2] = -2.0
    mesh.colors = colours
    out = tmp_path / "x.obj"
    write(sphere, out)
    text = out.read_text()
    assert "nan" not in text.lower() and "inf" not in text.lower()
    back = load(out).meshes[0].colors
    assert back is not None and np.isfinite(back).all()
    assert back[:, :3].min() >= 0.0 and back[:, :3].max() <= 1.0


TRUCK = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "corpus"
    / "gltf-samples"
    / "CesiumMilkTruck"
    / "CesiumMilkTruck.glb"
)


@pytest.mark.skipif(not TRUCK.is_file(), reason="shared corpus not present")
@pytest.mark.parametrize("suffix", [".glb", ".obj", ".usda"])
def test_a_uv_set_some_primitives_lack_is_written_finite(tmp_path, suffix):
    """CesiumMilkTruck's glass primitive has no TEXCOORD_0 while the body's do: the joined
    mesh holds NaN for the glass's 536 vertices, and writing them gave the fixed file a
    new L007 (ACCESSOR_INVALID_FLOAT, 1072 components)."""
    asset = load(TRUCK)
    uv = asset.meshes[0].uvs[0]
    assert int(np.isnan(uv).any(axis=1).sum()) == 536
    write(asset, tmp_path / f"t{suffix}")
    back = load(tmp_path / f"t{suffix}")
    assert all(np.isfinite(u).all() for m in back.meshes for u in m.uvs)
    assert [f.code for f in back.issues if f.code == "L007"] == []
    kept = ~np.isnan(uv).any(axis=1)
    if suffix == ".glb":  # same vertices in the same order: the textured ones unchanged
        assert np.array_equal(back.meshes[0].uvs[0][kept], uv[kept])
