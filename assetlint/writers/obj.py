"""Wavefront OBJ + MTL writer, with the textures written beside as files.

OBJ has no hierarchy or units: every mesh instance is baked into world space as one
``o`` object (metres, +Y up unless told otherwise), and faces are grouped by material
with ``usemtl``. UVs are written bottom-left (``1 - v``), as OBJ stores them. Texture
files are named after the output (``<stem>_tex<N>.png``) so that writing next to the
source never overwrites its files.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from assetlint.model import Asset, Material, transform_points
from assetlint.writers import EXTENSIONS, finite_uvs, texture_bytes
from assetlint.writers.stl import to_file_frame

_MAP_KEYS = {
    "base_color": "map_Kd",
    "normal": "map_Bump",
    "emissive": "map_Ke",
    "metallic_roughness": "map_Pr",
}


def _name(text: str, fallback: str) -> str:
    """An OBJ/MTL name: no whitespace (it would end the statement)."""
    clean = re.sub(r"\s+", "_", text.strip())
    return clean or fallback


def _mtl(material: Material, name: str, files: dict[int, str]) -> str:
    rgba = material.base_color_factor
    lines = [f"newmtl {name}", f"Kd {rgba[0]:.6g} {rgba[1]:.6g} {rgba[2]:.6g}"]
    if rgba[3] < 1.0:
        lines.append(f"d {rgba[3]:.6g}")
    if np.any(material.emissive_factor):
        e = material.emissive_factor
        lines.append(f"Ke {e[0]:.6g} {e[1]:.6g} {e[2]:.6g}")
    if material.workflow == "metal-rough":
        lines += [f"Pr {material.roughness_factor:.6g}", f"Pm {material.metallic_factor:.6g}"]
    for role, slot in material.textures.items():
        if role in _MAP_KEYS and slot.texture in files:
            lines.append(f"{_MAP_KEYS[role]} {files[slot.texture]}")
    return "\n".join(lines) + "\n"


def finite_colours(colors: np.ndarray) -> np.ndarray:
    """Vertex colours as written: in 0..1, and white where a value is not a number (NaN
    or infinite). White is what a vertex without a colour gets (glTF's COLOR_0 default);
    a reader of "v x y z nan nan nan" fails or takes black."""
    rgb = np.asarray(colors, dtype=np.float64)
    return np.clip(np.where(np.isfinite(rgb), rgb, 1.0), 0.0, 1.0)


def write(
    asset: Asset,
    path: Path,
    meters_per_unit: float = 1.0,
    up_axis: str = "+Y",
    stem: str | None = None,
) -> None:
    """Write ``path`` (.obj), ``<stem>.mtl`` and the texture files beside it (``stem`` is
    the final file's when ``path`` is a temporary one)."""
    path = Path(path)
    stem = stem or path.stem
    files: dict[int, str] = {}
    for index, texture in enumerate(asset.textures):
        encoded = texture_bytes(texture)
        if encoded is None:
            continue
        data, mime = encoded
        name = f"{stem}_tex{index}{EXTENSIONS[mime]}"
        (path.parent / name).write_bytes(data)
        files[index] = name
    names = [_name(m.name, f"material{i}") for i, m in enumerate(asset.materials)]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # MTL names must be unique
        if name in seen:
            names[i] = f"{name}_{i}"
        seen[name] = i
    mtl_name = f"{stem}.mtl"
    (path.parent / mtl_name).write_text(
        "".join(_mtl(m, n, files) for m, n in zip(asset.materials, names, strict=True)),
        encoding="utf-8",
    )

    out = io.StringIO()
    out.write(f"# assetlint fix\nmtllib {mtl_name}\n")
    v_base = vt_base = vn_base = 1
    for mesh_index, node in asset.instances():
        mesh = asset.meshes[mesh_index]
        tris = mesh.triangles
        tris = tris[((tris >= 0) & (tris < mesh.vertex_count)).all(axis=1)]
        slots = mesh.material_indices[: len(mesh.triangles)]
        slots = slots[((mesh.triangles >= 0) & (mesh.triangles < mesh.vertex_count)).all(axis=1)]
        points = to_file_frame(
            transform_points(mesh.positions, node.world), meters_per_unit, up_axis
        )
        out.write(f"o {_name(node.name or mesh.name, f'object{mesh_index}')}\n")
        if mesh.colors is not None and len(mesh.colors) == mesh.vertex_count:
            # "v x y z r g b": the vertex-colour extension MeshLab, Blender and ZBrush read
            rgb = finite_colours(mesh.colors[:, :3])
            np.savetxt(out, np.column_stack([points, rgb]), fmt="v %.9g %.9g %.9g %.4g %.4g %.4g")
        else:
            np.savetxt(out, points, fmt="v %.9g %.9g %.9g")
        has_uv = bool(mesh.uvs)
        has_n = mesh.normals is not None
        if has_uv:
            uv = finite_uvs(mesh.uvs[0]).astype(np.float64)
            np.savetxt(out, np.column_stack([uv[:, 0], 1.0 - uv[:, 1]]), fmt="vt %.7g %.7g")
        if has_n:
            # normals go by the inverse transpose (rows: n @ W^-1); the file frame rotates
            normals = mesh.normals.astype(np.float64) @ np.linalg.inv(node.world[:3, :3])
            normals = to_file_frame(normals, 1.0, up_axis)
            length = np.linalg.norm(normals, axis=1, keepdims=True)
            normals = np.divide(normals, length, out=np.zeros_like(normals), where=length > 0)
            np.savetxt(out, normals, fmt="vn %.6g %.6g %.6g")
        for slot in np.unique(slots):
            if 0 <= slot < len(names):
                out.write(f"usemtl {names[int(slot)]}\n")
            group = tris[slots == slot]
            columns = [group + v_base]
            if has_uv:
                columns.append(group + vt_base)
            if has_n:
                columns.append(group + vn_base)
            corners = np.stack(columns, axis=2).reshape(len(group), -1)
            if has_uv and has_n:
                fmt = "f" + " %d/%d/%d" * 3
            elif has_uv:
                fmt = "f" + " %d/%d" * 3
            elif has_n:
                fmt = "f" + " %d//%d" * 3
            else:
                fmt = "f %d %d %d"
            np.savetxt(out, corners, fmt=fmt)
        v_base += mesh.vertex_count
        vt_base += mesh.vertex_count if has_uv else 0
        vn_base += mesh.vertex_count if has_n else 0
    path.write_text(out.getvalue(), encoding="utf-8")
