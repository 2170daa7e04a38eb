"""MeshLab work, run in a fresh process.

pymeshlab keeps state between calls in one process: its measures were seen to drift after
a few calls (tests/rules/test_corpus.py), and a forked child inherits the drift. Each job
here runs in a spawned process of its own, which also turns a native crash into an error
for that mesh instead of the end of the run. Arrays go in and come out; no pymeshlab
object crosses the process border.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class MeshLabError(RuntimeError):
    """MeshLab refused the mesh or its process died; the message says which."""


def isolated(job: Callable[..., Any], *args: Any) -> Any:
    """``job(*args)`` in a spawned process; a refusal or crash raises MeshLabError."""
    import multiprocessing  # here: every command imports this module, few run MeshLab
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        try:
            return pool.submit(job, *args).result()
        except Exception as exc:  # noqa: BLE001 - pymeshlab errors and a dead worker alike
            raise MeshLabError(
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            ) from None


def decimate(
    positions: np.ndarray, faces: np.ndarray, uv: np.ndarray | None, target: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Quadric edge collapse to ``target`` faces with the border preserved: texture-aware
    when ``uv`` (per vertex of ``faces``, vertices split at seams and placed at their
    welded positions) is given. (positions, faces, per-corner UVs or None)."""
    import pymeshlab

    ms = pymeshlab.MeshSet()
    if uv is None:
        ms.add_mesh(pymeshlab.Mesh(positions, faces))
    else:
        # UVs go to the face corners, then coincident vertices merge: a welded mesh whose
        # corners keep their own UVs, what the texture-aware collapse expects
        ms.add_mesh(pymeshlab.Mesh(positions, faces, v_tex_coords_matrix=uv))
        ms.compute_texcoord_transfer_vertex_to_wedge()
        ms.meshing_merge_close_vertices(threshold=pymeshlab.PureValue(0.0))
    if len(faces) > target:
        common = {"targetfacenum": int(target), "preserveboundary": True, "qualitythr": 0.3}
        if uv is not None:
            ms.meshing_decimation_quadric_edge_collapse_with_texture(**common)
        else:
            ms.meshing_decimation_quadric_edge_collapse(
                **common, preservetopology=True, autoclean=True
            )
    ms.meshing_remove_unreferenced_vertices()
    m = ms.current_mesh()
    corner_uv = m.wedge_tex_coord_matrix().reshape(-1, 2) if uv is not None else None
    return m.vertex_matrix(), m.face_matrix().astype(np.int64), corner_uv


def close_holes(positions: np.ndarray, faces: np.ndarray, max_edges: int) -> tuple[int, np.ndarray]:
    """MeshLab's Close Holes (holes up to ``max_edges`` edges, no new vertices):
    (vertex count after, all faces after; the new ones come last)."""
    import pymeshlab

    ms = pymeshlab.MeshSet()
    ms.add_mesh(pymeshlab.Mesh(positions, faces))
    ms.meshing_close_holes(maxholesize=int(max_edges), selfintersection=False)
    out = ms.current_mesh()
    return out.vertex_number(), out.face_matrix()
