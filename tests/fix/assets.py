"""Assets for fix and writer tests, built in code: a textured UV sphere with two
materials, and the usual generator defects added one by one."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from assetlint.model import Asset, Material, Mesh, Node, Texture, TextureSlot


def uv_sphere(rows: int, cols: int, radius: float = 1.0):
    """(positions, triangles, uvs) of a closed UV sphere, outward winding, with a UV seam
    (the first column repeated at u = 1) and split poles."""
    v = np.linspace(0.0, 1.0, rows + 1)
    u = np.linspace(0.0, 1.0, cols + 1)
    uu, vv = np.meshgrid(u, v)
    theta, phi = uu * 2 * np.pi, vv * np.pi
    pos = (
        np.stack(
            [np.sin(phi) * np.cos(theta), np.cos(phi), -np.sin(phi) * np.sin(theta)], axis=-1
        ).reshape(-1, 3)
        * radius
    )
    pos[np.isclose(np.abs(pos[:, 1]), radius)] *= [0, 1, 0]  # poles exactly on the axis
    uvs = np.stack([uu, vv], axis=-1).reshape(-1, 2)
    i = np.arange(rows)[:, None] * (cols + 1) + np.arange(cols)[None, :]
    a, b, c, d = i, i + 1, i + cols + 1, i + cols + 2
    quads = np.stack([a, c, b, b, c, d], axis=-1).reshape(-1, 3)
    area = np.linalg.norm(
        np.cross(pos[quads[:, 1]] - pos[quads[:, 0]], pos[quads[:, 2]] - pos[quads[:, 0]]), axis=1
    )
    tris = quads[area > 1e-12]  # the collapsed triangles at the poles
    return pos.astype(np.float32), tris.astype(np.int32), uvs.astype(np.float32)


def gradient_png(size: int = 64) -> bytes:
    """A smooth RGB gradient (red along u, green along v): a small UV shift changes the
    sampled colour only a little, a wrong UV a lot."""
    ramp = np.linspace(0, 255, size)
    rgb = np.zeros((size, size, 3), dtype=np.uint8)
    rgb[..., 0] = ramp[None, :]
    rgb[..., 1] = ramp[:, None]
    rgb[..., 2] = 128
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def textured_sphere(rows: int = 24, cols: int = 48, radius: float = 1.0, texture: int = 64):
    """An Asset: one sphere mesh, top half material "top", bottom half "bottom", both
    sampling one gradient texture."""
    pos, tris, uvs = uv_sphere(rows, cols, radius)
    slots = (pos[tris].mean(axis=1)[:, 1] < 0).astype(np.int32)
    mesh = Mesh("sphere", pos, tris, uvs=[uvs], uv_names=["UVMap"], material_indices=slots)
    tex = Texture.from_bytes("gradient", "embedded", gradient_png(texture))
    mats = [
        Material("top", textures={"base_color": TextureSlot(0)}),
        Material("bottom", textures={"base_color": TextureSlot(0)}),
    ]
    asset = Asset(path=__import__("pathlib").Path("sphere.glb"), format="glb", file_size=0)
    asset.meshes.append(mesh)
    asset.materials.extend(mats)
    asset.textures.append(tex)
    asset.nodes.append(Node("sphere", np.eye(4), np.eye(4), mesh=0))
    return asset


def sample_albedo(asset: Asset, points: np.ndarray) -> np.ndarray:
    """Base colour (RGB, 0..1) of the surface nearest each world point: of the 16 triangles
    with the nearest centroids, the one the point projects most inside of; its barycentric
    UV; the texel there (nearest), times the material's factor."""
    from scipy.spatial import cKDTree

    mesh = asset.meshes[0]
    world = asset.nodes[0].world
    pos = mesh.positions.astype(np.float64) @ world[:3, :3].T + world[:3, 3]
    corners = pos[mesh.triangles]  # (m, 3, 3)
    _, near = cKDTree(corners.mean(axis=1)).query(points, k=16)  # (n, 16)
    a, b, c = (corners[near, i] for i in range(3))  # (n, 16, 3)
    e1, e2, d = b - a, c - a, points[:, None, :] - a
    d11, d12, d22 = (e1 * e1).sum(-1), (e1 * e2).sum(-1), (e2 * e2).sum(-1)
    d1, d2 = (d * e1).sum(-1), (d * e2).sum(-1)
    den = d11 * d22 - d12 * d12
    den = np.where(np.abs(den) > 1e-30, den, np.inf)  # a degenerate triangle never wins
    v = (d22 * d1 - d12 * d2) / den
    w = (d11 * d2 - d12 * d1) / den
    bary = np.stack([1 - v - w, v, w], axis=-1)
    inside = np.where(np.isfinite(den), bary.min(axis=-1), -np.inf)
    best = np.argmax(inside, axis=1)
    rows = np.arange(len(points))
    face = near[rows, best]
    uv = np.einsum("ij,ijk->ik", bary[rows, best], mesh.uvs[0][mesh.triangles[face]])
    colours = np.zeros((len(points), 3))
    for slot in np.unique(mesh.material_indices[face]):  # per material, not per point
        mine = mesh.material_indices[face] == slot
        material = asset.materials[slot]
        pixels = asset.textures[material.textures["base_color"].texture].pixels()
        h, w_ = pixels.shape[:2]
        x = np.clip((uv[mine, 0] * w_).astype(int), 0, w_ - 1)
        y = np.clip((uv[mine, 1] * h).astype(int), 0, h - 1)
        colours[mine] = pixels[y, x, :3] * material.base_color_factor[:3]
    return colours
