"""Hostile inputs written in code: what an attacker (or a broken pipeline) puts in a folder
that assetlint lints. Each writer makes its files in a folder and returns the asset to lint;
none needs the shared corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.loaders.make_gltf import RED_PNG, GltfBuilder
from tests.rules.meshes import cube


def textured_gltf(folder: Path, name: str, image_uri: str, holes: bool = False) -> Path:
    """A glTF cube whose base colour image is ``image_uri``; ``holes``: two faces gone."""
    pos, tris = cube()
    tris = tris[2:] if holes else tris
    b = GltfBuilder()
    image = b.add("images", {"uri": image_uri})
    texture = b.add("textures", {"source": image})
    material = b.add(
        "materials", {"pbrMetallicRoughness": {"baseColorTexture": {"index": texture}}}
    )
    prim = b.primitive(pos, tris, material=material, TEXCOORD_0=pos[:, :2].copy())
    b.scene([b.node(mesh=b.mesh(prim))])
    return b.write(folder / f"{name}.gltf", binary=False)


def good_obj(folder: Path, name: str, flipped: bool = False) -> Path:
    """A closed cube (no finding) or, ``flipped``, one with a reversed triangle (G004)."""
    pos, tris = cube()
    if flipped:
        tris = tris.copy()
        tris[0] = tris[0][::-1]
    lines = [f"v {x:.1f} {y:.1f} {z:.1f}" for x, y, z in pos]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in tris]
    path = folder / f"{name}.obj"
    path.write_text("\n".join(lines) + "\n")
    return path


def nested_json_gltf(folder: Path, depth: int = 1000) -> Path:
    """2 KB of glTF: an ``extras`` of ``depth`` nested arrays (Python's json recurses)."""
    path = folder / "nested.gltf"
    path.write_text('{"asset": {"version": "2.0"}, "extras": ' + "[" * depth + "]" * depth + "}")
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def write_red_png(path: Path) -> Path:
    path.write_bytes(RED_PNG)
    return path


def run_cli(args: list[str], cwd: Path, timeout: float = 120, **env: str):
    """`assetlint ARGS` in a fresh process, its address space capped at 3 GiB (a read that
    grows without end fails there instead of swapping the machine)."""

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run(
        [sys.executable, "-m", "assetlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        env={**os.environ, **env},
    )


def findings(stdout: str) -> dict[str, list[str]]:
    """file name -> codes, from `check --format json` output."""
    data = json.loads(stdout)
    out: dict[str, list[str]] = {}
    for f in data["findings"] if isinstance(data, dict) else data:
        out.setdefault(Path(f["path"]).name, []).append(f["code"])
    return out
