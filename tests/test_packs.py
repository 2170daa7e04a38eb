"""The built-in target packs: each loads, names only installed rules, sources every number,
and each of its thresholds holds exactly at the limit and fails just past it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from assetlint.model import Material, Mesh
from assetlint.rules.budgets import MB
from assetlint.targets import (
    README_END,
    README_START,
    ResolvedTarget,
    all_targets,
    builtin_pack_dir,
    discover,
    load_pack_file,
    readme_block,
    resolve_pack,
    run_target,
    unsourced_numbers,
)
from tests.rules.pack_assets import (
    box,
    instance,
    make_asset,
    quad_uv_mesh,
    texture,
    textured,
    translation,
    triangles,
    vertices,
)
from tests.rules.pack_assets import engine as make_engine

ROOT = Path(__file__).resolve().parents[1]
ENGINE = make_engine()
PACK_FILES = sorted(builtin_pack_dir().glob("*.toml"))
TARGETS = {t.name: t for t in all_targets(ENGINE)}

REQUIRED = {
    "game",
    "game-mobile",
    "game-pc",
    "unity",
    "unreal",
    "godot",
    "roblox",
    "web",
    "ecommerce",
    "print",
}


def test_the_issue_s_packs_exist():
    assert REQUIRED <= set(TARGETS)


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.stem)
def test_pack_file(path):
    pack = load_pack_file(path)
    assert pack.name == path.stem
    assert pack.description
    assert unsourced_numbers(path.read_text(encoding="utf-8")) == []
    target = TARGETS[pack.name]  # resolving checked every selector against the rules
    assert set(target.select) <= set(ENGINE.rules)
    for selector in pack.rules:  # every table configures something the pack runs
        assert any(code.startswith(selector) for code in target.select), selector


def test_every_pack_resolves_in_a_fresh_discovery():
    packs = discover(ENGINE.pm)
    for name in packs:
        assert resolve_pack(name, packs, ENGINE).name == name


def test_readme_table_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    assert 0 <= start < end, "README.md lacks the targets block"
    assert text[start : end + len(README_END)] == readme_block(ENGINE), (
        "README targets table is stale: run python -m assetlint.targets --update-readme"
    )


# --- every threshold, at the limit and just past it -------------------------------------


def _cube(size: float):
    return make_asset(box((size, size, size)))


def _instances(n: int):
    asset = make_asset(triangles(1))
    for i in range(1, n):
        instance(asset, 0, translation(x=i))
    return asset


def _slots(n: int):
    mesh = triangles(n)
    mesh.material_indices = np.arange(n, dtype=np.int32)
    asset = make_asset(mesh)
    asset.materials = [Material(f"m{i}") for i in range(n)]
    return asset


def _textures(n: int):
    asset = make_asset(triangles(1))
    asset.textures = [texture(f"t{i}") for i in range(n)]
    asset.materials = [textured(f"m{i}", i) for i in range(n)]
    return asset


def _bones(n: int):
    mesh = triangles(1)
    mesh.bone_count = n
    return make_asset(mesh)


def _influences(n: int):
    mesh = triangles(1)
    mesh.max_influences = n
    return make_asset(mesh)


def _file(size: int):
    return make_asset(triangles(1), file_size=size)


def _wide_texture(width: int):
    asset = make_asset(triangles(1))
    asset.textures = [texture("t", width, 1)]
    asset.materials = [textured("m", 0)]
    return asset


def _uv_reach(u_max: float):
    quad = [(u_max - 0.5, 0.0), (u_max, 0.0), (u_max, 0.5), (u_max - 0.5, 0.5)]
    asset = make_asset(quad_uv_mesh([quad]))
    asset.textures = [texture("t")]
    asset.materials = [textured("m", 0)]
    return asset


def _slab(thickness: float):
    return make_asset(box((0.02, thickness, 0.02)))


def _tilt(degrees: float):
    a = np.radians(degrees)
    p0 = np.array([0.0, 0.01, 0.0])
    face = [p0, p0 + [0.01, 0.0, 0.0], p0 + [0.0, 0.01 * np.cos(a), 0.01 * np.sin(a)]]
    bed = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.01], [0.01, 0.0, 0.0]]
    return make_asset(Mesh("faces", np.array(face + bed), [[0, 1, 2], [3, 4, 5]]))


def _volume(dims_mm):
    w, d, h = dims_mm  # bed x, bed y, height
    return make_asset(box((w / 1000, h / 1000, d / 1000)))


def at_and_past(code: str, key: str, limit, target: ResolvedTarget):
    """An asset exactly at ``limit`` and one just past it, for (code, key)."""
    n = limit
    if key in ("max_triangles",):
        return make_asset(triangles(n)), make_asset(triangles(n + 1))
    if key == "max_vertices":
        return make_asset(vertices(n)), make_asset(vertices(n + 1))
    if key == "max_materials":
        return _slots(n), _slots(n + 1)
    if key == "max_draw_calls":
        return _instances(n), _instances(n + 1)
    if key == "max_bones":
        return _bones(n), _bones(n + 1)
    if key == "max_influences":
        return _influences(n), _influences(n + 1)
    if key == "max_textures":
        return _textures(n), _textures(n + 1)
    if (code, key) == ("B008", "max_mb"):
        return _file(round(limit * MB)), _file(round(limit * MB) + 1)
    if (code, key) == ("B010", "max_mb"):
        bpp = target.param("B010", "bytes_per_pixel", ENGINE.rules)
        per_pixel = bpp * (4 / 3 if target.param("B010", "mipmaps", ENGINE.rules) else 1)
        width = math.floor(limit * MB / per_pixel)
        return _wide_texture(width), _wide_texture(width + 1)
    if key == "max_size" and code == "T004":
        return _wide_texture(n), _wide_texture(n + 1)
    if key == "max_outside":
        return _uv_reach(1.0 + limit), _uv_reach(1.0 + limit + 0.001)
    if key == "max_size":
        return _cube(limit), _cube(limit * 1.001)
    if key == "min_size":
        return _cube(limit), _cube(limit * 0.999)
    if key == "build_volume_mm":
        return _volume(limit), _volume([limit[0], limit[1], limit[2] + 0.1])
    if key == "min_thickness":
        return _slab(limit * 1.1), _slab(limit * 0.9)
    if key == "max_angle":
        return _tilt(limit - 0.1), _tilt(limit + 0.1)
    raise AssertionError(f"no test asset for {code}.{key}")


NOT_THRESHOLDS = {("T009", "uv_set")}  # which UV set, not a limit


def thresholds():
    for name, target in sorted(TARGETS.items()):
        for code, params in sorted(target.params.items()):
            for key, value in sorted(params.items()):
                items = value if isinstance(value, list) else [value]
                numeric = all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in items
                )
                if numeric and (code, key) not in NOT_THRESHOLDS:
                    yield pytest.param(name, code, key, value, id=f"{name}-{code}-{key}")


@pytest.mark.parametrize(("name", "code", "key", "limit"), list(thresholds()))
def test_threshold_holds_at_the_limit_and_fails_past_it(name, code, key, limit):
    target = TARGETS[name]
    inside, outside = at_and_past(code, key, limit, target)
    assert run_target(ENGINE, inside, target, select=[code]) == []
    findings = run_target(ENGINE, outside, target, select=[code])
    if code in ("S001", "S002"):  # a size just past the range: one of the two reports it
        findings += run_target(
            ENGINE, outside, target, select=["S002" if code == "S001" else "S001"]
        )
    assert len(findings) == 1, [f.message for f in findings]
    severity = target.severities.get(code, ENGINE.rules[code].severity)
    assert findings[0].severity in (severity, "info")
