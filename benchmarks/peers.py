"""assetlint side by side with the tools a studio would otherwise use, on the same inputs.

Run by hand from the repository root:

    .venv/bin/python -m benchmarks.peers [--triangles N] [--runs N] [--only LINE ...]

Inputs are generated in a scratch folder under /tmp (nothing big is committed): a 1M-triangle
textured GLB split at UV seams (as image-to-3D generators write them), the same mesh as
binary STL and as USDC, 200 small mixed assets (GLB with a texture, OBJ, STL) and one tiny
GLB. Every tool runs as a whole process (start-up and imports included); all the
commands of a line run once to warm the disk cache, then round-robin ``--runs`` times
(A B C A B C ...), so that a load change on the machine hits every tool alike. Each
process is reaped with ``wait4``: CPU is its user+sys time and that of its children
(assetlint's workers, node's threads), peak memory the largest resident set among them.
The table gives medians; the ratios below it are assetlint's over each peer's, on the
same input. Every command line is printed, so any figure can be rerun by hand.

Peers are found if present and named when missing (nothing is installed from here):

- the Khronos glTF-Validator pinned by CI: ``(cd .ci && npm ci --no-audit --no-fund)``;
- glTF Transform: ``npm install --prefix DIR @gltf-transform/cli`` and ``--node-modules
  DIR/node_modules`` (its ``validate`` runs the same Khronos validator);
- admesh: ``apt-get install -y admesh``;
- usd-core and trimesh from the venv.

assetlint's own bytecode is compiled first, as installing a wheel does: an editable
checkout run with PYTHONDONTWRITEBYTECODE set (as on CI machines) would otherwise compile
every module at each start, about 0.1 s that the peers, installed, never pay.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.meshes import uv_sphere

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ASSETLINT = [PYTHON, "-m", "assetlint", "check"]

# The nearest trimesh equivalent of assetlint's topology checks, per file.
TRIMESH_SCRIPT = r"""
import sys, trimesh
for path in sys.argv[1:]:
    m = trimesh.load(path, force="mesh")
    bodies = len(trimesh.graph.connected_components(m.face_adjacency, min_len=1))
    volume = m.volume if m.is_volume else None
    print(path, len(m.faces), m.is_watertight, m.is_winding_consistent, bodies, volume)
"""

# usd-core opening the stage and reading every mesh's arrays: what any USD tool pays.
USD_SCRIPT = r"""
import sys
from pxr import Usd, UsdGeom
for path in sys.argv[1:]:
    stage = Usd.Stage.Open(path)
    faces = 0
    for prim in stage.Traverse():
        if prim.IsA(UsdGeom.Mesh):
            mesh = UsdGeom.Mesh(prim)
            points = mesh.GetPointsAttr().Get()
            faces += len(mesh.GetFaceVertexCountsAttr().Get())
            mesh.GetFaceVertexIndicesAttr().Get()
    print(path, len(points), faces)
"""

# The npm package has no command line: validateBytes on each file, resources beside it.
VALIDATOR_SCRIPT = r"""
const fs = require('fs'), path = require('path'), v = require('gltf-validator');
(async () => {
  for (const file of process.argv.slice(2)) {
    const r = await v.validateBytes(new Uint8Array(fs.readFileSync(file)), {
      uri: path.basename(file), maxIssues: 1000,
      externalResourceFunction: (u) => new Promise((ok, no) => fs.readFile(
        path.join(path.dirname(file), decodeURIComponent(u)), (e, d) => e ? no(e) : ok(d))),
    });
    console.log(file, r.issues.numErrors, r.issues.numWarnings);
  }
})().catch((e) => { console.error(e); process.exit(2); });
"""

CHECKS = {
    "assetlint": "default rules: glTF structure and load issues, topology (G), image-to-3D "
    "heuristics (H), budgets, scale, orientation, materials, textures",
    "assetlint --target web": "web pack: default + web budgets and orientation (O002)",
    "assetlint --target unity": "unity pack: default + game budgets and orientation (O002)",
    "assetlint --target print": "print pack: topology + printability (self-intersection, "
    "wall thickness, overhangs, build volume)",
    "assetlint warm cache": "the same check, every file answered from the results cache",
    "gltf-validator": "glTF spec: schema, references, accessor data bounds; no topology",
    "gltf-transform validate": "the Khronos validator through glTF Transform's command line",
    "trimesh script": "load, watertight, winding, bodies, volume",
    "admesh": "STL stats: edges, facets, volume, holes, normals (no repair written)",
    "usd-core load": "open the stage, read every mesh's points and indices",
}

LINES = {
    "glb": "{n:,}-triangle textured GLB, UV seams",
    "stl": "same mesh, binary STL",
    "usdc": "same mesh, USDC",
    "folder": "200 small assets (GLB textured, OBJ, STL), -j2",
    "glbs": "the small textured GLBs of that folder alone, -j2",
    "tiny": "one 12-triangle GLB (a pre-commit run)",
}


@dataclass
class Tool:
    line: str
    name: str
    command: list[str] | None  # None: missing
    missing: str = ""
    warm: list[str] | None = None  # run once before timing (primes a cache)
    samples: list[tuple[float, float, float, int]] = field(default_factory=list)
    said: str = ""

    @property
    def ours(self) -> bool:
        return self.name.startswith("assetlint")

    def median(self, i: int) -> float:
        return statistics.median(s[i] for s in self.samples)


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


def usdc(path: Path, triangles: int) -> Path:
    from tests.loaders.make_usd import write_usd

    pos, tris, _ = uv_sphere(triangles, seams=True)
    return write_usd(path, pos, tris, meters_per_unit=1.0, up_axis="Y", fmt="usdc")


def tiny_glb(path: Path) -> Path:
    """A 12-triangle cube."""
    from tests.loaders.make_gltf import write_gltf
    from tests.rules.meshes import cube

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_gltf(path, *cube())


def mixed_folder(folder: Path, count: int = 200) -> Path:
    """``count`` small assets, GLB (with a 256² texture), OBJ and STL in turn, 500 to
    20,000 triangles."""
    from tests.loaders.make_obj import write_obj
    from tests.loaders.make_stl import write_stl

    folder.mkdir(parents=True, exist_ok=True)
    sizes = np.geomspace(500, 20_000, count).astype(int)
    for i, size in enumerate(sizes):
        kind = ("glb", "obj", "stl")[i % 3]
        path = folder / f"asset_{i:03d}.{kind}"
        if kind == "glb":
            textured_glb(path, int(size), texture=256)
            continue
        pos, tris, _ = uv_sphere(int(size), seams=bool(i % 2))
        if kind == "obj":
            write_obj(path, pos, tris)
        else:
            write_stl(path, pos, tris)
    return folder


# --- peers ---------------------------------------------------------------------------------


def _node_env(node_modules: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    paths = [*node_modules, *([env["NODE_PATH"]] if env.get("NODE_PATH") else [])]
    env["NODE_PATH"] = os.pathsep.join(paths)
    return env


def find_tools(node_modules: list[str], scratch: Path) -> dict[str, list[str] | str]:
    """The command prefix of each peer, or why it is missing."""
    found: dict[str, list[str] | str] = {}
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
            found["gltf-validator"] = "gltf-validator not installed: (cd .ci && npm ci)"
    bins = [Path(d) / ".bin" / "gltf-transform" for d in node_modules]
    transform = next((str(b) for b in bins if b.exists()), None) or shutil.which("gltf-transform")
    found["gltf-transform"] = (
        [transform] if transform else "npm install --prefix DIR @gltf-transform/cli"
    )
    admesh = shutil.which("admesh")
    found["admesh"] = [admesh] if admesh else "admesh not installed: apt-get install -y admesh"
    return found


def plan(inputs: dict[str, Path], found: dict[str, list[str] | str], scratch: Path) -> list[Tool]:
    glb, stl, usd, folder, tiny = (inputs[k] for k in ("glb", "stl", "usdc", "folder", "tiny"))
    cold = [*ASSETLINT, "--no-cache"]
    # the folder exists only when its lines were asked for (--only stl makes no folder)
    glbs = sorted(str(p) for p in folder.glob("*.glb"))
    files = sorted(str(p) for p in folder.iterdir()) if folder.is_dir() else []
    trimesh = [PYTHON, "-c", TRIMESH_SCRIPT]

    def peer(key: str, line: str, name: str, args: list[str]) -> Tool:
        cmd = found[key]
        if isinstance(cmd, str):
            return Tool(line, name, None, cmd)
        return Tool(line, name, [*cmd, *args])

    warm_folder = [*ASSETLINT, "-j", "2", "--cache-dir", str(scratch / "cache-folder"), str(folder)]
    warm_tiny = [*ASSETLINT, "--cache-dir", str(scratch / "cache-tiny"), str(tiny)]
    return [
        Tool("glb", "assetlint", [*cold, str(glb)]),
        Tool("glb", "assetlint --target web", [*cold, "--target", "web", str(glb)]),
        Tool("glb", "assetlint --target unity", [*cold, "--target", "unity", str(glb)]),
        peer("gltf-validator", "glb", "gltf-validator", [str(glb)]),
        peer("gltf-transform", "glb", "gltf-transform validate", ["validate", str(glb)]),
        Tool("glb", "trimesh script", [*trimesh, str(glb)]),
        Tool("stl", "assetlint --target print", [*cold, "--target", "print", str(stl)]),
        Tool("stl", "assetlint", [*cold, str(stl)]),
        peer("admesh", "stl", "admesh", [str(stl)]),
        Tool("stl", "trimesh script", [*trimesh, str(stl)]),
        Tool("usdc", "assetlint", [*cold, str(usd)]),
        Tool("usdc", "usd-core load", [PYTHON, "-c", USD_SCRIPT, str(usd)]),
        Tool("folder", "assetlint", [*cold, "-j", "2", str(folder)]),
        Tool("folder", "assetlint warm cache", warm_folder, warm=warm_folder),
        Tool("folder", "trimesh script", [*trimesh, *files]),
        Tool("glbs", "assetlint", [*cold, "-j", "2", *glbs]),
        peer("gltf-validator", "glbs", "gltf-validator", glbs),
        Tool("tiny", "assetlint warm cache", warm_tiny, warm=warm_tiny),
        peer("gltf-validator", "tiny", "gltf-validator", [str(tiny)]),
    ]


# --- timing --------------------------------------------------------------------------------


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[tuple, str]:
    """((wall s, CPU s, peak MB, exit code), last output line) of one whole process: CPU
    is user+sys of it and its children, peak the largest resident set among them (Linux
    ``wait4``)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return (wall, cpu, usage.ru_maxrss / 1024, code), lines[-1] if lines else ""


def measure(
    tools: list[Tool], runs: int, env: dict[str, str], cwd: Path, warm_up: bool = True
) -> None:
    """Each command once to warm up (else only those that prime a cache), then ``runs``
    rounds in turn."""
    ready = [t for t in tools if t.command is not None]
    for tool in ready:
        if warm_up or tool.warm:
            run_once(tool.warm or tool.command, env, cwd)  # type: ignore[arg-type]
    for r in range(runs):
        for tool in ready:
            sample, tool.said = run_once(tool.command, env, cwd)  # type: ignore[arg-type]
            tool.samples.append(sample)
            wall, cpu, peak, code = sample
            print(
                f"  round {r + 1}/{runs} {tool.line:<6} {tool.name:<26} cpu {cpu:7.2f} s "
                f"wall {wall:7.2f} s {peak:7.0f} MB exit {code}",
                file=sys.stderr,
            )


def report(tools: list[Tool], runs: int, triangles: int) -> str:
    out = [
        f"Medians of {runs} round-robin runs; CPU = user+sys of the process and its children,"
        " peak = largest resident set (ru_maxrss).",
        "",
        "| Input | Tool | CPU s | Wall s | Peak MB | What it checked |",
        "|---|---|---:|---:|---:|---|",
    ]
    for tool in tools:
        label = LINES[tool.line].format(n=triangles)
        if tool.command is None:
            out.append(f"| {label} | {tool.name} | missing | | | {tool.missing} |")
            continue
        cpu, wall, peak = tool.median(1), tool.median(0), tool.median(2)
        out.append(
            f"| {label} | {tool.name} | {cpu:.2f} | {wall:.2f} | {peak:.0f} | {CHECKS[tool.name]} |"
        )
    out += ["", "| Input | assetlint | Peer | CPU ratio | Wall ratio | Memory ratio |"]
    out += ["|---|---|---|---:|---:|---:|"]
    for ours in tools:
        if not ours.ours or ours.command is None:
            continue
        for peer in tools:
            if peer.line != ours.line or peer.ours or peer.command is None:
                continue
            ratios = [ours.median(i) / max(peer.median(i), 1e-9) for i in (1, 0, 2)]
            out.append(
                f"| {LINES[ours.line].format(n=triangles)} | {ours.name} | {peer.name} | "
                + " | ".join(f"{r:.2f}×" for r in ratios)
                + " |"
            )
    out += ["", "Commands (in the scratch folder):", ""]
    for tool in tools:
        if tool.command is not None:
            shown = shlex.join(tool.command)
            shown = shown if len(shown) <= 400 else shown[:400] + "…"
            out.append(f"- {tool.line} / {tool.name}: `{shown}`")
            out.append(f"  last output line: {tool.said[:160]}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--count", type=int, default=200, help="small assets in the folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--node-modules",
        action="append",
        default=[str(ROOT / ".ci" / "node_modules")],
        help="node_modules folders holding the npm peers (.ci/node_modules is always looked at)",
    )
    parser.add_argument("--only", choices=sorted(LINES), action="append", help="lines to run")
    parser.add_argument("--keep", help="generate the inputs in this folder and keep them")
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="skip the untimed first run of each command (the caches are still primed)",
    )
    ns = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "assetlint", quiet=1)
    env = _node_env(ns.node_modules)
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory(prefix="assetlint-peers-") as tmp:
        scratch = Path(ns.keep or tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        inputs = _inputs(scratch, ns.triangles, ns.count, ns.only)
        print(f"inputs generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        found = find_tools(ns.node_modules, scratch)
        for key, value in found.items():
            if isinstance(value, str):
                print(f"missing: {key}: {value}", file=sys.stderr)
        tools = [t for t in plan(inputs, found, scratch) if not ns.only or t.line in ns.only]
        measure(tools, ns.runs, env, scratch, warm_up=not ns.no_warm_up)
        sys.stdout.write(report(tools, ns.runs, ns.triangles))
    return 0


def _inputs(scratch: Path, triangles: int, count: int, only: list[str] | None) -> dict[str, Path]:
    """The input of every line (generated when its line runs, reused when already there)."""
    wanted = set(only or LINES)
    paths = {
        "glb": scratch / "sphere.glb",
        "stl": scratch / "sphere.stl",
        "usdc": scratch / "sphere.usdc",
        "folder": scratch / "mixed",
        "tiny": scratch / "tiny" / "box.glb",
    }
    paths["glbs"] = paths["folder"]
    makers = {
        "glb": lambda p: textured_glb(p, triangles),
        "stl": lambda p: binary_stl(p, triangles),
        "usdc": lambda p: usdc(p, triangles),
        "folder": lambda p: mixed_folder(p, count),
        "glbs": lambda p: mixed_folder(p, count),
        "tiny": tiny_glb,
    }
    for line in LINES:
        if line in wanted and not paths[line].exists():
            makers[line](paths[line])
    return paths


if __name__ == "__main__":
    sys.exit(main())
