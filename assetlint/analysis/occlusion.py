"""Ambient occlusion at surface samples, by ray casting with Embree.

A point's occlusion is the share of a few cosine-distributed rays over its normal that hit
geometry within a radius (a fraction of the object's size): 0 on open convex surface, 1 at
the bottom of a crevice. Rays are cast with Intel Embree through ``embreex``, the engine
behind trimesh's fast ray module, with occlusion queries bounded by the radius.

Building Embree's BVH costs about a microsecond per triangle here, so scenes above
:data:`PROXY_TRIANGLES` are first simplified by vertex clustering (vertices merged on a
grid sized for about :data:`PROXY_TRIANGLES` triangles, degenerate triangles dropped):
occlusion at the scale of the radius does not depend on detail finer than the grid, and
rays start one grid cell above the surface so the coarser proxy does not shadow itself.

The rules share one cast per asset (:func:`shared_occlusion`): each ray is cast once,
and again only when a later rule asks for a longer reach than the one it missed within.
A point whose plane has no geometry above it cannot be hit by any ray over its normal
(the faces of a convex object): it is answered without rays, so a simple asset costs
nothing here and the rays go where the surface is concave.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from assetlint.analysis import memo
from assetlint.analysis.albedo import Samples, instance_list, mesh_prep, world_areas
from assetlint.arrays import column_bounds, finite_rows
from assetlint.model import Asset, transform_points

PROXY_TRIANGLES = 60_000
MAX_CELLS = 2_000_000  # dense clustering grid
SEED = 7
GOLDEN = np.pi * (3 - np.sqrt(5))  # golden angle, radians
# Points are tested for exposure (see _exposed) when normals x scene vertices is at most this.
EXPOSURE_WORK = 4_000_000
EXPOSURE_VERTICES = EXPOSURE_WORK // 8  # a scene with more is cast whole (see _exposed)
EXPOSURE_MARGIN = 1e-5  # of the scene's size: a plane's own vertices are not above it
_LOCK = threading.Lock()


@dataclass
class Occluder:
    """The scene's triangles in world space, ready for ray queries."""

    scene: object  # embreex EmbreeScene
    centre: np.ndarray  # vertices were shifted by -centre and divided by scale
    scale: float
    cell: float  # proxy grid size in metres (0 for the exact geometry)
    triangles: int
    vertices: np.ndarray | None  # (v, 3) the scene's vertices, normalised; None when many


def occluder(asset: Asset) -> Occluder | None:
    """Embree scene of every instanced mesh, once per asset; None without triangles."""
    return memo(asset, "occlusion.scene", lambda: _build(asset))


def _build(asset: Asset) -> Occluder | None:
    from embreex import rtcore_scene
    from embreex.mesh_construction import TriangleMesh

    verts, tris, base = [], [], 0
    area = 0.0
    for mesh_index, world in instance_list(asset):
        mesh = asset.meshes[mesh_index]
        prep = mesh_prep(mesh)
        if not len(prep.triangles):
            continue
        pos = transform_points(mesh.positions, world)
        verts.append(pos)
        tris.append(prep.triangles + base if base else prep.triangles)
        base += len(pos)
        area += float(world_areas(prep, world).sum())
    if not verts:
        return None
    v = np.vstack(verts) if len(verts) > 1 else verts[0]
    t = np.vstack(tris) if len(tris) > 1 else tris[0]
    cell = 0.0
    if len(t) > PROXY_TRIANGLES:
        cell = float(np.sqrt(2.0 * area / PROXY_TRIANGLES))
        v, t = _cluster(v, t, cell)
        cell = float(np.sqrt(2.0 * area / max(len(t), 1)))  # the grid may have grown
    finite = finite_rows(v)
    if not finite.all():
        t = t[finite[t].all(axis=1)]
        v = np.where(finite[:, None], v, 0.0)
    if not len(t):
        return None
    lo, hi = column_bounds(v[finite] if not finite.all() else v)
    centre = (lo + hi) / 2
    scale = float(np.max(hi - lo)) or 1.0
    scene = rtcore_scene.EmbreeScene()
    vertices = ((v - centre) / scale).astype(np.float32)
    TriangleMesh(scene=scene, vertices=vertices, indices=np.ascontiguousarray(t, dtype=np.int32))
    used = np.zeros(len(vertices), dtype=bool)
    used[t.ravel()] = True
    kept = vertices[used] if np.count_nonzero(used) <= EXPOSURE_VERTICES else None
    return Occluder(scene, centre, scale, cell, len(t), kept)


def _cluster(v: np.ndarray, t: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertex clustering: one vertex (the mean) per occupied cell of a grid, indexed
    densely (no sort): the grid is coarsened until it has at most MAX_CELLS cells."""
    finite = finite_rows(v)
    lo, hi = column_bounds(v[finite] if not finite.all() else v)
    extent = hi - lo
    while np.prod(np.floor(extent / cell) + 1) > MAX_CELLS:
        cell *= 1.25
    dims = (np.floor(extent / cell) + 1).astype(np.int64)
    if not finite.all():
        v = np.where(finite[:, None], v, lo)
    q = np.floor((v - lo) / cell).astype(np.int64)
    q = np.minimum(q, dims - 1)
    key = (q[:, 0] * dims[1] + q[:, 1]) * dims[2] + q[:, 2]
    cells = int(np.prod(dims))
    count = np.bincount(key, minlength=cells)
    occupied = count > 0
    new_index = np.cumsum(occupied) - 1
    inverse = new_index[key]
    n = count[occupied].astype(np.float64)
    merged = np.column_stack([np.bincount(key, v[:, j], cells)[occupied] / n for j in range(3)])
    t = inverse[t]
    keep = (t[:, 0] != t[:, 1]) & (t[:, 1] != t[:, 2]) & (t[:, 0] != t[:, 2])
    return merged, t[keep]


def irradiance_terms(normals: np.ndarray) -> np.ndarray:
    """(n, 5) the second-order spherical harmonics of unit normals (xy, yz, xz, x^2 - y^2,
    3z^2 - 1). With the constant and the normal itself they describe the irradiance any
    distant light gives a convex surface to within a few percent, whatever its model
    (Ramamoorthi and Hanrahan 2001: a key's clamped cosine, a fill, an area light, the
    sky), so a light that no linear term in the normal describes is not mistaken for
    occlusion."""
    x, y, z = normals[:, 0], normals[:, 1], normals[:, 2]
    return np.column_stack([x * y, y * z, x * z, x * x - y * y, 3 * z * z - 1])


def hemisphere(rays: int) -> np.ndarray:
    """(rays, 3) cosine-distributed directions about +z: a golden-angle spiral stratified
    in r^2 = (k + 1/2) / rays."""
    k = np.arange(rays)
    r2 = (k + 0.5) / rays
    phi = k * GOLDEN
    r = np.sqrt(r2)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), np.sqrt(1 - r2)])


def _frames(normals: np.ndarray, count: int) -> np.ndarray:
    """(n, 3, 3) columns (tangent, bitangent, normal) about each unit normal, turned by a
    random angle (fixed seed) so that the stratified directions differ between points."""
    n = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-300)
    helper = np.where(np.abs(n[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    tangent = np.cross(n, helper)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    bitangent = np.cross(n, tangent)
    turn = np.random.default_rng(SEED).random((count, 1)) * 2 * np.pi
    cos, sin = np.cos(turn), np.sin(turn)
    return np.stack([cos * tangent + sin * bitangent, cos * bitangent - sin * tangent, n], axis=2)


@dataclass
class _Cast:
    """What the rays cast so far from a set of points found, one set of rays per ray
    count, extended on demand, so that the rules share one cast."""

    occ: Occluder
    frames: np.ndarray  # (live, 3, 3) columns tangent, bitangent, normal (see _frames)
    origins: np.ndarray  # (live, 3) float32 ray starts, in the scene's normalised frame
    offset: float  # metres between a point and its rays' start
    live: np.ndarray  # (n,) bool: points some ray could hit (see _exposed)
    # ray count -> ((live, rays) float32 bound on each ray's first hit, in ray lengths of
    # the normalised frame (inf: no hit within the reach); the longest ray cast)
    sets: dict[int, tuple[np.ndarray, np.float32]]
    lock: threading.Lock

    def occlusion(self, radius: float, rays: int) -> np.ndarray:
        """Share of ``rays`` rays hitting within ``radius`` metres."""
        length = np.float32(max(radius - self.offset, 0.0) / self.occ.scale)
        out = np.zeros(len(self.live))
        with self.lock:
            out[self.live] = np.count_nonzero(self._bounds(length, rays) <= length, axis=1)
        return out / rays

    def _bounds(self, length: np.float32, rays: int) -> np.ndarray:
        """The set's hit bounds, every ray decided for ``length``: a ray is cast (an
        occlusion query, which stops at any hit) only if it found nothing on a shorter
        cast, or found something on a longer one."""
        bounds, reach = self.sets.get(rays, (None, np.float32(0)))
        if bounds is None:
            bounds = np.full((len(self.origins), rays), np.inf, dtype=np.float32)
        open_ = (np.isinf(bounds) & (reach < length)) | (np.isfinite(bounds) & (bounds > length))
        row, col = np.nonzero(open_)
        if len(row):
            dirs = (self.frames @ hemisphere(rays).T)[row, :, col]
            hit = (
                np.asarray(
                    self.occ.scene.run(  # type: ignore[attr-defined]
                        self.origins[row],
                        dirs.astype(np.float32),
                        dists=np.full(len(row), length, dtype=np.float32),
                        query="OCCLUDED",
                    )
                )
                != -1
            )
            bounds[row[hit], col[hit]] = length
        self.sets[rays] = (bounds, max(reach, length))
        return bounds


def _cast(asset: Asset, points: np.ndarray, normals: np.ndarray) -> _Cast | None:
    occ = occluder(asset)
    if occ is None or not len(points):
        return None
    frames = _frames(normals, len(points))
    offset = max(occ.cell, 1e-4 * occ.scale)
    origins = (points + frames[:, :, 2] * offset - occ.centre) / occ.scale
    live = _exposed(occ, frames[:, :, 2], origins)
    return _Cast(
        occ,
        frames[live],
        origins[live].astype(np.float32),
        offset,
        live,
        {},
        threading.Lock(),
    )


def _exposed(occ: Occluder, normals: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """bool (n,): whether any geometry lies above the plane through each ray start
    perpendicular to its normal. Every ray leaves that plane upwards (the directions are
    in the hemisphere over the normal), so where nothing is above it no ray can hit: the
    faces of a convex object, a lone plane. Tested exactly against every vertex of the
    scene when that is cheap (small scenes, where the cast would be the fixed cost),
    else every point is cast."""
    live = np.ones(len(origins), dtype=bool)
    if occ.vertices is None:
        return live
    keys, inverse = np.unique(normals, axis=0, return_inverse=True)
    if len(keys) * len(occ.vertices) > EXPOSURE_WORK:
        return live
    top = (keys @ occ.vertices.T.astype(np.float64)).max(axis=1)
    return top[inverse.ravel()] > np.einsum("ij,ij->i", normals, origins) - EXPOSURE_MARGIN


def ambient_occlusion(
    asset: Asset, points: np.ndarray, normals: np.ndarray, radius: float, rays: int = 16
) -> np.ndarray | None:
    """Share of ``rays`` cosine-distributed rays (:func:`hemisphere`) from each point that
    hit the scene within ``radius`` metres; None when the asset has no triangles."""
    cast = _cast(asset, points, normals)
    return None if cast is None else cast.occlusion(radius, rays)


def shared_occlusion(
    asset: Asset, samples: Samples, count: int, radius: float, rays: int = 16
) -> np.ndarray | None:
    """:func:`ambient_occlusion` at the first ``count`` surface samples, from one cast per
    asset shared by every rule that asks: the points' frames and exposure are computed
    once, and a ray is cast once, and again only to reach further when it found nothing
    (16 rays to a fifth of the size, then to half of it: the second cast only for the
    rays that found nothing). The answers are those of :func:`ambient_occlusion`, bit for
    bit. One cast per ``count``: a rule that needs more points (H002's fit) does not
    make the others cast theirs again. Thread-safe."""
    store = asset.cache
    key = f"occlusion.cast.{count}"
    with _LOCK:
        entry = store.get(key)
        if entry is None or entry[0] is not samples:
            cast = _cast(asset, samples.positions[:count], samples.normals[:count])
            entry = (samples, cast)
            store[key] = entry
    cast = entry[1]
    return None if cast is None else cast.occlusion(radius, rays)
