"""Decimation to the target's triangle budgets with MeshLab's quadric edge collapse.

Meshes with UVs go through the texture-aware variant
(``meshing_decimation_quadric_edge_collapse_with_texture``), which weighs UV distortion
into each collapse and keeps UV seams; each material's faces are decimated on their own
with their border preserved, so material borders stay where they were and the pieces
still meet. The silhouette is kept by the quadric error itself (boundary edges are
preserved too).

MeshLab's collapse costs about 25 s of CPU per million triangles on this machine, so a
reduction of more than 2 x PRECLUSTER_FACTOR first clusters vertices on a grid in numpy
(:func:`cluster_vertices`, about a second for a million triangles) down to
PRECLUSTER_FACTOR times the target, and the quadric collapse does the last, visible steps.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from assetlint.fix import FixContext, fix
from assetlint.fix._meshlab import MeshLabError, isolated
from assetlint.fix._meshlab import decimate as meshlab_decimate
from assetlint.fix.colours import transfer_colours
from assetlint.geometry.topology import topology
from assetlint.model import Asset, Cache, Mesh
from assetlint.rules import mesh_label

# Above this many times the target, a vertex-clustering pass (numpy) first brings the mesh
# to about PRECLUSTER_FACTOR times the target, so that the quadric collapse (the slow part,
# about 25 s of CPU per million triangles here) only does the last, visible steps.
PRECLUSTER_FACTOR = 3


def _packed(columns: np.ndarray) -> np.ndarray:
    """Rows of non-negative integers as one int64 each when their ranges fit (a fast 1-D
    sort), else as void rows (a slower, always-right sort)."""
    spans = columns.max(axis=0).astype(np.float64) + 1 if len(columns) else np.ones(1)
    if np.prod(spans) < 2.0**62:
        key = np.zeros(len(columns), dtype=np.int64)
        for k, span in enumerate(spans):  # a few columns, not a loop over rows
            key = key * int(span) + columns[:, k]
        return key
    rows = np.ascontiguousarray(columns)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(-1)


def _classes(columns: np.ndarray) -> np.ndarray:
    """Class of each row: equal rows share one."""
    _, inverse = np.unique(_packed(columns), return_inverse=True)
    return inverse.reshape(-1)


def cluster_vertices(mesh: Mesh, target: int) -> None:
    """Merge vertices that fall in one cell of a grid sized for about ``target``
    triangles, where their UVs also fall in one cell of a matching UV grid (so UV seams
    and charts stay apart); each cluster takes the mean position and UV. Triangles that
    collapse or repeat are dropped. In place, no loop over elements."""
    from assetlint.fix.geometry import set_vertices

    tris = mesh.triangles
    valid = ((tris >= 0) & (tris < mesh.vertex_count)).all(axis=1)
    tris, slots = tris[valid], mesh.material_indices[valid]
    p = mesh.positions.astype(np.float64)
    area = 0.5 * np.linalg.norm(
        np.cross(p[tris[:, 1]] - p[tris[:, 0]], p[tris[:, 2]] - p[tris[:, 0]]), axis=1
    )
    cell = np.sqrt(area.sum() / max(target / 2, 1)) or 1.0  # ~ target / 2 vertices
    lo = np.nanmin(p, axis=0)
    cells = [np.floor((p - lo) / cell).astype(np.int64)]
    if mesh.uvs:
        uv = mesh.uvs[0].astype(np.float64)
        e1, e2 = uv[tris[:, 1]] - uv[tris[:, 0]], uv[tris[:, 2]] - uv[tris[:, 0]]
        uv_area = 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
        ratio = np.sqrt(uv_area.sum() / max(area.sum(), 1e-300))
        uv_cell = max(4.0 * cell * ratio, 1e-9)
        cells.append(np.floor((uv - np.nanmin(uv, axis=0)) / uv_cell).astype(np.int64))
    cluster = _classes(np.concatenate(cells, axis=1))
    count = int(cluster.max()) + 1
    weight = np.bincount(cluster, minlength=count)
    # positions are averaged per spatial cell, so that the copies of a seam vertex (one
    # cluster per side of the seam) stay at one position
    spatial = _classes(cells[0])
    n_spatial = int(spatial.max()) + 1
    mean = np.stack([np.bincount(spatial, p[:, k], n_spatial) for k in range(3)], axis=1)
    mean /= np.maximum(np.bincount(spatial, minlength=n_spatial), 1)[:, None]
    new_tris = cluster[tris]
    keep = (
        (new_tris[:, 0] != new_tris[:, 1])
        & (new_tris[:, 1] != new_tris[:, 2])
        & (new_tris[:, 0] != new_tris[:, 2])
    )
    new_tris, slots = new_tris[keep], slots[keep]
    _, first = np.unique(_packed(np.sort(new_tris, axis=1)), return_index=True)
    first.sort()
    new_tris, slots = new_tris[first], slots[first]
    # one original vertex per cluster carries the cluster's mean attributes
    rep = np.zeros(count, dtype=np.int64)
    rep[cluster[::-1]] = np.arange(len(cluster))[::-1]
    mesh.positions = mesh.positions.copy()
    mesh.positions[rep] = mean[spatial[rep]].astype(np.float32)
    if mesh.uvs:
        mean_uv = np.stack([np.bincount(cluster, uv[:, k], count) for k in range(2)], axis=1)
        mesh.uvs = [mesh.uvs[0].copy(), *mesh.uvs[1:]]
        mesh.uvs[0][rep] = (mean_uv / np.maximum(weight, 1)[:, None]).astype(np.float32)
    used = np.zeros(mesh.vertex_count, dtype=bool)
    used[rep[np.unique(new_tris)]] = True
    set_vertices(mesh, used, rep[new_tris], slots)


def decimate_mesh(mesh: Mesh, target: int) -> None:
    """Reduce ``mesh`` to about ``target`` triangles (at most that many), in place.
    Raises MeshLabError when MeshLab refuses a material's faces."""
    if mesh.triangle_count > 2 * PRECLUSTER_FACTOR * target:
        cluster_vertices(mesh, PRECLUSTER_FACTOR * target)
    topo = topology(mesh)
    valid = topo.valid
    tris_all = mesh.triangles[valid]
    slots_all = mesh.material_indices[valid]
    welded = topo.welded
    uv = mesh.uvs[0].astype(np.float64) if mesh.uvs else None
    total = max(len(tris_all), 1)
    out_pos, out_uv, out_tris, out_slots = [], [], [], []
    base = 0
    for slot in np.unique(slots_all):
        mine = slots_all == slot
        tris = tris_all[mine]
        # this material's share of the budget, at least one triangle
        share = max(int(target * len(tris) / total), 1)
        if uv is None:
            ids, local = np.unique(welded[tris], return_inverse=True)
            rep = topo.representative[ids]
            job_uv = None
        else:
            # vertices as split by the file (at UV seams), each at its welded position
            ids, local = np.unique(tris, return_inverse=True)
            rep = topo.representative[np.maximum(welded[ids], 0)]
            job_uv = uv[ids]
        positions, faces, corner_uv = isolated(
            meshlab_decimate,
            mesh.positions[rep].astype(np.float64),
            local.reshape(-1, 3).astype(np.int32),
            job_uv,
            share,
        )
        if corner_uv is not None:
            key = np.column_stack([faces.reshape(-1), corner_uv])
            uniq, corner = np.unique(key, axis=0, return_inverse=True)
            out_pos.append(positions[uniq[:, 0].astype(np.int64)])
            out_uv.append(uniq[:, 1:])
            out_tris.append(corner.reshape(-1, 3) + base)
            base += len(uniq)
        else:
            out_pos.append(positions)
            out_tris.append(faces + base)
            base += len(positions)
        out_slots.append(np.full(len(faces), slot, dtype=np.int32))
    positions = np.concatenate(out_pos).astype(np.float32)
    triangles = np.concatenate(out_tris).astype(np.int32)
    mesh.positions = positions
    mesh.triangles = triangles
    mesh.material_indices = np.concatenate(out_slots)
    mesh.uvs = [np.concatenate(out_uv).astype(np.float32)] if uv is not None else []
    mesh.uv_names = mesh.uv_names[:1]
    if mesh.normals is not None:
        mesh.normals = vertex_normals(positions, triangles)
    mesh.colors = None  # carried over from the full mesh by fix_decimate
    mesh.polygon_count = len(triangles)
    mesh.cache.clear()


def vertex_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted smooth normals, shared by vertices at the same position."""
    p = positions.astype(np.float64)
    face = np.cross(
        p[triangles[:, 1]] - p[triangles[:, 0]], p[triangles[:, 2]] - p[triangles[:, 0]]
    )
    _, cls = np.unique(p, axis=0, return_inverse=True)
    cls = cls.reshape(-1)
    acc = np.zeros((cls.max() + 1 if len(cls) else 0, 3))
    for corner in range(3):  # three corners, not a loop over faces
        np.add.at(acc, cls[triangles[:, corner]], face)
    normals = acc[cls]
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.divide(normals, length, out=np.zeros_like(normals), where=length > 0).astype(
        np.float32
    )


def budgets(asset: Asset, ctx: FixContext) -> dict[int, int]:
    """Triangle target per mesh index: B001's per-mesh limit for the meshes it reported,
    and B002's scene budget shared in proportion to what each mesh draws."""
    targets: dict[int, int] = {}
    per_mesh = ctx.param("B001", "max_triangles")
    if per_mesh:
        targets.update((index, int(per_mesh)) for index in ctx.reported(asset, "B001"))
    scene_budget = ctx.param("B002", "max_triangles")
    if ctx.found("B002") and scene_budget:
        drawn = asset.scene_triangle_count
        for index, mesh in enumerate(asset.meshes):
            if not mesh.triangle_count or not drawn:
                continue
            share = int(scene_budget * mesh.triangle_count / drawn)
            targets[index] = min(targets.get(index, share), share)
    return targets


@fix("decimate", ("B001", "B002"), "decimate to the target's triangle budgets, keeping UVs")
def fix_decimate(asset: Asset, ctx: FixContext) -> list[str]:
    """Decimate the meshes over budget (see :func:`budgets`)."""
    changes = []
    for index, target in sorted(budgets(asset, ctx).items()):
        mesh = asset.meshes[index]
        if mesh.triangle_count <= target:
            continue
        before = mesh.triangle_count
        work = dataclasses.replace(mesh, cache=Cache())  # the asset keeps its mesh on a failure
        try:
            decimate_mesh(work, target)
        except MeshLabError as exc:
            changes.append(f"{mesh_label(asset, index)}: not decimated, MeshLab failed: {exc}")
            continue
        transfer_colours(mesh, work)
        note = " (vertex colours carried over)" if work.colors is not None else ""
        asset.meshes[index] = mesh = work
        changes.append(
            f"{mesh_label(asset, index)}: decimated {before:,} -> {mesh.triangle_count:,} "
            f"triangles{note}"
        )
    return changes
