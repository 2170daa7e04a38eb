"""glTF structural checks (assetlint/loaders/gltf_checks.py): small files built in code, each
breaking the glTF 2.0 schema or one of its rules in known places, with the exact load issues
expected; and a valid file using every checked feature, which must raise none."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np

from assetlint.loaders import gltf_spec, load
from assetlint.loaders.gltf_checks import _bounds
from tests.loaders.make_gltf import RED_PNG, GltfBuilder, glb_bytes

TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
IDENTITY = np.eye(4, dtype=np.float32).reshape(-1)
WEBP = base64.b64decode("UklGRhwAAABXRUJQVlA4TA8AAAAv/8AfAAcQ/Y/+ByKi/wEA")


def messages(path: Path, unused: bool = False) -> list[tuple[str, str]]:
    """(code, message) of every load issue: the Khronos validator's code for a breach of
    the specification (L007, whose severity must be that code's), else the load code.
    Objects the test files leave unused (infos) only when ``unused``."""
    out = []
    for issue in load(path).issues:
        if issue.subject == "UNUSED_OBJECT" and not unused:
            continue
        if issue.code == "L007":
            assert issue.severity == gltf_spec.severity(issue.subject), issue
            out.append((issue.subject, issue.message))
        else:
            out.append((issue.code, issue.message))
    return out


def base() -> GltfBuilder:
    """One triangle drawn by one node: a valid file to break."""
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(TRI, np.arange(3))))])
    return b


def test_a_valid_file_with_every_checked_feature_has_no_issue(tmp_path):
    b = GltfBuilder()
    joints = np.array([[0, 1, 0, 0]] * 3, np.uint8)
    weights = np.array([[0.5, 0.5, 0, 0]] * 3, np.float32)
    prim = b.primitive(TRI, np.arange(3), JOINTS_0=joints, WEIGHTS_0=weights)
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
    b.doc["meshes"][mesh]["primitives"][0]["material"] = 0
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
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("UNDEFINED_PROPERTY", "accessors[2]: required property 'componentType' must be defined"),
        ("UNDEFINED_PROPERTY", "accessors[2]: required property 'type' must be defined"),
        ("UNDEFINED_PROPERTY", "accessors[2].sparse: required property 'count' must be defined"),
        (
            "UNDEFINED_PROPERTY",
            "accessors[2].sparse.indices: required property 'bufferView' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "accessors[2].sparse.indices: required property 'componentType' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "accessors[2].sparse.values: required property 'bufferView' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "animations[0].channels[0]: required property 'sampler' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "animations[0].channels[0].target: required property 'path' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "animations[0].samplers[0]: required property 'input' must be defined",
        ),
        (
            "UNDEFINED_PROPERTY",
            "animations[0].samplers[0]: required property 'output' must be defined",
        ),
        ("UNDEFINED_PROPERTY", "asset: required property 'version' must be defined"),
        ("UNDEFINED_PROPERTY", "bufferViews[2]: required property 'buffer' must be defined"),
        ("UNDEFINED_PROPERTY", "bufferViews[2]: required property 'byteLength' must be defined"),
        ("UNDEFINED_PROPERTY", "cameras[0]: required property 'type' must be defined"),
        ("UNDEFINED_PROPERTY", "cameras[1].orthographic: required property 'ymag' must be defined"),
        ("UNDEFINED_PROPERTY", "cameras[1].orthographic: required property 'zfar' must be defined"),
        (
            "UNDEFINED_PROPERTY",
            "cameras[1].orthographic: required property 'znear' must be defined",
        ),
        ("EMPTY_ENTITY", "nodes[0].children: must not be empty"),
        ("EMPTY_ENTITY", "samplers: must not be empty"),
        ("UNDEFINED_PROPERTY", "skins[0]: required property 'joints' must be defined"),
    ]


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
        ("L005", "texture 1 names no existing image"),
        ("L005", "mesh 'mesh0' primitive 0 not read: buffer index is 4, but there are only 1"),
        ("L005", "scene 0 node is 12, but there are only 2; ignored"),
        ("UNSATISFIED_DEPENDENCY", "nodes[1].skin: needs 'mesh'"),
        ("INVALID_INDEX", "skins[0].skeleton: -1 is not a valid index"),
        ("UNRESOLVED_REFERENCE", "nodes[0].camera: 0 names no entry of cameras (it has 0)"),
        ("UNRESOLVED_REFERENCE", "nodes[1].skin: 3 names no entry of skins (it has 1)"),
        ("UNRESOLVED_REFERENCE", "scenes[0].nodes[1]: 12 names no entry of nodes (it has 2)"),
        ("UNRESOLVED_REFERENCE", "bufferViews[0].buffer: 4 names no entry of buffers (it has 1)"),
        ("UNRESOLVED_REFERENCE", "textures[0].sampler: 1 names no entry of samplers (it has 0)"),
        (
            "UNRESOLVED_REFERENCE",
            (
                "textures[1].extensions.EXT_texture_webp.source: 9 names no entry of "
                "images (it has 0)"
            ),
        ),
        ("UNRESOLVED_REFERENCE", "skins[0].joints[1]: 7 names no entry of nodes (it has 2)"),
        (
            "UNRESOLVED_REFERENCE",
            "skins[0].inverseBindMatrices: 9 names no entry of accessors (it has 2)",
        ),
        (
            "UNRESOLVED_REFERENCE",
            "animations[0].samplers[0].input: 9 names no entry of accessors (it has 2)",
        ),
        (
            "UNRESOLVED_REFERENCE",
            "animations[0].channels[0].target.node: 5 names no entry of nodes (it has 2)",
        ),
        (
            "UNRESOLVED_REFERENCE",
            "animations[0].channels[0].sampler: 1 names no entry of samplers (it has 1)",
        ),
        (
            "ACCESSOR_USAGE_OVERRIDE",
            (
                "meshes[0].primitives[0].attributes.POSITION: accessor 0 holds animation "
                "data at animations[0].samplers[0].output, vertex data here"
            ),
        ),
    ]


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
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("UNSATISFIED_DEPENDENCY", "accessors[7].byteOffset: needs 'bufferView'"),
        (
            "ACCESSOR_MAX_MISMATCH",
            "accessors[2]: max [1, 1, 1] does not match the data's max [1, 2, 1]",
        ),
        ("ACCESSOR_INVALID_FLOAT", "accessors[3]: 3 components are NaN or infinite"),
        (
            "ACCESSOR_NORMALIZED_INVALID",
            "accessors[5].normalized: only byte and short components can be normalized",
        ),
        ("ACCESSOR_OFFSET_ALIGNMENT", "accessors[5].byteOffset: 2 is not a multiple of 4"),
        (
            "ACCESSOR_TOTAL_OFFSET_ALIGNMENT",
            "accessors[5]: starts at buffer byte 86, not a multiple of 4",
        ),
        ("ACCESSOR_TOO_LONG", "accessors[6]: needs 52 bytes of its bufferView, which has 32"),
        (
            "ACCESSOR_SMALL_BYTESTRIDE",
            "accessors[8]: bufferView byteStride 4 is less than an element (16)",
        ),
        (
            "ACCESSOR_MATRIX_ALIGNMENT",
            "accessors[9].byteOffset: 18: a matrix accessor must be 4-byte aligned",
        ),
    ]


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
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "BUFFER_VIEW_INVALID_BYTE_STRIDE",
            "bufferViews[1].byteStride: not allowed on a view of vertex indices",
        ),
        (
            "BUFFER_VIEW_TOO_BIG_BYTE_STRIDE",
            "bufferViews[2].byteStride: 4 is greater than byteLength 2",
        ),
        (
            "SKIN_IBM_ACCESSOR_WITH_BYTESTRIDE",
            "bufferViews[3].byteStride: not allowed on a view used by inverse bind matrices",
        ),
        (
            "BUFFER_VIEW_TOO_LONG",
            "bufferViews[4]: bytes 8..4008 do not fit buffers[0] (byteLength 116)",
        ),
    ]


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
        ("L005", "node 1 is reached twice in the scene; drawn once"),
        (
            "VALUE_NOT_IN_RANGE",
            "cameras[0].perspective.yfov: 0 is out of range (exclusiveMinimum 0.0)",
        ),
        ("VALUE_NOT_IN_RANGE", "cameras[1].orthographic.znear: -1 is out of range (minimum 0.0)"),
        ("VALUE_NOT_IN_LIST", 'cameras[3].type: "fisheye" is not an allowed value'),
        ("NODE_MATRIX_TRS", "nodes[1]: has both a matrix and translation/rotation/scale"),
        ("UNSATISFIED_DEPENDENCY", "nodes[3].weights: needs 'mesh'"),
        (
            "NODE_MATRIX_NON_TRS",
            "nodes[2].matrix: is not decomposable to translation, rotation, scale",
        ),
        ("SCENE_NON_ROOT_NODE", "scenes[0].nodes[1]: node 1 is a child of node 0, not a root"),
        (
            "CAMERA_ZFAR_LEQUAL_ZNEAR",
            "cameras[0].perspective: zfar 0.5 is not greater than znear 1",
        ),
        ("CAMERA_XMAG_YMAG_ZERO", "cameras[1].orthographic.xmag: must not be zero"),
        ("UNDEFINED_PROPERTY", "cameras[2]: type perspective but no perspective property"),
    ]


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
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("DUPLICATE_ELEMENTS", "skins[1].joints: holds an element twice"),
        ("SKIN_IBM_INVALID_FORMAT", "skins[0].inverseBindMatrices: accessor 2 is not MAT4 float"),
        (
            "INVALID_IBM_ACCESSOR_COUNT",
            "skins[1].inverseBindMatrices: accessor 3 has 3 matrices for 4 joints",
        ),
        (
            "ACCESSOR_INVALID_IBM",
            "skins[1].inverseBindMatrices: 1 of 3 matrices do not end in [0, 0, 0, 1]",
        ),
        ("NODE_SKIN_WITH_NON_SKINNED_MESH", "nodes[0]: a skin, but its mesh has no joints"),
    ]
    b.doc["nodes"][0]["children"] = [a]  # c becomes a root of its own
    assert messages(b.write(tmp_path / "t.glb"))[:2] == [
        ("DUPLICATE_ELEMENTS", "skins[1].joints: holds an element twice"),
        ("SKIN_NO_COMMON_ROOT", "skins[0].joints: the joints have no common root"),
    ]


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
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "VALUE_NOT_IN_LIST",
            'animations[0].channels[4].target.path: "colour" is not an allowed value',
        ),
        (
            "VALUE_NOT_IN_LIST",
            'animations[0].samplers[2].interpolation: "SMOOTH" is not an allowed value',
        ),
        ("NODE_MATRIX_DEFAULT", "nodes[0].matrix: the identity, which is the default"),
        (
            "ANIMATION_SAMPLER_ACCESSOR_WITH_BYTESTRIDE",
            "bufferViews[7].byteStride: not allowed on a view used by animation samplers",
        ),
        (
            "ACCESSOR_ANIMATION_INPUT_NON_INCREASING",
            "animations[0].samplers[0].input: 1 keyframe times do not increase",
        ),
        (
            "ANIMATION_SAMPLER_INPUT_ACCESSOR_WITHOUT_BOUNDS",
            "animations[0].samplers[1].input: accessor 3 has no min and max",
        ),
        (
            "ANIMATION_SAMPLER_INPUT_ACCESSOR_TOO_FEW_ELEMENTS",
            "animations[0].samplers[1].input: CUBICSPLINE needs 2 keyframes or more, has 1",
        ),
        (
            "ACCESSOR_ANIMATION_INPUT_NEGATIVE",
            "animations[0].samplers[1].input: first keyframe time -1 is negative",
        ),
        (
            "ANIMATION_SAMPLER_INPUT_ACCESSOR_INVALID_FORMAT",
            "animations[0].samplers[2].input: accessor 4 is not SCALAR float",
        ),
        (
            "ACCESSOR_ANIMATION_SAMPLER_OUTPUT_NON_NORMALIZED_QUATERNION",
            "animations[0].channels[0].sampler: 1 output rotations are not unit quaternions",
        ),
        (
            "ANIMATION_CHANNEL_TARGET_NODE_MATRIX",
            "animations[0].channels[2].target: animates scale of node 0, which has a matrix",
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT",
            "animations[0].channels[2].sampler: output has 3 elements, 4 expected",
        ),
        (
            "ANIMATION_CHANNEL_TARGET_NODE_WEIGHTS_NO_MORPHS",
            "animations[0].channels[3].target: animates weights of node 0 without morph targets",
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_FORMAT",
            "animations[0].channels[3].sampler: output accessor 6 is VEC3; weights needs SCALAR",
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT",
            "animations[0].channels[3].sampler: output has 3 elements, 4 expected",
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_INTERPOLATION",
            (
                "animations[0].samplers[2].output: accessor 6 is spline data at "
                "animations[0].samplers[1].output, linear here"
            ),
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_INTERPOLATION",
            (
                "animations[0].samplers[3].output: accessor 6 is spline data at "
                "animations[0].samplers[1].output, linear here"
            ),
        ),
        (
            "ANIMATION_SAMPLER_OUTPUT_INTERPOLATION",
            (
                "animations[0].samplers[4].output: accessor 6 is spline data at "
                "animations[0].samplers[1].output, linear here"
            ),
        ),
    ]


def test_extension_declaration_placement_and_values(tmp_path):
    b = base()
    b.doc["extensionsUsed"] = ["KHR_materials_ior", "KHR_materials_ior", "KHR_materials_sheen"]
    b.doc["extensionsRequired"] = ["KHR_draco_mesh_compression"]
    b.doc["extensions"] = {"EXT_thing": 42}
    b.add("samplers", {"extensions": {"KHR_materials_ior": {"ior": 1.5}}})
    b.add(
        "materials",
        {
            "pbrMetallicRoughness": {"extensions": {"KHR_materials_sheen": {}}},
            "extensions": {
                "KHR_materials_ior": {"ior": 0.5},
                "KHR_materials_volume": {"thicknessFactor": -1, "attenuationColor": [1, 2, 0]},
                "KHR_materials_emissive_strength": {"emissiveStrength": -0.5},
            },
        },
    )
    b.add("materials", {"extensions": {"KHR_materials_ior": {"ior": 0}}})  # 0 is allowed
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("TYPE_MISMATCH", "extensions.EXT_thing: 42 is not of type object"),
        ("DUPLICATE_ELEMENTS", "extensionsUsed: holds an element twice"),
        ("UNDECLARED_EXTENSION", "extensions.EXT_thing: not declared in extensionsUsed"),
        (
            "UNEXPECTED_EXTENSION_OBJECT",
            "samplers[0].extensions.KHR_materials_ior: allowed only on: material",
        ),
        (
            "UNEXPECTED_EXTENSION_OBJECT",
            (
                "materials[0].pbrMetallicRoughness.extensions.KHR_materials_sheen: "
                "allowed only on: material"
            ),
        ),
        (
            "VALUE_NOT_IN_RANGE",
            "materials[0].extensions.KHR_materials_ior.ior: 0.5 is out of range",
        ),
        (
            "UNDECLARED_EXTENSION",
            "materials[0].extensions.KHR_materials_volume: not declared in extensionsUsed",
        ),
        (
            "VALUE_NOT_IN_RANGE",
            (
                "materials[0].extensions.KHR_materials_volume.attenuationColor[1]: 2 is "
                "out of range (maximum 1.0)"
            ),
        ),
        (
            "VALUE_NOT_IN_RANGE",
            (
                "materials[0].extensions.KHR_materials_volume.thicknessFactor: -1 is out "
                "of range (minimum 0.0)"
            ),
        ),
        (
            "UNDECLARED_EXTENSION",
            (
                "materials[0].extensions.KHR_materials_emissive_strength: not declared in "
                "extensionsUsed"
            ),
        ),
        (
            "VALUE_NOT_IN_RANGE",
            (
                "materials[0].extensions.KHR_materials_emissive_strength.emissiveStrength: "
                "-0.5 is out of range (minimum 0.0)"
            ),
        ),
        (
            "UNUSED_EXTENSION_REQUIRED",
            (
                "extensionsRequired[0]: KHR_draco_mesh_compression is required but not in "
                "extensionsUsed"
            ),
        ),
        (
            "KHR_MATERIALS_EMISSIVE_STRENGTH_ZERO_FACTOR",
            (
                "materials[0].extensions.KHR_materials_emissive_strength: a strength for "
                "an emissive factor of zero"
            ),
        ),
        (
            "KHR_MATERIALS_VOLUME_NO_TRANSMISSION",
            (
                "materials[0].extensions.KHR_materials_volume: a volume with a surface "
                "that transmits no light"
            ),
        ),
    ]


def test_unused_declared_extension_is_an_info(tmp_path):
    b = base()
    b.doc["extensionsUsed"] = ["KHR_materials_unlit", "KHR_mesh_quantization"]
    b.doc["extensionsRequired"] = ["KHR_mesh_quantization"]  # it has no object to find
    assert messages(b.write(tmp_path / "t.glb"), unused=True) == [
        ("UNUSED_OBJECT", "extensionsUsed[0]: KHR_materials_unlit is declared but not used"),
    ]


def test_lights_and_variants(tmp_path):
    b = base()
    lights = [
        {"type": "spot", "spot": {"innerConeAngle": 0.5, "outerConeAngle": 0.4}},
        {"type": "point", "intensity": -1, "range": 0},
        {"type": "spot"},
        {},
    ]
    variants = {"variants": [{"name": 3}, {}]}
    b.doc["extensions"] = {"KHR_lights_punctual": {"lights": lights}}
    b.doc["extensions"]["KHR_materials_variants"] = variants
    b.doc["extensionsUsed"] = ["KHR_lights_punctual", "KHR_materials_variants"]
    b.doc["nodes"][0]["extensions"] = {"KHR_lights_punctual": {"light": 4}}
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "VALUE_NOT_IN_RANGE",
            "extensions.KHR_lights_punctual.lights[1].intensity: -1 is out of range (minimum 0)",
        ),
        (
            "VALUE_NOT_IN_RANGE",
            (
                "extensions.KHR_lights_punctual.lights[1].range: 0 is out of range "
                "(exclusiveMinimum 0)"
            ),
        ),
        (
            "UNDEFINED_PROPERTY",
            "extensions.KHR_lights_punctual.lights[3]: required property 'type' must be defined",
        ),
        (
            "TYPE_MISMATCH",
            "extensions.KHR_materials_variants.variants[0].name: 3 is not of type string",
        ),
        (
            "UNDEFINED_PROPERTY",
            (
                "extensions.KHR_materials_variants.variants[1]: required property 'name' "
                "must be defined"
            ),
        ),
        (
            "KHR_LIGHTS_PUNCTUAL_LIGHT_SPOT_ANGLES",
            (
                "extensions.KHR_lights_punctual.lights[0].spot: outerConeAngle 0.4 is not "
                "greater than innerConeAngle 0.5"
            ),
        ),
        (
            "UNRESOLVED_REFERENCE",
            (
                "nodes[0].extensions.KHR_lights_punctual.light: 4 names no entry of "
                "lights (it has 4)"
            ),
        ),
    ]
    del b.doc["extensions"]
    b.doc["extensionsUsed"] = ["KHR_lights_punctual"]
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "UNSATISFIED_DEPENDENCY",
            (
                "nodes[0].extensions.KHR_lights_punctual: a light, but the root has no "
                "extensions.KHR_lights_punctual"
            ),
        ),
    ]


def test_image_mime_types_and_data_uris(tmp_path):
    b = base()
    png = "data:image/png;base64," + base64.b64encode(RED_PNG).decode()
    b.add("images", {"uri": png, "mimeType": "image/jpeg"})
    b.add("images", {"uri": "data:image/gif;base64," + base64.b64encode(RED_PNG).decode()})
    b.add("images", {"bufferView": b.view(WEBP), "mimeType": "image/webp"})
    b.add("images", {"uri": png.replace(";", ";;")})  # read, though malformed
    b.add("textures", {"source": 2})
    b.add("textures", {"source": 0, "extensions": {"EXT_texture_webp": {"source": 0}}})
    b.doc["extensionsUsed"] = ["EXT_texture_webp"]
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("DATA_URI_GLB", "images[0].uri: a data URI inside a GLB"),
        ("IMAGE_MIME_TYPE_INVALID", "images[0]: declared image/jpeg but the data is image/png"),
        ("DATA_URI_GLB", "images[1].uri: a data URI inside a GLB"),
        (
            "IMAGE_DATA_INVALID",
            (
                "images[1].uri: media type 'image/gif' is not one of image/png, "
                "image/jpeg, image/webp, image/ktx2, image/avif"
            ),
        ),
        ("IMAGE_MIME_TYPE_INVALID", "images[1]: declared image/gif but the data is image/png"),
        ("INVALID_URI", "images[3].uri: malformed data URI"),
        (
            "TEXTURE_INVALID_IMAGE_MIME_TYPE",
            "textures[0].source: image 2 is image/webp, not image/png or image/jpeg",
        ),
        (
            "TEXTURE_INVALID_IMAGE_MIME_TYPE",
            (
                "textures[1].extensions.EXT_texture_webp.source: image 0 is image/png, "
                "not image/webp"
            ),
        ),
    ]
    del b.doc["extensionsUsed"], b.doc["textures"]
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("VALUE_NOT_IN_LIST", 'images[2].mimeType: "image/webp" is not an allowed value'),
        ("DATA_URI_GLB", "images[0].uri: a data URI inside a GLB"),
        ("IMAGE_MIME_TYPE_INVALID", "images[0]: declared image/jpeg but the data is image/png"),
        ("DATA_URI_GLB", "images[1].uri: a data URI inside a GLB"),
        (
            "IMAGE_DATA_INVALID",
            (
                "images[1].uri: media type 'image/gif' is not one of image/png, "
                "image/jpeg, image/webp, image/ktx2, image/avif"
            ),
        ),
        ("IMAGE_MIME_TYPE_INVALID", "images[1]: declared image/gif but the data is image/png"),
        (
            "IMAGE_NON_ENABLED_MIME_TYPE",
            "images[2]: image/webp image but EXT_texture_webp is not in extensionsUsed",
        ),
        ("INVALID_URI", "images[3].uri: malformed data URI"),
    ]
    b.doc["images"] = [{"uri": "red.webp"}]  # a webp file, named so and not declared
    (tmp_path / "red.webp").write_bytes(WEBP)
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("URI_GLB", "images[0].uri: an external file referenced from a GLB"),
        (
            "IMAGE_NON_ENABLED_MIME_TYPE",
            "images[0]: image/webp image but EXT_texture_webp is not in extensionsUsed",
        ),
    ]


def test_glb_chunks_and_buffers(tmp_path):
    b = base()
    doc = json.loads(b.json_bytes(None))
    blob = bytes(b.blob)
    json_chunk = json.dumps(doc).encode() + b" " * 3
    json_chunk += b" " * (-len(json_chunk) % 4) + b" "  # a length that is not 4-aligned
    path = tmp_path / "unaligned.glb"
    body = struct.pack("<II", len(json_chunk), 0x4E4F534A) + json_chunk
    body += struct.pack("<II", len(blob), 0x004E4942) + blob
    path.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body)
    assert messages(path) == [
        ("GLB_CHUNK_LENGTH_UNALIGNED", "GLB: chunk 0 length 589 is not a multiple of 4"),
    ]
    # the BIN chunk third, after an unknown chunk
    extra = struct.pack("<II", 4, 0x12345678) + b"abcd"
    plain = glb_bytes(json.dumps(doc).encode())
    bin_chunk = struct.pack("<II", len(blob), 0x004E4942) + blob
    data = plain[12:] + extra + bin_chunk
    path.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(data)) + data)
    assert messages(path) == [
        ("GLB_UNEXPECTED_BIN_CHUNK", "GLB: the BIN chunk is chunk 2; it must be the second"),
    ]
    # buffer 0 without uri and no BIN chunk; a second buffer declaring more than it holds
    doc["buffers"].append({"uri": "data:application/octet-stream;base64,AAAA", "byteLength": 4})
    path.write_bytes(glb_bytes(json.dumps(doc).encode()))
    assert messages(path) == [
        ("L005", "buffer 0 has no uri and no GLB BIN chunk; meshes not read: mesh0"),
        ("DATA_URI_GLB", "buffers[1].uri: a data URI inside a GLB"),
        ("BUFFER_BYTE_LENGTH_MISMATCH", "buffers[1]: holds 3 bytes, fewer than the 4 it declares"),
    ]
    # when nothing reads buffer 0, the check says it is missing
    del doc["meshes"], doc["nodes"][0]["mesh"]
    path.write_bytes(glb_bytes(json.dumps(doc).encode()))
    assert messages(path) == [
        ("NODE_EMPTY", "nodes[0]: a node with no content and no role"),
        ("BUFFER_MISSING_GLB_DATA", "buffers[0]: no uri, and the GLB has no BIN chunk to hold it"),
        ("DATA_URI_GLB", "buffers[1].uri: a data URI inside a GLB"),
        ("BUFFER_BYTE_LENGTH_MISMATCH", "buffers[1]: holds 3 bytes, fewer than the 4 it declares"),
    ]


def test_bounds_are_numpys_on_every_shape():
    rng = np.random.default_rng(0)
    for n in (1, 511, 512, 513, 16384 * 2 + 7):
        for k in (1, 3, 16):
            values = rng.normal(size=(n, k)).astype(np.float32)
            low, high = _bounds(values)
            assert (low == values.min(axis=0)).all() and (high == values.max(axis=0)).all()
    values = rng.normal(size=(2000, 3))
    values[1500, 1] = np.nan
    low, high = _bounds(values)
    assert np.isnan(low[1]) and np.isnan(high[1]) and np.isfinite(low[[0, 2]]).all()


def test_primitive_attributes_targets_and_materials(tmp_path):
    b = GltfBuilder()
    uv = np.zeros((3, 2), np.float32)
    prim = b.primitive(TRI, np.arange(3), TEXCOORD_1=uv, JOINTS_0=np.zeros((3, 4), np.uint8))
    prim["attributes"]["UV"] = prim["attributes"]["TEXCOORD_1"]
    prim["attributes"]["_ID"] = b.accessor(np.arange(3, dtype=np.uint32))
    prim["targets"] = [
        {"POSITION": b.accessor(TRI[:2]), "NORMAL": 0},
        {"POSITION": 9},
    ]
    del b.doc["accessors"][prim["targets"][0]["POSITION"]]["min"]
    plain = b.primitive(TRI, np.arange(3))
    b.add("textures", {})
    info = {"index": 0, "extensions": {"KHR_texture_transform": {"texCoord": 2}}}
    clearcoat = {"clearcoatNormalTexture": {"index": 0}}
    b.add(
        "materials", {"emissiveTexture": info, "extensions": {"KHR_materials_clearcoat": clearcoat}}
    )
    b.doc["extensionsUsed"] = ["KHR_texture_transform", "KHR_materials_clearcoat"]
    plain["material"] = 0
    mesh = b.mesh(prim, plain)
    b.doc["meshes"][mesh]["weights"] = [0.5]
    b.scene([b.node(mesh=mesh, weights=[0, 0, 0])])
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "MESH_PRIMITIVES_UNEQUAL_TARGETS_COUNT",
            "meshes[0]: primitives have [2, 0] morph targets, not one count",
        ),
        (
            "MESH_PRIMITIVES_UNEQUAL_JOINTS_COUNT",
            "meshes[0]: primitives have [0, 1] JOINTS_n sets, not one count",
        ),
        ("MESH_INVALID_WEIGHTS_COUNT", "meshes[0].weights: 1 for 2 morph targets"),
        (
            "MESH_PRIMITIVE_INVALID_ATTRIBUTE",
            "meshes[0].primitives[0].attributes.UV: not a glTF attribute name",
        ),
        (
            "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_UNSIGNED_INT",
            "meshes[0].primitives[0].attributes._ID: attributes cannot be UNSIGNED_INT",
        ),
        (
            "MESH_PRIMITIVE_INDEXED_SEMANTIC_CONTINUITY",
            (
                "meshes[0].primitives[0].attributes: TEXCOORD sets [1] do not run 0, 1, "
                "2... without a gap"
            ),
        ),
        (
            "MESH_PRIMITIVE_JOINTS_WEIGHTS_MISMATCH",
            "meshes[0].primitives[0].attributes: not as many JOINTS_n as WEIGHTS_n attributes",
        ),
        (
            "MESH_PRIMITIVE_MORPH_TARGET_INVALID_ATTRIBUTE_COUNT",
            "meshes[0].primitives[0].targets[0].POSITION: 2 elements, the base attribute 3",
        ),
        (
            "MESH_PRIMITIVE_POSITION_ACCESSOR_WITHOUT_BOUNDS",
            "meshes[0].primitives[0].targets[0].POSITION: accessor 5 has no min and max",
        ),
        (
            "MESH_PRIMITIVE_MORPH_TARGET_NO_BASE_ACCESSOR",
            (
                "meshes[0].primitives[0].targets[0].NORMAL: the primitive has no such "
                "attribute to morph"
            ),
        ),
        (
            "UNRESOLVED_REFERENCE",
            (
                "meshes[0].primitives[0].targets[1].POSITION: 9 names no entry of "
                "accessors (it has 8)"
            ),
        ),
        (
            "MESH_PRIMITIVE_TOO_FEW_TEXCOORDS",
            (
                "meshes[0].primitives[1].material: material 0 samples TEXCOORD_0, "
                "TEXCOORD_2, which it lacks"
            ),
        ),
        (
            "MESH_PRIMITIVE_NO_TANGENT_SPACE",
            (
                "meshes[0].primitives[1].material: material 0 needs tangents: no TANGENT, "
                "and no normal map to make them"
            ),
        ),
        ("NODE_WEIGHTS_INVALID", "nodes[0].weights: 3 for 2 morph targets"),
        ("NODE_SKINNED_MESH_WITHOUT_SKIN", "nodes[0]: joint data but no skin"),
    ]


def test_vertex_vectors_and_colours(tmp_path):
    b = GltfBuilder()
    normals = np.array([[0, 0, 1], [0, 0, 1.01], [0, 0, 0.995]], np.float32)  # 0.995: in 0.00674
    tangents = np.array([[1, 0, 0, 1], [1, 0, 0, -1], [0.5, 0, 0, 0]], np.float32)
    colours = np.array([[0, 0.5, 1, 1], [1.5, 0, 0, 1], [0, 0, -0.5, 1]], np.float32)
    prim = b.primitive(TRI, np.arange(3), NORMAL=normals, TANGENT=tangents, COLOR_0=colours)
    b.scene([b.node(mesh=b.mesh(prim))])
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "ACCESSOR_VECTOR3_NON_UNIT",
            "meshes[0].primitives[0].attributes.NORMAL: 1 vectors are not of unit length",
        ),
        (
            "ACCESSOR_VECTOR3_NON_UNIT",
            "meshes[0].primitives[0].attributes.TANGENT: 1 vectors are not of unit length",
        ),
        (
            "ACCESSOR_INVALID_SIGN",
            "meshes[0].primitives[0].attributes.TANGENT: 1 w components are not 1 or -1",
        ),
        (
            "ACCESSOR_NON_CLAMPED",
            "meshes[0].primitives[0].attributes.COLOR_0: 2 components are outside 0..1",
        ),
    ]


def test_skin_influences(tmp_path):
    b = GltfBuilder()
    joints = np.array([[0, 1, 0, 0], [0, 5, 0, 0], [1, 1, 0, 0]], np.uint8)
    weights = np.array([[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0]], np.float32)
    weights[0] = [0.75, 0.5, 0, 0]  # sums to 1.25; vertex 1 to 0.5 (joint 5 is not the
    # skin's), vertex 2 to 0.5 (joint 1 twice: the repeat does not count)
    extra_j = np.zeros((3, 4), np.uint8)
    extra_w = np.array([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], np.float32)
    extra_w[1, 0] = -0.25
    prim = b.primitive(
        TRI, np.arange(3), JOINTS_0=joints, WEIGHTS_0=weights, JOINTS_1=extra_j, WEIGHTS_1=extra_w
    )
    mesh = b.mesh(prim)
    bones = [b.node(name="hip", children=[1]), b.node(name="knee")]
    skin = b.add("skins", {"joints": bones})
    body = b.node(mesh=mesh, skin=skin)
    b.scene([bones[0], body])
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "ACCESSOR_JOINTS_INDEX_OOB",
            "meshes[0].primitives[0].attributes: 1 joint indices exceed the skin's 2 joints",
        ),
        ("ACCESSOR_WEIGHTS_NEGATIVE", "meshes[0].primitives[0].attributes: 1 weights are negative"),
        (
            "ACCESSOR_JOINTS_INDEX_DUPLICATE",
            "meshes[0].primitives[0].attributes: 2 vertices list a joint twice",
        ),
        (
            "ACCESSOR_WEIGHTS_NON_NORMALIZED",
            "meshes[0].primitives[0].attributes: 3 vertices have weights that do not sum to 1",
        ),
    ]
    b.doc["scenes"][0]["nodes"] = [body]  # the joints are no longer in the scene
    assert messages(b.write(tmp_path / "t.glb"))[0] == (
        "NODE_SKIN_NO_SCENE",
        f"nodes[{body}]: skinned, but scenes[0] lacks its joints",
    )


def test_variant_mappings_and_quantization(tmp_path):
    b = base()
    b.add("materials", {})
    mappings = [{"material": 0, "variants": [0, 1]}, {"material": 3, "variants": [1, 7]}]
    b.doc["meshes"][0]["primitives"][0]["extensions"] = {
        "KHR_materials_variants": {"mappings": mappings}
    }
    b.doc["extensions"] = {"KHR_materials_variants": {"variants": [{"name": "a"}, {"name": "b"}]}}
    b.doc["extensionsUsed"] = ["KHR_materials_variants", "KHR_mesh_quantization"]
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "NON_REQUIRED_EXTENSION",
            "extensionsUsed: KHR_mesh_quantization must also be in extensionsRequired",
        ),
        (
            "UNRESOLVED_REFERENCE",
            (
                "meshes[0].primitives[0].extensions.KHR_materials_variants.mappings[1].material: "
                "3 names no entry of materials (it has 1)"
            ),
        ),
        (
            "KHR_MATERIALS_VARIANTS_NON_UNIQUE_VARIANT",
            (
                "meshes[0].primitives[0].extensions.KHR_materials_variants.mappings[1]"
                ".variants[0]: variant 1 is mapped more than once"
            ),
        ),
        (
            "UNRESOLVED_REFERENCE",
            (
                "meshes[0].primitives[0].extensions.KHR_materials_variants.mappings[1]"
                ".variants[1]: 7 names no entry of variants (it has 2)"
            ),
        ),
    ]


def test_primitive_restart_index(tmp_path):
    b = GltfBuilder()
    prim = b.primitive(TRI)
    prim["indices"] = b.accessor(np.array([0, 1, 2, 2, 1, 255], np.uint8))
    b.scene([b.node(mesh=b.mesh(prim))])
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "ACCESSOR_INDEX_PRIMITIVE_RESTART",
            "meshes[0].primitives[0].indices: 1 indices are 255, the restart value",
        ),
    ]


def test_unknown_extensions_are_not_looked_into(tmp_path):
    b = base()
    b.doc["extensionsUsed"] = ["VENDOR_thing"]
    b.doc["nodes"][0]["extensions"] = {"VENDOR_thing": {"parts": [], "extensions": {"X": {}}}}
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("UNSUPPORTED_EXTENSION", "extensionsUsed[0]: VENDOR_thing is not checked by assetlint"),
    ]


def test_unused_objects_are_infos(tmp_path):
    """What nothing refers to: a node outside every scene, a material nobody draws (its
    texture, sampler and image are used: by it), an accessor (its view is used: by it), a
    light no node holds."""
    b = base()
    b.node(name="stray")
    b.add("samplers", {})
    b.add("images", {"bufferView": b.view(RED_PNG), "mimeType": "image/png"})
    b.add("textures", {"sampler": 0, "source": 0})
    b.add("materials", {"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}})
    b.accessor(np.zeros(3, np.float32))
    b.doc["extensions"] = {"KHR_lights_punctual": {"lights": [{"type": "point"}]}}
    b.doc["extensionsUsed"] = ["KHR_lights_punctual"]
    found = messages(b.write(tmp_path / "t.glb"), unused=True)
    assert [m for code, m in found if code == "UNUSED_OBJECT"] == [
        "accessors[2]: nothing in the document uses it",
        "materials[0]: nothing in the document uses it",
        "nodes[1]: nothing in the document uses it",
        "extensions.KHR_lights_punctual.lights[0]: nothing in the document uses it",
    ]
    assert {i.severity for i in load(tmp_path / "t.glb").issues} == {"info"}


def test_rules_between_objects(tmp_path):
    """Rules that tie objects together: one target per channel, a skeleton above its
    joints, a skinned node's animation, aligned vertex data, tangents and normal maps,
    iridescence's thickness range."""
    b = GltfBuilder()
    joints = np.array([[0, 0, 0, 0]] * 3, np.uint8)
    joints[0, 1] = 1  # a joint with no weight: it does nothing
    weights = np.array([[1, 0, 0, 0]] * 3, np.float32)
    tangents = np.array([[1, 0, 0, 1]] * 3, np.float32)
    normals = np.array([[0, 0, 1]] * 3, np.float32)
    skinned = b.primitive(TRI, np.arange(3), JOINTS_0=joints, WEIGHTS_0=weights)
    lit = b.primitive(TRI, np.arange(3), NORMAL=normals, TANGENT=tangents)
    mapped = b.primitive(TRI, np.arange(3), NORMAL=normals)
    b.add("textures", {"source": b.add("images", {"uri": "n.png"})})
    mapped["material"] = b.add("materials", {"normalTexture": {"index": 0}})
    lit["material"] = b.add(
        "materials",
        {
            "extensions": {
                "KHR_materials_iridescence": {
                    "iridescenceThicknessMinimum": 300,
                    "iridescenceThicknessMaximum": 200,
                    "iridescenceThicknessTexture": {"index": 0},
                }
            }
        },
    )
    b.doc["extensionsUsed"] = ["KHR_materials_iridescence"]
    (tmp_path / "n.png").write_bytes(RED_PNG)
    leaf, hip = b.node(name="leaf"), b.node(name="hip")
    skin = b.add("skins", {"joints": [leaf, hip], "skeleton": 2})  # the body: above neither
    body = b.node(mesh=b.mesh(skinned), skin=skin)
    b.scene([leaf, hip, body, b.node(mesh=b.mesh(lit)), b.node(mesh=b.mesh(mapped))])
    b.doc["accessors"][0]["byteOffset"] = 0
    times = b.accessor(np.array([0, 1], np.float32))
    moves = b.accessor(np.zeros((2, 3), np.float32))
    b.add(
        "animations",
        {
            "samplers": [{"input": times, "output": moves}],
            "channels": [
                {"sampler": 0, "target": {"node": body, "path": "translation"}},
                {"sampler": 0, "target": {"node": body, "path": "translation"}},
            ],
        },
    )
    found = messages(b.write(tmp_path / "t.gltf", binary=False))
    assert sorted(code for code, _ in found) == [
        "ACCESSOR_JOINTS_USED_ZERO_WEIGHT",
        "ANIMATION_CHANNEL_TARGET_NODE_SKIN",
        "ANIMATION_CHANNEL_TARGET_NODE_SKIN",
        "ANIMATION_DUPLICATE_TARGETS",
        "KHR_MATERIALS_IRIDESCENCE_THICKNESS_RANGE_INVALID",
        "MESH_PRIMITIVE_GENERATED_TANGENT_SPACE",
        "MESH_PRIMITIVE_TOO_FEW_TEXCOORDS",  # both textured materials: no UVs to sample
        "MESH_PRIMITIVE_TOO_FEW_TEXCOORDS",
        "SKIN_NO_COMMON_ROOT",  # leaf and hip: two roots
        "SKIN_SKELETON_INVALID",
        "UNUSED_MESH_TANGENT",
    ]


def test_attribute_component_types_and_accessor_usage(tmp_path):
    """Each semantic's component types (the specification's table; KHR_mesh_quantization
    widens it), and one kind of data per accessor."""
    b = base()
    uv16 = b.accessor(np.zeros((3, 2), np.int16))  # signed texcoords: quantization only
    weights = b.accessor(np.full((3, 4), 0.25, np.float32))
    joints = b.accessor(np.zeros((3, 4), np.uint8))
    prim = b.doc["meshes"][0]["primitives"][0]
    prim["attributes"].update(TEXCOORD_0=uv16, JOINTS_0=joints, WEIGHTS_0=weights)
    times = b.accessor(np.array([0, 1, 2], np.float32))
    b.add("animations", {"samplers": [{"input": times, "output": prim["indices"]}], "channels": []})
    found = messages(b.write(tmp_path / "t.glb"))
    assert [c for c, _ in found if c.startswith(("ACCESSOR_USAGE", "MESH_PRIMITIVE_ATTR"))] == [
        "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_INVALID_FORMAT",
        "ACCESSOR_USAGE_OVERRIDE",
    ]
    assert any(m.endswith("holds int16 components, not allowed for TEXCOORD") for _, m in found)
    b.doc["extensionsUsed"] = b.doc["extensionsRequired"] = ["KHR_mesh_quantization"]
    found = messages(b.write(tmp_path / "t.glb"))
    assert [c for c, _ in found if c.startswith("MESH_PRIMITIVE_ATTR")] == []


def test_a_min_version_with_a_superscript_digit_is_compared_not_a_reader_failure(tmp_path):
    """A superscript two is a digit to str.isdigit but not to int(): it was a ValueError
    that lost the whole file as 'glTF reader failed'; the schema's pattern reports it."""
    b = base()
    b.doc["asset"]["minVersion"] = "2.\u00b2"
    assert messages(b.write(tmp_path / "t.glb")) == [
        (
            "PATTERN_MISMATCH",
            'asset.minVersion: "2.\\u00b2" does not match '
            "^(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})$",
        )
    ]
