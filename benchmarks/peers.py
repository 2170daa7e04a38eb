"""assetlint side by side with the tools a studio would otherwise use, on the same inputs.

Run by hand from the repository root:

    .venv/bin/python -m benchmarks.peers [--triangles N] [--runs N] [--node-modules DIR]

Inputs are generated in a scratch folder: a textured GLB split at UV seams (as image-to-3D
generators write them), the same mesh as binary STL, and a folder of 200 small mixed
assets (GLB, OBJ, STL). Every tool runs as a whole process (start-up and imports
included), once to warm the disk cache and then ``--runs`` times; the table gives the
median and the fastest run, the ratio of medians to assetlint on the same line, and what
the tool checked.

Peers are found if present and named when missing (nothing is installed from here):
the Khronos glTF-Validator and glTF Transform from npm (``--node-modules`` or
NODE_PATH; e.g. ``npm install --prefix DIR gltf-validator @gltf-transform/cli``),
admesh from Debian (``apt-get install admesh``), trimesh from the venv.

assetlint's own bytecode is compiled first, as installing a wheel does: an editable
checkout run with PYTHONDONTWRITEBYTECODE set (as on CI machines) would otherwise compile
every module at each start, about 0.1 s that the peers, installed, never pay.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.meshes import uv_sphere

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ASSETLINT = [PYTHON, "-m", "assetlint"]

# The nearest trimesh equivalent of assetlint's topology checks, per file.
TRIMESH_SCRIPT = r"""
import sys, trimesh
for path in sys.argv[1:]:
    m = trimesh.load(path, force="mesh")
    bodies = len(trimesh.graph.connected_components(m.face_adjacency, min_len=1))
    volume = m.volume if m.is_volume else None
    print(path, len(m.faces), m.is_watertight, m.is_winding_consistent, bodies, volume)
"""

# The npm package has no command line: validateBytes on the file, resources beside it.
VALIDATOR_SCRIPT = r"""
const fs = require('fs'), path = require('path'), v = require('gltf-validator');
const file = process.argv[2];
v.validateBytes(new Uint8Array(fs.readFileSync(file)), {
  uri: path.basename(file), maxIssues: 1000,
  externalResourceFunction: (u) => new Promise((ok, no) => fs.readFile(
    path.join(path.dirname(file), decodeURIComponent(u)), (e, d) => e ? no(e) : ok(d))),
}).then((r) => console.log(r.issues.numErrors, r.issues.numWarnings),
        (e) => { console.error(e); process.exit(2); });
"""

CHECKS = {
    "assetlint": "all default rules: glTF structure and load issues, topology (G), "
    "image-to-3D heuristics (H), budgets, scale, orientation, materials, textures",
    "assetlint --target print": "print pack: topology + printability (self-intersection, "
    "wall thickness, overhangs, build volume)",
    "gltf-validator": "glTF spec: schema, references, accessor data bounds; no topology",
    "gltf-transform inspect": "lists scenes/meshes/materials/textures with sizes; no checks",
    "trimesh script": "load, watertight, winding, bodies, volume",
    "admesh": "STL stats: edges, facets, volume, holes, normals (no repair written)",
}


@dataclass
class Tool:
    line: str
    name: str
    command: list[str] | None  # None: missing
    missing: str = ""


# --- inputs --------------------------------------------------------------------------------


def _png(size: int) -> bytes:
    from PIL import Image

    ramp = np.linspace(0, 255, size, dtype=np.uint8)
    u, v = np.meshgrid(ramp, ramp[::-1])
    rgb = np.stack([u, v, np.full((size, size), 128, np.uint8)], -1)
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, format="PNG")
    return out.getvalue()


def textured_glb(path: Path, triangles: int, texture: int = 1024) -> Path:
    """A UV-seamed sphere with normals, UVs and an embedded base-colour PNG."""
    from tests.loaders.make_gltf import GltfBuilder

    pos, tris, uvs = uv_sphere(triangles, seams=True)
    normals = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    b = GltfBuilder(generator="benchmarks.peers")
    image = b.add("images", {"bufferView": b.view(_png(texture)), "mimeType": "image/png"})
    b.add("samplers", {})
    tex = b.add("textures", {"source": image, "sampler": 0})
    material = b.add(
        "materials",
        {"name": "skin", "pbrMetallicRoughness": {"baseColorTexture": {"index": tex}}},
    )
    prim = b.primitive(pos, tris, material=material, NORMAL=normals, TEXCOORD_0=uvs)
    b.scene([b.node(mesh=b.mesh(prim, name="sphere"), name="sphere")])
    return b.write(path)


def binary_stl(path: Path, triangles: int) -> Path:
    from tests.loaders.make_stl import write_stl

    pos, tris, _ = uv_sphere(triangles, seams=True)
    write_stl(path, pos, tris)
    return path


def mixed_folder(folder: Path, count: int = 200) -> Path:
    """``count`` small assets, GLB, OBJ and STL in turn, 500 to 20,000 triangles."""
    from tests.loaders.make_gltf import write_gltf
    from tests.loaders.make_obj import write_obj
    from tests.loaders.make_stl import write_stl

    folder.mkdir(parents=True, exist_ok=True)
    sizes = np.geomspace(500, 20_000, count).astype(int)
    for i, size in enumerate(sizes):
        pos, tris, uvs = uv_sphere(int(size), seams=bool(i % 2))
        kind = ("glb", "obj", "stl")[i % 3]
        path = folder / f"asset_{i:03d}.{kind}"
        if kind == "glb":
            write_gltf(path, pos, tris, uvs=uvs)
        elif kind == "obj":
            write_obj(path, pos, tris)
        else:
            write_stl(path, pos, tris)
    return folder


# --- peers ---------------------------------------------------------------------------------


def _node_env(node_modules: str | None) -> dict[str, str]:
    env = dict(os.environ)
    paths = [p for p in (node_modules, env.get("NODE_PATH")) if p]
    env["NODE_PATH"] = os.pathsep.join(paths)
    return env


def find_tools(node_modules: str | None, scratch: Path) -> dict[str, object]:
    """What is installed: the node command with gltf-validator, gltf-transform, admesh."""
    found: dict[str, object] = {}
    node = shutil.which("node")
    env = _node_env(node_modules)
    if node is None:
        found["gltf-validator"] = "node not installed"
    else:
        probe = subprocess.run(
            [node, "-e", "require.resolve('gltf-validator')"], env=env, capture_output=True
        )
        if probe.returncode == 0:
            script = scratch / "validate.js"
            script.write_text(VALIDATOR_SCRIPT)
            found["gltf-validator"] = [node, str(script)]
        else:
            found["gltf-validator"] = "npm package gltf-validator not installed"
    bins = [Path(node_modules) / ".bin" / "gltf-transform"] if node_modules else []
    transform = next((str(b) for b in bins if b.exists()), None) or shutil.which("gltf-transform")
    found["gltf-transform"] = [transform] if transform else "@gltf-transform/cli not installed"
    admesh = shutil.which("admesh")
    found["admesh"] = [admesh] if admesh else "admesh not installed (Debian package admesh)"
    return found


# --- timing --------------------------------------------------------------------------------


def time_command(
    command: list[str], runs: int, env: dict[str, str]
) -> tuple[float, float, int, str]:
    """Median and fastest wall time of ``runs`` runs after a warm-up (the fastest is the
    steadier figure on a machine whose kernel time varies from run to run); the exit
    code and the last line of output of the last run (to see that the tool did its
    work)."""
    subprocess.run(command, env=env, capture_output=True)
    times, code = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True)
        times.append(time.perf_counter() - t0)
        code = done.returncode
    lines = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()
    return statistics.median(times), min(times), code, lines[-1] if lines else ""


def assetlint_check() -> list[str]:
    """``assetlint check``, told not to use its result cache where it has one: a cached run
    would time a lookup, not a lint."""
    help_text = subprocess.run(ASSETLINT + ["check", "--help"], capture_output=True, text=True)
    return ASSETLINT + ["check"] + (["--no-cache"] if "--no-cache" in help_text.stdout else [])


def plan(inputs: dict[str, Path], found: dict[str, object]) -> list[Tool]:
    glb, stl, folder = inputs["glb"], inputs["stl"], inputs["folder"]
    check = assetlint_check()
    trimesh_cmd = [PYTHON, "-c", TRIMESH_SCRIPT]
    files = sorted(str(p) for p in folder.iterdir())

    def peer(key: str, line: str, name: str, args: list[str]) -> Tool:
        cmd = found[key]
        if isinstance(cmd, str):
            return Tool(line, name, None, cmd)
        return Tool(line, name, list(cmd) + args)

    return [
        Tool("glb", "assetlint", check + [str(glb)]),
        peer("gltf-validator", "glb", "gltf-validator", [str(glb)]),
        peer("gltf-transform", "glb", "gltf-transform inspect", ["inspect", str(glb)]),
        Tool("glb", "trimesh script", trimesh_cmd + [str(glb)]),
        Tool("stl", "assetlint --target print", check + ["--target", "print", str(stl)]),
        Tool("stl", "assetlint", check + [str(stl)]),
        peer("admesh", "stl", "admesh", [str(stl)]),
        Tool("stl", "trimesh script", trimesh_cmd + [str(stl)]),
        Tool("folder", "assetlint", check + [str(folder)]),
        Tool("folder", "trimesh script", trimesh_cmd + files),
    ]


LINES = {
    "glb": "{n:,}-triangle textured GLB, UV seams",
    "stl": "same mesh, binary STL",
    "folder": "200 mixed small assets (GLB/OBJ/STL)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--node-modules", help="a node_modules folder holding the npm peers")
    parser.add_argument("--only", choices=sorted(LINES), action="append", help="lines to run")
    ns = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "assetlint", quiet=1)
    env = _node_env(ns.node_modules)
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory(prefix="assetlint-peers-") as tmp:
        scratch = Path(tmp)
        t0 = time.perf_counter()
        inputs = {
            "glb": textured_glb(scratch / "sphere.glb", ns.triangles),
            "stl": binary_stl(scratch / "sphere.stl", ns.triangles),
            "folder": mixed_folder(scratch / "mixed"),
        }
        print(f"inputs generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        found = find_tools(ns.node_modules, scratch)
        for key, value in found.items():
            if isinstance(value, str):
                print(f"missing: {key}: {value}", file=sys.stderr)
        rows = []
        base: dict[str, float] = {}
        for tool in plan(inputs, found):
            if ns.only and tool.line not in ns.only:
                continue
            if tool.command is None:
                rows.append((tool, None, None))
                continue
            seconds, fastest, code, said = time_command(tool.command, ns.runs, env)
            base.setdefault(tool.line, seconds)  # assetlint comes first on each line
            rows.append((tool, seconds, fastest))
            print(
                f"  {tool.line:<6} {tool.name:<26} {seconds:8.2f} s (exit {code})", file=sys.stderr
            )
            print(f"         last output line: {said[:160]}", file=sys.stderr)
    print(f"\n{ns.runs} runs each, wall time of the whole process\n")
    print("| Input | Tool | Median s | Fastest s | Ratio to assetlint | What it checked |")
    print("|---|---|---:|---:|---:|---|")
    for tool, seconds, fastest in rows:
        label = LINES[tool.line].format(n=ns.triangles)
        if seconds is None:
            print(f"| {label} | {tool.name} | missing | | | {tool.missing} |")
        else:
            ratio = seconds / base[tool.line]
            print(
                f"| {label} | {tool.name} | {seconds:.2f} | {fastest:.2f} | {ratio:.2f} "
                f"| {CHECKS[tool.name]} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
