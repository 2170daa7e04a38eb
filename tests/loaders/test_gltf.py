"""The glTF/GLB loader: generated files with known answers, broken input, and the shared
corpus (real models with validator reports, and the Khronos validator's test inputs)."""

from __future__ import annotations

import base64
import csv
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import gltf, load
from assetlint.model import LoadError
from tests.loaders.make_gltf import RED_PNG, GltfBuilder, glb_bytes, write_gltf
from tests.shapes import asymmetric_object

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SAMPLES = SHARED / "corpus" / "gltf-samples"
VALIDATOR = SHARED / "corpus" / "gltf-validator"
needs_corpus = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared corpus not present")

L_BLOCK_BOUNDS = [[0.1, 0.0, -0.05], [0.5, 0.6, 0.15]]
SQUARE = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 2, 0]], np.float32)


def codes(asset) -> list[str]:
    """The reader's own issue codes (the specification's, L007, are in :func:`khronos`)."""
    return [i.code for i in asset.issues if i.code != "L007"]


def khronos(asset) -> list[str]:
    """The Khronos validator's codes of the L007 issues above info (objects the test files
    leave unused are infos)."""
    return [i.subject for i in asset.issues if i.code == "L007" and i.severity != "info"]


def one_mesh_file(tmp_path: Path, *primitives_args, name="t.glb", **prim_kwargs) -> Path:
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(*primitives_args, **prim_kwargs)))])
    return b.write(tmp_path / name)


# --- generated files -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, binary, external",
    [("a.glb", True, False), ("a.gltf", False, False), ("a.gltf", False, True)],
)
def test_write_gltf_round_trips_the_l_block(tmp_path, name, binary, external):
    pos, tris = asymmetric_object()
    path = write_gltf(tmp_path / name, pos, tris, binary=binary, external=external)
    asset = load(path)
    assert asset.format == ("glb" if binary else "gltf")
    assert asset.file_size == path.stat().st_size
    assert asset.issues == []
    a = asset.authored
    assert (a.meters_per_unit, a.up_axis, a.front_axis, a.handedness) == (1.0, "+Y", "+Z", "right")
    assert (a.generator, a.format_version) == ("assetlint tests", "2.0")
    (mesh,) = asset.meshes
    assert (mesh.vertex_count, mesh.triangle_count, mesh.polygon_count) == (12, 20, 20)
    assert np.array_equal(mesh.triangles, tris)
    assert np.allclose(asset.bounds(), L_BLOCK_BOUNDS, atol=1e-7)
    assert mesh.material_indices.tolist() == [-1] * 20


def test_strip_and_fan_become_triangles_with_glTF_winding(tmp_path):
    b = GltfBuilder()
    strip = b.primitive(SQUARE, np.arange(5), mode=5)
    fan = b.primitive(SQUARE, np.arange(5), mode=6)
    strip_no_index = b.primitive(SQUARE[:4], mode=5)
    meshes = [b.mesh(strip), b.mesh(fan), b.mesh(strip_no_index)]
    b.scene([b.node(mesh=m) for m in meshes])
    asset = load(b.write(tmp_path / "t.glb"))
    assert asset.meshes[0].triangles.tolist() == [[0, 1, 2], [1, 3, 2], [2, 3, 4]]
    assert asset.meshes[1].triangles.tolist() == [[1, 2, 0], [2, 3, 0], [3, 4, 0]]
    assert asset.meshes[2].triangles.tolist() == [[0, 1, 2], [1, 3, 2]]
    assert asset.meshes[0].polygon_count == 3


def test_non_indexed_triangles(tmp_path):
    pos = np.arange(18, dtype=np.float32).reshape(6, 3)
    asset = load(one_mesh_file(tmp_path, pos))
    assert asset.meshes[0].triangles.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_points_and_lines_are_counted_not_drawn(tmp_path):
    b = GltfBuilder()
    prims = [
        b.primitive(SQUARE[:4], mode=0),  # 4 points
        b.primitive(SQUARE, np.array([0, 1, 1, 2, 2, 3]), mode=1),  # 3 lines
        b.primitive(SQUARE[:4], mode=2),  # loop: 4 lines
        b.primitive(SQUARE[:4], mode=3),  # strip: 3 lines
        b.primitive(SQUARE[:3], np.array([0, 1, 2])),
    ]
    b.scene([b.node(mesh=b.mesh(*prims))])
    (mesh,) = load(b.write(tmp_path / "t.glb")).meshes
    assert mesh.other_primitives == {"points": 4, "lines": 10}
    assert (mesh.vertex_count, mesh.triangle_count) == (3, 1)


def test_primitives_merge_with_shared_vertices_and_per_triangle_materials(tmp_path):
    b = GltfBuilder()
    b.add("materials", {"name": "red"})
    b.add("materials", {"name": "blue"})
    first = b.primitive(SQUARE[:4], np.array([[0, 1, 2]]), material=0)
    # same attribute accessors, other indices: one vertex block, not two
    second = dict(first, indices=b.accessor(np.array([0, 2, 3], np.uint32)), material=1)
    # own vertices; index 5 is outside its 3 vertices and must stay outside the mesh
    third = b.primitive(SQUARE[:3] + 10, np.array([[0, 1, 5]]))
    b.scene([b.node(mesh=b.mesh(first, second, third))])
    (mesh,) = load(b.write(tmp_path / "t.glb")).meshes
    assert mesh.vertex_count == 7
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 2, 3], [4, 5, 9]]
    assert mesh.material_indices.tolist() == [0, 1, -1]


def test_out_of_range_indices_are_kept_and_huge_ones_become_minus_one(tmp_path):
    idx = np.array([0, 1, 7, 0, 2**31, 2**32 - 1], np.uint32)
    asset = load(one_mesh_file(tmp_path, SQUARE[:3], idx))
    assert asset.meshes[0].triangles.tolist() == [[0, 1, 7], [0, -1, -1]]


def test_sparse_accessors(tmp_path):
    b = GltfBuilder()
    base = b.accessor(SQUARE[:3])
    sparse = {
        "count": 2,
        "indices": {"bufferView": b.view(np.array([0, 2], np.uint16)), "componentType": 5123},
        "values": {"bufferView": b.view(np.array([[5, 5, 5], [7, 7, 7]], np.float32))},
    }
    b.doc["accessors"][base]["sparse"] = sparse
    b.doc["accessors"][base].update(min=[1, 0, 0], max=[7, 7, 7])  # bounds after sparse
    # no bufferView: zeros, then one sparse value; then one index past the end
    zeros = b.add(
        "accessors",
        {"componentType": 5126, "count": 3, "type": "VEC3", "sparse": dict(sparse, count=2)},
    )
    b.doc["accessors"][zeros].update(min=[0, 0, 0], max=[5, 5, 5])
    b.doc["accessors"][zeros]["sparse"]["indices"] = {
        "bufferView": b.view(np.array([2, 9], np.uint16)),
        "componentType": 5123,
    }
    prim_a = {"attributes": {"POSITION": base}}
    prim_b = {"attributes": {"POSITION": zeros}}
    b.scene([b.node(mesh=b.mesh(prim_a)), b.node(mesh=b.mesh(prim_b))])
    asset = load(b.write(tmp_path / "t.glb"))
    assert asset.meshes[0].positions.tolist() == [[5, 5, 5], [1, 0, 0], [7, 7, 7]]
    assert asset.meshes[1].positions.tolist() == [[0, 0, 0], [0, 0, 0], [5, 5, 5]]
    assert codes(asset) == ["L005"]
    assert "1 sparse indices are past its 3 elements" in asset.issues[0].message
    assert khronos(asset) == ["ACCESSOR_SPARSE_INDEX_OOB"]


def test_normalized_and_quantized_attributes(tmp_path):
    b = GltfBuilder()
    b.doc["extensionsRequired"] = b.doc["extensionsUsed"] = ["KHR_mesh_quantization"]
    prim = {
        "attributes": {
            # KHR_mesh_quantization: integer positions, not normalized, scaled by the node
            "POSITION": b.accessor(np.array([[100, -200, 300], [0, 0, 0], [1, 2, 3]], np.int16)),
            "NORMAL": b.accessor(
                np.array([[127, 0, 0], [-128, 0, 0], [0, -127, 0]], np.int8), normalized=True
            ),
            "TEXCOORD_0": b.accessor(
                np.array([[0, 255], [51, 0], [255, 255]], np.uint8), normalized=True
            ),
            "COLOR_0": b.accessor(
                np.array([[65535, 0, 0], [0, 65535, 0], [0, 0, 0]], np.uint16), normalized=True
            ),
        }
    }
    b.scene([b.node(mesh=b.mesh(prim), scale=[0.01, 0.01, 0.01])])
    asset = load(b.write(tmp_path / "t.glb"))
    assert asset.issues == []
    (mesh,) = asset.meshes
    assert mesh.positions.tolist() == [[100, -200, 300], [0, 0, 0], [1, 2, 3]]
    assert np.allclose(asset.bounds(), [[0, -2, 0], [1, 0.02, 3]])
    assert mesh.normals.tolist() == [[1, 0, 0], [-1, 0, 0], [0, -1, 0]]
    assert np.allclose(mesh.uvs[0], [[0, 1], [0.2, 0], [1, 1]])
    assert mesh.uv_names == ["TEXCOORD_0"]
    assert mesh.colors.tolist() == [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 1]]


def test_uv_sets_and_colors_fill_where_a_primitive_lacks_them(tmp_path):
    b = GltfBuilder()
    with_uv = b.primitive(SQUARE[:3], TEXCOORD_1=np.full((3, 2), 0.5, np.float32))
    without = b.primitive(SQUARE[:3] + 5, COLOR_0=np.full((3, 4), 0.25, np.float32))
    b.scene([b.node(mesh=b.mesh(with_uv, without))])
    (mesh,) = load(b.write(tmp_path / "t.glb")).meshes
    assert mesh.uv_names == ["TEXCOORD_0", "TEXCOORD_1"]
    assert np.isnan(mesh.uvs[0]).all()  # no primitive has set 0; UV set indices are kept
    assert np.isnan(mesh.uvs[1][3:]).all() and (mesh.uvs[1][:3] == 0.5).all()
    assert mesh.colors[:3].tolist() == [[1, 1, 1, 1]] * 3  # glTF's default: white
    assert (mesh.colors[3:] == 0.25).all()


def test_an_absurd_uv_set_index_is_refused_not_allocated(tmp_path):
    """TEXCOORD_<23 digits> (found by the fuzzer) once meant filling that many empty UV
    sets: a hang, then a memory blow-up. It is not read, and the issue says why."""
    b = GltfBuilder()
    uv = np.full((3, 2), 0.5, np.float32)
    prim = b.primitive(SQUARE[:3], TEXCOORD_0=uv, **{"TEXCOORD_99999999999999999999999": uv})
    b.scene([b.node(mesh=b.mesh(prim))])
    asset = load(b.write(tmp_path / "t.glb"))
    (mesh,) = asset.meshes
    assert mesh.uv_names == ["TEXCOORD_0"]
    assert sorted(i.message for i in asset.issues if "TEXCOORD" in i.message) == [
        "mesh 'mesh0': TEXCOORD_99999999999999999999999 not read: UV set indices above 31 "
        "are not supported",
        "meshes[0].primitives[0].attributes: TEXCOORD sets [0, 99999999999999999999999] do "
        "not run 0, 1, 2... without a gap",
    ]


def test_weights_and_skins(tmp_path):
    b = GltfBuilder()
    weights = np.array([[1, 0, 0, 0], [0.5, 0.25, 0.25, 0], [0.5, 0, 0.5, 0]], np.float32)
    joints = np.zeros((3, 4), np.uint8)
    prim = b.primitive(SQUARE[:3], np.arange(3), WEIGHTS_0=weights, JOINTS_0=joints)
    skin = b.add("skins", {"joints": [1, 2, 3, 4, 5]})
    bones = [b.node(name=f"bone{i}") for i in range(5)]
    b.scene([b.node(mesh=b.mesh(prim), skin=skin)] + bones)
    (mesh,) = load(b.write(tmp_path / "t.glb")).meshes
    assert (mesh.max_influences, mesh.bone_count) == (3, 5)


def test_a_weights_or_joints_attribute_with_a_malformed_set_number_is_passed_over(tmp_path):
    """WEIGHTS_A1 ends in a digit but names no set: it was int('A1'), a ValueError that
    lost the whole file as 'glTF reader failed'; so did TEXCOORD_² (a digit to isdigit)."""
    b = GltfBuilder()
    weights = np.array([[1, 0, 0, 0]] * 3, np.float32)
    joints = np.zeros((3, 4), np.uint8)
    prim = b.primitive(SQUARE[:3], np.arange(3), WEIGHTS_A1=weights, JOINTS_B2=joints)
    prim["attributes"]["TEXCOORD_\u00b2"] = b.accessor(np.zeros((3, 2), np.float32))
    b.scene([b.node(mesh=b.mesh(prim))])
    (mesh,) = load(b.write(tmp_path / "t.glb")).meshes
    assert (mesh.triangle_count, mesh.max_influences) == (1, 0)


def _skinned_square(b: GltfBuilder, weights: np.ndarray, joints: np.ndarray) -> dict:
    return b.primitive(
        SQUARE[:3], np.arange(3), WEIGHTS_0=weights.astype(np.float32), JOINTS_0=joints
    )


def test_skinned_mesh_is_placed_by_its_joints_not_its_node(tmp_path):
    """glTF 2.0 "Skins": the skinned node's own transform is ignored; here the node scales
    by 5 under an armature scaled 0.01, while the joint (scale 100 under it) is back at
    the identity, as in exports with a centimetre armature."""
    b = GltfBuilder()
    weights = np.array([[1, 0, 0, 0]] * 3)
    prim = _skinned_square(b, weights, np.zeros((3, 4), np.uint8))
    bone = b.node(name="bone", scale=[100, 100, 100])
    skin = b.add("skins", {"joints": [bone]})
    skinned = b.node(mesh=b.mesh(prim), skin=skin, scale=[5, 5, 5], name="body")
    b.scene([b.node(name="armature", scale=[0.01] * 3, children=[skinned, bone])])
    asset = load(b.write(tmp_path / "t.glb"))
    # the reader places it without a word; the specification's checks (L007) say, as the
    # Khronos validator does, that the node's own transform is ignored
    assert [(i.code, i.subject) for i in asset.issues] == [
        ("L007", "NODE_SKINNED_MESH_LOCAL_TRANSFORMS"),
        ("L007", "NODE_SKINNED_MESH_NON_ROOT"),
        ("L007", "NODE_SKINNED_MESH_PARENT_TRANSFORMS"),
    ]
    assert np.allclose(asset.bounds(), [[0, 0, 0], [1, 1, 0]])
    node = asset.nodes[1]
    assert np.allclose(node.world, np.eye(4))
    assert np.allclose(asset.nodes[0].world @ node.local, node.world)


def test_skinned_mesh_in_a_pose_blends_its_vertices(tmp_path):
    """Joints away from their bind pose move each vertex by its weights (linear blend)."""
    b = GltfBuilder()
    weights = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0.5, 0.5, 0, 0]])
    joints = np.array([[0, 1, 0, 0]] * 3, np.uint8)
    prim = _skinned_square(b, weights, joints)
    still = b.node(name="still")
    raised = b.node(name="raised", translation=[0, 2, 0])
    ibm = b.accessor(np.tile(np.eye(4, dtype=np.float32).T.reshape(1, 16), (2, 1)))
    skin = b.add("skins", {"joints": [still, raised], "inverseBindMatrices": ibm})
    b.scene([b.node(mesh=b.mesh(prim), skin=skin), still, raised])
    asset = load(b.write(tmp_path / "t.glb"))
    (mesh,) = asset.meshes
    assert np.allclose(mesh.positions, [[0, 0, 0], [1, 2, 0], [1, 2, 0]])
    assert np.allclose(asset.nodes[0].world, np.eye(4))


def test_a_skin_whose_joints_cannot_be_read_leaves_the_node_transform(tmp_path):
    b = GltfBuilder()
    prim = _skinned_square(b, np.array([[1, 0, 0, 0]] * 3), np.zeros((3, 4), np.uint8))
    bone = b.node(name="bone", translation=[0, 9, 0])
    ibm = b.accessor(np.eye(4, dtype=np.float32).reshape(1, 16))
    skin = b.add("skins", {"joints": [bone, bone], "inverseBindMatrices": ibm})
    b.scene([b.node(mesh=b.mesh(prim), skin=skin, name="body"), bone])
    asset = load(b.write(tmp_path / "t.glb"))
    assert [(i.code, i.message) for i in asset.issues] == [
        (
            "L005",
            "node 'body': skin not applied (1 inverse bind matrices for 2 joints); "
            "placed by its own transform",
        ),
        ("L007", "skins[0].joints: holds an element twice"),
        ("L007", "skins[0].inverseBindMatrices: accessor 4 has 1 matrices for 2 joints"),
    ]
    assert np.allclose(asset.bounds(), [[0, 0, 0], [1, 1, 0]])


RIGGED = SHARED / "corpus" / "generated-real"


@needs_corpus
@pytest.mark.parametrize(
    "path, size",
    [
        # the reviewer's skinned bind-pose boxes (MANIFEST.tsv); the Meshy armature scales by
        # 0.01, the Tripo fox's rig node rotates +90 degrees about X
        ("meshy_dahee-character-animated/Meshy_Merged_Animations.glb", (1.531, 1.730, 0.500)),
        (
            "tripo_raptureio-fox-rigged/"
            "tripo_convert_bb9794ad-fd9a-4879-84c1-be11c58f9704_idle_embedded.gltf",
            (27.083, 60.492, 78.680),
        ),
        ("tripo_fishabe-fish-rigged/fishanim.glb", (6.954, 5.543, 7.357)),
    ],
)
def test_rigged_generator_output_is_measured_in_its_skinned_pose(path, size):
    asset = load(RIGGED / path)
    bounds = asset.bounds()
    assert np.allclose(bounds[1] - bounds[0], size, atol=1e-3)
    # no placement issue from the reader (the specification's L007 notes on skinned nodes
    # with parents are the validator's, and true of these exports)
    assert not [i for i in asset.issues if "skin" in i.message and i.code != "L007"]


@needs_corpus
def test_meshy_character_stands_on_the_ground_in_its_skinned_pose():
    asset = load(RIGGED / "meshy_dahee-character-animated/Meshy_Merged_Animations.glb")
    assert abs(asset.bounds()[0, 1]) < 1e-3


@needs_corpus
def test_the_skinned_fox_sample_keeps_its_size():
    """Khronos' Fox: joints in their bind pose, so the skin gives the node's placement."""
    bounds = load(SAMPLES / "Fox" / "Fox.glb").bounds()
    assert np.allclose(bounds[1] - bounds[0], (25.185, 79.029, 154.72), atol=1e-3)


# --- nodes -----------------------------------------------------------------------------


def test_trs_matrix_hierarchy_instancing_and_negative_scale(tmp_path):
    pos, tris = asymmetric_object()
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(pos, tris))
    s = np.sqrt(0.5)
    trs = {"translation": [1, 2, 3], "rotation": [0, s, 0, s], "scale": [2, 2, 2]}
    # the same transform as a column-major matrix: 90 degrees about +Y maps +X to -Z
    matrix = [0, 0, -2, 0, 0, 2, 0, 0, 2, 0, 0, 0, 1, 2, 3, 1]
    child = b.node(mesh=mesh, translation=[1, 0, 0], name="child")
    a = b.node(mesh=mesh, children=[child], name="trs", **trs)
    m = b.node(mesh=mesh, matrix=matrix, name="matrix")
    mirrored = b.node(mesh=mesh, scale=[-1, 1, 1], name="mirrored")
    b.scene([a, m, mirrored])
    asset = load(b.write(tmp_path / "t.glb"))
    names = [n.name for n in asset.nodes]
    assert names == ["trs", "child", "matrix", "mirrored"]
    by = dict(zip(names, asset.nodes, strict=True))
    assert np.allclose(by["trs"].local, by["matrix"].local)
    assert np.allclose(by["child"].world[:3, 3], [1, 2, 1])
    assert by["child"].parent == 0 and by["trs"].children == [1]
    assert np.linalg.det(by["mirrored"].world) == pytest.approx(-1.0)
    assert (asset.scene_triangle_count, asset.unique_triangle_count) == (80, 20)
    assert sum(1 for _ in asset.instances()) == 4
    # the mirrored instance spans x in [-0.5, -0.1]
    assert asset.bounds()[0, 0] == pytest.approx(-0.5)


def test_default_scene_choice(tmp_path):
    b = GltfBuilder()
    mesh = b.mesh(b.primitive(SQUARE[:3], np.arange(3)))
    n0, n1 = b.node(mesh=mesh, name="in0"), b.node(mesh=mesh, name="in1")
    b.add("scenes", {"nodes": [n0]})
    b.add("scenes", {"nodes": [n1]})
    b.doc["scene"] = 1
    assert [n.name for n in load(b.write(tmp_path / "a.glb")).nodes] == ["in1"]
    b.doc["scene"] = 7
    asset = load(b.write(tmp_path / "b.glb"))
    assert [n.name for n in asset.nodes] == ["in0"] and codes(asset) == ["L005"]
    assert khronos(asset) == ["UNRESOLVED_REFERENCE"]
    del b.doc["scene"], b.doc["scenes"]  # no scenes: every root node
    assert [n.name for n in load(b.write(tmp_path / "c.glb")).nodes] == ["in0", "in1"]


def test_cycles_and_absurd_depth_are_load_errors(tmp_path):
    b = GltfBuilder()
    b.node(children=[1])
    b.node(children=[0])
    b.scene([0])
    with pytest.raises(LoadError, match="cycle in the node hierarchy"):
        load(b.write(tmp_path / "cycle.glb"))
    deep = GltfBuilder()
    for i in range(5000):
        deep.node(children=[i + 1])
    deep.node()
    deep.scene([0])
    with pytest.raises(LoadError, match="deeper than 1000 levels"):
        load(deep.write(tmp_path / "deep.glb"))


# --- materials and images --------------------------------------------------------------


def test_materials(tmp_path):
    b = GltfBuilder()
    img = b.add("images", {"bufferView": b.view(RED_PNG), "mimeType": "image/png"})
    tex = b.add("textures", {"source": img})
    b.add(
        "materials",
        {
            "name": "pbr",
            "pbrMetallicRoughness": {
                "baseColorFactor": [1, 0.5, 0.25, 1],
                "metallicFactor": 0,
                "roughnessFactor": 0.25,
                "baseColorTexture": {"index": tex},
                "metallicRoughnessTexture": {"index": tex, "texCoord": 1},
            },
            "normalTexture": {"index": tex, "scale": 2},
            "occlusionTexture": {"index": tex},
            "emissiveTexture": {"index": tex, "texCoord": 2},
            "emissiveFactor": [1, 1, 0],
            "alphaMode": "MASK",
            "alphaCutoff": 0.3,
            "doubleSided": True,
        },
    )
    b.add("materials", {"name": "flat", "extensions": {"KHR_materials_unlit": {}}})
    sg = {"diffuseFactor": [0.5, 0.5, 0.5, 1], "diffuseTexture": {"index": tex}}
    b.add("materials", {"extensions": {"KHR_materials_pbrSpecularGlossiness": sg}})
    b.add("materials", {"alphaMode": "SHINY", "pbrMetallicRoughness": {"metallicFactor": "x"}})
    b.doc["extensionsUsed"] = ["KHR_materials_unlit", "KHR_materials_pbrSpecularGlossiness"]
    asset = load(b.write(tmp_path / "t.glb"))
    pbr, flat, sg_mat, bad = asset.materials
    assert pbr.base_color_factor.tolist() == [1, 0.5, 0.25, 1]
    assert (pbr.metallic_factor, pbr.roughness_factor) == (0.0, 0.25)
    assert pbr.emissive_factor.tolist() == [1, 1, 0]
    assert {r: (s.texture, s.uv_set) for r, s in pbr.textures.items()} == {
        "base_color": (0, 0),
        "metallic_roughness": (0, 1),
        "normal": (0, 0),
        "occlusion": (0, 0),
        "emissive": (0, 2),
    }
    assert (pbr.alpha_mode, pbr.alpha_cutoff, pbr.double_sided) == ("MASK", 0.3, True)
    assert (pbr.workflow, pbr.unlit) == ("metal-rough", False)
    assert (flat.workflow, flat.unlit, flat.double_sided) == ("unlit", True, False)
    assert sg_mat.name == "material2" and sg_mat.workflow == "spec-gloss"
    assert sg_mat.base_color_factor.tolist() == [0.5, 0.5, 0.5, 1]
    assert sg_mat.textures["base_color"].texture == 0
    assert (bad.alpha_mode, bad.metallic_factor) == ("OPAQUE", 1.0)
    assert codes(asset) == ["L005", "L005"]
    assert khronos(asset) == ["VALUE_NOT_IN_LIST", "TYPE_MISMATCH"]


def test_images_embedded_data_uri_file_missing_and_outside(tmp_path):
    folder = tmp_path / "asset"
    folder.mkdir()
    (folder / "red.png").write_bytes(RED_PNG)
    (tmp_path / "secret.png").write_bytes(RED_PNG)
    ktx2 = b"\xabKTX 20\xbb\r\n\x1a\n" + struct.pack("<IIII", 0, 1, 256, 128) + bytes(40)
    b = GltfBuilder()
    b.add("images", {"bufferView": b.view(RED_PNG), "mimeType": "image/png", "name": "emb"})
    b.add("images", {"uri": "data:image/png;base64," + base64.b64encode(RED_PNG).decode()})
    b.add("images", {"uri": "red.png"})
    b.add("images", {"uri": "gone.png"})
    b.add("images", {"uri": "../secret.png"})
    b.add("images", {"bufferView": b.view(ktx2), "mimeType": "image/ktx2"})
    b.add("textures", {"extensions": {"KHR_texture_basisu": {"source": 5}}})
    b.doc["extensionsUsed"] = ["KHR_texture_basisu"]
    b.add("materials", {"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}})
    asset = load(b.write(folder / "t.gltf", binary=False))
    got = [(t.name, t.source, t.uri, t.mime_type, t.width, t.height) for t in asset.textures]
    assert got == [
        ("emb", "embedded", None, "image/png", 1, 1),
        ("image1", "data-uri", None, "image/png", 1, 1),
        ("red.png", "file", "red.png", "image/png", 1, 1),
        ("gone.png", "missing", "gone.png", None, None, None),
        ("secret.png", "missing", "../secret.png", None, None, None),
        ("image5", "embedded", None, "image/ktx2", 256, 128),
    ]
    assert asset.textures[2].path == folder / "red.png"
    assert asset.textures[0].pixels()[0, 0].tolist() == [1, 0, 0, 1]
    assert codes(asset) == ["L002", "L006", "L003"]
    assert khronos(asset) == ["IO_ERROR"]  # gone.png; ../secret.png is not opened
    assert asset.issues[2].severity == "info"
    assert asset.materials[0].textures["base_color"].texture == 5


# --- buffers, codecs, extensions -------------------------------------------------------


def test_missing_bin_is_an_error_issue_naming_buffer_and_meshes(tmp_path):
    pos, tris = asymmetric_object()
    path = write_gltf(tmp_path / "m.gltf", pos, tris, binary=False, external=True, name="Lblock")
    (tmp_path / "m.bin").unlink()
    asset = load(path)
    issue, spec = asset.issues
    assert (issue.code, issue.severity, issue.subject) == ("L002", "error", "m.bin")
    assert (spec.code, spec.severity, spec.subject) == ("L007", "error", "IO_ERROR")
    assert issue.message == "buffer 'm.bin' not found; meshes not read: Lblock"
    assert asset.meshes[0].triangle_count == 0 and len(asset.nodes) == 1


def test_buffer_outside_the_folder_is_not_opened(tmp_path):
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(SQUARE[:3])))])
    (tmp_path / "x.bin").write_bytes(bytes(b.blob))
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "t.gltf"
    path.write_bytes(b.json_bytes("../x.bin"))
    asset = load(path)
    assert [(i.code, i.severity) for i in asset.issues] == [("L006", "error")]
    assert asset.meshes[0].vertex_count == 0


def _meshopt_file(tmp_path: Path, ext_name: str, corrupt: bool = False) -> Path:
    import meshopt

    pos = SQUARE[:4]
    tris = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
    enc_pos = meshopt.encode_gltf_buffer(pos, "ATTRIBUTES")
    enc_idx = meshopt.encode_gltf_buffer(tris.reshape(-1), "TRIANGLES")
    if corrupt:
        enc_idx = b"\xff" * len(enc_idx)
    data = enc_pos + b"\0" * (-len(enc_pos) % 4) + enc_idx
    off = len(enc_pos) + (-len(enc_pos) % 4)

    def view(offset, length, stride, count, mode, plain):
        ext = {"buffer": 0, "byteOffset": offset, "byteLength": length}
        ext.update(byteStride=stride, count=count, mode=mode)
        v = {"buffer": 1, "byteOffset": 0, "byteLength": plain, "extensions": {ext_name: ext}}
        return v | ({"byteStride": stride} if mode == "ATTRIBUTES" else {})

    doc = {
        "asset": {"version": "2.0"},
        "extensionsUsed": [ext_name],
        "extensionsRequired": [ext_name],
        "buffers": [
            {"byteLength": len(data)},
            {"byteLength": 72, "extensions": {ext_name: {"fallback": True}}},
        ],
        "bufferViews": [
            view(0, len(enc_pos), 12, 4, "ATTRIBUTES", 48),
            view(off, len(enc_idx), 4, 6, "TRIANGLES", 24),
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3"}
            | {"min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5125, "count": 6, "type": "SCALAR"},
        ],
        "meshes": [{"name": "q", "primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "nodes": [{"mesh": 0}],
        "scenes": [{"nodes": [0]}],
    }
    path = tmp_path / "m.glb"
    path.write_bytes(glb_bytes(json.dumps(doc).encode(), data))
    return path


@pytest.mark.parametrize("ext_name", ["EXT_meshopt_compression", "KHR_meshopt_compression"])
def test_meshopt_compressed_views_decode(tmp_path, ext_name):
    asset = load(_meshopt_file(tmp_path, ext_name))
    assert asset.issues == []
    (mesh,) = asset.meshes
    assert mesh.positions.tolist() == SQUARE[:4].tolist()
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 2, 3]]


def test_undecodable_meshopt_data_is_an_L003_issue(tmp_path):
    asset = load(_meshopt_file(tmp_path, "EXT_meshopt_compression", corrupt=True))
    (issue,) = asset.issues
    assert (issue.code, issue.severity, issue.subject) == ("L003", "error", "q")
    assert "meshopt data not decoded" in issue.message
    assert asset.meshes[0].triangle_count == 0


def test_unsupported_required_extensions_are_named(tmp_path):
    b = GltfBuilder()
    b.doc["extensionsRequired"] = ["KHR_draco_mesh_compression", "KHR_texture_transform", "X_y"]
    b.doc["extensionsUsed"] = b.doc["extensionsRequired"]
    issues = load(b.write(tmp_path / "t.glb")).issues
    (issue,) = [i for i in issues if i.code == "L004"]
    assert issue.code == "L004"
    assert issue.message.endswith("ignored: KHR_texture_transform, X_y")


# --- broken input ----------------------------------------------------------------------


def _glb(tmp_path: Path) -> bytes:
    pos, tris = asymmetric_object()
    return write_gltf(tmp_path / "ok.glb", pos, tris).read_bytes()


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda d: d[:40], "truncated GLB: the JSON chunk needs"),
        (lambda d: d[:10], "truncated GLB: 10 bytes"),
        (lambda d: b"gltf" + d[4:], "the 'glTF' magic is missing"),
        (lambda d: d[:4] + struct.pack("<I", 1) + d[8:], "GLB version 1"),
    ],
)
def test_broken_glb_container_is_a_load_error(tmp_path, mangle, message):
    path = tmp_path / "bad.glb"
    path.write_bytes(mangle(_glb(tmp_path)))
    with pytest.raises(LoadError, match=message):
        gltf.load(path)


def test_truncated_bin_chunk_loads_what_it_can(tmp_path):
    data = _glb(tmp_path)
    path = tmp_path / "cut.glb"
    path.write_bytes(data[:-100])
    asset = load(path)
    assert codes(asset) == ["L005", "L005"]
    assert asset.issues[0].message == "truncated GLB: the BIN chunk needs 384 bytes, 284 remain"
    assert asset.issues[1].message == (
        "mesh 'mesh' primitive 0 not read: bufferView 1 spans bytes 144..384 "
        "but its buffer holds 284"
    )
    assert asset.meshes[0].triangle_count == 0


@pytest.mark.parametrize(
    "text, message",
    [
        (b'{"asset": {"version": "2.0"}', "invalid JSON: Expecting ',' delimiter"),
        (b"[1, 2]", "the JSON top level is a list"),
        (b'{"asset": {"version": "1.0"}}', "glTF 1.0 is not supported"),
        (b"\xff\xfe{}", "not UTF-8"),
        # a ValueError from int(), not a JSONDecodeError: it escaped as a reader failure
        (b'{"asset": {"version": "2.0"}, "n": ' + b"1" * 5000 + b"}", "an integer too long"),
    ],
)
def test_bad_json_is_a_load_error(tmp_path, text, message):
    path = tmp_path / "bad.gltf"
    path.write_bytes(text)
    with pytest.raises(LoadError, match=message):
        gltf.load(path)


def test_buffer_view_past_the_buffer_is_an_L005_issue(tmp_path):
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(SQUARE[:3]), name="m"))])
    b.doc["bufferViews"][0]["byteLength"] = 4096
    asset = load(b.write(tmp_path / "t.glb"))
    (issue,) = asset.issues
    assert (issue.code, issue.severity, issue.subject) == ("L005", "error", "m")
    assert "bufferView 0 spans bytes 0..4096 but its buffer holds 36" in issue.message


@pytest.mark.parametrize("with_view", [True, False])
def test_absurd_accessor_count_is_an_issue_not_an_allocation(tmp_path, with_view):
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(SQUARE[:3])))])
    b.doc["accessors"][0]["count"] = 2**31
    if not with_view:
        del b.doc["accessors"][0]["bufferView"]
    asset = load(b.write(tmp_path / "t.glb"))
    issue, *spec = asset.issues
    assert issue.code == "L005"
    assert khronos(asset) == ["MESH_PRIMITIVE_INCOMPATIBLE_MODE"]  # 2**31: no multiple of 3
    expected = "needs 25769803776 bytes" if with_view else "claims 2147483648 elements"
    assert expected in issue.message


# --- shared corpus ---------------------------------------------------------------------


def _sample_models() -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    return sorted(p for p in SAMPLES.glob("*/*") if p.suffix in (".glb", ".gltf"))


@needs_corpus
@pytest.mark.parametrize("path", _sample_models(), ids=lambda p: p.parent.name)
def test_corpus_samples_agree_with_validator_counts(path):
    report = (
        SAMPLES / "validator-reports-generated" / f"{path.parent.name}__{path.name}.report.json"
    )
    info = json.loads(report.read_text()).get("info", {})
    if path.parent.name == "broken_html_as_glb":
        with pytest.raises(LoadError, match="content is an HTML page"):
            load(path)
        with pytest.raises(LoadError, match="'glTF' magic is missing"):
            gltf.load(path)
        return
    asset = load(path)
    if path.parent.name == "MissingBin":
        assert [(i.code, i.severity, i.subject) for i in asset.issues] == [
            ("L002", "warning", "CesiumLogoFlat.png"),  # its texture
            ("L002", "error", "BoxTextured0.bin"),  # its .bin, naming the mesh
            ("L007", "error", "IO_ERROR"),  # the validator's two errors
            ("L007", "error", "IO_ERROR"),
        ]
        assert (
            asset.issues[1].message == "buffer 'BoxTextured0.bin' not found; meshes not read: Mesh"
        )
        assert asset.unique_triangle_count == 0
        return
    assert asset.unique_triangle_count == info["totalTriangleCount"]
    assert sum(m.vertex_count for m in asset.meshes) == info["totalVertexCount"]
    assert len(asset.materials) == info["materialCount"]
    assert max((m.max_influences for m in asset.meshes), default=0) == info["maxInfluences"]
    assert max((len(m.uvs) for m in asset.meshes), default=0) == info["maxUVs"]
    # an error exactly where the validator reports one (these are real files, some broken)
    errors = bool([i for i in asset.issues if i.severity == "error"])
    assert errors == (json.loads(report.read_text())["issues"]["numErrors"] > 0)


@needs_corpus
def test_corpus_specifics():
    fox = load(SAMPLES / "Fox" / "Fox.glb")
    assert (fox.meshes[0].bone_count, fox.meshes[0].max_influences) == (24, 4)
    helmet = load(SAMPLES / "DamagedHelmet" / "DamagedHelmet.gltf")
    assert sorted(helmet.materials[0].textures) == [
        "base_color",
        "emissive",
        "metallic_roughness",
        "normal",
        "occlusion",
    ]
    assert [(t.source, t.mime_type, t.width) for t in helmet.textures] == [
        ("file", "image/jpeg", 2048)
    ] * 5
    oob = load(SAMPLES / "IndexOutOfRange" / "IndexOutOfRange.gltf").meshes[0]
    assert oob.triangles.max() >= oob.vertex_count  # kept for a rule to report
    inf = load(SAMPLES / "BoxWithInfinites" / "BoxWithInfinites.glb").meshes[0]
    assert not np.isfinite(inf.positions).all()
    # meshopt: quantized uint16 positions, bounds from the accessor min/max and node TRS
    pirate_path = SAMPLES / "pirate_meshopt" / "pirate.glb"
    pirate = load(pirate_path)
    raw = pirate_path.read_bytes()
    doc = json.loads(raw[20 : 20 + struct.unpack_from("<I", raw, 12)[0]])
    acc, node = doc["accessors"][0], doc["nodes"][0]
    scale, shift = np.array(node["scale"]), np.array(node["translation"])
    expected = [np.array(acc["min"]) * scale + shift, np.array(acc["max"]) * scale + shift]
    assert np.allclose(pirate.bounds(), expected, atol=1e-6)
    # Draco: the same box as BoxTextured, vertex for vertex (in another order), UVs not
    # flipped, within Draco's quantization
    draco = load(SAMPLES / "BoxTextured_Draco" / "BoxTextured.glb")
    plain = load(SAMPLES / "BoxTextured" / "BoxTextured.glb")
    assert draco.textures[0].mime_type == "image/png"

    def by_vertex(mesh):
        rows = np.hstack([mesh.positions, mesh.normals, mesh.uvs[0]])
        return rows[np.lexsort(rows[:, :6].T)]

    assert np.allclose(by_vertex(draco.meshes[0]), by_vertex(plain.meshes[0]), atol=1e-3)


@needs_corpus
def test_undecodable_draco_is_an_L003_issue(tmp_path):
    data = bytearray((SAMPLES / "Box_Draco" / "Box.glb").read_bytes())
    json_len = struct.unpack_from("<I", data, 12)[0]
    bin_start = 20 + json_len + 8
    data[bin_start : bin_start + 16] = b"\xff" * 16
    path = tmp_path / "box.glb"
    path.write_bytes(bytes(data))
    asset = load(path)
    (issue,) = asset.issues
    assert (issue.code, issue.severity) == ("L003", "error")
    assert "Draco geometry not decoded" in issue.message


def _validator_cases() -> list[tuple[str, int]]:
    manifest = VALIDATOR / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with open(manifest, newline="") as fh:
        return [(r["file"], int(r["errors"])) for r in csv.DictReader(fh, delimiter="\t")]


@pytest.mark.skipif(not VALIDATOR.is_dir(), reason="shared corpus not present")
def test_validator_case_count():
    assert len(_validator_cases()) == 299


@pytest.mark.skipif(not VALIDATOR.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("case, errors", _validator_cases(), ids=lambda c: str(c))
def test_validator_cases_load_or_raise_load_error(case, errors):
    """Any other exception is a bug; a file the validator finds no error in must load."""
    try:
        gltf.load(VALIDATOR / case)
    except LoadError:
        assert errors > 0
