"""The command line: rules, explain, check with --select/--ignore, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assetlint.cli import main
from assetlint.model import LOAD_CODES
from tests.plugin_pack import install
from tests.rules.meshes import cube


def write_obj(path: Path, positions, triangles) -> Path:
    lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in triangles]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Each test in its own folder, so the results cache (beside the config, else in the
    current folder) is never shared between tests."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def open_cube(tmp_path) -> Path:
    pos, tris = cube()
    return write_obj(tmp_path / "open.obj", pos, tris[[i for i in range(12) if i not in (0, 6)]])


@pytest.fixture
def closed_cube(tmp_path) -> Path:
    return write_obj(tmp_path / "closed.obj", *cube())


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_lists_every_family(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert set(LOAD_CODES) | {"G001", "G015", "X001"} <= set(listed)
    assert "G003  warning  open-boundary" in out


def test_rules_json_and_selection(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json", "--select", "L", "--ignore", "L00")
    assert code == 0 and out.strip() == "[]"
    code, out, _ = run(capsys, "rules", "--format", "json", "--select", "G012")
    (rule,) = json.loads(out)
    assert rule["code"] == "G012" and rule["params"]["area_ratio"] == 0.001
    assert rule["autofix"] is True and rule["targets"] == ["all"]  # the floaters step


def test_explain_by_code_or_name(capsys):
    code, out, _ = run(capsys, "explain", "g003")
    assert code == 0
    assert out.startswith("G003 open-boundary (geometry)\n")
    assert "Severity: warning" in out and "weld_tolerance = 1e-06" in out
    assert "UV seams are not counted as holes" in " ".join(out.split()).replace(
        "splits a generator or exporter makes along UV seams are not counted as holes",
        "UV seams are not counted as holes",
    )
    assert run(capsys, "explain", "open-boundary")[1] == out
    code, _, err = run(capsys, "explain", "G999")
    assert code == 2 and "no rule 'G999'" in err


def test_check_prints_findings_like_ruff_and_exits_1(capsys, open_cube):
    code, out, _ = run(capsys, "check", str(open_cube))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{open_cube}: G003 (warning) open: 1 hole bounded by 4 open edges, 4 m of open "
        "boundary in all; the largest is 4 m around (4 edges; limit 0 holes)"
        "; visible: see-through patch 100.0% of the bottom view's silhouette (limit 1%)"
    )
    assert lines[-1] == (
        "Found 1 problem (0 errors, 1 warning) in 1 file; 1 file checked against: default. "
        "2 info findings not shown (--show-info)."
    )


def test_check_ignore_and_select(capsys, open_cube, closed_cube):
    code, out, _ = run(capsys, "check", "--ignore", "G003", str(open_cube))
    assert code == 0 and out.startswith("All checks passed! 1 file checked against: default.")
    code, out, _ = run(capsys, "check", "--select", "G015", "--show-info", str(closed_cube))
    assert code == 0
    assert out.splitlines()[0] == (
        f"{closed_cube}: G015 (info) 12 triangles and 8 vertices drawn (12 and 8 in 1 mesh, "
        "1 instance)"
    )
    code, _, err = run(capsys, "check", "--select", "Z", str(closed_cube))
    assert code == 2 and "--select 'Z' matches no rule code" in err


def test_check_json_carries_samples(capsys, open_cube):
    code, out, _ = run(capsys, "check", "--format", "json", "--select", "G003", str(open_cube))
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["code"] == "G003" and finding["count"] == 1 and finding["limit"] == 0
    assert len(finding["sample"]["edges"]) == 4
    assert finding["subject_type"] == "mesh"


def test_unreadable_file_is_one_line_and_exit_2(capsys, tmp_path, closed_cube):
    bad = tmp_path / "bad.glb"
    bad.write_bytes(b"<html>not a model</html>")
    code, out, _ = run(capsys, "check", str(bad), str(closed_cube))
    assert code == 2
    assert out.splitlines()[0] == (
        f"{bad}: L001 (error) content is an HTML page, not glTF as the extension '.glb' says"
    )


def test_rule_crash_exits_2(capsys, closed_cube, monkeypatch):
    import assetlint.rules.geometry as geometry

    def boom(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(geometry, "topology", boom)
    code, out, _ = run(capsys, "check", "--select", "G001,G015", str(closed_cube))
    assert code == 2
    assert (
        f"{closed_cube}: X001 (error) G001: rule G001 (non-manifold-edge) failed: MemoryError"
        in out
    )


def test_third_party_pack_through_the_real_entry_point(tmp_path, closed_cube):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(p) for p in install(tmp_path / "site")] + [env.get("PYTHONPATH", "")]
    )
    cli = [sys.executable, "-m", "assetlint"]
    listed = subprocess.run([*cli, "rules"], env=env, capture_output=True, text=True)
    assert "DP001  warning  short-mesh-name" in listed.stdout
    explained = subprocess.run([*cli, "explain", "DP001"], env=env, capture_output=True, text=True)
    assert "Provided by: demo" in explained.stdout
    # the OBJ loader names the mesh after the file: "closed" is shorter than 8 characters
    checked = subprocess.run(
        [*cli, "check", str(closed_cube)], env=env, capture_output=True, text=True
    )
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == (
        f"{closed_cube}: DP001 (warning) closed: mesh name 'closed' is shorter than 8"
    )
    ignored = subprocess.run(
        [*cli, "check", "--ignore", "DP001", str(closed_cube)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0 and "DP001" not in ignored.stdout
    selected = subprocess.run(
        [*cli, "check", "--select", "DP", "--show-info", str(closed_cube)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert [line.split()[1] for line in selected.stdout.splitlines()[:-1]] == ["DP001"]


# --- pre-commit: the real tool, on a temporary repository ----------------------------

ROOT = Path(__file__).parents[1]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _asset_repo(path: Path) -> Path:
    path.mkdir()
    _git(path, "init", "-q")
    pos, tris = cube()
    write_obj(path / "open.obj", pos, tris[[i for i in range(12) if i not in (0, 6)]])
    write_obj(path / "closed.obj", pos, tris)
    (path / "notes.txt").write_text("not an asset\n")
    _git(path, "add", ".")
    return path


def _try_repo(hooks: Path, repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(hooks),
            "assetlint",
            "--files",
            *files,
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def test_pre_commit_hook_blocks_a_bad_asset(tmp_path):
    """The shipped hook definition, run by the real pre-commit. Building its Python
    environment installs assetlint and its dependencies from PyPI (minutes), so this test
    swaps only the language for `unsupported` with this interpreter's assetlint as entry;
    test_pre_commit_hook_installs_from_this_checkout runs it unchanged."""
    pytest.importorskip("pre_commit")
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "language: python" in text and "entry: assetlint check" in text
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / ".pre-commit-hooks.yaml").write_text(
        text.replace("language: python", "language: unsupported").replace(
            "entry: assetlint check", f"entry: {sys.executable} -m assetlint check --no-cache"
        )
    )
    _git(hooks, "init", "-q")
    _git(hooks, "add", ".")
    _git(hooks, "commit", "-q", "-m", "hooks")
    repo = _asset_repo(tmp_path / "repo")
    bad = _try_repo(hooks, repo, tmp_path / "home", "open.obj", "notes.txt")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^assetlint\.+Failed$", bad.stdout, re.M)
    assert "open.obj: G003 (warning) open: 1 hole bounded by 4 open edges" in bad.stdout
    good = _try_repo(hooks, repo, tmp_path / "home", "closed.obj", "notes.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^assetlint\.+Passed$", good.stdout, re.M)
    skipped = _try_repo(hooks, repo, tmp_path / "home", "notes.txt")
    assert re.search(r"^assetlint\.+\(no files to check\)Skipped$", skipped.stdout, re.M)


@pytest.mark.skipif(
    not os.environ.get("ASSETLINT_SLOW_TESTS"),
    reason="builds the hook's Python environment from PyPI (about 3 minutes); "
    "set ASSETLINT_SLOW_TESTS=1",
)
def test_pre_commit_hook_installs_from_this_checkout(tmp_path):
    """`pre-commit try-repo` on this checkout as it is (language: python)."""
    pytest.importorskip("pre_commit")
    repo = _asset_repo(tmp_path / "repo")
    bad = _try_repo(ROOT, repo, tmp_path / "home", "open.obj")
    assert bad.returncode == 1 and "open.obj: G003 (warning)" in bad.stdout, bad.stdout
    good = _try_repo(ROOT, repo, tmp_path / "home", "closed.obj")
    assert good.returncode == 0, good.stdout + good.stderr
