"""Every output format from one run, each checked against its published schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from assetlint.cli import main
from tests.rules.meshes import cube
from tests.test_cli import write_obj

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


@pytest.fixture
def assets(tmp_path, monkeypatch):
    """An open cube (G003 warning), a closed one and an unreadable GLB, in a git-like root."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    pos, tris = cube()
    models = tmp_path / "models"
    models.mkdir()
    write_obj(models / "open.obj", pos, tris[[i for i in range(12) if i not in (0, 6)]])
    write_obj(models / "closed.obj", pos, tris)
    (models / "bad.glb").write_bytes(b"<html>not a model</html>")
    return tmp_path


def run_all(root: Path, *extra: str) -> int:
    return main(
        [
            "check",
            "models",
            "--select",
            "G003,G015,L001",
            "--output",
            f"json={root / 'r.json'}",
            "--output",
            f"junit={root / 'r.xml'}",
            "--output",
            f"sarif={root / 'r.sarif'}",
            "--output",
            f"github={root / 'r.txt'}",
            *extra,
        ]
    )


def test_one_run_many_formats_and_text_unchanged(assets, capsys):
    assert run_all(assets) == 2  # the unreadable file
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "models/bad.glb: L001 (error) content is an HTML page, not glTF as the extension "
        "'.glb' says",
        "models/open.obj: G003 (warning) open: 1 hole bounded by 4 open edges, 4 m of open "
        "boundary in all; the largest is 4 m around (4 edges; limit 0 holes)"
        "; visible: see-through patch 100.0% of the bottom view's silhouette (limit 1%)",
        "Found 2 problems (1 error, 1 warning) in 2 files; 3 files checked against: default. "
        "2 info findings not shown (--show-info).",
    ]
    github = (assets / "r.txt").read_text().splitlines()
    assert github[1] == (
        "::warning file=models/open.obj,title=G003 warning::open: 1 hole bounded by 4 open "
        "edges, 4 m of open boundary in all; the largest is 4 m around (4 edges; limit 0 holes)"
        # GitHub's workflow commands escape % as %25
        "; visible: see-through patch 100.0%25 of the bottom view's silhouette (limit 1%25)"
    )
    assert github[0].startswith("::error file=models/bad.glb,title=L001 error::content is")
    assert len(github) == 2  # info findings are not annotated


def test_json_matches_its_schema(assets):
    run_all(assets)
    doc = json.loads((assets / "r.json").read_text())
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema)
    assert doc["files"] == ["models/bad.glb", "models/closed.obj", "models/open.obj"]
    assert doc["counts"] == {"error": 1, "warning": 1, "info": 2}
    assert doc["exit_code"] == 2 and doc["fail_on"] == "warning"
    closed = doc["results"][1]
    assert closed["rules"] == ["G003", "G015", "L001"] and closed["stats"]["triangles"] == {
        "scene": 12,
        "unique": 12,
    }
    assert doc["results"][0]["loaded"] is False and doc["results"][0]["stats"] == {}
    bad = dict(doc)
    bad["counts"] = {"error": -1, "warning": 0, "info": 0}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_sarif_matches_the_official_schema(assets):
    run_all(assets)
    doc = json.loads((assets / "r.sarif").read_text())
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    (run,) = doc["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["G003", "G015", "L001"]
    assert rules["G003"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["G003"]["help"]["text"].startswith("Fix: ")
    levels = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert levels == [("L001", "error"), ("G003", "warning")]  # info only with --show-info
    loc = run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "models/open.obj", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == assets.resolve().as_uri() + "/"
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_junit_matches_the_jenkins_xsd(assets):
    run_all(assets)
    xsd = xmlschema.XMLSchema(HERE / "junit-10.xsd")
    xsd.validate(assets / "r.xml")
    suites = ET.parse(assets / "r.xml").getroot()
    names = [s.get("name") for s in suites]
    assert names == ["models/bad.glb", "models/closed.obj", "models/open.obj"]
    bad, closed, opened = suites
    # one case per failing rule, one per passing asset: not one per rule that ran
    assert [c.get("name") for c in bad.iter("testcase")] == ["L001 unreadable-file"]
    assert bad.find("testcase/failure").get("type") == "error"
    props = {p.get("name"): p.get("value") for p in closed.iter("property")}
    assert props["triangles.scene"] == "12" and props["format"] == "obj"
    assert [c.get("name") for c in closed.iter("testcase")] == ["all checks"]
    (g003,) = opened.iter("testcase")
    assert g003.get("name") == "G003 open-boundary"
    assert g003.find("failure").get("type") == "warning"  # fail-on warning (default)
    assert int(opened.get("failures")) == 1 and int(closed.get("failures")) == 0


def test_junit_warnings_pass_with_fail_on_error(assets):
    assert run_all(assets, "--fail-on", "error") == 2
    suites = ET.parse(assets / "r.xml").getroot()
    (passing,) = suites[2].iter("testcase")
    assert passing.get("name") == "all checks" and passing.find("failure") is None
    assert "open: 1 hole" in passing.find("system-out").text


def test_output_file_for_the_main_format_and_bad_format(assets, capsys):
    assert main(["check", "models/closed.obj", "--select", "G003", "-o", "out.txt"]) == 0
    assert capsys.readouterr().out == ""
    assert (assets / "out.txt").read_text() == (
        "All checks passed! 1 file checked against: default.\n"
    )
    assert main(["check", "models/closed.obj", "-o", "yaml=x"]) == 2
    assert "unknown format 'yaml'" in capsys.readouterr().err
