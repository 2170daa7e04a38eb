"""The command line as a CI gate: wrong paths are usage errors, no target means the default
pack (and says so), and ruff's everyday flags (--version, --exit-zero, --statistics,
--quiet, colour, validated numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetlint import __version__
from assetlint.cli import main
from assetlint.engine import Engine
from assetlint.targets import all_targets
from tests.rules.meshes import cube
from tests.test_cli import write_obj

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
FOX = SHARED / "gltf-samples" / "Fox" / "Fox.glb"
needs_corpus = pytest.mark.skipif(not FOX.is_file(), reason="../shared/corpus not present")


@pytest.fixture(autouse=True)
def _own_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def models(tmp_path) -> Path:
    """Three OBJ cubes, one with a hole (a G003 warning)."""
    folder = tmp_path / "models"
    folder.mkdir()
    pos, tris = cube()
    write_obj(folder / "a.obj", pos, tris)
    write_obj(folder / "b.obj", pos, tris)
    write_obj(folder / "open.obj", pos, tris[[i for i in range(12) if i not in (0, 6)]])
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- paths ---------------------------------------------------------------------------


def test_a_missing_path_is_a_usage_error_and_nothing_passes(capsys, models):
    code, out, err = run(capsys, "check", str(models), "modles/")
    assert code == 2
    assert out == ""
    assert err == "error: modles/: no such file or folder\n"


def test_a_folder_without_assets_is_a_usage_error_unless_allowed(capsys, tmp_path):
    (tmp_path / "textures").mkdir()
    (tmp_path / "textures" / "wood.png").write_bytes(b"\x89PNG")
    code, out, err = run(capsys, "check", "textures")
    assert code == 2 and out == ""
    assert err.startswith("error: textures: no assets in this folder (.fbx, .glb, .gltf,")
    assert "--allow-empty" in err
    code, out, _ = run(capsys, "check", "--allow-empty", "textures")
    assert code == 0
    assert out == "All checks passed! 0 files checked against: default.\n"


# --- the default pack ----------------------------------------------------------------


def test_the_default_pack_is_the_rules_for_every_destination_plus_the_chosen_few():
    engine = Engine.default(entry_points=False)
    default = {t.name: t for t in all_targets(engine)}["default"]
    everywhere = {c for c, r in engine.rules.items() if "all" in r.targets}
    added = {"S001", "S002", "H005"}
    assert set(default.select) == everywhere | added
    # budgets, conventions and the noisy colour heuristics stay with the targets
    assert not {"B001", "T003", "S003", "O001", "O002", "O007", "H004", "H006", "P002"} & set(
        default.select
    )


def test_no_target_runs_the_default_pack_and_says_so(capsys, models):
    code, out, _ = run(capsys, "check", "--show-config", str(models))
    assert code == 0 and json.loads(out)["target"] == ["default"]
    code, out, _ = run(capsys, "check", "--show-config", "--target", "unity", str(models))
    assert json.loads(out)["target"] == ["unity"]
    code, out, _ = run(capsys, "check", "--no-cache", str(models))
    assert out.splitlines()[-1].split("; ")[1].startswith("3 files checked against: default.")
    # a stated size needs no target any more: the default pack judges it
    code, out, _ = run(capsys, "check", "--no-cache", "--size", "5cm", str(models / "a.obj"))
    assert code == 1 and out.split(": ")[1].startswith("S001 (warning) 1 m across, expected")
    code, out, _ = run(capsys, "check", "--no-cache", str(models), "--target", "unity,print")
    assert out.splitlines()[-1].split("; ")[1].startswith("3 files checked against: unity, print.")


@needs_corpus
def test_the_default_pack_catches_a_unit_slip_in_a_real_file(capsys):
    """The Fox sample is authored in centimetres-sized numbers read as metres (155 m):
    the default pack says so without --target; before it, nothing about scale ran."""
    code, out, _ = run(capsys, "check", "--no-cache", str(FOX))
    lines = out.splitlines()
    assert code == 1
    assert (
        f"{FOX}: S002 (warning) 155 m across, plausible 1 cm to 100 m: looks like centimetres "
        "read as metres (would be 1.55 m) or inches read as metres (would be 3.93 m)"
    ) in lines
    assert lines[-1].split("; ")[1].startswith("1 file checked against: default.")


# --- ruff's everyday flags -----------------------------------------------------------


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out == f"assetlint {__version__}\n"


def test_summary_counts_the_files_with_problems(capsys, models):
    code, out, _ = run(capsys, "check", "--no-cache", str(models))
    assert code == 1
    assert out.splitlines() == [
        f"{models / 'open.obj'}: G003 (warning) open: 1 hole bounded by 4 open edges, 4 m of "
        "open boundary in all; the largest is 4 m around (4 edges; limit 0 holes)"
        "; visible: see-through patch 100.0% of the bottom view's silhouette (limit 1%)",
        "Found 1 problem (0 errors, 1 warning) in 1 file; 3 files checked against: default. "
        "6 info findings not shown (--show-info).",
    ]


def test_exit_zero_quiet_and_statistics(capsys, models):
    code, out, _ = run(capsys, "check", "--no-cache", "--exit-zero", "-q", str(models))
    assert code == 0
    assert [line.split(": ")[1] for line in out.splitlines()] == ["G003 (warning) open"]
    code, out, _ = run(capsys, "check", "--no-cache", "--statistics", "--show-info", str(models))
    assert code == 1
    assert out.splitlines() == [
        "3\tG015\tgeometry-totals",
        "3\tS007\tassumed-unit",
        "1\tG003\t[*] open-boundary",
    ]
    code, out, _ = run(capsys, "check", "--statistics", "--format", "json", str(models))
    assert json.loads(out) == [
        {"code": "G003", "name": "open-boundary", "count": 1, "fixable": True}
    ]


def test_colour_follows_force_color_and_no_color(capsys, models, monkeypatch):
    args = ("check", "--no-cache", str(models / "open.obj"))
    assert "\x1b[" not in run(capsys, *args)[1]  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = run(capsys, *args)[1]
    assert out.startswith(f"\x1b[1m{models / 'open.obj'}\x1b[0m: \x1b[33mG003\x1b[0m (warning)")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(capsys, *args)[1]
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in run(capsys, *args, "--format", "json")[1]


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--timeout", "-1"),
        ("--timeout", "0"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--jobs", "0"),
        ("--jobs", "-3"),
        ("--jobs", "two"),
        ("--memory-limit", "-5"),
    ],
)
def test_numeric_flags_are_validated(capsys, models, flag, value):
    code, out, err = run(capsys, "check", str(models), f"{flag}={value}")
    assert code == 2 and out == ""
    assert f"argument {flag.split('=')[0]}" in err or flag in err
