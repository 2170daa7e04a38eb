"""The results cache (on by default) under hostile folders and a damaged cache: the main
process opens no asset and no reference, a FIFO or /dev/zero named anywhere costs nothing,
deep JSON is a finding, content changes are seen whatever the mtime says, and a broken
cache is one warning, never a traceback (issue 22 items 1, 2, 6, 7; issue 19 item 4)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from assetlint import batch
from assetlint.cli import main
from assetlint.loaders import _isolated, load, usd
from tests.hostile.cases import (
    fifo,
    findings,
    good_obj,
    nested_json_gltf,
    run_cli,
    textured_gltf,
    write_red_png,
)
from tests.loaders.make_fbx import write_fbx
from tests.loaders.make_usd import write_text
from tests.rules.meshes import cube

PLAN = batch.Plan(select=("G", "L", "T"))


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    (tmp_path / "assets").mkdir()
    monkeypatch.chdir(tmp_path / "assets")
    return tmp_path / "assets"


def test_a_reference_to_dev_zero_or_outside_is_refused_with_the_cache_on(folder):
    """`../../../../dev/zero` as an image: was MemoryError in the main process (exit 1, no
    result for any file); now L006 for that file and the good one's findings."""
    textured_gltf(folder, "zero", "../../../../../../../../dev/zero")
    good_obj(folder, "good", flipped=True)
    done = run_cli(["check", "--format", "json", "--select", "G004,L006", "."], folder, 60)
    assert done.returncode == 1, done.stderr
    assert findings(done.stdout) == {"zero.gltf": ["L006"], "good.obj": ["G004"]}


def test_fifos_as_image_and_as_asset_never_block_the_run(folder):
    """A FIFO named as an image, and one named .glb: the run used to hang for ever
    (the cache hashed them in the main process). Neither is opened now."""
    textured_gltf(folder, "piped", "pipe.png")
    fifo(folder / "pipe.png")
    fifo(folder / "trap.glb")
    good_obj(folder, "good", flipped=True)
    start = time.monotonic()
    done = run_cli(
        ["check", "--format", "json", "--select", "G004,L", "--timeout", "20", "."], folder, 60
    )
    assert time.monotonic() - start < 40
    found = findings(done.stdout)
    assert found["good.obj"] == ["G004"]
    assert "L001" in found["trap.glb"] and "L002" in found["piped.gltf"]
    assert "FIFO" in done.stdout


def test_many_mtllib_lines_finish_within_the_time_limit(folder):
    """200,000 `mtllib` lines: more than 150 s in the main process despite --timeout 5."""
    path = good_obj(folder, "libs")
    path.write_text("mtllib a.mtl\n" * 200_000 + path.read_text())
    (folder / "a.mtl").write_text("newmtl m\n")
    start = time.monotonic()
    done = run_cli(["check", "--timeout", "5", "--select", "G004", "."], folder, 60)
    assert time.monotonic() - start < 30
    assert done.returncode == 0, done.stdout + done.stderr


def test_deeply_nested_json_is_a_load_finding_not_a_crash(folder):
    """1,000 nested arrays in 2 KB of glTF: RecursionError in the cache's dependency
    listing, exit 1 and nothing printed for any file; now L001 for that file."""
    nested_json_gltf(folder)
    good_obj(folder, "good", flipped=True)
    done = run_cli(["check", "--format", "json", "--select", "G004,L001", "."], folder, 60)
    assert done.returncode == 2, done.stderr
    assert findings(done.stdout) == {"good.obj": ["G004"], "nested.gltf": ["L001"]}
    assert "Traceback" not in done.stderr


def test_a_content_change_that_keeps_size_and_mtime_is_seen(folder):
    """`cp -p`, tar and rsync keep size and mtime: the cache used to return the old
    result (G005 for a flipped triangle fixed since)."""
    path = good_obj(folder, "cube", flipped=True)
    other = good_obj(folder / "..", "fixed")
    stamp = path.stat()
    args = ["check", "--format", "json", "--select", "G004", "--cache-dir", "../c", "."]
    assert main(args) == 1
    shutil.copyfile(other, path)
    assert path.stat().st_size == stamp.st_size  # same size, by construction
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert main(args) == 0


@pytest.mark.parametrize(
    "damage",
    ["dependencies-a-number", "entry-a-folder", "entry-not-json", "cache-dir-a-file"],
)
def test_a_damaged_cache_is_one_warning_and_the_run_goes_on(folder, capsys, damage):
    good_obj(folder, "a", flipped=True)
    other = good_obj(folder, "b", flipped=True)
    other.write_text(other.read_text() + "# another file\n")
    cache = folder.parent / "c"
    args = ["check", "--select", "G004", "--cache-dir", str(cache), "."]
    if damage == "cache-dir-a-file":
        cache.write_text("not a folder")
    else:
        assert main(args) == 1
        capsys.readouterr()
        entries = sorted(cache.glob("*/*.json"))
        assert len(entries) == 2
        for entry in entries:
            if damage == "dependencies-a-number":
                data = json.loads(entry.read_text())
                data["dependencies"] = 7
                entry.write_text(json.dumps(data))
            elif damage == "entry-a-folder":
                entry.unlink()
                entry.mkdir()
            else:
                entry.write_text("[" * 100_000)
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == ["a.obj", "b.obj"]
    assert len(err.splitlines()) == 1 and err.startswith("warning: "), err
    if damage in ("dependencies-a-number", "entry-not-json"):  # rebuilt: no warning now
        assert main(args) == 1
        assert capsys.readouterr().err == ""


def test_asset_dependencies_are_what_each_loader_resolved(tmp_path):
    """glTF buffers and images, OBJ .mtl and maps, every USD layer at any depth and its
    textures, FBX external textures: found or missing (adding one changes the result)."""
    gltf = textured_gltf(tmp_path, "g", "tex/base%20color.png")
    assert load(gltf).dependencies == [tmp_path / "tex/base color.png"]
    pos, tris = cube()
    obj = good_obj(tmp_path, "o")
    obj.write_text("mtllib o.mtl\n" + obj.read_text())
    (tmp_path / "o.mtl").write_text("newmtl m\nmap_Kd o.png\nbump o_n.png\n")
    write_red_png(tmp_path / "o.png")
    assert load(obj).dependencies == [tmp_path / n for n in ("o.mtl", "o.png", "o_n.png")]
    write_text(tmp_path / "root.usda", "#usda 1.0\n(\n    subLayers = [@layers/a.usda@]\n)\n")
    write_text(tmp_path / "layers/a.usda", "#usda 1.0\n(\n    subLayers = [@b.usda@]\n)\n")
    write_text(tmp_path / "layers/b.usda", DEEP_LAYER)
    assert load(tmp_path / "root.usda").dependencies == [
        tmp_path / "layers" / n for n in ("a.usda", "b.usda", "deep.png")
    ]
    texture = {"relative": "f.png", "absolute": "f.png", "content": None}
    write_fbx(tmp_path / "f.fbx", pos, tris, materials=["m"], texture=texture)
    assert load(tmp_path / "f.fbx").dependencies == [tmp_path / "f.png"]


DEEP_LAYER = """#usda 1.0
def Mesh "Tri" (prepend apiSchemas = ["MaterialBindingAPI"])
{
    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]
    int[] faceVertexCounts = [3]
    int[] faceVertexIndices = [0, 1, 2]
    texCoord2f[] primvars:st = [(0, 0), (1, 0), (0, 1)] (interpolation = "vertex")
    rel material:binding = </Look>
}
def Material "Look"
{
    token outputs:surface.connect = </Look/Surface.outputs:surface>
    def Shader "Surface"
    {
        uniform token info:id = "UsdPreviewSurface"
        color3f inputs:diffuseColor.connect = </Look/Tex.outputs:rgb>
        token outputs:surface
    }
    def Shader "Tex"
    {
        uniform token info:id = "UsdUVTexture"
        asset inputs:file = @deep.png@
        float3 outputs:rgb
    }
}
"""


def test_a_texture_added_beside_a_sub_sub_layer_invalidates_the_cache(folder):
    """Issue 19: the cache followed one level of USD references, so adding the texture a
    sublayer's sublayer names kept reporting it missing."""
    write_text(folder / "root.usda", "#usda 1.0\n(\n    subLayers = [@layers/a.usda@]\n)\n")
    write_text(folder / "layers/a.usda", "#usda 1.0\n(\n    subLayers = [@b.usda@]\n)\n")
    write_text(folder / "layers/b.usda", DEEP_LAYER)
    cache = batch.Cache(folder.parent / "c")
    jobs = [(str(folder / "root.usda"), batch.Plan(select=("T001",)))]
    first = batch.run(jobs, processes=1, cache=cache)[0]
    assert [f.code for f in first.findings] == ["T001"]
    assert batch.run(jobs, processes=1, cache=cache)[0].cached
    write_red_png(folder / "layers/deep.png")
    again = batch.run(jobs, processes=1, cache=cache)[0]
    assert not again.cached and again.findings == []


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("hang", "USD reader timed out after 1 s"),
        ("crash", "USD reader crashed (signal 11, SIGSEGV)"),
    ],
)
def test_a_reader_timeout_or_crash_is_retried_on_the_next_run(folder, monkeypatch, fault, message):
    """A USD reader past its time limit was cached as L001 "unreadable" for good."""
    write_text(folder / "slow.usda", DEEP_LAYER)
    cache = batch.Cache(folder.parent / "c")
    jobs = [(str(folder / "slow.usda"), batch.Plan(select=("L001",)))]
    monkeypatch.setenv(_isolated.FAULT_ENV, fault)
    monkeypatch.setattr(usd, "TIMEOUT_S", 1.0)
    first = batch.run(jobs, processes=1, cache=cache)[0]
    assert [(f.code, f.message) for f in first.findings] == [("L001", message)]
    monkeypatch.delenv(_isolated.FAULT_ENV)
    second = batch.run(jobs, processes=1, cache=cache)[0]
    assert not second.cached and second.findings == []
    assert batch.run(jobs, processes=1, cache=cache)[0].cached
