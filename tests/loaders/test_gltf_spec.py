"""The glTF 2.0 specification as data (assetlint/loaders/gltf_spec.py): the vendored JSON
Schemas, the validation of documents against them mapped to the Khronos validator's codes,
and that validator's severities."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from assetlint.loaders import gltf_spec, load
from tests.loaders.make_gltf import GltfBuilder

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared"
CASES = SHARED / "corpus" / "gltf-validator"
TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)


def issues(doc: dict) -> list[tuple[str, str]]:
    return [(i.code, i.path) for i in gltf_spec.validate(doc)]


@pytest.fixture(params=["fast", "jsonschema only"])
def engine(request, monkeypatch):
    """Both ways to the same issues: jsonschema-rs flags the elements jsonschema then
    reports, or (without jsonschema-rs) jsonschema alone reads the whole document."""
    if request.param != "fast":
        monkeypatch.setattr(gltf_spec, "_fast", lambda name="": None)
    return request.param


def test_package_data_ships_every_vendored_file():
    """pyproject's globs must match each file of the schema folder, or a wheel lacks it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = config["package-data"]["assetlint.loaders"]
    base = gltf_spec.SCHEMA_DIR.parent
    files = {p for p in gltf_spec.SCHEMA_DIR.rglob("*") if p.is_file()}
    shipped = {p for g in globs for p in base.glob(g)}
    assert files and files == shipped


@pytest.mark.skipif(not (SHARED / "gltf-schema").is_dir(), reason="../shared not present")
def test_vendored_schemas_are_the_published_ones_unchanged():
    ours = sorted(gltf_spec.SCHEMA_DIR.rglob("*.schema.json"))
    assert len(ours) == 70
    for path in ours:
        upstream = SHARED / "gltf-schema" / path.relative_to(gltf_spec.SCHEMA_DIR)
        assert path.read_bytes() == upstream.read_bytes(), path


def test_a_valid_document_breaks_no_schema(engine):
    doc = {
        "asset": {"version": "2.0"},
        "nodes": [{"matrix": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], "name": "n"}],
        "scenes": [{"nodes": [0]}],
        "scene": 0,
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        "textures": [{"source": 0}],
        "images": [{"uri": "a.png"}],
    }
    assert issues(doc) == []


@pytest.mark.parametrize(
    "doc, expected",
    [
        ({}, [("UNDEFINED_PROPERTY", "(root)")]),
        ({"asset": {"version": 2}}, [("TYPE_MISMATCH", "asset.version")]),
        ({"asset": {"version": "2"}}, [("PATTERN_MISMATCH", "asset.version")]),
        ({"asset": {"version": "2.0"}, "nodes": []}, [("EMPTY_ENTITY", "nodes")]),
        ({"asset": {"version": "2.0"}, "nodes": [3]}, [("TYPE_MISMATCH", "nodes[0]")]),
        (
            {"asset": {"version": "2.0"}, "nodes": [{"children": [0, "a"]}]},
            [("ARRAY_TYPE_MISMATCH", "nodes[0].children")],
        ),
        (
            {"asset": {"version": "2.0"}, "nodes": [{"children": [1, 1]}]},
            [("DUPLICATE_ELEMENTS", "nodes[0].children")],
        ),
        (
            {"asset": {"version": "2.0"}, "scenes": [{}], "scene": -1},
            [("INVALID_INDEX", "scene")],
        ),
        (
            {"asset": {"version": "2.0"}, "nodes": [{"scale": [1, 1]}]},
            [("ARRAY_LENGTH_NOT_IN_LIST", "nodes[0].scale")],
        ),
        (
            {"asset": {"version": "2.0"}, "nodes": [{"matrix": [1] * 16, "scale": [1, 1, 1]}]},
            [("NODE_MATRIX_TRS", "nodes[0]")],
        ),
        (
            {"asset": {"version": "2.0"}, "nodes": [{"skin": 0}]},
            [("UNSATISFIED_DEPENDENCY", "nodes[0].skin")],
        ),
        (
            {"asset": {"version": "2.0"}, "images": [{"uri": "a.png", "bufferView": 0}]},
            [("ONE_OF_MISMATCH", "images[0]"), ("UNSATISFIED_DEPENDENCY", "images[0].bufferView")],
        ),
        (
            {"asset": {"version": "2.0"}, "samplers": [{"magFilter": 1}]},
            [("VALUE_NOT_IN_LIST", "samplers[0].magFilter")],
        ),
        (  # an open enum ("or any string") still warns outside its list, as Khronos does
            {"asset": {"version": "2.0"}, "cameras": [{"type": "fisheye"}]},
            [("VALUE_NOT_IN_LIST", "cameras[0].type")],
        ),
        (
            {"asset": {"version": "2.0"}, "materials": [{"alphaCutoff": -1}]},
            [
                ("MATERIAL_ALPHA_CUTOFF_INVALID_MODE", "materials[0].alphaCutoff"),
                ("VALUE_NOT_IN_RANGE", "materials[0].alphaCutoff"),
            ],
        ),
        (
            {"asset": {"version": "2.0", "extra": 1}},
            [("UNEXPECTED_PROPERTY", "asset.extra")],
        ),
        (  # a property of a textureInfo (a schema others extend) is checked where used
            {
                "asset": {"version": "2.0"},
                "materials": [{"emissiveTexture": {"index": 0, "scale": 2}}],
            },
            [("UNEXPECTED_PROPERTY", "materials[0].emissiveTexture.scale")],
        ),
    ],
)
def test_schema_errors_carry_the_validators_codes(doc, expected, engine):
    assert issues(doc) == expected


def test_extension_objects_are_checked_against_their_schema(engine):
    """A draft-04 extension schema (boolean exclusiveMinimum) read as draft 2020-12."""
    light = {"type": "spot", "spot": {"outerConeAngle": 0}, "range": 0, "color": [2, 0, 0]}
    found = gltf_spec.validate_extension(
        "KHR_lights_punctual", "root", {"lights": [light]}, "extensions.KHR_lights_punctual"
    )
    where = "extensions.KHR_lights_punctual.lights[0]"
    assert [(i.code, i.path) for i in found] == [
        ("VALUE_NOT_IN_RANGE", f"{where}.color[0]"),
        ("VALUE_NOT_IN_RANGE", f"{where}.range"),
        ("VALUE_NOT_IN_RANGE", f"{where}.spot.outerConeAngle"),
    ]
    assert gltf_spec.validate_extension("EXT_unknown", "root", {"x": 1}, "x") == []
    places = gltf_spec.extension_places()
    assert places["KHR_materials_variants"] == {"root", "primitive"}
    assert places["KHR_texture_transform"] == {"textureInfo"}


def test_an_index_written_as_1_0_is_an_integer(tmp_path):
    """JSON has one number type: 1.0 is a valid index (the Khronos validator agrees)."""
    b = GltfBuilder()
    b.scene([b.node(mesh=b.mesh(b.primitive(TRI, np.arange(3))))])
    path = b.write(tmp_path / "t.gltf", binary=False)
    text = path.read_text().replace('"buffer": 0', '"buffer": 0.0')
    assert '"buffer": 0.0' in text
    path.write_text(text)
    assert load(path).issues == []


def test_severities_are_the_validators():
    assert gltf_spec.severity("ACCESSOR_INDEX_OOB") == "error"
    assert gltf_spec.severity("UNDEFINED_PROPERTY") == "error"
    assert gltf_spec.severity("UNEXPECTED_PROPERTY") == "warning"
    assert gltf_spec.severity("VALUE_NOT_IN_LIST") == "warning"
    assert gltf_spec.severity("UNUSED_OBJECT") == "info"
    assert gltf_spec.severity("BUFFER_VIEW_TARGET_MISSING") == "info"  # a hint there


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/corpus not present")
def test_severities_match_the_validators_reports():
    """Every code in the validator's own reports has the severity it reports there."""
    levels = {0: "error", 1: "warning", 2: "info", 3: "info"}
    seen: dict[str, set[str]] = defaultdict(set)
    for report in CASES.rglob("*.report.json"):
        for message in json.loads(report.read_text())["issues"]["messages"]:
            seen[message["code"]].add(levels[message["severity"]])
    assert len(seen) == 152
    assert {code: {gltf_spec.severity(code)} for code in seen} == dict(seen)


def test_thousands_of_nodes_cost_milliseconds_and_keep_their_paths():
    """A valid 20,000-node scene is read by jsonschema-rs at once; the elements it flags
    are then reported with their own paths."""
    nodes = [{"name": f"n{i}", "translation": [1, 2, 3]} for i in range(20_000)]
    nodes[5]["foo"], nodes[19_999]["rotation"] = 1, [2, 0, 0, 1]
    doc = {"asset": {"version": "2.0"}, "nodes": nodes, "scenes": [{"nodes": [0]}]}
    assert issues(doc) == [  # sorted by path, as text
        ("VALUE_NOT_IN_RANGE", "nodes[19999].rotation[0]"),
        ("UNEXPECTED_PROPERTY", "nodes[5].foo"),
    ]
