"""Speed of the printability computations on large meshes generated in code.

Run by hand from the repository root:  .venv/bin/python -m benchmarks.printability
[--triangles 100000 1000000] [--repeat 3]

The mesh is a 10 cm UV sphere split at seams the way a generator writes it, with its
vertices jittered (by default by a fifth of an edge length, so that it folds into itself
here and there: real self-intersections to find; ``--jitter 0`` for a clean sphere). The
script prints the median CPU time (user+sys of this process, threads included: the
machine may be loaded) of the self-intersection test alone, with and without the compiled
broad phase (the first call pays for loading numba and is not timed), of wall thickness
at 20,000 and 100,000 samples, and of the P001 and P002 rules through the engine on a
fresh Asset (welding included).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assetlint.engine import Engine
from assetlint.geometry.intersections import self_intersections
from assetlint.geometry.thickness import wall_thickness
from assetlint.model import Asset, Mesh, single_node_scene
from benchmarks.meshes import uv_sphere


def noisy_sphere(
    triangles: int, jitter: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A 0.1 m sphere with ~``triangles`` triangles, seams split, vertices jittered by
    ``jitter`` mean edge lengths (each copy of a seam vertex moves alike, so the seams
    stay closed)."""
    pos, tris, _ = uv_sphere(triangles, radius=0.05, seams=True)
    edge = float(np.linalg.norm(pos[tris[:, 0]] - pos[tris[:, 1]], axis=1).mean())
    _, welded = np.unique(pos, axis=0, return_inverse=True)
    jitter = np.random.default_rng(seed).normal(scale=jitter * edge, size=(welded.max() + 1, 3))
    return (pos + jitter[welded.ravel()]).astype(np.float32), tris


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def bench(pos: np.ndarray, tris: np.ndarray, engine: Engine, repeat: int) -> None:
    """Print the median times of the computations and rules on one mesh."""
    print(f"sphere: {len(tris):,} triangles, {len(pos):,} vertices (seams split)")
    self_intersections(np.eye(3), [[0, 1, 2]], broad_phase=True)  # load numba untimed
    for broad in (False, True):
        t, hits = median_time(lambda b=broad: self_intersections(pos, tris, broad_phase=b), repeat)
        name = "self_intersections" + (" broad" if broad else "")
        print(f"  {name:<30}{t:7.2f} s   {len(hits):,} faces intersect")
    for samples in (20_000, 100_000):
        t, r = median_time(lambda s=samples: wall_thickness(pos, tris, s), repeat)
        print(
            f"  wall_thickness {samples:>7,} rays  {t:7.2f} s   min {r.minimum * 1000:.2f} mm, "
            f"median {r.percentile(50) * 1000:.1f} mm, {r.missed + r.entered} not measured"
        )

    def rules(code: str):
        asset = Asset(Path("bench.glb"), "glb", 0, meshes=[Mesh("sphere", pos, tris)])
        single_node_scene(asset)
        return engine.run(asset, select=[code])

    for code in ("P001", "P002"):
        t, findings = median_time(lambda c=code: rules(c), repeat)
        message = findings[0].message if findings else "no finding"
        print(f"  rule {code} (fresh asset)       {t:7.2f} s   {message[:72]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jitter", type=float, default=0.2, help="in mean edge lengths")
    args = parser.parse_args()
    engine = Engine.default(entry_points=False)
    for target in args.triangles:
        bench(*noisy_sphere(target, args.jitter), engine, args.repeat)


if __name__ == "__main__":
    main()
