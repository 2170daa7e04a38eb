"""Speed of the topology rules (G001-G015) on a 1,000,000-triangle mesh, against the
closest equivalent in trimesh, in the same run.

Run from the repository root:  .venv/bin/python -m benchmarks.topology
[--triangles 1000000] [--repeat 3] [--skip-printability]

Two meshes, both generated in code (benchmarks/meshes.py): a closed UV sphere, and the same
sphere split at UV seams the way an image-to-3D generator writes it (every vertex on a
seam duplicated, UVs attached). For each, assetlint runs every G rule through the engine
on a fresh Asset (welding, edge table, loops, fans, parts, volumes computed from scratch).
trimesh does what its users call for the
same answers: build the Trimesh (which merges duplicate vertices), is_watertight,
is_winding_consistent, split into bodies (``repair=False``: hole filling needs networkx,
which is not installed, and is no part of the answer) and volume. The seam-split mesh is
given to trimesh with its UVs, as trimesh.load would from a GLB, so its merge keeps the
seam copies apart.

Self-intersection (P001) and thin walls (P002) are not in the comparison; their times are
printed on their own afterwards.

Both sides report the best of ``--repeat`` runs, in wall-clock and CPU time (on a shared
machine the CPU time is the steadier measure). Memory is touched once beforehand (see
:func:`warm_memory`).
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np
import trimesh

from assetlint.engine import Engine
from assetlint.model import Asset, Mesh, single_node_scene
from benchmarks.meshes import uv_sphere


def fresh_asset(pos: np.ndarray, tris: np.ndarray, uv: np.ndarray) -> Asset:
    asset = Asset(path="bench.glb", format="glb", file_size=0)  # type: ignore[arg-type]
    asset.meshes.append(Mesh("sphere", pos.copy(), tris.copy(), uvs=[uv.copy()]))
    single_node_scene(asset)
    return asset


def warm_memory(gigabytes: float) -> None:
    """Touch (then free) that much memory once. On a VM whose host backs guest memory
    lazily, the first touch of each page costs ~3 ms per MB, which would be charged to
    whichever computation first allocates it; after this, both sides reuse warm pages."""
    block = np.ones(int(gigabytes * 2**30) // 8)
    del block


class Clock:
    """Wall and CPU time of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_ours(engine: Engine, pos, tris, uv, repeat: int) -> tuple[list[Clock], dict]:
    times, found = [], {}
    for _ in range(repeat):
        asset = fresh_asset(pos, tris, uv)
        gc.collect()
        with Clock() as clock:
            findings = engine.run(asset, select=["G"])
        times.append(clock)
        found = {f.code: f for f in findings}
    return times, found


def run_trimesh(pos, tris, uv, with_uv: bool, repeat: int) -> tuple[list[Clock], dict]:
    times, verdict = [], {}
    for _ in range(repeat):
        gc.collect()
        clock = Clock().__enter__()
        visual = trimesh.visual.TextureVisuals(uv=uv) if with_uv else None
        mesh = trimesh.Trimesh(pos, tris, visual=visual)
        watertight = mesh.is_watertight
        winding = mesh.is_winding_consistent
        bodies = mesh.split(only_watertight=False, repair=False)
        volume = mesh.volume
        clock.__exit__()
        times.append(clock)
        verdict = {
            "watertight": watertight,
            "winding consistent": winding,
            "bodies": len(bodies),
            "volume": volume,
        }
    return times, verdict


def describe(found: dict) -> str:
    """Our verdict in the terms of trimesh's."""
    holes = found["G003"].count if "G003" in found else 0
    bad = sorted(code for code, f in found.items() if f.severity != "info")
    parts = found["G013"].count if "G013" in found else 1
    seams = found["G014"].count if "G014" in found else 0
    return (
        f"holes {holes}, parts {parts}, seam edges {seams:,} (info), "
        f"problems: {', '.join(bad) or 'none'}"
    )


def compare(name: str, pos, tris, uv, with_uv: bool, engine: Engine, repeat: int) -> None:
    print(f"\n{name}: {len(tris):,} triangles, {len(pos):,} vertices")
    ours, found = run_ours(engine, pos, tris, uv, repeat)
    theirs, verdict = run_trimesh(pos, tris, uv, with_uv, repeat)
    wall_ours = min(c.wall for c in ours)
    cpu_ours = min(c.cpu for c in ours)
    wall_theirs = min(c.wall for c in theirs)
    cpu_theirs = min(c.cpu for c in theirs)
    print(
        f"  assetlint G rules  {wall_ours:6.3f} s wall  {cpu_ours:6.3f} s cpu   {describe(found)}"
    )
    facts = ", ".join(
        f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}" for k, v in verdict.items()
    )
    print(f"  trimesh            {wall_theirs:6.3f} s wall  {cpu_theirs:6.3f} s cpu   {facts}")
    print(
        f"  trimesh / ours     {wall_theirs / wall_ours:6.1f}x wall  "
        f"{cpu_theirs / cpu_ours:6.1f}x cpu   (best of {repeat} runs each)"
    )


def printability(engine: Engine, pos, tris, uv) -> None:
    """P001 and P002 through the engine on a fresh Asset each (welding included)."""
    for code in ("P001", "P002"):
        asset = fresh_asset(pos, tris, uv)
        start = time.perf_counter()
        findings = engine.run(asset, select=[code])
        took = time.perf_counter() - start
        text = "; ".join(f"{f.code} {f.message}" for f in findings) or "no finding"
        print(f"  {code} {engine.rules[code].name:<18} {took:7.2f} s  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-printability", action="store_true")
    parser.add_argument(
        "--warm", type=float, default=3.0, help="GB of memory to touch first (0: none)"
    )
    ns = parser.parse_args()
    engine = Engine.default(entry_points=False)
    if ns.warm:
        warm_memory(ns.warm)
    pos, tris, uv = uv_sphere(ns.triangles, radius=0.5)
    compare("UV sphere", pos, tris, uv, False, engine, ns.repeat)
    spos, stris, suv = uv_sphere(ns.triangles, radius=0.5, seams=True)
    compare("UV sphere, seams split (generator output)", spos, stris, suv, True, engine, ns.repeat)
    if not ns.skip_printability and "P001" in engine.rules:
        print("\nprintability rules on the seam-split sphere (not part of the comparison):")
        printability(engine, spos, stris, suv)


if __name__ == "__main__":
    main()
