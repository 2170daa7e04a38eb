"""Speed of decimation (the `decimate` fix) on a 1,000,000-triangle mesh, to 50,000.

Run from the repository root:  .venv/bin/python -m benchmarks.fix
[--triangles 1000000] [--target 50000] [--no-uv]

The mesh is a UV sphere split at its seams, as an image-to-3D generator writes it
(benchmarks/meshes.py), with one material. With UVs the fix runs MeshLab's texture-aware
quadric edge collapse; ``--no-uv`` times the plain quadric collapse. Wall-clock and CPU time
are printed, CPU including the MeshLab worker process (on a shared machine the CPU time is
the steadier measure).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from assetlint.fix.decimate import decimate_mesh
from assetlint.model import Mesh
from benchmarks.meshes import uv_sphere


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (MeshLab runs in one)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fix")
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--target", type=int, default=50_000)
    parser.add_argument("--no-uv", action="store_true", help="time the plain quadric collapse")
    ns = parser.parse_args(argv)
    pos, tris, uv = uv_sphere(ns.triangles, seams=True)
    mesh = Mesh(
        "sphere",
        pos,
        tris,
        uvs=[] if ns.no_uv else [uv],
        material_indices=np.zeros(len(tris), np.int32),
    )
    before = mesh.triangle_count
    wall, cpu = time.perf_counter(), cpu_seconds()
    decimate_mesh(mesh, ns.target)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    kind = "plain quadric" if ns.no_uv else "quadric with texture"
    print(
        f"decimate ({kind}): {before:,} -> {mesh.triangle_count:,} triangles in "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU (target: under 10 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
