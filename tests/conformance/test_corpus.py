"""The whole shared corpus: every file loads or is refused with a one-line LoadError, and
the recorded ground truth of meshes/ (GROUND_TRUTH.json: trimesh 5.2.0 and pymeshlab
2025.7, each after welding identical positions) is met on all 59 files.

Other facts are asserted beside their loaders and not repeated here: FBX units, axes and
counts (tests/loaders/test_fbx.py, fbx/MANIFEST.tsv and MANIFEST.tsv's fbx-extra rows),
USD metersPerUnit/upAxis/mesh facts (tests/loaders/test_usd.py), glTF sample counts
against the validator (tests/loaders/test_gltf.py), the validator suite
(tests/loaders/test_gltf.py, tests/conformance/test_gltf_recall.py), and the tools run
side by side on disagreements (tests/rules/test_corpus.py). This file reads the recorded
ground truth instead of re-running the tools, so it covers every file cheaply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetlint.geometry.topology import topology
from assetlint.loaders import is_asset_path, load
from assetlint.model import LoadError
from tests.rules.test_corpus import world_mesh

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
MESHES = CORPUS / "meshes"
needs_corpus = pytest.mark.skipif(not MESHES.is_dir(), reason="../shared/corpus not present")


def _truth() -> dict:
    path = MESHES / "GROUND_TRUTH.json"
    return json.loads(path.read_text()) if path.exists() else {}


TRUTH = _truth()
MODEL_EXTENSIONS = {".ply", ".off", ".abc"}  # model formats assetlint does not read


def corpus_files() -> list[Path]:
    """Every model file of the corpus outside the validator suite (its 299 cases have their
    own test in tests/loaders/test_gltf.py)."""
    if not CORPUS.is_dir():
        return []
    found = []
    for folder in ("meshes", "usd", "gltf-samples", "fbx", "fbx-extra"):
        for path in sorted((CORPUS / folder).rglob("*")):
            if path.is_file() and (is_asset_path(path) or path.suffix.lower() in MODEL_EXTENSIONS):
                found.append(path)
    return found


FILES = corpus_files()


@needs_corpus
def test_the_corpus_is_all_there():
    assert len(FILES) == 190
    assert len(TRUTH) == 59


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_file_loads_or_gives_a_one_line_load_error(path):
    try:
        asset = load(path)
    except LoadError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        if path.suffix.lower() in MODEL_EXTENSIONS:
            assert message.startswith(f"unknown extension '{path.suffix.lower()}'")
        return
    assert path.suffix.lower() not in MODEL_EXTENSIONS
    assert asset.file_size == path.stat().st_size


# Where our answer differs from one tool's recorded one: file -> {measure: (ours, why)}.
# The tools are compared on what they measure after welding identical positions.
DISAGREE = {
    # float noise: corners a few 1e-16 apart; pymeshlab merges only bit-identical ones
    "angle_block.STL": {"boundary": 0, "pinched": 0},
    "featuretype.STL": {"boundary": 0},
    "idler_riser.STL": {"boundary": 0, "pinched": 0, "parts": 1},
    # pymeshlab drops faces on import (a polygon's third triangle, a solid's last facet,
    # zero-area faces and a duplicate), so it sees edges that are not open
    "polygonfaces.obj": {"boundary": 5},
    "two_objects_mixed_case_names.stl": {"boundary": 0},
    "wallhole.obj": {"boundary": 0, "pinched": 0},
    # two pieces' tips 2.9e-6 m apart are one pinched vertex once welded within 7.1e-6 m
    "boolean.glb": {"pinched": 1},
}


def _measures(name: str) -> dict[str, int | bool]:
    topo = topology(world_mesh(name))
    boundary, nonmanifold = len(topo.boundary_edges), len(topo.nonmanifold_edges)
    return {
        "faces": topo.mesh.triangle_count,
        "boundary": boundary,
        "nonmanifold": nonmanifold,
        "pinched": len(topo.nonmanifold_vertices),
        "parts": int(topo.parts[0]),
        "watertight": boundary == 0 and nonmanifold == 0,
    }


READABLE = sorted(n for n in TRUTH if Path(n).suffix.lower() not in MODEL_EXTENSIONS)


@needs_corpus
@pytest.mark.parametrize("name", READABLE)
def test_ground_truth_of_meshes(name):
    """Faces and watertightness as trimesh (welded) records them; boundary edges,
    non-manifold edges and vertices and edge-connected parts as pymeshlab records them,
    except where DISAGREE says why pymeshlab is wrong. Bodies: trimesh's face adjacency
    skips edges with more than two faces, so its bodies equal our parts only on meshes
    without non-manifold edges; on the others pymeshlab's components are the reference."""
    ours, tm, pm = _measures(name), TRUTH[name]["trimesh_merged"], TRUTH[name]["pymeshlab_merged"]
    assert ours["faces"] == tm["faces"]
    assert ours["watertight"] == tm["is_watertight"]
    if ours["nonmanifold"] == 0:
        assert ours["parts"] == tm["bodies"]
    expected = {}
    if pm.get("faces_number") is not None:  # pymeshlab reads no GLB with its scene
        expected = {
            "boundary": pm["boundary_edges"],
            "nonmanifold": pm["non_two_manifold_edges"],
            "pinched": pm["non_two_manifold_vertices"],
            "parts": pm["connected_components_number"],
        }
    expected.update(DISAGREE.get(name, {}))
    assert {k: ours[k] for k in expected} == expected


@needs_corpus
def test_disagreements_are_real():
    """Each DISAGREE entry contradicts the recorded pymeshlab value: none is a no-op."""
    names = {"boundary": "boundary_edges", "pinched": "non_two_manifold_vertices"}
    names["parts"] = "connected_components_number"
    for name, measures in DISAGREE.items():
        pm = TRUTH[name]["pymeshlab_merged"]
        for key, ours in measures.items():
            assert pm[names[key]] != ours, (name, key)
