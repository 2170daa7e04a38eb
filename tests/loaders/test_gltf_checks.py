"""glTF structural checks (assetlint/loaders/gltf_checks.py): small files built in code, each
breaking the glTF 2.0 schema or one of its rules in known places, with the exact load issues
expected; and a valid file using every checked feature, which must raise none."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from assetlint.loaders import load
from tests.loaders.make_gltf import GltfBuilder

TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
IDENTITY = np.eye(4, dtype=np.float32).reshape(-1)
WEBP = base64.b64decode("UklGRhwAAABXRUJQVlA4TA8AAAAv/8AfAAcQ/Y/+ByKi/wEA")


def messages(path: Path) -> list[tuple[str, str]]:
    """(severity, message) of every issue, all of which must be L005."""
    asset = load(path)
    assert {i.code for i in asset.issues} <= {"L005"}, asset.issues
    return [(i.severity, i.message) for i in asset.issues]


def warnings(*texts: str) -> list[tuple[str, str]]:
    return [("warning", t) for t in texts]


def base() -> GltfBuilder:
    """One triangle drawn by one node: a valid file to break."""
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(TRI, np.arange(3))))])
    return b


def test_a_valid_file_with_every_checked_feature_has_no_issue(tmp_path):
    b = GltfBuilder()
    prim = b.primitive(TRI, np.arange(3))
    prim["targets"] = [{"POSITION": b.accessor(TRI)}]
    mesh = b.mesh(prim)
    joint = b.node(
        name="root", children=[1], matrix=[2, 0, 0, 0, 0, 0, 3, 0, 0, -1, 0, 0, 5, 6, 7, 1]
    )
    b.node(name="leaf", rotation=[0, 0, 0, 1])
    ibm = b.accessor(np.stack([IDENTITY, IDENTITY]))
    b.doc["accessors"][ibm]["type"] = "MAT4"
    skin = b.add("skins", {"joints": [0, 1], "inverseBindMatrices": ibm, "skeleton": 0})
    camera = b.add("cameras", {"type": "perspective", "perspective": {"yfov": 1, "znear": 0.1}})
    body = b.node(mesh=mesh, skin=skin, camera=camera, weights=[0.5])
    b.scene([joint, body])
    times = b.accessor(np.array([0, 1], np.float32))
    turns = b.accessor(np.array([[0, 0, 0, 1], [0, 1, 0, 0]], np.float32))
    blend = b.accessor(np.array([0, 1], np.float32))
    linear = {"input": times, "output": turns}
    b.add(
        "animations",
        {
            "samplers": [linear, {"input": times, "output": blend, "interpolation": "STEP"}],
            "channels": [
                {"sampler": 0, "target": {"node": 1, "path": "rotation"}},
                {"sampler": 1, "target": {"node": body, "path": "weights"}},
            ],
        },
    )
    b.add("materials", {"extensions": {"KHR_materials_ior": {"ior": 1.5}}})
    b.doc["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "spot", "spot": {}}]}}
    b.doc["nodes"][body]["extensions"] = {"KHR_lights_punctual": {"light": 0}}
    b.doc["extensionsUsed"] = ["KHR_materials_ior", "KHR_lights_punctual"]
    assert messages(b.write(tmp_path / "t.glb")) == []


def test_empty_arrays_and_missing_required_properties(tmp_path):
    b = base()
    b.doc["nodes"][0]["children"] = []
    b.doc["samplers"] = []
    b.doc["cameras"] = [{}, {"type": "orthographic", "orthographic": {"xmag": 1}}]
    b.doc["skins"] = [{}]
    b.doc["animations"] = [{"channels": [{"target": {}}], "samplers": [{}]}]
    b.doc["accessors"].append({"count": 1, "sparse": {"indices": {}, "values": {}}})
    b.doc["bufferViews"].append({})
    b.doc["asset"] = {}
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "nodes[0].children: empty array (glTF requires at least one element)",
        "samplers: empty array (glTF requires at least one element)",
        "asset: required property 'version' missing",
        "cameras[0]: required property 'type' missing",
        "cameras[1].orthographic: required property 'ymag', 'zfar', 'znear' missing",
        "bufferViews[2]: required property 'buffer', 'byteLength' missing",
        "accessors[2]: required property 'componentType', 'type' missing",
        "accessors[2].sparse: required property 'count' missing",
        "accessors[2].sparse.indices: required property 'bufferView', 'componentType' missing",
        "accessors[2].sparse.values: required property 'bufferView' missing",
        "skins[0]: required property 'joints' missing",
        "animations[0].samplers[0]: required property 'input', 'output' missing",
        "animations[0].channels[0]: required property 'sampler' missing",
        "animations[0].channels[0].target: required property 'path' missing",
    )


def test_indices_to_nothing(tmp_path):
    b = base()
    b.doc["nodes"][0].update(camera=0)
    b.doc["nodes"].append({"skin": 3})
    b.doc["textures"] = [{"sampler": 1}, {"extensions": {"EXT_texture_webp": {"source": 9}}}]
    b.doc["extensionsUsed"] = ["EXT_texture_webp"]
    b.doc["skins"] = [{"joints": [0, 7], "inverseBindMatrices": 9, "skeleton": -1}]
    b.doc["bufferViews"][0]["buffer"] = 4
    b.doc["scenes"][0]["nodes"].append(12)
    b.doc["animations"] = [
        {
            "samplers": [{"input": 9, "output": 0}],
            "channels": [{"sampler": 1, "target": {"node": 5, "path": "scale"}}],
        }
    ]
    # the reader's own issues (what could not be read) come first, then the structure's
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("warning", "texture 1 names no existing image"),
        ("error", "mesh 'mesh0' primitive 0 not read: buffer index is 4, but there are only 1"),
        ("warning", "scene 0 node is 12, but there are only 2; ignored"),
    ] + warnings(
        "nodes[0].camera: 0 names no entry of cameras (it has 0)",
        "nodes[1].skin: 3 names no entry of skins (it has 1)",
        "nodes[1].skin: requires the node to have a mesh",
        "bufferViews[0].buffer: 4 names no entry of buffers (it has 1)",
        "textures[0].sampler: 1 names no entry of samplers (it has 0)",
        "skins[0].joints[1]: 7 names no entry of nodes (it has 2)",
        "skins[0].skeleton: -1 names no entry of nodes (it has 2)",
        "skins[0].inverseBindMatrices: 9 names no entry of accessors (it has 2)",
        "animations[0].samplers[0].input: 9 names no entry of accessors (it has 2)",
        "animations[0].channels[0].target.node: 5 names no entry of nodes (it has 2)",
        "animations[0].channels[0].sampler: 1 names no entry of samplers (it has 1)",
    )


def test_accessor_bounds_floats_alignment_and_fit(tmp_path):
    b = base()
    bad_bounds = b.accessor(np.array([[0, 0, 0], [1, 2, 1]], np.int16))
    b.doc["accessors"][bad_bounds]["max"] = [1, 1, 1]
    floats = b.accessor(np.array([0.1, np.nan, np.inf, -np.inf], np.float32))
    del b.doc["accessors"][floats]["min"], b.doc["accessors"][floats]["max"]
    tenth = b.accessor(np.array([0.1, 0.7], np.float32))  # bounds written as doubles: match
    b.doc["accessors"][tenth].update(min=[0.1], max=[0.7])
    view = b.view(np.zeros(32, np.uint8))
    b.accessor(np.zeros(2, np.float32), view=view, byte_offset=2, normalized=True)
    b.accessor(np.zeros((2, 4), np.float32), view=view, byte_offset=20)  # 20 + 32 > 32
    b.add("accessors", {"componentType": 5126, "count": 1, "type": "VEC3", "byteOffset": 4})
    strided = b.view(np.zeros(48, np.uint8), stride=4)
    b.accessor(np.zeros((1, 4), np.float32), view=strided)
    # MAT2 of bytes: 4-byte columns; the last element's last column is not padded
    b.add(
        "accessors",
        {"bufferView": view, "componentType": 5121, "count": 2, "type": "MAT2", "byteOffset": 18},
    )
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "accessors[2]: max [1, 1, 1] does not match the data's max [1, 2, 1]",
        "accessors[3]: 3 components are NaN or infinite",
        "accessors[5].normalized: only byte and short components can be normalized",
        "accessors[5].byteOffset: 2 is not a multiple of 4",
        "accessors[5]: starts at buffer byte 86, not a multiple of 4",
        "accessors[6]: needs 52 bytes of its bufferView, which has 32",
        "accessors[7].byteOffset: set without a bufferView",
        "accessors[8]: bufferView byteStride 4 is less than an element (16)",
        "accessors[9].byteOffset: 18: a matrix accessor must be 4-byte aligned",
    )


def test_buffer_view_fit_and_strides(tmp_path):
    b = base()
    b.doc["bufferViews"][1]["byteStride"] = 4  # the triangle's indices
    b.doc["bufferViews"][1]["target"] = 34963
    tiny = b.view(np.zeros(2, np.uint8), stride=4)
    b.doc["bufferViews"][tiny]["byteLength"] = 2
    ibm = b.accessor(np.stack([IDENTITY]))
    b.doc["accessors"][ibm]["type"] = "MAT4"
    b.doc["bufferViews"][b.doc["accessors"][ibm]["bufferView"]]["byteStride"] = 64
    b.add("skins", {"joints": [0], "inverseBindMatrices": ibm})
    b.add("bufferViews", {"buffer": 0, "byteOffset": 8, "byteLength": 4000})
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "bufferViews[1].byteStride: not allowed on a view of vertex indices",
        "bufferViews[2].byteStride: 4 is greater than byteLength 2",
        "bufferViews[3].byteStride: not allowed on a view used by inverse bind matrices",
        "bufferViews[4]: bytes 8..4008 do not fit buffers[0] (byteLength 116)",
    )


def test_cameras_nodes_and_scenes(tmp_path):
    b = base()
    b.doc["cameras"] = [
        {"type": "perspective", "perspective": {"yfov": 0, "znear": 1, "zfar": 0.5}},
        {"type": "orthographic", "orthographic": {"xmag": 0, "ymag": 1, "zfar": 1, "znear": -1}},
        {"type": "perspective", "orthographic": {"xmag": 1, "ymag": 1, "zfar": 1, "znear": 0}},
        {"type": "fisheye"},
    ]
    shear = [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    child = b.node(matrix=shear, translation=[1, 0, 0])
    projective = b.node(matrix=[1, 0, 0, 0.5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
    b.doc["nodes"][0]["children"] = [child]
    b.node(weights=[1])
    b.doc["scenes"][0]["nodes"] += [child, projective]
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("warning", f"node {child} is reached twice in the scene; drawn once")
    ] + warnings(
        "nodes[1]: has both a matrix and translation/rotation/scale",
        "nodes[1].matrix: is not decomposable to translation, rotation and scale",
        "nodes[2].matrix: is not decomposable to translation, rotation and scale",
        "nodes[3].weights: requires the node to have a mesh",
        "scenes[0].nodes[1]: node 1 is a child of node 0, not a root",
        "cameras[0].perspective.yfov: 0 is not a positive number",
        "cameras[0].perspective: zfar 0.5 is not greater than znear 1",
        "cameras[1].orthographic.xmag: must not be zero",
        "cameras[1].orthographic.znear: -1 is negative",
        "cameras[2]: type perspective but no perspective property",
        "cameras[3].type: 'fisheye' is not perspective or orthographic",
    )


def test_skins(tmp_path):
    b = base()
    a, c = b.node(name="a"), b.node(name="c")
    three = b.accessor(np.zeros((2, 16), np.float32))
    b.doc["accessors"][three].update(type="MAT3", min=[0] * 9, max=[0] * 9)
    skewed = np.stack([IDENTITY, IDENTITY, IDENTITY])
    skewed[1, 3] = 2  # last row of the second matrix: [2, 0, 0, 1]
    few = b.accessor(skewed)
    b.doc["accessors"][few]["type"] = "MAT4"
    b.doc["skins"] = [
        {"joints": [a, c], "inverseBindMatrices": three},
        {"joints": [0, a, c, 0], "inverseBindMatrices": few},
    ]
    b.doc["nodes"][0]["children"] = [a, c]
    b.doc["nodes"][0]["skin"] = 1
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "skins[0].inverseBindMatrices: accessor 2 is not MAT4 float",
        "skins[1].inverseBindMatrices: accessor 3 has 3 matrices for 4 joints",
        "skins[1].inverseBindMatrices: 1 of 3 matrices do not end in [0, 0, 0, 1]",
    )
    b.doc["nodes"][0]["children"] = [a]  # c becomes a root of its own
    assert messages(b.write(tmp_path / "t.glb"))[:2] == warnings(
        "skins[0].joints: the joints have no common root node",
        "skins[0].inverseBindMatrices: accessor 2 is not MAT4 float",
    )


def test_animations(tmp_path):
    b = base()
    b.doc["nodes"][0]["matrix"] = IDENTITY.tolist()
    leaf = b.node()
    b.doc["scenes"][0]["nodes"].append(leaf)
    times = b.accessor(np.array([0, 1, 1, 2], np.float32))
    late = b.accessor(np.array([-1], np.float32))
    del b.doc["accessors"][late]["min"]
    ints = b.accessor(np.array([0, 1], np.uint32))
    quaternions = [[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 1], [0, 0, 1, 0]]
    turns = b.accessor(np.array(quaternions, np.float32))
    moves = b.accessor(np.zeros((3, 3), np.float32))
    keys = np.array([0, 1], np.float32)
    timed = b.accessor(keys, view=b.view(keys, stride=4))
    steady = b.accessor(np.array([0, 1, 2, 3], np.float32))
    b.add(
        "animations",
        {
            "samplers": [
                {"input": times, "output": turns},
                {"input": late, "output": moves, "interpolation": "CUBICSPLINE"},
                {"input": ints, "output": moves, "interpolation": "SMOOTH"},
                {"input": steady, "output": moves},
                {"input": timed, "output": moves},
            ],
            "channels": [
                {"sampler": 0, "target": {"node": leaf, "path": "rotation"}},
                {"sampler": 1, "target": {"node": leaf, "path": "translation"}},
                {"sampler": 3, "target": {"node": 0, "path": "scale"}},
                {"sampler": 3, "target": {"node": 0, "path": "weights"}},
                {"sampler": 3, "target": {"node": leaf, "path": "colour"}},
            ],
        },
    )
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "bufferViews[7].byteStride: not allowed on a view used by animation samplers",
        "animations[0].samplers[0].input: 1 keyframe times do not increase",
        "animations[0].samplers[1].input: accessor 3 has no min and max",
        "animations[0].samplers[1].input: CUBICSPLINE needs 2 keyframes or more, has 1",
        "animations[0].samplers[1].input: first keyframe time -1 is negative",
        "animations[0].samplers[2].interpolation: 'SMOOTH' is not a glTF interpolation",
        "animations[0].samplers[2].input: accessor 4 is not SCALAR float",
        "animations[0].channels[0].sampler: 1 output rotations are not unit quaternions",
        "animations[0].channels[2].target: animates scale of node 0, which has a matrix",
        "animations[0].channels[2].sampler: output has 3 elements, 4 expected",
        "animations[0].channels[3].target: animates weights of node 0 without morph targets",
        "animations[0].channels[3].sampler: output has 3 elements, 4 expected",
        "animations[0].channels[4].target.path: 'colour' is not a node property",
    )
