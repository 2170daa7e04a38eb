"""Binary glTF 2.0 (GLB) writer, with plain ``struct`` and ``json``.

glTF is already the canonical frame (metres, +Y up, front +Z, UV origin top-left), so
numbers are written as they are. A mesh becomes one glTF mesh whose primitives share the
vertex attributes and split the triangles by material (a primitive has one material).
Textures are embedded in the binary chunk.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from assetlint.model import Asset, Material
from assetlint.writers import finite_uvs, texture_bytes

ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
_COMPONENTS = {np.dtype(np.float32): 5126, np.dtype(np.uint32): 5125, np.dtype(np.uint16): 5123}
_TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4"}
_ROLE_KEYS = {
    "base_color": ("pbrMetallicRoughness", "baseColorTexture"),
    "metallic_roughness": ("pbrMetallicRoughness", "metallicRoughnessTexture"),
    "normal": (None, "normalTexture"),
    "occlusion": (None, "occlusionTexture"),
    "emissive": (None, "emissiveTexture"),
}


class _Doc:
    def __init__(self, generator: str) -> None:
        self.gltf: dict[str, Any] = {"asset": {"version": "2.0", "generator": generator}}
        self.blob = bytearray()

    def add(self, key: str, obj: dict[str, Any]) -> int:
        self.gltf.setdefault(key, []).append(obj)
        return len(self.gltf[key]) - 1

    def view(self, raw: bytes, target: int | None = None) -> int:
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        view: dict[str, Any] = {"buffer": 0, "byteOffset": len(self.blob), "byteLength": len(raw)}
        if target is not None:
            view["target"] = target
        self.blob.extend(raw)
        return self.add("bufferViews", view)

    def accessor(self, values: np.ndarray, target: int, bounds: bool = False) -> int:
        width = 1 if values.ndim == 1 else values.shape[1]
        acc: dict[str, Any] = {
            "bufferView": self.view(np.ascontiguousarray(values).tobytes(), target),
            "componentType": _COMPONENTS[values.dtype],
            "count": len(values),
            "type": _TYPES[width],
        }
        if bounds and len(values):
            acc["min"] = values.min(axis=0).tolist()
            acc["max"] = values.max(axis=0).tolist()
        return self.add("accessors", acc)


def _material(doc: _Doc, material: Material, images: dict[int, int]) -> int:
    pbr: dict[str, Any] = {
        "baseColorFactor": [float(x) for x in material.base_color_factor],
        "metallicFactor": float(material.metallic_factor),
        "roughnessFactor": float(material.roughness_factor),
    }
    mat: dict[str, Any] = {"name": material.name, "pbrMetallicRoughness": pbr}
    if np.any(material.emissive_factor):
        mat["emissiveFactor"] = [float(x) for x in material.emissive_factor]
    if material.alpha_mode != "OPAQUE":
        mat["alphaMode"] = material.alpha_mode
        if material.alpha_mode == "MASK":
            mat["alphaCutoff"] = float(material.alpha_cutoff)
    if material.double_sided:
        mat["doubleSided"] = True
    if material.unlit:
        mat["extensions"] = {"KHR_materials_unlit": {}}
        doc.gltf.setdefault("extensionsUsed", []).append("KHR_materials_unlit")
    for role, slot in material.textures.items():
        if role not in _ROLE_KEYS or slot.texture not in images:
            continue
        parent, key = _ROLE_KEYS[role]
        info = {"index": images[slot.texture], "texCoord": int(slot.uv_set)}
        (pbr if parent else mat)[key] = info
    return doc.add("materials", mat)


def write(asset: Asset, path: Path, generator: str = "assetlint fix") -> None:
    """Write ``asset`` as one self-contained GLB file. The generator also names what wrote
    the source ("assetlint fix (from pygltflib@v1.16.1)"): the pipeline that wrote it is
    part of S006's evidence, which a fix that scaled nothing must not erase."""
    source = asset.authored.generator
    if source and not source.startswith(generator):
        generator = f"{generator} (from {source})"
    doc = _Doc(generator)
    textures: dict[int, int] = {}  # asset texture index -> glTF texture index
    for index, texture in enumerate(asset.textures):
        encoded = texture_bytes(texture)
        if encoded is None:
            continue
        data, mime = encoded
        image = doc.add(
            "images", {"name": texture.name, "bufferView": doc.view(data), "mimeType": mime}
        )
        textures[index] = doc.add("textures", {"source": image})
    materials = [_material(doc, m, textures) for m in asset.materials]
    if "extensionsUsed" in doc.gltf:
        doc.gltf["extensionsUsed"] = sorted(set(doc.gltf["extensionsUsed"]))

    for mesh in asset.meshes:
        attributes = {"POSITION": doc.accessor(mesh.positions, ARRAY_BUFFER, bounds=True)}
        if mesh.normals is not None:
            attributes["NORMAL"] = doc.accessor(mesh.normals, ARRAY_BUFFER)
        for set_index, uv in enumerate(mesh.uvs):
            attributes[f"TEXCOORD_{set_index}"] = doc.accessor(finite_uvs(uv), ARRAY_BUFFER)
        if mesh.colors is not None:
            attributes["COLOR_0"] = doc.accessor(mesh.colors.astype(np.float32), ARRAY_BUFFER)
        primitives = []
        slots = mesh.material_indices
        for slot in np.unique(slots):
            tris = mesh.triangles[slots == slot].astype(np.uint32).reshape(-1)
            prim: dict[str, Any] = {
                "attributes": attributes,
                "indices": doc.accessor(tris, ELEMENT_ARRAY_BUFFER),
                "mode": 4,
            }
            if 0 <= slot < len(materials):
                prim["material"] = materials[int(slot)]
            primitives.append(prim)
        doc.add("meshes", {"name": mesh.name, "primitives": primitives})

    for node in asset.nodes:
        out: dict[str, Any] = {"name": node.name}
        if not np.allclose(node.local, np.eye(4)):
            out["matrix"] = [float(x) for x in np.asarray(node.local).T.reshape(-1)]
        if node.children:
            out["children"] = list(node.children)
        if node.mesh is not None:
            out["mesh"] = node.mesh
        doc.add("nodes", out)
    roots = [i for i, n in enumerate(asset.nodes) if n.parent is None]
    doc.gltf["scenes"] = [{"nodes": roots}]
    doc.gltf["scene"] = 0
    if doc.blob:
        doc.gltf["buffers"] = [{"byteLength": len(doc.blob)}]

    text = json.dumps(doc.gltf, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    blob = bytes(doc.blob) + b"\0" * (-len(doc.blob) % 4)
    chunks = struct.pack("<I4s", len(text), b"JSON") + text
    if blob:
        chunks += struct.pack("<I4s", len(blob), b"BIN\0") + blob
    Path(path).write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks)
