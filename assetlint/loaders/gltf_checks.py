"""Structural checks of a glTF 2.0 document, run after the reader has built the Asset.

Reading only needs what draws the scene; a file can still break the glTF 2.0 schema and
its rules elsewhere (an empty array, a required property missing, an index to nothing, an
accessor whose min/max lie about its data, an animation or a skin no engine can play) and
then one consumer refuses it while another guesses. The JSON's shape is checked against
the published schemas (:mod:`assetlint.loaders.gltf_spec`); this module checks what a schema
cannot say, by section of the specification: references, buffers and views, accessors and
their data, images, textures, skins, animations, meshes, extensions. Each fault becomes one
L007 load issue with the Khronos validator's code as its subject and that code's default
severity, and a message starting with the JSON path of the offending value, e.g.
``accessors[2]: max [1, 1, 1] does not match the data's max [1, 2, 1]``. Checks on element
data are vectorized: a million-element accessor costs a few numpy passes.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from assetlint.loaders import gltf_spec
from assetlint.loaders._gltf_json import (
    CHUNK_BIN,
    COMPONENTS,
    DTYPES,
    NORMALIZED_DIVISOR,
    Accessor,
    Skip,
)
from assetlint.loaders._refs import RefusedReference, resolve_reference
from assetlint.model import LoadError

if TYPE_CHECKING:
    from assetlint.loaders.gltf import Reader
    from assetlint.model import Texture

_CODE = "L007"
_FLOAT = 5126
_INDEX_TARGET = 34963  # ELEMENT_ARRAY_BUFFER: no byteStride allowed
_TRS = ("translation", "rotation", "scale")
_PATHS = (*_TRS, "weights")
_IMAGE_MIMES = ("image/png", "image/jpeg")
# Image MIME types an extension enables, and the extension each one needs.
_EXTENSION_MIMES = {
    "image/webp": "EXT_texture_webp",
    "image/ktx2": "KHR_texture_basisu",
    "image/avif": "EXT_texture_avif",
}
_TEXTURE_SOURCE_MIMES = {
    "EXT_texture_webp": "image/webp",
    "KHR_texture_basisu": "image/ktx2",
    "EXT_texture_avif": "image/avif",
}
_ATTRIBUTE = re.compile(r"POSITION|NORMAL|TANGENT|(TEXCOORD|COLOR|JOINTS|WEIGHTS)_(0|[1-9]\d*)|_.*")
# Unit length tolerances of the Khronos validator (8-bit quantization error) for vectors
# and quaternions; and the rounding a float32 sum of skin weights may gather per weight
# added (2e-7, a little over float32's half ulp at 1, as the released validator 2.0.0-dev.3.10
# allows: a vertex whose float32 weights round to 0.99999994 is normalized)
_UNIT_VEC3 = 0.00674
_UNIT_VEC4 = 0.00769
_WEIGHT_ROUNDING = 2e-7
_RESTART = {5121: 2**8 - 1, 5123: 2**16 - 1, 5125: 2**32 - 1}  # per index component type
# data:[type/subtype][;param=value]*[;base64],payload
# A URI with a scheme (RFC 3986), which glTF allows only as data:
_KTX2_MAGIC = b"\xabKTX 20\xbb\r\n\x1a\n"
_TARGET_USE = {34962: "vertex", 34963: "index"}  # ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER
# Arrays an extension adds to the root, and where they are referred to from: (key,
# extension, property holding the reference, (root array, steps down to the referrer))
_EXTENSION_ARRAYS = (
    ("KHR_lights_punctual.lights", "KHR_lights_punctual", "light", ("nodes",)),
    (
        "KHR_materials_variants.variants",
        "KHR_materials_variants",
        "variants",
        ("meshes", "primitives", "extensions", "mappings"),
    ),
)
# Properties of the extensions assetlint reads that publish no schema (archived, or EXT_),
# from their specifications; the others are checked against their schema
_EXTENSION_PROPERTIES = {
    "EXT_texture_webp": ("source",),
    "EXT_texture_avif": ("source",),
    "KHR_materials_pbrSpecularGlossiness": (
        "diffuseFactor",
        "diffuseTexture",
        "specularFactor",
        "glossinessFactor",
        "specularGlossinessTexture",
    ),
    "EXT_meshopt_compression": (
        "buffer",
        "byteOffset",
        "byteLength",
        "byteStride",
        "count",
        "mode",
        "filter",
        "fallback",  # on a buffer
    ),
}
# Accessor type of an animation channel's output, by the property it animates
_OUTPUT_TYPES = {"translation": "VEC3", "rotation": "VEC4", "scale": "VEC3", "weights": "SCALAR"}
# Material extensions that are a shading model of their own, not a layer on metal-rough
_EXCLUSIVE_MODELS = ("KHR_materials_pbrSpecularGlossiness", "KHR_materials_unlit")
# Textures whose directions are read in the normal map's tangent space: same UV set
_NORMAL_UV_TEXTURES = (
    (
        "KHR_materials_anisotropy",
        "anisotropyTexture",
        "KHR_MATERIALS_ANISOTROPY_ANISOTROPY_TEXTURE_TEXCOORD",
    ),
    (
        "KHR_materials_clearcoat",
        "clearcoatNormalTexture",
        "KHR_MATERIALS_CLEARCOAT_CLEARCOAT_NORMAL_TEXTURE_TEXCOORD",
    ),
)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_BUFFER_MIMES = ("application/octet-stream", "application/gltf-buffer")
# PREFIX_name, as the extension registry names extensions
_EXTENSION_NAME = re.compile(r"[A-Z0-9]+_[A-Za-z0-9_]+")
_UNSIGNED = {5121: "UNSIGNED_BYTE", 5123: "UNSIGNED_SHORT", 5125: "UNSIGNED_INT"}
# Accessor type of each attribute semantic (its component types vary with quantization)
_ATTRIBUTE_TYPES = {
    "POSITION": ("VEC3",),
    "NORMAL": ("VEC3",),
    "TANGENT": ("VEC4",),
    "TEXCOORD": ("VEC2",),
    "COLOR": ("VEC3", "VEC4"),
    "JOINTS": ("VEC4",),
    "WEIGHTS": ("VEC4",),
}
# Component types (and normalized) each attribute semantic allows: the specification's
# table (3.7.2.1), and with KHR_mesh_quantization the wider one of that extension
_F32 = (5126, False)
_UNORM = ((5121, True), (5123, True))
_SNORM = ((5120, True), (5122, True))
_INTS = ((5120, False), (5121, False), (5122, False), (5123, False))
_COMPONENTS: dict[str, tuple[tuple[int, bool], ...]] = {
    "POSITION": (_F32,),
    "NORMAL": (_F32,),
    "TANGENT": (_F32,),
    "TEXCOORD": (_F32, *_UNORM),
    "COLOR": (_F32, *_UNORM),
    "JOINTS": ((5121, False), (5123, False)),
    "WEIGHTS": (_F32, *_UNORM),
}
_QUANTIZED = {
    **_COMPONENTS,
    "POSITION": (_F32, *_INTS, *_UNORM, *_SNORM),
    "NORMAL": (_F32, *_SNORM),
    "TANGENT": (_F32, *_SNORM),
    "TEXCOORD": (_F32, *_INTS, *_UNORM, *_SNORM),
}
# Vertices or indices per primitive of each mode, and the least count (points, lines,
# line loop, line strip, triangles, triangle strip, triangle fan)
_MODE_STEP = {0: (1, 1), 1: (2, 2), 2: (1, 2), 3: (1, 2), 4: (3, 3), 5: (1, 3), 6: (1, 3)}
_DATA_URI = re.compile(r"data:(?:[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[^;,]*)*(?:;base64)?,", re.I)

# Where each known extension may appear (the kind of object holding its `extensions`).
_MATERIAL_EXTENSIONS = (
    "KHR_materials_anisotropy",
    "KHR_materials_clearcoat",
    "KHR_materials_diffuse_transmission",
    "KHR_materials_dispersion",
    "KHR_materials_emissive_strength",
    "KHR_materials_ior",
    "KHR_materials_iridescence",
    "KHR_materials_pbrSpecularGlossiness",
    "KHR_materials_sheen",
    "KHR_materials_specular",
    "KHR_materials_transmission",
    "KHR_materials_unlit",
    "KHR_materials_volume",
)
_PLACES: dict[str, tuple[str, ...]] = {
    **{name: ("material",) for name in _MATERIAL_EXTENSIONS},
    "KHR_texture_transform": ("textureInfo",),
    "EXT_texture_webp": ("texture",),
    "KHR_texture_basisu": ("texture",),
    "EXT_texture_avif": ("texture",),
    "KHR_lights_punctual": ("root", "node"),
    "KHR_materials_variants": ("root", "primitive"),
    "KHR_draco_mesh_compression": ("primitive",),
    "EXT_meshopt_compression": ("buffer", "bufferView"),
    "KHR_meshopt_compression": ("buffer", "bufferView"),
    "EXT_mesh_gpu_instancing": ("node",),
    "KHR_animation_pointer": ("target",),
    "KHR_mesh_quantization": (),  # declared only, never an object
}
_OBJECTLESS = frozenset(name for name, places in _PLACES.items() if not places)
_ARRAY_KINDS = {
    "accessors": "accessor",
    "animations": "animation",
    "buffers": "buffer",
    "bufferViews": "bufferView",
    "cameras": "camera",
    "images": "image",
    "materials": "material",
    "meshes": "mesh",
    "nodes": "node",
    "samplers": "sampler",
    "scenes": "scene",
    "skins": "skin",
    "textures": "texture",
}


def check(doc: dict[str, Any], reader: Reader, glb: bytes | None) -> None:
    """Record every structural fault of ``doc`` on ``reader.asset`` (``glb``: the raw
    container when the file is a GLB, for its chunk layout)."""
    _Checks(doc, reader).run(glb)


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _fmt(values: Any) -> str:
    """Numbers as short as float32 allows: [1, 0.1, -2]."""
    if isinstance(values, list | tuple | np.ndarray):
        return "[" + ", ".join(_fmt(v) for v in values) + "]"
    if isinstance(values, float | np.floating):
        return np.format_float_positional(np.float32(values), trim="-")
    return str(values)


class _Checks:
    """One document's checks; each method covers one part of the document, in the order
    of :meth:`run`, and records what it finds as load issues."""

    def __init__(self, doc: dict[str, Any], reader: Reader):
        self.doc = doc
        self.reader = reader
        self.asset = reader.asset
        used = doc.get("extensionsUsed")
        self.used = {e for e in _list(used) if isinstance(e, str)}
        self.read_before = set(reader.accessors_read)
        self.buffers_before = set(reader.buffers_read)
        self.parents: dict[int, int] = {}  # node -> its parent
        self.present: set[str] = set()  # extensions found on objects
        self.misfit: set[int] = set()  # accessors whose read error an issue here covers
        self.bad_views: set[int] = set()  # bufferViews reported as not fitting their buffer
        self.bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # accessor -> min, max
        self.glb = reader.bin_chunk is not None or reader.asset.format == "glb"
        self.roles = _roles(doc)  # nodes that are joints, skeletons or animated
        self.view_use: dict[int, str] = {}  # bufferView -> "vertex" or "index" data
        self.view_attributes: dict[int, set[int]] = {}  # bufferView -> attribute accessors
        self.accessor_use: dict[int, tuple[str, str]] = {}  # accessor -> (use, where first)

    def warn(self, code: str, path: str, message: str) -> None:
        """One issue: ``code`` is the Khronos validator's, whose severity it takes."""
        self.asset.issue(_CODE, f"{path}: {message}", gltf_spec.severity(code), subject=code)

    def array(self, key: str) -> list[Any]:
        return _list(self.doc.get(key))

    def count(self, key: str) -> int:
        return len(self.array(key))

    def ref(self, path: str, value: Any, key: str) -> int | None:
        """The index ``value`` into top-level array ``key``; an issue when it names nothing."""
        return self.ref_into(path, value, self.count(key), key)

    def ref_into(self, path: str, value: Any, count: int, what: str) -> int | None:
        """The index ``value`` into an array of ``count`` entries; None when absent, and an
        issue when it names nothing."""
        if not _is_index(value) or value < 0:
            return None  # absent, or not an index: the schema check says so
        if value < count:
            return value
        self.warn(
            "UNRESOLVED_REFERENCE", path, f"{value} names no entry of {what} (it has {count})"
        )
        return None

    def run(self, glb: bytes | None) -> None:
        if glb is not None:
            self.glb_chunks(glb)
        self.schema()
        self.walk()
        self.asset_version()
        self.extension_lists()
        self.nodes()
        self.scenes()
        self.cameras()
        self.buffer_views()
        self.accessors()
        self.buffers(glb is not None)
        self.images()
        self.textures()
        self.materials()
        self.skins()
        self.animations()
        self.lights()
        self.meshes()

    # --- whole document -----------------------------------------------------------------

    def schema(self) -> None:
        """The document against the glTF 2.0 JSON schema (extension objects: :meth:`walk`)."""
        for issue in gltf_spec.validate(self.doc):
            if not self.extended(issue):
                self.warn(issue.code, issue.path, issue.message)

    def extended(self, issue: gltf_spec.SchemaIssue) -> bool:
        """Whether a value the core schema does not list is one a declared extension adds
        (an image MIME type, the animation path "pointer")."""
        if issue.code != "VALUE_NOT_IN_LIST":
            return False
        value = _at(self.doc, issue.path)
        if issue.path.endswith(".mimeType") and value in _EXTENSION_MIMES:
            return _EXTENSION_MIMES[value] in self.used
        return value == "pointer" and "KHR_animation_pointer" in self.used

    def objects(self) -> Iterator[tuple[str, str, str, Any]]:
        """(path, kind, owner kind, value) of every JSON value outside `extras` and the
        insides of extensions not known here (their schema is not), without recursion (a
        deep file must not exhaust Python's stack). A kind names the schema object ("node",
        "primitive", "textureInfo"...) or is "" where it does not matter."""
        stack: list[tuple[str, str, str, Any]] = [("", "root", "", self.doc)]
        while stack:
            path, kind, owner, value = stack.pop()
            yield path, kind, owner, value
            if kind == "extension" and path.rpartition(".")[2] not in _PLACES:
                continue
            if isinstance(value, dict):  # pushed in reverse, so visited in document order
                for key, child in reversed(value.items()):
                    where = f"{path}.{key}" if path else key
                    if key == "extras":
                        if not isinstance(child, dict):
                            self.warn("NON_OBJECT_EXTRAS", where, "prefer a JSON object")
                    else:
                        stack.append((where, _kind(kind, key), kind, child))
            elif isinstance(value, list):
                item = _ARRAY_KINDS.get(path, "") if kind == "root-array" else _item(kind)
                stack.extend(
                    (f"{path}[{i}]", item, kind, value[i]) for i in reversed(range(len(value)))
                )

    def walk(self) -> None:
        """Numbers JSON cannot hold, and every `extensions` object: declared, in its place,
        and as its extension's schema says."""
        places = gltf_spec.extension_places()
        for path, kind, owner, value in self.objects():
            if isinstance(value, float) and not math.isfinite(value):
                self.warn("VALUE_NOT_IN_RANGE", path, f"{value} is not a finite number")
            if kind != "extensions" or not isinstance(value, dict):
                continue
            for name, ext in value.items():
                self.present.add(name)
                where = f"{path}.{name}"
                if name not in self.used:
                    self.warn("UNDECLARED_EXTENSION", where, "not declared in extensionsUsed")
                allowed = _PLACES.get(name, places.get(name))  # None: not known
                if allowed is not None and owner not in allowed:
                    where_ok = ", ".join(sorted(allowed)) or "nothing (it is only declared)"
                    self.warn("UNEXPECTED_EXTENSION_OBJECT", where, f"allowed only on: {where_ok}")
                    continue
                for issue in gltf_spec.validate_extension(name, owner, ext, where):
                    self.warn(issue.code, issue.path, issue.message)
                known = _EXTENSION_PROPERTIES.get(name)
                for key in _obj(ext) if known is not None else ():
                    if key not in (*known, "extensions", "extras"):
                        self.warn("UNEXPECTED_PROPERTY", f"{where}.{key}", "unexpected property")

    def asset_version(self) -> None:
        meta = _obj(self.doc.get("asset"))
        version, minimum = meta.get("version"), meta.get("minVersion")
        if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
            return  # missing or malformed: the schema check says so
        major, minor = _version(version)
        if major != 2:
            self.warn("UNKNOWN_ASSET_MAJOR_VERSION", "asset.version", f"{version} is not glTF 2")
        elif minor != 0:
            self.warn("UNKNOWN_ASSET_MINOR_VERSION", "asset.version", f"{version} is not 2.0")
        if isinstance(minimum, str) and _version(minimum) > _version(version):
            self.warn(
                "ASSET_MIN_VERSION_GREATER_THAN_VERSION",
                "asset.minVersion",
                f"{minimum} is greater than version {version}",
            )

    def extension_lists(self) -> None:
        required = [n for n in self.array("extensionsRequired") if isinstance(n, str)]
        if required and "extensionsUsed" not in self.doc:
            self.warn("UNSATISFIED_DEPENDENCY", "extensionsRequired", "needs extensionsUsed")
        for k, name in enumerate(required):
            if name not in self.used:
                self.warn(
                    "UNUSED_EXTENSION_REQUIRED",
                    f"extensionsRequired[{k}]",
                    f"{name} is required but not in extensionsUsed",
                )
        known = set(_PLACES) | set(gltf_spec.extension_places())
        for k, name in enumerate(self.array("extensionsUsed")):
            if not isinstance(name, str):
                continue
            where = f"extensionsUsed[{k}]"
            if not _EXTENSION_NAME.fullmatch(name):
                self.warn("INVALID_EXTENSION_NAME_FORMAT", where, f"{name!r} is not PREFIX_name")
            if name not in known:
                self.warn("UNSUPPORTED_EXTENSION", where, f"{name} is not checked by assetlint")
            elif name not in self.present and name not in _OBJECTLESS:
                self.warn("UNUSED_OBJECT", where, f"{name} is declared but not used")

    def glb_chunks(self, data: bytes) -> None:
        """Chunk lengths multiple of 4, and the BIN chunk second (the reader reads what it
        finds wherever it is)."""
        length = min(len(data), struct.unpack_from("<I", data, 8)[0])
        offset, position = 12, 0
        while offset + 8 <= length:
            chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
            if chunk_length % 4:
                self.warn(
                    "GLB_CHUNK_LENGTH_UNALIGNED",
                    "GLB",
                    f"chunk {position} length {chunk_length} is not a multiple of 4",
                )
            if chunk_type == CHUNK_BIN and position != 1:
                self.warn(
                    "GLB_UNEXPECTED_BIN_CHUNK",
                    "GLB",
                    f"the BIN chunk is chunk {position}; it must be the second",
                )
            offset += 8 + chunk_length
            position += 1

    # --- nodes, scenes, cameras ---------------------------------------------------------

    def nodes(self) -> None:
        nodes = self.array("nodes")
        for i, node in enumerate(nodes):
            node = _obj(node)
            path = f"nodes[{i}]"
            for k, kid in enumerate(_list(node.get("children"))):
                if self.ref(f"{path}.children[{k}]", kid, "nodes") is None:
                    continue
                if kid in self.parents and self.parents[kid] != i:
                    self.warn(
                        "NODE_PARENT_OVERRIDE",
                        f"{path}.children[{k}]",
                        f"node {kid} is already a child of node {self.parents[kid]}",
                    )
                self.parents.setdefault(kid, i)
            self.ref(f"{path}.camera", node.get("camera"), "cameras")
            self.ref(f"{path}.mesh", node.get("mesh"), "meshes")
            self.ref(f"{path}.skin", node.get("skin"), "skins")
            if "matrix" in node and not any(k in node for k in _TRS):
                self.matrix(f"{path}.matrix", node["matrix"])
            rotation = node.get("rotation")
            if isinstance(rotation, list) and len(rotation) == 4 and all(map(_is_number, rotation)):
                if abs(math.hypot(*rotation) - 1) > _UNIT_VEC4:
                    self.warn("ROTATION_NON_UNIT", f"{path}.rotation", "not a unit quaternion")
            if not set(node) - {"name"} and i not in self.roles:
                self.warn("NODE_EMPTY", path, "a node with no content and no role")

    def matrix(self, path: str, value: Any) -> None:
        """A node matrix must be a TRS: an affine last row and orthogonal columns; the
        identity is the default, not to be written."""
        if not isinstance(value, list) or len(value) != 16 or not all(map(_is_number, value)):
            return
        m = np.array(value, dtype=np.float64).reshape(4, 4).T
        if not np.isfinite(m).all():
            return
        if np.array_equal(m, np.eye(4)):
            self.warn("NODE_MATRIX_DEFAULT", path, "the identity, which is the default")
            return
        linear = m[:3, :3]
        gram = linear.T @ linear
        scale = np.sqrt(np.diag(gram))
        off = gram - np.diag(np.diag(gram))
        if (
            not np.allclose(m[3], (0, 0, 0, 1))
            or not (scale > 0).all()
            or np.abs(off).max() > 1e-4 * max(1.0, float(scale.max()) ** 2)
        ):
            self.warn(
                "NODE_MATRIX_NON_TRS", path, "is not decomposable to translation, rotation, scale"
            )

    def scenes(self) -> None:
        self.ref("scene", self.doc.get("scene"), "scenes")
        for s, scene in enumerate(self.array("scenes")):
            for k, node in enumerate(_list(_obj(scene).get("nodes"))):
                where = f"scenes[{s}].nodes[{k}]"
                if self.ref(where, node, "nodes") is not None and node in self.parents:
                    self.warn(
                        "SCENE_NON_ROOT_NODE",
                        where,
                        f"node {node} is a child of node {self.parents[node]}, not a root",
                    )

    def cameras(self) -> None:
        """What the camera schemas cannot say: the projection its type names, and sane
        planes and magnifications."""
        for i, camera in enumerate(self.array("cameras")):
            camera = _obj(camera)
            path, kind = f"cameras[{i}]", camera.get("type")
            if kind in ("perspective", "orthographic"):
                if kind not in camera:
                    self.warn("UNDEFINED_PROPERTY", path, f"type {kind} but no {kind} property")
                else:
                    self.projection(f"{path}.{kind}", kind, _obj(camera[kind]))

    def projection(self, path: str, kind: str, proj: dict[str, Any]) -> None:
        near, far = proj.get("znear"), proj.get("zfar")
        if kind == "perspective":
            yfov = proj.get("yfov")
            if _is_number(yfov) and yfov >= math.pi:
                self.warn("CAMERA_YFOV_GEQUAL_PI", f"{path}.yfov", f"{yfov} is not less than pi")
        else:
            for key in ("xmag", "ymag"):
                value = proj.get(key)
                if value == 0:
                    self.warn("CAMERA_XMAG_YMAG_ZERO", f"{path}.{key}", "must not be zero")
                elif _is_number(value) and value < 0:
                    self.warn("CAMERA_XMAG_YMAG_NEGATIVE", f"{path}.{key}", f"{value} is negative")
        if _is_number(near) and _is_number(far) and far <= near:
            self.warn(
                "CAMERA_ZFAR_LEQUAL_ZNEAR", path, f"zfar {far} is not greater than znear {near}"
            )

    # --- buffers, views, accessors ------------------------------------------------------

    def view_users(self) -> tuple[dict[int, str], set[int]]:
        """bufferView index -> what uses it that forbids a byteStride; and every bufferView
        an accessor or an image reads."""
        users: dict[int, str] = {}
        accessors = self.array("accessors")
        read = {
            _obj(a).get("bufferView") for a in accessors if _is_index(_obj(a).get("bufferView"))
        }

        def use(view: Any, user: tuple[str, str]) -> None:
            if _is_index(view):
                users.setdefault(view, user)
                read.add(view)

        def view_of(acc: Any) -> Any:
            return _obj(accessors[acc]).get("bufferView") if self.valid(acc, accessors) else None

        for mesh in self.array("meshes"):
            for prim in _list(_obj(mesh).get("primitives")):
                use(
                    view_of(_obj(prim).get("indices")),
                    ("MESH_PRIMITIVE_INDICES_ACCESSOR_WITH_BYTESTRIDE", "indices"),
                )
        for acc in accessors:
            sparse = _obj(_obj(acc).get("sparse"))
            for part in ("indices", "values"):
                view = _obj(sparse.get(part)).get("bufferView")
                use(view, ("BUFFER_VIEW_INVALID_BYTE_STRIDE", f"sparse {part}"))
        for image in self.array("images"):
            use(_obj(image).get("bufferView"), ("IMAGE_BUFFER_VIEW_WITH_BYTESTRIDE", "an image"))
        for skin in self.array("skins"):
            use(
                view_of(_obj(skin).get("inverseBindMatrices")),
                ("SKIN_IBM_ACCESSOR_WITH_BYTESTRIDE", "inverse bind matrices"),
            )
        for anim in self.array("animations"):
            for sampler in _list(_obj(anim).get("samplers")):
                for key in ("input", "output"):
                    use(
                        view_of(_obj(sampler).get(key)),
                        ("ANIMATION_SAMPLER_ACCESSOR_WITH_BYTESTRIDE", "animation samplers"),
                    )
        return users, read

    @staticmethod
    def valid(index: Any, array: list[Any]) -> bool:
        return _is_index(index) and 0 <= index < len(array)

    def buffer_views(self) -> None:
        buffers = self.array("buffers")
        users, read = self.view_users()
        for i, view in enumerate(self.array("bufferViews")):
            if not isinstance(view, dict):
                continue
            path = f"bufferViews[{i}]"
            b = self.ref(f"{path}.buffer", view.get("buffer"), "buffers")
            offset, length = view.get("byteOffset", 0), view.get("byteLength")
            stride = view.get("byteStride")
            if not (_is_index(offset) and _is_index(length)):
                continue
            declared = _obj(buffers[b]).get("byteLength") if b is not None else None
            data = self.reader.buffers_read.get(b)  # type: ignore[arg-type]
            if isinstance(data, memoryview) and offset + length > len(data) and i in read:
                pass  # past the data too: what reads the view reports it
            elif _is_index(declared) and offset + length > declared:
                self.bad_views.add(i)
                self.warn(
                    "BUFFER_VIEW_TOO_LONG",
                    path,
                    f"bytes {offset}..{offset + length} do not fit buffers[{b}] "
                    f"(byteLength {declared})",
                )
            if stride is None:
                continue
            if _is_index(stride) and stride > length:
                self.warn(
                    "BUFFER_VIEW_TOO_BIG_BYTE_STRIDE",
                    f"{path}.byteStride",
                    f"{stride} is greater than byteLength {length}",
                )
            if view.get("target") == _INDEX_TARGET:
                self.warn(
                    "BUFFER_VIEW_INVALID_BYTE_STRIDE",
                    f"{path}.byteStride",
                    "not allowed on a view of vertex indices",
                )
            elif i in users:
                code, what = users[i]
                self.warn(code, f"{path}.byteStride", f"not allowed on a view used by {what}")

    def accessors(self) -> None:
        views = self.array("bufferViews")
        for i, acc in enumerate(self.array("accessors")):
            if not isinstance(acc, dict):
                continue
            path = f"accessors[{i}]"
            if any(k not in acc for k in ("componentType", "count", "type")):
                self.misfit.add(i)  # the schema check says so; its read error would too
            view = self.ref(f"{path}.bufferView", acc.get("bufferView"), "bufferViews")
            self.sparse(path, acc)
            ctype = acc.get("componentType")
            if acc.get("normalized") is True and ctype in (_FLOAT, 5125):
                self.warn(
                    "ACCESSOR_NORMALIZED_INVALID",
                    f"{path}.normalized",
                    "only byte and short components can be normalized",
                )
            if _is_index(ctype) and ctype in DTYPES and self.valid(view, views):
                self.alignment(path, acc, _obj(views[view]), DTYPES[ctype].itemsize)
                self.fit(i, acc, _obj(views[view]), DTYPES[ctype].itemsize)
            values = self.read(i)
            if values is not None:
                self.data(i, acc, values)

    def sparse(self, path: str, acc: dict[str, Any]) -> None:
        """A sparse accessor's count within the accessor's, and its indices strictly
        increasing and inside it (vectorized over the indices)."""
        sparse = acc.get("sparse")
        if not isinstance(sparse, dict):
            return
        path = f"{path}.sparse"
        count, total = sparse.get("count"), acc.get("count")
        if _is_index(count) and _is_index(total) and count > total:
            self.warn(
                "ACCESSOR_SPARSE_COUNT_OUT_OF_RANGE",
                f"{path}.count",
                f"{count} is more than the accessor's {total} elements",
            )
            return
        indices, values = _obj(sparse.get("indices")), _obj(sparse.get("values"))
        self.ref(f"{path}.values.bufferView", values.get("bufferView"), "bufferViews")
        view = self.ref(f"{path}.indices.bufferView", indices.get("bufferView"), "bufferViews")
        ctype, offset = indices.get("componentType"), indices.get("byteOffset", 0)
        if view is None or ctype not in _UNSIGNED or not _is_index(count) or not _is_index(offset):
            return
        try:
            data, _ = self.reader.view(view)
            read = np.frombuffer(data, DTYPES[ctype], count, offset).astype(np.int64)
        except (Skip, ValueError):
            return  # the view or the buffer is reported where it is checked
        steps = int(np.count_nonzero(np.diff(read) <= 0))
        if steps:
            self.warn(
                "ACCESSOR_SPARSE_INDICES_NON_INCREASING",
                f"{path}.indices",
                f"{steps} indices do not increase",
            )
        if _is_index(total) and len(read) and int(read.max()) >= total:
            self.warn(
                "ACCESSOR_SPARSE_INDEX_OOB",
                f"{path}.indices",
                f"index {int(read.max())} is past the accessor's {total} elements",
            )

    def materials(self) -> None:
        for i, material in enumerate(self.array("materials")):
            material = _obj(material)
            mode = material.get("alphaMode")
            if "alphaCutoff" in material and mode is not None and mode != "MASK":
                self.warn(
                    "MATERIAL_ALPHA_CUTOFF_INVALID_MODE",
                    f"materials[{i}].alphaCutoff",
                    f"has no effect with alphaMode {mode}",
                )
            self.material_extensions(f"materials[{i}]", material)
            stack: list[tuple[str, Any]] = [(f"materials[{i}]", material)]
            while stack:  # every textureInfo's index, in the material and its extensions
                where, value = stack.pop()
                if isinstance(value, dict):
                    if where.endswith("Texture"):
                        self.ref(f"{where}.index", value.get("index"), "textures")
                    stack.extend((f"{where}.{k}", v) for k, v in value.items())

    def material_extensions(self, path: str, material: dict[str, Any]) -> None:
        """What the material extensions' specifications say of their combinations: one
        shading model at a time, textures that share the normal map's UV set, a volume
        with a transmitting, single-sided surface, factors that have an effect."""
        exts = _obj(material.get("extensions"))
        where = f"{path}.extensions"
        others = set(exts) - {"extensions", "extras"}
        for model in _EXCLUSIVE_MODELS:
            if model in exts and others - {model}:
                self.warn(
                    "MULTIPLE_EXTENSIONS",
                    f"{where}.{model}",
                    f"a shading model of its own, beside {', '.join(sorted(others - {model}))}",
                )
        normal_uv = _obj(material.get("normalTexture")).get("texCoord", 0)
        for ext, key, code in _NORMAL_UV_TEXTURES:
            texture = _obj(_obj(exts.get(ext)).get(key))
            uv = texture.get("texCoord", 0)
            if "normalTexture" in material and texture and uv != normal_uv:
                self.warn(
                    code, f"{where}.{ext}.{key}", f"UV set {uv}, the normal map's {normal_uv}"
                )
        if "KHR_materials_dispersion" in exts and "KHR_materials_volume" not in exts:
            self.warn(
                "KHR_MATERIALS_DISPERSION_NO_VOLUME",
                f"{where}.KHR_materials_dispersion",
                "dispersion without KHR_materials_volume",
            )
        emissive = material.get("emissiveFactor", [0, 0, 0])
        if "KHR_materials_emissive_strength" in exts and not any(_list(emissive)):
            self.warn(
                "KHR_MATERIALS_EMISSIVE_STRENGTH_ZERO_FACTOR",
                f"{where}.KHR_materials_emissive_strength",
                "a strength for an emissive factor of zero",
            )
        if "KHR_materials_volume" in exts:
            transmits = {"KHR_materials_transmission", "KHR_materials_diffuse_transmission"}
            known = set(_PLACES) | set(gltf_spec.extension_places())
            if not transmits & set(exts) and not others - known:  # unknown ones may transmit
                self.warn(
                    "KHR_MATERIALS_VOLUME_NO_TRANSMISSION",
                    f"{where}.KHR_materials_volume",
                    "a volume with a surface that transmits no light",
                )
            if material.get("doubleSided") is True:
                self.warn(
                    "KHR_MATERIALS_VOLUME_DOUBLE_SIDED",
                    f"{where}.KHR_materials_volume",
                    "a volume on a double-sided material",
                )
        iridescence = _obj(exts.get("KHR_materials_iridescence"))
        low = iridescence.get("iridescenceThicknessMinimum", 100)
        high = iridescence.get("iridescenceThicknessMaximum", 400)
        if _is_number(low) and _is_number(high) and high < low:
            self.warn(
                "KHR_MATERIALS_IRIDESCENCE_THICKNESS_RANGE_INVALID",
                f"{where}.KHR_materials_iridescence",
                f"thickness maximum {high} is less than the minimum {low}",
            )
        if "iridescenceThicknessMinimum" in iridescence and (
            "iridescenceThicknessTexture" not in iridescence
        ):
            self.warn(
                "KHR_MATERIALS_IRIDESCENCE_THICKNESS_RANGE_WITHOUT_TEXTURE",
                f"{where}.KHR_materials_iridescence.iridescenceThicknessMinimum",
                "has no effect without a thickness texture",
            )

    def unused(self) -> None:
        """Objects nothing in the document refers to: written, and then never used."""
        refs: dict[str, set[Any]] = {key: set() for key in _ARRAY_KINDS}
        doc = self.doc
        refs["scenes"].add(doc.get("scene"))
        for scene in self.array("scenes"):
            refs["nodes"].update(_list(_obj(scene).get("nodes")))
        for node in map(_obj, self.array("nodes")):
            refs["nodes"].update(_list(node.get("children")))
            for key, array in (("mesh", "meshes"), ("camera", "cameras"), ("skin", "skins")):
                refs[array].add(node.get(key))
        for skin in map(_obj, self.array("skins")):
            refs["nodes"].update(_list(skin.get("joints")))
            refs["nodes"].add(skin.get("skeleton"))
            refs["accessors"].add(skin.get("inverseBindMatrices"))
        for anim in map(_obj, self.array("animations")):
            for sampler in map(_obj, _list(anim.get("samplers"))):
                refs["accessors"].update((sampler.get("input"), sampler.get("output")))
            for channel in map(_obj, _list(anim.get("channels"))):
                refs["nodes"].add(_obj(channel.get("target")).get("node"))
        for mesh in map(_obj, self.array("meshes")):
            for prim in map(_obj, _list(mesh.get("primitives"))):
                refs["accessors"].update(_obj(prim.get("attributes")).values())
                refs["accessors"].add(prim.get("indices"))
                for target in _list(prim.get("targets")):
                    refs["accessors"].update(_obj(target).values())
                refs["materials"].add(prim.get("material"))
                exts = _obj(prim.get("extensions"))
                refs["bufferViews"].add(
                    _obj(exts.get("KHR_draco_mesh_compression")).get("bufferView")
                )
                for mapping in _list(_obj(exts.get("KHR_materials_variants")).get("mappings")):
                    refs["materials"].add(_obj(mapping).get("material"))
        for material in self.array("materials"):
            stack = [material]
            while stack:  # every textureInfo, in the material and its extensions
                value = stack.pop()
                if isinstance(value, dict):
                    refs["textures"].add(value.get("index"))
                    stack.extend(value.values())
        for texture in map(_obj, self.array("textures")):
            refs["samplers"].add(texture.get("sampler"))
            refs["images"].add(texture.get("source"))
            for ext in _obj(texture.get("extensions")).values():
                refs["images"].add(_obj(ext).get("source"))
        for image in map(_obj, self.array("images")):
            refs["bufferViews"].add(image.get("bufferView"))
        for acc in map(_obj, self.array("accessors")):
            refs["bufferViews"].add(acc.get("bufferView"))
            sparse = _obj(acc.get("sparse"))
            for part in ("indices", "values"):
                refs["bufferViews"].add(_obj(sparse.get(part)).get("bufferView"))
        for view in map(_obj, self.array("bufferViews")):
            refs["buffers"].add(view.get("buffer"))
            for ext in _obj(view.get("extensions")).values():
                refs["buffers"].add(_obj(ext).get("buffer"))
        exts = _obj(doc.get("extensions"))
        for key, ext, field, (holders, *inner) in _EXTENSION_ARRAYS:
            refs[key] = set()
            for holder in self.array(holders):
                values = [_obj(_obj(holder).get("extensions")).get(ext)]
                for step in inner:  # down to the objects that refer
                    values = [v for x in values for v in _list(_obj(x).get(step))]
                for value in values:
                    found = _obj(value).get(field)
                    refs[key].update(found if isinstance(found, list) else [found])
        for key, used in refs.items():
            if key in ("scenes", "animations"):
                continue  # the document's entry points
            ext, _, array = key.rpartition(".")
            count = len(_list(_obj(exts.get(ext)).get(array))) if ext else self.count(key)
            where = f"extensions.{key}" if ext else key
            for i in range(count):
                if i not in used:
                    self.warn("UNUSED_OBJECT", f"{where}[{i}]", "nothing in the document uses it")

    def skinned_nodes(self) -> None:
        """A skinned mesh is placed by its joints alone: its node's own transform and its
        parents' are ignored, and a mesh with joint data drawn without a skin is drawn
        unskinned."""
        nodes, meshes = self.array("nodes"), self.array("meshes")
        for n, node in enumerate(nodes):
            node = _obj(node)
            path, mesh = f"nodes[{n}]", node.get("mesh")
            if not self.valid(mesh, meshes):
                continue
            prims = _list(_obj(meshes[mesh]).get("primitives"))
            jointed = any("JOINTS_0" in _obj(_obj(p).get("attributes")) for p in prims)
            if "skin" not in node:
                if jointed:
                    self.warn("NODE_SKINNED_MESH_WITHOUT_SKIN", path, "joint data but no skin")
                continue
            if not jointed and prims:
                self.warn(
                    "NODE_SKIN_WITH_NON_SKINNED_MESH", path, "a skin, but its mesh has no joints"
                )
            if any(k in node for k in (*_TRS, "matrix")):
                self.warn("NODE_SKINNED_MESH_LOCAL_TRANSFORMS", path, "a transform a skin ignores")
            if n in self.parents:
                self.warn("NODE_SKINNED_MESH_NON_ROOT", path, "a skinned node with a parent")
                parent, moved = n, False
                while parent in self.parents and not moved:
                    parent = self.parents[parent]
                    moved = any(k in _obj(nodes[parent]) for k in (*_TRS, "matrix"))
                if moved:
                    self.warn(
                        "NODE_SKINNED_MESH_PARENT_TRANSFORMS",
                        path,
                        f"node {parent} above it has a transform a skin ignores",
                    )

    def layout(self, path: str, prim: dict[str, Any], attributes: dict[str, Any]) -> None:
        """A primitive's accessors: POSITION present, every attribute of the type its
        semantic needs and of one count, indices unsigned scalars within the vertices, and
        a count the mode can draw."""
        accessors = self.array("accessors")
        self.ref(f"{path}.material", prim.get("material"), "materials")
        if "POSITION" not in attributes and "KHR_draco_mesh_compression" not in _obj(
            prim.get("extensions")
        ):
            self.warn("MESH_PRIMITIVE_NO_POSITION", f"{path}.attributes", "no POSITION")
        if "TANGENT" in attributes and "NORMAL" not in attributes:
            self.warn("MESH_PRIMITIVE_TANGENT_WITHOUT_NORMAL", f"{path}.attributes", "no NORMAL")
        if "TANGENT" in attributes and prim.get("mode", 4) == 0:
            self.warn("MESH_PRIMITIVE_TANGENT_POINTS", f"{path}.attributes", "TANGENT on points")
        counts = set()
        for name, index in attributes.items():
            if not self.valid(index, accessors):
                continue
            spec = _obj(accessors[index])
            counts.add(spec.get("count"))
            semantic = name.split("_")[0] if "_" in name[1:] else name
            types = _ATTRIBUTE_TYPES.get(semantic)
            if types is None or name.startswith("_"):
                continue
            ctype = (spec.get("componentType"), spec.get("normalized", False) is True)
            table = _QUANTIZED if "KHR_mesh_quantization" in self.used else _COMPONENTS
            if spec.get("type") not in types:
                self.warn(
                    "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_INVALID_FORMAT",
                    f"{path}.attributes.{name}",
                    f"accessor {index} is {spec.get('type')}, not {' or '.join(types)}",
                )
            elif ctype[0] in DTYPES and ctype[0] != 5125 and ctype not in table[semantic]:
                kind = f"{'normalized ' if ctype[1] else ''}{DTYPES[ctype[0]].name}"
                self.warn(
                    "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_INVALID_FORMAT",
                    f"{path}.attributes.{name}",
                    f"accessor {index} holds {kind} components, not allowed for {semantic}",
                )
        if len(counts) > 1:
            self.warn(
                "MESH_PRIMITIVE_UNEQUAL_ACCESSOR_COUNT",
                f"{path}.attributes",
                f"accessors of {len(counts)} different counts",
            )
        for name, index in attributes.items():
            self.usage(f"{path}.attributes.{name}", index, "vertex")
        vertices = next(iter(counts)) if len(counts) == 1 else None
        drawn = vertices
        index = self.ref(f"{path}.indices", prim.get("indices"), "accessors")
        if index is not None:
            self.usage(f"{path}.indices", index, "index")
            spec = _obj(accessors[index])
            drawn = spec.get("count")
            if spec.get("type") != "SCALAR" or spec.get("componentType") not in _UNSIGNED:
                self.warn(
                    "MESH_PRIMITIVE_INDICES_ACCESSOR_INVALID_FORMAT",
                    f"{path}.indices",
                    f"accessor {index} is not unsigned-integer scalars",
                )
            elif _is_index(vertices) and index in self.bounds:
                largest = int(self.bounds[index][1].max())
                restart = _RESTART[spec["componentType"]]
                if vertices <= largest < restart:
                    self.warn(
                        "ACCESSOR_INDEX_OOB",
                        f"{path}.indices",
                        f"index {largest} is past the {vertices} vertices",
                    )
        step, least = _MODE_STEP.get(prim.get("mode", 4), (1, 1))
        if _is_index(drawn) and (drawn < least or drawn % step):
            self.warn(
                "MESH_PRIMITIVE_INCOMPATIBLE_MODE",
                path,
                f"{drawn} vertices or indices cannot be drawn in mode {prim.get('mode', 4)}",
            )

    def accessor_usage(self, path: str, accessor: Any, use: str) -> None:
        """An accessor holds one kind of data: vertex attributes, indices, inverse bind
        matrices or animation keyframes."""
        if not self.valid(accessor, self.array("accessors")):
            return
        first = self.accessor_use.setdefault(accessor, (use, path))
        if first[0] != use:
            self.warn(
                "ACCESSOR_USAGE_OVERRIDE",
                path,
                f"accessor {accessor} holds {first[0]} data at {first[1]}, {use} data here",
            )

    def usage(self, path: str, accessor: Any, use: str) -> None:
        """A bufferView holds vertex or index data, as its target says if it has one; two
        vertex attributes in one view need its byteStride to say how they interleave."""
        self.accessor_usage(path, accessor, use)
        if not self.valid(accessor, self.array("accessors")):
            return
        view = _obj(self.array("accessors")[accessor]).get("bufferView")
        if not self.valid(view, self.array("bufferViews")):
            return
        spec = _obj(self.array("bufferViews")[view])
        first = self.view_use.setdefault(view, _TARGET_USE.get(spec.get("target"), use))
        if first != use:
            self.warn(
                "BUFFER_VIEW_TARGET_OVERRIDE",
                path,
                f"bufferViews[{view}] holds {first} data, not {use} data",
            )
        if use != "vertex":
            return
        offset, stride = (
            _obj(self.array("accessors")[accessor]).get("byteOffset", 0),
            spec.get("byteStride", 0),
        )
        if _is_index(offset) and _is_index(stride) and (offset % 4 or stride % 4):
            self.warn(
                "MESH_PRIMITIVE_ACCESSOR_UNALIGNED",
                path,
                f"byteOffset {offset} or byteStride {stride} is not a multiple of 4",
            )
        shared = self.view_attributes.setdefault(view, set())
        shared.add(accessor)
        if len(shared) == 2 and "byteStride" not in spec:
            self.warn(
                "MESH_PRIMITIVE_ACCESSOR_WITHOUT_BYTESTRIDE",
                path,
                f"bufferViews[{view}] holds two attributes but no byteStride",
            )

    def alignment(self, path: str, acc: dict[str, Any], view: dict[str, Any], size: int) -> None:
        offset, view_offset = acc.get("byteOffset", 0), view.get("byteOffset", 0)
        if not (_is_index(offset) and _is_index(view_offset)):
            return
        if acc.get("type") in ("MAT2", "MAT3", "MAT4") and offset % 4:
            self.warn(
                "ACCESSOR_MATRIX_ALIGNMENT",
                f"{path}.byteOffset",
                f"{offset}: a matrix accessor must be 4-byte aligned",
            )
        elif offset % size:
            self.warn(
                "ACCESSOR_OFFSET_ALIGNMENT",
                f"{path}.byteOffset",
                f"{offset} is not a multiple of {size}",
            )
        if (offset + view_offset) % size:
            self.warn(
                "ACCESSOR_TOTAL_OFFSET_ALIGNMENT",
                path,
                f"starts at buffer byte {offset + view_offset}, not a multiple of {size}",
            )

    def fit(self, i: int, acc: dict[str, Any], view: dict[str, Any], size: int) -> None:
        """The accessor's elements fit its bufferView and its byteStride, by the declared
        lengths (the data may be missing): matrix columns are padded to 4 bytes."""
        if isinstance(self.reader.accessors_read.get(i), Skip):
            return  # the reader reported why it could not read it
        path, kind = f"accessors[{i}]", acc.get("type")
        count, offset = acc.get("count"), acc.get("byteOffset", 0)
        length, stride = view.get("byteLength"), view.get("byteStride")
        if not isinstance(kind, str) or kind not in COMPONENTS:
            return
        if not all(map(_is_index, (count, offset, length))):
            return
        element = last = COMPONENTS[kind] * size
        if kind.startswith("MAT"):  # the last column of the last element needs no padding
            n = int(kind[3])
            element = n * (-(-n * size // 4) * 4)
            last = element - (element // n - n * size)
        step = stride if _is_index(stride) and stride > 0 else element
        if step < element:
            self.warn(
                "ACCESSOR_SMALL_BYTESTRIDE",
                path,
                f"bufferView byteStride {stride} is less than an element ({element})",
            )
            self.misfit.add(i)
        elif count and offset + step * (count - 1) + last > length:
            needed = offset + step * (count - 1) + last
            self.warn(
                "ACCESSOR_TOO_LONG",
                path,
                f"needs {needed} bytes of its bufferView, which has {length}",
            )
            self.misfit.add(i)

    def read(self, i: int) -> Accessor | None:
        """Accessor ``i`` as the reader decodes it; its read error is an issue here unless
        the reader already reported it (read for a mesh) or a buffer issue covers it."""
        spec = _obj(self.array("accessors")[i])
        if spec.get("bufferView") is None and spec.get("sparse") is None:
            return None  # no data: zeros, or data a compression extension holds
        try:
            return self.reader.accessor(i)
        except Skip as exc:
            view = spec.get("bufferView")
            known = i in self.read_before | self.misfit or (
                _is_index(view) and view in self.bad_views
            )
            if not known and exc.buffer is None:
                # not a rule of the specification broken, but data lost: the reader's code
                self.asset.issue(exc.code, f"accessors[{i}]: not read: {exc.message}")
            return None

    def data(self, i: int, acc: dict[str, Any], accessor: Accessor) -> None:
        """Declared min/max against the data, and NaN or infinite floats."""
        values = accessor.values
        if not len(values):
            return
        columns = range(values.shape[1])
        actual = dict(zip(("min", "max"), _bounds(values), strict=True))
        self.bounds[i] = (actual["min"], actual["max"])
        path = f"accessors[{i}]"
        is_float = accessor.component_type == _FLOAT
        if is_float and not (np.isfinite(actual["min"]).all() and np.isfinite(actual["max"]).all()):
            bad = int(np.count_nonzero(~np.isfinite(values)))
            self.warn("ACCESSOR_INVALID_FLOAT", path, f"{bad} components are NaN or infinite")
            return
        for key in ("min", "max"):
            declared = acc.get(key)
            if not isinstance(declared, list) or len(declared) != len(columns):
                continue
            if not all(map(_is_number, declared)):
                continue
            try:  # a float accessor's bounds are float32 values, as the data
                expected = np.array(declared, dtype=np.float64)
            except OverflowError:
                expected = np.full(len(columns), np.inf)
            if is_float:
                expected = expected.astype(np.float32)
            if not np.array_equal(expected, actual[key].astype(expected.dtype)):
                self.warn(
                    f"ACCESSOR_{key.upper()}_MISMATCH",
                    path,
                    f"{key} {_fmt(declared)} does not match the data's {key} {_fmt(actual[key])}",
                )

    def buffers(self, glb: bool) -> None:
        for i, buf in enumerate(self.array("buffers")):
            path = f"buffers[{i}]"
            uri = _obj(buf).get("uri")
            self.uri(f"{path}.uri", uri, glb, _BUFFER_MIMES, "BUFFER_DATA_URI_MIME_TYPE_INVALID")
            cached = self.reader.buffers_read.get(i)
            if isinstance(cached, Skip) and cached.code == "L002":
                self.warn("IO_ERROR", path, cached.message)
            if i in self.buffers_before:
                continue  # the reader read it, or reported why it could not
            if uri is None and i == 0 and glb and self.reader.bin_chunk is None:
                self.warn(
                    "BUFFER_MISSING_GLB_DATA",
                    path,
                    "no uri, and the GLB has no BIN chunk to hold it",
                )
            elif isinstance(uri, str) or (i == 0 and glb):
                try:  # for its declared byteLength, which the reader checks
                    self.reader.buffer(i)
                except Skip as exc:
                    self.asset.issue(exc.code, f"{path}: {exc.message}")

    def uri(self, path: str, uri: Any, glb: bool, mimes: tuple[str, ...], code: str) -> None:
        """A data URI's syntax and media type; in a GLB, the BIN chunk is the place for data."""
        if not isinstance(uri, str):
            return
        if uri[:5].lower() != "data:":
            if _SCHEME.match(uri) or uri.startswith("/"):
                self.warn("NON_RELATIVE_URI", path, "not a relative reference")
            elif glb:
                self.warn("URI_GLB", path, "an external file referenced from a GLB")
            return
        if not _DATA_URI.match(uri):
            self.warn("INVALID_URI", path, "malformed data URI")
            return
        if glb:
            self.warn("DATA_URI_GLB", path, "a data URI inside a GLB")
        mime = uri[5:].split(",")[0].split(";")[0].lower()
        if mime not in mimes:
            self.warn(code, path, f"media type {mime or 'none'!r} is not one of {', '.join(mimes)}")

    # --- images and textures ------------------------------------------------------------

    def image_mimes(self) -> list[tuple[str | None, str | None]]:
        """(declared, sniffed) MIME type of each image."""
        out: list[tuple[str | None, str | None]] = []
        for i, image in enumerate(self.array("images")):
            image = _obj(image)
            declared = image.get("mimeType")
            uri = image.get("uri")
            if isinstance(uri, str) and uri[:5].lower() == "data:":
                declared = declared or uri[5:].split(";")[0].split(",")[0] or None
            tex = self.asset.textures[i] if i < len(self.asset.textures) else None
            sniffed = (
                tex.mime_type if tex is not None and not tex.missing and not tex.error else None
            )
            if tex is not None and tex.mime_type == "image/ktx2":
                sniffed = "image/ktx2"
            out.append((declared if isinstance(declared, str) else None, sniffed))
        return out

    def images(self) -> None:
        for i, (declared, sniffed) in enumerate(self.image_mimes()):
            path = f"images[{i}]"
            image = _obj(self.array("images")[i])
            allowed = _IMAGE_MIMES + tuple(_EXTENSION_MIMES)
            self.uri(f"{path}.uri", image.get("uri"), self.glb, allowed, "IMAGE_DATA_INVALID")
            self.ref(f"{path}.bufferView", image.get("bufferView"), "bufferViews")
            tex = self.asset.textures[i] if i < len(self.asset.textures) else None
            self.image_data(path, tex, declared)
            uri = image.get("uri")
            if tex is not None and tex.missing and isinstance(uri, str) and self.absent(uri):
                self.warn("IO_ERROR", f"{path}.uri", "the file cannot be read")
            mime = sniffed or declared
            needs = _EXTENSION_MIMES.get(mime or "")
            if needs is not None and needs not in self.used:
                self.warn(
                    "IMAGE_NON_ENABLED_MIME_TYPE",
                    path,
                    f"{mime} image but {needs} is not in extensionsUsed",
                )

    def image_data(self, path: str, tex: Texture | None, declared: str | None) -> None:
        """An image's bytes: a format its magic bytes name, the one its mimeType declares,
        and a header that format's reader can parse."""
        if tex is None or tex.missing:
            return
        try:
            head = tex.data()[:33]
        except LoadError:
            return
        magic = _magic(head)
        if magic is None:
            self.warn("IMAGE_UNRECOGNIZED_FORMAT", path, "the data is no known image format")
        elif declared is not None and declared != magic:
            self.warn(
                "IMAGE_MIME_TYPE_INVALID", path, f"declared {declared} but the data is {magic}"
            )
        elif tex.error and magic in ("image/png", "image/jpeg"):
            if magic == "image/png" and len(head) < 33:  # signature and IHDR: 33 bytes
                self.warn("IMAGE_UNEXPECTED_EOS", path, f"the PNG ends after {len(head)} bytes")
            else:
                self.warn("IMAGE_DATA_INVALID", path, f"{magic} data its reader cannot parse")

    def absent(self, uri: str) -> bool:
        """Whether a file reference inside the asset's folder names no readable file (one
        outside it is not opened, and says so as L006)."""
        if uri[:5].lower() == "data:":
            return False
        try:
            resolve_reference(self.reader.base_dir, uri)
        except RefusedReference as exc:
            return exc.code == "L002"
        return False

    def textures(self) -> None:
        mimes = self.image_mimes()
        for i, tex in enumerate(self.array("textures")):
            tex = _obj(tex)
            path = f"textures[{i}]"
            self.ref(f"{path}.sampler", tex.get("sampler"), "samplers")
            sources = [(f"{path}.source", tex.get("source"), _IMAGE_MIMES)]
            for ext, mime in _TEXTURE_SOURCE_MIMES.items():
                source = _obj(_obj(tex.get("extensions")).get(ext)).get("source")
                sources.append((f"{path}.extensions.{ext}.source", source, (mime,)))
            for where, source, allowed in sources:
                if self.ref(where, source, "images") is not None and source < len(mimes):
                    declared, sniffed = mimes[source]
                    mime = sniffed or declared
                    if mime is not None and mime not in allowed:
                        self.warn(
                            "TEXTURE_INVALID_IMAGE_MIME_TYPE",
                            where,
                            f"image {source} is {mime}, not {' or '.join(allowed)}",
                        )

    # --- skins and animations -----------------------------------------------------------

    def descends(self, node: int, ancestor: int) -> bool:
        """Whether ``node`` is ``ancestor`` or below it (parents form no loop: the reader
        refuses a file whose nodes do)."""
        while node != ancestor and node in self.parents:
            node = self.parents[node]
        return node == ancestor

    def root(self, node: int) -> int:
        while node in self.parents:
            node = self.parents[node]
        return node

    def skins(self) -> None:
        accessors = self.array("accessors")
        for i, skin in enumerate(self.array("skins")):
            if not isinstance(skin, dict):
                continue
            path = f"skins[{i}]"
            joints = [
                j
                for k, node in enumerate(_list(skin.get("joints")))
                if (j := self.ref(f"{path}.joints[{k}]", node, "nodes")) is not None
            ]
            skeleton = self.ref(f"{path}.skeleton", skin.get("skeleton"), "nodes")
            if skeleton is not None and any(not self.descends(j, skeleton) for j in joints):
                self.warn(
                    "SKIN_SKELETON_INVALID",
                    f"{path}.skeleton",
                    f"node {skeleton} is not an ancestor of every joint",
                )
            if len({self.root(j) for j in joints}) > 1:
                self.warn("SKIN_NO_COMMON_ROOT", f"{path}.joints", "the joints have no common root")
            ibm = self.ref(
                f"{path}.inverseBindMatrices", skin.get("inverseBindMatrices"), "accessors"
            )
            if ibm is None:
                continue
            where = f"{path}.inverseBindMatrices"
            self.accessor_usage(where, ibm, "inverse bind matrix")
            spec = _obj(accessors[ibm])
            if spec.get("type") != "MAT4" or spec.get("componentType") != _FLOAT:
                self.warn("SKIN_IBM_INVALID_FORMAT", where, f"accessor {ibm} is not MAT4 float")
                continue
            count, wanted = spec.get("count"), len(_list(skin.get("joints")))
            if _is_index(count) and count < wanted:
                self.warn(
                    "INVALID_IBM_ACCESSOR_COUNT",
                    where,
                    f"accessor {ibm} has {count} matrices for {wanted} joints",
                )
            acc = self.read(ibm)
            if acc is not None and len(acc.values):
                last_rows = acc.values[:, [3, 7, 11, 15]]
                bad = int(np.count_nonzero((last_rows != (0, 0, 0, 1)).any(axis=1)))
                if bad:
                    self.warn(
                        "ACCESSOR_INVALID_IBM",
                        where,
                        f"{bad} of {len(last_rows)} matrices do not end in [0, 0, 0, 1]",
                    )

    def animations(self) -> None:
        for a, anim in enumerate(self.array("animations")):
            if not isinstance(anim, dict):
                continue
            path = f"animations[{a}]"
            samplers = _list(anim.get("samplers"))
            inputs: dict[int, int | None] = {}
            for s, sampler in enumerate(samplers):
                inputs[s] = self.sampler(f"{path}.samplers[{s}]", _obj(sampler))
            targets: dict[tuple[Any, Any], int] = {}
            for c, channel in enumerate(_list(anim.get("channels"))):
                if not isinstance(channel, dict):
                    continue
                self.channel(f"{path}.channels[{c}]", channel, samplers, inputs)
                target = _obj(channel.get("target"))
                key = (target.get("node"), target.get("path"))
                if _is_index(key[0]) and isinstance(key[1], str) and key[1] != "pointer":
                    if key in targets:
                        self.warn(
                            "ANIMATION_DUPLICATE_TARGETS",
                            f"{path}.channels[{c}].target",
                            f"the same target as channel {targets[key]}",
                        )
                    targets.setdefault(key, c)
        self.sampler_outputs()

    def sampler_outputs(self) -> None:
        """An output accessor holds spline (in-tangent, value, out-tangent) or plain
        keyframes, not both."""
        kinds: dict[int, tuple[str, str]] = {}
        for a, anim in enumerate(self.array("animations")):
            for s, sampler in enumerate(_list(_obj(anim).get("samplers"))):
                sampler = _obj(sampler)
                out = sampler.get("output")
                if not self.valid(out, self.array("accessors")):
                    continue
                spline = "spline" if sampler.get("interpolation") == "CUBICSPLINE" else "linear"
                where = f"animations[{a}].samplers[{s}].output"
                first = kinds.setdefault(out, (spline, where))
                if first[0] != spline:
                    self.warn(
                        "ANIMATION_SAMPLER_OUTPUT_INTERPOLATION",
                        where,
                        f"accessor {out} is {first[0]} data at {first[1]}, {spline} here",
                    )

    def sampler(self, path: str, sampler: dict[str, Any]) -> int | None:
        """Check one animation sampler; the count of its input accessor when valid."""
        accessors = self.array("accessors")
        interpolation = sampler.get("interpolation", "LINEAR")
        out = self.ref(f"{path}.output", sampler.get("output"), "accessors")
        self.accessor_usage(f"{path}.output", out, "animation")
        i = self.ref(f"{path}.input", sampler.get("input"), "accessors")
        self.accessor_usage(f"{path}.input", i, "animation")
        if i is None:
            return None
        spec = _obj(accessors[i])
        if spec.get("type") != "SCALAR" or spec.get("componentType") != _FLOAT:
            self.warn(
                "ANIMATION_SAMPLER_INPUT_ACCESSOR_INVALID_FORMAT",
                f"{path}.input",
                f"accessor {i} is not SCALAR float",
            )
            return None
        if "min" not in spec or "max" not in spec:
            self.warn(
                "ANIMATION_SAMPLER_INPUT_ACCESSOR_WITHOUT_BOUNDS",
                f"{path}.input",
                f"accessor {i} has no min and max",
            )
        count = spec.get("count")
        if not _is_index(count):
            return None
        if interpolation == "CUBICSPLINE" and count < 2:
            self.warn(
                "ANIMATION_SAMPLER_INPUT_ACCESSOR_TOO_FEW_ELEMENTS",
                f"{path}.input",
                f"CUBICSPLINE needs 2 keyframes or more, has {count}",
            )
        acc = self.read(i)
        times = acc.values.reshape(-1) if acc is not None else np.zeros(0, np.float32)
        if len(times) and times[0] < 0:
            self.warn(
                "ACCESSOR_ANIMATION_INPUT_NEGATIVE",
                f"{path}.input",
                f"first keyframe time {_fmt(times[0])} is negative",
            )
        steps = int(np.count_nonzero(np.diff(times) <= 0))
        if steps:
            self.warn(
                "ACCESSOR_ANIMATION_INPUT_NON_INCREASING",
                f"{path}.input",
                f"{steps} keyframe times do not increase",
            )
        return count

    def channel(
        self,
        path: str,
        channel: dict[str, Any],
        samplers: list[Any],
        inputs: dict[int, int | None],
    ) -> None:
        target = _obj(channel.get("target"))
        pointer = _obj(target.get("extensions")).get("KHR_animation_pointer")
        node_path = target.get("path")
        if isinstance(pointer, dict):
            if "node" in target:
                self.warn(
                    "KHR_ANIMATION_POINTER_ANIMATION_CHANNEL_TARGET_NODE",
                    f"{path}.target.node",
                    "must be absent with KHR_animation_pointer",
                )
            if node_path != "pointer":
                self.warn(
                    "KHR_ANIMATION_POINTER_ANIMATION_CHANNEL_TARGET_PATH",
                    f"{path}.target.path",
                    f"{node_path!r} must be 'pointer'",
                )
        node = self.ref(f"{path}.target.node", target.get("node"), "nodes")
        s = self.ref_into(f"{path}.sampler", channel.get("sampler"), len(samplers), "samplers")
        targets = 1
        if node is not None:
            spec = _obj(self.array("nodes")[node])
            if "matrix" in spec and node_path in _TRS:
                self.warn(
                    "ANIMATION_CHANNEL_TARGET_NODE_MATRIX",
                    f"{path}.target",
                    f"animates {node_path} of node {node}, which has a matrix",
                )
            if "skin" in spec and node_path in _TRS:
                self.warn(
                    "ANIMATION_CHANNEL_TARGET_NODE_SKIN",
                    f"{path}.target",
                    f"animates {node_path} of node {node}, whose skinned mesh ignores it",
                )
            if node_path == "weights":
                targets = self.morph_targets(spec)
                if not targets:
                    self.warn(
                        "ANIMATION_CHANNEL_TARGET_NODE_WEIGHTS_NO_MORPHS",
                        f"{path}.target",
                        f"animates weights of node {node} without morph targets",
                    )
        if s is None or inputs.get(s) is None:
            return
        sampler = _obj(samplers[s])
        out = sampler.get("output")
        out = out if self.valid(out, self.array("accessors")) else None  # reported above
        count = _obj(self.array("accessors")[out]).get("count") if out is not None else None
        keys = inputs[s]
        expected = (
            keys * (3 if sampler.get("interpolation") == "CUBICSPLINE" else 1) * max(targets, 1)
        )
        wanted = _OUTPUT_TYPES.get(node_path)
        kind = _obj(self.array("accessors")[out]).get("type") if out is not None else None
        if wanted is not None and isinstance(kind, str) and kind != wanted:
            self.warn(
                "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_FORMAT",
                f"{path}.sampler",
                f"output accessor {out} is {kind}; {node_path} needs {wanted}",
            )
        if _is_index(count) and node_path in _PATHS and count != expected:
            self.warn(
                "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT",
                f"{path}.sampler",
                f"output has {count} elements, {expected} expected",
            )
        if node_path == "rotation" and out is not None:
            self.quaternions(f"{path}.sampler", out)

    def morph_targets(self, node: dict[str, Any]) -> int:
        mesh = node.get("mesh")
        if not self.valid(mesh, self.array("meshes")):
            return 0
        prims = _list(_obj(self.array("meshes")[mesh]).get("primitives"))
        return len(_list(_obj(prims[0]).get("targets"))) if prims else 0

    def quaternions(self, path: str, index: int) -> None:
        acc = self.read(index)
        if acc is None or acc.values.shape[1] != 4 or not len(acc.values):
            return
        q = acc.floats().astype(np.float64)
        bad = int(np.count_nonzero(np.abs(np.linalg.norm(q, axis=1) - 1) > _UNIT_VEC4))
        if bad:
            self.warn(
                "ACCESSOR_ANIMATION_SAMPLER_OUTPUT_NON_NORMALIZED_QUATERNION",
                path,
                f"{bad} output rotations are not unit quaternions",
            )

    # --- meshes -------------------------------------------------------------------------

    def targets(self, mesh: Any) -> int:
        """Morph targets of a mesh (those of its first primitive)."""
        prims = _list(_obj(mesh).get("primitives"))
        return len(_list(_obj(prims[0]).get("targets"))) if prims else 0

    def meshes(self) -> None:
        if "KHR_mesh_quantization" in self.used and "KHR_mesh_quantization" not in {
            e for e in self.array("extensionsRequired") if isinstance(e, str)
        }:
            self.warn(
                "NON_REQUIRED_EXTENSION",
                "extensionsUsed",
                "KHR_mesh_quantization must also be in extensionsRequired",
            )
        meshes = self.array("meshes")
        for m, mesh in enumerate(meshes):
            prims = _list(_obj(mesh).get("primitives"))
            counts = [len(_list(_obj(p).get("targets"))) for p in prims]
            if len(set(counts)) > 1:
                self.warn(
                    "MESH_PRIMITIVES_UNEQUAL_TARGETS_COUNT",
                    f"meshes[{m}]",
                    f"primitives have {counts} morph targets, not one count",
                )
            joints = {
                sum(k.startswith("JOINTS_") for k in _obj(_obj(p).get("attributes"))) for p in prims
            }
            if len(joints) > 1:
                self.warn(
                    "MESH_PRIMITIVES_UNEQUAL_JOINTS_COUNT",
                    f"meshes[{m}]",
                    f"primitives have {sorted(joints)} JOINTS_n sets, not one count",
                )
            weights = _obj(mesh).get("weights")
            if isinstance(weights, list) and weights and counts and len(weights) != counts[0]:
                self.warn(
                    "MESH_INVALID_WEIGHTS_COUNT",
                    f"meshes[{m}].weights",
                    f"{len(weights)} for {counts[0]} morph targets",
                )
            for p, prim in enumerate(prims):
                if isinstance(prim, dict):
                    self.primitive(f"meshes[{m}].primitives[{p}]", prim)
        for n, node in enumerate(self.array("nodes")):
            node = _obj(node)
            weights, mesh = node.get("weights"), node.get("mesh")
            if isinstance(weights, list) and weights and self.valid(mesh, meshes):
                if len(weights) != self.targets(meshes[mesh]):
                    self.warn(
                        "NODE_WEIGHTS_INVALID",
                        f"nodes[{n}].weights",
                        f"{len(weights)} for {self.targets(meshes[mesh])} morph targets",
                    )
        self.skinned_nodes()
        self.skinned_scenes()
        self.influences()
        self.unused()

    def primitive(self, path: str, prim: dict[str, Any]) -> None:
        accessors = self.array("accessors")
        attributes = _obj(prim.get("attributes"))
        sets: dict[str, list[int]] = {}
        for name, index in attributes.items():
            found = _ATTRIBUTE.fullmatch(name)
            if found is None:
                self.warn(
                    "MESH_PRIMITIVE_INVALID_ATTRIBUTE",
                    f"{path}.attributes.{name}",
                    "not a glTF attribute name",
                )
                continue
            self.ref(f"{path}.attributes.{name}", index, "accessors")
            if found.group(1):
                sets.setdefault(found.group(1), []).append(int(found.group(2)))
            if self.valid(index, accessors) and _obj(accessors[index]).get("componentType") == 5125:
                self.warn(
                    "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_UNSIGNED_INT",
                    f"{path}.attributes.{name}",
                    "attributes cannot be UNSIGNED_INT",
                )
        for semantic, numbers in sorted(sets.items()):
            if sorted(numbers) != list(range(len(numbers))):
                self.warn(
                    "MESH_PRIMITIVE_INDEXED_SEMANTIC_CONTINUITY",
                    f"{path}.attributes",
                    f"{semantic} sets {sorted(numbers)} do not run 0, 1, 2... without a gap",
                )
        if len(sets.get("JOINTS", [])) != len(sets.get("WEIGHTS", [])):
            self.warn(
                "MESH_PRIMITIVE_JOINTS_WEIGHTS_MISMATCH",
                f"{path}.attributes",
                "not as many JOINTS_n as WEIGHTS_n attributes",
            )
        self.layout(path, prim, attributes)
        self.bounded(f"{path}.attributes.POSITION", attributes.get("POSITION"))
        for t, target in enumerate(_list(prim.get("targets"))):
            for name, index in _obj(target).items():
                where = f"{path}.targets[{t}].{name}"
                if _ATTRIBUTE.fullmatch(name) is None:
                    self.warn(
                        "MESH_PRIMITIVE_INVALID_ATTRIBUTE", where, "not a glTF attribute name"
                    )
                if name not in attributes:
                    self.warn(
                        "MESH_PRIMITIVE_MORPH_TARGET_NO_BASE_ACCESSOR",
                        where,
                        "the primitive has no such attribute to morph",
                    )
                i = self.ref(where, index, "accessors")
                self.accessor_usage(where, i, "vertex")
                base = attributes.get(name)
                if i is not None and self.valid(base, accessors):
                    count, base_count = (_obj(accessors[k]).get("count") for k in (i, base))
                    if count != base_count:
                        self.warn(
                            "MESH_PRIMITIVE_MORPH_TARGET_INVALID_ATTRIBUTE_COUNT",
                            where,
                            f"{count} elements, the base attribute {base_count}",
                        )
                if name == "POSITION":
                    self.bounded(where, i)
        self.material_needs(path, prim, attributes, sets.get("TEXCOORD", []))
        self.variant_mappings(
            path, _obj(_obj(prim.get("extensions")).get("KHR_materials_variants"))
        )
        self.vectors(path, attributes)
        self.restart(path, prim.get("indices"))

    def restart(self, path: str, index: Any) -> None:
        """No index may be its type's largest value: some APIs read it as a strip restart."""
        acc = self.read_index(index)
        if acc is None or acc.component_type not in _RESTART or index not in self.bounds:
            return
        largest = _RESTART[acc.component_type]
        if self.bounds[index][1].max() >= largest:
            count = int(np.count_nonzero(acc.values == largest))
            self.warn(
                "ACCESSOR_INDEX_PRIMITIVE_RESTART",
                f"{path}.indices",
                f"{count} indices are {largest}, the restart value",
            )

    def bounded(self, path: str, index: Any) -> None:
        """A POSITION accessor must declare its min and max."""
        if self.valid(index, self.array("accessors")):
            spec = _obj(self.array("accessors")[index])
            if "min" not in spec or "max" not in spec:
                self.warn(
                    "MESH_PRIMITIVE_POSITION_ACCESSOR_WITHOUT_BOUNDS",
                    path,
                    f"accessor {index} has no min and max",
                )

    def material_needs(
        self, path: str, prim: dict[str, Any], attributes: dict[str, Any], uv_sets: list[int]
    ) -> None:
        """The UV sets the primitive's material samples, and the tangent space it needs."""
        materials = self.array("materials")
        index = prim.get("material")
        if not self.valid(index, materials):
            return
        material = _obj(materials[index])
        needed: set[int] = set()
        stack: list[tuple[str, Any]] = list(material.items())
        while stack:  # every textureInfo in the material and its extensions
            key, value = stack.pop()
            if isinstance(value, dict):
                if key.endswith("Texture") and "index" in value:
                    uv = value.get("texCoord", 0)
                    ext = _obj(_obj(value.get("extensions")).get("KHR_texture_transform"))
                    uv = ext.get("texCoord", uv)
                    if _is_index(uv):
                        needed.add(uv)
                stack.extend(value.items())
        missing = sorted(needed - set(uv_sets))
        if missing:
            names = ", ".join(f"TEXCOORD_{k}" for k in missing)
            self.warn(
                "MESH_PRIMITIVE_TOO_FEW_TEXCOORDS",
                f"{path}.material",
                f"material {index} samples {names}, which it lacks",
            )
        exts = _obj(material.get("extensions"))
        tangents = "KHR_materials_anisotropy" in exts or "clearcoatNormalTexture" in _obj(
            exts.get("KHR_materials_clearcoat")
        )
        mapped = "normalTexture" in material
        if mapped and "TANGENT" not in attributes and "NORMAL" in attributes:
            self.warn(
                "MESH_PRIMITIVE_GENERATED_TANGENT_SPACE",
                f"{path}.material",
                f"material {index} has a normal map and no TANGENT: viewers generate their own",
            )
        if "TANGENT" in attributes and not mapped and not tangents:
            self.warn(
                "UNUSED_MESH_TANGENT",
                f"{path}.attributes.TANGENT",
                f"material {index} has no normal map to use it",
            )
        if tangents and "TANGENT" not in attributes and not mapped:
            self.warn(
                "MESH_PRIMITIVE_NO_TANGENT_SPACE",
                f"{path}.material",
                f"material {index} needs tangents: no TANGENT, and no normal map to make them",
            )

    def variant_mappings(self, path: str, ext: dict[str, Any]) -> None:
        if not ext:
            return
        where = f"{path}.extensions.KHR_materials_variants"
        root = _obj(self.doc.get("extensions")).get("KHR_materials_variants")
        if root is None:
            self.warn(
                "UNSATISFIED_DEPENDENCY",
                where,
                "mappings, but the root has no extensions.KHR_materials_variants",
            )
        count = len(_list(_obj(root).get("variants")))
        seen: set[int] = set()
        for k, mapping in enumerate(_list(ext.get("mappings"))):
            mapping = _obj(mapping)
            self.ref(f"{where}.mappings[{k}].material", mapping.get("material"), "materials")
            for v, variant in enumerate(_list(mapping.get("variants"))):
                at = f"{where}.mappings[{k}].variants[{v}]"
                if root is not None and self.ref_into(at, variant, count, "variants") is None:
                    continue
                if _is_index(variant) and variant in seen:
                    self.warn(
                        "KHR_MATERIALS_VARIANTS_NON_UNIQUE_VARIANT",
                        at,
                        f"variant {variant} is mapped more than once",
                    )
                if _is_index(variant):
                    seen.add(variant)

    def vectors(self, path: str, attributes: dict[str, Any]) -> None:
        """Unit normals and tangents, tangent w of +-1, colours in 0..1 (vectorized)."""
        for name, width in (("NORMAL", 3), ("TANGENT", 4)):
            index = attributes.get(name)
            if not self.valid(index, self.array("accessors")):
                continue
            acc = self.read(index)
            if acc is None or acc.values.shape[1] != width or not len(acc.values):
                continue
            v = acc.floats()
            squared = np.square(v[:, 0])  # column by column, in place: 3x einsum's speed
            column = np.square(v[:, 1])
            squared += column
            squared += np.square(v[:, 2], out=column)
            off = (squared < (1 - _UNIT_VEC3) ** 2) | (squared > (1 + _UNIT_VEC3) ** 2)
            bad = int(np.count_nonzero(off))
            if bad:
                self.warn(
                    "ACCESSOR_VECTOR3_NON_UNIT",
                    f"{path}.attributes.{name}",
                    f"{bad} vectors are not of unit length",
                )
            if width == 4:
                signs = int(np.count_nonzero(np.abs(v[:, 3]) != 1))
                if signs:
                    self.warn(
                        "ACCESSOR_INVALID_SIGN",
                        f"{path}.attributes.TANGENT",
                        f"{signs} w components are not 1 or -1",
                    )
        for name, index in attributes.items():
            if not name.startswith("COLOR_") or not self.valid(index, self.array("accessors")):
                continue
            acc = self.read(index)
            if acc is None or acc.component_type != _FLOAT or index not in self.bounds:
                continue
            low, high = self.bounds[index]
            if low.min() < 0 or high.max() > 1:
                bad = int(np.count_nonzero((acc.values < 0) | (acc.values > 1)))
                self.warn(
                    "ACCESSOR_NON_CLAMPED",
                    f"{path}.attributes.{name}",
                    f"{bad} components are outside 0..1",
                )

    def skinned_scenes(self) -> None:
        """A skinned node's joints must be in the scenes that show the node."""
        nodes = self.array("nodes")
        skins = self.array("skins")
        for s, scene in enumerate(self.array("scenes")):
            roots = {r for r in _list(_obj(scene).get("nodes")) if _is_index(r)}
            for n, node in enumerate(nodes):
                skin = _obj(node).get("skin")
                if not self.valid(skin, skins) or self.root(n) not in roots:
                    continue
                joints = [j for j in _list(_obj(skins[skin]).get("joints")) if self.valid(j, nodes)]
                if any(self.root(j) not in roots for j in joints):
                    self.warn(
                        "NODE_SKIN_NO_SCENE",
                        f"nodes[{n}]",
                        f"skinned, but scenes[{s}] lacks its joints",
                    )

    def influences(self) -> None:
        """Skin weights and joints per vertex, for meshes that skinned nodes draw: joint
        indices within the skin, no joint twice, no negative weight, weights summing to 1
        (vectorized over vertices)."""
        meshes, skins = self.array("meshes"), self.array("skins")
        limits: dict[int, int] = {}
        for node in self.array("nodes"):
            mesh, skin = _obj(node).get("mesh"), _obj(node).get("skin")
            if self.valid(mesh, meshes) and self.valid(skin, skins):
                joints = len(_list(_obj(skins[skin]).get("joints")))
                if joints:
                    limits[mesh] = min(limits.get(mesh, joints), joints)
        for m, limit in sorted(limits.items()):
            for p, prim in enumerate(_list(_obj(meshes[m]).get("primitives"))):
                attributes = _obj(_obj(prim).get("attributes"))
                pairs = []
                for k in range(len(attributes)):
                    if f"JOINTS_{k}" not in attributes or f"WEIGHTS_{k}" not in attributes:
                        break
                    pairs.append((attributes[f"JOINTS_{k}"], attributes[f"WEIGHTS_{k}"]))
                read = [(self.read_index(j), self.read_index(w)) for j, w in pairs]
                if not read or any(j is None or w is None for j, w in read):
                    continue
                joints = np.hstack([j.values for j, _ in read]).astype(np.int64)
                weights = np.hstack([_float64(w) for _, w in read])
                if joints.shape != weights.shape:
                    continue
                self.weights(f"meshes[{m}].primitives[{p}]", joints, weights, limit)

    def read_index(self, index: Any) -> Accessor | None:
        return self.read(index) if self.valid(index, self.array("accessors")) else None

    def weights(self, path: str, joints: np.ndarray, weights: np.ndarray, limit: int) -> None:
        """One primitive's joints and weights, (vertices, 4 x sets) each, against a skin of
        ``limit`` joints."""
        where = f"{path}.attributes"
        outside = joints >= limit
        if outside.any():
            self.warn(
                "ACCESSOR_JOINTS_INDEX_OOB",
                where,
                f"{int(outside.sum())} joint indices exceed the skin's {limit} joints",
            )
        used = (weights != 0) & ~outside
        idle = int(np.count_nonzero((weights == 0) & (joints != 0) & ~outside))
        if idle:
            self.warn(
                "ACCESSOR_JOINTS_USED_ZERO_WEIGHT",
                where,
                f"{idle} joint indices are not 0 but weigh nothing",
            )
        negative = int(np.count_nonzero(used & (weights < 0)))
        if negative:
            self.warn("ACCESSOR_WEIGHTS_NEGATIVE", where, f"{negative} weights are negative")
        # a joint already listed, with a weight, earlier in the vertex (columns pairwise)
        repeat = np.zeros_like(used)
        for c in range(1, joints.shape[1]):
            for d in range(c):
                repeat[:, c] |= used[:, d] & (joints[:, d] == joints[:, c])
        repeat &= used
        twice = int(np.count_nonzero(repeat.any(axis=1)))
        if twice:
            self.warn(
                "ACCESSOR_JOINTS_INDEX_DUPLICATE", where, f"{twice} vertices list a joint twice"
            )
        # the sum of each vertex's first weight per joint, in float32 as glTF readers add
        positive = np.where(used & ~repeat & (weights > 0), weights, 0.0)
        total = positive[:, 0].astype(np.float32)
        for k in range(1, positive.shape[1]):
            total = (total.astype(np.float64) + positive[:, k]).astype(np.float32)
        count = used.sum(axis=1) - repeat.sum(axis=1)
        threshold = _WEIGHT_ROUNDING * count
        off = int(np.count_nonzero(np.abs(total.astype(np.float64) - 1.0) > threshold))
        if off:
            self.warn(
                "ACCESSOR_WEIGHTS_NON_NORMALIZED",
                where,
                f"{off} vertices have weights that do not sum to 1",
            )

    # --- extensions ---------------------------------------------------------------------

    def lights(self) -> None:
        root = _obj(self.doc.get("extensions")).get("KHR_lights_punctual")
        where = "extensions.KHR_lights_punctual"
        lights = _list(_obj(root).get("lights"))
        for i, light in enumerate(lights):
            if _obj(light).get("type") != "spot" and "spot" in _obj(light):
                self.warn(
                    "EXTRA_PROPERTY",
                    f"{where}.lights[{i}].spot",
                    f"unused by a {_obj(light).get('type')} light",
                )
            spot = _obj(_obj(light).get("spot"))
            inner, outer = spot.get("innerConeAngle", 0.0), spot.get("outerConeAngle", math.pi / 4)
            if _is_number(inner) and _is_number(outer) and outer <= inner:
                self.warn(
                    "KHR_LIGHTS_PUNCTUAL_LIGHT_SPOT_ANGLES",
                    f"{where}.lights[{i}].spot",
                    f"outerConeAngle {outer} is not greater than innerConeAngle {inner}",
                )
        for n, node in enumerate(self.array("nodes")):
            ext = _obj(_obj(node).get("extensions")).get("KHR_lights_punctual")
            if not isinstance(ext, dict):
                continue
            path = f"nodes[{n}].extensions.KHR_lights_punctual"
            if root is None:
                self.warn("UNSATISFIED_DEPENDENCY", path, f"a light, but the root has no {where}")
            else:
                self.ref_into(f"{path}.light", ext.get("light"), len(lights), "lights")


def _bounds(
    values: np.ndarray, rows: int = 1024, block: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column min and max of (n, k) values (NaN where a column holds one). Runs of
    ``rows`` rows are laid side by side, as numpy reduces a narrow (n, 3) array along axis
    0 some thirty times slower than a wide one; min and max then read each ``block`` of
    wide rows in turn while it is in cache, so memory is read once."""
    n, k = values.shape
    head = n - n % rows
    wide = values[:head].reshape(-1, k * rows)
    lows, highs = [], []
    for start in range(0, len(wide), block):  # a loop over blocks, not elements
        chunk = wide[start : start + block]
        lows.append(chunk.min(axis=0).reshape(rows, k).min(axis=0))
        highs.append(chunk.max(axis=0).reshape(rows, k).max(axis=0))
    if head < n:
        lows.append(values[head:].min(axis=0))
        highs.append(values[head:].max(axis=0))
    return np.min(lows, axis=0), np.max(highs, axis=0)


def _float64(accessor: Accessor) -> np.ndarray:
    """Accessor values as float64, normalized integers divided in float64 (as the Khronos
    validator does), so that sums of weights round as they do there."""
    values = accessor.values.astype(np.float64)
    if accessor.normalized and accessor.component_type in NORMALIZED_DIVISOR:
        values /= NORMALIZED_DIVISOR[accessor.component_type]
    return values


def _kind(parent: str, key: str) -> str:
    """The kind of the value under ``key`` of an object of kind ``parent``."""
    if parent == "root":
        if key in _ARRAY_KINDS:
            return "root-array"
        return {"asset": "asset", "extensions": "extensions"}.get(key, "")
    if key == "extensions":
        return "extensions"
    if key.endswith("Texture") and parent in ("material", "pbr", "extension"):
        return "textureInfo"
    if parent == "material" and key == "pbrMetallicRoughness":
        return "pbr"
    if parent == "extensions":
        return "extension"
    return {
        ("mesh", "primitives"): "primitives",
        ("animation", "channels"): "channels",
        ("channel", "target"): "target",
    }.get((parent, key), "")


def _item(kind: str) -> str:
    """The kind of the elements of an array of kind ``kind``."""
    return {"primitives": "primitive", "channels": "channel"}.get(kind, "")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdecimal() else 0 for p in text.split("."))  # "²" is a digit


def _magic(head: bytes) -> str | None:
    """The image format the first bytes of an image name (the signatures the formats glTF
    and its extensions allow begin with), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(_KTX2_MAGIC):
        return "image/ktx2"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return None


def _at(doc: Any, path: str) -> Any:
    """The value at JSON path ``path`` (``accessors[2].count``), or None."""
    value = doc
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            value = (
                value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
            )
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def _roles(doc: dict[str, Any]) -> frozenset[int]:
    """Nodes with a role beyond their content: skin joints and skeletons, and the targets
    of animation channels."""
    out: set[Any] = set()
    for skin in _list(doc.get("skins")):
        out.update(_list(_obj(skin).get("joints")))
        out.add(_obj(skin).get("skeleton"))
    for anim in _list(doc.get("animations")):
        for channel in _list(_obj(anim).get("channels")):
            out.add(_obj(_obj(channel).get("target")).get("node"))
    return frozenset(n for n in out if _is_index(n))
