"""The per-file orientation table of issue 15: for every real file, its size in file units,
its up and front as assetlint reads them, the reviewer's reading (MANIFEST.tsv), the
O010/O011/S006 findings with ``--target unity`` and with no target, and what ``assetlint
fix --target unity`` does about them (the fix's orientation lines and the relint's
O010/O011/S006, with the fixed file's up and front). Run by hand, not a test:

    .venv/bin/python -m benchmarks.orientation                    # generated-real, with fix
    .venv/bin/python -m benchmarks.orientation --no-fix           # reads and lints only
    .venv/bin/python -m benchmarks.orientation --professional     # and the professional sets
    .venv/bin/python -m benchmarks.orientation --long             # whole finding messages
    .venv/bin/python -m benchmarks.orientation --split            # held-out facing numbers

Up and front are read by the functions the rules use (``lying_pose``, ``lying_flat``,
``facing``), the findings by ``assetlint.lint`` with no config file, the fix by the
``assetlint fix`` command in a subprocess, into a temporary folder. The professional sets
have no reviewer's column and are not fixed. Markdown goes to stdout.

``--split`` checks O011's numbers on files not used to choose them: the files whose front
is known (:data:`FRONTS`) and every other real file (which must show no front, or one
that no label contradicts) are split in two halves, by alternate files and by
generated-real against professional; each number is chosen on one half from a grid and
the facing verdicts are scored on the other, beside the score of the number in use.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from assetlint.api import lint
from assetlint.loaders import is_asset_path, load
from assetlint.model import Asset, LoadError
from assetlint.rules import orientation
from assetlint.rules.orientation import facing, facing_direction, lying_flat, lying_pose

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
GENERATED = CORPUS / "generated-real"
PROFESSIONAL = ("gltf-samples", "meshes", "usd", "fbx", "fbx-extra")
CODES = ("O010", "O011", "S006")
# Fronts known from the reviewer's MANIFEST.tsv (generated-real) and from the renders of
# the professional models (`assetlint render`: the face, beak, headlights or lettering
# seen from that side).
FRONTS = {
    "generated-real/hunyuan3d2_ryanedward-car-white/white_mesh.glb": "-X",
    "generated-real/sf3d_prnyc-chair/mesh.glb": "-Z",
    "generated-real/sf3d_teckshun-shirt/mesh.glb": "-Z",
    "generated-real/hunyuan3d2_bravesailor-penguin/mesh.glb": "+Z",
    "generated-real/trellis_joeywu-character/sample.glb": "+Z",
    "generated-real/tripo_fishabe-fish-rigged/fishanim.glb": "+Z",
    "generated-real/tripo_raptureio-fox-rigged/tripo_convert_bb9794ad-fd9a-4879-84c1-"
    "be11c58f9704_idle_embedded.gltf": "+Z",
    "generated-real/meshy_dahee-character-animated/Meshy_Merged_Animations.glb": "+Z",
    "gltf-samples/Duck/Duck.glb": "+X",
    "gltf-samples/CesiumMilkTruck/CesiumMilkTruck.glb": "+X",
    "gltf-samples/AlphaBlendModeTest/AlphaBlendModeTest.glb": "+Z",
    "gltf-samples/pirate_meshopt/pirate.glb": "+Z",
    "meshes/monkey.glb": "+Z",
    "meshes/rabbit.obj": "+Z",
    "fbx/ufbx__blender_suzanne_multimaterial_7400_binary.fbx": "+Z",
    "fbx/ufbx__maya_slime_7500_ascii.fbx": "+Z",
    "fbx/ufbx__maya_slime_7500_binary.fbx": "+Z",
}
# The numbers O011 rests on and the values tried for each, one at a time.
GRID = {
    "FACING_MIRROR": (0.75, 0.8, 0.85, 0.9, 0.95),
    "MIN_DETAIL_RATIO": (1.0, 1.05, 1.1, 1.2, 1.3, 1.5),
    "MIN_FEATURE_TRIANGLES": (0, 25, 50, 100, 200, 400),
    "DETAIL_NOISE": (0.0, 1.0, 2.0, 3.0, 4.0, 6.0),
}


def read(asset: Asset) -> tuple[str, str, str]:
    """(size, up, front) as the orientation rules read them."""
    bounds = asset.bounds()
    size = "-" if bounds is None else "×".join(f"{e:.3g}" for e in bounds[1] - bounds[0])
    pose = lying_pose(asset)
    if pose is not None:
        end = f"up {facing_direction(pose.axis)}" if pose.base else "end unsure"
        up = f"lies on its {'side' if pose.kind == 'side' else 'back/front'}, {end}"
    elif lying_flat(asset) is not None:
        up = "lies flat, up +Z"
    else:
        up = "+Y"
    face = facing(asset)
    if face is None:
        front = "not judged"
    else:
        front = (
            facing_direction(face.axis)
            if face.sign
            else f"axis {facing_direction(face.axis, line=True)}, sign unsure"
        )
        named = (("geo", face.geometry), ("tex", face.texture), ("col", face.colour))
        cues = [(n, r) for n, r in named if r]
        front += " (" + ", ".join(f"{n} {r:.2f}x" for n, r in cues) + ")"
    return size, up, front


def short(message: str, long: bool) -> str:
    """The finding's first clause (up to ':' or ';'), or all of it with ``--long``."""
    return message if long else re.split(r"[:;(]", message, maxsplit=1)[0].strip()


def findings(path: Path, target: str | None, long: bool) -> str:
    report = lint(path, target=target, config=False)
    said = [f"{f.code} {short(f.message, long)}" for f in report.findings if f.code in CODES]
    return "; ".join(said) or "—"


def fixed(path: Path, folder: Path, long: bool) -> str:
    """What `assetlint fix --target unity` turned, the relint's O010/O011/S006 and the
    fixed file's up and front."""
    dest = folder / (path.parent.name + "-" + path.stem + ".glb")
    run = subprocess.run(
        [sys.executable, "-m", "assetlint", "fix", str(path), "--target", "unity", "-o", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    turned = [
        line.split(": ", 1)[1] for line in run.stdout.splitlines() if line.startswith("orientation")
    ]
    if not dest.exists():
        return f"not written: {run.stderr.strip()[:80]}"
    relint = findings(dest, "unity", long)
    _, up, front = read(load(dest))
    did = "; ".join(short(t, long) for t in turned) or "not turned"
    return f"{did} → {up}, {front}; relint: {relint}"


def rows(paths: list[tuple[str, Path]], reviewer: dict[str, str], fix: bool, long: bool):
    with tempfile.TemporaryDirectory(prefix="assetlint-orientation-") as tmp:
        for name, path in paths:
            try:
                asset = load(path)
            except LoadError as exc:
                yield f"| {name} | unreadable: {exc} |"
                continue
            size, up, front = read(asset)
            cells = [
                name,
                size,
                up,
                front,
                reviewer.get(name, ""),
                findings(path, "unity", long),
                findings(path, None, long),
            ]
            if fix:
                cells.append(fixed(path, Path(tmp), long))
            yield "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def verdict(asset: Asset) -> str | None:
    """The front O011 reads (nearest axis) when it knows the sign, else None."""
    face = facing(asset)
    if face is None or not face.sign:
        return None
    return facing_direction(face.axis).split(" ")[0]


def score(verdicts: dict[str, str | None], names: list[str]) -> tuple[int, int, int]:
    """(right, wrong, said) over ``names``: a known front read rightly or wrongly, and
    how many fronts were said at all (on a file with no known front a said front is
    neither)."""
    right = sum(verdicts[n] is not None and verdicts[n] == FRONTS.get(n) for n in names)
    wrong = sum(verdicts[n] is not None and n in FRONTS and verdicts[n] != FRONTS[n] for n in names)
    return right, wrong, sum(verdicts[n] is not None for n in names)


def split(assets: dict[str, Asset]) -> None:
    """Choose each number on one half (most right readings with no wrong one; ties go to
    the number in use), score the other half with it and with the number in use."""
    loosest = {c: min(v) for c, v in GRID.items()}
    in_use = {c: getattr(orientation, c) for c in GRID}
    judged = set()
    for settings in (in_use, loosest):  # files no number could give a front are left out
        for constant, value in settings.items():
            setattr(orientation, constant, value)
        judged |= {n for n, a in assets.items() if facing(a) is not None}
    for constant, value in in_use.items():
        setattr(orientation, constant, value)
    assets = {n: a for n, a in assets.items() if n in judged}
    print(f"{len(assets)} files with a front-back axis under some number:", ", ".join(assets))
    names = sorted(assets)  # alternate files of this list make the first split
    halves = {
        "alternate files A -> B": (names[0::2], names[1::2]),
        "alternate files B -> A": (names[1::2], names[0::2]),
        "generated-real -> professional": (
            [n for n in names if n.startswith("generated-real")],
            [n for n in names if not n.startswith("generated-real")],
        ),
        "professional -> generated-real": (
            [n for n in names if not n.startswith("generated-real")],
            [n for n in names if n.startswith("generated-real")],
        ),
    }
    print(
        "| number | in use | split (choose -> score) | chosen | held-out right/wrong/said "
        "(chosen) | held-out right/wrong/said (in use) |"
    )
    print("|---|---|---|---|---|---|")
    for constant, values in GRID.items():
        current = getattr(orientation, constant)
        table = {}
        for value in values:
            setattr(orientation, constant, value)
            table[value] = {n: verdict(a) for n, a in assets.items()}
        setattr(orientation, constant, current)
        for label, (choose, held) in halves.items():
            ranks = {}
            for v in values:
                right, wrong, _ = score(table[v], choose)
                ranks[v] = (-wrong, right, v == current)
            best = max(values, key=ranks.__getitem__)
            print(
                f"| {constant} | {current:g} | {label} | {best:g} | "
                + "/".join(map(str, score(table[best], held)))
                + " | "
                + "/".join(map(str, score(table[current], held)))
                + " |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fix", action="store_true", help="skip the fix and relint column")
    parser.add_argument("--professional", action="store_true", help="add the professional sets")
    parser.add_argument("--long", action="store_true", help="whole finding messages")
    parser.add_argument("--split", action="store_true", help="held-out check of O011's numbers")
    ns = parser.parse_args(argv)
    if not GENERATED.is_dir():
        print(f"no corpus at {GENERATED}", file=sys.stderr)
        return 2
    if ns.split:
        assets = {}
        for folder in ("generated-real", *PROFESSIONAL):
            for path in sorted((CORPUS / folder).rglob("*")):
                if path.is_file() and is_asset_path(path):
                    try:
                        assets[str(path.relative_to(CORPUS))] = load(path)
                    except LoadError:
                        continue
        split(assets)
        return 0
    with open(GENERATED / "MANIFEST.tsv", encoding="utf-8") as f:
        manifest = list(csv.DictReader(f, delimiter="\t"))
    reviewer = {r["path"]: r["up_axis_as_rendered"] for r in manifest}
    paths = [(r["path"], GENERATED / r["path"]) for r in sorted(manifest, key=lambda r: r["path"])]
    head = ["file", "size (units)", "up read", "front read", "reviewer", "unity", "no target"]
    if not ns.no_fix:
        head.append("fix --target unity → relint")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows(paths, reviewer, not ns.no_fix, ns.long):
        print(row, flush=True)
    if ns.professional:
        print()
        print("| " + " | ".join(head[:4] + ["", *head[5:7]]) + " |")
        print("|" + "---|" * 7)
        pro = sorted(
            (str(p.relative_to(CORPUS)), p)
            for folder in PROFESSIONAL
            for p in (CORPUS / folder).rglob("*")
            if p.is_file() and is_asset_path(p)
        )
        for row in rows(pro, {}, False, ns.long):
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
