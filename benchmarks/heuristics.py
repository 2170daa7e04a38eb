"""Precision and recall of the image-to-3D heuristics (H rules) on the labelled corpus of
:mod:`benchmarks.heuristics_corpus`, the error of the estimated light direction, and the
time all H rules take on a 1,000,000-triangle mesh with a 4096x4096 albedo.

    .venv/bin/python -m benchmarks.heuristics            # corpus figures and speed
    .venv/bin/python -m benchmarks.heuristics --speed    # speed only
    .venv/bin/python -m benchmarks.heuristics --workers 1

A case counts for a rule when its label for the rule is True or False; None (a baked
light weaker than 0.3, an out-of-range share within 1.5 points of the limit) is not
scored. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import time
from pathlib import Path

import numpy as np
from PIL import Image

from assetlint.engine import Engine
from assetlint.model import Asset, Material, Mesh, Texture, TextureSlot, single_node_scene
from assetlint.rules import heuristics
from benchmarks.heuristics_corpus import CODES, STRONG_LIGHT, generate
from benchmarks.meshes import uv_sphere

TARGETS = {"H001": 0.95}  # precision and recall targets; the other rules 0.9
DEFAULT_TARGET = 0.9


def _engine() -> Engine:
    return Engine.default(entry_points=False)


def run_part(args: tuple[int, int, int]) -> list[dict]:
    """Build and check the cases of one part of the corpus."""
    seed, part, parts = args
    engine = _engine()
    rows = []
    for case in generate(seed, part, parts):
        start = time.perf_counter()
        found = engine.run(case.asset, select=["H", "X"])
        elapsed = time.perf_counter() - start
        fit = heuristics.light_fit(case.asset)
        error = None
        if case.light_direction is not None and fit is not None:
            cos = float(np.clip(fit.direction @ case.light_direction, -1, 1))
            error = float(np.degrees(np.arccos(cos)))
        rows.append(
            {
                "name": case.name,
                "group": case.group,
                "labels": case.labels,
                "codes": sorted({f.code for f in found}),
                "crashes": [f.message for f in found if f.code == "X001"],
                "strength": case.light_strength,
                "error": error,
                "seconds": elapsed,
            }
        )
    return rows


def corpus_figures(seed: int, workers: int) -> None:
    start = time.perf_counter()
    jobs = [(seed, k, workers) for k in range(workers)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(run_part, jobs)
    else:
        parts = [run_part(jobs[0])]
    rows = sorted((r for p in parts for r in p), key=lambda r: r["name"])
    print(f"corpus: {len(rows)} cases, seed {seed}, {time.perf_counter() - start:.0f} s")
    crashed = [r for r in rows if r["crashes"]]
    for r in crashed:
        print(f"  X001 on {r['name']}: {r['crashes']}")
    print(
        f"{'rule':5} {'pos':>4} {'neg':>4} {'TP':>4} {'FP':>4} {'FN':>4} "
        f"{'precision':>9} {'recall':>7} {'target':>6}"
    )
    misses = []
    for code in CODES:
        tp = fp = fn = tn = 0
        for r in rows:
            label = r["labels"][code]
            if label is None:
                continue
            hit = code in r["codes"]
            tp += label and hit
            fp += (not label) and hit
            fn += label and not hit
            tn += (not label) and not hit
            if label != hit:
                misses.append((code, "FN" if label else "FP", r["name"]))
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        target = TARGETS.get(code, DEFAULT_TARGET)
        ok = precision >= target and recall >= target
        print(
            f"{code:5} {tp + fn:4d} {fp + tn:4d} {tp:4d} {fp:4d} {fn:4d} {precision:9.3f} "
            f"{recall:7.3f} {target:6.2f}{'' if ok else '  MISSED'}"
        )
    clean = [r for r in rows if r["group"] == "clean"]
    alarms = sum("H001" in r["codes"] for r in clean)
    print(f"H001 false alarms on clean albedo: {alarms}/{len(clean)} = {alarms / len(clean):.1%}")
    errors = [r["error"] for r in rows if r["error"] is not None and r["strength"] >= STRONG_LIGHT]
    found = [
        r["error"]
        for r in rows
        if r["error"] is not None and r["strength"] >= STRONG_LIGHT and "H001" in r["codes"]
    ]
    print(
        f"H001 light direction error, strength >= {STRONG_LIGHT}: median {np.median(errors):.1f} "
        f"deg over {len(errors)} lit cases ({np.median(found):.1f} deg over the {len(found)} "
        f"found), 90th percentile {np.percentile(errors, 90):.1f} deg"
    )
    lit = [r for r in rows if r["strength"] > 0]
    for lo, hi in ((0.1, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 0.81)):
        sel = [r for r in lit if lo <= r["strength"] < hi]
        if sel:
            hit = sum("H001" in r["codes"] for r in sel)
            print(f"  light strength {lo:.1f}-{hi:.1f}: found {hit}/{len(sel)}")
    times = np.array([r["seconds"] for r in rows])
    print(f"time per case (H rules): median {np.median(times):.2f} s, max {times.max():.2f} s")
    if misses:
        print("misclassified:")
        for code, kind, name in misses:
            print(f"  {code} {kind} {name}")


def big_asset(fmt: str, size: int = 4096, triangles: int = 1_000_000) -> Asset:
    """A UV sphere of about a million triangles with a size x size albedo that has a
    light baked in (so every rule has work to do)."""
    pos, tris, uv = uv_sphere(triangles)
    rng = np.random.default_rng(1)
    v = np.linspace(0, 1, size, dtype=np.float32)
    shade = 0.55 + 0.35 * np.cos(np.pi * v)[:, None] * np.ones((1, size), np.float32)
    noise = rng.normal(0, 0.03, (size, size)).astype(np.float32)
    grey = np.clip((shade + noise) * 255, 0, 255).astype(np.uint8)
    img = np.stack([grey, (grey * 0.8).astype(np.uint8), (grey * 0.6).astype(np.uint8)], -1)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    mesh = Mesh("sphere", pos, tris, uvs=[uv])
    mesh.material_indices = np.zeros(len(tris), dtype=np.int32)
    material = Material("albedo", textures={"base_color": TextureSlot(0)}, metallic_factor=0.0)
    asset = Asset(
        path=Path(f"big.{fmt.lower()}.glb"),
        format="glb",
        file_size=0,
        meshes=[mesh],
        materials=[material],
        textures=[Texture.from_bytes("albedo", "embedded", buf.getvalue())],
    )
    single_node_scene(asset)
    return asset


def speed() -> None:
    engine = _engine()
    for fmt in ("JPEG", "PNG"):
        times = []
        for _ in range(3):
            asset = big_asset(fmt)  # fresh each time: nothing decoded or cached yet
            start = time.perf_counter()
            found = engine.run(asset, select=["H"])
            times.append(time.perf_counter() - start)
        tris = asset.meshes[0].triangle_count
        print(
            f"speed: all H rules on {tris:,} triangles, 4096x4096 {fmt} albedo: "
            f"median {np.median(times):.2f} s of {len(times)} runs "
            f"(min {min(times):.2f} s); findings: {sorted({f.code for f in found})}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed", action="store_true", help="only the speed figure")
    args = parser.parse_args(argv)
    if not args.speed:
        corpus_figures(args.seed, max(1, args.workers))
    speed()


if __name__ == "__main__":
    main()
