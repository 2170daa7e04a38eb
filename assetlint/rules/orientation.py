"""Orientation and pivot rules (O): which way is up, where the origin sits, and the node
transforms engines inherit.

Geometry is judged in world space (canonical metres, +Y up, front +Z) over every mesh
instance. The pivot of an asset is the scene origin: it is what an engine places at the
point where the asset is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assetlint.arrays import cross, finite_rows, in_range_rows
from assetlint.findings import Finding
from assetlint.model import Asset, Mesh, transform_points
from assetlint.plugins import hookimpl
from assetlint.rules import AT_LEAST_ZERO, SHARE, Range, RuleContext, RuleGroup
from assetlint.rules.scale import fitted_cube, pipeline_signs, vertical_axis

if TYPE_CHECKING:  # scipy is imported where used: it would double the CLI's start-up
    from scipy.spatial import ConvexHull, cKDTree

group = RuleGroup(family="orientation", stage="engine import")


@hookimpl
def assetlint_rules():
    return group.rules


@dataclass(frozen=True)
class Surface:
    """A mesh's valid, finite triangles in its own space, computed once per mesh."""

    triangles: np.ndarray  # (m, 3) vertex indices
    index: np.ndarray  # (m,) their rows in mesh.triangles (for per-triangle attributes)
    area_vectors: np.ndarray  # (m, 3) edge cross products: twice the area, along the normal
    used: np.ndarray  # indices of the vertices these triangles use
    area: float  # total area
    first: np.ndarray  # (3,) integral of x over the surface
    second: np.ndarray  # (3, 3) integral of x x^T over the surface


SURFACE_CHUNK = 1 << 16  # triangles per step of surface(): a few MB of temporaries


def surface(mesh: Mesh) -> Surface:
    """The mesh's :class:`Surface`, computed :data:`SURFACE_CHUNK` triangles at a time:
    whole, its float64 corners and their sums held ~180 MB per million triangles at
    once. Area vectors and areas are elementwise (the same values whole or in chunks);
    the first moment continues one sequential sum over the rows, as ``sum(axis=0)`` does;
    only the second moment's BLAS products sum in another order (last bits)."""
    if "surface" not in mesh.cache:
        tris = mesh.triangles
        ok = in_range_rows(tris, mesh.vertex_count)
        index = np.flatnonzero(ok)
        if len(index) < len(tris):
            tris = tris[index]
        finite = finite_rows(mesh.positions)  # float32 -> float64 keeps finiteness
        if not finite.all():
            keep = finite[tris].all(axis=1)
            tris, index = tris[keep], index[keep]
        vectors = np.empty((len(tris), 3))
        area = np.empty(len(tris))
        first = np.zeros(3)
        second = np.zeros((3, 3))
        for start in range(0, len(tris), SURFACE_CHUNK):
            rows = slice(start, start + SURFACE_CHUNK)
            a, b, c = (mesh.positions[tris[rows, k]].astype(np.float64) for k in range(3))
            part = vectors[rows]
            part[:] = cross(b - a, c - a)
            np.sqrt(np.einsum("ij,ij->i", part, part), out=area[rows])
            area[rows] /= 2
            corners_sum = a + b + c
            w = (area[rows] / 12)[:, None]
            # exact over each triangle: integral of x x^T dA = A/12 (aa^T + bb^T + cc^T + ss^T)
            second += (
                (w * a).T @ a + (w * b).T @ b + (w * c).T @ c + (w * corners_sum).T @ corners_sum
            )
            weighted = corners_sum * (area[rows] / 3)[:, None]
            first = np.add.reduce(np.concatenate([first[None], weighted]), axis=0)
        used = np.zeros(mesh.vertex_count, dtype=bool)
        used[tris.ravel()] = True
        mesh.cache["surface"] = Surface(
            tris, index, vectors, np.flatnonzero(used), float(area.sum()), first, second
        )
    return mesh.cache["surface"]


def world_points(asset: Asset) -> np.ndarray:
    """(n, 3) world positions of every vertex some valid, finite triangle uses, over all
    instances."""
    parts = [
        transform_points(asset.meshes[m].positions[surface(asset.meshes[m]).used], node.world)
        for m, node in asset.placed_instances()
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 3))


def surface_moments(asset: Asset) -> tuple[np.ndarray, np.ndarray] | None:
    """The area-weighted centre of the surface in world space and its well-defined principal
    axes (rows; an axis whose variance is within 10% of another's is not one), from
    per-mesh sums moved by each instance's transform (areas scaled by the instance's mean
    scale)."""
    total, first, second = 0.0, np.zeros(3), np.zeros((3, 3))
    for mesh_index, node in asset.placed_instances():
        s = surface(asset.meshes[mesh_index])
        if s.area <= 0:
            continue
        f, t = node.world[:3, :3], node.world[:3, 3]
        k = abs(np.linalg.det(f)) ** (2 / 3)
        moved = f @ s.first
        total += k * s.area
        first += k * (moved + s.area * t)
        second += k * (
            f @ s.second @ f.T + np.outer(moved, t) + np.outer(t, moved) + s.area * np.outer(t, t)
        )
    if total <= 0:
        return None
    centre = first / total
    values, vectors = np.linalg.eigh(second / total - np.outer(centre, centre))
    gaps = np.abs(values[:, None] - values[None, :])
    np.fill_diagonal(gaps, np.inf)
    distinct = gaps.min(axis=1) > 0.1 * max(float(values.max()), 1e-300)
    return centre, vectors.T[distinct]


@group.rule(
    "O001",
    "authored-axes",
    severity="info",
    summary="the file's up (or front) axis differs from the target's convention",
    fix="Export with the target's axes (Blender glTF/FBX exporters: Forward/Up options), or "
    "check that the importer converts axes.",
    targets=("game", "web"),
    params={"expected_up": "+Y", "expected_front": ""},
)
def authored_axes(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Importers rotate a file whose axes differ from the engine's, but only when the file
    states its axes and the conversion is on; otherwise the asset arrives lying on its
    back, or facing away. Unreal works Z-up with the front along +X, Unity, Godot and
    glTF Y-up with the front along +Z. Files that do not state axes are not judged
    (O002 looks at the geometry instead). An empty ``expected_front`` skips the front
    axis."""
    authored = asset.authored
    expected_up = ctx.params["expected_up"]
    expected_front = ctx.params["expected_front"]
    if authored.up_axis and expected_up and authored.up_axis != expected_up:
        yield ctx.finding(
            f"authored {authored.up_axis} up; the target is {expected_up} up, so the "
            "importer must rotate it",
            subject_type="file",
        )
    if authored.front_axis and expected_front and authored.front_axis != expected_front:
        yield ctx.finding(
            f"authored front {authored.front_axis}; the target's front is {expected_front}",
            subject_type="file",
        )


_AXES = {
    "-Y": (0.0, -1.0, 0.0),
    "+Y": (0.0, 1.0, 0.0),
    "-X": (-1.0, 0.0, 0.0),
    "+X": (1.0, 0.0, 0.0),
    "-Z": (0.0, 0.0, -1.0),
    "+Z": (0.0, 0.0, 1.0),
}


def _plane(direction: np.ndarray) -> np.ndarray:
    """(2, 3) orthonormal rows spanning the plane perpendicular to a unit direction."""
    helper = np.eye(3)[int(np.argmin(np.abs(direction)))]
    u = np.cross(direction, helper)
    u /= np.linalg.norm(u)
    return np.stack([u, np.cross(direction, u)])


@dataclass(frozen=True)
class Support:
    """The object as it would rest on its side facing ``direction``."""

    direction: np.ndarray
    share: float  # support polygon area / the bounding rectangle's in that plane
    hull: ConvexHull | None  # the support polygon, in the plane's coordinates
    plane: np.ndarray  # (2, 3) the plane's axes


def support(points: np.ndarray, direction: np.ndarray, tolerance: float) -> Support:
    """The support polygon if the object rested on its side facing ``direction``: the
    convex hull of the points within ``tolerance`` (a fraction of the extent along the
    direction) of the extreme, as a share of the points' bounding rectangle in that
    plane. Each axis is projected on its own (a matrix-vector product, then reductions
    over one contiguous column): an (n, 3) @ (3, 3) product and reductions down the
    columns of its (n, 3) result cost about 30 times more on large meshes."""
    plane = _plane(direction)
    height, u, v = (points @ axis for axis in np.vstack([direction, plane]).astype(points.dtype))
    top = height.max()
    extent = float(top - height.min())
    footprint = float((u.max() - u.min()) * (v.max() - v.min()))
    near = height >= top - tolerance * extent
    contact = np.column_stack([u[near], v[near]])
    if footprint <= 0 or len(contact) < 3:
        return Support(direction, 0.0, None, plane)
    from scipy.spatial import ConvexHull, QhullError

    try:
        hull = ConvexHull(contact)
    except QhullError:  # collinear or coincident contact points: an edge or a point
        return Support(direction, 0.0, None, plane)
    return Support(direction, float(hull.volume) / footprint, hull, plane)


def _holds(sup: Support, centre: np.ndarray) -> bool:
    """Whether the centre of mass projects inside the support polygon (a stable rest)."""
    if sup.hull is None:
        return False
    eq = sup.hull.equations
    return bool((eq[:, :2] @ (sup.plane @ centre) + eq[:, 2] <= 1e-9).all())


def _direction_name(direction: np.ndarray) -> str:
    """'-X' for a world axis (within 5 degrees), else the vector."""
    for name, axis in _AXES.items():
        if direction @ np.asarray(axis) > np.cos(np.radians(5)):
            return name
    return "(" + ", ".join(f"{c:.2f}" for c in np.round(direction, 2) + 0.0) + ")"


@group.rule(
    "O002",
    "lying-on-side",
    severity="warning",
    summary="the object looks rotated: it barely touches the ground with its bottom while "
    "another side is a stable flat face",
    fix="Rotate the object so that its resting face points down (-Y in glTF, -Z in "
    "Z-up tools) and apply the rotation.",
    targets=("game", "web"),
    params={"contact_tolerance": 0.01, "max_bottom_support": 0.05, "min_side_support": 0.5},
    ranges={
        "contact_tolerance": AT_LEAST_ZERO,
        "max_bottom_support": SHARE,
        "min_side_support": SHARE,
    },
)
def lying_on_side(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Generators and Z-up/Y-up mix-ups deliver objects lying on their side or upside down:
    a chair on its back, a bottle on its flank. An object stands on its resting face: the
    support polygon (the convex hull of the points touching the ground, within
    ``contact_tolerance`` of the object's extent) is large and holds the centre of mass.
    The rule compares the bottom's support polygon with those of the other sides: the
    five other world axes and both ends of the surface's principal axes (so that a tilted
    object is judged on its own sides). When the bottom touches at most
    ``max_bottom_support`` of its footprint (a point or an edge) while another side is a
    flat face covering at least ``min_side_support`` of the cross-section there, with the
    area-weighted centre of the surface above it, the object is reported as resting on the
    wrong side. Objects that balance on small feet with no flat side are not reported."""
    points = world_points(asset).astype(np.float32)
    if len(points) == 0:
        return
    tol = float(ctx.params["contact_tolerance"])
    bottom = support(points, np.asarray(_AXES["-Y"]), tol).share
    if bottom > float(ctx.params["max_bottom_support"]):
        return
    moments = surface_moments(asset)
    if moments is None:
        return
    centre, principal = moments
    candidates = [np.asarray(a) for name, a in _AXES.items() if name != "-Y"]
    for axis in principal:
        for d in (axis, -axis):
            if all(d @ c < np.cos(np.radians(5)) for c in candidates) and d[1] > -np.cos(
                np.radians(5)
            ):
                candidates.append(d / np.linalg.norm(d))
    best = None
    for d in candidates:
        sup = support(points, d, tol)
        if sup.share >= float(ctx.params["min_side_support"]) and _holds(sup, centre):
            if best is None or sup.share > best.share:
                best = sup
    if best is None:
        return
    name = _direction_name(best.direction)
    if name == "+Y":
        where = "upside down"
    elif name in _AXES:
        where = f"on its {name} side"
    else:
        tilt = np.degrees(np.arccos(np.clip(-best.direction[1], -1.0, 1.0)))
        where = f"tilted {tilt:.0f} degrees from upright"
    yield ctx.finding(
        f"looks {where}: the bottom touches {bottom:.0%} of its footprint while the "
        f"side facing {name} is a flat face covering {best.share:.0%}",
        subject_type="scene",
        value=bottom,
        limit=float(ctx.params["max_bottom_support"]),
        location=centre,
    )


# --- how the object rests: its mirror plane, its base, its up and front ------------------

# Surface samples for the shape judgements (area-weighted, fixed seed): enough that the
# nearest-sample distance (about 1% of the size for 8,192 samples on a compact object) is
# below the mirror tolerance.
SHAPE_SAMPLES = 8192
# Samples reflected to score one candidate plane (the score's standard error is 1.6%).
MIRROR_PROBES = 1000
# A reflected sample matches when it lands within this share of the bounding diagonal of
# the surface, facing the same way: generators' surfaces are marching-cubes grids of 64 to
# 512 cells per side (1.6% to 0.2% of the size), plus the noise of fitting a photo.
MIRROR_TOLERANCE = 0.02
# Candidate plane normals: a hemisphere of this many directions (about 10 degrees apart),
# then the best ones refined by a pattern search down to half a degree.
MIRROR_DIRECTIONS = 150


@dataclass(frozen=True)
class ShapeSamples:
    """Area-weighted points on the placed surface, with unit normals."""

    points: np.ndarray  # (n, 3) world
    normals: np.ndarray  # (n, 3)
    diagonal: float
    mesh: np.ndarray  # (n,) index into asset.meshes
    corners: np.ndarray  # (n, 3) the vertex indices of the sample's triangle
    bary: np.ndarray  # (n, 3) its barycentric coordinates there
    material: np.ndarray  # (n,) index into asset.materials, -1 for none
    cache: dict = field(default_factory=dict, repr=False, compare=False)


def _placement_key(asset: Asset) -> str:
    """What world-space shape judgements depend on: every placed instance's world matrix
    and the identity of its mesh's arrays, so that a fix that rotates the scene or
    rewrites a mesh is judged afresh."""
    parts = []
    for mesh_index, node in asset.placed_instances():
        mesh = asset.meshes[mesh_index]
        parts.append(f"{mesh_index}:{id(mesh.positions)}:{id(mesh.triangles)}")
        parts.append(np.asarray(node.world, dtype=np.float64).tobytes().hex())
    return "|".join(parts)


def shape_samples(asset: Asset) -> ShapeSamples | None:
    """:data:`SHAPE_SAMPLES` points spread over the placed surface by area (seeded, so the
    same file is judged the same way every run), once per placement of the asset (O010
    and O011 share them)."""
    from assetlint.analysis import memo

    return memo(asset, "orientation.samples." + _placement_key(asset), lambda: _shape(asset))


def _shape(asset: Asset) -> ShapeSamples | None:
    """Areas come from each mesh's cached area vectors moved by the instance's cofactor
    matrix; only the picked triangles' corners are transformed."""
    instances, normals = [], []
    for mesh_index, node in asset.placed_instances():
        s = surface(asset.meshes[mesh_index])
        linear = node.world[:3, :3]
        det = np.linalg.det(linear)
        if not len(s.triangles) or not np.isfinite(det) or det == 0:
            continue
        # (F a) x (F b) = det(F) F^-T (a x b): world area vectors without moving vertices
        instances.append((mesh_index, node.world, s.triangles))
        normals.append(det * s.area_vectors @ np.linalg.inv(linear))
    if not instances:
        return None
    vectors = np.concatenate(normals)
    area = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
    total = float(area.sum())
    if not np.isfinite(total) or total <= 0:
        return None
    rng = np.random.default_rng(15)
    pick = np.searchsorted(np.cumsum(area), rng.random(SHAPE_SAMPLES) * total, side="right")
    pick = np.minimum(pick, len(area) - 1)
    r1, r2 = np.sqrt(rng.random(SHAPE_SAMPLES)), rng.random(SHAPE_SAMPLES)
    bary = np.column_stack([1 - r1, r1 * (1 - r2), r1 * r2])
    starts = np.cumsum([0] + [len(t) for _, _, t in instances])
    points = np.empty((SHAPE_SAMPLES, 3))
    meshes = np.empty(SHAPE_SAMPLES, dtype=np.int64)
    vertex_rows = np.empty((SHAPE_SAMPLES, 3), dtype=np.int64)
    material = np.full(SHAPE_SAMPLES, -1, dtype=np.int64)
    for k, (mesh_index, world, tris) in enumerate(instances):
        mine = np.flatnonzero((pick >= starts[k]) & (pick < starts[k + 1]))
        mesh = asset.meshes[mesh_index]
        rows = pick[mine] - starts[k]
        corners = mesh.positions[tris[rows]]
        local = np.einsum("nk,nkj->nj", bary[mine], corners.astype(np.float64))
        points[mine] = transform_points(local, world)
        meshes[mine] = mesh_index
        vertex_rows[mine] = tris[rows]
        if mesh.material_indices is not None:
            material[mine] = mesh.material_indices[surface(mesh).index[rows]]
    unit = vectors[pick] / area[pick, None]
    diagonal = float(np.linalg.norm(np.ptp(points, axis=0)))
    if not diagonal > 0:
        return None
    return ShapeSamples(points, unit, diagonal, meshes, vertex_rows, bary, material)


def hemisphere(count: int) -> np.ndarray:
    """(count, 3) unit directions spread evenly over the half sphere y >= 0 (a Fibonacci
    lattice): every plane normal up to its sign."""
    i = np.arange(count) + 0.5
    y = 1 - i / count
    r = np.sqrt(1 - y * y)
    phi = np.pi * (1 + 5**0.5) * i
    return np.column_stack([r * np.cos(phi), y, r * np.sin(phi)])


# Probes are counted in chunks of this many per candidate plane, so that a candidate that
# can no longer win is dropped part way (see :class:`MirrorSearch`).
MIRROR_CHUNK = 64


class MirrorSearch:
    """The mirror score of candidate plane normals: the share of probe samples whose
    reflection through the plane (through the surface's centroid) lands on the surface
    facing the mirrored way. Hits are counted a chunk of probes at a time and a search
    stops counting a candidate once its hits so far plus every probe it has left cannot
    reach the leader's (branch and bound): the best candidate and its score are those of
    counting every candidate on every probe, for a half to a third of the nearest-sample
    queries, which are almost all of the cost."""

    def __init__(self, samples: ShapeSamples, tree: cKDTree, directions: np.ndarray):
        step = max(1, len(samples.points) // MIRROR_PROBES)
        self.probes = samples.points[::step]
        self.probe_normals = samples.normals[::step]
        self.centre = samples.points.mean(axis=0)
        self.centred = self.probes - self.centre
        self.tol = MIRROR_TOLERANCE * samples.diagonal
        self.normals = samples.normals
        self.tree = tree
        self.directions = directions
        self.done = np.zeros(len(directions), dtype=np.int64)  # probes counted so far
        self.hits = np.zeros(len(directions), dtype=np.int64)
        # each candidate's reflected probes and probe normals, one row of ``len(probes)``
        # per candidate, filled when it is first counted
        self.reflected = np.empty((len(directions) * len(self.probes), 3))
        self.mirrored = np.empty((len(directions) * len(self.probes), 3))
        self.ready = np.zeros(len(directions), dtype=bool)

    def score(self, k: int) -> float:
        """Candidate ``k``'s score; only once :meth:`best` has returned it."""
        return int(self.hits[k]) / len(self.probes)

    def best(self, eligible: np.ndarray, above: int = -1) -> int | None:
        """The eligible candidate with the most hits (the first of equals), or None when
        none has more than ``above``."""
        n = len(self.probes)
        while True:
            bound = self.hits + (n - self.done)
            open_ = np.flatnonzero(eligible & (bound > above))
            if not len(open_):
                return None
            lead = int(open_[np.lexsort((open_, -bound[open_]))[0]])
            if self.done[lead] == n:  # counted to the end, and nothing else can beat it
                return lead
            floor = max(above, int(self.hits[open_].max()))
            live = open_[(bound[open_] >= floor) & (self.done[open_] < n)]
            ends = np.minimum(self.done[live] + MIRROR_CHUNK, n)
            if self.done[open_].any():  # the leader to the end: its hits raise the floor
                ends[live == lead] = n
            self._count(live, ends)

    def _count(self, rows: np.ndarray, ends: np.ndarray) -> None:
        """Count the hits of candidates ``rows`` on their next probes up to ``ends``, in
        one query. Each probe is reflected as a whole candidate's set, so its reflection
        and its hit do not depend on the chunking; the probes of every candidate are
        gathered at once (a search counts up to 159 candidates per round)."""
        n = len(self.probes)
        for k in rows[~self.ready[rows]].tolist():
            d = self.directions[k]
            self.reflected[k * n : (k + 1) * n] = self.probes - 2 * (self.centred @ d)[:, None] * d
            self.mirrored[k * n : (k + 1) * n] = (
                self.probe_normals - 2 * (self.probe_normals @ d)[:, None] * d
            )
        self.ready[rows] = True
        starts = self.done[rows]
        counts = ends - starts
        owner = np.repeat(rows, counts)
        # the row of each item: its candidate's first row and start, plus its place in the run
        item = np.arange(int(counts.sum())) + np.repeat(
            rows * n + starts - (np.cumsum(counts) - counts), counts
        )
        self.done[rows] = ends
        reflected = self.reflected.take(item, axis=0)
        dist, near = self.tree.query(reflected, distance_upper_bound=self.tol)
        hit = dist < self.tol
        facing = self.mirrored.take(item[hit], axis=0)
        hit[hit] = np.einsum("ij,ij->i", facing, self.normals[near[hit]]) > 0.5
        self.hits += np.bincount(owner[hit], minlength=len(self.hits))


@dataclass(frozen=True)
class Plane:
    normal: np.ndarray  # unit, y >= 0
    score: float  # share of the surface its reflection maps onto the surface
    thickness: float  # the object's extent along the normal / its largest extent


def mirror_planes(samples: ShapeSamples) -> list[Plane]:
    """The object's best mirror planes, at least 30 degrees apart, best first: normals from
    a hemisphere, the world axes and the principal axes, each of the three best then
    refined by a pattern search down to half a degree. Computed once per samples (O010
    and O011 ask for the same)."""
    if "planes" not in samples.cache:
        samples.cache["planes"] = _mirror_planes(samples)
    return samples.cache["planes"]


def _mirror_planes(samples: ShapeSamples) -> list[Plane]:
    from scipy.spatial import cKDTree

    tree = cKDTree(samples.points)
    centred = samples.points - samples.points.mean(axis=0)
    principal = np.linalg.eigh(centred.T @ centred)[1].T
    coarse = np.concatenate([hemisphere(MIRROR_DIRECTIONS), np.eye(3), principal])
    coarse *= np.where(coarse[:, 1] < 0, -1.0, 1.0)[:, None]
    search = MirrorSearch(samples, tree, coarse)
    eligible = np.ones(len(coarse), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < 3:
        k = search.best(eligible)
        if k is None:
            break
        chosen.append(k)
        eligible &= np.abs(coarse @ coarse[k]) < np.cos(np.radians(30))
    extent = np.ptp(samples.points, axis=0).max()
    planes = []
    for k in chosen:
        best, score, hits = coarse[k], search.score(k), int(search.hits[k])
        for step in (4.0, 2.0, 1.0, 0.5):
            local = MirrorSearch(samples, tree, _nearby(best, step))
            i = local.best(np.ones(len(local.directions), dtype=bool), above=hits)
            if i is not None:
                best, score, hits = local.directions[i], local.score(i), int(local.hits[i])
        thickness = float(np.ptp(samples.points @ best)) / extent
        planes.append(Plane(best, score, thickness))
    return sorted(planes, key=lambda p: -p.score)


def _nearby(direction: np.ndarray, step: float) -> np.ndarray:
    """The eight directions ``step`` degrees around ``direction`` (a 3 x 3 grid without
    its centre), signed so that y >= 0."""
    u, v = _plane(direction)
    t = np.tan(np.radians(step))
    a, b = np.meshgrid([-t, 0.0, t], [-t, 0.0, t])
    keep = (a.ravel() != 0) | (b.ravel() != 0)
    out = direction + a.ravel()[keep, None] * u + b.ravel()[keep, None] * v
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out * np.where(out[:, 1] < 0, -1.0, 1.0)[:, None]


# A mirror plane across a slab thinner than this share of the object's largest extent says
# nothing: any thin plate mirrors onto itself through its mid-plane.
MIN_THICKNESS = 0.25
# A bilateral object maps at least this share of its surface onto itself through its
# mirror plane: 0.79 to 0.99 on the upright generator characters, animals, vehicles and
# furniture of generated-real (Meshy 0.79, chair 0.95, penguin 0.99); asymmetric things
# (a held gun, a pose) stay below 0.6.
MIN_MIRROR = 0.75
# ... and no other plane comes within this of it (boxes, cylinders and plates have several
# planes, and so no single up axis).
MIRROR_MARGIN = 0.15
# Points within this share of the object's extent from its lowest touch the ground (O002's
# ``contact_tolerance``).
CONTACT_TOLERANCE = 0.01
# A bottom whose support polygon covers at most this share of its footprint touches the
# ground at a point or an edge.
MAX_POINT_CONTACT = 0.02
# The end an object stands on is a base when its support polygon covers at least this
# share of the cross-section and holds the centre of mass: the two feet of a standing
# figure cover 9 to 30% of its footprint.
MIN_BASE = 0.08
# Legs stand on their feet together only roughly: a generator's chair has one leg within 1%
# of the height of the lowest point and all four within 5% (SF3D chair). A chair on its
# back has no flat end at 1%, so its legs' end is measured again at this tolerance ...
FEET_TOLERANCE = 0.05
# ... when the object is at least this much longer along its horizontal up axis than it
# is high (a figure or chair lying: 1.75 to 5; round shapes whose ends are flattish, such
# as the DamagedHelmet at 1.11, stay out).
LONG_LYING = 1.3
# A plane within this many degrees of horizontal (or of vertical) counts as such.
LEVEL_DEGREES = 30.0
# An up axis this close to a world axis is that axis (a figure's principal axis leans a
# few degrees with its pose: the chibi boy's by 4).
SNAP_DEGREES = 10.0


@dataclass(frozen=True)
class Lying:
    """A bilateral object resting on a side it does not stand on."""

    kind: str  # "side": its mirror plane is horizontal; "back": its up axis is horizontal
    axis: np.ndarray  # the object's own up axis, unit (its sign only when ``base`` > 0)
    plane: Plane
    bottom: float  # support share of the present bottom
    base: float  # support share of the end it should stand on (0: neither end is a base)


def bilateral_plane(planes: list[Plane]) -> Plane | None:
    """The single mirror plane of a bilateral object, or None when there is none or more
    than one (see :data:`MIN_MIRROR`, :data:`MIRROR_MARGIN`, :data:`MIN_THICKNESS`)."""
    solid = [p for p in planes if p.thickness >= MIN_THICKNESS]
    if not solid or solid[0].score < MIN_MIRROR:
        return None
    if len(solid) > 1 and solid[1].score > solid[0].score - MIRROR_MARGIN:
        return None
    return solid[0]


def lying_pose(asset: Asset) -> Lying | None:
    """How a bilateral object lies, when it does: its bottom touches the ground at a point
    or an edge while (a) its mirror plane is horizontal, so its up axis (which lies in
    that plane) is horizontal too: it lies on its side; or (b) its mirror plane is
    vertical and the end of its long horizontal axis in that plane is a flat base holding
    its centre: it lies on its back or front. STL is not judged: printers and slicers
    choose its orientation (O008 judges it for printing)."""
    if asset.format == "stl":
        return None
    points = world_points(asset)
    if len(points) < 4:
        return None
    tol = CONTACT_TOLERANCE
    bottom = support(points, np.array([0.0, -1.0, 0.0]), tol).share
    if bottom > MAX_POINT_CONTACT:
        return None
    samples = shape_samples(asset)
    if samples is None:
        return None
    plane = bilateral_plane(mirror_planes(samples))
    if plane is None:
        return None
    level = np.cos(np.radians(LEVEL_DEGREES))
    centre = samples.points.mean(axis=0)
    if abs(plane.normal[1]) >= level:  # a horizontal mirror plane: on its side
        axis = _long_axis(samples.points, plane.normal)
        base, up = _base(points, axis, centre, tol)
        return Lying("side", up, plane, bottom, base)
    if abs(plane.normal[1]) > np.sin(np.radians(LEVEL_DEGREES)):
        return None
    axis = np.cross(plane.normal, [0.0, 1.0, 0.0])
    axis = _snap(axis / np.linalg.norm(axis))
    extent = np.ptp(samples.points @ np.stack([axis, [0.0, 1.0, 0.0]]).T, axis=0)
    if extent[0] < extent[1]:
        return None
    base, up = _base(points, axis, centre, tol)
    if base == 0.0 and extent[0] >= LONG_LYING * extent[1]:
        base, up = _base(points, axis, centre, FEET_TOLERANCE)
    if base == 0.0:
        return None
    return Lying("back", up, plane, bottom, base)


# A slab lies flat when its height is at most this share of its length (the Shap-E sword:
# 0.037; the flattest upright generated objects, a sign and a T-posed figure, stand 0.5 and
# 1.0 times their length high; the banana, lying as bananas do, 0.27).
FLAT_SLAB = 0.1


@dataclass(frozen=True)
class Flat:
    """A generator's slab lying flat with its length along Z."""

    axis: np.ndarray  # the up it should have: +Z, the Z-up generators' up
    height: float  # its height / its length
    cube: float  # the side of the generator cube its length fills


def lying_flat(asset: Asset) -> Flat | None:
    """A generator's output (fitted into its cube: S006's evidence) that is a slab lying
    flat, its height at most :data:`FLAT_SLAB` of its length and its length along Z. Z-up
    generators (TripoSR, InstantMesh, Shap-E, Point-E) stand the object along +Z and fit
    its height into the cube; written unchanged into a Y-up file, a standing sword or
    board lies flat on its face, stable, so neither O002 nor a mirror plane says it
    (the sword's left-right plane spans only a quarter of its length, as thin as a slab's).
    Modelled flat things (cutlery, rugs, boards) lie flat on purpose and fill no cube."""
    if asset.format == "stl" or fitted_cube(asset) is None:
        return None
    bounds = asset.bounds()
    if bounds is None:
        return None
    extents = bounds[1] - bounds[0]
    length = float(extents.max())
    if int(np.argmax(extents)) != 2 or not length > 0 or extents[1] > FLAT_SLAB * length:
        return None
    return Flat(np.array([0.0, 0.0, 1.0]), float(extents[1]) / length, fitted_cube(asset) or 0.0)


def _long_axis(points: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """The direction of largest extent within the plane perpendicular to ``normal``
    (the principal axis of the points projected onto it)."""
    u, v = _plane(normal)
    flat = (points - points.mean(axis=0)) @ np.stack([u, v]).T
    _, vectors = np.linalg.eigh(flat.T @ flat)
    a, b = vectors[:, -1]
    return _snap(a * u + b * v)


def _snap(direction: np.ndarray) -> np.ndarray:
    """A direction within :data:`SNAP_DEGREES` of a world axis, as that axis: generators and
    exporters write axis-aligned frames, and a base is measured flat against the axis."""
    nearest = int(np.argmax(np.abs(direction)))
    if abs(direction[nearest]) >= np.cos(np.radians(SNAP_DEGREES)):
        out = np.zeros(3)
        out[nearest] = np.sign(direction[nearest])
        return out
    return direction


def _base(
    points: np.ndarray, axis: np.ndarray, centre: np.ndarray, tol: float
) -> tuple[float, np.ndarray]:
    """(support share, up) of the end of ``axis`` that is a base: flat over
    :data:`MIN_BASE` of the cross-section, holding the centre, and twice the other end's;
    (0, axis) when neither end is."""
    ends = [support(points, -sign * axis, tol) for sign in (1.0, -1.0)]
    shares = [e.share if _holds(e, centre) else 0.0 for e in ends]
    best = int(np.argmax(shares))
    if shares[best] < MIN_BASE or shares[best] < 2 * shares[1 - best]:
        return 0.0, axis
    return shares[best], axis if best == 0 else -axis


def up_rotation(up: np.ndarray) -> tuple[np.ndarray, str]:
    """The 3x3 rotation taking the object's ``up`` onto +Y about a horizontal axis, and
    how to say it ("rotate -90° about X"); an axis within 5 degrees of a world axis is
    snapped to it."""
    up = np.asarray(up, dtype=np.float64)
    name = _direction_name(up)
    if name in _AXES:
        up = np.asarray(_AXES[name])
    y = np.array([0.0, 1.0, 0.0])
    angle = float(np.degrees(np.arccos(np.clip(up @ y, -1.0, 1.0))))
    if angle < 1e-9:
        return np.eye(3), "no rotation"
    about = np.cross(up, y) if angle < 180 - 1e-9 else np.array([1.0, 0.0, 0.0])
    about /= np.linalg.norm(about)
    k = np.array([[0, -about[2], about[1]], [about[2], 0, -about[0]], [-about[1], about[0], 0]])
    rad = np.radians(angle)
    rotation = np.eye(3) + np.sin(rad) * k + (1 - np.cos(rad)) * (k @ k)
    axis_name = _direction_name(about)
    if axis_name in _AXES and axis_name[0] == "-":
        angle, axis_name = -angle, "+" + axis_name[1]
    label = axis_name[1] if axis_name in _AXES else axis_name
    return rotation, f"rotate {angle:+.0f}° about {label}"


@group.rule(
    "O010",
    "lying-down",
    severity="warning",
    summary="a bilateral object lies on its side, back or front instead of standing upright",
    fix="Rotate the object upright as the message says (Blender: R X -90 for a Z-up "
    "export; Apply > Rotation) or fix the exporter's up axis; `assetlint fix` applies it.",
)
def lying_down(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Image-to-3D and text-to-3D generators (TripoSR, InstantMesh, Shap-E, Point-E) work
    Z-up and write their frame unchanged into Y-up formats (glTF, OBJ), so the object
    arrives lying in every viewer and engine; O002's physical test does not see it (a
    figure on its back is stable). An upright bilateral object (figure, animal, vehicle,
    furniture) has its up axis in its mirror plane and stands on a base at the bottom of
    it. Reported, with the rotation that stands it up, when the bottom touches the
    ground at a point or an edge and either the one mirror plane is horizontal (on its
    side), or it is vertical while the end of the long horizontal axis in it is a flat
    base holding the centre (on its back or front). Objects with no single mirror plane
    (boxes, cylinders, asymmetric shapes) or already on a flat base are not judged."""
    pose = lying_pose(asset)
    if pose is None:
        flat = lying_flat(asset)
        if flat is not None:
            yield ctx.finding(
                f"lies flat: a slab {flat.height:.0%} as high as it is long, its length along "
                f"Z filling the {flat.cube:g}-unit cube generators fit their output into, as "
                "Z-up generators write a standing object into a Y-up file; "
                f"{up_rotation(flat.axis)[1]} to stand it on its -Z end (their up is +Z)",
                subject_type="scene",
                value=flat.height,
                limit=FLAT_SLAB,
            )
        return
    signed = pose.base > 0
    evidence = (
        f"its one mirror plane ({pose.plane.score:.0%} of the surface maps onto itself) is "
        + ("horizontal, so its up axis is horizontal" if pose.kind == "side" else "vertical")
    )
    where = "on its side" if pose.kind == "side" else "on its back or front"
    contact = (
        f"the bottom touches the ground at a point or an edge ({pose.bottom:.0%} of its footprint)"
    )
    if signed:
        name = _direction_name(-pose.axis)
        _, rotate = up_rotation(pose.axis)
        fix = f"its {name} end is a flat base ({pose.base:.0%}): {rotate} to stand it up"
    else:
        fix = "no end of it is a flat base that says which way is up (not rotated)"
    yield ctx.finding(
        f"lies {where}: {evidence}; {contact}; {fix}",
        subject_type="scene",
        value=pose.plane.score,
        limit=MIN_MIRROR,
    )


# --- which way it faces: the front-back axis from the mirror plane, its sign from detail ---

# The mirror plane of an upright object is vertical within this many degrees, and a
# front-back axis within this many degrees of a world axis is that axis (exporters and
# generators write axis-aligned frames; a figure's pose turns its plane a few degrees).
UPRIGHT_DEGREES = 10.0
# Samples whose normal is within 60 degrees of the front (or the back) make up that side.
SIDE_COSINE = 0.5
# A side carries more detail when its mean detail exceeds the other side's by this ratio.
# On the generated-real and Khronos files whose front is known (see O011), the side with
# the front had 1.25 to 5.2 times the texture detail and 1.10 to 2.9 times the geometric
# detail when it had more than this, and the back never had more than this.
MIN_DETAIL_RATIO = 1.1
# Texture detail is taken in the band between these blur radii (texels of the decoded
# image, at most 1,024 on a side): painted features (eyes, buttons, grain, lettering)
# rather than per-texel noise or the slow shading of broad areas.
DETAIL_BAND = (1.0, 3.0)
# Geometric detail: how much the normals turn among each sample's nearest neighbours.
DETAIL_NEIGHBOURS = 8
# A side is compared only with at least this many samples measured on it (of 8,192).
MIN_SIDE_SAMPLES = 200
# ... and a cue votes only when its ratio is beyond sampling noise: this many standard
# errors of the log of the ratio of the two sides' mean detail (three, as
# :data:`MIRROR_NOISE`). Detail is heavy-tailed, so a side of a few hundred samples moves
# its mean by 10% from one sampling to the next (the Tripo fish's texture read 0.90x,
# 1.06x and 1.25x on the same visible surface before and after fix removed its hidden
# eyeballs, 1.0 to 2.4 standard errors).
DETAIL_NOISE = 3.0
# A sample is on a thin sheet when two of the normals among it and its
# :data:`DETAIL_NEIGHBOURS` nearest samples are more than 120 degrees apart: the two faces
# of a sheet thinner than the sampling's spacing (fins, ears, wings, a board) interleave
# there. A solid's surface turns that much within a neighbourhood only over an edge
# sharper than 60 degrees.
SHEET_COSINE = -0.5
# Geometric detail names a front only when that side is modelled with at least this many
# of the triangles the samples land on: a face, a grille or a row of buttons takes on the
# order of a hundred triangles, while the side of a plain shape is a few flat facets whose
# only "detail" is their edges (and a smooth back then reads as featureless). On the
# professional sets the fronts that geometry names rightly span 267 to 1,958 triangles
# (CesiumMilkTruck, Suzanne, the Duck, the generated penguin and car); the ends of shapes
# with no front span 4 to 46 (the L-block, assimp's huesitos bone rig, trimesh's bent
# block in groups.obj).
MIN_FEATURE_TRIANGLES = 100
# Facing rests wholly on the mirror plane, so it asks for a clearer one than lying does
# (:data:`MIN_MIRROR`): 0.87 to 0.99 on the Khronos Duck, CesiumMilkTruck, DamagedHelmet
# and pirate and on the generated chair, penguin, car, TRELLIS character, fish and fox;
# 0.79 to 0.80 on shapes whose front means little or whose plane is not left-right (the
# banana, the Shap-E sword's end-to-end plane) and on the Meshy character.
FACING_MIRROR = 0.85


# Two mirror scores differ beyond sampling noise when they are this far apart: three
# standard errors of the difference of two shares of :data:`MIRROR_PROBES` probes at their
# widest (p = 0.5): 3 * sqrt(2 * 0.25 / 1000) = 0.067.
MIRROR_NOISE = 3 * float(np.sqrt(2 * 0.25 / MIRROR_PROBES))


def _leading_plane(planes: list[Plane]) -> Plane | None:
    """The best plane across a solid when the next one scores measurably lower (by
    :data:`MIRROR_NOISE`) though within :data:`MIRROR_MARGIN`. An object with a front is
    left-right symmetric but not front-back symmetric (its front is what breaks that
    symmetry), so of two such planes the one that maps more of the surface onto itself is
    the left-right plane: the SF3D shirt's 0.99 (its collar and buttons make the
    front-back plane 0.87). Planes that tie within noise (boxes, cylinders, plates) leave
    it unknown."""
    solid = [p for p in planes if p.thickness >= MIN_THICKNESS]
    if not solid or solid[0].score < MIN_MIRROR:
        return None
    if len(solid) > 1 and solid[1].score > solid[0].score - MIRROR_NOISE:
        return None
    return solid[0]


@dataclass(frozen=True)
class Facing:
    """Which way an upright bilateral object faces."""

    axis: np.ndarray  # unit, horizontal: its front-back axis (its front when ``sign``)
    sign: bool  # whether ``axis`` points to the front (else only the line is known)
    plane: Plane  # its mirror plane
    texture: float | None  # texture detail of the +axis side / the -axis side
    geometry: float | None  # geometric detail of the +axis side / the -axis side
    colour: float | None = None  # vertex-colour detail of the +axis side / the -axis side


def facing(asset: Asset) -> Facing | None:
    """The front-back axis of an upright bilateral object: it lies in the mirror plane
    and is horizontal, so it is up x the plane's normal. Its sign comes from where the
    detail is: the front of a modelled object carries its features (face, eyes, grille,
    buttons), and a single-view image-to-3D generator copies the photo onto the side it
    saw while it invents a smoother, blurrier back. Texture detail (a band-pass of the
    base colour's luminance sampled on the surface; of vertex colours,
    :func:`_colour_detail`) and geometric detail (how much the
    normals turn between neighbouring samples) of the two sides' body surface (seen from
    outside, :func:`visible`, and not on a thin sheet, :func:`thin_sheet`) are compared;
    each cue votes when one side exceeds the other by :data:`MIN_DETAIL_RATIO` beyond
    sampling noise (:data:`DETAIL_NOISE`), and the sign is known when at least one votes
    and none disagrees. None for objects that lie (O010), have no single clear mirror
    plane, whose plane is not vertical, with too little body surface on an end (a fish's
    back is mostly fins and tail), or with no features on either side to compare (no
    base colour texture, and geometry dismissed by :data:`MIN_FEATURE_TRIANGLES`): a
    plain shape has no front."""
    if asset.format == "stl" or lying_pose(asset) is not None or lying_flat(asset) is not None:
        return None
    samples = shape_samples(asset)
    if samples is None:
        return None
    planes = mirror_planes(samples)
    plane = bilateral_plane(planes)
    leading = plane is None  # only ahead of a second plane: said only with a known sign
    if plane is None:
        plane = _leading_plane(planes)
    if plane is None or plane.score < FACING_MIRROR:
        return None
    if abs(plane.normal[1]) > np.sin(np.radians(UPRIGHT_DEGREES)):
        return None
    axis = np.cross([0.0, 1.0, 0.0], plane.normal)
    axis /= np.linalg.norm(axis)
    along = samples.normals @ axis
    body = visible(asset, samples) & ~thin_sheet(asset, samples)
    front, back = body & (along > SIDE_COSINE), body & (along < -SIDE_COSINE)
    if not front.any() or not back.any():
        return None
    geometry = _ratio(_normal_turn(samples, body), front, back)
    if geometry is not None and _triangles(samples, front if geometry.ratio > 1 else back) < (
        MIN_FEATURE_TRIANGLES
    ):
        geometry = None  # the edges of a few facets, not features
    texture = _ratio(_texture_detail(asset, samples), front, back)
    colour = _ratio(_colour_detail(asset, samples, body), front, back)
    cues = [c for c in (geometry, texture, colour) if c is not None]
    if not cues:
        return None  # no features on either side: nothing tells a front from a back
    votes = {int(np.sign(c.log)) for c in cues if c.votes}
    sign = len(votes) == 1
    if leading and not sign:
        return None  # which plane is left-right rests on the front the detail shows
    flip = -1.0 if votes == {-1} else 1.0
    return Facing(
        flip * axis,
        sign,
        plane,
        None if texture is None else float(np.exp(flip * texture.log)),
        None if geometry is None else float(np.exp(flip * geometry.log)),
        None if colour is None else float(np.exp(flip * colour.log)),
    )


@dataclass(frozen=True)
class Cue:
    """One cue's comparison of the two sides: the log of the ratio of their mean detail,
    and that in standard errors."""

    log: float
    z: float

    @property
    def ratio(self) -> float:
        return float(np.exp(self.log))

    @property
    def votes(self) -> bool:
        """Whether one side has :data:`MIN_DETAIL_RATIO` more detail, beyond
        :data:`DETAIL_NOISE`."""
        return abs(self.log) >= np.log(MIN_DETAIL_RATIO) and abs(self.z) >= DETAIL_NOISE


def _ratio(detail: np.ndarray | None, front: np.ndarray, back: np.ndarray) -> Cue | None:
    """Mean detail of the front side over the back side's, with its standard error (the
    delta method on the log of a ratio of two sample means); None when either side has
    too few measured samples (:data:`MIN_SIDE_SAMPLES`) or no detail at all."""
    if detail is None:
        return None
    measured = np.isfinite(detail)
    a, b = detail[front & measured], detail[back & measured]
    if len(a) < MIN_SIDE_SAMPLES or len(b) < MIN_SIDE_SAMPLES:
        return None
    ma, mb = float(a.mean()), float(b.mean())
    if not (ma > 0 and mb > 0):
        return None
    error = np.sqrt(a.var() / (len(a) * ma * ma) + b.var() / (len(b) * mb * mb))
    log = float(np.log(ma / mb))
    return Cue(log, log / error if error > 0 else float(np.inf) * np.sign(log))


def thin_sheet(asset: Asset, samples: ShapeSamples) -> np.ndarray:
    """bool per sample: seen and on a thin sheet (:data:`SHEET_COSINE`). Facing compares the
    ends of a body: on a sheet neither cue measures features. The normals of its rim
    turn through half a circle between the two faces, as much on a plain fin as
    anywhere, and the texture atlas cuts its two faces apart there; a fish's fins and
    tail made its back read as the more detailed end. Computed once per samples."""
    if "sheet" not in samples.cache:
        from scipy.spatial import cKDTree

        rows = np.flatnonzero(visible(asset, samples))
        sheet = np.zeros(len(samples.points), dtype=bool)
        if len(rows) > DETAIL_NEIGHBOURS:
            points = samples.points[rows]
            near = cKDTree(points).query(points, k=DETAIL_NEIGHBOURS + 1)[1]
            normals = samples.normals[rows][near]
            cosines = np.einsum("nkj,nlj->nkl", normals, normals)
            sheet[rows] = cosines.min(axis=(1, 2)) < SHEET_COSINE
        samples.cache["sheet"] = sheet
    return samples.cache["sheet"]


def _triangles(samples: ShapeSamples, side: np.ndarray) -> int:
    """How many distinct triangles the samples of ``side`` land on."""
    rows = np.column_stack([samples.mesh[side], np.sort(samples.corners[side], axis=1)])
    return len(np.unique(rows, axis=0))


def _normal_turn(samples: ShapeSamples, seen: np.ndarray) -> np.ndarray:
    """Per visible sample, 1 - the mean |cosine| between its normal and its
    :data:`DETAIL_NEIGHBOURS` nearest visible samples' (0 on a plane; the absolute value
    keeps the two faces of a thin sheet from counting as a fold); NaN where unseen (a hidden
    part beside the skin would make the skin look folded)."""
    from scipy.spatial import cKDTree

    rows = np.flatnonzero(seen)
    out = np.full(len(samples.points), np.nan)
    if len(rows) <= DETAIL_NEIGHBOURS:
        return out
    points, normals = samples.points[rows], samples.normals[rows]
    near = cKDTree(points).query(points, k=DETAIL_NEIGHBOURS + 1)[1][:, 1:]
    cosines = np.einsum("nkj,nj->nk", normals[near], normals)
    out[rows] = 1.0 - np.abs(cosines).mean(axis=1)
    return out


# Rays cast from each side of a sample to tell whether it can be seen from outside (the
# cosine-distributed hemisphere of the shared occlusion cast, out past the object).
VISIBILITY_RAYS = 16


def visible(asset: Asset, samples: ShapeSamples) -> np.ndarray:
    """bool per sample: whether some ray from either side of the surface there leaves
    the object. Surface that is never seen (a solid hidden in another, such as eyeballs
    modelled inside a closed head, a generator's inner leftovers) shows no viewer a front;
    its detail must not vote, so that facing is the same before and after such parts are
    deleted. Computed once per samples."""
    if "visible" not in samples.cache:
        from assetlint.analysis.occlusion import ambient_occlusion

        reach = 2.0 * samples.diagonal
        seen = np.zeros(len(samples.points), dtype=bool)
        for side in (1.0, -1.0):
            shut = ambient_occlusion(
                asset, samples.points, side * samples.normals, reach, VISIBILITY_RAYS
            )
            seen |= np.ones(len(seen), dtype=bool) if shut is None else shut < 1.0
        samples.cache["visible"] = seen
    return samples.cache["visible"]


def _texture_detail(asset: Asset, samples: ShapeSamples) -> np.ndarray | None:
    """Per sample, the band-passed luminance (:data:`DETAIL_BAND`) of its base colour
    texture at its UV; NaN where it has none. None when no sample has one."""
    from assetlint.analysis import memo

    detail = np.full(len(samples.points), np.nan)
    for mat in np.unique(samples.material[samples.material >= 0]):
        slot = (
            asset.materials[mat].textures.get("base_color") if mat < len(asset.materials) else None
        )
        if slot is None:
            continue
        image = memo(
            asset, f"orientation.detail.{slot.texture}", lambda t=slot.texture: _band(asset, t)
        )
        if image is None:
            continue
        for mesh_index in np.unique(samples.mesh[samples.material == mat]):
            mesh = asset.meshes[mesh_index]
            if (
                not 0 <= slot.uv_set < len(mesh.uvs)
                or len(mesh.uvs[slot.uv_set]) != mesh.vertex_count
            ):
                continue
            rows = np.flatnonzero((samples.material == mat) & (samples.mesh == mesh_index))
            corners = mesh.uvs[slot.uv_set][samples.corners[rows]].astype(np.float64)
            uv = np.einsum("nk,nkj->nj", samples.bary[rows], corners)
            ok = np.isfinite(uv).all(axis=1)
            h, w = image.shape
            x = (np.mod(uv[ok, 0], 1.0) * w).astype(np.int64).clip(0, w - 1)
            y = (np.mod(uv[ok, 1], 1.0) * h).astype(np.int64).clip(0, h - 1)
            detail[rows[ok]] = image[y, x]
    return detail if np.isfinite(detail).any() else None


def _colour_detail(asset: Asset, samples: ShapeSamples, seen: np.ndarray) -> np.ndarray | None:
    """Per seen sample with vertex colours, how far the luminance of its interpolated
    colour stands from the mean of its :data:`DETAIL_NEIGHBOURS` nearest such samples': the
    texture cue's band-pass, taken over the surface at the samples' spacing, for the
    generators that write colour per vertex (TripoSR, InstantMesh, Shap-E, Point-E). They
    too copy the photo onto the side they saw and blur what they invent (the TripoSR
    chibi boy's face side reads 5.8 times its back); `fix` bakes these colours into a
    texture, which the texture cue then reads. NaN elsewhere; None when no sample has
    vertex colours."""
    from scipy.spatial import cKDTree

    luminance = np.full(len(samples.points), np.nan)
    weights = np.array([0.2126, 0.7152, 0.0722])
    for mesh_index in np.unique(samples.mesh[seen]):
        mesh = asset.meshes[mesh_index]
        if mesh.colors is None or len(mesh.colors) != mesh.vertex_count:
            continue
        rows = np.flatnonzero(seen & (samples.mesh == mesh_index))
        corners = mesh.colors[samples.corners[rows], :3].astype(np.float64) @ weights
        luminance[rows] = np.einsum("nk,nk->n", samples.bary[rows], corners)
    rows = np.flatnonzero(np.isfinite(luminance))
    if len(rows) <= DETAIL_NEIGHBOURS:
        return None
    points = samples.points[rows]
    near = cKDTree(points).query(points, k=DETAIL_NEIGHBOURS + 1)[1][:, 1:]
    detail = np.full(len(samples.points), np.nan)
    detail[rows] = np.abs(luminance[rows] - luminance[rows][near].mean(axis=1))
    return detail


def _band(asset: Asset, texture: int) -> np.ndarray | None:
    """|blur(σ₁) - blur(σ₂)| of the texture's luminance (:data:`DETAIL_BAND`)."""
    from scipy import ndimage

    from assetlint.analysis.albedo import texture_pixels

    pixels = texture_pixels(asset, texture)
    if pixels is None or min(pixels.shape[:2]) < 8:
        return None
    luminance = pixels[..., :3].astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
    fine, coarse = (ndimage.gaussian_filter(luminance, s, mode="wrap") for s in DETAIL_BAND)
    return np.abs(fine - coarse)


def turn_about_y(start: np.ndarray, end: np.ndarray) -> float:
    """Degrees of the rotation about +Y (right-handed) taking horizontal ``start`` onto
    ``end``, in (-180, 180]."""
    angle = float(np.degrees(np.arctan2(start[2] * end[0] - start[0] * end[2], start @ end)))
    return 180.0 if angle <= -180 + 1e-9 else angle


def y_rotation(degrees: float) -> np.ndarray:
    """The 3x3 rotation by ``degrees`` about +Y."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def facing_direction(direction: np.ndarray, line: bool = False) -> str:
    """'-Z' (within :data:`UPRIGHT_DEGREES`), or '-Z turned 28° toward +X' (of a line: 'Z',
    'Z turned 28° toward X')."""
    nearest = _nearest_axis(direction)
    name = _direction_name(nearest)
    degrees = turn_about_y(nearest, direction)
    if line:
        name = name[1]
    if abs(degrees) <= UPRIGHT_DEGREES:
        return name
    toward = _direction_name(y_rotation(np.sign(degrees) * 90.0) @ nearest)
    return f"{name} turned {abs(degrees):.0f}° toward {toward[1] if line else toward}"


def _nearest_axis(line: np.ndarray) -> np.ndarray:
    """The horizontal world axis (±X or ±Z) nearest to a horizontal direction."""
    k = 0 if abs(line[0]) >= abs(line[2]) else 2
    out = np.zeros(3)
    out[k] = 1.0 if line[k] >= 0 else -1.0
    return out


@dataclass(frozen=True)
class Turn:
    """What O011 reports: the degrees about Y that put the object as the convention wants
    (0 when the sign is uncertain and only the axis can be fixed: then ``degrees`` is the
    turn of the axis line, either way round), and the sentence that says so."""

    degrees: float
    sign: bool
    message: str


def facing_turn(face: Facing, expected: str) -> Turn | None:
    """The turn about Y that makes ``face`` meet the convention ``expected`` ("+Z", "-X",
    ...; "" for none: then only a front-back axis along no world axis is a fault, and the
    turn squares it to the nearest), or None when it already does (within
    :data:`UPRIGHT_DEGREES`)."""
    axis, tolerance = face.axis, UPRIGHT_DEGREES
    ratios = [
        ("geometry", face.geometry),
        ("texture", face.texture),
        ("vertex colour", face.colour),
    ]
    detail = ", ".join(f"{name} {r:.2f}x" for name, r in ratios if r is not None)
    plane = f"its mirror plane ({face.plane.score:.0%} of the surface maps onto itself)"
    if face.sign:
        said = f"faces {facing_direction(axis)}"
        evidence = (
            f"{plane} gives the front-back axis, and that side has more detail than the "
            f"back ({detail})"
        )
    else:
        said = f"its front-back axis is along {facing_direction(axis, line=True)}"
        evidence = (
            f"{plane} gives the axis; which end is the front is uncertain "
            f"(detail front/back: {detail})"
        )
    if not expected:
        degrees = turn_about_y(axis, _nearest_axis(axis))
        if abs(degrees) <= tolerance:
            return None
        return Turn(
            degrees,
            face.sign,
            f"{said}, {abs(degrees):.0f}° off every engine's front axis (±X, ±Z): rotate "
            f"{degrees:+.0f}° about Y to square it ({evidence})",
        )
    degrees = turn_about_y(axis, np.asarray(_AXES[expected]))
    if face.sign:
        if abs(degrees) <= tolerance:
            return None
        return Turn(
            degrees,
            True,
            f"{said}; the target's front is {expected}: rotate {degrees:+.0f}° about Y "
            f"({evidence})",
        )
    if abs(degrees) <= tolerance or abs(degrees) >= 180 - tolerance:
        return None
    degrees += -180 if degrees > 90 else 180 if degrees < -90 else 0
    other = degrees - 180 if degrees > 0 else degrees + 180
    return Turn(
        degrees,
        False,
        f"{said}; the target's front is {expected}: rotating {degrees:+.0f}° or {other:+.0f}° "
        f"about Y puts it on that axis ({evidence})",
    )


def facing_fault(asset: Asset, expected: str) -> Turn | None:
    """What O011 reports against the front ``expected`` ("" for no target), in one place
    so that `fix` judges an object it has just stood up exactly as the rule would."""
    if expected not in ("", "+X", "-X", "+Z", "-Z"):
        raise ValueError(f"expected_front must be +X, -X, +Z, -Z or empty, not {expected!r}")
    face = facing(asset)
    if face is None:
        return None
    if not expected and fitted_cube(asset) is None and not pipeline_signs(asset):
        return None  # an authored object turned off the axes was turned on purpose
    return facing_turn(face, expected)


@group.rule(
    "O011",
    "facing",
    severity="info",
    summary="an upright bilateral object faces away from the target's front convention, "
    "or along no axis at all",
    fix="Rotate the object about the vertical axis as the message says (Blender: R Z, then "
    "Apply > Rotation), or set the exporter's forward axis; `assetlint fix` applies it.",
    params={"expected_front": ""},
)
def facing_rule(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Every horizontal direction is some destination's front: glTF, three.js, Unity and Godot
    assets face +Z, Unreal's +X, Roblox parts -Z. So facing is judged against the
    target's convention (``expected_front``, in the file's +Y-up frame as assetlint
    reads it). With no target only a front-back axis along no world axis at all is
    reported, as information, and only on a generator's output (S006's fitted cube, or a
    generator's names): an image-to-3D generator turns the object by the angle of a
    three-quarter photo, while an authored object turned off the axes (assimp's huesitos
    test rig) was turned on purpose. The front-back axis of an upright bilateral object
    (figure, animal, vehicle, furniture) lies in its mirror plane and is horizontal;
    which end is the front comes from detail: modelled fronts carry the features (face,
    eyes, grille, buttons), and single-view image-to-3D generators copy the photo onto
    the side they saw and invent a smoother, blurrier back. Texture detail (band-passed
    base colour; per-vertex colour the same way over the surface) and geometric detail
    (normal variation) vote when a side exceeds the
    other by 10%, beyond sampling noise; geometry votes only for a side modelled with at
    least 100 triangles (features need them: the side of a plain block, an L-shape or a
    bone chain is a few facets whose only detail is their edges). The sign is said only when no cue
    disagrees, and otherwise the message names the axis, says that the sign is uncertain
    and is only information (`assetlint fix` turns nothing). With no features on either
    side (a plain pole, block or bone chain) nothing is said: it has no front. Only
    body surface seen from outside is measured (:func:`visible`; thin sheets such as
    fins, ears and wings are left out, :func:`thin_sheet`). On the files whose front is
    known (Khronos Duck, CesiumMilkTruck +X, generated chair -Z, car -X, characters,
    penguin, fox, Khronos pirate +Z) no cue points to the back; the Tripo fish's back is
    mostly fins and tail, too little body to compare, so it is not judged. Lying
    objects (O010), objects with no single clear mirror plane, and STL are not judged.
    """
    turn = facing_fault(asset, ctx.params["expected_front"])
    if turn is None:
        return
    yield ctx.finding(
        turn.message,
        subject_type="scene",
        value=turn.degrees,
        limit=UPRIGHT_DEGREES,
        severity=None if turn.sign else "info",
    )


@group.rule(
    "O003",
    "pivot-placement",
    severity="info",
    summary="the origin is not where the target expects the pivot (bottom centre or centre)",
    fix="Move the object so that the expected point sits at the origin (Blender: Object > "
    "Set Origin, then move the object to the world origin) and apply the transform.",
    targets=("game", "web"),
    params={"expected": "bottom-center", "tolerance": 0.05},
    ranges={"tolerance": AT_LEAST_ZERO},
)
def pivot_placement(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """An engine places, rotates and scales an asset about its origin. Props meant to stand
    on a floor should have it at the centre of their base ("bottom-center"), so that they
    land on the ground where they are dropped (Unreal's content standards and the Khronos
    3D Commerce guidelines ask for this); other targets expect the centre. The origin is
    reported when it is farther from the expected point than ``tolerance`` times the
    object's size."""
    bounds = asset.bounds()
    if bounds is None:
        return
    expected = ctx.params["expected"]
    if expected not in ("bottom-center", "center"):
        raise ValueError(f"expected must be 'bottom-center' or 'center', not {expected!r}")
    point = bounds.mean(axis=0)
    if expected == "bottom-center":
        point[1] = bounds[0, 1]
    size = float((bounds[1] - bounds[0]).max())
    offset = float(np.linalg.norm(point))
    if size > 0 and offset > float(ctx.params["tolerance"]) * size:
        where = "bottom centre" if expected == "bottom-center" else "centre"
        yield ctx.finding(
            f"the origin is {offset:.3g} m from the {where} of the bounds "
            f"({offset / size:.0%} of the size; the {where} is at "
            f"({point[0]:.3g}, {point[1]:.3g}, {point[2]:.3g}) m)",
            subject_type="scene",
            value=offset / size,
            limit=float(ctx.params["tolerance"]),
            location=point,
        )


@group.rule(
    "O004",
    "pivot-far-from-geometry",
    severity="warning",
    summary="the origin lies far outside the object",
    fix="Move the object to the origin (or the origin to the object) and apply the transform.",
    targets=("game", "web"),
    params={"max_distance": 1.0},
    ranges={"max_distance": AT_LEAST_ZERO},
)
def pivot_far_from_geometry(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """An origin far from the geometry makes the asset appear away from where it is
    placed, rotate around an empty point, and lose float precision; it is what a part
    exported from a larger scene keeps. Reported when the distance from the origin to the
    bounding box exceeds ``max_distance`` times the object's size."""
    bounds = asset.bounds()
    if bounds is None:
        return
    size = float((bounds[1] - bounds[0]).max())
    gap = np.maximum(np.maximum(bounds[0], -bounds[1]), 0.0)  # origin to box, per axis
    distance = float(np.linalg.norm(gap))
    limit = float(ctx.params["max_distance"])
    if size > 0 and distance > limit * size:
        yield ctx.finding(
            f"the origin is {distance:.3g} m from the geometry, {distance / size:.1f} times "
            f"its size (limit {limit:g})",
            subject_type="scene",
            value=distance / size,
            limit=limit,
        )


def _instanced_nodes(asset: Asset) -> tuple[list[str], np.ndarray]:
    """Names and world 3x3 parts of the placed mesh nodes (a non-finite transform, O009,
    has no scale to judge)."""
    names, linear = [], []
    for index, node in enumerate(asset.nodes):
        if node.mesh is not None and node.placed:
            names.append(node.name or f"node #{index}")
            linear.append(node.world[:3, :3])
    return names, np.asarray(linear, dtype=np.float64).reshape(-1, 3, 3)


@group.rule(
    "O005",
    "negative-scale",
    severity="warning",
    summary="a mesh node with a mirroring transform (negative scale)",
    fix="Apply the transform in the source tool (Blender: Apply > Scale; then recalculate "
    "normals outside) so that the mesh itself is mirrored, not its node.",
)
def negative_scale(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A negative scale mirrors the mesh, which reverses its winding: engines that do not
    compensate render it inside out (backfaces culled, lighting flipped), and physics
    and baking tools often reject it. Judged on the node's world transform, so a mirror
    inherited from a parent counts."""
    names, linear = _instanced_nodes(asset)
    if not len(linear):
        return
    det = np.linalg.det(linear)
    for i in np.flatnonzero(det < 0):
        yield ctx.finding(
            f"node {names[i]!r} is mirrored (transform determinant {det[i]:.3g})",
            subject=names[i],
            subject_type="node",
            value=float(det[i]),
            limit=0,
        )


@group.rule(
    "O006",
    "non-uniform-scale",
    severity="warning",
    summary="a mesh node scaled differently along different axes",
    fix="Apply the scale in the source tool (Blender: Apply > Scale) so that the mesh "
    "carries its shape and the node a uniform scale of 1.",
    params={"tolerance": 0.001},
    ranges={"tolerance": AT_LEAST_ZERO},
)
def non_uniform_scale(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A non-uniform node scale distorts normals unless the engine corrects them, breaks
    instancing and batching, shears children when they rotate, and makes colliders and
    lightmap density wrong. Judged on the world transform's singular values: reported when
    the largest exceeds the smallest by more than ``tolerance`` (relative)."""
    names, linear = _instanced_nodes(asset)
    if not len(linear):
        return
    singular = np.linalg.svd(linear, compute_uv=False)
    ratio = singular[:, 0] / np.maximum(singular[:, 2], 1e-300)
    tol = float(ctx.params["tolerance"])
    for i in np.flatnonzero(ratio > 1.0 + tol):
        s = singular[i]
        yield ctx.finding(
            f"node {names[i]!r} is scaled {s[0]:.4g} / {s[1]:.4g} / {s[2]:.4g} along its "
            f"axes (ratio {ratio[i]:.3g})",
            subject=names[i],
            subject_type="node",
            value=float(ratio[i]),
            limit=1.0 + tol,
        )


@group.rule(
    "O009",
    "non-finite-transform",
    severity="error",
    summary="a node whose transform is NaN or infinite, so the meshes under it have no place",
    fix="Reset the node's transform in the source tool (Blender: Clear Transform) and "
    "re-export; a corrupt file or an exporter's division by zero wrote it.",
)
def non_finite_transform(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A NaN or infinite matrix puts everything below the node nowhere: engines draw
    nothing or garbage, and bounds, pivots and scale cannot be measured. Reported once,
    at the node where the transform stops being finite (its parent's is finite), with
    the mesh instances it takes down; the world-space rules leave those instances out."""
    for index, node in enumerate(asset.nodes):
        parent = node.parent
        if node.placed or (parent is not None and not asset.nodes[parent].placed):
            continue
        lost, stack = 0, [index]
        while stack:  # the subtree, nodes not vertices
            below = asset.nodes[stack.pop()]
            lost += below.mesh is not None
            stack.extend(c for c in below.children if 0 <= c < len(asset.nodes))
        name = node.name or f"node #{index}"
        yield ctx.finding(
            f"node {name!r} has a NaN or infinite transform: "
            f"{lost} mesh instance{'s' if lost != 1 else ''} under it cannot be placed",
            subject=name,
            subject_type="node",
            count=lost,
        )


@group.rule(
    "O007",
    "below-ground",
    severity="warning",
    summary="part of the object is below the ground plane (y = 0)",
    fix="Move the object up so that its lowest point is at y = 0 (and its pivot at the "
    "bottom centre).",
    targets=("game", "web"),
    params={"tolerance": 0.01},
    ranges={"tolerance": AT_LEAST_ZERO},
)
def below_ground(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Placed at the origin of a floor, an object that extends below y = 0 sinks into the
    ground, in engines and in AR viewers that put the origin on a real floor. Reported
    when the lowest point is more than ``tolerance`` times the object's height below the
    plane."""
    bounds = asset.bounds()
    if bounds is None:
        return
    height = float(bounds[1, 1] - bounds[0, 1])
    depth = -float(bounds[0, 1])
    if height > 0 and depth > float(ctx.params["tolerance"]) * height:
        yield ctx.finding(
            f"{min(depth / height, 1.0):.0%} of the object's height ({depth:.3g} m) is below "
            "the ground plane",
            subject_type="scene",
            value=depth / height,
            limit=float(ctx.params["tolerance"]),
        )


@group.rule(
    "O008",
    "overhang-share",
    severity="info",
    summary="share of the surface that overhangs more than the printer's limit and needs support",
    fix="Reorient the model on the bed, add chamfers under overhangs, or plan for support "
    "material.",
    targets=("print",),
    params={"max_angle": 45.0, "min_share": 0.0, "unitless_up": "+Y"},
    ranges={"max_angle": Range(0.0, 90.0), "min_share": SHARE},
)
def overhang_share(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """FDM printers lay each layer on the one below: surfaces that face down at more than
    about 45 degrees from vertical sag or fail without support structures, which cost
    material and leave marks. The share is of surface area, with the model standing as
    it is (+Y up is the printer's Z; STL and OBJ, which state no axes, are read with
    ``unitless_up``, Z for the print pack as slicers do); faces lying on the bed do not
    count. Information only: support is often acceptable, and a slicer can reorient the
    model."""
    up, axes_note = vertical_axis(asset, ctx.params["unitless_up"])
    area_parts, low_parts = [], []
    for mesh_index, node in asset.placed_instances():
        mesh = asset.meshes[mesh_index]
        s = surface(mesh)
        linear = node.world[:3, :3]
        det = np.linalg.det(linear)
        if not len(s.triangles) or det == 0:
            continue
        # area vectors map with the cofactor matrix: (F a) x (F b) = det(F) F^-T (a x b)
        area_parts.append(det * s.area_vectors @ np.linalg.inv(linear))
        heights = mesh.positions.astype(np.float64) @ linear[up] + node.world[up, 3]
        low_parts.append(heights[s.triangles])
    if not area_parts:
        return
    normals = np.concatenate(area_parts)
    heights = np.concatenate(low_parts)
    doubled = np.sqrt(np.einsum("ij,ij->i", normals, normals))
    total = float(doubled.sum())
    if total <= 0:
        return
    down = -normals[:, up] / np.maximum(doubled, 1e-300)
    floor = heights.min()
    span = float(heights.max() - floor)
    on_bed = (heights <= floor + 1e-6 * max(span, 1e-12)).all(axis=1)
    angle = float(ctx.params["max_angle"])
    over = (down > np.sin(np.radians(angle))) & ~on_bed
    share = float(doubled[over].sum()) / total
    if share > float(ctx.params["min_share"]):
        note = f" ({axes_note})" if axes_note else ""
        yield ctx.finding(
            f"{share:.1%} of the surface overhangs more than {angle:g} degrees and needs "
            f"support ({int(over.sum()):,} triangles){note}",
            subject_type="scene",
            count=int(over.sum()),
            value=share,
            limit=float(ctx.params["min_share"]),
        )
