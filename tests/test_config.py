"""Configuration files: discovery walking up, every key, CLI precedence, exit 2 on typos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetlint.cli import main
from tests.rules.meshes import cube
from tests.test_cli import write_obj


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """project/models/{closed,open}.obj; the cube has 12 triangles, open.obj has a hole."""
    monkeypatch.chdir(tmp_path)
    models = tmp_path / "project" / "models"
    models.mkdir(parents=True)
    pos, tris = cube()
    write_obj(models / "closed.obj", pos, tris)
    write_obj(models / "open.obj", pos, tris[[i for i in range(12) if i not in (0, 6)]])
    return tmp_path / "project"


def check(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["check", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def codes(lines: list[str]) -> list[str]:
    return [line.split()[1] for line in lines[:-1]]


def test_pyproject_target_and_rule_threshold(project, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.assetlint]\ntarget = "unity"\n[tool.assetlint.rules.B001]\nmax_triangles = 10\n'
    )
    code, lines, _ = check(capsys, str(project / "models" / "closed.obj"))
    assert code == 1
    assert lines[0].endswith("B001 (warning) closed: 12 triangles (limit 10 per mesh)")
    assert codes(lines) == ["B001", "M002"]
    # the command line overrides the file
    code, lines, _ = check(capsys, "--select", "B001", "--target", "unity", str(project))
    assert codes(lines) == ["B001"] and "closed.obj" in lines[0]  # open.obj has 10


def test_assetlint_toml_wins_and_walks_up(project, capsys):
    (project / "pyproject.toml").write_text('[tool.assetlint]\nselect = ["G003"]\n')
    nested = project / "models"
    (nested / "pyproject.toml").write_text("[tool.black]\nline-length = 80\n")  # passed over
    code, lines, _ = check(capsys, str(nested))
    assert code == 1 and codes(lines) == ["G003"]
    (project / "assetlint.toml").write_text('select = ["G003"]\nignore = ["G003"]\n')
    code, lines, _ = check(capsys, str(nested))
    assert code == 0 and lines == ["All checks passed! 2 files checked against: default."]


def test_per_file_ignores_exclude_and_fail_on(project, capsys):
    cfg = project / "assetlint.toml"
    cfg.write_text('select = ["G003"]\n[per-file-ignores]\n"open.*" = ["G"]\n')
    assert check(capsys, str(project))[0] == 0
    cfg.write_text('select = ["G003"]\nexclude = ["models/open.obj"]\n')
    code, lines, _ = check(capsys, str(project))
    assert code == 0 and lines == ["All checks passed! 1 file checked against: default."]
    cfg.write_text('select = ["G003"]\nfail-on = "error"\n')
    code, lines, _ = check(capsys, str(project))
    assert code == 0 and codes(lines) == ["G003"]  # shown, not failing
    assert check(capsys, "--fail-on", "warning", str(project))[0] == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ('selct = ["G003"]', "unknown key 'selct'; allowed: category, exclude, extend-select"),
        ('ignore = ["Q9"]', "'ignore' names 'Q9', which matches no rule code"),
        ('fail-on = "info"', "'fail-on' = 'info'; allowed: error, warning"),
        ("[rules.B001]\nmax_tris = 5", "'rules.B001' has no parameter 'max_tris'; allowed: "),
        ('[rules.B001]\nmax_triangles = "many"', "'rules.B001.max_triangles' = 'many' is not"),
        ("timeout = -1", "'timeout' = -1; must be seconds one file may take"),
        ('memory-limit = "2GB"', "'memory-limit' = '2GB'; must be MiB of memory one file"),
        ("select = [", "cannot read"),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(project, capsys, text, message):
    cfg = project / "assetlint.toml"
    cfg.write_text(text + "\n")
    code, lines, err = check(capsys, str(project))
    assert code == 2 and lines == []
    assert err.startswith(f"error: {cfg}") and message in err, err


def test_pyproject_errors_name_the_table(project, capsys):
    (project / "pyproject.toml").write_text("[tool.assetlint]\ntarget = 3\n")
    code, _, err = check(capsys, str(project))
    assert code == 2
    assert (
        err == f"error: {project / 'pyproject.toml'} [tool.assetlint]: 'target' must be a "
        "target name or a list of them (see `assetlint targets`)\n"
    )


def test_show_config_merges_file_and_flags(project, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.assetlint]\ntarget = ["unity", "print"]\nignore = ["M"]\n'
        "[tool.assetlint.rules.B001]\nmax_triangles = 5000\n"
    )
    code, lines, _ = check(
        capsys, "--show-config", "--ignore", "O", "--fail-on", "error", str(project / "models")
    )
    assert code == 0
    shown = json.loads("\n".join(lines))
    assert shown["source"] == str(project / "pyproject.toml")
    assert shown["target"] == ["unity", "print"] and shown["ignore"] == ["M", "O"]
    assert shown["rules"] == {"B001": {"max_triangles": 5000}} and shown["fail-on"] == "error"
    assert shown["memory-limit"] == 4096 and shown["timeout"] == 300


def test_explicit_config_file(project, capsys, tmp_path):
    other = tmp_path / "strict.toml"
    other.write_text('select = ["G015"]\n')
    code, lines, _ = check(capsys, "--config", str(other), "--show-info", str(project))
    assert code == 0 and codes(lines) == ["G015", "G015"]
