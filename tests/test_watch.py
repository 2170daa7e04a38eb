"""`assetlint watch`: files dropped into a watched folder are linted once they stop
changing, a model's late buffer is waited for, reports go to stdout or --output-dir, and
the watched folder is never written."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

from assetlint.cli import main
from tests.rules.meshes import cube

ROOT = Path(__file__).resolve().parents[1]


def obj_text(positions, triangles) -> str:
    lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in triangles]
    return "\n".join(lines) + "\n"


def triangle_gltf(bin_name: str) -> tuple[str, bytes]:
    """A one-triangle glTF whose buffer is the external file ``bin_name``."""
    data = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    doc = {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"name": "tri", "primitives": [{"attributes": {"POSITION": 0}}]}],
        "accessors": [
            {
                "bufferView": 0,
                "componentType": 5126,
                "count": 3,
                "type": "VEC3",
                "min": [0, 0, 0],
                "max": [1, 1, 0],
            }
        ],
        "bufferViews": [{"buffer": 0, "byteLength": 36}],
        "buffers": [{"byteLength": 36, "uri": bin_name}],
    }
    return json.dumps(doc), data


def start_watch(folder: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assetlint", "watch", str(folder), "--settle", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    ready = proc.stderr.readline()  # printed once the observer runs
    assert ready.startswith(f"watching {folder} (checked against: default;"), ready
    return proc


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def test_dropped_files_are_linted_once_complete_and_never_touched(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    proc = start_watch(drop, "--max-reports", "2", "--duration", "90")
    pos, tris = cube()
    text = obj_text(pos, tris)
    chair = drop / "chair.obj"
    with chair.open("w") as out:  # an upload in two pieces: linted once, complete
        out.write(text[: len(text) // 2])
        out.flush()
        time.sleep(0.2)
        out.write(text[len(text) // 2 :])
    gltf, buffer = triangle_gltf("tri.bin")
    (drop / "tri.gltf").write_text(gltf)  # the model first, its buffer a moment later
    time.sleep(0.2)
    (drop / "tri.bin").write_bytes(buffer)
    before = snapshot(drop)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    summaries = [line for line in lines if "checked against: default." in line]
    assert len(summaries) == 2  # one report per file, not one per write
    assert lines[0] == (
        "All checks passed! 1 file checked against: default. 2 info findings not shown "
        "(--show-info)."
    )
    assert not any("L002" in line or "L001" in line for line in lines)  # tri.bin was waited for
    assert any(line.startswith(f"{drop / 'tri.gltf'}: G003 (warning) tri:") for line in lines)
    assert snapshot(drop) == before  # nothing written or touched in the watched folder
    assert not (drop / ".assetlint_cache").exists()


def test_reports_can_go_to_a_folder_outside_the_watched_one(tmp_path):
    drop, reports = tmp_path / "drop", tmp_path / "reports"
    (drop / "props").mkdir(parents=True)
    proc = start_watch(
        drop, "--max-reports", "1", "--duration", "90", "--format", "json", "--output-dir",
        str(reports),
    )  # fmt: skip
    pos, tris = cube()
    (drop / "props" / "box.obj").write_text(obj_text(pos, tris[2:]))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and out == ""
    doc = json.loads((reports / "props" / "box.obj.json").read_text())
    assert [f["code"] for f in doc["findings"] if f["severity"] != "info"] == ["G003"]
    assert doc["targets"] == ["default"]


def test_watch_usage_errors(tmp_path, capsys):
    assert main(["watch", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["watch", str(tmp_path), "--output-dir", str(tmp_path / "r")]) == 2
    assert "is inside" in capsys.readouterr().err
    assert main(["watch", str(tmp_path), "--settle", "-1"]) == 2


def test_a_symlink_leading_out_of_the_folder_is_not_linted(tmp_path):
    drop, outside, reports = tmp_path / "drop", tmp_path / "outside", tmp_path / "reports"
    drop.mkdir()
    outside.mkdir()
    pos, tris = cube()
    (outside / "secret.obj").write_text(obj_text(pos, tris))
    proc = start_watch(
        drop, "--max-reports", "1", "--duration", "60", "--output-dir", str(reports)
    )  # fmt: skip
    (drop / "link.obj").symlink_to(outside / "secret.obj")
    time.sleep(0.5)
    (drop / "box.obj").write_text(obj_text(pos, tris))
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert f"error: {drop / 'link.obj'}: a symlink that leads out of {drop}; not linted" in err
    assert sorted(p.name for p in reports.iterdir()) == ["box.obj.txt"]
