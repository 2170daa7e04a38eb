"""Load speed and memory per format, on a 1,000,000-triangle mesh generated in code.

Run by hand from the repository root:  .venv/bin/python -m benchmarks.load [--triangles N]

Each file is loaded in a fresh process, several times; the script prints the median load
time and the peak memory the load added (the high-water mark after minus before, so
imports and the interpreter are not counted). Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.meshes import uv_sphere

# Peak memory is read from VmHWM (reset at exec), not ru_maxrss, which Linux carries over
# from the parent that generated the big mesh.
_PROBE = r"""
import json, re, sys, time
import numpy
from assetlint.loaders import load
import assetlint.loaders.{family}
def hwm():
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
before = hwm()
t0 = time.perf_counter()
asset = load(sys.argv[1])
elapsed = time.perf_counter() - t0
after = hwm()
print(json.dumps({{"seconds": elapsed, "peak_mb": (after - before) / 1024,
                  "triangles": asset.scene_triangle_count, "vertices": asset.scene_vertex_count}}))
"""


def write_all(folder: Path, triangles: int) -> dict[str, tuple[Path, str]]:
    """The same seam-split sphere (as a generator writes it) in every format."""
    from tests.loaders.make_gltf import write_gltf
    from tests.loaders.make_obj import write_obj
    from tests.loaders.make_stl import write_stl
    from tests.loaders.make_usd import write_usd

    pos, tris, uv = uv_sphere(triangles, seams=True)
    normals = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    files = {
        "GLB": (write_gltf(folder / "big.glb", pos, tris, normals=normals, uvs=uv), "gltf"),
        "OBJ": (folder / "big.obj", "obj"),
        "STL (binary)": (folder / "big.stl", "stl"),
        "USD (usdc)": (
            write_usd(
                folder / "big.usdc", pos, tris, meters_per_unit=1.0, up_axis="+Y", fmt="usdc"
            ),
            "usd",
        ),
    }
    write_obj(folder / "big.obj", pos, tris)
    write_stl(folder / "big.stl", pos, tris, binary=True)
    try:
        from tests.loaders.make_fbx import write_fbx

        write_fbx(folder / "big.fbx", pos * 100.0, tris, unit_scale_factor_cm=1.0, up_axis="+Y")
        files["FBX (ASCII)"] = (folder / "big.fbx", "fbx")
    except Exception as exc:  # the benchmark still reports the other formats
        print(f"FBX not measured: {exc}", file=sys.stderr)
    return files


def measure(path: Path, family: str, runs: int) -> dict[str, float]:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(family=family), str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
        "triangles": results[0]["triangles"],
        "vertices": results[0]["vertices"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_all(Path(tmp), args.triangles)
        print(f"{'format':<14}{'file MB':>9}{'triangles':>12}{'load s':>9}{'peak MB':>9}")
        for label, (path, family) in files.items():
            r = measure(path, family, args.runs)
            size = path.stat().st_size / 1e6
            print(
                f"{label:<14}{size:>9.1f}{r['triangles']:>12,}{r['seconds']:>9.3f}{r['peak_mb']:>9.0f}"
            )


if __name__ == "__main__":
    main()
