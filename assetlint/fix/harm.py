"""Proof that a repair did no harm: what the asset looks like and is made of, measured
before and after each geometry step, and the step undone when it lost what it was not
asked to change.

A :class:`Signature` holds, in world space:

- colour: the base colour (material factor x texture x vertex colour, linear RGB) at
  points spread over the surface, measured again on the nearest point of the repaired
  surface (so a lost texture, a dropped COLOR_0 or shuffled UVs show);
- silhouette: coarse coverage masks from the six axis views, drawn by the renderer's
  rasterizer with the cameras of the *before* bounds, so both are in one frame;
- shells: closed shells that face outward, inward at the top level, cavities and
  hidden ones (:mod:`assetlint.geometry.shells`);
- non-manifold edges: a repair must not make the surface branch (G001);
- UV coverage: the share of the surface (by area) with finite UVs in the first set;
- materials: how many materials faces use.

The scene steps (units, axes, pivot) move the whole asset rigidly or scale it, and are
not compared: nothing in them can lose colour or shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assetlint.model import Asset

if TYPE_CHECKING:
    from assetlint.geometry.raster import Scene

SAMPLES = 2048  # surface points whose colour is compared
VIEW_PIXELS = 96  # side of each silhouette mask
# A step loses colour when the mean difference over the points exceeds this (linear RGB,
# 0..1): about 10/255 in sRGB mid-tones. Decimating a TripoSR output to a quarter of its
# triangles and baking its colours moves them by 0.01-0.02; dropping them moves 0.2+.
COLOUR_TOLERANCE = 0.04
# A step changes the silhouette when more than this share of the pixels the object covers
# in a view flips: deleting floaters or closing pinholes changes well under 1%.
SILHOUETTE_TOLERANCE = 0.03
UV_TOLERANCE = 0.01  # share of the surface allowed to lose its UVs
FAR = 0.02  # points farther than this share of the diagonal from the repaired surface
# (the geometry they were on was deleted on purpose, e.g. a floater) are not compared


# A far-flung but finite scene (a node scaled 1e200) overflows in products: the measures
# judge it, numpy does not print it on stderr.
_QUIET = np.errstate(over="ignore", invalid="ignore")


@dataclass(frozen=True)
class Signature:
    points: np.ndarray  # (n, 3) world points on the surface
    colour: np.ndarray  # (n, 3) linear base colour at them
    distance: np.ndarray  # (n,) from each point to this surface (0 on the surface it was
    # sampled from; a deleted floater's points are far from the repaired one)
    masks: np.ndarray  # (6, VIEW_PIXELS, VIEW_PIXELS) bool
    bounds: np.ndarray  # (2, 3) world bounds the masks were framed on
    shells: dict[str, int]
    nonmanifold: int
    uv_share: float
    materials: int


def _world_triangles(asset: Asset, scene: Scene | None = None):
    """(corners (m, 3, 3), mesh index, local face) of every placed triangle, from
    ``scene`` when the caller built it already."""
    from assetlint.geometry.raster import build_scene

    scene = build_scene(asset) if scene is None else scene
    owner = [np.full(len(kept), mesh, dtype=np.int64) for mesh, _, kept in scene.instances]
    local = [kept for _, _, kept in scene.instances]
    corners = scene.positions[scene.triangles] if len(scene.triangles) else np.zeros((0, 3, 3))
    if not owner:
        return corners, np.zeros(0, np.int64), np.zeros(0, np.int64)
    return corners, np.concatenate(owner), np.concatenate(local)


@_QUIET
def surface_points(asset: Asset, count: int = SAMPLES, scene: Scene | None = None) -> np.ndarray:
    """``count`` points spread over the world surface by area (a fixed seed: the same
    asset gives the same points)."""
    corners, _, _ = _world_triangles(asset, scene)
    if not len(corners):
        return np.zeros((0, 3))
    area = 0.5 * np.linalg.norm(
        np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1
    )
    rng = np.random.default_rng(16)
    total = area.sum()  # inf (or NaN) when finite corners are too far apart to multiply
    ok = np.isfinite(total) and total > 0
    weights = area / total if ok else np.full(len(area), 1 / len(area))
    face = rng.choice(len(corners), size=count, p=weights)
    r1, r2 = rng.random(count), rng.random(count)
    s = np.sqrt(r1)
    bary = np.stack([1 - s, s * (1 - r2), s * r2], axis=1)
    return np.einsum("nk,nkj->nj", bary, corners[face])


def _nearest(corners: np.ndarray, points: np.ndarray):
    """(face, barycentric (n, 3), distance) of the nearest of the 16 triangles whose
    centroids are nearest each point, by projection onto its plane (clamped inside)."""
    from scipy.spatial import cKDTree

    k = min(16, len(corners))
    _, near = cKDTree(corners.mean(axis=1)).query(points, k=k)
    # a neighbour not found (distances overflowing to inf) comes back as len(corners)
    near = np.minimum(near.reshape(len(points), k), len(corners) - 1)
    a, b, c = (corners[near, i] for i in range(3))
    e1, e2, d = b - a, c - a, points[:, None, :] - a
    d11, d12, d22 = (e1 * e1).sum(-1), (e1 * e2).sum(-1), (e2 * e2).sum(-1)
    d1, d2 = (d * e1).sum(-1), (d * e2).sum(-1)
    den = d11 * d22 - d12 * d12
    ok = np.abs(den) > 1e-30
    den = np.where(ok, den, 1.0)
    v = np.clip((d22 * d1 - d12 * d2) / den, 0, 1)
    w = np.clip((d11 * d2 - d12 * d1) / den, 0, 1)
    scale = np.maximum(v + w, 1.0)
    v, w = v / scale, w / scale
    bary = np.stack([1 - v - w, v, w], axis=-1)
    foot = np.einsum("nkc,nkcj->nkj", bary, np.stack([a, b, c], axis=2))
    dist = np.where(ok, np.linalg.norm(foot - points[:, None, :], axis=-1), np.inf)
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(points))
    return near[rows, best], bary[rows, best], dist[rows, best]


def surface_colour(asset: Asset, points: np.ndarray, scene: Scene | None = None) -> np.ndarray:
    """Linear base colour (n, 3) of the surface nearest each world point, as glTF
    defines it: material factor x base-colour texture x COLOR_0 (white where absent)."""
    return _colour_and_distance(asset, points, scene)[0]


def _colour_and_distance(
    asset: Asset, points: np.ndarray, scene: Scene | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`surface_colour` and the distance from each point to the surface, from one
    nearest-triangle search."""
    from assetlint.analysis.albedo import bilinear, decode_texture, image_to_linear

    corners, owner, local = _world_triangles(asset, scene)
    out = np.ones((len(points), 3))
    if not len(corners) or not len(points):
        return out, np.full(len(points), np.inf)
    face, bary, distance = _nearest(corners, points)
    decoded: dict[int, np.ndarray | None] = {}
    for mesh_index in np.unique(owner[face]):
        mesh = asset.meshes[mesh_index]
        rows = np.flatnonzero(owner[face] == mesh_index)
        tri = mesh.triangles[local[face[rows]]]
        w = bary[rows]
        if mesh.colors is not None and len(mesh.colors) == mesh.vertex_count:
            vc = np.einsum("nk,nkj->nj", w, mesh.colors[tri][:, :, :3].astype(np.float64))
            out[rows] *= np.clip(vc, 0, 1)
        slots = mesh.material_indices[local[face[rows]]]
        for slot in np.unique(slots):
            if not 0 <= slot < len(asset.materials):
                continue
            mine = rows[slots == slot]
            sel = slots == slot
            material = asset.materials[slot]
            out[mine] *= np.asarray(material.base_color_factor, dtype=np.float64)[:3]
            tex = material.textures.get("base_color")
            if tex is None or tex.uv_set >= len(mesh.uvs):
                continue
            if tex.texture not in decoded:
                ok = 0 <= tex.texture < len(asset.textures)
                decoded[tex.texture] = decode_texture(asset.textures[tex.texture]) if ok else None
            pixels = decoded[tex.texture]
            if pixels is None:
                continue
            uv = np.einsum("nk,nkj->nj", w[sel], mesh.uvs[tex.uv_set][tri[sel]].astype(float))
            out[mine] *= image_to_linear(bilinear(pixels, uv)[:, :3])
    return out, distance


def silhouettes(asset: Asset, bounds: np.ndarray, scene: Scene | None = None) -> np.ndarray:
    """(6, VIEW_PIXELS, VIEW_PIXELS) coverage masks of the six axis views, framed on
    ``bounds`` (the same cameras before and after a step)."""
    from assetlint.geometry.raster import build_scene, cameras, rasterize

    scene = build_scene(asset) if scene is None else scene
    cams = cameras(bounds, VIEW_PIXELS)[:6]
    return np.stack([rasterize(scene, cam).triangle >= 0 for cam in cams])


def shell_counts(asset: Asset) -> dict[str, int]:
    """Closed shells by kind over all meshes: outward and inward outer shells, cavities,
    hidden shells (nested in a shell of their own mesh or, in the scene, of another)."""
    from assetlint.geometry.shells import nesting, nesting_across_meshes
    from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, topology

    counts = {"outward": 0, "inward": 0, "cavity": 0, "hidden": 0}
    for index, mesh in enumerate(asset.meshes):
        if not mesh.triangle_count:
            continue
        topo = topology(mesh)
        nest = nesting(topo)
        across = nesting_across_meshes(asset, DEFAULT_WELD_TOLERANCE).get(index)
        kind = nest.kind.copy()
        if across is not None:
            kind = np.where(kind == "outer", np.where(across == "", "outer", across), kind)
        outer = kind == "outer"
        counts["outward"] += int(np.count_nonzero(outer & (topo.part_volumes > 0)))
        counts["inward"] += int(np.count_nonzero(outer & (topo.part_volumes < 0)))
        counts["cavity"] += int(np.count_nonzero(kind == "cavity"))
        counts["hidden"] += int(np.count_nonzero((kind == "hidden") & topo.part_closed))
    return counts


def nonmanifold_edges(asset: Asset) -> int:
    """Edges shared by more than two faces, over all meshes (what G001 counts)."""
    from assetlint.geometry.topology import topology

    return sum(
        len(topology(mesh).nonmanifold_edges) for mesh in asset.meshes if mesh.triangle_count
    )


def uv_share(asset: Asset) -> float:
    """Share of the surface area (mesh-local) whose triangles have finite first-set UVs."""
    total = covered = 0.0
    for mesh in asset.meshes:
        tris = mesh.triangles[((mesh.triangles >= 0) & (mesh.triangles < mesh.vertex_count)).all(1)]
        if not len(tris):
            continue
        p = mesh.positions.astype(np.float64)[tris]
        area = 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
        area = np.nan_to_num(area)
        total += area.sum()
        if mesh.uvs:
            ok = np.isfinite(mesh.uvs[0][tris]).all(axis=(1, 2))
            covered += area[ok].sum()
    return covered / total if total > 0 else 1.0


def used_materials(asset: Asset) -> int:
    """How many materials the faces use (a repair must not strip a material off)."""
    used: set[int] = set()
    for mesh in asset.meshes:
        slots = np.unique(mesh.material_indices)
        used.update(int(s) for s in slots if 0 <= s < len(asset.materials))
    return len(used)


@_QUIET
def signature(asset: Asset, frame: Signature | None = None) -> Signature | None:
    """The asset's :class:`Signature`; with ``frame`` (the one before a step), measured at
    its points and through its cameras. None for an asset with nothing drawn."""
    bounds = asset.bounds() if frame is None else frame.bounds
    if bounds is None or not np.isfinite(bounds).all():
        return None
    from assetlint.geometry.raster import build_scene

    scene = build_scene(asset)  # once per state: points, colours and views share it
    points = surface_points(asset, scene=scene) if frame is None else frame.points
    colour, distance = _colour_and_distance(asset, points, scene)
    return Signature(
        points=points,
        colour=colour,
        distance=distance,
        masks=silhouettes(asset, bounds, scene),
        bounds=bounds,
        shells=shell_counts(asset),
        nonmanifold=nonmanifold_edges(asset),
        uv_share=uv_share(asset),
        materials=used_materials(asset),
    )


# What each guarded step is asked to change, and so may change without being undone.
ASKED: dict[str, frozenset[str]] = {
    "weld": frozenset(),
    "cleanup": frozenset(),
    "manifold": frozenset(),
    "winding": frozenset({"orientation"}),
    "floaters": frozenset({"outer shells", "materials"}),
    "hidden": frozenset({"hidden shells", "materials"}),
    "holes": frozenset({"coverage gain"}),
    "decimate": frozenset(),
    "bake": frozenset({"materials"}),
    "textures": frozenset(),
}


@_QUIET
def harm(step: str, before: Signature, after: Signature | None) -> list[str]:
    """What the step lost that it was not asked to change, one line each (empty: none)."""
    if after is None:
        return ["the asset has nothing left to draw"]
    asked = ASKED.get(step, frozenset())
    lost = []
    diagonal = float(np.linalg.norm(before.bounds[1] - before.bounds[0])) or 1.0
    if len(before.points):
        near = after.distance <= FAR * diagonal
        if near.any():
            diff = np.abs(after.colour[near] - before.colour[near]).mean(axis=1)
            if float(diff.mean()) > COLOUR_TOLERANCE:
                lost.append(
                    f"colour: mean difference {diff.mean():.3f} over {int(near.sum()):,} "
                    f"surface points (limit {COLOUR_TOLERANCE})"
                )
    covered = np.maximum(before.masks.sum(axis=(1, 2)), 1)
    changed = before.masks & ~after.masks  # coverage lost
    if "coverage gain" not in asked:  # a filled hole covers what showed through it
        changed |= after.masks & ~before.masks
    flipped = changed.sum(axis=(1, 2)) / covered
    if flipped.max() > SILHOUETTE_TOLERANCE:
        lost.append(
            f"silhouette: {flipped.max():.1%} of a view's pixels changed "
            f"(limit {SILHOUETTE_TOLERANCE:.0%})"
        )
    b, a = before.shells, after.shells
    hidden_lost = a["hidden"] < b["hidden"] and "hidden shells" not in asked
    if a["cavity"] < b["cavity"] or hidden_lost:
        lost.append(
            f"nested shells: cavities {b['cavity']} -> {a['cavity']}, hidden shells "
            f"{b['hidden']} -> {a['hidden']}"
        )
    if "orientation" not in asked and a["inward"] > b["inward"]:
        lost.append(f"orientation: inside-out outer shells {b['inward']} -> {a['inward']}")
    if "outer shells" not in asked and a["outward"] + a["inward"] < b["outward"] + b["inward"]:
        lost.append(f"closed shells: {b['outward'] + b['inward']} -> {a['outward'] + a['inward']}")
    if after.nonmanifold > before.nonmanifold:
        lost.append(f"non-manifold edges: {before.nonmanifold} -> {after.nonmanifold}")
    if after.uv_share < before.uv_share - UV_TOLERANCE:
        lost.append(f"UV coverage: {before.uv_share:.1%} -> {after.uv_share:.1%} of the surface")
    if "materials" not in asked and after.materials < before.materials:
        lost.append(f"materials used: {before.materials} -> {after.materials}")
    return lost
