"""glTF/GLB files written in code for tests: a small builder over the JSON and one binary
buffer, so a test states exactly the accessors, views and nodes it needs (including
malformed ones) without depending on an exporter."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

COMPONENT_TYPES = {
    np.dtype(np.int8): 5120,
    np.dtype(np.uint8): 5121,
    np.dtype(np.int16): 5122,
    np.dtype(np.uint16): 5123,
    np.dtype(np.uint32): 5125,
    np.dtype(np.float32): 5126,
}
TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4", 16: "MAT4"}

# 1x1 red PNG, for image tests
RED_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


class GltfBuilder:
    """A glTF document and the single buffer its views point into."""

    def __init__(self, generator: str = "assetlint tests") -> None:
        self.doc: dict[str, Any] = {"asset": {"version": "2.0", "generator": generator}}
        self.blob = bytearray()

    def add(self, key: str, obj: dict[str, Any]) -> int:
        """Append an object to a top-level array; its index."""
        self.doc.setdefault(key, []).append(obj)
        return len(self.doc[key]) - 1

    def view(self, data: bytes | np.ndarray, *, stride: int | None = None) -> int:
        """A bufferView over new bytes at the end of the buffer (4-byte aligned)."""
        raw = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        view: dict[str, Any] = {"buffer": 0, "byteOffset": len(self.blob), "byteLength": len(raw)}
        if stride is not None:
            view["byteStride"] = stride
        self.blob.extend(raw)
        return self.add("bufferViews", view)

    def accessor(
        self,
        values: np.ndarray,
        *,
        normalized: bool = False,
        view: int | None = None,
        byte_offset: int = 0,
        **extra: Any,
    ) -> int:
        """An accessor over ``values`` (1-D: SCALAR, (n, k): VECk), in their dtype; float64
        is written as float32. ``view`` reuses an existing bufferView instead."""
        values = np.asarray(values)
        if values.dtype == np.float64:
            values = values.astype(np.float32)
        width = 1 if values.ndim == 1 else values.shape[1]
        acc: dict[str, Any] = {
            "bufferView": self.view(values) if view is None else view,
            "componentType": COMPONENT_TYPES[values.dtype],
            "count": len(values),
            "type": TYPES[width],
        }
        if byte_offset:
            acc["byteOffset"] = byte_offset
        if normalized:
            acc["normalized"] = True
        if len(values):
            flat = values.reshape(len(values), -1)
            acc["min"] = flat.min(axis=0).tolist()
            acc["max"] = flat.max(axis=0).tolist()
        acc.update(extra)
        return self.add("accessors", acc)

    def primitive(
        self,
        positions: np.ndarray,
        triangles: np.ndarray | None = None,
        *,
        mode: int | None = None,
        material: int | None = None,
        **attributes: np.ndarray,
    ) -> dict[str, Any]:
        """A primitive dict (not yet in a mesh); attributes by glTF name, e.g. NORMAL=..."""
        prim: dict[str, Any] = {"attributes": {"POSITION": self.accessor(positions)}}
        for name, values in attributes.items():
            prim["attributes"][name] = self.accessor(values)
        if triangles is not None:
            prim["indices"] = self.accessor(np.asarray(triangles, dtype=np.uint32).reshape(-1))
        if mode is not None:
            prim["mode"] = mode
        if material is not None:
            prim["material"] = material
        return prim

    def mesh(self, *primitives: dict[str, Any], name: str | None = None) -> int:
        mesh: dict[str, Any] = {"primitives": list(primitives)}
        if name:
            mesh["name"] = name
        return self.add("meshes", mesh)

    def node(self, **fields: Any) -> int:
        return self.add("nodes", fields)

    def scene(self, nodes: list[int]) -> int:
        index = self.add("scenes", {"nodes": nodes})
        self.doc.setdefault("scene", index)
        return index

    def json_bytes(self, buffer_uri: str | None) -> bytes:
        doc = dict(self.doc)
        if self.blob:
            buffer: dict[str, Any] = {"byteLength": len(self.blob)}
            if buffer_uri is not None:
                buffer["uri"] = buffer_uri
            doc["buffers"] = [buffer] + doc.get("buffers", [])[1:]
        return json.dumps(doc).encode()

    def glb(self) -> bytes:
        return glb_bytes(self.json_bytes(None), bytes(self.blob) if self.blob else None)

    def write(self, path: Path, *, binary: bool = True, external: bool = False) -> Path:
        """Write .glb (binary) or .gltf with the buffer as a data URI, or as a .bin beside
        it when ``external``."""
        path = Path(path)
        if binary:
            path.write_bytes(self.glb())
            return path
        if external:
            bin_path = path.with_suffix(".bin")
            bin_path.write_bytes(bytes(self.blob))
            uri = bin_path.name
        else:
            uri = "data:application/octet-stream;base64," + base64.b64encode(self.blob).decode()
        path.write_bytes(self.json_bytes(uri))
        return path


def glb_bytes(json_chunk: bytes, bin_chunk: bytes | None = None) -> bytes:
    """A GLB container: header, JSON chunk (space padded), optional BIN chunk."""
    json_chunk += b" " * (-len(json_chunk) % 4)
    out = struct.pack("<II", len(json_chunk), 0x4E4F534A) + json_chunk
    if bin_chunk is not None:
        bin_chunk += b"\0" * (-len(bin_chunk) % 4)
        out += struct.pack("<II", len(bin_chunk), 0x004E4942) + bin_chunk
    return struct.pack("<4sII", b"glTF", 2, 12 + len(out)) + out


def write_gltf(
    path: Path,
    positions: np.ndarray,
    triangles: np.ndarray,
    *,
    binary: bool = True,
    external: bool = False,
    normals: np.ndarray | None = None,
    uvs: np.ndarray | None = None,
    name: str = "mesh",
) -> Path:
    """A one-mesh, one-node file in metres, +Y up (glTF's only frame): positions (n, 3) and
    triangles (m, 3) as given. ``binary`` writes a .glb; else a .gltf whose buffer is a data
    URI, or a .bin beside it when ``external``."""
    b = GltfBuilder()
    attributes = {}
    if normals is not None:
        attributes["NORMAL"] = np.asarray(normals, dtype=np.float32)
    if uvs is not None:
        attributes["TEXCOORD_0"] = np.asarray(uvs, dtype=np.float32)
    mesh = b.mesh(b.primitive(positions, triangles, **attributes), name=name)
    b.scene([b.node(mesh=mesh, name=name)])
    return b.write(path, binary=binary, external=external)
