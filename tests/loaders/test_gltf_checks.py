"""glTF structural checks (assetlint/loaders/gltf_checks.py): small files built in code, each
breaking the glTF 2.0 schema or one of its rules in known places, with the exact load issues
expected; and a valid file using every checked feature, which must raise none."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np

from assetlint.loaders import load
from assetlint.loaders.gltf_checks import _bounds
from tests.loaders.make_gltf import RED_PNG, GltfBuilder, glb_bytes

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
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "extensions.EXT_thing: extension not declared in extensionsUsed",
        "extensions.EXT_thing: is 42, not an object",
        "samplers[0].extensions.KHR_materials_ior: extension allowed only on: material",
        "materials[0].pbrMetallicRoughness.extensions.KHR_materials_sheen: extension allowed "
        "only on: material",
        "materials[0].extensions.KHR_materials_volume: extension not declared in extensionsUsed",
        "materials[0].extensions.KHR_materials_emissive_strength: extension not declared in "
        "extensionsUsed",
        "extensionsUsed: lists KHR_materials_ior more than once",
        "extensionsRequired: KHR_draco_mesh_compression not in extensionsUsed",
        "materials[0].extensions.KHR_materials_emissive_strength.emissiveStrength: -0.5 is out "
        "of range",
        "materials[0].extensions.KHR_materials_volume.thicknessFactor: -1 is out of range",
        "materials[0].extensions.KHR_materials_volume.attenuationColor[1]: 2 is out of range",
        "materials[0].extensions.KHR_materials_ior.ior: 0.5 is neither 0 nor at least 1",
    )


def test_unused_declared_extension_is_an_info(tmp_path):
    b = base()
    b.doc["extensionsUsed"] = ["KHR_materials_unlit", "KHR_mesh_quantization"]
    b.doc["extensionsRequired"] = ["KHR_mesh_quantization"]  # it has no object to find
    assert messages(b.write(tmp_path / "t.glb")) == [
        ("info", "extensionsUsed: KHR_materials_unlit declared but not used")
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
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "extensions.KHR_lights_punctual.lights[0].spot: cone angles inner 0.5 and outer 0.4 "
        "must satisfy 0 <= inner < outer <= pi/2",
        "extensions.KHR_lights_punctual.lights[1].intensity: -1 is out of range",
        "extensions.KHR_lights_punctual.lights[1].range: 0 is out of range",
        "extensions.KHR_lights_punctual.lights[2]: a spot light needs a spot object",
        "extensions.KHR_lights_punctual.lights[3]: required property 'type' missing",
        "nodes[0].extensions.KHR_lights_punctual.light: 4 names no entry of lights (it has 4)",
        "extensions.KHR_materials_variants.variants[0].name: 3 is not a string",
        "extensions.KHR_materials_variants.variants[1]: required property 'name' missing",
    )
    del b.doc["extensions"]
    b.doc["extensionsUsed"] = ["KHR_lights_punctual"]
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "nodes[0].extensions.KHR_lights_punctual: a light, but the root has no "
        "extensions.KHR_lights_punctual",
    )


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
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "images[0]: declared image/jpeg but the data is image/png",
        "images[1]: MIME type 'image/gif' is not a glTF image type",
        "images[3].uri: malformed data URI",
        "textures[0].source: image 2 is image/webp, not image/png or image/jpeg",
        "textures[1].extensions.EXT_texture_webp.source: image 0 is image/png, not image/webp",
    )
    del b.doc["extensionsUsed"], b.doc["textures"]
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "images[0]: declared image/jpeg but the data is image/png",
        "images[1]: MIME type 'image/gif' is not a glTF image type",
        "images[2]: image/webp image but EXT_texture_webp is not in extensionsUsed",
        "images[3].uri: malformed data URI",
    )
    b.doc["images"] = [{"uri": "red.webp"}]  # a webp file, named so and not declared
    (tmp_path / "red.webp").write_bytes(WEBP)
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "images[0]: image/webp image but EXT_texture_webp is not in extensionsUsed",
    )


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
    assert messages(path) == warnings(
        f"GLB: chunk 0 length {len(json_chunk)} is not a multiple of 4"
    )
    # the BIN chunk third, after an unknown chunk
    extra = struct.pack("<II", 4, 0x12345678) + b"abcd"
    plain = glb_bytes(json.dumps(doc).encode())
    bin_chunk = struct.pack("<II", len(blob), 0x004E4942) + blob
    data = plain[12:] + extra + bin_chunk
    path.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(data)) + data)
    assert messages(path) == warnings("GLB: the BIN chunk is chunk 2; it must be the second")
    # buffer 0 without uri and no BIN chunk; a second buffer declaring more than it holds
    doc["buffers"].append({"uri": "data:application/octet-stream;base64,AAAA", "byteLength": 4})
    path.write_bytes(glb_bytes(json.dumps(doc).encode()))
    assert messages(path) == [
        ("error", "buffer 0 has no uri and no GLB BIN chunk; meshes not read: mesh0"),
        ("error", "buffer 1 holds 3 bytes, fewer than the 4 it declares"),
    ]
    # when nothing reads buffer 0, the check says it is missing
    del doc["meshes"], doc["nodes"][0]["mesh"]
    path.write_bytes(glb_bytes(json.dumps(doc).encode()))
    assert messages(path) == [
        ("error", "buffers[0]: no uri, and the GLB has no BIN chunk to hold it"),
        ("error", "buffer 1 holds 3 bytes, fewer than the 4 it declares"),
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
    path = "meshes[0].primitives[0]"
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "meshes[0]: primitives have [2, 0] morph targets, not one count",
        "meshes[0].weights: 1 for 2 morph targets",
        f"{path}.attributes.UV: not a glTF attribute name",
        f"{path}.attributes._ID: attributes cannot be UNSIGNED_INT",
        f"{path}.attributes: TEXCOORD sets [1] do not run 0, 1, 2... without a gap",
        f"{path}.attributes: not as many JOINTS_n as WEIGHTS_n attributes",
        f"{path}.targets[0].POSITION: 2 elements, the base attribute 3",
        f"{path}.targets[0].POSITION: accessor 5 has no min and max",
        f"{path}.targets[0].NORMAL: the primitive has no such attribute to morph",
        f"{path}.targets[1].POSITION: 9 names no entry of accessors (it has 8)",
        "meshes[0].primitives[1].material: material 0 samples TEXCOORD_0, TEXCOORD_2, which it "
        "lacks",
        "meshes[0].primitives[1].material: material 0 needs tangents: no TANGENT, and no normal "
        "map to make them",
        "nodes[0].weights: 3 for 2 morph targets",
    )


def test_vertex_vectors_and_colours(tmp_path):
    b = GltfBuilder()
    normals = np.array([[0, 0, 1], [0, 0, 1.01], [0, 0, 0.995]], np.float32)  # 0.995: in 0.00674
    tangents = np.array([[1, 0, 0, 1], [1, 0, 0, -1], [0.5, 0, 0, 0]], np.float32)
    colours = np.array([[0, 0.5, 1, 1], [1.5, 0, 0, 1], [0, 0, -0.5, 1]], np.float32)
    prim = b.primitive(TRI, np.arange(3), NORMAL=normals, TANGENT=tangents, COLOR_0=colours)
    b.scene([b.node(mesh=b.mesh(prim))])
    path = "meshes[0].primitives[0].attributes"
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        f"{path}.NORMAL: 1 vectors are not of unit length",
        f"{path}.TANGENT: 1 vectors are not of unit length",
        f"{path}.TANGENT: 1 w components are not 1 or -1",
        f"{path}.COLOR_0: 2 components are outside 0..1",
    )


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
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "meshes[0].primitives[0].attributes: 1 joint indices exceed the skin's 2 joints",
        "meshes[0].primitives[0].attributes: 1 weights are negative",
        "meshes[0].primitives[0].attributes: 2 vertices list a joint twice",
        "meshes[0].primitives[0].attributes: 3 vertices have weights that do not sum to 1",
    )
    b.doc["scenes"][0]["nodes"] = [body]  # the joints are no longer in the scene
    assert messages(b.write(tmp_path / "t.glb"))[0] == (
        "warning",
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
    where = "meshes[0].primitives[0].extensions.KHR_materials_variants.mappings"
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "extensionsUsed: KHR_mesh_quantization must also be in extensionsRequired",
        f"{where}[1].material: 3 names no entry of materials (it has 1)",
        f"{where}[1].variants[0]: variant 1 is mapped more than once",
        f"{where}[1].variants[1]: 7 names no entry of variants (it has 2)",
    )


def test_primitive_restart_index(tmp_path):
    b = GltfBuilder()
    prim = b.primitive(TRI)
    prim["indices"] = b.accessor(np.array([0, 1, 2, 2, 1, 255], np.uint8))
    b.scene([b.node(mesh=b.mesh(prim))])
    assert messages(b.write(tmp_path / "t.glb")) == warnings(
        "meshes[0].primitives[0].indices: 1 indices are 255, the restart value"
    )


def test_unknown_extensions_are_not_looked_into(tmp_path):
    b = base()
    b.doc["extensionsUsed"] = ["VENDOR_thing"]
    b.doc["nodes"][0]["extensions"] = {"VENDOR_thing": {"parts": [], "extensions": {"X": {}}}}
    assert messages(b.write(tmp_path / "t.glb")) == []
