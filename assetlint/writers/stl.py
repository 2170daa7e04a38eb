"""Binary STL writer: every mesh instance baked into one triangle list.

STL has no units, axes, hierarchy, materials or UVs. Slicers read it in millimetres with
Z up, so that is the default (``meters_per_unit=0.001, up_axis="+Z"``); pass metres and
"+Y" for tools that read it as glTF does.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from assetlint.model import Asset, conversion_matrix, transform_points


def world_triangles(asset: Asset) -> np.ndarray:
    """(m, 3, 3) float64 corners of every drawn triangle in the scene, in metres (+Y up);
    invalid indices are dropped."""
    parts = []
    for mesh_index, node in asset.instances():
        mesh = asset.meshes[mesh_index]
        tris = mesh.triangles
        ok = ((tris >= 0) & (tris < mesh.vertex_count)).all(axis=1)
        world = transform_points(mesh.positions, node.world)
        parts.append(world[tris[ok]])
    return np.concatenate(parts) if parts else np.zeros((0, 3, 3))


def to_file_frame(points: np.ndarray, meters_per_unit: float, up_axis: str) -> np.ndarray:
    """Canonical points into a file frame: the inverse of the loaders' conversion."""
    inverse = np.linalg.inv(conversion_matrix(meters_per_unit, up_axis))
    shape = points.shape
    return transform_points(points.reshape(-1, 3), inverse).reshape(shape)


def write(asset: Asset, path: Path, meters_per_unit: float = 0.001, up_axis: str = "+Z") -> None:
    """Write all instanced geometry as one binary STL."""
    corners = to_file_frame(world_triangles(asset), meters_per_unit, up_axis)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    normals = np.divide(normals, length, out=np.zeros_like(normals), where=length > 0)
    record = np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
    rows = np.zeros(len(corners), dtype=record)
    rows["n"] = normals
    rows["v"] = corners
    header = b"assetlint fix".ljust(80, b" ")
    Path(path).write_bytes(header + struct.pack("<I", len(rows)) + rows.tobytes())
