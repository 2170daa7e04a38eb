"""Batch speed: 1,000 generated assets of mixed formats, linted with 1 and 2 worker
processes, cold (empty cache) and cached (second run, nothing changed).

Run by hand from the repository root:  .venv/bin/python -m benchmarks.batch [--count N]

Each run is a fresh `assetlint check` process (interpreter start, rule registry and config
included), as a CI job or a pre-commit hook sees it; the script also times the cached pass
inside one process (hashing and cache reads only) to show what the start-up costs.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.meshes import uv_sphere
from tests.loaders.make_gltf import write_gltf
from tests.loaders.make_stl import write_stl
from tests.loaders.make_usd import write_usd
from tests.test_cli import write_obj

FORMATS = ("glb", "gltf", "obj", "stl", "usda")


def generate(folder: Path, count: int, triangles: int) -> list[Path]:
    """``count`` spheres of ~``triangles`` triangles, cycling through the formats, each a
    little different in size so no two files are alike."""
    base_pos, tris, _ = uv_sphere(triangles)
    paths = []
    for i in range(count):
        fmt = FORMATS[i % len(FORMATS)]
        pos = np.asarray(base_pos) * (0.2 + i / count)
        path = folder / f"asset_{i:04d}.{fmt}"
        if fmt in ("glb", "gltf"):
            write_gltf(path, pos, tris, binary=fmt == "glb", external=fmt == "gltf")
        elif fmt == "obj":
            write_obj(path, pos, tris)
        elif fmt == "stl":
            write_stl(path, pos, tris)
        else:
            write_usd(path, pos, tris, meters_per_unit=1.0, up_axis="Y")
        paths.append(path)
    return paths


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check(folder: Path, jobs: int, cache: Path) -> tuple[float, float, int]:
    """Wall time, CPU time (the process and its workers: what a busy machine does not
    inflate) and exit code of one `assetlint check`."""
    cmd = [sys.executable, "-m", "assetlint", "check", str(folder), "-j", str(jobs)]
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run([*cmd, "--cache-dir", str(cache)], capture_output=True, text=True)
    return time.perf_counter() - start, _children_cpu() - cpu, done.returncode


def in_process_cached(folder: Path, cache: Path) -> float:
    """The cached pass without interpreter start and rule registry: hash, look up, report."""
    from assetlint import batch
    from assetlint.cli import collect_paths
    from assetlint.config import Config
    from assetlint.engine import Engine

    engine = Engine.default()
    files, _, _ = collect_paths([str(folder)])
    config = Config(root=str(folder))
    start = time.perf_counter()
    jobs = [(str(p), batch.Plan.for_file(config, p)) for p in files]
    results = batch.run(jobs, processes=1, cache=batch.Cache(cache, engine))
    elapsed = time.perf_counter() - start
    assert all(r.cached for r in results), "the in-process pass must be all cache hits"
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--triangles", type=int, default=500)
    ns = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "assets"
        folder.mkdir()
        generate(folder, ns.count, ns.triangles)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{ns.count} assets ({', '.join(FORMATS)}), ~{ns.triangles} triangles, {size:.1f} MB")
        print(f"{'jobs':>4}  {'run':<6}  {'wall s':>7}  {'cpu s':>7}  exit")
        for jobs in (1, 2):
            cache = Path(tmp) / f"cache{jobs}"
            for run in ("cold", "cached"):
                wall, cpu, code = check(folder, jobs, cache)
                print(f"{jobs:>4}  {run:<6}  {wall:7.2f}  {cpu:7.2f}  {code}")
        inside = in_process_cached(folder, Path(tmp) / "cache2")
        print(f"cached pass inside one process (no start-up): {inside:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
