"""Small textured assets built in code for the heuristics tests.

A shape is a list of parametric patches (s, t) -> 3D, each drawn in a rectangle of one
texture atlas; the texture is painted texel by texel from the 3D point and normal each
texel maps to, so an effect painted "where the normal points up" lands exactly there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from assetlint.analysis.albedo import linear_to_srgb, srgb_to_linear
from assetlint.model import Asset, Material, Mesh, Node, Texture, TextureSlot

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (s, t) -> (..., 3)
Paint = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (points, normals) -> linear rgb


def sphere_patch(radius: float = 0.5, centre=(0.0, 0.0, 0.0)) -> Fn:
    """Equirectangular sphere: s is the azimuth, t runs from the top pole to the bottom;
    ds x dt points inward, so add it with ``flip=True``."""

    def fn(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        th, ph = t * np.pi, s * 2 * np.pi
        d = np.stack([np.sin(th) * np.cos(ph), np.cos(th), -np.sin(th) * np.sin(ph)], -1)
        return d * radius + np.asarray(centre)

    return fn


def bumpy_sphere_patch(height: Callable[[np.ndarray], np.ndarray], radius: float = 0.5) -> Fn:
    """A sphere displaced along its normal by ``height`` of the unit direction."""
    base = sphere_patch(1.0)

    def fn(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        d = base(s, t)
        return d * (radius + height(d.reshape(-1, 3)).reshape(d.shape[:-1] + (1,)))

    return fn


def box_patches(half: tuple[float, float, float]) -> list[tuple[Fn, bool]]:
    """The six faces of a box centred at the origin, with whether each must be flipped
    to face outward."""
    e = np.asarray(half, dtype=np.float64)
    out = []
    for axis in range(3):
        sa, ta = [a for a in range(3) if a != axis]
        for sign in (1, -1):

            def fn(s, t, axis=axis, sign=sign, sa=sa, ta=ta):
                p = np.zeros(np.shape(s) + (3,))
                p[..., axis] = sign * e[axis]
                p[..., sa] = (2 * s - 1) * e[sa]
                p[..., ta] = (2 * t - 1) * e[ta]
                return p

            outward = np.cross(np.eye(3)[sa], np.eye(3)[ta])[axis] * sign > 0
            out.append((fn, not outward))
    return out


def tiles(count: int) -> list[tuple[float, float, float, float]]:
    """``count`` atlas rectangles in a grid, with gutters."""
    cols = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / cols))
    g = 0.01
    return [
        (
            (k % cols) / cols + g,
            (k // cols) / rows + g,
            (k % cols + 1) / cols - g,
            (k // cols + 1) / rows - g,
        )
        for k in range(count)
    ]


class Shape:
    """Patches with their atlas rectangles and grid resolutions."""

    def __init__(self) -> None:
        self.patches: list[tuple[Fn, tuple, tuple[int, int], bool]] = []

    def add(self, fn: Fn, rect=(0.0, 0.0, 1.0, 1.0), res=(64, 32), flip: bool = False):
        self.patches.append((fn, rect, res, flip))
        return self

    def mesh(self, name: str = "object") -> Mesh:
        pos, uvs, tris, base = [], [], [], 0
        for fn, (u0, v0, u1, v1), (ns, nt), flip in self.patches:
            s, t = np.meshgrid(np.linspace(0, 1, ns + 1), np.linspace(0, 1, nt + 1), indexing="ij")
            pos.append(fn(s, t).reshape(-1, 3))
            uvs.append(np.column_stack([u0 + s.ravel() * (u1 - u0), v0 + t.ravel() * (v1 - v0)]))
            idx = np.arange((ns + 1) * (nt + 1)).reshape(ns + 1, nt + 1)
            a, b = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel()
            c, d = idx[:-1, 1:].ravel(), idx[1:, 1:].ravel()
            quads = np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)])
            if flip:
                quads = quads[:, ::-1]
            tris.append(quads + base)
            base += len(pos[-1])
        mesh = Mesh(name, np.vstack(pos), np.vstack(tris), uvs=[np.vstack(uvs).astype(np.float32)])
        mesh.material_indices = np.zeros(len(mesh.triangles), dtype=np.int32)
        return mesh

    def texture(self, paint: Paint, size: int = 256) -> np.ndarray:
        """(size, size, 3) linear image: every patch's texels painted by ``paint``."""
        img = np.full((size, size, 3), 0.2)
        for fn, (u0, v0, u1, v1), _, flip in self.patches:
            j0, j1 = max(0, int(u0 * size) - 2), min(size, int(np.ceil(u1 * size)) + 2)
            i0, i1 = max(0, int(v0 * size) - 2), min(size, int(np.ceil(v1 * size)) + 2)
            jj, ii = np.meshgrid(np.arange(j0, j1), np.arange(i0, i1))
            s = np.clip(((jj + 0.5) / size - u0) / (u1 - u0), 0, 1)
            t = np.clip(((ii + 0.5) / size - v0) / (v1 - v0), 0, 1)
            p, n = _point_normal(fn, s, t, flip)
            img[i0:i1, j0:j1] = paint(p.reshape(-1, 3), n.reshape(-1, 3)).reshape(p.shape)
        return img


def _point_normal(fn: Fn, s: np.ndarray, t: np.ndarray, flip: bool):
    eps = 1e-4
    p = fn(s, t)
    n = np.cross(fn(s + eps, t) - fn(s - eps, t), fn(s, t + eps) - fn(s, t - eps))
    if flip:
        n = -n
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)
    return p, n


def encode(linear_rgb: np.ndarray, fmt: str = "PNG", grain: int = 0) -> bytes:
    """An 8-bit image file of ``linear_rgb``, with independent noise of up to ``grain``
    levels per texel and channel: the sensor or sampling noise of an albedo made from a
    photo or by a diffusion model (without it, an albedo is a designed flat fill)."""
    img = np.round(linear_to_srgb(linear_rgb) * 255)
    if grain:
        img += np.random.default_rng(5).integers(-grain, grain + 1, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buf.getvalue()


def textured_asset(
    shape: Shape,
    paint: Paint,
    size: int = 256,
    fmt: str = "PNG",
    world: np.ndarray | None = None,
    grain: int = 0,
    **material: object,
) -> Asset:
    """One mesh, one material whose base colour texture ``paint`` paints, as a generator
    would: with ``grain`` levels of noise (see :func:`encode`; 0 for designed art)."""
    mat = Material(name="material", metallic_factor=0.0, roughness_factor=0.5)
    for key, value in material.items():
        setattr(mat, key, value)
    mat.textures["base_color"] = TextureSlot(0)
    texture = Texture.from_bytes(
        "albedo", "embedded", encode(shape.texture(paint, size), fmt, grain)
    )
    world = np.eye(4) if world is None else world
    asset = Asset(
        path=Path("case.glb"),
        format="glb",
        file_size=0,
        meshes=[shape.mesh()],
        materials=[mat],
        textures=[texture],
        nodes=[Node("object", local=world, world=world, mesh=0)],
    )
    return asset


def colour(srgb8: tuple[int, int, int]) -> np.ndarray:
    """Linear RGB of an 8-bit sRGB colour."""
    return srgb_to_linear(np.asarray(srgb8, dtype=np.float64) / 255)


def uniform(rgb: np.ndarray) -> Paint:
    return lambda p, n: np.broadcast_to(rgb, (len(p), 3)).copy()


def lit(paint: Paint, direction, strength: float) -> Paint:
    """``paint`` times a baked light (1 + strength n . direction)."""
    d = np.asarray(direction, dtype=np.float64)
    d /= np.linalg.norm(d)
    return lambda p, n: paint(p, n) * (1 + strength * (n @ d))[:, None]


def regions(seeds: np.ndarray, colours: np.ndarray) -> Paint:
    """Voronoi cells around ``seeds`` (3D points), one colour each."""

    def fn(p: np.ndarray, n: np.ndarray) -> np.ndarray:
        d = ((p[:, None, :] - seeds[None]) ** 2).sum(-1)
        return colours[d.argmin(axis=1)]

    return fn


def noise(p: np.ndarray, frequency: float, seed: int) -> np.ndarray:
    """Smooth pseudo-random field in about [-1, 1] (a sum of random plane waves)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(len(p))
    for _ in range(24):
        k = rng.normal(size=3)
        k *= frequency * rng.uniform(0.5, 1.5) / np.linalg.norm(k)
        out += np.sin(p @ k + rng.uniform(0, 2 * np.pi))
    return out / np.sqrt(12)
