"""FBX loader: the shared corpus (counts, units, axes as ufbx's and the files' own
GlobalSettings state them), generated files with exact answers, broken input and a
crashing reader."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assetlint.loaders import fbx, load
from assetlint.loaders._isolated import FAULT_ENV
from assetlint.model import LoadError, TextureSlot
from tests.loaders.make_fbx import write_fbx
from tests.shapes import asymmetric_object, to_authored

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
CORPUS = SHARED / "corpus"

POSITIONS, TRIANGLES = asymmetric_object()
EXPECTED_BOUNDS = np.array([[0.1, 0.0, -0.05], [0.5, 0.6, 0.15]])
L_BLOCK_VOLUME = 0.4 * 0.15 * 0.2 + 0.12 * 0.45 * 0.2

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def _rows(manifest: Path) -> list[dict[str, str]]:
    if not manifest.is_file():
        return []
    with open(manifest, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _signed_volume(asset) -> float:
    total = 0.0
    for mesh_index, node in asset.instances():
        mesh = asset.meshes[mesh_index]
        world = mesh.positions.astype(np.float64) @ node.world[:3, :3].T + node.world[:3, 3]
        a, b, c = (world[mesh.triangles[:, i]] for i in range(3))
        total += float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum()) / 6.0
    return total


def _world_points(asset) -> np.ndarray:
    points = [
        asset.meshes[m].positions.astype(np.float64) @ n.world[:3, :3].T + n.world[:3, 3]
        for m, n in asset.instances()
    ]
    return np.concatenate(points)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, format="PNG")
    return out.getvalue()


# -- the shared corpus ------------------------------------------------------------------

FBX_ROWS = _rows(CORPUS / "fbx" / "MANIFEST.tsv")


@needs_corpus
@pytest.mark.parametrize("row", FBX_ROWS, ids=[r["file"] for r in FBX_ROWS])
def test_corpus_fbx_matches_manifest(row):
    path = CORPUS / "fbx" / row["file"]
    if row["unit_meters"].startswith("unreadable"):
        with pytest.raises(LoadError, match="not an FBX file"):
            load(path)
        return
    asset = load(path)
    assert asset.format == "fbx"
    assert asset.authored.meters_per_unit == pytest.approx(float(row["unit_meters"]))
    assert asset.authored.up_axis == row["up_axis"]
    assert asset.authored.handedness == "right"
    assert len(asset.meshes) == int(row["meshes"])
    assert sum(m.polygon_count for m in asset.meshes) == int(row["polygons"])
    assert asset.unique_triangle_count == int(row["triangles"])
    assert len(asset.materials) == int(row["materials"])


EXTRA_ROWS = [
    r
    for r in _rows(CORPUS / "MANIFEST.tsv")
    if r["rel_path"].startswith("fbx-extra/") and r["role"] == "fbx"
]


def _expected_frame(truth: str) -> dict:
    """Units and axes the manifest's ground truth states (None where the file has none)."""
    if "GlobalSettings ABSENT" in truth:
        return {"mpu": None, "up": None, "front": None}
    fields = dict(item.split("=", 1) for item in truth.split(";") if "=" in item)
    up = re.search(r"\(([+-][XYZ])\)", fields["UpAxis"]).group(1)
    front_index, front_sign = re.match(r"(\d)\(sign (-?1)\)", fields["FrontAxis"]).groups()
    front = ("-" if front_sign == "-1" else "+") + "XYZ"[int(front_index)]
    cm = float(fields["UnitScaleFactor"].split()[0])
    return {"mpu": cm / 100.0, "up": up, "front": front}


@needs_corpus
@pytest.mark.parametrize("row", EXTRA_ROWS, ids=[Path(r["rel_path"]).name for r in EXTRA_ROWS])
def test_corpus_fbx_extra_units_and_axes(row):
    path = CORPUS / row["rel_path"]
    truth = row["ground_truth"]
    if "fuzz" in path.name:
        with pytest.raises(LoadError, match="truncated"):
            load(path)
        return
    asset = load(path)
    expected = _expected_frame(truth)
    # ufbx's names carry the FBXVersion the header extension states; the manifest reads the
    # binary preamble's, which says 3000 for max7_cube_5000_binary.fbx
    named = re.search(r"_(\d{4})_(?:ascii|binary)\.fbx$", path.name)
    version = named.group(1) if named else re.search(r"fbx_version=(\d+)", truth).group(1)
    assert asset.authored.format_version == version
    if expected["mpu"] is None:
        assert asset.authored.meters_per_unit is None
    else:
        assert asset.authored.meters_per_unit == pytest.approx(expected["mpu"], rel=1e-12)
    assert asset.authored.up_axis == expected["up"]
    assert asset.authored.front_axis == expected["front"]


# ufbx's reference OBJ exports: world-space vertices in the authoring tool's frame.
REFERENCES = [
    # fbx file, reference obj, obj frame (x, y, z) -> canonical, obj units in metres
    ("fbx/ufbx__blender_340_y_up_7400_binary.fbx", "blender_340_y_up.obj", "blender", 1.0),
    ("fbx/ufbx__blender_279_default_7400_binary.fbx", "blender_279_default.obj", "blender", 1.0),
    ("fbx/ufbx__maya_cube_7500_binary.fbx", "maya_cube.obj", "maya", 0.01),
]


@needs_corpus
@pytest.mark.parametrize("fbx_file,obj_file,frame,scale", REFERENCES)
def test_world_vertices_match_ufbx_reference_obj(fbx_file, obj_file, frame, scale):
    asset = load(CORPUS / fbx_file)
    with open(CORPUS / "fbx-extra" / "ufbx" / obj_file, encoding="utf-8") as fh:
        ref = np.array([[float(v) for v in line.split()[1:4]] for line in fh if line[:2] == "v "])
    if frame == "blender":  # Blender's world is Z up: (x, y, z) -> (x, z, -y)
        ref = ref[:, [0, 2, 1]] * [1.0, 1.0, -1.0]
    ref = np.unique(np.round(ref * scale, 5) + 0.0, axis=0)
    ours = np.unique(np.round(_world_points(asset), 5) + 0.0, axis=0)
    np.testing.assert_allclose(ours, ref, atol=2e-5)


# Canonical bounds as ufbx's own conversion gives them (load options target_axes=right-
# handed Y up, target_unit_meters=1, space_conversion=MODIFY_GEOMETRY), measured here.
UFBX_BOUNDS = [
    # the same Blender scene exported with up +X/front +Y and with up -X/front -Z
    ("blender_axes_axes_nypx_7400_binary.fbx", [[1.0, 3.0, -2.0], [2.0, 4.0, -1.0]]),
    ("blender_axes_axes_pznx_7400_binary.fbx", [[1.0, 3.0, -2.0], [2.0, 4.0, -1.0]]),
    # 3ds Max, Z up, inches, 17 meshes under a hierarchy
    (
        "max2009_blob_6100_binary.fbx",
        [[-1.287014, -0.652821, -1.271678], [1.492372, 0.768017, 1.233597]],
    ),
    # Maya, pivots and zero scales
    ("maya_zero_scale_pivot_7700_binary.fbx", [[-0.005, -0.005, -0.005], [0.10008, 0.025, 0.1]]),
]


@needs_corpus
@pytest.mark.parametrize("name,bounds", UFBX_BOUNDS, ids=[b[0] for b in UFBX_BOUNDS])
def test_canonical_bounds_match_ufbx_conversion(name, bounds):
    asset = load(CORPUS / "fbx-extra" / "ufbx" / name)
    np.testing.assert_allclose(asset.bounds(), bounds, atol=2e-6)


@needs_corpus
def test_corpus_materials_workflows_and_textures():
    gltf = load(CORPUS / "fbx" / "ufbx__max_gltf_material_7700_binary.fbx")
    mat = gltf.materials[0]
    assert mat.workflow == "metal-rough"
    assert set(mat.textures) == {
        "base_color",
        "normal",
        "metallic_roughness",
        "occlusion",
        "emissive",
    }
    assert len(gltf.textures) == 10
    assert all(t.source == "embedded" and (t.width, t.height) == (128, 128) for t in gltf.textures)
    assert gltf.textures[mat.textures["base_color"].texture].name == "checkerboard_diffuse.png"
    assert gltf.textures[mat.textures["normal"].texture].name == "checkerboard_normal.png"
    assert mat.double_sided is True

    assert load(CORPUS / "fbx" / "ufbx__maya_cube_7500_binary.fbx").materials[0].workflow == (
        "lambert"
    )
    blender = load(CORPUS / "fbx" / "ufbx__blender_279_default_7400_binary.fbx")
    assert blender.materials[0].workflow == "phong"
    assert blender.authored.generator == "Blender (stable FBX IO) - 2.79 (sub 0) - 3.7.13"

    suzanne = load(CORPUS / "fbx" / "ufbx__blender_suzanne_multimaterial_7400_binary.fbx")
    used, counts = np.unique(suzanne.meshes[0].material_indices, return_counts=True)
    assert used.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert counts.sum() == 968


@needs_corpus
def test_corpus_absolute_texture_paths_are_reported_not_opened():
    spider = load(CORPUS / "fbx" / "assimp__spider.fbx")
    assert [t.source for t in spider.textures] == ["missing"] * 4
    issues = [i for i in spider.issues if i.code == "L006"]
    assert len(issues) == 4
    assert (
        "D:\\\\projects\\\\assimp_int\\\\test\\\\models\\\\OBJ\\\\drkwood2.jpg" in issues[0].message
    )
    textured = load(CORPUS / "fbx" / "ufbx__blender_293_textures_7400_binary.fbx")
    missing = [i for i in textured.issues if i.code == "L002"]
    assert len(missing) == 5
    assert "textures\\\\checkerboard_diffuse.png" in missing[0].message
    # embedded content wins over a relative path that leaves the folder
    box = load(CORPUS / "fbx" / "assimp__embedded_ascii_box.FBX")
    assert box.textures[0].source == "embedded"
    assert (box.textures[0].width, box.textures[0].height) == (512, 512)
    assert box.issues == []


def _extents(asset, mesh_index: int) -> np.ndarray:
    (node,) = [n for m, n in asset.instances() if m == mesh_index]
    pts = asset.meshes[mesh_index].positions.astype(np.float64) @ node.world[:3, :3].T
    pts += node.world[:3, 3]
    return pts.max(axis=0) - pts.min(axis=0)


@needs_corpus
def test_corpus_skinned_meshes_are_placed_by_their_clusters():
    """The slime's joints are posed away from their bind pose: its skinned mesh is where
    ufbx's own skinning puts it (``evaluate_scene(..., evaluate_skinning=True)``: 67.87 x
    86.96 x 67.64 cm), not where its node is (the unskinned 64 cm blob); huesitos is in
    its bind pose and the UniRig bird has clusters without weights, so both stay put."""
    slime = load(CORPUS / "fbx" / "ufbx__maya_slime_7500_binary.fbx")
    assert np.allclose(_extents(slime, 1), [0.6787438, 0.8696062, 0.6763607], atol=1e-6)
    assert np.allclose(_extents(slime, 0), [0.6506685, 0.6415523, 0.6476869], atol=1e-6)
    bones = load(CORPUS / "fbx" / "assimp__huesitos.fbx")
    assert np.allclose(np.ptp(bones.bounds(), axis=0), [5.358, 5.438, 3.215], atol=1e-3)
    bird = load(CORPUS / "generated-real" / "unirig_bird-rigged" / "bird.fbx")
    assert np.allclose(np.ptp(bird.bounds(), axis=0), [2.000, 0.410, 1.565], atol=1e-3)


@needs_corpus
def test_corpus_skins_instances_and_uv_sets():
    bones = load(CORPUS / "fbx" / "assimp__huesitos.fbx").meshes[0]
    assert (bones.bone_count, bones.max_influences) == (9, 4)
    slime = load(CORPUS / "fbx" / "ufbx__maya_slime_7500_binary.fbx")
    assert [(m.bone_count, m.max_influences) for m in slime.meshes] == [(0, 0), (3, 3)]
    instanced = load(CORPUS / "fbx" / "ufbx__max_instanced_material_7700_ascii.fbx")
    assert len(instanced.meshes) == 1
    assert sum(1 for _ in instanced.instances()) == 3
    assert instanced.scene_triangle_count == 36
    assert [i.code for i in instanced.issues] == ["L004", "L004"]  # per-instance materials
    orphan = load(CORPUS / "fbx-extra" / "assimp" / "box_orphant_embedded_texture.fbx")
    assert orphan.meshes[0].uv_names == ["UVChannel_1", "UVChannel_3"]
    assert len(orphan.meshes[0].uvs) == 2


# -- generated files: units and axes -------------------------------------------------------

FRAMES = [
    (1.0, "+Y"),
    (1.0, "+Z"),
    (2.54, "+Y"),
    (2.54, "+Z"),
    (100.0, "+Y"),
    (100.0, "+Z"),
    (2.54, "-Z"),
    (1.0, "+X"),
    (100.0, "-X"),
]


@pytest.mark.parametrize("cm_per_unit,up", FRAMES)
def test_generated_file_normalizes_to_canonical_bounds(tmp_path, cm_per_unit, up):
    path = tmp_path / "object.fbx"
    authored = to_authored(POSITIONS, cm_per_unit / 100.0, up)
    write_fbx(path, authored, TRIANGLES, unit_scale_factor_cm=cm_per_unit, up_axis=up)
    asset = load(path)
    np.testing.assert_allclose(asset.bounds(), EXPECTED_BOUNDS, rtol=1e-4, atol=1e-4 * 0.6)
    assert asset.authored.meters_per_unit == cm_per_unit / 100.0
    assert asset.authored.up_axis == up
    assert asset.authored.handedness == "right"
    assert asset.authored.format_version == "7400"
    assert asset.authored.generator == "assetlint tests"
    mesh = asset.meshes[0]
    assert (mesh.vertex_count, mesh.triangle_count, mesh.polygon_count) == (12, 20, 20)
    assert _signed_volume(asset) == pytest.approx(L_BLOCK_VOLUME, rel=1e-4)


def test_front_axis_as_3ds_max_writes_it(tmp_path):
    path = tmp_path / "max.fbx"
    write_fbx(
        path,
        to_authored(POSITIONS, 0.0254, "+Z"),
        TRIANGLES,
        unit_scale_factor_cm=2.54,
        up_axis="+Z",
    )
    authored = load(path).authored
    assert (authored.up_axis, authored.front_axis, authored.handedness) == ("+Z", "-Y", "right")


def test_left_handed_file_is_mirrored_with_winding_kept_outward(tmp_path):
    # right +X, up +Y, front -Z: a left-handed frame (DirectX style)
    path = tmp_path / "left.fbx"
    mirrored = POSITIONS * np.array([1.0, 1.0, -1.0]) * 100.0
    write_fbx(
        path,
        mirrored,
        TRIANGLES[:, ::-1],
        unit_scale_factor_cm=1.0,
        axes={"Up": (1, 1), "Front": (2, -1), "Coord": (0, 1)},
    )
    asset = load(path)
    assert asset.authored.handedness == "left"
    assert asset.authored.front_axis == "-Z"
    np.testing.assert_allclose(asset.bounds(), EXPECTED_BOUNDS, rtol=1e-4, atol=1e-6)
    assert _signed_volume(asset) == pytest.approx(L_BLOCK_VOLUME, rel=1e-4)


def test_inconsistent_axes_are_reported(tmp_path):
    path = tmp_path / "bad_axes.fbx"
    write_fbx(
        path,
        POSITIONS * 100.0,
        TRIANGLES,
        axes={"Up": (1, 1), "Front": (1, 1), "Coord": (0, 1)},
    )
    asset = load(path)
    assert any(i.code == "L005" and "inconsistent" in i.message for i in asset.issues)


# -- generated files: transforms and instancing -------------------------------------------


def _rotation_z(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def test_pre_rotation_about_a_pivot(tmp_path):
    path = tmp_path / "pivot.fbx"
    model = {"Lcl Translation": (5, 0, 0), "PreRotation": (0, 0, 90), "RotationPivot": (10, 20, 0)}
    write_fbx(path, POSITIONS * 100.0, TRIANGLES, models=[model])
    pivot = np.array([10.0, 20.0, 0.0])
    expected = ((POSITIONS * 100.0 - pivot) @ _rotation_z(90).T + pivot + [5.0, 0.0, 0.0]) / 100
    np.testing.assert_allclose(
        load(path).bounds(), [expected.min(0), expected.max(0)], rtol=1e-5, atol=1e-7
    )


def test_geometric_transform_and_hierarchy_with_instancing(tmp_path):
    path = tmp_path / "instances.fbx"
    parent = {"Lcl Translation": (100, 0, 0), "GeometricTranslation": (0, 0, 50)}
    child = {"parent": 0, "Lcl Translation": (0, 200, 0)}
    write_fbx(path, POSITIONS * 100.0, TRIANGLES, models=[parent, child])
    asset = load(path)
    assert len(asset.meshes) == 1
    assert asset.scene_triangle_count == 2 * len(TRIANGLES)
    offsets = {}
    for mesh_index, node in asset.instances():
        world = asset.meshes[mesh_index].positions @ node.world[:3, :3].T + node.world[:3, 3]
        offsets[node.name] = np.round(world.min(0) - POSITIONS.min(0), 6).tolist()
    # the geometric translation moves the parent's geometry only, not its child
    assert offsets == {"model0 (geometry)": [1.0, 0.0, 0.5], "model1": [1.0, 2.0, 0.0]}
    child_node = next(n for n in asset.nodes if n.name == "model1")
    assert asset.nodes[child_node.parent].name == "model0"


# -- generated files: polygons, attributes, materials --------------------------------------

CUBE = np.array(
    [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
    dtype=np.float64,
)
CUBE_QUADS = [
    [0, 3, 2, 1],
    [4, 5, 6, 7],
    [0, 1, 5, 4],
    [2, 3, 7, 6],
    [1, 2, 6, 5],
    [0, 4, 7, 3],
]


def _face_normals() -> np.ndarray:
    normals = []
    for quad in CUBE_QUADS:
        a, b, c = CUBE[quad[0]], CUBE[quad[1]], CUBE[quad[2]]
        n = np.cross(b - a, c - a)
        normals += [n / np.linalg.norm(n)] * 4
    return np.array(normals)


def test_quads_fan_triangulated_with_per_face_attributes(tmp_path):
    path = tmp_path / "cube.fbx"
    uvs = np.tile([[0.0, 0.0], [1.0, 0.0], [1.0, 0.25], [0.0, 0.25]], (6, 1))
    write_fbx(
        path,
        CUBE * 100.0,
        CUBE_QUADS,
        uvs=uvs,
        normals=_face_normals(),
        materials=["red", "green", "blue"],
        material_indices=[0, 0, 1, 1, 2, 2],
    )
    asset = load(path)
    mesh = asset.meshes[0]
    assert (mesh.polygon_count, mesh.triangle_count, mesh.vertex_count) == (6, 12, 24)
    assert mesh.uv_names == ["UVMap"]
    assert sorted(set(np.round(mesh.uvs[0][:, 1], 6))) == [0.75, 1.0]  # stored as 1 - v
    assert mesh.material_indices.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert [m.name for m in asset.materials] == ["red", "green", "blue"]
    assert asset.materials[0].workflow == "phong"
    np.testing.assert_allclose(asset.materials[0].base_color_factor, [0.8, 0.6, 0.4, 1.0])
    # fan: (a, b, c), (a, c, d) of each quad (1 cm per unit: metres = the authored cm / 100)
    world = mesh.positions[mesh.triangles[:2]]
    np.testing.assert_allclose(world[0], CUBE[[0, 3, 2]], atol=1e-5)
    np.testing.assert_allclose(world[1], CUBE[[0, 2, 1]], atol=1e-5)
    # each vertex's normal is its face's: all unit length and axis-aligned
    assert np.allclose(np.abs(mesh.normals).sum(axis=1), 1.0)
    assert _signed_volume(asset) == pytest.approx(1.0, rel=1e-6)


def test_per_corner_attributes_equal_in_value_share_vertices(tmp_path):
    path = tmp_path / "smooth.fbx"
    corners = np.concatenate(CUBE_QUADS)
    smooth = CUBE[corners] - 0.5
    smooth /= np.linalg.norm(smooth, axis=1, keepdims=True)
    write_fbx(path, CUBE, CUBE_QUADS, normals=smooth, uvs=CUBE[corners][:, :2])
    mesh = load(path).meshes[0]
    assert mesh.vertex_count == 8  # one per position: values repeat per corner
    assert mesh.triangle_count == 12


def test_ngons_points_and_lines(tmp_path):
    path = tmp_path / "ngon.fbx"
    ring = np.array([[np.cos(a), np.sin(a), 0.0] for a in np.linspace(0, 2 * np.pi, 7)[:-1]])
    write_fbx(path, ring, [[0, 1, 2, 3, 4, 5], [0, 3], [1]])
    mesh = load(path).meshes[0]
    assert (mesh.polygon_count, mesh.triangle_count, mesh.vertex_count) == (1, 4, 6)
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]]
    assert mesh.other_primitives == {"lines": 1, "points": 1}


def test_large_grid_with_per_corner_attributes_keeps_shared_vertices(tmp_path):
    n = 60
    grid = np.stack(np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij"), -1)
    grid = grid.reshape(-1, 2).astype(np.float64)
    index = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b = index[:-1, :-1].ravel(), index[1:, :-1].ravel()
    c, d = index[1:, 1:].ravel(), index[:-1, 1:].ravel()
    triangles = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])
    corners = triangles.ravel()
    path = tmp_path / "grid.fbx"
    write_fbx(
        path,
        np.column_stack([grid, np.zeros(len(grid))]),
        triangles,
        up_axis="+Z",
        uvs=grid[corners] / n,
        normals=np.tile([0.0, 0.0, 1.0], (len(corners), 1)),
    )
    mesh = load(path).meshes[0]
    assert (mesh.vertex_count, mesh.triangle_count) == ((n + 1) ** 2, 2 * n * n)
    np.testing.assert_allclose(mesh.normals, np.tile([0.0, 1.0, 0.0], (mesh.vertex_count, 1)))


# -- generated files: textures -----------------------------------------------------------


def test_embedded_texture(tmp_path):
    path = tmp_path / "embedded.fbx"
    texture = {
        "relative": "..\\elsewhere\\a.png",
        "absolute": "C:\\x\\a.png",
        "content": _png(4, 2),
    }
    write_fbx(path, CUBE, CUBE_QUADS, materials=["m"], texture=texture)
    asset = load(path)
    (tex,) = asset.textures
    assert (tex.source, tex.name, tex.width, tex.height, tex.mime_type) == (
        "embedded",
        "a.png",
        4,
        2,
        "image/png",
    )
    assert asset.materials[0].textures["base_color"].texture == 0
    assert asset.issues == []


def test_texture_uses_the_uv_set_it_names(tmp_path):
    path = tmp_path / "two_sets.fbx"
    base = np.tile([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], (6, 1))
    # embedded without any file name: ufbx lists no texture file for it
    texture = {"relative": "", "content": _png(2, 2), "uv_set": "Lightmap"}
    uvs = {"UVMap": base, "Lightmap": base * 0.5}
    write_fbx(path, CUBE, CUBE_QUADS, uvs=uvs, materials=["m"], texture=texture)
    asset = load(path)
    mesh = asset.meshes[0]
    assert mesh.uv_names == ["UVMap", "Lightmap"]
    assert [float(uv[:, 1].min()) for uv in mesh.uvs] == [0.0, 0.5]  # 1 - v
    assert asset.materials[0].textures["base_color"] == TextureSlot(texture=0, uv_set=1)
    assert (asset.textures[0].name, asset.textures[0].source) == ("tex", "embedded")


def test_relative_texture_is_found_and_absolute_path_never_opened(tmp_path):
    folder = tmp_path / "asset"
    (folder / "tex").mkdir(parents=True)
    (folder / "tex" / "wood.png").write_bytes(_png(8, 4))
    (tmp_path / "wood.png").write_bytes(_png(16, 16))  # outside the asset folder
    path = folder / "model.fbx"
    texture = {"relative": "tex\\wood.png", "absolute": str(tmp_path / "wood.png")}
    write_fbx(path, CUBE, CUBE_QUADS, materials=["m"], texture=texture)
    (tex,) = load(path).textures
    assert tex.source == "file"
    assert tex.path == (folder / "tex" / "wood.png").resolve()
    assert (tex.width, tex.height) == (8, 4)


@pytest.mark.parametrize(
    "relative,code,named",
    [
        ("tex\\gone.png", "L002", "tex\\\\gone.png"),  # relative, missing: absolute not tried
        ("", "L006", "outside.png"),  # only an absolute path: reported, not opened
        ("..\\outside.png", "L006", "..\\\\outside.png"),  # leaves the folder
    ],
)
def test_texture_references_that_are_not_opened(tmp_path, relative, code, named):
    folder = tmp_path / "asset"
    folder.mkdir()
    (tmp_path / "outside.png").write_bytes(_png(2, 2))
    path = folder / "model.fbx"
    texture = {"relative": relative, "absolute": str(tmp_path / "outside.png")}
    write_fbx(path, CUBE, CUBE_QUADS, materials=["m"], texture=texture)
    asset = load(path)
    (tex,) = asset.textures
    assert tex.source == "missing"
    (issue,) = asset.issues
    assert issue.code == code
    assert named in issue.message


# -- broken input and a crashing reader --------------------------------------------------


@needs_corpus
def test_truncated_binary_file(tmp_path):
    data = (CORPUS / "fbx" / "ufbx__maya_cube_7500_binary.fbx").read_bytes()
    path = tmp_path / "truncated.fbx"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(LoadError, match="^FBX file is truncated$"):
        load(path)


def test_truncated_ascii_file(tmp_path):
    path = tmp_path / "truncated.fbx"
    write_fbx(path, CUBE, CUBE_QUADS)
    text = path.read_text()
    path.write_text(text[: text.index("PolygonVertexIndex") + 40])
    with pytest.raises(LoadError, match="^not a readable FBX file: "):
        load(path)


def test_wrong_magic_and_garbage(tmp_path):
    path = tmp_path / "magic.fbx"
    path.write_bytes(b"Kaydara FBX Binarx  \x00\x1a\x00" + bytes(range(256)) * 4)
    with pytest.raises(LoadError, match="^content is something else, not FBX"):
        load(path)  # the format check stops it before any reader runs
    with pytest.raises(LoadError, match="^not an FBX file"):
        fbx.load(path)  # and ufbx refuses it too
    garbage = tmp_path / "garbage.fbx"
    garbage.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(LoadError, match="^not an FBX file"):
        fbx.load(garbage)
    obj = tmp_path / "obj.fbx"  # ufbx also reads OBJ: the worker must not
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    with pytest.raises(LoadError, match="^not an FBX file$"):
        fbx.load(obj)
    empty = tmp_path / "empty.fbx"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match="^file is empty$"):
        fbx.load(empty)


def test_reader_crash_becomes_a_load_error(tmp_path, monkeypatch):
    path = tmp_path / "cube.fbx"
    write_fbx(path, CUBE, CUBE_QUADS)
    monkeypatch.setenv(FAULT_ENV, "crash")
    with pytest.raises(LoadError, match=r"^FBX reader crashed \(signal 11, SIGSEGV\)$"):
        load(path)
    monkeypatch.delenv(FAULT_ENV)
    assert load(path).meshes[0].triangle_count == 12  # this process lived on


def test_reader_garbage_output_becomes_a_load_error(tmp_path, monkeypatch):
    path = tmp_path / "cube.fbx"
    write_fbx(path, CUBE, CUBE_QUADS)
    monkeypatch.setenv(FAULT_ENV, "garbage")
    with pytest.raises(LoadError, match="^FBX reader returned unreadable output$"):
        load(path)


def test_reader_hang_is_killed_at_the_timeout(tmp_path, monkeypatch):
    path = tmp_path / "cube.fbx"
    write_fbx(path, CUBE, CUBE_QUADS)
    monkeypatch.setenv(FAULT_ENV, "hang")
    monkeypatch.setattr(fbx, "TIMEOUT_S", 1.5)
    start = time.monotonic()
    with pytest.raises(LoadError, match=r"^FBX reader timed out after 1.5 s$"):
        load(path)
    assert time.monotonic() - start < 10


def test_reader_writes_nothing_beside_the_input(tmp_path):
    path = tmp_path / "cube.fbx"
    write_fbx(path, CUBE, CUBE_QUADS)
    load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube.fbx"]
