"""Shells and how they nest: which part of a mesh lies inside which closed shell.

A closed shell's signed volume says which way its faces point, but not what it is: an
inward-facing shell inside an outward one is a cavity (a hollow object, valid), and an
outward shell inside an outward one is a solid hidden in another (eyes modelled inside a
head, a generator's leftover inner surface). Only a shell inside no other can be judged
inside out on its sign alone.

A point is inside a closed shell when a ray from it crosses the shell an odd number of
times (the Jordan–Brouwer parity rule). Rays are cast with Intel Embree (``embreex``) over
the whole mesh, in one fixed oblique direction, hit after hit, and the crossings are
counted per part: one pass answers "inside which closed shells" for every sample point at
once, in about (rays x crossings x log faces). Each part is sampled at up to
:data:`SAMPLES` face centroids spread over it; it counts as inside a shell when at least
:data:`NESTED_SHARE` of its samples are (so an eyeball that pokes a little out of the head
is still nested, and one grazing ray cannot decide).

:func:`nesting` judges within one mesh, in its own space. :func:`nesting_across_meshes`
asks the same across meshes, in world space: eyes modelled as a separate mesh inside a
head mesh, an inner lining mesh facing into the hollow of its shell. Both cast their rays
with :func:`crossings` over a scene of :func:`embree_scene`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assetlint.geometry.topology import Topology, topology
from assetlint.model import Asset, transform_points

SAMPLES = 32  # face centroids tested per part
# share of a part's samples that must be inside a shell for the part to be nested in it:
# "wholly inside" with room for an eyeball whose front pokes a little out of its socket
# (the Tripo fish's are 91% inside); a part half out of a shell is a visible part
NESTED_SHARE = 0.75
# an oblique direction no axis-aligned model has edges or faces along
DIRECTION = np.array([0.5377, 0.8026, 0.2581]) / np.linalg.norm([0.5377, 0.8026, 0.2581])
MAX_CROSSINGS = 512  # a ray still hitting after this many faces is given up (counted outside)
# parts of a mesh judged for nesting; a mesh of more (triangle soup, voxel debris) is left
# flat: its parts are reported by G011/G012/G013, not as shells
MAX_PARTS = 5_000


@dataclass(frozen=True)
class Nesting:
    """How a mesh's parts (topology parts) nest in its closed shells.

    ``container[p]`` is the closed part that immediately holds part p (the smallest
    holding at least NESTED_SHARE of it), -1 when none does; ``kind[p]`` is "outer" (a
    closed shell inside no other), "cavity" (a closed shell facing the opposite way to
    its container: the hollow of a solid, or a solid standing in a hollow), "hidden" (a
    closed shell facing the same way as its container, a solid inside a solid, or an open
    part inside a closed shell) or "" (an open part inside nothing); ``share[p]`` is the
    share of p's samples
    inside its container."""

    container: np.ndarray
    kind: np.ndarray
    share: np.ndarray

    def parts(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.kind == kind)


def nesting(topo: Topology) -> Nesting:
    """The :class:`Nesting` of the mesh's parts, cached on the mesh with its topology."""
    key = ("nesting", topo.tolerance)
    cached = topo.mesh.cache.get(key)
    if cached is None:
        cached = topo.mesh.cache[key] = _nesting(topo)
    return cached


def closed_shells(topo: Topology) -> np.ndarray:
    """Per part: closed, with a volume above rounding noise (a shell with an inside, as
    G005 judges it)."""
    noise = topo.diagonal**3 * 1e-9
    return topo.part_closed & (np.abs(topo.part_volumes) > noise)


def _nesting(topo: Topology) -> Nesting:
    count, part = topo.parts
    shell = closed_shells(topo)
    container = np.full(count, -1, dtype=np.int64)
    kind = np.where(shell, "outer", "").astype(object)
    share = np.zeros(count)
    if count < 2 or count > MAX_PARTS or not shell.any():
        return Nesting(container, kind, share)
    corners = topo.welded_positions.astype(np.float64)[topo.faces]
    owner, picks = _spread_picks(part, count)
    scene = embree_scene(topo.welded_positions, topo.faces)
    hits = crossings(scene, corners.mean(axis=1)[picks], topo.diagonal)  # (ray, face) pairs
    ray, crossed = hits[:, 0], part[hits[:, 1]]
    keep = shell[crossed] & (crossed != owner[ray])
    ray, crossed = ray[keep], crossed[keep]
    pair = ray * count + crossed
    values, times = np.unique(pair, return_counts=True)
    odd = values[times % 2 == 1]  # (ray, shell) where the ray starts inside the shell
    votes = np.unique(owner[odd // count] * count + odd % count, return_counts=True)
    q, c = votes[0] // count, votes[0] % count
    fraction = votes[1] / np.bincount(owner, minlength=count)[q]
    major = fraction >= NESTED_SHARE
    q, c, fraction = q[major], c[major], fraction[major]
    if not len(q):
        return Nesting(container, kind, share)
    # the immediate container is the smallest shell holding the part
    volume = np.abs(topo.part_volumes)
    best = np.lexsort((volume[c], q))
    first = np.ones(len(best), dtype=bool)
    first[1:] = q[best][1:] != q[best][:-1]
    q, c, fraction = q[best][first], c[best][first], fraction[best][first]
    container[q] = c
    share[q] = fraction
    same = np.sign(topo.part_volumes[q]) == np.sign(topo.part_volumes[c])
    kind[q] = np.where(shell[q] & ~same, "cavity", "hidden")
    return Nesting(container, kind, share)


def floating(
    topo: Topology, area_ratio: float, size_ratio: float, held: np.ndarray | None = None
) -> np.ndarray:
    """Per part: G012's floater. It is small (its area or its size below that share of
    the main part's, the largest by area), inside no closed shell of its own mesh nor,
    where ``held`` marks it, of another mesh, and made the way debris is made: neither
    :func:`repeated` (a copy, as designed parts are) nor :func:`rim_held` (lying along
    other parts all round its open rim). G012 and fix's floaters step both ask this, so
    what the rule reports is what fix deletes."""
    count = topo.parts[0]
    if count < 2:
        return np.zeros(count, dtype=bool)
    areas = topo.part_areas
    sizes = np.linalg.norm(topo.part_extents, axis=1)
    main = int(np.argmax(areas))
    small = (areas < area_ratio * areas[main]) | (sizes < size_ratio * sizes[main])
    small[main] = False
    small[nesting(topo).container >= 0] = False  # a cavity or a hidden part: G017, G016
    if held is not None and len(held) == count:
        small[held] = False
    if small.any():
        small &= ~repeated(topo, small)
    if small.any():
        small &= ~rim_held(topo, small)
    return small


# a copy of fewer faces proves nothing: MeshGPT's quantized triangle soup holds dozens of
# congruent single triangles; from four faces (the fewest a closed solid has) a part has a
# shape that noise does not make twice
MIN_REPEATED_FACES = 4
# two parts are copies when their area and their three principal radii agree to this
# share of the square root of the area. Measured over the corpus: copies agree to 0.7%
# or better (DamagedHelmet's edited mirror pair 0.69%, the pirate's pair written with
# meshopt's quantized positions 0.11%, exact copies 1e-6); the nearest two pieces of
# generator debris with as many faces differ by 4.8% (Meshy's tetrahedra)
REPEAT_TOLERANCE = 0.01


def repeated(topo: Topology, parts: np.ndarray) -> np.ndarray:
    """Per part, of those marked in ``parts``: it has :data:`MIN_REPEATED_FACES` or more
    faces, and another part of the mesh has as many faces and the same shape (its area
    and the principal radii of its surface agree to :data:`REPEAT_TOLERANCE`).

    Designers copy parts (mirrored pairs of brackets, wheels, bolts in a row, a plate of
    identical prints), whereas a reconstruction's debris is cut by noise, and no two
    pieces of it come out alike. The measures are of the surface, not of its vertices, so
    a mirrored or moved copy, or one triangulated the other way, matches."""
    count, part = topo.parts
    faces = np.bincount(part, minlength=count)
    asked = parts & (faces >= MIN_REPEATED_FACES)
    out = np.zeros(count, dtype=bool)
    if not asked.any():
        return out
    # only a part with as many faces as an asked one can be its copy
    peers = np.flatnonzero(np.isin(faces, faces[asked]))
    shape = _shape_measures(topo, peers)
    order = np.lexsort((shape[:, 0], faces[peers]))
    faces, shape, peers = faces[peers][order], shape[order], peers[order]
    scale = REPEAT_TOLERANCE * np.maximum(shape[:, 0], np.finfo(np.float64).tiny)
    found = np.zeros(len(peers), dtype=bool)
    for step in range(1, len(peers)):  # each against the ones after it, while any is near
        a, b = np.arange(len(peers) - step), np.arange(step, len(peers))
        near = (faces[a] == faces[b]) & (shape[b, 0] - shape[a, 0] <= scale[a])
        near &= ~(found[a] & found[b])  # a crowd of exact copies is settled at once
        if not near.any():
            break
        same = near & (np.abs(shape[a] - shape[b]) <= scale[a, None]).all(axis=1)
        found[a[same]] = found[b[same]] = True
    out[peers[found]] = True
    return out & asked


def _shape_measures(topo: Topology, parts: np.ndarray) -> np.ndarray:
    """(len(parts), 4) for the given part numbers: the square root of each one's area and
    the three principal radii of its surface (square roots of the eigenvalues of the
    area-weighted covariance), in increasing order: lengths that do not change when a
    part is moved, turned, mirrored or triangulated differently."""
    count, part = topo.parts
    index = np.full(count, -1)
    index[parts] = np.arange(len(parts))
    rows = np.flatnonzero(index[part] >= 0)
    which = index[part[rows]]
    corners = topo.welded_positions.astype(np.float64)[topo.faces[rows]]
    area = topo.face_areas[rows]
    n = len(parts)
    total = np.maximum(np.bincount(which, weights=area, minlength=n), np.finfo(float).tiny)
    summed = corners.sum(axis=1)
    # the integral of x x^T over a triangle: area/12 (sum of v v^T over corners + s s^T)
    second = np.einsum("fci,fcj->fij", corners, corners) + np.einsum("fi,fj->fij", summed, summed)
    weighted = (area / 12.0)[:, None] * second.reshape(-1, 9)
    moment = np.stack(
        [np.bincount(which, weights=weighted[:, k], minlength=n) for k in range(9)], axis=1
    )
    centre = np.stack(
        [np.bincount(which, weights=area * summed[:, k], minlength=n) for k in range(3)], axis=1
    ) / (3.0 * total[:, None])
    spread = moment.reshape(-1, 3, 3) / total[:, None, None]
    spread -= centre[:, :, None] * centre[:, None, :]
    radii = np.sqrt(np.clip(np.linalg.eigvalsh(spread), 0.0, None))
    return np.concatenate([np.sqrt(total)[:, None], radii], axis=1)


RIM_SAMPLES = 5  # points along each open edge tested, both ends included
LARGE_FACES = 0.01  # share of the faces, the largest, looked up by a sweep, not a grid
RIM_PAIRS = 1 << 20  # (point, face) pairs measured at once


def rim_held(topo: Topology, parts: np.ndarray) -> np.ndarray:
    """Per part, of those marked in ``parts``: the part is an open surface (wider than the
    weld tolerance), and every point of its rim (its open edges, :data:`RIM_SAMPLES`
    points on each) lies within the weld tolerance of a face of another part.

    Such a part is held all round: a surface split only by how it was tessellated (a CAD
    exporter meshes each face of the model on its own, and its edges meet the
    neighbours' in T-junctions rather than shared vertices), or a panel set into its
    frame. Debris is separated from the object; somewhere along its rim is a gap."""
    count, part = topo.parts
    # a part no wider than the weld tolerance (a zero-area spike) is a line, not a surface
    # that anything holds
    width = topo.part_areas / np.maximum(np.linalg.norm(topo.part_extents, axis=1), 1e-300)
    parts = parts & (width > topo.tolerance)
    e = topo.edges
    corner = np.flatnonzero(e.face_count[e.groups.inverse] == 1)  # open half-edges
    corner = corner[parts[part[corner // 3]]]
    out = np.zeros(count, dtype=bool)
    if not len(corner):
        return out
    faces = topo.faces
    points = topo.welded_positions
    start = points[faces.reshape(-1)[corner]]
    end = points[faces[corner // 3, (corner % 3 + 1) % 3]]
    t = np.linspace(0.0, 1.0, RIM_SAMPLES)
    samples = (start[:, None] + (end - start)[:, None] * t[None, :, None]).reshape(-1, 3)
    owner = np.repeat(part[corner // 3], RIM_SAMPLES)
    on = _near_other_faces(topo, samples, owner)
    rim = np.unique(owner)
    out[rim] = np.bincount(owner, weights=~on, minlength=count)[rim] == 0
    return out


def _near_other_faces(topo: Topology, samples: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per sample point: within the weld tolerance of a face of a part other than its
    ``owner``. Candidate faces are those whose bounding box (grown by the tolerance)
    holds the point, found on a grid of cells as large as all but the largest
    :data:`LARGE_FACES` share of the boxes (a box then spans at most two cells along each
    axis), and by a sweep along x for the larger boxes; the exact distance to the
    closest point of the face (trimesh's ``closest_point``) decides."""
    from trimesh.triangles import closest_point  # exact, vectorised; imported on use

    tol = topo.tolerance
    _, part = topo.parts
    p, f = topo.welded_positions, topo.faces
    a, b, c = p[f[:, 0]], p[f[:, 1]], p[f[:, 2]]
    low = np.minimum(np.minimum(a, b), c)
    low -= tol
    high = np.maximum(np.maximum(a, b), c)
    high += tol
    del a, b, c
    side = high - low
    extent = np.maximum(np.maximum(side[:, 0], side[:, 1]), side[:, 2])
    rank = min(int(len(extent) * (1 - LARGE_FACES)), len(extent) - 1)
    cell = max(float(np.partition(extent, rank)[rank]), tol)
    bounds = topo.bounds if topo.bounds is not None else np.zeros((2, 3))
    origin = np.minimum(bounds[0] - tol, samples.min(axis=0))
    span = np.maximum(bounds[1] + tol, samples.max(axis=0)) - origin
    cell = max(cell, float(np.prod(span + cell)) ** (1 / 3) / 2.0**20)  # keys in an int64
    dims = (span // cell).astype(np.int64) + 3
    small = np.flatnonzero(extent <= cell)

    def key(ijk: np.ndarray) -> np.ndarray:
        return (ijk[:, 0] * dims[1] + ijk[:, 1]) * dims[2] + ijk[:, 2]

    # a small face is filed under the cell of its box's low corner: a point inside the
    # box lies in that cell or the next one along each axis
    face_key = key(((low[small] - origin) * (1 / cell)).astype(np.int64) + 1)
    home = ((samples - origin) * (1 / cell)).astype(np.int64) + 1
    steps = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])
    wanted = key((home[:, None, :] - steps[None]).reshape(-1, 3))
    look = np.unique(wanted)
    at = np.minimum(np.searchsorted(look, face_key), len(look) - 1)
    filed = small[look[at] == face_key]
    filed_key = key(((low[filed] - origin) * (1 / cell)).astype(np.int64) + 1)
    order = np.argsort(filed_key, kind="stable")
    filed, filed_key = filed[order], filed_key[order]
    first = np.searchsorted(filed_key, wanted, side="left")
    many = np.searchsorted(filed_key, wanted, side="right") - first
    held = np.zeros(len(samples), dtype=bool)

    def check(point: np.ndarray, face: np.ndarray) -> None:
        keep = (part[face] != owner[point]) & ~held[point]
        keep &= ((samples[point] >= low[face]) & (samples[point] <= high[face])).all(axis=1)
        point, face = point[keep], face[keep]
        gap = np.linalg.norm(samples[point] - closest_point(p[f[face]], samples[point]), axis=1)
        held[point[gap <= tol]] = True

    per_sample = many.reshape(-1, len(steps)).sum(axis=1)
    for begin, stop in _batches(per_sample):
        rows = slice(begin * len(steps), stop * len(steps))
        take = many[rows]
        point = np.repeat(np.repeat(np.arange(begin, stop), len(steps)), take)
        offset = np.arange(len(point)) - np.repeat(np.cumsum(take) - take, take)
        check(point, filed[np.repeat(first[rows], take) + offset])
    # the larger boxes: the points whose x lies in each one's x range
    large = np.flatnonzero(extent > cell)
    by_x = np.argsort(samples[:, 0], kind="stable")
    start = np.searchsorted(samples[by_x, 0], low[large, 0], side="left")
    count = np.searchsorted(samples[by_x, 0], high[large, 0], side="right") - start
    for begin, stop in _batches(count):
        take = count[begin:stop]
        offset = np.arange(int(take.sum())) - np.repeat(np.cumsum(take) - take, take)
        point = by_x[np.repeat(start[begin:stop], take) + offset]
        check(point, np.repeat(large[begin:stop], take))
    return held


def _batches(weights: np.ndarray) -> Iterator[tuple[int, int]]:
    """(start, stop) runs of ``weights`` (pairs per item) of at most :data:`RIM_PAIRS`
    in all, or one item where that alone is more: the pairs are tested a batch at a
    time, so memory stays bounded however dense the mesh is near the points."""
    ends = np.cumsum(weights)
    begin = 0
    while begin < len(weights):
        base = ends[begin - 1] if begin else 0
        stop = max(int(np.searchsorted(ends, base + RIM_PAIRS, side="right")), begin + 1)
        yield begin, stop
        begin = stop


def held_by_other_meshes(asset: Asset, tolerance: float) -> dict[int, np.ndarray]:
    """Per mesh index, per part of its topology at ``tolerance``: whether the part lies
    (:data:`NESTED_SHARE` of its samples) inside a closed shell of another mesh instance,
    in world space, in any of its instances. Such a part is nested: a cavity or a hidden
    solid of the other mesh, never to be judged or turned inside out on its own sign."""
    return {i: kind != "" for i, kind in nesting_across_meshes(asset, tolerance).items()}


def nesting_across_meshes(asset: Asset, tolerance: float) -> dict[int, np.ndarray]:
    """Per mesh index, per part of its topology at ``tolerance``: its :class:`Nesting`
    kind against the closed shells of the *other* mesh instances, in world space:
    "cavity" (a closed shell facing the opposite way to the smallest other-mesh shell
    holding it: a lining modelled as its own mesh, facing into the hollow of its
    shell), "hidden" (a closed shell facing the same way, or an open part, inside one)
    or "" (inside none); a part held in any of its mesh's instances counts. Cached on
    the asset for as long as every mesh keeps its topology (a repair that changes a mesh
    clears the mesh's cache, and with it the topology this was computed from). The
    topologies are held weakly: a large mesh's topology (~110 MB per million triangles)
    is freed once the rules that own it are done, not kept alive by this answer."""
    key = ("shells.across", tolerance)
    topos = tuple(topology(mesh, tolerance) for mesh in asset.meshes)
    cached = asset.cache.get(key)
    if (
        cached is None
        or len(cached[0]) != len(topos)
        or any(a() is not b for a, b in zip(cached[0], topos, strict=True))
    ):
        refs = tuple(weakref.ref(t) for t in topos)
        cached = asset.cache[key] = (refs, _across(asset, tolerance))
    return cached[1]


def _across(asset: Asset, tolerance: float) -> dict[int, np.ndarray]:
    placed = [
        (index, np.asarray(node.world, dtype=np.float64))
        for index, node in asset.placed_instances()
        if 0 <= index < len(asset.meshes)
    ]
    placed = [
        (i, w)
        for i, w in placed
        if w.shape == (4, 4) and np.isfinite(w).all() and abs(np.linalg.det(w[:3, :3])) > 1e-30
    ]
    kinds = {
        i: np.full(topology(asset.meshes[i], tolerance).parts[0], "", dtype=object)
        for i, _ in placed
    }
    if len(placed) < 2:
        return kinds
    verts, faces, owner_part, shell, instance_of = [], [], [], [], []
    volume, origins, ray_part = [], [], []
    base = part_base = 0
    for k, (index, world) in enumerate(placed):
        topo = topology(asset.meshes[index], tolerance)
        count, part = topo.parts
        if count > MAX_PARTS or not len(topo.faces):
            continue
        points = transform_points(topo.welded_positions, world)
        verts.append(points)
        faces.append(topo.faces + base)
        owner_part.append(part + part_base)
        shell.append(closed_shells(topo))
        instance_of.append(np.full(count, k))
        # signed world volume: a mirroring instance turns its shells' facing
        volume.append(topo.part_volumes * np.linalg.det(world[:3, :3]))
        owner, picks = _spread_picks(part, count)
        origins.append(points[topo.faces[picks]].mean(axis=1))
        ray_part.append(owner + part_base)
        base += len(points)
        part_base += count
    if len(verts) < 2:
        return kinds
    shell_all, inst = np.concatenate(shell), np.concatenate(instance_of)
    if not shell_all.any():
        return kinds
    part_of_face, ray_owner = np.concatenate(owner_part), np.concatenate(ray_part)
    vertices = np.concatenate(verts)
    diagonal = float(np.linalg.norm(np.ptp(vertices, axis=0)))
    scene = embree_scene(vertices, np.concatenate(faces))
    hits = crossings(scene, np.concatenate(origins), diagonal)
    ray, crossed = hits[:, 0], part_of_face[hits[:, 1]]
    keep = shell_all[crossed] & (inst[crossed] != inst[ray_owner[ray]])
    n = part_base
    values, times = np.unique(ray[keep] * n + crossed[keep], return_counts=True)
    odd = values[times % 2 == 1]  # (ray, shell) where the ray starts inside the shell
    votes_key, votes = np.unique(ray_owner[odd // n] * n + odd % n, return_counts=True)
    q, c = votes_key // n, votes_key % n
    major = votes / np.bincount(ray_owner, minlength=n)[q] >= NESTED_SHARE
    q, c = q[major], c[major]
    signed = np.concatenate(volume)
    # the immediate container is the smallest shell holding the part
    best = np.lexsort((np.abs(signed[c]), q))
    first = np.ones(len(best), dtype=bool)
    first[1:] = q[best][1:] != q[best][:-1]
    q, c = q[best][first], c[best][first]
    same = np.sign(signed[q]) == np.sign(signed[c])
    kind = np.full(n, "", dtype=object)
    kind[q] = np.where(shell_all[q] & ~same, "cavity", "hidden")
    start = 0
    for k, (index, _) in enumerate(placed):
        count = int((inst == k).sum())
        if count:
            mine = kind[start : start + count]
            # a part held in any instance: the kind found first (of a held instance) wins
            kinds[index] = np.where(kinds[index] == "", mine, kinds[index])
            start += count
    return kinds


def embree_scene(vertices: np.ndarray, faces: np.ndarray) -> object:
    """An Embree scene of the triangles ``faces`` over ``vertices`` (float32), for
    :func:`crossings`."""
    from embreex import rtcore_scene
    from embreex.mesh_construction import TriangleMesh

    scene = rtcore_scene.EmbreeScene()
    TriangleMesh(
        scene=scene,
        vertices=np.ascontiguousarray(vertices, dtype=np.float32),
        indices=np.ascontiguousarray(faces, dtype=np.int32),
    )
    return scene


def _spread_picks(part: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(owning part, face) of up to SAMPLES faces of each part, spread evenly over its
    faces in order: the ray origins that vote on what holds a part."""
    order = np.argsort(part, kind="stable")
    sizes = np.bincount(part, minlength=count)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    per = np.minimum(sizes, SAMPLES)
    owner = np.repeat(np.arange(count), per)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(per) - per, per)
    return owner, order[starts[owner] + (rank * sizes[owner]) // per[owner]]


def crossings(scene: object, origins: np.ndarray, diagonal: float) -> np.ndarray:
    """(ray, face) of every face of ``scene`` (:func:`embree_scene`) that each ray from
    ``origins`` along :data:`DIRECTION` crosses, found with Embree hit after hit (each
    next ray starts just past the last hit); a ray still hitting after
    :data:`MAX_CROSSINGS` faces is left out. ``diagonal`` is the scene's size."""
    step = max(diagonal, 1e-30) * 1e-6  # past the face just hit, far below any wall
    active = np.arange(len(origins))
    at = np.asarray(origins, dtype=np.float64)
    found: list[np.ndarray] = []
    direction = np.tile(DIRECTION.astype(np.float32), (len(at), 1))
    for _ in range(MAX_CROSSINGS):  # one Embree batch per layer crossed
        if not len(active):
            break
        result = scene.run(  # type: ignore[attr-defined]
            np.ascontiguousarray(at, dtype=np.float32), direction[: len(at)], output=1
        )
        face = np.asarray(result["primID"], dtype=np.int64)
        hit = face >= 0
        found.append(np.stack([active[hit], face[hit]], axis=1))
        at = at[hit] + (np.asarray(result["tfar"], dtype=np.float64)[hit, None] + step) * DIRECTION
        active = active[hit]
    done = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    if len(active):  # rays that never left: not counted at all
        return done[~np.isin(done[:, 0], active)]
    return done
