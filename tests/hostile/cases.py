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


def run_cli(
    args: list[str], cwd: Path, timeout: float = 120, strace: list[str] | None = None, **env: str
):
    """`assetlint ARGS` in a fresh process, its address space capped at 3 GiB (a read that
    grows without end fails there instead of swapping the machine); under ``strace`` with
    those options when given."""

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    prefix = ["strace", *strace] if strace is not None else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "assetlint", *args],
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


def outside_secret(folder: Path) -> Path:
    """A file outside the linted folder whose bytes must never reach a report."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / "secret.obj"
    secret.write_text("v 0 0 0\nSECRET-TOKEN-42 not an obj line\nf 1 1 1\n")
    return secret


def write_hostile_batch(folder: Path, secret: Path) -> list[str]:
    """A folder of hostile assets (each a case of issue 22), beside which nothing may be
    read; the names written."""
    import struct

    from tests.hostile.test_textures import png_header
    from tests.loaders.make_usd import write_text

    folder.mkdir(parents=True, exist_ok=True)
    textured_gltf(folder, "zero", "../../../../../../../../dev/zero")
    textured_gltf(folder, "piped", "pipe.png")
    fifo(folder / "pipe.png")
    fifo(folder / "trap.glb")
    nested_json_gltf(folder)
    libs = good_obj(folder, "libs")
    libs.write_text("mtllib libs.mtl\n" * 200_000 + libs.read_text())
    (folder / "libs.mtl").write_text("newmtl m\n")
    (folder / "big.png").write_bytes(png_header(50_000, 50_000))
    textured_gltf(folder, "bomb", "big.png", holes=True)
    pos, tris = cube()
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(pos, tris)))])
    b.doc["scenes"][0]["nodes"] = [0] * 200_000
    b.write(folder / "nodes.glb")
    (folder / "empty.stl").write_bytes(b"\0" * 80 + struct.pack("<I", 0))
    os.symlink(secret, folder / "link.obj")
    os.symlink(secret, folder / "linked_tex.png")
    textured_gltf(folder, "via_link", "linked_tex.png")
    textured_gltf(folder, "absolute", str(secret))
    textured_gltf(folder, "file_url", secret.as_uri())
    textured_gltf(folder, "network", "http://127.0.0.1:9/x.png")
    textured_gltf(folder, "dotdot", "../" * 8 + "etc/passwd")
    refs = good_obj(folder, "refs")
    refs.write_text(f"mtllib ../../../../../../etc/passwd\nmtllib {secret}\n" + refs.read_text())
    write_text(
        folder / "layers.usda",
        "#usda 1.0\n(\n    subLayers = [@../../../../../../etc/passwd@, "
        f"@{secret}@, @http://127.0.0.1:9/x.usda@]\n)\n"
        'def "Ref" (prepend references = @../../../../../../etc/hosts@)\n{\n}\n',
    )
    count = GltfBuilder()
    prim = count.primitive(pos, tris)
    count.doc.setdefault("accessors", [])
    count.scene([count.node(mesh=count.mesh(prim))])
    count.doc["accessors"][0]["count"] = 2**31 - 1
    count.write(folder / "count.glb")
    return sorted(p.name for p in folder.iterdir())
