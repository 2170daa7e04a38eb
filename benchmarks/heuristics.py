"""Precision and recall of the image-to-3D heuristics (H rules), honestly split: the
thresholds H001 and H002 rest on are chosen on a tuning split and the rules scored on a
scoring split of other meshes and seeds; with them, the error of the estimated light
direction, the false alarms on the real negative set (every clean professional asset of
../shared/corpus), and the time all H rules take on a 1,000,000-triangle mesh with a
4096x4096 albedo.

    .venv/bin/python -m benchmarks.heuristics                 # everything
    .venv/bin/python -m benchmarks.heuristics --every 8       # a smaller subsample
    .venv/bin/python -m benchmarks.heuristics --no-speed --no-negative
    .venv/bin/python -m benchmarks.heuristics --cycles /tmp/cycles-set --only-cycles
    .venv/bin/python -m benchmarks.heuristics --cycles /tmp/set-a /tmp/set-b   # two bakes

Which set each figure is from is printed beside it: "generated" is
:mod:`benchmarks.heuristics_corpus` (the code-generated corpus, seeds :data:`SPLITS`),
"negative" the real files, "cycles" a set baked by Blender's Cycles
(:mod:`benchmarks.heuristics_cycles`, ``--cycles FOLDER``), none of it used for tuning.
A Cycles set may hold a second tuning split (``tuning2``: hard-surface meshes, printed
like ``tuning``, its figures not a result) and a held-out split (``holdout``: other
meshes, another seed), printed in totals only: no file of it is named, so that no
detector is chosen on it.
A summary at the end gathers the issue's done-when figures per set.
A case counts for a rule when its label is True or False (None is not scored). Nothing
is written to disk.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
from PIL import Image

from assetlint.engine import Engine
from assetlint.loaders import is_asset_path, load
from assetlint.model import (
    Asset,
    LoadError,
    Material,
    Mesh,
    Texture,
    TextureSlot,
    single_node_scene,
)
from assetlint.rules import heuristics
from benchmarks.heuristics_corpus import CODES, SPLITS, STRONG_LIGHT, WEAK_LIGHT, generate
from benchmarks.meshes import uv_sphere

TARGETS = {"H001": 0.95}  # precision target when choosing a threshold; the others 0.9
DEFAULT_TARGET = 0.9
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
NEGATIVE = ("gltf-samples", "meshes", "usd", "fbx", "fbx-extra")
TUNED = {"H001": "strength", "H002": "darkening"}  # the threshold chosen per rule
# Cycles splits thresholds and detectors are chosen on: tuning, and tuning2 (hard-surface
# meshes of flat panels and a warm sun, which tuning lacks)
TUNING = ("tuning", "tuning2")
# Cycles splits whose figures are results: scoring (other meshes and seed than tuning,
# seen while choosing detectors) and holdout (never looked at case by case)
SCORED = ("scoring", "holdout")


def _engine() -> Engine:
    return Engine.default(entry_points=False)


def rule_evidence(asset: Asset) -> dict[str, float]:
    """The value each tuned threshold is compared with, when the rule's other conditions
    hold (NaN when they do not)."""
    fit = heuristics.light_fit(asset)
    occ = heuristics.occlusion_fit(asset)
    return {
        "H001": (
            fit.strength
            if fit is not None and fit.explained >= 0.2 and heuristics.light_confirmed(fit, 0.0)
            else float("nan")
        ),
        "H002": (
            darkening
            if occ is not None
            and occ.spread >= 0.01
            and heuristics.occlusion_significance(occ) >= 3.0
            and (darkening := heuristics.occlusion_darkening(asset)) is not None
            else float("nan")
        ),
    }


def run_part(args: tuple[int, int, int, int]) -> list[dict]:
    """Build and check the cases of one part of one split's subsample."""
    seed, part, parts, every = args
    engine = _engine()
    rows = []
    for case in generate(seed, part, parts, every):
        start = time.perf_counter()
        found = engine.run(case.asset, select=["H", "X"])
        elapsed = time.perf_counter() - start
        fit = heuristics.light_fit(case.asset)
        error = None
        if case.light_direction is not None and fit is not None:
            cos = float(np.clip(fit.direction @ case.light_direction, -1, 1))
            error = float(np.degrees(np.arccos(cos)))
        evidence = rule_evidence(case.asset)
        rows.append(
            {
                "name": case.name,
                "group": case.group,
                "labels": case.labels,
                "codes": sorted({f.code for f in found}),
                "crashes": [f.message for f in found if f.code == "X001"],
                "strength": case.light_strength,
                "error": error,
                "evidence": evidence,
                "seconds": elapsed,
            }
        )
    return rows


def run_split(seed: int, workers: int, every: int) -> list[dict]:
    jobs = [(seed, k, workers, every) for k in range(workers)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(run_part, jobs)
    else:
        parts = [run_part(jobs[0])]
    return sorted((r for p in parts for r in p), key=lambda r: r["name"])


def _counts(rows: list[dict], code: str, hit_of) -> tuple[int, int, int, int]:
    tp = fp = fn = tn = 0
    for r in rows:
        label = r["labels"][code]
        if label is None:
            continue
        hit = hit_of(r)
        tp += label and hit
        fp += (not label) and hit
        fn += label and not hit
        tn += (not label) and not hit
    return tp, fp, fn, tn


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return precision, recall


def choose_threshold(rows: list[dict], code: str) -> float | None:
    """On the tuning split: the lowest threshold on the rule's evidence whose precision
    meets the target (the highest recall that does), placed half-way between the case it
    keeps and the case below it rather than on the weakest positive; None when none
    does."""
    target = TARGETS.get(code, DEFAULT_TARGET)
    values = sorted({v for r in rows if np.isfinite(v := r["evidence"][code])})
    for k, t in enumerate(values):
        tp, fp, fn, _ = _counts(rows, code, lambda r, t=t: r["evidence"][code] >= t)
        precision, _ = _pr(tp, fp, fn)
        if precision >= target:
            # a strength below 0 (brighter where occluded or lit) is no defect: when the
            # rule's other conditions alone meet the target, the tuning split asks for 0
            chosen = t if k == 0 else (t + values[k - 1]) / 2
            return max(chosen, 0.0)
    return None


def report(name: str, rows: list[dict], chosen: dict[str, float | None]) -> dict:
    """Print one generated split; return its figures for the summary."""
    summary: dict = {"rules": {}}
    crashed = [r for r in rows if r["crashes"]]
    print(f"\n{name}: {len(rows)} cases")
    for r in crashed:
        print(f"  X001 on {r['name']}: {r['crashes']}")
    print(
        f"{'rule':5} {'pos':>4} {'neg':>4} {'TP':>4} {'FP':>4} {'FN':>4} "
        f"{'precision':>9} {'recall':>7}  (rule defaults)"
    )
    misses = []
    for code in CODES:
        tp, fp, fn, tn = _counts(rows, code, lambda r, code=code: code in r["codes"])
        precision, recall = _pr(tp, fp, fn)
        summary["rules"][code] = (precision, recall)
        print(
            f"{code:5} {tp + fn:4d} {fp + tn:4d} {tp:4d} {fp:4d} {fn:4d} {precision:9.3f} "
            f"{recall:7.3f}"
        )
        for r in rows:
            label = r["labels"][code]
            if label is not None and label != (code in r["codes"]):
                misses.append((code, "FN" if label else "FP", r["name"]))
    for code, t in chosen.items():
        if t is None:
            print(f"{code} at a threshold chosen on tuning: none reached the precision target")
            continue
        tp, fp, fn, _ = _counts(rows, code, lambda r, t=t, code=code: r["evidence"][code] >= t)
        precision, recall = _pr(tp, fp, fn)
        print(
            f"{code} with {TUNED[code]} >= {t:.3f} (chosen on tuning): precision "
            f"{precision:.3f}, recall {recall:.3f}"
        )
    lit = [r for r in rows if r["strength"] > 0]
    for label, sel in (
        (f"strength >= {STRONG_LIGHT}", [r for r in lit if r["strength"] >= STRONG_LIGHT]),
        ("all lit cases", lit),
    ):
        errors = [r["error"] for r in sel if r["error"] is not None and r["labels"]["H001"]]
        if errors and label == "all lit cases":
            summary["direction"] = (float(np.median(errors)), float(np.percentile(errors, 90)))
        if errors:
            print(
                f"light direction error, {label}: median {np.median(errors):.1f} deg, "
                f"90th percentile {np.percentile(errors, 90):.1f} deg ({len(errors)} cases)"
            )
    lo, hi = WEAK_LIGHT
    for a, b in ((lo, hi), (hi, STRONG_LIGHT), (STRONG_LIGHT, 0.5), (0.5, 0.81)):
        sel = [r for r in lit if a <= r["strength"] < b]
        if sel:
            hit = sum("H001" in r["codes"] for r in sel)
            print(f"  H001 on light strength {a:.2f}-{b:.2f}: found {hit}/{len(sel)}")
    clean = [r for r in rows if r["group"] == "clean"]
    alarms = sum(any(c in r["codes"] for c in CODES) for r in clean)
    summary["clean"] = (alarms, len(clean))
    print(f"clean cases with any H finding: {alarms}/{len(clean)}")
    times = np.array([r["seconds"] for r in rows])
    print(f"time per case (H rules): median {np.median(times):.2f} s, max {times.max():.2f} s")
    if misses:
        print("misclassified (rule defaults):")
        for code, kind, case in misses:
            print(f"  {code} {kind} {case}")
    return summary


def cycles_part(args: tuple[Path, list[tuple[str, dict]]]) -> list[dict]:
    """Check some files of a set baked by :mod:`benchmarks.heuristics_cycles`."""
    folder, items = args
    engine = _engine()
    rows = []
    for name, label in items:
        asset = load(folder / name)
        found = [f for f in engine.run(asset, select=["H"]) if f.severity != "info"]
        fit = heuristics.light_fit(asset)
        error = None
        if label.get("direction") is not None and fit is not None:
            truth = np.asarray(label["direction"], dtype=np.float64)
            cos = float(np.clip(fit.direction @ truth / np.linalg.norm(truth), -1, 1))
            error = float(np.degrees(np.arccos(cos)))
        rows.append(
            {
                "name": name,
                "split": label.get("split", "scoring"),
                "labels": {code: label.get(code) for code in CODES},
                "label": label,
                "codes": sorted({f.code for f in found}),
                "error": error,
                "evidence": rule_evidence(asset),
            }
        )
    return rows


def cycles_rows(folder: Path, workers: int) -> list[dict]:
    """Check every file of a set baked by :mod:`benchmarks.heuristics_cycles`."""
    items = sorted(json.loads((folder / "labels.json").read_text()).items())
    jobs = [(folder, items[k::workers]) for k in range(workers)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(cycles_part, jobs)
    else:
        parts = [cycles_part(jobs[0])]
    return sorted((r for p in parts for r in p), key=lambda r: r["name"])


def cycles_set(folder: Path, workers: int, verbose: bool = False) -> dict[str, dict]:
    """H001 and H002 on the Cycles-baked set (:mod:`benchmarks.heuristics_cycles`): the
    threshold each rests on chosen on its tuning split, every split scored (the tuning
    figures are not a result). The held-out split is printed in totals only, no file
    named, so that nobody reads its cases while choosing a detector. Returns the figures
    of the scoring and held-out splits present, by split, for the summary."""
    figures: dict[str, dict] = {}
    rows = cycles_rows(folder, max(1, workers))
    tuning = [r for r in rows if r["split"] in TUNING]
    chosen = {code: choose_threshold(tuning, code) if tuning else None for code in TUNED}
    for code, t in chosen.items():
        shown = "none reached the target" if t is None else f"{t:.3f}"
        if not tuning:
            shown = "no tuning split in this set"
        print(f"cycles {code}: {TUNED[code]} chosen on the tuning splits: {shown}")
    for split in (*TUNING, *SCORED):
        sel = [r for r in rows if r["split"] == split]
        if not sel:
            continue
        summary: dict = {"rules": {}}
        if split in SCORED:
            figures[split] = summary
        named = split != "holdout"
        meshes = sorted({r["label"]["mesh"] for r in sel})
        print(
            f"\ncycles, {split} split (Blender Cycles bakes, {folder}): {len(sel)} files, "
            f"meshes {', '.join(meshes)}"
        )
        for code in ("H001", "H002"):
            tp, fp, fn, _ = _counts(sel, code, lambda r, code=code: code in r["codes"])
            precision, recall = _pr(tp, fp, fn)
            summary["rules"][code] = (precision, recall)
            line = (
                f"{code}: TP {tp} FP {fp} FN {fn}, precision {precision:.3f}, "
                f"recall {recall:.3f} (rule defaults)"
            )
            t = chosen[code]
            if t is not None:
                tp, fp, fn, _ = _counts(
                    sel, code, lambda r, t=t, code=code: r["evidence"][code] >= t
                )
                precision, recall = _pr(tp, fp, fn)
                line += f"; at the tuned threshold {precision:.3f} / {recall:.3f}"
            print(line)
        keyed = [r for r in sel if r["error"] is not None and r["labels"]["H001"]]
        for which, subset in (
            ("key lights", keyed),
            ("key lights H001 found", [r for r in keyed if "H001" in r["codes"]]),
        ):
            errors = [r["error"] for r in subset]
            if errors and which == "key lights":
                summary["direction"] = (float(np.median(errors)), float(np.percentile(errors, 90)))
            if errors:
                print(
                    f"light direction error (cycles, {which}): median {np.median(errors):.1f}"
                    f" deg, 90th percentile {np.percentile(errors, 90):.1f} deg "
                    f"({len(errors)} cases)"
                )
        weak = [r for r in sel if 1.1 <= (r["label"].get("key_contrast") or 0) < 1.4]
        found = sum("H001" in r["codes"] for r in weak)
        print(f"  weak key light (its own contrast 1.1-1.4): H001 on {found}/{len(weak)}")
        clean = [r for r in sel if r["name"].endswith("-clean.glb")]
        alarms = [r for r in clean if r["codes"]]
        summary["clean"] = (len(alarms), len(clean))
        print(f"clean albedo (true albedo, no light): {len(alarms)}/{len(clean)} with an H warning")
        if not named:
            continue
        for r in alarms:
            print(f"  {r['name']}: {', '.join(r['codes'])}")
        for code in ("H001", "H002"):
            wrong = [
                f"{'FN' if r['labels'][code] else 'FP'} {r['name'][: -len('.glb')]}"
                for r in sel
                if r["labels"][code] is not None and r["labels"][code] != (code in r["codes"])
            ]
            if wrong:
                print(f"  {code} misclassified ({len(wrong)}): {', '.join(wrong)}")
        if verbose:
            for r in sel:
                label = r["label"]
                where = f", direction error {r['error']:.1f} deg" if r["error"] is not None else ""
                print(
                    f"  {r['name']}: H001 {label.get('H001')}, H002 {label.get('H002')}, "
                    f"contrast {label.get('contrast', '-')}, key {label.get('key_contrast')}: "
                    f"found "
                    f"{', '.join(r['codes']) or '-'}{where}; evidence "
                    + ", ".join(f"{k} {v:.3f}" for k, v in r["evidence"].items())
                )
    return figures


def negative_set() -> tuple[int, int, int] | None:
    """H warnings on every clean professional asset of the shared corpus: (warnings,
    files with one, files); None without the corpus."""
    if not CORPUS.is_dir():
        print("\nnegative set: ../shared/corpus not present")
        return None
    engine = _engine()
    files = sorted(
        p for folder in NEGATIVE for p in (CORPUS / folder).rglob("*") if is_asset_path(p)
    )
    alarms = {}
    for path in files:
        try:
            asset = load(path)
        except (LoadError, OSError, ValueError):
            continue
        found = [f for f in engine.run(asset, select=["H"]) if f.severity != "info"]
        if found:
            alarms[str(path.relative_to(CORPUS))] = sorted(f.code for f in found)
    total = sum(len(v) for v in alarms.values())
    print(f"\nnegative set (real, {len(files)} files): {total} H warnings on {len(alarms)} files")
    for name, codes in alarms.items():
        print(f"  {name}: {', '.join(codes)}")
    return total, len(alarms), len(files)


def summary(sets: list[tuple[str, dict]], negative: tuple[int, int, int] | None) -> None:
    """The issue's done-when figures in one place: per rule precision / recall on each
    set's scoring and held-out splits (rule defaults), the light direction error there
    (Cycles: every key light; generated: every lit case) and false alarms on the real
    negative set."""
    print(
        "\nsummary: scoring and held-out splits at the rule defaults (thresholds chosen on "
        "tuning only)"
    )
    for name, figures in sets:
        print(f"  {name}:")
        for code, (precision, recall) in figures["rules"].items():
            if np.isfinite(precision) or np.isfinite(recall):
                print(f"    {code}: precision {precision:.3f}, recall {recall:.3f}")
        if "direction" in figures:
            median, p90 = figures["direction"]
            print(
                f"    light direction error: median {median:.1f} deg, 90th percentile {p90:.1f} deg"
            )
        if "clean" in figures:
            alarms, count = figures["clean"]
            print(f"    clean cases with an H warning: {alarms}/{count}")
    if negative is not None:
        total, files, count = negative
        print(
            f"  negative set (real professional assets, {count} files): {total} H warnings "
            f"on {files} files"
        )


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
    parser.add_argument("--every", type=int, default=4, help="build every n-th case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed", action="store_true", help="only the speed figure")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-negative", action="store_true")
    parser.add_argument(
        "--cycles",
        type=Path,
        nargs="+",
        default=[],
        help="folders baked by benchmarks.heuristics_cycles (each scored on its own)",
    )
    parser.add_argument("--only-cycles", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="every Cycles file's result")
    args = parser.parse_args(argv)
    sets = [
        (f"cycles {folder}, {split} split (Blender Cycles bakes)", figures)
        for folder in args.cycles
        for split, figures in cycles_set(folder, args.workers, args.verbose).items()
    ]
    if args.only_cycles:
        summary(sets, None)
        return
    negative = None
    if not args.speed:
        start = time.perf_counter()
        tuning = run_split(SPLITS["tuning"], max(1, args.workers), args.every)
        chosen = {code: choose_threshold(tuning, code) for code in TUNED}
        rules = _engine().rules
        for code, t in chosen.items():
            default = rules[code].params[TUNED[code]]
            shown = "none reached the target" if t is None else f"{t:.3f}"
            print(f"{code}: {TUNED[code]} chosen on the tuning split: {shown}, default {default}")
        report("generated, tuning split (seed 0)", tuning, chosen)
        scoring = run_split(SPLITS["scoring"], max(1, args.workers), args.every)
        figures = report("generated, scoring split (seed 1)", scoring, chosen)
        sets.append(("generated in code (benchmarks.heuristics_corpus, seed 1)", figures))
        print(f"({time.perf_counter() - start:.0f} s)")
        if not args.no_negative:
            negative = negative_set()
        summary(sets, negative)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
