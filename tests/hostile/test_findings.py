"""Floods of findings are grouped and capped, with the truncation stated; a file with no
geometry is an error (issue 22 items 10 and 11)."""

from __future__ import annotations

import json
import struct

from assetlint import batch
from assetlint.cli import main
from assetlint.findings import MAX_PER_FILE
from tests.loaders.make_gltf import GltfBuilder
from tests.rules.meshes import cube


def test_an_empty_stl_is_an_error(tmp_path, monkeypatch, capsys):
    """84 bytes, 0 triangles: "All checks passed", exit 0, even for print and unity."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.stl").write_bytes(b"\0" * 80 + struct.pack("<I", 0))
    assert main(["check", "--no-cache", "--target", "print,unity", "empty.stl"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "empty.stl: L008 (error) [print, unity] no geometry: 1 mesh and not one triangle, "
        "so nothing to check or to show"
    )


def test_a_node_listed_200000_times_is_one_grouped_finding(tmp_path, monkeypatch, capsys):
    """`scenes[0].nodes = [0] * 200000`: 199,999 L005 lines and 20 MB of JSON."""
    monkeypatch.chdir(tmp_path)
    pos, tris = cube()
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(pos, tris)))])
    b.doc["scenes"][0]["nodes"] = [0] * 200_000
    b.write(tmp_path / "nodes.glb")
    assert main(["check", "--no-cache", "--select", "L", "--format", "json", "nodes.glb"]) == 1
    out = capsys.readouterr().out
    assert len(out) < 10_000
    finding, spec = json.loads(out)["findings"]
    assert (spec["code"], spec["subject"]) == ("L007", "DUPLICATE_ELEMENTS")  # one, at the list
    assert (finding["code"], finding["repeats"]) == ("L005", 199_999)
    assert finding["message"] == (
        "node 0 is reached twice in the scene; drawn once "
        "(199999 findings like this one; the first is shown)"
    )


def test_findings_past_the_cap_are_counted_and_stated(tmp_path):
    """600 different missing material libraries: at most MAX_PER_FILE listed, the rest
    counted in FileResult.truncated and stated by an X003 finding."""
    body = "".join(f"mtllib lib{i}.mtl\n" for i in range(600))
    path = tmp_path / "many.obj"
    path.write_text(body + "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    (result,) = batch.run([(str(path), batch.Plan(select=("L002",)))], processes=1)
    codes = [f.code for f in result.findings]
    assert codes.count("L002") == MAX_PER_FILE and codes[-1] == "X003"
    assert result.truncated == 600 - MAX_PER_FILE
    assert result.findings[-1].message == (
        "100 more findings not listed: at most 500 per file, the most severe first"
    )
