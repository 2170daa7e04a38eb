"""Assets built in code for the target-pack rules (B, S, O, M, T), and a way to run one
rule with chosen parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assetlint.engine import Engine
from assetlint.findings import Finding
from assetlint.model import Asset, Material, Mesh, Node, Texture, TextureSlot, single_node_scene
from assetlint.rules import RuleContext
from tests.rules.meshes import cube


def engine() -> Engine:
    """The built-in rules, without installed third-party packs."""
    return Engine.default(entry_points=False)


ENGINE = engine()


def run(module, code: str, asset: Asset, **params) -> list[Finding]:
    """The findings of one rule at its defaults overridden by ``params``."""
    rule = next(r for r in module.group.rules if r.code == code)
    unknown = set(params) - set(rule.params)
    assert not unknown, f"{code} has no parameters {unknown}"
    resolved = ENGINE.resolve_params(rule, {code: params})  # with what it shares (S001: S006's)
    ctx = RuleContext(rule=rule, path=str(asset.path), params=resolved, severity=rule.severity)
    return list(rule.check(asset, ctx))


def messages(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings]


def make_asset(
    *meshes: Mesh,
    fmt: str = "glb",
    file_size: int = 0,
    mpu: float | None = 1.0,
    path: str = "asset.glb",
) -> Asset:
    """An asset with one identity node per mesh."""
    asset = Asset(path=Path(path), format=fmt, file_size=file_size, meshes=list(meshes))
    asset.authored.meters_per_unit = mpu
    single_node_scene(asset)
    return asset


def box(size=(1.0, 1.0, 1.0), offset=(0.0, 0.0, 0.0), name: str = "box") -> Mesh:
    """A closed, outward-wound box from ``offset`` to ``offset + size``."""
    pos, tris = cube()
    pos = pos.astype(np.float64) * np.asarray(size) + np.asarray(offset)
    return Mesh(name, pos, tris)


def merged(*meshes: Mesh, name: str = "merged") -> Mesh:
    """One mesh from several (positions and triangles only)."""
    pos, tris, base = [], [], 0
    for m in meshes:
        pos.append(m.positions)
        tris.append(m.triangles + base)
        base += m.vertex_count
    return Mesh(name, np.vstack(pos), np.vstack(tris))


def triangles(count: int, name: str = "tris") -> Mesh:
    """``count`` triangles over three vertices: cheap bulk for counting rules."""
    return Mesh(name, np.eye(3), np.tile([0, 1, 2], (count, 1)))


def vertices(count: int, name: str = "verts") -> Mesh:
    """A mesh with ``count`` vertices and one triangle."""
    pos = np.zeros((count, 3))
    pos[:3] = np.eye(3)
    return Mesh(name, pos, [[0, 1, 2]])


def texture(
    name: str,
    width: int | None = 1024,
    height: int | None = 1024,
    mime: str | None = "image/png",
    source: str = "embedded",
    uri: str | None = None,
    byte_size: int | None = None,
) -> Texture:
    return Texture(
        name=name,
        source=source,
        uri=uri,
        mime_type=mime,
        width=width,
        height=height,
        byte_size=byte_size,
    )


def textured(name: str, base: int, normal: int | None = None, uv_set: int = 0) -> Material:
    """A material sampling texture ``base`` (and ``normal``) through ``uv_set``."""
    slots = {"base_color": TextureSlot(base, uv_set)}
    if normal is not None:
        slots["normal"] = TextureSlot(normal, uv_set)
    return Material(name=name, textures=slots)


def quad_uv_mesh(
    uv_quads: list[list[tuple[float, float]]], uv_set: int = 0, materials: int = 0
) -> Mesh:
    """One unit quad per entry (side by side in x), mapped to the given UV corners, each
    split along its first-to-third diagonal; every UV set up to ``uv_set`` gets the same
    coordinates."""
    pos, tris, uvs = [], [], []
    for i, corners in enumerate(uv_quads):
        base = 4 * i
        pos += [(i, 0, 0), (i + 1, 0, 0), (i + 1, 1, 0), (i, 1, 0)]
        tris += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
        uvs += corners
    uv = np.asarray(uvs, dtype=np.float32)
    mesh = Mesh(
        "quads",
        np.asarray(pos, dtype=np.float64),
        np.asarray(tris),
        uvs=[uv.copy() for _ in range(uv_set + 1)],
        material_indices=np.full(len(tris), materials),
    )
    return mesh


def instance(asset: Asset, mesh_index: int, world: np.ndarray, name: str = "instance") -> None:
    """Add a node drawing mesh ``mesh_index`` with transform ``world``."""
    asset.nodes.append(Node(name=name, local=world, world=world, mesh=mesh_index))


def translation(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = (x, y, z)
    return m
