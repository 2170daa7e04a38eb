"""The glTF-Validator recall table in docs/conformance.md is measured, not written: these
tests recompute it and fail when the document is stale (regenerate with
``python -m tests.conformance.gltf_recall --update-docs``)."""

from __future__ import annotations

import pytest

from tests.conformance.gltf_recall import CASES, DOC, current_block, error_cases, family, run, table

needs_corpus = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/corpus not present")


@pytest.fixture(scope="module")
def outcomes():
    return run()


@needs_corpus
def test_every_error_case_is_linted(outcomes):
    assert len(outcomes) == 196  # MANIFEST: 299 cases, 196 with errors
    assert {o.case for o in outcomes} == {case for case, _ in error_cases()}


@needs_corpus
def test_doc_table_is_current(outcomes):
    assert current_block(DOC.read_text()) == table(outcomes), (
        "docs/conformance.md is stale: python -m tests.conformance.gltf_recall --update-docs"
    )


@needs_corpus
def test_every_validator_code_has_a_family():
    codes = {code for _, case_codes in error_cases() for code in case_codes}
    assert len(codes) == 109
    assert {c for c in codes if family(c) == "OTHER"} == set()


@pytest.mark.parametrize(
    "code, expected",
    [
        ("BUFFER_VIEW_TOO_LONG", "BUFFER_VIEW"),
        ("BUFFER_BYTE_LENGTH_MISMATCH", "BUFFER"),
        ("MESH_PRIMITIVE_INVALID_ATTRIBUTE", "MESH"),
        ("ROTATION_NON_UNIT", "NODE"),
        ("EMPTY_ENTITY", "SCHEMA (JSON shape)"),
        (
            "KHR_LIGHTS_PUNCTUAL_LIGHT_SPOT_ANGLES",
            "EXTENSION (declaration, placement, KHR_* rules)",
        ),
        ("SOMETHING_NEW", "OTHER"),
    ],
)
def test_family(code, expected):
    assert family(code) == expected


@needs_corpus
def test_known_catches(outcomes):
    """Cases the loader refuses or flags, by name: a change in the loader that loses one
    of these shows here before the table."""
    by_case = {o.case: o.caught_by for o in outcomes}
    assert by_case["base/data/glb/invalid_magic.glb"] == ("L001",)
    assert by_case["base/data/accessor/alignment.gltf"] == ("L007",)
    assert "L007" in by_case["base/data/mesh_data/joints_weights_complex.gltf"]


@needs_corpus
def test_recall_floor(outcomes):
    """Error cases caught at all, and caught by the loader itself (a load error or a load
    issue, so the structural fault was seen and not just a side effect on the geometry)."""
    assert sum(bool(o.caught_by) for o in outcomes) == 196
    assert sum(any(c.startswith("L") for c in o.caught_by) for o in outcomes) == 196
