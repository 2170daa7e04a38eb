"""A labelled corpus for the image-to-3D heuristics (H rules), generated in code.

Every case is an in-memory :class:`~assetlint.model.Asset` (one mesh, one material, PNG or
JPEG textures encoded in memory) built from a shape and an albedo design, plus at most a
few defects whose presence is the case's label:

* shapes: a sphere, a box, a helmet-like shell (outer dome, inner dome, rim), a chair-like
  object (seat, back, four legs: 36 box faces in one mesh) and a noisy scan-like blob;
* clean designs: uniform colour, regions of paint (Voronoi cells on the surface), tonal
  regions (one hue, two values), multi-octave noise, stripes, hard-edged decals, all with
  the per-texel noise of a photo or a diffusion model (:data:`PHOTO_NOISE`), as a
  generator's albedo has;
* defects: baked light (random direction, a quarter weak, lit/unlit contrast 1.1-1.4, the
  rest strength 0.17-0.8; four shading models, none the detector's linear one, tinted
  warm or cool), baked ambient occlusion (computed here with 48 Embree rays per texel),
  painted specular highlights (Blinn-Phong of a point light seen from a finite distance),
  albedo pushed out of the PBR range, unlit or emissive-as-albedo materials, 2-4
  materials fused into one texture, a smoothed back half (geometry and/or texture
  detail), a mirrored back.

Each shape is a set of parametric patches (s, t) -> 3D laid out in a UV atlas. The mesh is
the patches' grid tessellation; the texture is painted texel by texel from the 3D position
and normal the texel's (s, t) maps to, so every effect lands exactly where it belongs on
the surface. Nothing is written to disk.

``labels`` maps each rule code to True (the defect is there), False (it is not) or None
(not scored: an out-of-range share within 1.5 points of the limit). The labels follow
the defects as the rules define them, from what was painted (not from any detector):
H004 counts what the painted light or occlusion pushed out of range (or a metal without a
map darker than metal); fused materials told apart by a metallic map, a back plainer in
shape only, and mirrored UVs (shared texels) are not defects.

Independence: the generator imports no analysis code of assetlint (only the Asset model
it must hand its cases over in); its colour transfer functions are written here from the
standards, its light models differ from the detector's fit, and :data:`SPLITS` gives the
tuning and scoring seeds (every mesh, design and defect drawn anew; the shape families
are shared).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

# The only assetlint import: the in-memory Asset the rules read (a generator must hand
# its cases over in the model's own form). Nothing of assetlint's analysis is used: the
# colour functions below are written from the standards here, so that a mistake in the
# detector's colour code cannot cancel out in the labels.
from assetlint.model import Asset, Material, Mesh, Texture, TextureSlot, single_node_scene

# Shared with the detector by necessity, not by code: the sRGB transfer function is the
# one IEC 61966-2-1 defines and glTF requires for colour textures (both sides must decode
# a stored texel the same way), and luminance uses the ITU-R BT.709 primaries' weights.
BT709 = np.array([0.2126, 0.7152, 0.0722])


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 decoding (0..1)."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 encoding (0..1), clipped."""
    v = np.clip(np.asarray(v, dtype=np.float64), 0.0, 1.0)
    return np.where(v > 0.0031308, 1.055 * np.power(v, 1 / 2.4) - 0.055, 12.92 * v)


LUMA = BT709

CODES = ("H001", "H002", "H003", "H004", "H005", "H006", "H007", "H008")
TEX = 512  # texture side, texels
# The PBR Guide's range (Allegorithmic/Adobe Substance, part 2): dielectric albedo sRGB
# 30-240, metal 180-255; a defect when more than 5% of the surface is pushed outside it
PBR_DARK, PBR_BRIGHT, PBR_METAL = 30, 240, 180
RANGE_LIMIT = 0.05
STRONG_LIGHT = 0.3  # light direction error is stated from this strength up
WEAK_LIGHT = (0.05, 0.17)  # lit/unlit contrast (1 + s) / (1 - s) of 1.1 to 1.4
PHOTO_NOISE = 2  # 8-bit levels of independent noise per texel: a photo's or a diffusion
# model's sampling noise; without it an albedo is a designed flat fill, which the H rules
# leave alone
HIGHLIGHT_SHARE = 0.05  # a painted highlight's core (half its peak) covers at most this

# --------------------------------------------------------------------------- noise


_K = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a uniform value in [0, 1) from a 64-bit key."""
    h = h ^ (h >> np.uint64(31))
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def value_noise(p: np.ndarray, seed: int) -> np.ndarray:
    """Smooth 3D value noise in [-1, 1]: hashed values at integer lattice points,
    interpolated with a smoothstep."""
    f = np.floor(p)
    t = p - f
    s = t * t * (3 - 2 * t)
    cells = f.astype(np.int64).view(np.uint64)
    keys = []
    for axis in range(3):
        c = np.ascontiguousarray(cells[:, axis])
        keys.append((c * _K[axis], (c + np.uint64(1)) * _K[axis]))
    salt = np.uint64(seed * 0x27D4EB2F165667C5 % 2**64)
    out = np.zeros(len(p))
    for dx in (0, 1):
        wx = s[:, 0] if dx else 1 - s[:, 0]
        for dy in (0, 1):
            wxy = wx * (s[:, 1] if dy else 1 - s[:, 1])
            kxy = keys[0][dx] ^ keys[1][dy] ^ salt
            for dz in (0, 1):
                w = wxy * (s[:, 2] if dz else 1 - s[:, 2])
                out += w * _mix(kxy ^ keys[2][dz])
    return out * 2 - 1


def fbm(p: np.ndarray, seed: int, octaves: int = 4) -> np.ndarray:
    """Fractal sum of value noise, normalised to about [-1, 1]."""
    total = np.zeros(len(p))
    amp, norm = 1.0, 0.0
    for k in range(octaves):
        total += amp * value_noise(p * 2.0**k + 17.0 * k, seed + k)
        norm += amp
        amp *= 0.5
    return total / norm * 1.6


# --------------------------------------------------------------------------- colour


def hsv_linear(h: float, s: float, v: float) -> np.ndarray:
    """Linear RGB of an sRGB-space HSV colour."""
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]
    return srgb_to_linear(np.array(rgb))


def with_luminance(rgb: np.ndarray, srgb_level: float) -> np.ndarray | None:
    """Scale a linear colour so its luminance encodes to ``srgb_level`` (0..255)."""
    target = float(srgb_to_linear(np.array(srgb_level / 255.0)))
    y = float(rgb @ LUMA)
    out = rgb * target / max(y, 1e-6)
    return out if out.max() <= 1.0 else None


def coloured(hue: float, sat: float, srgb_level: float) -> np.ndarray:
    """A colour of the given hue and luminance, as saturated as ``sat`` allows."""
    while True:
        rgb = with_luminance(hsv_linear(hue, sat, 1.0), srgb_level)
        if rgb is not None:
            return rgb
        sat = max(0.0, sat - 0.05)


def paint(rng: np.random.Generator, lo: float = 90, hi: float = 170, sat=(0.3, 0.8)) -> np.ndarray:
    """A painted colour: any hue, clearly saturated, luminance in sRGB lo..hi (inside the
    PBR range even after the strongest baked light of the corpus)."""
    while True:
        rgb = with_luminance(hsv_linear(rng.random(), rng.uniform(*sat), 1.0), rng.uniform(lo, hi))
        if rgb is not None:
            return rgb


def neutral(rng: np.random.Generator, lo: float, hi: float, sat: float = 0.05) -> np.ndarray:
    """A near-grey colour with luminance in sRGB lo..hi."""
    while True:
        rgb = with_luminance(
            hsv_linear(rng.random(), rng.uniform(0, sat), 1.0), rng.uniform(lo, hi)
        )
        if rgb is not None:
            return rgb


# --------------------------------------------------------------------------- shapes


@dataclass
class Patch:
    """A parametric piece of surface: (s, t) in [0, 1]^2 -> 3D, drawn in ``rect`` of the
    UV atlas (u0, v0, u1, v1). ds x dt points outward unless ``flip``."""

    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    rect: tuple[float, float, float, float]
    res: tuple[int, int]
    flip: bool = False
    wrap_s: bool = False  # s is an angle: the patch closes on itself along s
    mirror_s: bool = False  # mirroring z maps s to 1 - s (the duplicated-UV variant)


@dataclass
class Shape:
    kind: str
    patches: list[Patch]
    size: float  # bounding-box diagonal, m
    concave: bool  # has occluded areas (baked AO means something)
    z_symmetric: bool  # mirror-symmetric across z = 0 before any defect


def _ellipsoid(radii: np.ndarray, theta_max: float = np.pi, shrink: float = 1.0):
    def fn(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        th = t * theta_max
        ph = s * 2 * np.pi
        d = np.stack([np.sin(th) * np.cos(ph), np.cos(th), -np.sin(th) * np.sin(ph)], -1)
        return d * radii * shrink

    return fn


def _displaced(base: Callable, height: Callable[[np.ndarray], np.ndarray]):
    """base + height(base point) along the base surface's normal."""

    def fn(s: np.ndarray, t: np.ndarray) -> np.ndarray:
        p = base(s, t)
        eps = 1e-4
        n = np.cross(base(s + eps, t) - base(s - eps, t), base(s, t + eps) - base(s, t - eps))
        n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)
        return p + n * height(p.reshape(-1, 3)).reshape(p.shape[:-1] + (1,))

    return fn


def _box_patches(lo: np.ndarray, hi: np.ndarray, tiles: list[tuple], res: int) -> list[Patch]:
    """Six outward faces of an axis-aligned box, one per atlas tile."""
    c = (lo + hi) / 2
    e = (hi - lo) / 2
    faces = [  # (axis, sign, s axis, t axis)
        (0, 1, 2, 1),
        (0, -1, 1, 2),
        (1, 1, 0, 2),
        (1, -1, 2, 0),
        (2, 1, 1, 0),
        (2, -1, 0, 1),
    ]
    patches = []
    for (axis, sign, sa, ta), rect in zip(faces, tiles, strict=True):

        def fn(s, t, axis=axis, sign=sign, sa=sa, ta=ta):
            p = np.zeros(np.shape(s) + (3,))
            p[..., axis] = c[axis] + sign * e[axis]
            p[..., sa] = c[sa] + (2 * s - 1) * e[sa]
            p[..., ta] = c[ta] + (2 * t - 1) * e[ta]
            return p

        # ds x dt is +/- the face axis; flip where it points inward
        ds = np.eye(3)[sa]
        dt = np.eye(3)[ta]
        outward = np.cross(ds, dt)[axis] * sign > 0
        patches.append(Patch(fn, rect, (res, res), flip=not outward))
    return patches


def _tiles(cols: int, rows: int, gap: float = 4 / TEX) -> list[tuple[float, float, float, float]]:
    return [
        (c / cols + gap, r / rows + gap, (c + 1) / cols - gap, (r + 1) / rows - gap)
        for r in range(rows)
        for c in range(cols)
    ]


def make_shape(
    kind: str, rng: np.random.Generator, height: Callable | None = None
) -> tuple[Shape, Callable | None]:
    """A shape of ``kind`` with random proportions. For "scan", ``height`` (a function of
    the base point) replaces the default bumps; the default is returned so that a case can
    wrap it (smooth or mirror the back)."""
    if kind == "sphere":
        radii = np.array([1.0, rng.uniform(0.85, 1.15), 1.0]) * 0.5
        patch = Patch(_ellipsoid(radii), (0, 0, 1, 1), (96, 48), wrap_s=True, mirror_s=True)
        patch.flip = True
        return Shape(kind, [patch], float(np.linalg.norm(2 * radii)), False, True), None
    if kind == "box":
        e = rng.uniform(0.25, 0.55, 3)
        patches = _box_patches(-e, e, _tiles(3, 2), 12)
        return Shape(kind, patches, float(np.linalg.norm(2 * e)), False, True), None
    if kind == "helmet":
        radii = np.array([0.46, 0.5, 0.52]) * rng.uniform(0.9, 1.1)
        tmax = 0.62 * np.pi
        outer = Patch(_ellipsoid(radii, tmax), (0, 0, 1, 0.48), (96, 36), True, True, True)
        inner = Patch(_ellipsoid(radii, tmax, 0.88), (0, 0.52, 1, 0.9), (96, 32), False, True, True)

        def rim(s, t):
            a = _ellipsoid(radii, tmax)(s, np.ones_like(t))
            return a * (1 - 0.12 * t[..., None])

        rim_patch = Patch(rim, (0, 0.94, 1, 0.99), (96, 2), True, True, True)
        return Shape(kind, [outer, inner, rim_patch], 1.45 * float(radii[1]), True, True), None
    if kind == "chair":
        w, d = rng.uniform(0.8, 1.1), rng.uniform(0.8, 1.0)
        seat_y, leg = rng.uniform(0.4, 0.55), 0.08
        boxes = [
            ((-w / 2, seat_y, -d / 2), (w / 2, seat_y + 0.08, d / 2)),  # seat
            ((-w / 2, seat_y + 0.08, -d / 2), (w / 2, seat_y + 0.9, -d / 2 + 0.08)),  # back
        ]
        for sx in (-1, 1):
            for sz in (-1, 1):
                x0 = sx * (w / 2 - 0.02) - (leg if sx > 0 else 0)
                z0 = sz * (d / 2 - 0.02) - (leg if sz > 0 else 0)
                boxes.append(((x0, 0.0, z0), (x0 + leg, seat_y, z0 + leg)))
        tiles = _tiles(6, 6)
        patches = []
        for i, (lo, hi) in enumerate(boxes):
            patches += _box_patches(np.array(lo), np.array(hi), tiles[6 * i : 6 * i + 6], 6)
        size = float(np.linalg.norm([w, seat_y + 0.9, d]))
        return Shape(kind, patches, size, True, False), None
    if kind == "scan":
        radii = np.array([0.5, rng.uniform(0.4, 0.6), 0.45])
        seed = int(rng.integers(1 << 30))
        amp = rng.uniform(0.03, 0.05)
        freq = rng.uniform(4.0, 7.0)

        def default(p: np.ndarray) -> np.ndarray:
            return amp * fbm(p * freq, seed, 4) + 0.25 * amp * value_noise(p * freq * 6, seed + 9)

        base = _ellipsoid(radii)
        patch = Patch(
            _displaced(base, height or default), (0, 0, 1, 1), (192, 96), True, True, True
        )
        return Shape(kind, [patch], float(np.linalg.norm(2 * radii)), True, True), default
    raise ValueError(kind)


def build_mesh(shape: Shape) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positions, triangles, UVs and patch index per triangle of the shape's grid mesh."""
    pos, uvs, tris, owner = [], [], [], []
    base = 0
    for k, patch in enumerate(shape.patches):
        ns, nt = patch.res
        s, t = np.meshgrid(np.linspace(0, 1, ns + 1), np.linspace(0, 1, nt + 1), indexing="ij")
        p = patch.fn(s, t).reshape(-1, 3)
        u0, v0, u1, v1 = patch.rect
        uv = np.column_stack([u0 + s.ravel() * (u1 - u0), v0 + t.ravel() * (v1 - v0)])
        idx = np.arange((ns + 1) * (nt + 1)).reshape(ns + 1, nt + 1)
        a, b = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel()
        c, d = idx[:-1, 1:].ravel(), idx[1:, 1:].ravel()
        quads = np.concatenate([np.stack([a, b, d], 1), np.stack([a, d, c], 1)])
        if patch.flip:
            quads = quads[:, ::-1]
        pos.append(p)
        uvs.append(uv)
        tris.append(quads + base)
        owner.append(np.full(len(quads), k))
        base += len(p)
    return np.vstack(pos), np.vstack(tris), np.vstack(uvs), np.concatenate(owner)


@dataclass
class Texels:
    """Every painted texel: where it is in the image and on the surface."""

    index: np.ndarray  # flat pixel index
    pos: np.ndarray  # (n, 3)
    nrm: np.ndarray  # (n, 3)
    weight: np.ndarray  # surface area the texel covers (0 for padding texels)
    patch: np.ndarray


def texels_of(shape: Shape, size: int = TEX) -> Texels:
    """The texels each patch paints (its atlas rectangle plus 2 texels of padding), with
    the surface point, normal and area each maps to. The patch function is evaluated once
    per texel; normals and areas come from differences between neighbouring texels."""
    idx, pos, nrm, wts, owner = [], [], [], [], []
    for k, patch in enumerate(shape.patches):
        u0, v0, u1, v1 = patch.rect
        j0, j1 = max(0, int(np.floor(u0 * size)) - 2), min(size, int(np.ceil(u1 * size)) + 2)
        i0, i1 = max(0, int(np.floor(v0 * size)) - 2), min(size, int(np.ceil(v1 * size)) + 2)
        jj, ii = np.meshgrid(np.arange(j0, j1), np.arange(i0, i1))
        s = ((jj + 0.5) / size - u0) / (u1 - u0)
        t = ((ii + 0.5) / size - v0) / (v1 - v0)
        inside = (s >= 0) & (s <= 1) & (t >= 0) & (t <= 1)
        p = patch.fn(s, t)  # (rows, cols, 3); padding texels lie just outside the patch
        cross = np.cross(np.gradient(p, axis=1), np.gradient(p, axis=0))
        if patch.flip:
            cross = -cross
        length = np.linalg.norm(cross, axis=-1, keepdims=True)
        n = cross / np.maximum(length, 1e-300)
        idx.append((ii * size + jj).ravel())
        pos.append(p.reshape(-1, 3))
        nrm.append(n.reshape(-1, 3))
        wts.append((length[..., 0] * inside).ravel())
        owner.append(np.full(p.shape[0] * p.shape[1], k))
    return Texels(*(np.concatenate(x) for x in (idx, pos, nrm, wts, owner)))


# --------------------------------------------------------------------------- designs

Design = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # (P, N, detail) -> rgb


def surface_points(tx: Texels, rng: np.random.Generator, k: int) -> np.ndarray:
    """k points drawn uniformly over the surface (for Voronoi seeds, decal centres)."""
    w = tx.weight / tx.weight.sum()
    return tx.pos[rng.choice(len(w), size=k, p=w)]


def _nearest(p: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    d = ((p[:, None, :] - seeds[None, :, :]) ** 2).sum(-1)
    return d.argmin(axis=1)


def design(kind: str, rng: np.random.Generator, tx: Texels, size: float) -> Design:
    """A clean albedo: the colour of each surface point, before any defect. ``detail``
    (0..1 per point) scales the fine detail, for the smoothed-back cases."""
    grain_amp = rng.uniform(0.0, 0.05)
    grain_seed = int(rng.integers(1 << 30))
    grain_freq = rng.uniform(20, 40) / size

    def grain(p: np.ndarray, detail: np.ndarray) -> np.ndarray:
        return 1 + grain_amp * detail * value_noise(p * grain_freq, grain_seed)

    if kind == "uniform":
        colour = paint(rng, sat=(0.0, 0.8))
        return lambda p, n, detail: colour * grain(p, detail)[:, None]
    if kind in ("regions", "tonal"):
        k = int(rng.integers(3, 7))
        seeds = surface_points(tx, rng, k)
        if kind == "regions":
            hues = (rng.random() + np.arange(k) / k + rng.uniform(-0.05, 0.05, k)) % 1.0
            colours = np.array(
                [coloured(h, rng.uniform(0.4, 0.8), rng.uniform(90, 130)) for h in hues]
            )
        else:
            hue, sat = rng.random(), rng.uniform(0.35, 0.7)
            levels = rng.permutation(np.linspace(90, 165, k))
            colours = np.array([coloured(hue, sat, v) for v in levels])
        return lambda p, n, detail: colours[_nearest(p, seeds)] * grain(p, detail)[:, None]
    if kind == "noise":
        colour = paint(rng, 100, 150, sat=(0.1, 0.6))
        amp = rng.uniform(0.15, 0.3)
        freq = rng.uniform(8, 20) / size
        seed = int(rng.integers(1 << 30))

        def noisy(p, n, detail):
            v = 1 + amp * detail * fbm(p * freq, seed, 4)
            return colour * (v * grain(p, detail))[:, None]

        return noisy
    if kind == "stripes":
        a, b = paint(rng), paint(rng)
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        freq = rng.uniform(3, 8) * 2 * np.pi / size

        def striped(p, n, detail):
            m = np.clip(0.5 + 2 * np.sin(p @ axis * freq), 0, 1)[:, None]
            return (a * m + b * (1 - m)) * grain(p, detail)[:, None]

        return striped
    if kind == "decals":
        base = paint(rng)
        k = int(rng.integers(3, 9))
        centres = surface_points(tx, rng, k)
        radius = rng.uniform(0.03, 0.06, k) * size
        white = neutral(rng, 215, 232)

        def decal(p, n, detail):
            d = np.sqrt(((p[:, None, :] - centres[None]) ** 2).sum(-1)) / radius
            m = np.clip((1.0 - d.min(axis=1)) * 40, 0, 1)[:, None]  # hard edge
            return (white * m + base * (1 - m)) * grain(p, detail)[:, None]

        return decal
    raise ValueError(kind)


CLEAN_DESIGNS = ("uniform", "regions", "tonal", "noise", "stripes", "decals")

# fused-material library: colour, metallic, roughness range, grain amplitude
MATERIALS = {
    "metal": lambda rng: (neutral(rng, 180, 225, 0.04), 1.0, (0.2, 0.4), 0.03),
    "rubber": lambda rng: (neutral(rng, 38, 55, 0.08), 0.0, (0.85, 0.95), 0.08),
    "painted": lambda rng: (paint(rng, 90, 160, (0.5, 0.85)), 0.0, (0.35, 0.5), 0.02),
    "leather": lambda rng: (
        coloured(rng.uniform(0.04, 0.1), rng.uniform(0.45, 0.7), rng.uniform(60, 85)),
        0.0,
        (0.6, 0.75),
        0.1,
    ),
    "fabric": lambda rng: (neutral(rng, 175, 205, 0.12) * [1.0, 0.97, 0.9], 0.0, (0.9, 1.0), 0.06),
}


# --------------------------------------------------------------------------- defects


LIGHT_MODELS = ("lambert", "half", "key-fill", "area")


def shading(n: np.ndarray, direction: np.ndarray, strength: float, model: str) -> np.ndarray:
    """Multiplicative light factor in [1 - strength, 1 + strength]. None of the models is
    the detector's linear ``1 + s n . d``: a clamped Lambert key over ambient, Valve's
    half-Lambert (squared), a key with a dimmer fill from the opposite side, and a
    large area light (the cosine convolved with a wide lobe: smooth, saturating)."""
    x = n @ direction
    if model == "lambert":
        return 1 - strength + 2 * strength * np.maximum(x, 0)
    if model == "half":
        return 1 - strength + 2 * strength * ((x + 1) / 2) ** 2
    if model == "key-fill":
        light = np.maximum(x, 0) + 0.35 * np.maximum(-x, 0)
        return 1 - strength + 2 * strength * light
    return 1 - strength + 2 * strength * (np.tanh(2.0 * x) / np.tanh(2.0) + 1) / 2


def occlusion_at(shape: Shape, pos: np.ndarray, nrm: np.ndarray, rays: int = 48) -> np.ndarray:
    """Share of cosine-distributed rays that hit the shape within 0.3 of its size."""
    from embreex import rtcore_scene
    from embreex.mesh_construction import TriangleMesh

    verts, tris, _, _ = build_mesh(shape)
    scene = rtcore_scene.EmbreeScene()
    TriangleMesh(scene=scene, vertices=verts.astype(np.float32), indices=tris.astype(np.int32))
    rng = np.random.default_rng(7)
    helper = np.where(np.abs(nrm[:, :1]) < 0.9, [[1.0, 0, 0]], [[0, 1.0, 0]])
    tan = np.cross(nrm, helper)
    tan /= np.linalg.norm(tan, axis=1, keepdims=True)
    bit = np.cross(nrm, tan)
    hits = np.zeros(len(pos))
    for _ in range(rays):
        r1, r2 = rng.random(len(pos)), rng.random(len(pos))
        r = np.sqrt(r1)[:, None]
        phi = (2 * np.pi * r2)[:, None]
        d = tan * r * np.cos(phi) + bit * r * np.sin(phi) + nrm * np.sqrt(1 - r1)[:, None]
        origin = pos + nrm * (0.002 * shape.size)
        dist = np.full(len(pos), 0.3 * shape.size, dtype=np.float32)
        res = scene.run(
            origin.astype(np.float32), d.astype(np.float32), dists=dist, query="OCCLUDED"
        )
        hits += np.asarray(res) != -1
    return hits / rays


def highlight(
    pos: np.ndarray,
    nrm: np.ndarray,
    centre: np.ndarray,
    normal: np.ndarray,
    size: float,
    p: float,
    distance: float = 0.6,
) -> np.ndarray:
    """Blinn-Phong term of a point light and a camera both at ``distance`` x size along
    ``normal`` from ``centre``: a blob peaking at ``centre`` (on flat faces too, as the
    half vector turns across them), compact unless the surface curves around the eye."""
    eye = centre + normal * distance * size
    h = eye - pos
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    return np.maximum((nrm * h).sum(1), 0) ** p


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    name: str
    shape: str
    group: str  # the defect family the case was made for ("clean", "light", ...)
    labels: dict[str, bool | None]
    asset: Asset
    light_direction: np.ndarray | None = None
    light_strength: float = 0.0
    range_share: float = 0.0  # true share of the surface outside the PBR range
    notes: dict[str, object] = field(default_factory=dict)


def _encode(rgb_linear: np.ndarray, fmt: str, noise: int = 0) -> bytes:
    img = np.round(linear_to_srgb(rgb_linear) * 255)
    if noise:
        rng = np.random.default_rng(int(img.sum()) % (1 << 31))
        img += rng.integers(-noise, noise + 1, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    if fmt == "JPEG":
        Image.fromarray(img).save(buf, "JPEG", quality=92)
    else:
        Image.fromarray(img).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _image(tx: Texels, rgb: np.ndarray, size: int = TEX) -> np.ndarray:
    """An (h, w, 3) image with the painted texels; the rest filled with the mean colour,
    as generators fill atlas gutters."""
    img = np.empty((size * size, 3))
    w = tx.weight / max(tx.weight.sum(), 1e-300)
    img[:] = (rgb * w[:, None]).sum(0)
    img[tx.index] = rgb
    return img.reshape(size, size, 3)


def _out_of_range(rgb: np.ndarray) -> np.ndarray:
    """Texels whose (dielectric) albedo is outside the PBR Guide's range, on the 8-bit
    values a texture stores."""
    srgb8 = np.clip(np.round(linear_to_srgb(rgb) * 255), 0, 255) / 255
    y = linear_to_srgb(srgb_to_linear(srgb8) @ LUMA) * 255
    return (y < PBR_DARK) | (y > PBR_BRIGHT)


def _range_share(
    rgb: np.ndarray, weight: np.ndarray, metallic: np.ndarray, pushed: np.ndarray, mapped: bool
) -> float:
    """Share of the surface (texel areas) out of the PBR range for the reason H004 is
    about: a dielectric pushed out by the light or occlusion painted over it (``pushed``),
    or a metal without a metallic map (metallic from the factor) darker than metal can be."""
    srgb8 = np.clip(np.round(linear_to_srgb(rgb) * 255), 0, 255) / 255
    y = linear_to_srgb(srgb_to_linear(srgb8) @ LUMA) * 255
    metal = metallic >= 0.5
    bad = np.where(metal, (y < PBR_METAL) & (not mapped), pushed)
    return float((weight * bad).sum() / weight.sum())


def _mirror(p: np.ndarray) -> np.ndarray:
    return p * np.array([1.0, 1.0, -1.0])


class _Builder:
    """Assembles one case: shape, design, defects, then the Asset."""

    def __init__(self, index: int, seed: int, group: str, shape_kind: str, rng_extra: int = 0):
        self.rng = np.random.default_rng([seed, index, rng_extra])
        self.index = index
        self.group = group
        self.shape_kind = shape_kind
        self.labels: dict[str, bool | None] = dict.fromkeys(CODES, False)
        self.height: Callable | None = None
        self.shape, self.default_height = make_shape(shape_kind, self.rng)
        self.tx = texels_of(self.shape)
        self.metallic = np.zeros(len(self.tx.pos))
        self.roughness = np.full(len(self.tx.pos), 0.5)
        self.mr_map = self.rng.random() < 0.3
        self.material = Material(name="material", metallic_factor=0.0, roughness_factor=0.5)
        self.textures: list[Texture] = []
        self.format = "PNG" if self.rng.random() < 0.75 else "JPEG"
        self.notes: dict[str, object] = {}
        self.dup_uv = False
        self.light: tuple[np.ndarray, float] | None = None
        self.pushed = np.zeros(len(self.tx.pos), dtype=bool)  # out of range by light

    def reshape(self, height: Callable) -> None:
        """Rebuild a scan shape with another height field."""
        self.shape, _ = make_shape(self.shape_kind, np.random.default_rng([self.index, 99]), height)
        self.tx = texels_of(self.shape)
        self.pushed = np.zeros(len(self.tx.pos), dtype=bool)
        self.metallic = np.zeros(len(self.tx.pos))
        self.roughness = np.full(len(self.tx.pos), 0.5)

    def paint(self, kind: str, mirror: bool = False, detail: np.ndarray | None = None):
        d = design(kind, self.rng, self.tx, self.shape.size)
        p, n = self.tx.pos, self.tx.nrm
        if mirror:
            back = p[:, 2] < 0
            p = np.where(back[:, None], _mirror(p), p)
            n = np.where(back[:, None], _mirror(n), n)
        self.rgb = d(p, n, np.ones(len(p)) if detail is None else detail)
        self.notes["design"] = kind

    def add_light(self, strength: float) -> None:
        d = self.rng.normal(size=3)
        d /= np.linalg.norm(d)
        model = LIGHT_MODELS[int(self.rng.integers(len(LIGHT_MODELS)))]
        tint = 1 + self.rng.uniform(-0.15, 0.15, 3)  # warm or cool, not the white assumed
        f = shading(self.tx.nrm, d, strength, model)
        unlit = self.rgb.copy()
        self.rgb = self.rgb * np.clip(1 + (f[:, None] - 1) * tint, 0, None)
        self.pushed |= _out_of_range(self.rgb) & ~_out_of_range(unlit)
        self.light = (d, strength)
        self.notes["light_model"] = model
        self.labels["H001"] = True  # weak light too: it is there

    def add_ao(self) -> None:
        occ = self._occlusion()
        alpha = self.rng.uniform(0.5, 0.9)
        unlit = self.rgb.copy()
        self.rgb = self.rgb * (1 - alpha * occ)[:, None]
        self.pushed |= _out_of_range(self.rgb) & ~_out_of_range(unlit)
        self.labels["H002"] = True
        self.notes["ao"] = round(alpha, 2)

    def _occlusion(self) -> np.ndarray:
        """Occlusion per texel, computed on every other texel row/column and spread."""
        coarse = (self.tx.index // TEX) % 2 == 0
        coarse &= (self.tx.index % TEX) % 2 == 0
        occ_c = occlusion_at(self.shape, self.tx.pos[coarse], self.tx.nrm[coarse])
        grid = np.zeros(TEX * TEX)
        grid[self.tx.index[coarse]] = occ_c
        img = grid.reshape(TEX // 2, 2, TEX // 2, 2)[:, 0, :, 0]
        full = np.repeat(np.repeat(img, 2, 0), 2, 1).ravel()
        have = np.zeros(TEX * TEX, dtype=bool)
        have[self.tx.index[coarse]] = True
        full_have = np.repeat(
            np.repeat(have.reshape(TEX // 2, 2, TEX // 2, 2)[:, 0, :, 0], 2, 0), 2, 1
        )
        out = full[self.tx.index]
        missing = ~full_have.ravel()[self.tx.index]
        if missing.any():  # texels whose coarse neighbour was not painted: compute directly
            out[missing] = occlusion_at(self.shape, self.tx.pos[missing], self.tx.nrm[missing])
        return out

    def add_highlights(self) -> None:
        k = int(self.rng.integers(1, 4))
        total = np.zeros(len(self.tx.pos))
        w = self.tx.weight / self.tx.weight.sum()
        for _ in range(k):
            i = self.rng.choice(len(w), p=w)
            shininess = self.rng.uniform(60, 300)
            distance = 0.6
            while True:
                term = highlight(
                    self.tx.pos,
                    self.tx.nrm,
                    self.tx.pos[i],
                    self.tx.nrm[i],
                    self.shape.size,
                    shininess,
                    distance,
                )
                # inside a concave dome (the helmet's inner side) an eye near the dome's
                # centre lights a quarter of the surface: no compact blob. Come closer.
                if w @ (term > 0.5) <= HIGHLIGHT_SHARE or distance < 0.05:
                    break
                distance /= 2
            total = np.maximum(total, term)
        strength = self.rng.uniform(0.6, 1.0)
        self.rgb = self.rgb + strength * total[:, None] * (1 - np.clip(self.rgb, 0, 1))
        self.labels["H003"] = True
        self.notes["highlights"] = k

    def finish(self, name: str, extra_textures: Callable | None = None) -> Case:
        pos, tris, uvs, _ = build_mesh(self.shape)
        if self.dup_uv:
            pos, tris, uvs = _duplicate_back_uvs(self.shape, pos, tris, uvs)
        rgb = np.clip(self.rgb, 0, 1)
        self.textures.append(
            Texture.from_bytes(
                "albedo", "embedded", _encode(_image(self.tx, rgb), self.format, PHOTO_NOISE)
            )
        )
        self.material.textures["base_color"] = TextureSlot(0)
        if self.mr_map:
            mr = np.zeros((len(self.tx.pos), 3))
            mr[:, 1] = self.roughness
            mr[:, 2] = self.metallic
            img = _image(self.tx, srgb_to_linear(mr))  # stored as linear data, not colour
            self.textures.append(Texture.from_bytes("mr", "embedded", _encode(img, "PNG")))
            self.material.textures["metallic_roughness"] = TextureSlot(len(self.textures) - 1)
            self.material.metallic_factor = 1.0
            self.material.roughness_factor = 1.0
        if extra_textures is not None:
            extra_textures(self)
        mesh = Mesh("object", pos, tris, uvs=[uvs.astype(np.float32)])
        mesh.material_indices = np.zeros(len(tris), dtype=np.int32)
        asset = Asset(
            path=Path(f"{name}.glb"),
            format="glb",
            file_size=0,
            meshes=[mesh],
            materials=[self.material],
            textures=self.textures,
        )
        single_node_scene(asset)
        metallic = (
            self.metallic if self.mr_map else np.full(len(rgb), self.material.metallic_factor)
        )
        share = _range_share(rgb, self.tx.weight, metallic, self.pushed, self.mr_map)
        self.labels["H004"] = share > RANGE_LIMIT
        if abs(share - RANGE_LIMIT) < 0.015:
            self.labels["H004"] = None  # too close to the limit to score a sampled estimate
        case = Case(name, self.shape_kind, self.group, dict(self.labels), asset, range_share=share)
        if self.light is not None:
            case.light_direction, case.light_strength = self.light
        case.notes = dict(self.notes, format=self.format)
        return case


def _duplicate_back_uvs(shape: Shape, pos, tris, uvs):
    """Give every triangle behind z = 0 its own vertices whose UVs are those of the
    mirrored point in front (u -> 1 - u on patches whose s is the azimuth): the back then
    reuses the front's texels, as a generator that mirrors its UV layout does."""
    centroid_z = pos[tris].mean(axis=1)[:, 2]
    back = centroid_z < 0
    used = np.unique(tris[back])
    new_index = np.full(len(pos), -1)
    new_index[used] = len(pos) + np.arange(len(used))
    new_uv = uvs[used].copy()
    # every patch of the sphere-like shapes spans u in [0, 1] along its azimuth
    new_uv[:, 0] = 1.0 - new_uv[:, 0]
    tris = tris.copy()
    tris[back] = new_index[tris[back]]
    return np.vstack([pos, pos[used]]), tris, np.vstack([uvs, new_uv])


SPLITS = {"tuning": 0, "scoring": 1}  # split -> seed: every mesh, design and defect differs


def generate(
    seed: int = 0, part: int = 0, parts: int = 1, every: int = 1, offset: int = 0
) -> Iterator[Case]:
    """The corpus, case by case (474 cases). Only the cases whose index draws ``offset``
    of ``every`` are built (a random subsample of every family), and with ``parts`` > 1 only
    every ``parts``-th of those, from ``part`` (the others are skipped unbuilt), so that
    several processes can share the work; each case is the same either way. The seed
    draws every shape's proportions and displacement field, every design and defect:
    seeds 0 and 1 (:data:`SPLITS`) share the shape families, not one mesh."""
    shapes = ("sphere", "box", "helmet", "chair", "scan")
    index = 0

    kept = 0

    def take() -> bool:
        """Move to the next case; whether this part builds it. The subsample is drawn by
        a hash of the index, not its residue, which would alias with the families'
        alternating patterns (every 4th light case weak, every 2nd with a map)."""
        nonlocal index, kept
        index += 1
        draw = np.random.default_rng([index, 1789]).integers(every)
        if draw != offset:
            return False
        kept += 1
        return (kept - 1) % parts == part

    def builder(group: str, shape: str) -> _Builder:
        return _Builder(index, seed, group, shape)

    # clean: every shape x every design, 3 each for variety (90 cases)
    for rep in range(3):
        for shape in shapes:
            for kind in CLEAN_DESIGNS:
                if not take():
                    continue
                b = builder("clean", shape)
                b.paint(kind)
                yield b.finish(f"clean-{shape}-{kind}-{rep}")

    # baked light: 20 per shape, a quarter weak (strength 0.05-0.17), the rest 0.17-0.8
    # (100 cases)
    for shape in shapes:
        for rep in range(20):
            if not take():
                continue
            b = builder("light", shape)
            b.paint(CLEAN_DESIGNS[rep % len(CLEAN_DESIGNS)])
            weak = rep % 4 == 0  # a quarter weak: lit/unlit contrast 1.1 to 1.4
            b.add_light(float(b.rng.uniform(*WEAK_LIGHT) if weak else b.rng.uniform(0.17, 0.8)))
            yield b.finish(f"light-{shape}-{rep}")

    # baked ambient occlusion: shapes with occluded areas (45 cases)
    for shape in ("helmet", "chair", "scan"):
        for rep in range(15):
            if not take():
                continue
            b = builder("ao", shape)
            b.paint(("uniform", "noise", "regions", "stripes", "tonal")[rep % 5])
            b.add_ao()
            yield b.finish(f"ao-{shape}-{rep}")

    # painted highlights (40 cases)
    for rep in range(40):
        shape = shapes[rep % 5]
        if not take():
            continue
        b = builder("highlight", shape)
        b.paint(("uniform", "noise", "regions", "stripes", "tonal", "decals")[rep % 6])
        b.add_highlights()
        yield b.finish(f"highlight-{shape}-{rep}")

    # combined: light, occlusion and highlights together, as photos give them (20 cases)
    for rep in range(20):
        shape = ("helmet", "chair", "scan")[rep % 3]
        if not take():
            continue
        b = builder("combined", shape)
        b.paint(("uniform", "noise", "regions")[rep % 3])
        b.add_ao()
        b.add_light(float(b.rng.uniform(0.3, 0.7)))
        if rep % 2 == 0:
            b.add_highlights()
        yield b.finish(f"combined-{shape}-{rep}")

    # out-of-range albedo (25 cases): the whole object too dark (baked shadow, black
    # paint below charcoal), blown out to white, or a metal darker than any metal
    for rep in range(25):
        if not take():
            continue
        b = builder("range", shapes[rep % 5])
        b.paint(("uniform", "regions", "noise")[rep % 3])
        mode = ("dark", "bright", "metal")[rep % 3]
        level = float(np.average(b.rgb @ LUMA, weights=b.tx.weight))
        if mode == "dark":
            target = srgb_to_linear(np.array(b.rng.uniform(8, 22) / 255))
            b.rgb = b.rgb * (target / level)
        elif mode == "bright":
            white = neutral(b.rng, 246, 252, 0.02)
            b.rgb = white * (0.97 + 0.03 * (b.rgb @ LUMA) / level)[:, None]
        else:
            b.rgb[:] = neutral(b.rng, 80, 140, 0.05)
            b.material.metallic_factor = 1.0
            b.mr_map = False
        b.notes["range"] = mode
        yield b.finish(f"range-{b.shape_kind}-{mode}-{rep}")

    # unlit and emissive-as-albedo (24 cases: 18 positive, 6 look-alikes)
    for rep in range(24):
        if not take():
            continue
        b = builder("unlit", shapes[rep % 5])
        b.paint(CLEAN_DESIGNS[rep % len(CLEAN_DESIGNS)])
        mode = ("unlit", "same-texture", "copy", "glow-map")[rep % 4]
        b.notes["unlit"] = mode
        if mode == "unlit":
            b.material.unlit = True
            b.material.workflow = "unlit"
            b.labels["H005"] = True
            yield b.finish(f"unlit-{b.shape_kind}-{rep}")
            continue

        def emissive(builder: _Builder, mode: str = mode) -> None:
            builder.material.emissive_factor = np.ones(3, dtype=np.float32)
            if mode == "same-texture":
                builder.material.textures["emissive"] = TextureSlot(0)
                return
            if mode == "copy":
                data = builder.textures[0].data()
                img = Image.open(io.BytesIO(data)).convert("RGB")
                buf = io.BytesIO()
                img.save(buf, "JPEG" if builder.format == "PNG" else "PNG")
                tex = Texture.from_bytes("emissive", "embedded", buf.getvalue())
            else:
                glow = np.zeros((len(builder.tx.pos), 3))
                spots = surface_points(builder.tx, builder.rng, 3)
                near = np.sqrt(((builder.tx.pos[:, None] - spots[None]) ** 2).sum(-1)).min(1)
                glow[near < 0.05 * builder.shape.size] = [1.0, 0.8, 0.3]
                tex = Texture.from_bytes(
                    "glow", "embedded", _encode(_image(builder.tx, glow), "PNG")
                )
            builder.textures.append(tex)
            builder.material.textures["emissive"] = TextureSlot(len(builder.textures) - 1)

        b.labels["H005"] = mode != "glow-map"
        yield b.finish(f"emissive-{b.shape_kind}-{mode}-{rep}", emissive)

    # fused materials: 2-4 materials in one texture (45 cases)
    names = list(MATERIALS)
    for rep in range(45):
        shape = shapes[rep % 5]
        if not take():
            continue
        b = builder("fused", shape)
        k = 2 + rep % 3
        chosen = list(b.rng.choice(names, size=k, replace=False))
        seeds = surface_points(b.tx, b.rng, 2 * k)
        cell = _nearest(b.tx.pos, seeds)
        owner = np.concatenate([np.arange(k), b.rng.integers(0, k, k)])[cell]
        b.rgb = np.empty((len(b.tx.pos), 3))
        b.mr_map = rep % 2 == 0
        for m, name in enumerate(chosen):
            colour, metal, rough, grain = MATERIALS[name](b.rng)
            sel = owner == m
            noise = value_noise(b.tx.pos[sel] * 30 / b.shape.size, int(b.rng.integers(1 << 30)))
            b.rgb[sel] = colour * (1 + grain * noise)[:, None]
            b.metallic[sel] = metal
            b.roughness[sel] = b.rng.uniform(*rough)
        # with a metallic-roughness map the materials are told apart by it, as PBR intends
        b.labels["H006"] = not b.mr_map
        b.notes["fused"] = chosen
        yield b.finish(f"fused-{shape}-{k}-{rep}")

    # smoothed ("melted") back: geometry, texture or both (45 cases)
    for rep in range(45):
        mode = ("geometry", "texture", "both")[rep % 3]
        shape = "scan" if mode != "texture" else shapes[rep % 5]
        if not take():
            continue
        b = builder("back", shape)
        keep = b.rng.uniform(0.0, 0.3)  # share of the detail the back keeps
        size = b.shape.size

        def weight(p: np.ndarray, keep: float = keep, size: float = size) -> np.ndarray:
            """Detail kept at a point of the base shape: all in front, ``keep`` behind."""
            x = np.clip((p[:, 2] / size + 0.05) / 0.1, 0, 1)
            return keep + (1 - keep) * x * x * (3 - 2 * x)

        def facing(n: np.ndarray, keep: float = keep) -> np.ndarray:
            """The same by the way the surface faces: what the front photo cannot see."""
            x = np.clip((n[:, 2] + 0.2) / 0.4, 0, 1)
            return keep + (1 - keep) * x * x * (3 - 2 * x)

        if mode != "texture":
            default = b.default_height

            def smooth(p: np.ndarray, default=default, weight=weight) -> np.ndarray:
                return default(p) * weight(p)

            b.reshape(smooth)
        if mode == "geometry":
            b.paint(("uniform", "regions", "noise")[rep % 3])
        else:
            b.paint("noise", detail=facing(b.tx.nrm))
        # a plainer back shape alone is a design as often as an invention: the paint decides
        b.labels["H007"] = mode != "geometry"
        b.notes["back"] = (mode, round(keep, 2))
        yield b.finish(f"back-{shape}-{mode}-{rep}")

    # mirrored back: geometry and texture repeat the front (40 cases)
    for rep in range(40):
        shape = ("sphere", "box", "helmet", "scan")[rep % 4]
        if not take():
            continue
        b = builder("mirror", shape)
        if shape == "scan":
            default = b.default_height

            def mirrored(p: np.ndarray, default=default) -> np.ndarray:
                return default(np.where(p[:, 2:3] < 0, _mirror(p), p))

            b.reshape(mirrored)
        dup = shape != "box" and rep % 2 == 1
        if dup:
            b.paint(("noise", "regions", "decals")[rep % 3])
            b.dup_uv = True
        else:
            b.paint(("noise", "regions", "decals")[rep % 3], mirror=True)
        # mirrored UVs (the same texels) are an artist's way of saving texture space
        b.labels["H008"] = not dup
        b.notes["mirror"] = "duplicated UVs" if dup else "mirrored texture"
        yield b.finish(f"mirror-{shape}-{rep}")
