"""The Python API, and the example in docs/ci.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import assetlint
from assetlint.config import ConfigError
from tests.rules.meshes import cube
from tests.test_cli import write_obj

DOC = Path(__file__).parents[1] / "docs" / "ci.md"


@pytest.fixture
def incoming(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "incoming"
    folder.mkdir()
    write_obj(folder / "chair.obj", *cube())
    return folder


def test_lint_returns_findings_in_order(incoming):
    pos, tris = cube()
    write_obj(incoming / "b_open.obj", pos, tris[2:])
    report = assetlint.lint(incoming, select=["G003"], config=False)
    assert [Path(r.path).name for r in report.results] == ["b_open.obj", "chair.obj"]
    assert [f.code for f in report.findings] == ["G003"] and report.exit_code == 1
    assert not report.ok
    assert assetlint.lint(incoming / "chair.obj", select=["G003"]).ok


def test_lint_reads_config_unless_told_not_to(incoming):
    (incoming / "assetlint.toml").write_text('select = ["G015"]\nfail-on = "error"\n')
    assert [f.code for f in assetlint.lint(incoming).findings] == ["G015"]
    report = assetlint.lint(incoming, config=False, target="unity")
    assert sorted(f.code for f in report.findings) == ["G015", "M002", "O003", "S007", "T009"]
    assert report.fail_on == "warning" and report.exit_code == 1


def test_lint_bad_settings_raise(incoming):
    with pytest.raises(ConfigError, match="--select 'Q' matches no rule code"):
        assetlint.lint(incoming, select=["Q"])
    with pytest.raises(ConfigError, match="'rules.B001' has no parameter 'tris'"):
        assetlint.lint(incoming, target="unity", rules={"B001": {"tris": 3}})


def test_the_documented_example_runs(incoming, capsys):
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    exec(compile(code, str(DOC), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "incoming/chair.obj: B001 12 triangles (limit 10 per mesh)",
        "incoming/chair.obj: M002 12 of 12 triangles have no material",
        "rejected (exit code 1)",
    ]


def test_the_api_is_typed():
    """`assetlint.lint` is the real function (not a (*args) -> Any wrapper) and the package
    ships py.typed; CI runs mypy on the API and tests/typing_api_usage.py."""
    import inspect

    from assetlint.api import lint

    assert assetlint.lint is lint
    assert inspect.signature(assetlint.lint).return_annotation == "Report"
    assert (Path(assetlint.__file__).parent / "py.typed").is_file()
    assert assetlint.Report.__module__ == "assetlint.reporters"


def test_missing_paths_and_empty_folders_are_errors(incoming, tmp_path):
    (tmp_path / "empty").mkdir()
    report = assetlint.lint([incoming, tmp_path / "nope", tmp_path / "empty"], config=False)
    assert report.exit_code == 2 and len(report.results) == 1
    assert [e.split(": ")[1].split(";")[0] for e in report.errors] == [
        "no such file or folder",
        "no assets in this folder (.fbx, .glb, .gltf, .obj, .stl, .usd, .usda, .usdc, .usdz)",
    ]
    assert assetlint.lint(tmp_path / "empty", allow_empty=True).ok
    assert report.targets == ["default"]
