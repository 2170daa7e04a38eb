"""glTF 2.0 reader (.gltf JSON and .glb binary) into the canonical Asset model.

glTF already is the canonical frame (metres, +Y up, right-handed, front +Z, UV origin
top-left), so nothing is converted: the work is reading accessors safely. The JSON is
read as plain data rather than through pygltflib's dataclasses, because their decoding
raises arbitrary exceptions on a wrongly typed field and drops what they do not model.
Every index, offset and count is checked here against what the file really holds, so
malformed input gives a LoadError or a load issue, never a huge allocation or a traceback.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from assetlint.loaders import gltf_checks
from assetlint.loaders._gltf_json import (
    CHUNK_BIN,
    CHUNK_JSON,
    COMPONENTS,
    DTYPES,
    GLB_MAGIC,
    NORMALIZED_DIVISOR,
    Accessor,
    Skip,
    to_float,
)
from assetlint.loaders._refs import RefusedReference, decode_data_uri, resolve_reference
from assetlint.model import (
    Asset,
    Authored,
    LoadError,
    Material,
    Mesh,
    Node,
    SkinWeights,
    Texture,
    TextureSlot,
    place_skinned,
)

_INDEX_TYPES = (5121, 5123, 5125)
_INT32_MAX = 2**31 - 1

_TRIANGLE_MODES = (4, 5, 6)
_MODE_NAMES = {0: "points", 1: "lines", 2: "lines", 3: "lines"}

# An accessor without a bufferView is zeros made here, not data read: cap what a count
# in the JSON alone can make us allocate.
_MAX_SYNTHETIC_BYTES = 256 * 2**20
# Decompressed (meshopt) data may be at most this many times its compressed size, and
# never more than this many bytes: a count in the JSON must not allocate gigabytes.
_MAX_EXPANSION = 1024
_MAX_DECODED_BYTES = 2**31
_MAX_DEPTH = 1000
# UV sets a mesh may have (engines read at most 8); a higher index is a corrupt file.
_MAX_UV_SETS = 32

SUPPORTED_EXTENSIONS = frozenset(
    {
        "KHR_draco_mesh_compression",
        "EXT_meshopt_compression",
        "KHR_meshopt_compression",
        "KHR_mesh_quantization",
        "KHR_materials_unlit",
        "KHR_materials_pbrSpecularGlossiness",
        "KHR_texture_basisu",
        "EXT_texture_webp",
    }
)
# Extensions whose image replaces the texture's own `source` (read when there is none).
_IMAGE_SOURCE_EXTENSIONS = ("EXT_texture_webp", "KHR_texture_basisu", "EXT_texture_avif")
_KTX2_MAGIC = b"\xabKTX 20\xbb\r\n\x1a\n"


def load(path: Path) -> Asset:
    """Read a .glb or .gltf file. Raises LoadError when no Asset can be made."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from None
    binary = data[:4] == GLB_MAGIC
    if path.suffix.lower() == ".glb" and not binary:
        raise LoadError("not a GLB file: the 'glTF' magic is missing")
    asset = Asset(path=path, format="glb" if binary else "gltf", file_size=len(data))
    bin_chunk: memoryview | None = None
    bin_truncated = False
    if binary:
        json_bytes, bin_chunk, bin_truncated = _split_glb(data, asset)
    else:
        json_bytes = data
    doc = _parse_json(json_bytes, asset)
    # Infinite or NaN values are data the rules judge, not reasons for numpy to warn.
    with np.errstate(all="ignore"):
        reader = Reader(doc, path.parent, bin_chunk, asset, bin_truncated)
        reader.read()
        gltf_checks.check(doc, reader, data if binary else None)
    return asset


def _split_glb(data: bytes, asset: Asset) -> tuple[bytes, memoryview | None, bool]:
    """The JSON chunk and BIN chunk of a GLB container, and whether the BIN chunk was cut
    short: then it is kept as far as it goes (one issue says so), so that what lies before
    the cut still loads."""
    if len(data) < 12:
        raise LoadError(f"truncated GLB: {len(data)} bytes, shorter than the 12-byte header")
    magic, version, length = struct.unpack_from("<4sII", data)
    if magic != GLB_MAGIC:
        raise LoadError("not a GLB file: the 'glTF' magic is missing")
    if version == 1:
        raise LoadError("GLB version 1 (glTF 1.0) is not supported; re-export as glTF 2.0")
    if version != 2:
        raise LoadError(f"unsupported GLB version {version}")
    view = memoryview(data)
    if length < len(data):
        asset.issue(
            "L007",
            f"GLB: {len(data) - length} bytes after the end the GLB header declares",
            "warning",
            subject="GLB_EXTRA_DATA",
        )
        view = view[:length]
    if length < 20:
        raise LoadError(f"malformed GLB: the header declares a length of {length} bytes")
    end = len(view)
    if end < 20:
        raise LoadError("truncated GLB: no JSON chunk after the header")
    json_length, json_type = struct.unpack_from("<II", view, 12)
    if json_type != CHUNK_JSON:
        raise LoadError("malformed GLB: the first chunk is not the JSON chunk")
    if 20 + json_length > end:
        raise LoadError(
            f"truncated GLB: the JSON chunk needs {json_length} bytes, {end - 20} remain"
        )
    json_bytes = bytes(view[20 : 20 + json_length])
    offset = 20 + json_length
    bin_chunk: memoryview | None = None
    truncated = False
    while offset + 8 <= end:
        chunk_length, chunk_type = struct.unpack_from("<II", view, offset)
        start = offset + 8
        if chunk_type == CHUNK_BIN:
            if bin_chunk is not None:
                asset.issue(
                    "L007",
                    "GLB: more than one BIN chunk; only the first is read",
                    "error",
                    subject="GLB_DUPLICATE_CHUNK",
                )
            else:
                if start + chunk_length > end:
                    asset.issue(
                        "L005",
                        f"truncated GLB: the BIN chunk needs {chunk_length} bytes, "
                        f"{end - start} remain",
                        severity="error",
                    )
                    truncated = True
                bin_chunk = view[start : min(start + chunk_length, end)]
        elif chunk_type == CHUNK_JSON:
            asset.issue(
                "L007",
                "GLB: a second JSON chunk; it is ignored",
                "error",
                subject="GLB_DUPLICATE_CHUNK",
            )
        offset = start + chunk_length
    if length > len(data) and not truncated:
        asset.issue(
            "L005",
            f"truncated GLB: the header declares {length} bytes, the file has {len(data)}",
            severity="error",
        )
    return json_bytes, bin_chunk, truncated


def _json_number(text: str) -> float | int:
    """A JSON number with a fraction or exponent; an integral value (``1.0``) is an int, as
    JSON has one number type and glTF's integer properties accept it (the Khronos
    validator does too). Beyond 2**53 a float holds no exact integer: it stays a float."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= 2**53 else value


def _parse_json(raw: bytes, asset: Asset) -> dict[str, Any]:
    if raw.startswith(b"\xef\xbb\xbf"):
        asset.issue(
            "L007",
            "(root): the JSON starts with a byte-order mark, which glTF forbids",
            "error",
            subject="INVALID_JSON",
        )
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"invalid JSON: not UTF-8 (byte {exc.start})") from None
    try:
        doc = json.loads(text.rstrip(" \t\r\n\x00"), parse_float=_json_number)
    except json.JSONDecodeError as exc:
        raise LoadError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply") from None
    except ValueError:  # Python's guard on integer literals (4300 digits by default)
        raise LoadError("invalid JSON: an integer too long to read") from None
    if not isinstance(doc, dict):
        raise LoadError(f"not a glTF document: the JSON top level is a {type(doc).__name__}")
    meta = doc.get("asset")
    if not isinstance(meta, dict):
        asset.issue("L005", "no 'asset' object (glTF requires one with the version)")
        meta = {}
    version = meta.get("version")
    if isinstance(version, str):
        major = version.split(".")[0]
        if major == "1":
            raise LoadError("glTF 1.0 is not supported; re-export as glTF 2.0")
        if major != "2":
            raise LoadError(f"unsupported glTF version {version!r}")
    elif version is not None:
        asset.issue("L005", f"asset.version is {version!r}, not a string")
    generator = meta.get("generator")
    asset.authored = Authored(
        meters_per_unit=1.0,
        up_axis="+Y",
        front_axis="+Z",
        handedness="right",
        generator=generator if isinstance(generator, str) else None,
        format_version=version if isinstance(version, str) else None,
    )
    return doc


# --- small checked readers of JSON values -------------------------------------------


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Skip("L005", f"{what} is {value!r}, not an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise Skip("L005", f"{what} is {value!r}, not an integer")
        value = int(value)
    if value < minimum:
        raise Skip("L005", f"{what} is {value}, less than {minimum}")
    return value


def _index(value: Any, length: int, what: str) -> int:
    index = _int(value, what)
    if index >= length:
        raise Skip("L005", f"{what} is {index}, but there are only {length}")
    return index


def _numbers(value: Any, count: int, what: str) -> np.ndarray:
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise Skip("L005", f"{what} is not a list of {count} numbers")
    try:
        out = np.array(value, dtype=np.float64)
    except OverflowError:  # an integer beyond float64
        out = np.full(count, np.inf)
    if not np.isfinite(out).all():
        raise Skip("L005", f"{what} holds NaN or infinite values")
    return out


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Skip("L005", f"{what} is {value!r}, not a number")
    return float(value)


def _key(value: Any) -> Any:
    """A JSON value fit to look up in a table of ints or strings (lists and dicts are not
    hashable); anything else becomes None, which no table holds."""
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(obj: dict[str, Any], fallback: str) -> str:
    name = obj.get("name")
    return name if isinstance(name, str) and name else fallback


@dataclass
class _Block:
    """Vertex data shared by the primitives that use the same attribute accessors."""

    positions: np.ndarray
    normals: np.ndarray | None = None
    uvs: dict[int, np.ndarray] = field(default_factory=dict)
    colors: np.ndarray | None = None
    influences: int = 0
    joints: dict[int, np.ndarray] = field(default_factory=dict)  # JOINTS_n set -> (n, 4)
    weights: dict[int, np.ndarray] = field(default_factory=dict)  # WEIGHTS_n set -> (n, 4)

    @property
    def count(self) -> int:
        return len(self.positions)


@dataclass
class _Part:
    block: int
    triangles: np.ndarray  # int64 (m, 3), indices local to the block
    material: int


class Reader:
    """Reads one glTF document into its Asset, each buffer and accessor once, on demand.
    What it tried to read stays visible (:attr:`buffers_read`, :attr:`accessors_read`) so
    that the specification checks (:mod:`assetlint.loaders.gltf_checks`) report only what
    the reader did not already report."""

    def __init__(
        self,
        doc: dict[str, Any],
        base_dir: Path,
        bin_chunk: memoryview | None,
        asset: Asset,
        bin_truncated: bool = False,
    ):
        self.doc = doc
        self.base_dir = base_dir
        self.bin_chunk = bin_chunk
        self.bin_truncated = bin_truncated  # already reported: not again as a byteLength
        self.asset = asset
        self._arrays: dict[str, list[dict[str, Any]]] = {}
        self._buffers: dict[int, memoryview | Skip] = {}
        self._views: dict[int, tuple[memoryview, int | None]] = {}
        self._accessors: dict[int, Accessor | Skip] = {}
        # buffer index -> names of meshes and images it took down
        self._lost: dict[int, dict[str, list[str]]] = {}
        # mesh index -> its JOINTS_n/WEIGHTS_n, for placing skinned instances
        self._skin_weights: dict[int, SkinWeights | None] = {}

    @property
    def buffers_read(self) -> Mapping[int, memoryview | Skip]:
        """Buffer index -> its bytes, or why it could not be read, for each buffer tried."""
        return MappingProxyType(self._buffers)

    @property
    def accessors_read(self) -> Mapping[int, Accessor | Skip]:
        """Accessor index -> its data, or why it could not be read, for each accessor tried."""
        return MappingProxyType(self._accessors)

    def read(self) -> None:
        self._check_required_extensions()
        self.asset.textures = self._images()
        texture_images = self._texture_images()
        self.asset.materials = [
            self._material(i, m, texture_images) for i, m in enumerate(self.array("materials"))
        ]
        self.asset.meshes = [self._mesh(i, m) for i, m in enumerate(self.array("meshes"))]
        self._nodes()
        self._check_unread_buffers()
        self._report_lost_buffers()

    # --- document structure ----------------------------------------------------------

    def array(self, key: str) -> list[dict[str, Any]]:
        """A top-level array of objects; anything else is reported once and read as empty."""
        if key not in self._arrays:
            value = self.doc.get(key, [])
            if not isinstance(value, list):
                self.asset.issue("L005", f"'{key}' is not an array; ignored")
                value = []
            bad = sum(1 for v in value if not isinstance(v, dict))
            if bad:
                self.asset.issue("L005", f"{bad} entries of '{key}' are not objects; read as empty")
            self._arrays[key] = [v if isinstance(v, dict) else {} for v in value]
        return self._arrays[key]

    def _check_required_extensions(self) -> None:
        required = self.doc.get("extensionsRequired", [])
        if not isinstance(required, list):
            return
        unsupported = sorted({e for e in required if isinstance(e, str)} - SUPPORTED_EXTENSIONS)
        if unsupported:
            self.asset.issue(
                "L004",
                f"required extensions not supported, their content is ignored: "
                f"{', '.join(unsupported)}",
            )

    # --- buffers, views, accessors ----------------------------------------------------

    def buffer(self, index: Any) -> memoryview:
        buffers = self.array("buffers")
        i = _index(index, len(buffers), "buffer index")
        if i not in self._buffers:
            try:
                self._buffers[i] = self._load_buffer(i, buffers[i])
            except Skip as exc:
                self._buffers[i] = exc
        cached = self._buffers[i]
        if isinstance(cached, Skip):
            raise Skip(cached.code, cached.message, buffer=i)
        return cached

    def _load_buffer(self, i: int, buf: dict[str, Any]) -> memoryview:
        uri = buf.get("uri")
        if uri is None:
            if i == 0 and self.bin_chunk is not None:
                data: bytes | memoryview = self.bin_chunk
            else:
                raise Skip("L005", f"buffer {i} has no uri and no GLB BIN chunk")
        elif not isinstance(uri, str):
            raise Skip("L005", f"buffer {i} uri is {uri!r}, not a string")
        else:
            try:
                if uri.startswith("data:"):
                    data = decode_data_uri(uri)[1]
                else:
                    data = resolve_reference(self.base_dir, uri).read_bytes()
            except RefusedReference as exc:
                raise Skip(exc.code, f"buffer {exc}") from None
            except OSError as exc:
                raise Skip("L002", f"buffer {uri!r}: {exc.strerror or exc}") from None
        declared = buf.get("byteLength")
        cut = data is self.bin_chunk and self.bin_truncated
        if isinstance(declared, int) and len(data) < declared and not cut:
            self.asset.issue(
                "L007",
                f"buffers[{i}]: holds {len(data)} bytes, fewer than the {declared} it declares",
                severity="error",
                subject="BUFFER_BYTE_LENGTH_MISMATCH",
            )
        return memoryview(data)

    def view(self, index: Any) -> tuple[memoryview, int | None]:
        """A bufferView's bytes (decompressed if meshopt-compressed) and its byteStride."""
        views = self.array("bufferViews")
        i = _index(index, len(views), "bufferView index")
        if i in self._views:
            return self._views[i]
        bv = views[i]
        exts = _dict(bv.get("extensions"))
        meshopt_ext = exts.get("EXT_meshopt_compression") or exts.get("KHR_meshopt_compression")
        stride = bv.get("byteStride")
        stride = None if stride is None else _int(stride, f"bufferView {i} byteStride", 1)
        if isinstance(meshopt_ext, dict):
            data = self._meshopt(i, meshopt_ext)
        else:
            buf = self.buffer(bv.get("buffer"))
            offset = _int(bv.get("byteOffset", 0), f"bufferView {i} byteOffset")
            length = _int(bv.get("byteLength"), f"bufferView {i} byteLength")
            if offset + length > len(buf):
                raise Skip(
                    "L005",
                    f"bufferView {i} spans bytes {offset}..{offset + length} "
                    f"but its buffer holds {len(buf)}",
                )
            data = buf[offset : offset + length]
        self._views[i] = (data, stride)
        return self._views[i]

    def _meshopt(self, i: int, ext: dict[str, Any]) -> memoryview:
        import meshopt

        what = f"bufferView {i} meshopt"
        buf = self.buffer(ext.get("buffer"))
        offset = _int(ext.get("byteOffset", 0), f"{what} byteOffset")
        length = _int(ext.get("byteLength"), f"{what} byteLength")
        count = _int(ext.get("count"), f"{what} count", 1)
        stride = _int(ext.get("byteStride"), f"{what} byteStride", 1)
        mode = ext.get("mode")
        filt = ext.get("filter", "NONE")
        if offset + length > len(buf):
            raise Skip("L005", f"{what} data spans {offset}..{offset + length}, past its buffer")
        size = count * stride
        if size > min(_MAX_DECODED_BYTES, max(2**20, length * _MAX_EXPANSION)):
            raise Skip("L005", f"{what} claims {size} bytes from {length} compressed")
        try:
            decoded = meshopt.decode_gltf_buffer(
                buf[offset : offset + length], count, stride, mode, filt
            )
        except (ValueError, RuntimeError, TypeError) as exc:
            raise Skip("L003", f"{what} data not decoded: {exc}") from None
        return memoryview(np.ascontiguousarray(decoded).reshape(-1).view(np.uint8))

    def accessor(self, index: Any) -> Accessor:
        accessors = self.array("accessors")
        i = _index(index, len(accessors), "accessor index")
        if i not in self._accessors:
            try:
                self._accessors[i] = self._read_accessor(i, accessors[i])
            except Skip as exc:
                self._accessors[i] = exc
        cached = self._accessors[i]
        if isinstance(cached, Skip):
            raise Skip(cached.code, cached.message, cached.buffer)
        return cached

    def _read_accessor(self, i: int, acc: dict[str, Any]) -> Accessor:
        what = f"accessor {i}"
        ctype = _key(acc.get("componentType"))
        if ctype not in DTYPES:
            raise Skip("L005", f"{what} componentType {ctype!r} is not a glTF component type")
        dtype = DTYPES[ctype]
        ncomp = COMPONENTS.get(_key(acc.get("type")))
        if ncomp is None:
            raise Skip("L005", f"{what} type {acc.get('type')!r} is not a glTF accessor type")
        count = _int(acc.get("count"), f"{what} count")
        element = dtype.itemsize * ncomp
        if acc.get("bufferView") is None:
            if count * element > _MAX_SYNTHETIC_BYTES:
                raise Skip("L005", f"{what} claims {count} elements and has no data")
            values = np.zeros((count, ncomp), dtype)
        else:
            data, stride = self.view(acc["bufferView"])
            offset = _int(acc.get("byteOffset", 0), f"{what} byteOffset")
            values = _strided(data, offset, count, ncomp, dtype, stride, what)
        sparse = acc.get("sparse")
        if sparse is not None:
            self._apply_sparse(what, _dict(sparse), values, ncomp, dtype)
        return Accessor(values, ctype, bool(acc.get("normalized", False)))

    def _apply_sparse(
        self, what: str, sparse: dict[str, Any], values: np.ndarray, ncomp: int, dtype: np.dtype
    ) -> None:
        count = _int(sparse.get("count"), f"{what} sparse count", 1)
        if count > len(values):
            raise Skip("L005", f"{what} sparse count {count} exceeds the accessor count")
        ind = _dict(sparse.get("indices"))
        ind_type = _key(ind.get("componentType"))
        if ind_type not in _INDEX_TYPES:
            raise Skip("L005", f"{what} sparse indices componentType {ind_type!r} is invalid")
        data, _ = self.view(ind.get("bufferView"))
        offset = _int(ind.get("byteOffset", 0), f"{what} sparse indices byteOffset")
        rows = _strided(data, offset, count, 1, DTYPES[ind_type], None, f"{what} sparse indices")
        rows = rows.reshape(-1).astype(np.int64)
        vals = _dict(sparse.get("values"))
        data, _ = self.view(vals.get("bufferView"))
        offset = _int(vals.get("byteOffset", 0), f"{what} sparse values byteOffset")
        new = _strided(data, offset, count, ncomp, dtype, None, f"{what} sparse values")
        inside = rows < len(values)
        if not inside.all():
            self.asset.issue(
                "L005",
                f"{what}: {int((~inside).sum())} sparse indices are past its {len(values)} "
                f"elements; those values are ignored",
            )
        values[rows[inside]] = new[inside]

    def floats(self, index: Any, widths: tuple[int, ...], what: str) -> np.ndarray:
        acc = self.accessor(index)
        if acc.values.shape[1] not in widths:
            raise Skip("L005", f"{what} has {acc.values.shape[1]} components per element")
        return acc.floats()

    def indices(self, index: Any) -> np.ndarray:
        acc = self.accessor(index)
        if acc.values.shape[1] != 1 or acc.component_type not in _INDEX_TYPES:
            raise Skip("L005", "the indices accessor is not unsigned-integer scalars")
        return acc.values.reshape(-1).astype(np.int64)

    # --- meshes -----------------------------------------------------------------------

    def _mesh(self, index: int, mesh: dict[str, Any]) -> Mesh:
        name = _name(mesh, f"mesh{index}")
        primitives = mesh.get("primitives")
        if not isinstance(primitives, list):
            self.asset.issue("L005", f"mesh {name!r} has no primitives array", subject=name)
            primitives = []
        blocks: list[_Block] = []
        block_keys: dict[tuple, int] = {}
        parts: list[_Part] = []
        other: dict[str, int] = {}
        for p, prim in enumerate(primitives):
            try:
                self._primitive(_dict(prim), name, blocks, block_keys, parts, other)
            except Skip as exc:
                if exc.buffer is not None:
                    self._lose(exc.buffer, "meshes", name)
                else:
                    self.asset.issue(
                        exc.code,
                        f"mesh {name!r} primitive {p} not read: {exc.message}",
                        severity="error",
                        subject=name,
                    )
        self._skin_weights[index] = _skin_weights(blocks)
        return self._assemble(name, blocks, parts, other)

    def _primitive(
        self,
        prim: dict[str, Any],
        name: str,
        blocks: list[_Block],
        block_keys: dict[tuple, int],
        parts: list[_Part],
        other: dict[str, int],
    ) -> None:
        """Read one primitive into the mesh being built: triangles into ``parts`` (vertex
        data into ``blocks``, shared by primitives using the same accessors), points and
        lines counted in ``other``."""
        mode = _int(prim.get("mode", 4), "mode")
        if mode > 6:
            raise Skip("L005", f"mode {mode} is not a glTF primitive mode")
        material = self._material_index(prim.get("material"), name)
        draco = _dict(prim.get("extensions")).get("KHR_draco_mesh_compression")
        if isinstance(draco, dict):
            block, faces = self._draco(prim, draco, name)
            if faces is None or mode not in _TRIANGLE_MODES:
                other["points"] = other.get("points", 0) + block.count
                return
            blocks.append(block)
            parts.append(_Part(len(blocks) - 1, _triangulate(4, faces), material))
            return
        attributes = _dict(prim.get("attributes"))
        if "POSITION" not in attributes:
            return  # nothing to draw, nothing lost (L007 MESH_PRIMITIVE_NO_POSITION says so)
        idx = None if prim.get("indices") is None else self.indices(prim["indices"])
        if mode not in _TRIANGLE_MODES:
            n = len(self.accessor(attributes["POSITION"]).values) if idx is None else len(idx)
            kind = _MODE_NAMES[mode]
            other[kind] = other.get(kind, 0) + _element_count(mode, n)
            return
        key = tuple(sorted((k, repr(v)) for k, v in attributes.items()))
        if key not in block_keys:
            blocks.append(self._vertex_block(attributes, name))
            block_keys[key] = len(blocks) - 1
        block = blocks[block_keys[key]]
        if idx is None:
            idx = np.arange(block.count, dtype=np.int64)
        if mode == 4 and len(idx) % 3:
            self.asset.issue(
                "L005",
                f"mesh {name!r}: {len(idx)} triangle indices is not a multiple of 3; "
                f"the last {len(idx) % 3} are ignored",
                subject=name,
            )
        parts.append(_Part(block_keys[key], _triangulate(mode, idx), material))

    def _material_index(self, value: Any, name: str) -> int:
        if value is None:
            return -1
        try:
            return _index(value, len(self.array("materials")), "material index")
        except Skip as exc:
            self.asset.issue("L005", f"mesh {name!r}: {exc.message}", subject=name)
            return -1

    def _vertex_block(self, attributes: dict[str, Any], name: str) -> _Block:
        positions = self.floats(attributes["POSITION"], (3,), "POSITION")
        block = _Block(positions)
        weights_nonzero: np.ndarray | None = None
        for attr, acc_index in sorted(attributes.items()):
            if attr == "POSITION" or attr.startswith(("TANGENT", "_")):
                continue
            try:
                if attr == "NORMAL":
                    values = self.floats(acc_index, (3,), attr)
                elif attr.startswith("TEXCOORD_") and attr[9:].isdecimal():
                    values = self.floats(acc_index, (2,), attr)
                elif attr == "COLOR_0":
                    values = self.floats(acc_index, (3, 4), attr)
                    if values.shape[1] == 3:
                        values = np.column_stack([values, np.ones(len(values), np.float32)])
                elif attr.startswith(("WEIGHTS_", "JOINTS_")) and _set_number(attr).isdecimal():
                    values = self.floats(acc_index, (4,), attr)
                else:
                    continue
                if len(values) != block.count:
                    raise Skip("L005", f"{attr} has {len(values)} elements, POSITION {block.count}")
            except Skip as exc:
                if exc.buffer is not None:
                    self._lose(exc.buffer, "meshes", name)
                else:
                    self.asset.issue(
                        exc.code, f"mesh {name!r}: {attr} not read: {exc.message}", subject=name
                    )
                continue
            if attr == "NORMAL":
                block.normals = values
            elif attr == "COLOR_0":
                block.colors = values
            elif attr.startswith("WEIGHTS_"):
                block.weights[int(_set_number(attr))] = values
                nonzero = (values != 0).sum(axis=1)
                weights_nonzero = nonzero if weights_nonzero is None else weights_nonzero + nonzero
            elif attr.startswith("JOINTS_"):
                block.joints[int(_set_number(attr))] = values
            else:
                block.uvs[int(attr[9:])] = values
        if weights_nonzero is not None and len(weights_nonzero):
            block.influences = int(weights_nonzero.max())
        return block

    def _draco(
        self, prim: dict[str, Any], ext: dict[str, Any], name: str
    ) -> tuple[_Block, np.ndarray | None]:
        """Decode a KHR_draco_mesh_compression primitive: its vertex block and triangle
        indices (None for a point cloud)."""
        import DracoPy

        data, _ = self.view(ext.get("bufferView"))
        try:
            decoded = DracoPy.decode(bytes(data))
        except Exception as exc:  # noqa: BLE001 - the codec documents no exception set
            raise Skip("L003", f"Draco geometry not decoded: {exc}") from None
        ids = _dict(ext.get("attributes"))
        accessors = _dict(prim.get("attributes"))

        def attribute(attr: str, widths: tuple[int, ...]) -> np.ndarray | None:
            uid = ids[attr]
            found = None
            if isinstance(uid, int) and not isinstance(uid, bool):
                found = decoded.get_attribute_by_unique_id(uid)
            if found is None:
                self.asset.issue(
                    "L003", f"mesh {name!r}: Draco data has no {attr} attribute", subject=name
                )
                return None
            values = np.asarray(found["data"])
            values = values.reshape(len(values), -1)
            if values.shape[1] not in widths:
                return None
            # Integer data is what the accessor describes (e.g. normalized UNSIGNED_SHORT).
            acc_index, specs = accessors.get(attr), self.array("accessors")
            valid = isinstance(acc_index, int) and 0 <= acc_index < len(specs)
            spec = specs[acc_index] if valid else {}
            ctype = _key(spec.get("componentType"))
            if values.dtype.kind in "iu" and ctype in NORMALIZED_DIVISOR:
                return to_float(values, ctype, bool(spec.get("normalized")))
            return values.astype(np.float32)

        positions = attribute("POSITION", (3,)) if "POSITION" in ids else None
        if positions is None:
            positions = np.asarray(decoded.points, dtype=np.float32).reshape(-1, 3)
        block = _Block(positions)
        faces = getattr(decoded, "faces", None)
        if faces is None:
            return block, None
        for attr in ids:
            if attr == "NORMAL":
                values = attribute(attr, (3,))
            elif attr == "COLOR_0":
                values = attribute(attr, (3, 4))
            elif attr.startswith("TEXCOORD_") and attr[9:].isdecimal():
                values = attribute(attr, (2,))
            else:
                continue
            if values is None or len(values) != block.count:
                continue
            if attr == "NORMAL":
                block.normals = values
            elif attr == "COLOR_0":
                if values.shape[1] == 3:
                    values = np.column_stack([values, np.ones(len(values), np.float32)])
                block.colors = values
            else:
                block.uvs[int(attr[9:])] = values
        return block, np.asarray(faces, dtype=np.int64).reshape(-1)

    def _assemble(
        self, name: str, blocks: list[_Block], parts: list[_Part], other: dict[str, int]
    ) -> Mesh:
        """One Mesh from a glTF mesh's primitives: vertex blocks concatenated, triangles
        offset into them. An index outside its own block stays outside the whole mesh."""
        counts = np.array([b.count for b in blocks], dtype=np.int64)
        bases = np.concatenate([[0], np.cumsum(counts)])
        total = int(bases[-1])
        tri_list = []
        for part in parts:
            local = part.triangles
            n, base = int(counts[part.block]), int(bases[part.block])
            tri = local + base if base else local
            if len(local) and (local.min() < 0 or local.max() >= n or total > _INT32_MAX):
                tri = tri.copy() if tri is local else tri
                outside = local >= n
                tri[outside] = local[outside] - n + total
                tri[(local < 0) | (tri > _INT32_MAX)] = -1
            tri_list.append(tri)
        # each part's triangles are its own array (the indices were copied), so one part
        # is kept as it is; vertex attributes are joined always, since a float accessor
        # shared by two meshes arrives as one array
        if len(tri_list) == 1:
            triangles = tri_list[0]
        else:
            triangles = np.concatenate(tri_list) if tri_list else np.zeros((0, 3), np.int64)
        material_indices = (
            np.concatenate([np.full(len(p.triangles), p.material, np.int32) for p in parts])
            if parts
            else np.zeros(0, np.int32)
        )
        positions = np.concatenate([b.positions for b in blocks]) if blocks else np.zeros((0, 3))
        normals = None
        with_normals = sum(b.normals is not None for b in blocks)
        if blocks and with_normals == len(blocks):
            normals = np.concatenate([b.normals for b in blocks])  # type: ignore[misc]
        elif with_normals:
            self.asset.issue(
                "L004",
                f"mesh {name!r}: only some primitives have NORMAL; normals not kept",
                severity="info",
                subject=name,
            )
        uv_sets = sorted({s for b in blocks for s in b.uvs})
        # indices are kept (a material's texCoord 1 means set 1, even without set 0), gaps
        # filled with NaN; an absurd index (TEXCOORD_99999...) would mean that many sets
        absurd = [s for s in uv_sets if s >= _MAX_UV_SETS]
        if absurd:
            self.asset.issue(
                "L005",
                f"mesh {name!r}: TEXCOORD_{absurd[0]} not read: UV set indices above "
                f"{_MAX_UV_SETS - 1} are not supported",
                subject=name,
            )
        uvs = []
        if len(absurd) < len(uv_sets):
            for s in range(uv_sets[len(uv_sets) - len(absurd) - 1] + 1):
                uvs.append(
                    np.concatenate(
                        [b.uvs.get(s, np.full((b.count, 2), np.nan, np.float32)) for b in blocks]
                    )
                )
        colors = None
        if any(b.colors is not None for b in blocks):
            colors = np.concatenate(
                [
                    b.colors if b.colors is not None else np.ones((b.count, 4), np.float32)
                    for b in blocks
                ]
            )
        return Mesh(
            name=name,
            positions=positions,
            triangles=triangles,
            normals=normals,
            uvs=uvs,
            uv_names=[f"TEXCOORD_{s}" for s in range(len(uvs))],
            colors=colors,
            material_indices=material_indices,
            polygon_count=len(triangles),
            other_primitives=other,
            max_influences=max((b.influences for b in blocks), default=0),
        )

    def _lose(self, buffer: int, kind: str, name: str) -> None:
        names = self._lost.setdefault(buffer, {}).setdefault(kind, [])
        if name not in names:
            names.append(name)

    def _check_unread_buffers(self) -> None:
        """Report buffers nothing read whose uri cannot be opened either: a missing file is
        worth knowing even when no mesh needs it. Files are only looked up, not read; a
        buffer without uri is a legal placeholder until something reads it."""
        for i, buf in enumerate(self.array("buffers")):
            if i in self._buffers:
                continue
            uri = buf.get("uri")
            try:
                if isinstance(uri, str) and uri.startswith("data:"):
                    decode_data_uri(uri)
                elif isinstance(uri, str):
                    resolve_reference(self.base_dir, uri)
            except RefusedReference as exc:
                self._buffers[i] = Skip(exc.code, f"buffer {exc}")
            except Skip as exc:
                self._buffers[i] = exc

    def _report_lost_buffers(self) -> None:
        for buffer, cached in sorted(self._buffers.items()):
            if not isinstance(cached, Skip):
                continue
            lost = self._lost.get(buffer, {})
            detail = "; ".join(f"{kind} not read: {', '.join(v)}" for kind, v in lost.items())
            uri = self.array("buffers")[buffer].get("uri")
            # a buffer without uri outside a GLB is a placeholder the specification allows
            placeholder = uri is None and self.bin_chunk is None and self.asset.format == "gltf"
            self.asset.issue(
                cached.code,
                cached.message + (f"; {detail}" if detail else ""),
                severity="info" if placeholder else "error" if lost else "warning",
                subject=uri if isinstance(uri, str) and not uri.startswith("data:") else None,
            )

    # --- nodes ------------------------------------------------------------------------

    def _nodes(self) -> None:
        nodes = self.array("nodes")
        children = [self._children(i, n, len(nodes)) for i, n in enumerate(nodes)]
        _check_acyclic(children)
        has_parent = np.zeros(len(nodes), dtype=bool)
        for kids in children:
            has_parent[kids] = True
        roots = self._scene_roots(len(nodes), has_parent)
        skins = self.array("skins")
        visited = np.zeros(len(nodes), dtype=bool)
        bones = [0] * len(self.asset.meshes)
        placed_as: dict[int, int] = {}  # glTF node -> Asset node
        skinned: list[tuple[int, int]] = []  # (Asset node, skin index)
        stack: list[tuple[int, int | None]] = [(r, None) for r in reversed(roots)]
        while stack:
            gi, parent = stack.pop()
            if visited[gi]:
                self.asset.issue(
                    "L005", f"node {gi} is reached twice in the scene; drawn once", subject=None
                )
                continue
            visited[gi] = True
            node = nodes[gi]
            name = _name(node, f"node{gi}")
            local = self._local_matrix(node, name)
            world = local if parent is None else self.asset.nodes[parent].world @ local
            mesh = None
            if node.get("mesh") is not None:
                try:
                    mesh = _index(node["mesh"], len(self.asset.meshes), "mesh index")
                except Skip as exc:
                    self.asset.issue("L005", f"node {name!r}: {exc.message}", subject=name)
            here = len(self.asset.nodes)
            placed_as[gi] = here
            if mesh is not None and node.get("skin") is not None:
                try:
                    skin = _index(node["skin"], len(skins), "skin index")
                    joints = skins[skin].get("joints")
                    bones[mesh] = max(bones[mesh], len(joints) if isinstance(joints, list) else 0)
                    skinned.append((here, skin))
                except Skip as exc:
                    self.asset.issue("L005", f"node {name!r}: {exc.message}", subject=name)
            self.asset.nodes.append(Node(name, local, world, parent=parent, mesh=mesh))
            if parent is not None:
                self.asset.nodes[parent].children.append(here)
            stack.extend((c, here) for c in reversed(children[gi]))
        for mesh, count in zip(self.asset.meshes, bones, strict=True):
            mesh.bone_count = count
        for here, skin in skinned:
            self._place_skinned(here, _dict(skins[skin]), placed_as)
        used = {m for m, _ in self.asset.instances()}
        unused = [m.name for i, m in enumerate(self.asset.meshes) if i not in used]
        if unused:
            self.asset.issue(
                "L004",
                f"meshes not drawn by any node of the scene: {', '.join(unused)}",
                severity="info",
            )

    def _place_skinned(self, here: int, skin: dict[str, Any], placed_as: dict[int, int]) -> None:
        """Place a skinned mesh instance by its joints (glTF 2.0, "Skins": only the joint
        transforms apply; the skinned node's own transform is ignored). A skin that cannot
        be evaluated leaves the node's transform, with a load issue saying why (joints
        missing from the scene are already reported by the conformance checks)."""
        node = self.asset.nodes[here]
        weights = self._skin_weights.get(node.mesh)  # type: ignore[arg-type]
        joints = skin.get("joints")
        if weights is None or not isinstance(joints, list) or not joints:
            return
        try:
            joint_nodes = [_index(j, len(self.array("nodes")), "skin joint") for j in joints]
            if any(gi not in placed_as for gi in joint_nodes):
                return  # the conformance checks report joints missing from the scene
            worlds = [self.asset.nodes[placed_as[gi]].world for gi in joint_nodes]
            inverse_binds = np.broadcast_to(np.eye(4), (len(joints), 4, 4))
            if skin.get("inverseBindMatrices") is not None:
                values = self.floats(skin["inverseBindMatrices"], (16,), "inverseBindMatrices")
                if len(values) < len(joints):
                    raise Skip(
                        "L005", f"{len(values)} inverse bind matrices for {len(joints)} joints"
                    )
                inverse_binds = values[: len(joints)].reshape(-1, 4, 4).transpose(0, 2, 1)
        except Skip as exc:
            self.asset.issue(
                exc.code,
                f"node {node.name!r}: skin not applied ({exc.message}); "
                "placed by its own transform",
                subject=node.name,
            )
            return
        place_skinned(self.asset, here, np.asarray(worlds) @ inverse_binds, weights)

    def _children(self, i: int, node: dict[str, Any], count: int) -> list[int]:
        kids = node.get("children", [])
        if not isinstance(kids, list):
            self.asset.issue("L005", f"node {i} children is not an array; ignored")
            return []
        out = []
        for kid in kids:
            try:
                out.append(_index(kid, count, f"node {i} child"))
            except Skip as exc:
                self.asset.issue("L005", f"{exc.message}; ignored")
        return out

    def _scene_roots(self, count: int, has_parent: np.ndarray) -> list[int]:
        """Root nodes of the default scene: `scene`, else scene 0, else every parentless node."""
        scenes = self.array("scenes")
        chosen = None
        if self.doc.get("scene") is not None:
            try:
                chosen = _index(self.doc["scene"], len(scenes), "scene index")
            except Skip as exc:
                self.asset.issue("L005", f"{exc.message}; the first scene is used instead")
        if chosen is None and scenes:
            chosen = 0
        if chosen is None:
            return [i for i in range(count) if not has_parent[i]]
        roots = scenes[chosen].get("nodes", [])
        if not isinstance(roots, list):
            self.asset.issue("L005", f"scene {chosen} nodes is not an array; empty scene")
            return []
        out = []
        for root in roots:
            try:
                out.append(_index(root, count, f"scene {chosen} node"))
            except Skip as exc:
                self.asset.issue("L005", f"{exc.message}; ignored")
        return out

    def _local_matrix(self, node: dict[str, Any], name: str) -> np.ndarray:
        try:
            if "matrix" in node:
                return _numbers(node["matrix"], 16, "matrix").reshape(4, 4).T.copy()
            t = _numbers(node.get("translation", [0, 0, 0]), 3, "translation")
            q = _numbers(node.get("rotation", [0, 0, 0, 1]), 4, "rotation")
            s = _numbers(node.get("scale", [1, 1, 1]), 3, "scale")
        except Skip as exc:
            self.asset.issue("L005", f"node {name!r}: {exc.message}; identity used", subject=name)
            return np.eye(4)
        norm = np.linalg.norm(q)
        if not np.isfinite(norm) or norm == 0:
            self.asset.issue(
                "L005", f"node {name!r}: rotation is not a unit quaternion; ignored", subject=name
            )
            q, norm = np.array([0.0, 0.0, 0.0, 1.0]), 1.0
        elif abs(norm - 1.0) > 1e-3:
            self.asset.issue(
                "L005",
                f"node {name!r}: rotation quaternion has length {norm:.4g}, not 1; normalized",
                subject=name,
            )
        matrix = np.eye(4)
        matrix[:3, :3] = _quaternion_matrix(q / norm) * s
        matrix[:3, 3] = t
        return matrix

    # --- materials and images ---------------------------------------------------------

    def _images(self) -> list[Texture]:
        return [self._image(i, img) for i, img in enumerate(self.array("images"))]

    def _image(self, i: int, img: dict[str, Any]) -> Texture:
        uri = img.get("uri") if isinstance(img.get("uri"), str) else None
        fallback = Path(uri).name if uri and not uri.startswith("data:") else f"image{i}"
        name = _name(img, fallback)
        try:
            if img.get("bufferView") is not None:
                data, _ = self.view(img["bufferView"])
                tex = Texture.from_bytes(name, "embedded", bytes(data))
            elif uri is not None and uri.startswith("data:"):
                mime, raw = decode_data_uri(uri)
                tex = Texture.from_bytes(name, "data-uri", raw)
                tex.mime_type = tex.mime_type or mime
            elif uri is not None:
                tex = Texture.from_file(name, resolve_reference(self.base_dir, uri), uri=uri)
            else:
                raise Skip("L005", "has neither a uri nor a bufferView")
        except RefusedReference as exc:
            self.asset.issue(exc.code, f"image {name!r}: {exc}", subject=name)
            return Texture.missing_texture(name, uri, str(exc))
        except Skip as exc:
            if exc.buffer is not None:
                self._lose(exc.buffer, "images", name)
            else:
                self.asset.issue(exc.code, f"image {name!r}: {exc.message}", subject=name)
            return Texture.missing_texture(name, uri, exc.message)
        if tex.mime_type is None and isinstance(img.get("mimeType"), str):
            tex.mime_type = img["mimeType"]
        if tex.error and not tex.missing:
            size = _ktx2_size(tex)
            if size is not None:
                tex.width, tex.height = size
                tex.mime_type = "image/ktx2"
                tex.error = "KTX2 (Basis Universal) image: size read, pixels not decoded"
                self.asset.issue("L003", f"image {name!r}: {tex.error}", "info", subject=name)
            else:
                self.asset.issue("L003", f"image {name!r}: {tex.error}", subject=name)
        return tex

    def _texture_images(self) -> list[int | None]:
        """For each glTF texture, the index of the image it shows (its own source, else the
        image of an extension such as EXT_texture_webp or KHR_texture_basisu)."""
        images = len(self.asset.textures)
        out: list[int | None] = []
        for i, tex in enumerate(self.array("textures")):
            candidates = [tex.get("source")] + [
                _dict(_dict(tex.get("extensions")).get(e)).get("source")
                for e in _IMAGE_SOURCE_EXTENSIONS
            ]
            found = None
            for c in candidates:
                if isinstance(c, int) and not isinstance(c, bool) and 0 <= c < images:
                    found = c
                    break
            if found is None and any(c is not None for c in candidates):
                self.asset.issue("L005", f"texture {i} names no existing image")
            out.append(found)
        return out

    def _material(self, i: int, m: dict[str, Any], texture_images: list[int | None]) -> Material:
        name = _name(m, f"material{i}")
        mat = Material(name=name)

        def value(getter: Any, raw: Any, what: str, default: Any) -> Any:
            if raw is None:
                return default
            try:
                return getter(raw, what)
            except Skip as exc:
                self.asset.issue("L005", f"material {name!r}: {exc.message}", subject=name)
                return default

        def vec(n: int) -> Any:
            return lambda raw, what: _numbers(raw, n, what).astype(np.float32)

        def slot(info: Any, role: str) -> None:
            if info is None:
                return
            info = _dict(info)
            try:
                tex = _index(info.get("index"), len(texture_images), f"{role} texture index")
                uv_set = _int(info.get("texCoord", 0), f"{role} texCoord")
            except Skip as exc:
                self.asset.issue("L005", f"material {name!r}: {exc.message}", subject=name)
                return
            if texture_images[tex] is not None:
                mat.textures[role] = TextureSlot(texture_images[tex], uv_set)

        pbr = _dict(m.get("pbrMetallicRoughness"))
        mat.base_color_factor = value(
            vec(4), pbr.get("baseColorFactor"), "baseColorFactor", mat.base_color_factor
        )
        mat.metallic_factor = value(_number, pbr.get("metallicFactor"), "metallicFactor", 1.0)
        mat.roughness_factor = value(_number, pbr.get("roughnessFactor"), "roughnessFactor", 1.0)
        mat.emissive_factor = value(
            vec(3), m.get("emissiveFactor"), "emissiveFactor", mat.emissive_factor
        )
        slot(pbr.get("baseColorTexture"), "base_color")
        slot(pbr.get("metallicRoughnessTexture"), "metallic_roughness")
        slot(m.get("normalTexture"), "normal")
        slot(m.get("occlusionTexture"), "occlusion")
        slot(m.get("emissiveTexture"), "emissive")
        alpha_mode = m.get("alphaMode", "OPAQUE")
        if alpha_mode in ("OPAQUE", "MASK", "BLEND"):
            mat.alpha_mode = alpha_mode
        else:
            self.asset.issue(
                "L005", f"material {name!r}: alphaMode {alpha_mode!r} read as OPAQUE", subject=name
            )
        mat.alpha_cutoff = value(_number, m.get("alphaCutoff"), "alphaCutoff", 0.5)
        mat.double_sided = m.get("doubleSided") is True
        exts = _dict(m.get("extensions"))
        spec_gloss = exts.get("KHR_materials_pbrSpecularGlossiness")
        if isinstance(spec_gloss, dict):
            mat.workflow = "spec-gloss"
            mat.base_color_factor = value(
                vec(4), spec_gloss.get("diffuseFactor"), "diffuseFactor", np.ones(4, np.float32)
            )
            mat.textures.pop("base_color", None)
            slot(spec_gloss.get("diffuseTexture"), "base_color")
        if "KHR_materials_unlit" in exts:
            mat.unlit = True
            mat.workflow = "unlit"
        return mat


# --- pure helpers ------------------------------------------------------------------------


def _set_number(attr: str) -> str:
    """The set number's text of an attribute such as WEIGHTS_1 or JOINTS_0 ("1", "0"); test
    it with ``isdecimal`` (``isdigit`` accepts "²", which int() refuses)."""
    return attr.split("_", 1)[1]


def _skin_weights(blocks: list[_Block]) -> SkinWeights | None:
    """The (vertex, joint, weight) triplets of a mesh's primitives, every JOINTS_n set
    paired with its WEIGHTS_n; None when no primitive has both."""
    vertex, joint, weight = [], [], []
    base = 0
    for block in blocks:
        for s in sorted(set(block.joints) & set(block.weights)):
            vertex.append(np.repeat(np.arange(base, base + block.count), 4))
            joint.append(block.joints[s].astype(np.int64).ravel())
            weight.append(block.weights[s].astype(np.float64).ravel())
        base += block.count
    if not vertex:
        return None
    return SkinWeights(np.concatenate(vertex), np.concatenate(joint), np.concatenate(weight))


def _strided(
    data: memoryview,
    offset: int,
    count: int,
    ncomp: int,
    dtype: np.dtype,
    stride: int | None,
    what: str,
) -> np.ndarray:
    """count elements of ncomp components from data at offset, stride bytes apart
    (tightly packed when None), bounds-checked, as a new contiguous array."""
    element = dtype.itemsize * ncomp
    stride = stride or element
    if stride < element:
        raise Skip("L005", f"{what}: byteStride {stride} is smaller than an element ({element})")
    if count == 0:
        return np.zeros((0, ncomp), dtype)
    needed = offset + (count - 1) * stride + element
    if needed > len(data):
        raise Skip(
            "L005",
            f"{what} needs {needed} bytes of its bufferView, which has {len(data)}",
        )
    view = np.ndarray(
        (count, ncomp), dtype=dtype, buffer=data, offset=offset, strides=(stride, dtype.itemsize)
    )
    return view.copy()


def _triangulate(mode: int, idx: np.ndarray) -> np.ndarray:
    """Triangles (m, 3) from a TRIANGLES, TRIANGLE_STRIP or TRIANGLE_FAN index list, with
    the winding glTF specifies for each."""
    if mode == 4:
        return idx[: len(idx) // 3 * 3].reshape(-1, 3).copy()
    k = len(idx) - 2
    if k <= 0:
        return np.zeros((0, 3), np.int64)
    if mode == 5:  # strip: p_i = (v_i, v_{i+1+i%2}, v_{i+2-i%2})
        odd = np.arange(k) % 2
        i = np.arange(k)
        return np.column_stack([idx[i], idx[i + 1 + odd], idx[i + 2 - odd]])
    # fan: p_i = (v_{i+1}, v_{i+2}, v_0)
    return np.column_stack([idx[1:-1], idx[2:], np.full(k, idx[0])])


def _element_count(mode: int, n: int) -> int:
    """Points or line segments drawn by a non-triangle primitive of n indices."""
    if mode == 0:
        return n
    if mode == 1:
        return n // 2
    if mode == 2:
        return n if n >= 2 else 0
    return max(n - 1, 0)


def _quaternion_matrix(q: np.ndarray) -> np.ndarray:
    x, y, z, w = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def _check_acyclic(children: list[list[int]]) -> None:
    """LoadError if the node graph has a cycle or is absurdly deep (iteratively: a deep
    file must not exhaust Python's stack)."""
    state = bytearray(len(children))  # 0 new, 1 on the current path, 2 done
    for start in range(len(children)):
        if state[start]:
            continue
        state[start] = 1
        stack: list[tuple[int, Iterator[int]]] = [(start, iter(children[start]))]
        while stack:
            node, kids = stack[-1]
            kid = next(kids, None)
            if kid is None:
                state[node] = 2
                stack.pop()
            elif state[kid] == 1:
                raise LoadError(f"cycle in the node hierarchy: node {kid} is its own ancestor")
            elif state[kid] == 0:
                state[kid] = 1
                stack.append((kid, iter(children[kid])))
                if len(stack) > _MAX_DEPTH:
                    raise LoadError(f"node hierarchy deeper than {_MAX_DEPTH} levels")


def _ktx2_size(tex: Texture) -> tuple[int, int] | None:
    """(width, height) from a KTX2 header, which PIL cannot read."""
    try:
        if tex.path is not None:
            with open(tex.path, "rb") as fh:
                head = fh.read(28)
        else:
            head = tex.data()[:28]
    except (LoadError, OSError):
        return None
    if not head.startswith(_KTX2_MAGIC) or len(head) < 28:
        return None
    width, height = struct.unpack_from("<II", head, 20)
    return width, height
