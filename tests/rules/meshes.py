"""Small meshes built in code whose topology is known exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assetlint.model import Asset, Mesh, single_node_scene

# Outward, counter-clockwise quads of the unit cube; vertex i sits at (i & 1, i >> 1 & 1, i >> 2).
CUBE_QUADS = [
    (0, 1, 5, 4),  # -Y
    (2, 6, 7, 3),  # +Y
    (0, 4, 6, 2),  # -X
    (1, 3, 7, 5),  # +X
    (0, 2, 3, 1),  # -Z
    (4, 5, 7, 6),  # +Z
]


def cube(size: float = 1.0, offset: tuple[float, float, float] = (0, 0, 0)):
    """Closed, outward-wound cube: 8 shared vertices, 12 triangles."""
    i = np.arange(8)
    pos = np.column_stack([i & 1, (i >> 1) & 1, i >> 2]).astype(np.float64) * size
    pos += np.asarray(offset, dtype=np.float64)
    tris = [(a, b, c) for a, b, c, _ in CUBE_QUADS] + [(a, c, d) for a, _, c, d in CUBE_QUADS]
    return pos.astype(np.float32), np.array(tris, dtype=np.int32)


def split_faces():
    """The cube as exporters write it with hard normals or per-face UVs: every face gets
    its own four vertices (24 vertices, 12 triangles), so the raw index buffer is open
    along all 12 edges although the surface is closed."""
    pos, tris = cube()
    verts = []
    faces = []
    for quad in CUBE_QUADS:
        base = len(verts)
        verts.extend(pos[list(quad)])
        faces += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
    return np.array(verts, dtype=np.float32), np.array(faces, dtype=np.int32)


def soup(positions: np.ndarray, triangles: np.ndarray):
    """Every triangle with its own three vertices."""
    return positions[triangles.ravel()], np.arange(triangles.size, dtype=np.int32).reshape(-1, 3)


def merge(*parts):
    """One mesh from several (positions, triangles) pairs."""
    pos, tris, base = [], [], 0
    for p, t in parts:
        pos.append(p)
        tris.append(t + base)
        base += len(p)
    return np.vstack(pos), np.vstack(tris)


def asset_of(*meshes: tuple[np.ndarray, np.ndarray], path: str = "test.glb") -> Asset:
    """An asset with one node per mesh."""
    asset = Asset(
        path=Path(path),
        format="glb",
        file_size=0,
        meshes=[Mesh(f"mesh{i}", p, t) for i, (p, t) in enumerate(meshes)],
    )
    single_node_scene(asset)
    return asset
