"""Structural checks of a glTF 2.0 document, run after the reader has built the Asset.

Reading only needs what draws the scene; a file can still break the glTF 2.0 schema and
its rules elsewhere (an empty array, a required property missing, an index to nothing, an
accessor whose min/max lie about its data, an animation or a skin no engine can play) and
then one consumer refuses it while another guesses. Each such fault becomes one L005 load
issue whose message starts with the JSON path of the offending value, e.g.
``accessors[2]: max [1, 1, 1] does not match the data's max [1, 2, 1]``. Checks on
element data are vectorized: a million-element accessor costs a few numpy passes.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from assetlint.loaders._gltf_json import (
    CHUNK_BIN,
    COMPONENTS,
    DTYPES,
    NORMALIZED_DIVISOR,
    Accessor,
    Skip,
)

if TYPE_CHECKING:
    from assetlint.loaders.gltf import _Reader

_CODE = "L005"
_FLOAT = 5126
_INDEX_TARGET = 34963  # ELEMENT_ARRAY_BUFFER: no byteStride allowed
_TRS = ("translation", "rotation", "scale")
_PATHS = (*_TRS, "weights")
_INTERPOLATIONS = ("LINEAR", "STEP", "CUBICSPLINE")
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
# and quaternions, and its step for the sum of skin weights.
_UNIT_VEC3 = 0.00674
_UNIT_VEC4 = 0.00769
_WEIGHT_STEP = 0.0039216
_RESTART = {5121: 2**8 - 1, 5123: 2**16 - 1, 5125: 2**32 - 1}  # per index component type
# A JSON pointer (RFC 6901), as KHR_animation_pointer requires.
_POINTER = re.compile(r"(?:/(?:[^/~]|~0|~1)*)*")
# data:[type/subtype][;param=value]*[;base64],payload
_DATA_URI = re.compile(r"data:(?:[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[^;,]*)*(?:;base64)?,", re.I)

# Required properties per object kind (glTF 2.0 schema and the KHR extensions' schemas).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "asset": ("version",),
    "accessor": ("componentType", "count", "type"),
    "sparse": ("count", "indices", "values"),
    "sparse.indices": ("bufferView", "componentType"),
    "sparse.values": ("bufferView",),
    "animation": ("channels", "samplers"),
    "channel": ("sampler", "target"),
    "target": ("path",),
    "animation.sampler": ("input", "output"),
    "buffer": ("byteLength",),
    "bufferView": ("buffer", "byteLength"),
    "camera": ("type",),
    "perspective": ("yfov", "znear"),
    "orthographic": ("xmag", "ymag", "zfar", "znear"),
    "skin": ("joints",),
    "KHR_lights_punctual": ("lights",),
    "light": ("type",),
    "KHR_materials_variants": ("variants",),
    "variant": ("name",),
    "KHR_animation_pointer": ("pointer",),
}

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
# Material extension values: (property, low, high, low inclusive); each list element
# of a colour is checked alike.
_UNIT = (0.0, 1.0, True)
_NONNEGATIVE = (0.0, math.inf, True)
_RANGES: dict[str, dict[str, tuple[float, float, bool]]] = {
    "KHR_materials_anisotropy": {"anisotropyStrength": _UNIT},
    "KHR_materials_clearcoat": {"clearcoatFactor": _UNIT, "clearcoatRoughnessFactor": _UNIT},
    "KHR_materials_diffuse_transmission": {
        "diffuseTransmissionFactor": _UNIT,
        "diffuseTransmissionColorFactor": _UNIT,
    },
    "KHR_materials_dispersion": {"dispersion": _NONNEGATIVE},
    "KHR_materials_emissive_strength": {"emissiveStrength": _NONNEGATIVE},
    "KHR_materials_iridescence": {
        "iridescenceFactor": _UNIT,
        "iridescenceIor": (1.0, math.inf, True),
        "iridescenceThicknessMinimum": _NONNEGATIVE,
        "iridescenceThicknessMaximum": _NONNEGATIVE,
    },
    "KHR_materials_sheen": {"sheenColorFactor": _UNIT, "sheenRoughnessFactor": _UNIT},
    "KHR_materials_specular": {"specularFactor": _UNIT, "specularColorFactor": _NONNEGATIVE},
    "KHR_materials_transmission": {"transmissionFactor": _UNIT},
    "KHR_materials_volume": {
        "thicknessFactor": _NONNEGATIVE,
        "attenuationDistance": (0.0, math.inf, False),
        "attenuationColor": _UNIT,
    },
}


def check(doc: dict[str, Any], reader: _Reader, glb: bytes | None) -> None:
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

    def __init__(self, doc: dict[str, Any], reader: _Reader):
        self.doc = doc
        self.reader = reader
        self.asset = reader.asset
        used = doc.get("extensionsUsed")
        self.used = {e for e in _list(used) if isinstance(e, str)}
        self.read_before = set(reader._accessors)
        self.buffers_before = set(reader._buffers)
        self.parents: dict[int, int] = {}  # node -> its parent
        self.present: set[str] = set()  # extensions found on objects
        self.misfit: set[int] = set()  # accessors whose read error an issue here covers
        self.bad_views: set[int] = set()  # bufferViews reported as not fitting their buffer
        self.bounds: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # accessor -> min, max

    def warn(self, path: str, message: str, severity: str = "warning") -> None:
        self.asset.issue(_CODE, f"{path}: {message}", severity)

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
        if value is None:
            return None
        if _is_index(value) and 0 <= value < count:
            return value
        self.warn(path, f"{value!r} names no entry of {what} (it has {count})")
        return None

    def required(self, path: str, obj: Any, kind: str) -> bool:
        """Whether ``obj`` has the properties the schema requires of ``kind`` (an issue
        names those missing)."""
        if not isinstance(obj, dict):
            return True
        missing = [k for k in _REQUIRED[kind] if k not in obj]
        if missing:
            names = ", ".join(repr(k) for k in missing)
            self.warn(path, f"required property {names} missing")
        return not missing

    def run(self, glb: bytes | None) -> None:
        if glb is not None:
            self.glb_chunks(glb)
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
        self.skins()
        self.animations()
        self.lights()
        self.variants()
        self.material_ranges()
        self.meshes()

    # --- whole document -----------------------------------------------------------------

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
                    if key != "extras":
                        where = f"{path}.{key}" if path else key
                        stack.append((where, _kind(kind, key), kind, child))
            elif isinstance(value, list):
                item = _ARRAY_KINDS.get(path, "") if kind == "root-array" else _item(kind)
                stack.extend(
                    (f"{path}[{i}]", item, kind, value[i]) for i in reversed(range(len(value)))
                )

    def walk(self) -> None:
        """Empty arrays, and every `extensions` object: declared, an object, in its place."""
        for path, kind, owner, value in self.objects():
            if isinstance(value, list) and not value and path and kind != "extension":
                self.warn(path, "empty array (glTF requires at least one element)")
            if kind != "extensions" or not isinstance(value, dict):
                continue
            for name, ext in value.items():
                self.present.add(name)
                where = f"{path}.{name}"
                if name not in self.used:
                    self.warn(where, "extension not declared in extensionsUsed")
                if not isinstance(ext, dict):
                    self.warn(where, f"is {json.dumps(ext)[:40]}, not an object")
                places = _PLACES.get(name)
                if places is not None and owner not in places:
                    allowed = ", ".join(places) or "nothing (it is only declared)"
                    self.warn(where, f"extension allowed only on: {allowed}")

    def asset_version(self) -> None:
        meta = self.doc.get("asset")
        self.required("asset", meta, "asset")
        meta = _obj(meta)
        version, minimum = meta.get("version"), meta.get("minVersion")
        if isinstance(version, str) and isinstance(minimum, str):
            if _version(minimum) > _version(version):
                self.warn("asset.minVersion", f"{minimum} is greater than version {version}")

    def extension_lists(self) -> None:
        for key in ("extensionsUsed", "extensionsRequired"):
            names = self.array(key)
            dupes = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
            if dupes:
                self.warn(key, f"lists {', '.join(dupes)} more than once")
        undeclared = sorted(
            {n for n in self.array("extensionsRequired") if isinstance(n, str)} - self.used
        )
        if undeclared:
            self.warn("extensionsRequired", f"{', '.join(undeclared)} not in extensionsUsed")
        unused = sorted(self.used - self.present - _OBJECTLESS)
        if unused:
            self.warn("extensionsUsed", f"{', '.join(unused)} declared but not used", "info")

    def glb_chunks(self, data: bytes) -> None:
        """Chunk lengths multiple of 4, and the BIN chunk second (the reader reads what it
        finds wherever it is)."""
        length = min(len(data), struct.unpack_from("<I", data, 8)[0])
        offset, position = 12, 0
        while offset + 8 <= length:
            chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
            if chunk_length % 4:
                self.warn("GLB", f"chunk {position} length {chunk_length} is not a multiple of 4")
            if chunk_type == CHUNK_BIN and position != 1:
                self.warn("GLB", f"the BIN chunk is chunk {position}; it must be the second")
            offset += 8 + chunk_length
            position += 1

    # --- nodes, scenes, cameras ---------------------------------------------------------

    def nodes(self) -> None:
        nodes = self.array("nodes")
        for i, node in enumerate(nodes):
            node = _obj(node)
            path = f"nodes[{i}]"
            for kid in _list(node.get("children")):
                if _is_index(kid) and 0 <= kid < len(nodes):
                    self.parents.setdefault(kid, i)
            self.ref(f"{path}.camera", node.get("camera"), "cameras")
            if "mesh" not in node:
                self.ref(f"{path}.skin", node.get("skin"), "skins")
                for key in ("skin", "weights"):
                    if key in node:
                        self.warn(f"{path}.{key}", "requires the node to have a mesh")
            if "matrix" in node:
                if any(k in node for k in _TRS):
                    self.warn(path, "has both a matrix and translation/rotation/scale")
                self.matrix(f"{path}.matrix", node["matrix"])

    def matrix(self, path: str, value: Any) -> None:
        """A node matrix must be a TRS: an affine last row and orthogonal columns."""
        if not isinstance(value, list) or len(value) != 16 or not all(map(_is_number, value)):
            return
        m = np.array(value, dtype=np.float64).reshape(4, 4).T
        if not np.isfinite(m).all():
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
            self.warn(path, "is not decomposable to translation, rotation and scale")

    def scenes(self) -> None:
        for s, scene in enumerate(self.array("scenes")):
            for k, node in enumerate(_list(_obj(scene).get("nodes"))):
                if _is_index(node) and node in self.parents:  # a bad index: the reader says
                    self.warn(
                        f"scenes[{s}].nodes[{k}]",
                        f"node {node} is a child of node {self.parents[node]}, not a root",
                    )

    def cameras(self) -> None:
        for i, camera in enumerate(self.array("cameras")):
            if not isinstance(camera, dict):
                continue
            path = f"cameras[{i}]"
            self.required(path, camera, "camera")
            kind = camera.get("type")
            if kind is not None and kind not in ("perspective", "orthographic"):
                self.warn(f"{path}.type", f"{kind!r} is not perspective or orthographic")
            both = "perspective" in camera and "orthographic" in camera
            if both:
                self.warn(path, "has both perspective and orthographic")
            if kind in ("perspective", "orthographic"):
                if kind not in camera:
                    self.warn(path, f"type {kind} but no {kind} property")
                else:
                    self.projection(f"{path}.{kind}", kind, camera[kind])

    def projection(self, path: str, kind: str, proj: Any) -> None:
        if not isinstance(proj, dict):
            self.warn(path, "is not an object")
            return
        self.required(path, proj, kind)
        near, far = proj.get("znear"), proj.get("zfar")
        if kind == "perspective":
            for key in ("yfov", "znear", "aspectRatio"):
                value = proj.get(key)
                if value is not None and (not _is_number(value) or value <= 0):
                    self.warn(f"{path}.{key}", f"{value!r} is not a positive number")
        else:
            for key in ("xmag", "ymag"):
                if proj.get(key) == 0:
                    self.warn(f"{path}.{key}", "must not be zero")
            if _is_number(near) and near < 0:
                self.warn(f"{path}.znear", f"{near} is negative")
        if _is_number(near) and _is_number(far) and far <= near:
            self.warn(path, f"zfar {far} is not greater than znear {near}")

    # --- buffers, views, accessors ------------------------------------------------------

    def view_users(self) -> tuple[dict[int, str], set[int]]:
        """bufferView index -> what uses it that forbids a byteStride; and every bufferView
        an accessor or an image reads."""
        users: dict[int, str] = {}
        accessors = self.array("accessors")
        read = {
            _obj(a).get("bufferView") for a in accessors if _is_index(_obj(a).get("bufferView"))
        }

        def use(view: Any, user: str) -> None:
            if _is_index(view):
                users.setdefault(view, user)
                read.add(view)

        def view_of(acc: Any) -> Any:
            return _obj(accessors[acc]).get("bufferView") if self.valid(acc, accessors) else None

        for mesh in self.array("meshes"):
            for prim in _list(_obj(mesh).get("primitives")):
                use(view_of(_obj(prim).get("indices")), "indices")
        for acc in accessors:
            sparse = _obj(_obj(acc).get("sparse"))
            use(_obj(sparse.get("indices")).get("bufferView"), "sparse indices")
            use(_obj(sparse.get("values")).get("bufferView"), "sparse values")
        for image in self.array("images"):
            use(_obj(image).get("bufferView"), "an image")
        for skin in self.array("skins"):
            use(view_of(_obj(skin).get("inverseBindMatrices")), "inverse bind matrices")
        for anim in self.array("animations"):
            for sampler in _list(_obj(anim).get("samplers")):
                for key in ("input", "output"):
                    use(view_of(_obj(sampler).get(key)), "animation samplers")
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
            self.required(path, view, "bufferView")
            b = self.ref(f"{path}.buffer", view.get("buffer"), "buffers")
            offset, length = view.get("byteOffset", 0), view.get("byteLength")
            stride = view.get("byteStride")
            if not (_is_index(offset) and _is_index(length)):
                continue
            declared = _obj(buffers[b]).get("byteLength") if b is not None else None
            data = self.reader._buffers.get(b)  # type: ignore[arg-type]
            if isinstance(data, memoryview) and offset + length > len(data) and i in read:
                pass  # past the data too: what reads the view reports it
            elif _is_index(declared) and offset + length > declared:
                self.bad_views.add(i)
                self.warn(
                    path,
                    f"bytes {offset}..{offset + length} do not fit buffers[{b}] "
                    f"(byteLength {declared})",
                )
            if stride is None:
                continue
            if _is_index(stride) and stride > length:
                self.warn(f"{path}.byteStride", f"{stride} is greater than byteLength {length}")
            if view.get("target") == _INDEX_TARGET:
                self.warn(f"{path}.byteStride", "not allowed on a view of vertex indices")
            elif i in users:
                self.warn(f"{path}.byteStride", f"not allowed on a view used by {users[i]}")

    def accessors(self) -> None:
        views = self.array("bufferViews")
        for i, acc in enumerate(self.array("accessors")):
            if not isinstance(acc, dict):
                continue
            path = f"accessors[{i}]"
            if not self.required(path, acc, "accessor"):
                self.misfit.add(i)  # its read error would say the same
            sparse = acc.get("sparse")
            if isinstance(sparse, dict):
                self.required(f"{path}.sparse", sparse, "sparse")
                self.required(f"{path}.sparse.indices", sparse.get("indices"), "sparse.indices")
                self.required(f"{path}.sparse.values", sparse.get("values"), "sparse.values")
            view = acc.get("bufferView")
            if view is None and "byteOffset" in acc:
                self.warn(f"{path}.byteOffset", "set without a bufferView")
            ctype = acc.get("componentType")
            if acc.get("normalized") is True and ctype in (_FLOAT, 5125):
                self.warn(f"{path}.normalized", "only byte and short components can be normalized")
            if _is_index(ctype) and ctype in DTYPES and self.valid(view, views):
                self.alignment(path, acc, _obj(views[view]), DTYPES[ctype].itemsize)
                self.fit(i, acc, _obj(views[view]), DTYPES[ctype].itemsize)
            values = self.read(i)
            if values is not None:
                self.data(i, acc, values)

    def alignment(self, path: str, acc: dict[str, Any], view: dict[str, Any], size: int) -> None:
        offset, view_offset = acc.get("byteOffset", 0), view.get("byteOffset", 0)
        if not (_is_index(offset) and _is_index(view_offset)):
            return
        if acc.get("type") in ("MAT2", "MAT3", "MAT4") and offset % 4:
            self.warn(f"{path}.byteOffset", f"{offset}: a matrix accessor must be 4-byte aligned")
        elif offset % size:
            self.warn(f"{path}.byteOffset", f"{offset} is not a multiple of {size}")
        if (offset + view_offset) % size:
            self.warn(
                path, f"starts at buffer byte {offset + view_offset}, not a multiple of {size}"
            )

    def fit(self, i: int, acc: dict[str, Any], view: dict[str, Any], size: int) -> None:
        """The accessor's elements fit its bufferView and its byteStride, by the declared
        lengths (the data may be missing): matrix columns are padded to 4 bytes."""
        if isinstance(self.reader._accessors.get(i), Skip):
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
            self.warn(path, f"bufferView byteStride {stride} is less than an element ({element})")
            self.misfit.add(i)
        elif count and offset + step * (count - 1) + last > length:
            needed = offset + step * (count - 1) + last
            self.warn(path, f"needs {needed} bytes of its bufferView, which has {length}")
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
                self.warn(f"accessors[{i}]", f"not read: {exc.message}")
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
            self.warn(path, f"{bad} components are NaN or infinite")
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
                    path,
                    f"{key} {_fmt(declared)} does not match the data's {key} {_fmt(actual[key])}",
                )

    def buffers(self, glb: bool) -> None:
        for i, buf in enumerate(self.array("buffers")):
            path = f"buffers[{i}]"
            self.required(path, buf, "buffer")
            uri = _obj(buf).get("uri")
            if isinstance(uri, str) and uri[:5].lower() == "data:" and not _DATA_URI.match(uri):
                self.warn(f"{path}.uri", "malformed data URI")
            if i in self.buffers_before:
                continue  # the reader read it, or reported why it could not
            if uri is None and i == 0 and glb and self.reader.bin_chunk is None:
                self.warn(path, "no uri, and the GLB has no BIN chunk to hold it", "error")
            elif isinstance(uri, str) or (i == 0 and glb):
                try:  # for its declared byteLength, which the reader checks
                    self.reader.buffer(i)
                except Skip as exc:
                    self.warn(path, exc.message)

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
            uri = _obj(self.array("images")[i]).get("uri")
            if isinstance(uri, str) and uri[:5].lower() == "data:" and not _DATA_URI.match(uri):
                self.warn(f"{path}.uri", "malformed data URI")
            allowed = _IMAGE_MIMES + tuple(_EXTENSION_MIMES)
            if declared is not None and declared not in allowed:
                self.warn(path, f"MIME type {declared!r} is not a glTF image type")
            elif declared is not None and sniffed is not None and declared != sniffed:
                self.warn(path, f"declared {declared} but the data is {sniffed}")
            mime = sniffed or declared
            needs = _EXTENSION_MIMES.get(mime or "")
            if needs is not None and needs not in self.used:
                self.warn(path, f"{mime} image but {needs} is not in extensionsUsed")

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
                if _is_index(source) and 0 <= source < len(mimes):  # else the reader says
                    declared, sniffed = mimes[source]
                    mime = sniffed or declared
                    if mime is not None and mime not in allowed:
                        self.warn(where, f"image {source} is {mime}, not {' or '.join(allowed)}")

    # --- skins and animations -----------------------------------------------------------

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
            self.required(path, skin, "skin")
            joints = [
                j
                for k, node in enumerate(_list(skin.get("joints")))
                if (j := self.ref(f"{path}.joints[{k}]", node, "nodes")) is not None
            ]
            self.ref(f"{path}.skeleton", skin.get("skeleton"), "nodes")
            if len({self.root(j) for j in joints}) > 1:
                self.warn(f"{path}.joints", "the joints have no common root node")
            ibm = self.ref(
                f"{path}.inverseBindMatrices", skin.get("inverseBindMatrices"), "accessors"
            )
            if ibm is None:
                continue
            where = f"{path}.inverseBindMatrices"
            spec = _obj(accessors[ibm])
            if spec.get("type") != "MAT4" or spec.get("componentType") != _FLOAT:
                self.warn(where, f"accessor {ibm} is not MAT4 float")
                continue
            count, wanted = spec.get("count"), len(_list(skin.get("joints")))
            if _is_index(count) and count < wanted:
                self.warn(where, f"accessor {ibm} has {count} matrices for {wanted} joints")
            acc = self.read(ibm)
            if acc is not None and len(acc.values):
                last_rows = acc.values[:, [3, 7, 11, 15]]
                bad = int(np.count_nonzero((last_rows != (0, 0, 0, 1)).any(axis=1)))
                if bad:
                    self.warn(
                        where, f"{bad} of {len(last_rows)} matrices do not end in [0, 0, 0, 1]"
                    )

    def animations(self) -> None:
        for a, anim in enumerate(self.array("animations")):
            if not isinstance(anim, dict):
                continue
            path = f"animations[{a}]"
            self.required(path, anim, "animation")
            samplers = _list(anim.get("samplers"))
            inputs: dict[int, int | None] = {}
            for s, sampler in enumerate(samplers):
                inputs[s] = self.sampler(f"{path}.samplers[{s}]", _obj(sampler))
            for c, channel in enumerate(_list(anim.get("channels"))):
                if isinstance(channel, dict):
                    self.channel(f"{path}.channels[{c}]", channel, samplers, inputs)

    def sampler(self, path: str, sampler: dict[str, Any]) -> int | None:
        """Check one animation sampler; the count of its input accessor when valid."""
        self.required(path, sampler, "animation.sampler")
        accessors = self.array("accessors")
        interpolation = sampler.get("interpolation", "LINEAR")
        if interpolation not in _INTERPOLATIONS:
            self.warn(f"{path}.interpolation", f"{interpolation!r} is not a glTF interpolation")
        self.ref(f"{path}.output", sampler.get("output"), "accessors")
        i = self.ref(f"{path}.input", sampler.get("input"), "accessors")
        if i is None:
            return None
        spec = _obj(accessors[i])
        if spec.get("type") != "SCALAR" or spec.get("componentType") != _FLOAT:
            self.warn(f"{path}.input", f"accessor {i} is not SCALAR float")
            return None
        if "min" not in spec or "max" not in spec:
            self.warn(f"{path}.input", f"accessor {i} has no min and max")
        count = spec.get("count")
        if not _is_index(count):
            return None
        if interpolation == "CUBICSPLINE" and count < 2:
            self.warn(f"{path}.input", f"CUBICSPLINE needs 2 keyframes or more, has {count}")
        acc = self.read(i)
        times = acc.values.reshape(-1) if acc is not None else np.zeros(0, np.float32)
        if len(times) and times[0] < 0:
            self.warn(f"{path}.input", f"first keyframe time {_fmt(times[0])} is negative")
        steps = int(np.count_nonzero(np.diff(times) <= 0))
        if steps:
            self.warn(f"{path}.input", f"{steps} keyframe times do not increase")
        return count

    def channel(
        self,
        path: str,
        channel: dict[str, Any],
        samplers: list[Any],
        inputs: dict[int, int | None],
    ) -> None:
        self.required(path, channel, "channel")
        target = channel.get("target")
        self.required(f"{path}.target", target, "target")
        target = _obj(target)
        pointer = _obj(target.get("extensions")).get("KHR_animation_pointer")
        node_path = target.get("path")
        if isinstance(pointer, dict):
            where = f"{path}.target.extensions.KHR_animation_pointer"
            self.required(where, pointer, "KHR_animation_pointer")
            value = pointer.get("pointer")
            if isinstance(value, str) and not _POINTER.fullmatch(value):
                self.warn(f"{where}.pointer", f"{value!r} is not a JSON pointer")
            if "node" in target:
                self.warn(f"{path}.target.node", "must be absent with KHR_animation_pointer")
            if node_path != "pointer":
                self.warn(f"{path}.target.path", f"{node_path!r} must be 'pointer'")
        elif node_path is not None and node_path not in _PATHS:
            self.warn(f"{path}.target.path", f"{node_path!r} is not a node property")
        node = self.ref(f"{path}.target.node", target.get("node"), "nodes")
        s = self.ref_into(f"{path}.sampler", channel.get("sampler"), len(samplers), "samplers")
        targets = 1
        if node is not None:
            spec = _obj(self.array("nodes")[node])
            if "matrix" in spec and node_path in _TRS:
                self.warn(
                    f"{path}.target", f"animates {node_path} of node {node}, which has a matrix"
                )
            if node_path == "weights":
                targets = self.morph_targets(spec)
                if not targets:
                    self.warn(
                        f"{path}.target", f"animates weights of node {node} without morph targets"
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
        if _is_index(count) and node_path in _PATHS and count != expected:
            self.warn(f"{path}.sampler", f"output has {count} elements, {expected} expected")
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
            self.warn(path, f"{bad} output rotations are not unit quaternions")

    # --- meshes -------------------------------------------------------------------------

    def targets(self, mesh: Any) -> int:
        """Morph targets of a mesh (those of its first primitive)."""
        prims = _list(_obj(mesh).get("primitives"))
        return len(_list(_obj(prims[0]).get("targets"))) if prims else 0

    def meshes(self) -> None:
        if "KHR_mesh_quantization" in self.used and "KHR_mesh_quantization" not in {
            e for e in self.array("extensionsRequired") if isinstance(e, str)
        }:
            self.warn("extensionsUsed", "KHR_mesh_quantization must also be in extensionsRequired")
        meshes = self.array("meshes")
        for m, mesh in enumerate(meshes):
            prims = _list(_obj(mesh).get("primitives"))
            counts = [len(_list(_obj(p).get("targets"))) for p in prims]
            if len(set(counts)) > 1:
                self.warn(f"meshes[{m}]", f"primitives have {counts} morph targets, not one count")
            weights = _obj(mesh).get("weights")
            if isinstance(weights, list) and weights and counts and len(weights) != counts[0]:
                self.warn(f"meshes[{m}].weights", f"{len(weights)} for {counts[0]} morph targets")
            for p, prim in enumerate(prims):
                if isinstance(prim, dict):
                    self.primitive(f"meshes[{m}].primitives[{p}]", prim)
        for n, node in enumerate(self.array("nodes")):
            node = _obj(node)
            weights, mesh = node.get("weights"), node.get("mesh")
            if isinstance(weights, list) and weights and self.valid(mesh, meshes):
                if len(weights) != self.targets(meshes[mesh]):
                    self.warn(
                        f"nodes[{n}].weights",
                        f"{len(weights)} for {self.targets(meshes[mesh])} morph targets",
                    )
        self.skinned_scenes()
        self.influences()

    def primitive(self, path: str, prim: dict[str, Any]) -> None:
        accessors = self.array("accessors")
        attributes = _obj(prim.get("attributes"))
        sets: dict[str, list[int]] = {}
        for name, index in attributes.items():
            found = _ATTRIBUTE.fullmatch(name)
            if found is None:
                self.warn(f"{path}.attributes.{name}", "not a glTF attribute name")
                continue
            if found.group(1):
                sets.setdefault(found.group(1), []).append(int(found.group(2)))
            if self.valid(index, accessors) and _obj(accessors[index]).get("componentType") == 5125:
                self.warn(f"{path}.attributes.{name}", "attributes cannot be UNSIGNED_INT")
        for semantic, numbers in sorted(sets.items()):
            if sorted(numbers) != list(range(len(numbers))):
                self.warn(
                    f"{path}.attributes",
                    f"{semantic} sets {sorted(numbers)} do not run 0, 1, 2... without a gap",
                )
        if len(sets.get("JOINTS", [])) != len(sets.get("WEIGHTS", [])):
            self.warn(f"{path}.attributes", "not as many JOINTS_n as WEIGHTS_n attributes")
        self.bounded(f"{path}.attributes.POSITION", attributes.get("POSITION"))
        for t, target in enumerate(_list(prim.get("targets"))):
            for name, index in _obj(target).items():
                where = f"{path}.targets[{t}].{name}"
                if _ATTRIBUTE.fullmatch(name) is None:
                    self.warn(where, "not a glTF attribute name")
                if name not in attributes:
                    self.warn(where, "the primitive has no such attribute to morph")
                i = self.ref(where, index, "accessors")
                base = attributes.get(name)
                if i is not None and self.valid(base, accessors):
                    count, base_count = (_obj(accessors[k]).get("count") for k in (i, base))
                    if count != base_count:
                        self.warn(where, f"{count} elements, the base attribute {base_count}")
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
            self.warn(f"{path}.indices", f"{count} indices are {largest}, the restart value")

    def bounded(self, path: str, index: Any) -> None:
        """A POSITION accessor must declare its min and max."""
        if self.valid(index, self.array("accessors")):
            spec = _obj(self.array("accessors")[index])
            if "min" not in spec or "max" not in spec:
                self.warn(path, f"accessor {index} has no min and max")

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
            self.warn(f"{path}.material", f"material {index} samples {names}, which it lacks")
        exts = _obj(material.get("extensions"))
        tangents = "KHR_materials_anisotropy" in exts or "clearcoatNormalTexture" in _obj(
            exts.get("KHR_materials_clearcoat")
        )
        if tangents and "TANGENT" not in attributes and "normalTexture" not in material:
            self.warn(
                f"{path}.material",
                f"material {index} needs tangents: no TANGENT, and no normal map to make them",
            )

    def variant_mappings(self, path: str, ext: dict[str, Any]) -> None:
        if not ext:
            return
        where = f"{path}.extensions.KHR_materials_variants"
        root = _obj(self.doc.get("extensions")).get("KHR_materials_variants")
        if root is None:
            self.warn(where, "mappings, but the root has no extensions.KHR_materials_variants")
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
                    self.warn(at, f"variant {variant} is mapped more than once")
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
                self.warn(f"{path}.attributes.{name}", f"{bad} vectors are not of unit length")
            if width == 4:
                signs = int(np.count_nonzero(np.abs(v[:, 3]) != 1))
                if signs:
                    self.warn(f"{path}.attributes.TANGENT", f"{signs} w components are not 1 or -1")
        for name, index in attributes.items():
            if not name.startswith("COLOR_") or not self.valid(index, self.array("accessors")):
                continue
            acc = self.read(index)
            if acc is None or acc.component_type != _FLOAT or index not in self.bounds:
                continue
            low, high = self.bounds[index]
            if low.min() < 0 or high.max() > 1:
                bad = int(np.count_nonzero((acc.values < 0) | (acc.values > 1)))
                self.warn(f"{path}.attributes.{name}", f"{bad} components are outside 0..1")

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
                    self.warn(f"nodes[{n}]", f"skinned, but scenes[{s}] lacks its joints")

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
                where,
                f"{int(outside.sum())} joint indices exceed the skin's {limit} joints",
            )
        used = (weights != 0) & ~outside
        negative = int(np.count_nonzero(used & (weights < 0)))
        if negative:
            self.warn(where, f"{negative} weights are negative")
        # a joint already listed, with a weight, earlier in the vertex (columns pairwise)
        repeat = np.zeros_like(used)
        for c in range(1, joints.shape[1]):
            for d in range(c):
                repeat[:, c] |= used[:, d] & (joints[:, d] == joints[:, c])
        repeat &= used
        twice = int(np.count_nonzero(repeat.any(axis=1)))
        if twice:
            self.warn(where, f"{twice} vertices list a joint twice")
        # the sum of each vertex's first weight per joint, in float32 as glTF readers add
        positive = np.where(used & ~repeat & (weights > 0), weights, 0.0)
        total = positive[:, 0].astype(np.float32)
        for k in range(1, positive.shape[1]):
            total = (total.astype(np.float64) + positive[:, k]).astype(np.float32)
        count = used.sum(axis=1) - repeat.sum(axis=1)
        threshold = _WEIGHT_STEP * np.maximum((count + 1) // 2 - 1, 0)
        off = int(np.count_nonzero(np.abs(total.astype(np.float64) - 1.0) > threshold))
        if off:
            self.warn(where, f"{off} vertices have weights that do not sum to 1")

    # --- extensions ---------------------------------------------------------------------

    def lights(self) -> None:
        root = _obj(self.doc.get("extensions")).get("KHR_lights_punctual")
        where = "extensions.KHR_lights_punctual"
        self.required(where, root, "KHR_lights_punctual")
        lights = _list(_obj(root).get("lights"))
        for i, light in enumerate(lights):
            if isinstance(light, dict):
                self.light(f"{where}.lights[{i}]", light)
        for n, node in enumerate(self.array("nodes")):
            ext = _obj(_obj(node).get("extensions")).get("KHR_lights_punctual")
            if not isinstance(ext, dict):
                continue
            path = f"nodes[{n}].extensions.KHR_lights_punctual"
            if root is None:
                self.warn(path, f"a light, but the root has no {where}")
            else:
                self.ref_into(f"{path}.light", ext.get("light"), len(lights), "lights")

    def light(self, path: str, light: dict[str, Any]) -> None:
        self.required(path, light, "light")
        kind = light.get("type")
        if kind is not None and kind not in ("directional", "point", "spot"):
            self.warn(f"{path}.type", f"{kind!r} is not directional, point or spot")
        for key, positive in (("intensity", False), ("range", True)):
            value = light.get(key)
            if _is_number(value) and (value <= 0 if positive else value < 0):
                self.warn(f"{path}.{key}", f"{value} is out of range")
        if kind != "spot":
            return
        spot = light.get("spot")
        if not isinstance(spot, dict):
            self.warn(path, "a spot light needs a spot object")
            return
        inner, outer = spot.get("innerConeAngle", 0.0), spot.get("outerConeAngle", math.pi / 4)
        if _is_number(inner) and _is_number(outer):
            if not 0 <= inner < math.pi / 2 or not 0 < outer <= math.pi / 2 or outer <= inner:
                self.warn(
                    f"{path}.spot",
                    f"cone angles inner {inner} and outer {outer} must satisfy "
                    "0 <= inner < outer <= pi/2",
                )

    def variants(self) -> None:
        root = _obj(self.doc.get("extensions")).get("KHR_materials_variants")
        where = "extensions.KHR_materials_variants"
        self.required(where, root, "KHR_materials_variants")
        for i, variant in enumerate(_list(_obj(root).get("variants"))):
            path = f"{where}.variants[{i}]"
            self.required(path, variant, "variant")
            name = _obj(variant).get("name")
            if name is not None and not isinstance(name, str):
                self.warn(f"{path}.name", f"{name!r} is not a string")

    def material_ranges(self) -> None:
        for i, material in enumerate(self.array("materials")):
            exts = _obj(_obj(material).get("extensions"))
            for name, props in _RANGES.items():
                ext = _obj(exts.get(name))
                for key, (low, high, inclusive) in props.items():
                    self.in_range(
                        f"materials[{i}].extensions.{name}.{key}",
                        ext.get(key),
                        low,
                        high,
                        inclusive,
                    )
            ior = _obj(exts.get("KHR_materials_ior")).get("ior")
            if _is_number(ior) and ior != 0 and ior < 1:
                self.warn(
                    f"materials[{i}].extensions.KHR_materials_ior.ior",
                    f"{ior} is neither 0 nor at least 1",
                )

    def in_range(self, path: str, value: Any, low: float, high: float, inclusive: bool) -> None:
        items = value if isinstance(value, list) else [value]
        for k, v in enumerate(items):
            if not _is_number(v):
                continue
            if (v < low if inclusive else v <= low) or v > high:
                where = f"{path}[{k}]" if isinstance(value, list) else path
                self.warn(where, f"{v} is out of range")


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
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))
