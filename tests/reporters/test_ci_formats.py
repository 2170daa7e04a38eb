"""What CI consumers need beyond the schemas, through the command line: SARIF that code
scanning takes as it is (fingerprints, no local paths, no notes, the 25,000 cap), JUnit without
passing-rule noise, GitLab Code Quality, structured JSON, and every writer safe against
hostile names (lone surrogates, control characters, XML-invalid code points)."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from assetlint.cli import main
from assetlint.reporters import sarif
from tests.rules.meshes import cube
from tests.test_cli import write_obj
from tests.test_watch import triangle_gltf

HERE = Path(__file__).parent
SARIF_SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
HOSTILE_NAME = "m\ud800x\x1b[2J\x01"


def write_hostile_gltf(path: Path) -> Path:
    """One open triangle (a G003 about its mesh) whose mesh and node names hold a lone
    surrogate, a terminal escape and a control character XML forbids."""
    text, positions = triangle_gltf("tri.bin")
    doc = json.loads(text)
    doc["buffers"][0]["uri"] = (
        "data:application/octet-stream;base64," + base64.b64encode(positions).decode()
    )
    doc["nodes"][0]["name"] = "node\ud800\x01"
    doc["meshes"][0]["name"] = HOSTILE_NAME
    path.write_text(json.dumps(doc))  # json escapes the surrogate as \ud800
    return path


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git-like root with an open cube twice (two G003 on the same file and line), a
    closed cube and an unreadable GLB."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    pos, tris = cube()
    models = tmp_path / "models"
    models.mkdir()
    opened = tris[[i for i in range(12) if i not in (0, 6)]]
    write_obj(models / "open.obj", pos, opened)
    (models / "two.obj").write_text(
        (models / "open.obj").read_text()
        + "o second\n"
        + "".join(f"v {x + 5:.6f} {y:.6f} {z:.6f}\n" for x, y, z in pos)
        + "".join(f"f {a + 9} {b + 9} {c + 9}\n" for a, b, c in opened)
    )
    write_obj(models / "closed.obj", pos, tris)
    (models / "bad.glb").write_bytes(b"<html>not a model</html>")
    return tmp_path


def check(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", "--no-cache", *args])
    return code, capsys.readouterr().out


# --- SARIF ---------------------------------------------------------------------------


def test_sarif_is_ready_for_code_scanning(repo, capsys):
    code, out = check(capsys, "models", "--format", "sarif")
    doc = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (run,) = doc["runs"]
    results = run["results"]
    assert {r["level"] for r in results} == {"error", "warning"}  # no notes by default
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in results]
    assert prints == [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(prints)) == len(prints) == len(results)
    # stable: the same run from another folder gives the same fingerprints
    code, again = check(capsys, str(repo / "models"), "--format", "sarif")
    assert [r["partialFingerprints"] for r in json.loads(again)["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    # no file:// helpUri of this checkout: the rule's documentation travels in help
    assert "file:" not in json.dumps(run["tool"]) and "helpUri" not in rules["G003"]
    assert rules["G003"]["help"]["markdown"].startswith("**holes: loops of edges")
    assert run["invocations"] == [{"executionSuccessful": True}]
    code, out = check(capsys, "models", "--format", "sarif", "--show-info")
    assert "note" in {r["level"] for r in json.loads(out)["runs"][0]["results"]}


def test_files_outside_the_repository_are_relative_to_the_scan_root(repo, capsys):
    """An asset outside the repository (a shared corpus beside it) is named relative to
    the scan root, SARIF's SCANROOT base, in SARIF and GitLab alike: no absolute path
    but the two bases SARIF declares in originalUriBaseIds."""
    outside = repo.parent / f"{repo.name}-shared" / "set"
    outside.mkdir(parents=True)
    (outside / "open.obj").write_text((repo / "models" / "open.obj").read_text())
    args = ["models/open.obj", str(outside / "open.obj"), "--select", "G003"]
    code, out = check(capsys, *args, "--format", "sarif")
    doc = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (run,) = doc["runs"]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locations == [
        {"uri": "models/open.obj", "uriBaseId": "%SRCROOT%"},
        {"uri": "open.obj", "uriBaseId": "SCANROOT"},
    ]
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"},
        "SCANROOT": {"uri": outside.resolve().as_uri() + "/"},
    }
    del run["originalUriBaseIds"]
    assert str(repo.parent) not in json.dumps(doc)
    code, out = check(capsys, *args, "--format", "gitlab")
    assert [i["location"]["path"] for i in json.loads(out)] == ["models/open.obj", "open.obj"]
    assert str(repo.parent) not in out


def test_sarif_separates_findings_on_the_same_file_line_and_rule(repo, capsys):
    code, out = check(capsys, "models/two.obj", "--format", "sarif", "--select", "G003")
    results = json.loads(out)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["G003", "G003"]
    first, second = (r["partialFingerprints"][sarif.FINGERPRINT] for r in results)
    assert first != second


def test_sarif_caps_results_and_says_how_many_were_dropped(repo, capsys, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    code, out = check(capsys, "models", "--format", "sarif")
    doc = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (run,) = doc["runs"]
    assert [r["level"] for r in run["results"]] == ["error", "warning"]  # most severe kept
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("2 of 4 results dropped")


# --- JUnit, GitLab, JSON -------------------------------------------------------------


def test_junit_has_a_case_per_failing_rule_and_per_passing_asset(repo, capsys):
    code, out = check(capsys, "models", "--format", "junit")
    suites = ET.fromstring(out)
    cases = {s.get("name"): [c.get("name") for c in s.iter("testcase")] for s in suites}
    assert cases == {
        "models/bad.glb": ["L001 unreadable-file"],
        "models/closed.obj": ["all checks"],
        "models/open.obj": ["G003 open-boundary"],
        "models/two.obj": ["G003 open-boundary"],
    }
    assert all(float(s.get("time")) > 0 for s in suites[1:])  # the real lint time


def test_gitlab_code_quality(repo, capsys):
    code, out = check(capsys, "models", "--format", "gitlab")
    issues = json.loads(out)
    assert code == 2 and len(issues) == 4
    g003 = issues[1]
    assert set(g003) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert g003["check_name"] == "G003" and g003["severity"] == "major"
    assert g003["location"] == {"path": "models/open.obj", "lines": {"begin": 1}}
    assert issues[0]["severity"] == "critical"  # L001
    assert len({i["fingerprint"] for i in issues}) == 4


def test_json_names_the_target_the_rule_and_whether_it_is_fixable(repo, capsys):
    code, out = check(capsys, "models/open.obj", "--format", "json", "--target", "unity,web")
    doc = json.loads(out)
    assert doc["targets"] == ["unity", "web"] and doc["truncated"] is False
    g003 = next(f for f in doc["findings"] if f["code"] == "G003")
    assert g003["target"] == ["unity", "web"]
    assert g003["rule"] == "open-boundary" and g003["fixable"] is True
    g015 = next(f for f in doc["findings"] if f["code"] == "G015")
    assert g015["rule"] == "geometry-totals" and g015["fixable"] is False
    code, out = check(capsys, "models/open.obj", "--format", "json")
    assert {tuple(f["target"]) for f in json.loads(out)["findings"]} == {("default",)}


# --- encoding-safe writers -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github", "gitlab", "html"])
def test_every_writer_survives_hostile_names(tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    write_hostile_gltf(tmp_path / "hostile.gltf")
    code = main(["check", "--no-cache", "hostile.gltf", "--format", fmt, "-o", "out"])
    assert code == 1
    data = (tmp_path / "out").read_bytes()
    text = data.decode("utf-8")  # strict: no surrogate was written
    assert "\x1b" not in text and "\x01" not in text
    assert "\\ud800" not in text  # nor escaped into JSON, where strict parsers refuse it
    if fmt in ("json", "sarif", "gitlab"):
        assert "m\\ufffdx\\u001b[2J\\u0001" in text  # JSON's escapes, surrogate replaced
        json.loads(text)
    elif fmt in ("junit", "html"):
        assert "m\ufffdx\\x1b[2J\\x01" in text
        if fmt == "junit":
            ET.fromstring(data)  # expat takes it
    else:
        assert "m\ufffdx\\x1b[2J\\x01" in text
