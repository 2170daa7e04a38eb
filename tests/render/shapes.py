"""Meshes with known defects for the render tests."""

from __future__ import annotations

import numpy as np

from assetlint.model import Asset, Material, Mesh, Texture, single_node_scene

# (origin, u axis, v axis) of each face of the unit cube [0, 1]^3, wound outward.
FACES = {
    "front": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
    "back": ((1, 0, 0), (-1, 0, 0), (0, 1, 0)),
    "left": ((0, 0, 0), (0, 0, 1), (0, 1, 0)),
    "right": ((1, 0, 1), (0, 0, -1), (0, 1, 0)),
    "top": ((0, 1, 1), (1, 0, 0), (0, 0, -1)),
    "bottom": ((0, 0, 0), (1, 0, 0), (0, 0, 1)),
}


def grid_box(n: int, hole: tuple[str, int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The unit cube with each face split into n x n quads (faces share no vertices; the
    seams weld). ``hole=(face, i, j)`` leaves out quad (i along u, j along v) of a face."""
    positions, triangles = [], []
    s = np.arange(n + 1) / n
    uu, vv = np.meshgrid(s, s, indexing="ij")
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    for name, (origin, u, v) in FACES.items():
        pts = np.asarray(origin) + uu[..., None] * np.asarray(u) + vv[..., None] * np.asarray(v)
        base = sum(len(p) for p in positions)
        a = base + i * (n + 1) + j
        b, c, d = a + (n + 1), a + (n + 1) + 1, a + 1
        quads = np.stack([a, b, c, d], axis=-1)
        if hole and hole[0] == name:
            keep = ~((i == hole[1]) & (j == hole[2]))
            quads = quads[keep]
        quads = quads.reshape(-1, 4)
        triangles.append(np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]]))
        positions.append(pts.reshape(-1, 3))
    return np.vstack(positions).astype(np.float32), np.vstack(triangles).astype(np.int32)


def asset_of(positions: np.ndarray, triangles: np.ndarray, name: str = "box") -> Asset:
    asset = Asset(path=None, format="glb", file_size=0, meshes=[Mesh(name, positions, triangles)])
    single_node_scene(asset)
    return asset


def quadrant_texture() -> Texture:
    """A 2 x 2 PNG: red top-left, green top-right, blue bottom-left, white bottom-right."""
    import io

    from PIL import Image

    img = Image.new("RGB", (2, 2))
    img.putdata([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)])
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Texture.from_bytes("quadrants", "embedded", buf.getvalue())


def textured_quad() -> Asset:
    """A 1 m square facing +Z with UV (0, 0) at its top-left corner (glTF convention)."""
    positions = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=np.float32)
    uvs = np.array([[0, 1], [1, 1], [1, 0], [0, 0]], dtype=np.float32)
    mesh = Mesh(
        "quad",
        positions,
        np.array([[0, 1, 2], [0, 2, 3]]),
        uvs=[uvs],
        material_indices=np.zeros(2, dtype=np.int32),
    )
    from assetlint.model import TextureSlot

    material = Material("checker", textures={"base_color": TextureSlot(0)})
    asset = Asset(
        path=None,
        format="glb",
        file_size=0,
        meshes=[mesh],
        materials=[material],
        textures=[quadrant_texture()],
    )
    single_node_scene(asset)
    return asset
