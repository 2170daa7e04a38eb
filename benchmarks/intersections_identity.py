"""Does the compiled broad phase change what P001 reports? Every mesh of the corpus.

Run by hand from the repository root:  .venv/bin/python -m benchmarks.intersections_identity
[--corpus ../shared/corpus] [--spheres]

For every mesh loadable from the corpus folders (meshes, generated-real, gltf-samples, usd,
fbx, fbx-extra), welded as P001 welds it, the self-intersecting faces are computed twice:
MeshLab's test on every face (the reference) and with the broad phase forced on; any
difference is printed and the exit status is 1. ``--spheres`` adds 100k and 1M generated
spheres, clean and jittered (benchmarks/printability.py). CPU times of both are summed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assetlint.geometry.intersections import IntersectionTooCostly, self_intersections
from assetlint.geometry.topology import topology
from assetlint.loaders import is_asset_path, load
from assetlint.model import LoadError

FOLDERS = ("meshes", "generated-real", "gltf-samples", "usd", "fbx", "fbx-extra")


def corpus_meshes(corpus: Path) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(label, welded positions, welded faces) of every mesh with triangles."""
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            if not path.is_file() or not is_asset_path(path):
                continue
            try:
                asset = load(path)
            except (LoadError, OSError, ValueError):
                continue
            for index, mesh in enumerate(asset.meshes):
                if mesh.triangle_count:
                    topo = topology(mesh)
                    label = f"{path.relative_to(corpus)}#{index}"
                    yield label, topo.welded_positions, topo.faces


def spheres() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    from benchmarks.printability import noisy_sphere

    for triangles in (100_000, 1_000_000):
        for jitter in (0.0, 0.2):
            yield f"sphere {triangles:,} jitter {jitter}", *noisy_sphere(triangles, jitter)


def outcome(pos: np.ndarray, faces: np.ndarray, broad_phase: bool) -> tuple[object, float]:
    start = time.process_time()
    try:
        result: object = self_intersections(pos, faces, broad_phase=broad_phase)
    except IntersectionTooCostly:
        result = "too costly"
    return result, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--spheres", action="store_true")
    args = parser.parse_args()
    outcome(np.eye(3), np.array([[0, 1, 2]]), True)  # load the compiled code untimed
    meshes = corpus_meshes(args.corpus)
    checked = differ = hits = 0
    cpu = [0.0, 0.0]
    for label, pos, faces in [*meshes, *(spheres() if args.spheres else [])]:
        reference, t0 = outcome(pos, faces, False)
        new, t1 = outcome(pos, faces, True)
        cpu[0] += t0
        cpu[1] += t1
        checked += 1
        same = (
            reference == new
            if isinstance(reference, str) or isinstance(new, str)
            else np.array_equal(reference, new)
        )
        if not isinstance(reference, str):
            hits += int(len(reference) > 0)
        if not same:
            differ += 1
            print(f"DIFFERENT {label}: {reference} / {new}", flush=True)
        if len(faces) >= 100_000:
            print(f"  {label}: {len(faces):,} faces, {t0:.2f} s -> {t1:.2f} s", flush=True)
    print(
        f"{checked} meshes ({hits} with self-intersections), {differ} different; "
        f"CPU MeshLab alone {cpu[0]:.1f} s, with the broad phase {cpu[1]:.1f} s"
    )
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
