"""Large meshes generated in code for benchmarks (no big binaries in the repo)."""

from __future__ import annotations

import numpy as np


def uv_sphere(target_triangles: int, radius: float = 0.5, seams: bool = False):
    """A closed UV sphere with about ``target_triangles`` triangles: (positions, triangles,
    uvs). With ``seams`` the mesh is split into UV islands the way an image-to-3D
    generator writes it (each row band is its own island, so every band border is an
    unwelded seam)."""
    # rings x segments grid: 2 * (rings - 1) * segments triangles, none degenerate; the
    # pole and the u = 0/1 meridian carry coincident copies, as any exporter's UV seam does
    segments = int(np.sqrt(target_triangles / 2.0) * 1.4)
    rings = max(2, int(round(target_triangles / (2 * segments))) + 1)
    theta = np.linspace(0.0, np.pi, rings + 1)
    phi = np.linspace(0.0, 2 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    pos = np.stack([np.sin(t) * np.cos(p), np.cos(t), -np.sin(t) * np.sin(p)], -1) * radius
    uv = np.stack([p / (2 * np.pi), t / np.pi], -1)
    idx = np.arange((rings + 1) * (segments + 1)).reshape(rings + 1, segments + 1)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    upper = np.stack([a, c, b], 1)[segments:]  # the first band's would have two pole corners
    lower = np.stack([b, c, d], 1)[:-segments]  # likewise the last band's
    tris = np.concatenate([upper, lower])
    pos = pos.reshape(-1, 3)
    uv = uv.reshape(-1, 2)
    if seams:
        # give every triangle its own band-local copy of its corners: split at band rows
        band = np.concatenate([np.arange(1, rings), np.arange(rings - 1)]).repeat(segments)
        key = tris * (rings + 1) + band[:, None]
        uniq, inverse = np.unique(key.ravel(), return_inverse=True)
        src = uniq // (rings + 1)
        pos, uv = pos[src], uv[src]
        tris = inverse.reshape(-1, 3)
    return pos.astype(np.float32), tris.astype(np.int32), uv.astype(np.float32)
