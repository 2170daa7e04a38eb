"""Speed of the seven renders on a 1,000,000-triangle textured mesh.

Run from the repository root:  .venv/bin/python -m benchmarks.render
[--triangles 1000000] [--size 512] [--repeat 3]

The mesh is the seam-split UV sphere of benchmarks/meshes.py (as an image-to-3D
generator writes it) with a 1024 x 1024 albedo texture made in code. The clock covers
everything :func:`assetlint.render.render_views` does for a fresh Asset: flattening the
scene, rasterizing the seven views, texturing, shading, ground grid and scale bar, and the
PIL images. Defect marking is timed separately with the G003 finding of a holed copy
(its topology is computed beforehand, as the rules would have). Best of ``--repeat``, in
wall-clock and CPU time.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image

from assetlint.engine import Engine
from assetlint.model import Asset, Material, Mesh, Texture, TextureSlot, single_node_scene
from assetlint.render import render_views
from benchmarks.meshes import uv_sphere


def textured_asset(pos: np.ndarray, tris: np.ndarray, uv: np.ndarray) -> Asset:
    rng = np.random.default_rng(7)
    checker = (np.indices((1024, 1024)).sum(axis=0) // 64 % 2) * 90 + 100
    noise = rng.integers(0, 40, (1024, 1024, 3))
    pixels = np.clip(checker[..., None] + noise + [40, 10, -20], 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    mesh = Mesh("sphere", pos, tris, uvs=[uv], material_indices=np.zeros(len(tris), np.int32))
    asset = Asset(
        path=None,
        format="glb",
        file_size=0,
        meshes=[mesh],
        materials=[Material("albedo", textures={"base_color": TextureSlot(0)})],
        textures=[Texture.from_bytes("albedo", "embedded", buf.getvalue())],
    )
    single_node_scene(asset)
    return asset


def clock(fn, repeat: int) -> tuple[float, float]:
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    pos, tris, uv = uv_sphere(ns.triangles, seams=True)
    print(f"mesh: {len(tris):,} triangles, {len(pos):,} vertices, 1024x1024 albedo")

    def plain() -> None:
        views = render_views(textured_asset(pos, tris, uv), size=ns.size)
        assert len(views) == 7

    wall, cpu = clock(plain, ns.repeat)
    print(f"7 views at {ns.size}px, no findings: {wall:.2f} s wall, {cpu:.2f} s CPU")

    holed = textured_asset(pos, tris[1000:], uv)  # a hole near the pole
    findings = Engine.default().run(holed, ["G003"])
    assert [f.code for f in findings] == ["G003"]
    wall, cpu = clock(lambda: render_views(holed, findings, size=ns.size), ns.repeat)
    print(
        f"7 views at {ns.size}px, hole marked (topology cached): {wall:.2f} s wall, {cpu:.2f} s CPU"
    )


if __name__ == "__main__":
    main()
