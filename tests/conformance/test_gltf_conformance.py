"""assetlint's glTF verdicts against the Khronos glTF-Validator's.

1. Every case of its test suite in ../shared/corpus/gltf-validator: the load issues
   assetlint gives (L001 for a refused file; L007 carries the validator's code and
   severity) fall in the same severity class as the validator's expected report: error,
   warning, info, or nothing. The deliberate differences are listed in ``DIFFERENT`` with
   their reason (and in docs/conformance.md).
2. Real files the validator calls valid (gltf-samples, with reports made by the npm
   validator; the generated-real GLBs, checked with it) get no error-level load issue.
3. Where Node and the npm package ``gltf-validator`` are installed (``.ci/run`` installs
   them into .ci/node_modules), the validator itself runs on every glTF file of ../shared
   and its verdict (any error, or a refused file) must be assetlint's.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from assetlint.loaders import load
from assetlint.model import LoadError
from assetlint.rules import validators

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus"
CASES = CORPUS / "gltf-validator"
needs_corpus = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/corpus not present")
CLASSES = ("error", "warning", "info")

# case -> (the validator's class, ours, why they differ). Keep it small: each entry is a
# decision, not a test case to get past.
DIFFERENT = {
    "base/data/root/named_objects.gltf": (
        None,
        "info",
        "its one buffer has no uri (a placeholder the specification allows outside a GLB), "
        "so the mesh using it is not read: assetlint says so as an info (L005), since none "
        "of its mesh rules could run; the validator has nothing to report",
    ),
}
# Verdicts of the npm validator run by assetlint (V001) that differ from assetlint's own
VERDICT_DIFFERENT = {
    "gltf-validator/base/data/buffer/non_relative_uri.gltf": (
        "an absolute file URI: V001 hands the validator only files inside the asset's "
        "folder, so the validator reports IO_ERROR; assetlint does not open it either (L006) "
        "and reports NON_RELATIVE_URI, a warning, as the validator's own report does"
    ),
}


def severity_class(severities: list[str]) -> str | None:
    """The highest of the severities, or None when there are none."""
    return next((c for c in CLASSES if c in severities), None)


def validator_class(case: str) -> str | None:
    report = json.loads((CASES / f"{case}.report.json").read_text())
    levels = [m["severity"] for m in report["issues"]["messages"] if m["severity"] <= 2]
    return CLASSES[min(levels)] if levels else None


def our_severities(path: Path) -> list[str]:
    """The severities of the load issues (a refused file: one error)."""
    try:
        return [i.severity for i in load(path).issues]
    except LoadError:
        return ["error"]


def cases() -> list[str]:
    if not CASES.is_dir():
        return []
    with open(CASES / "MANIFEST.tsv", newline="") as fh:
        return [row["file"] for row in csv.DictReader(fh, delimiter="\t")]


@needs_corpus
def test_every_case_is_compared():
    assert len(cases()) == 299
    assert set(DIFFERENT) <= set(cases())


@needs_corpus
@pytest.mark.parametrize("case", cases())
def test_same_severity_class_as_the_validator(case):
    expected, ours = validator_class(case), severity_class(our_severities(CASES / case))
    if case in DIFFERENT:  # still different, and in the documented way
        assert (expected, ours) == DIFFERENT[case][:2]
    else:
        assert ours == expected


def _real_valid_files() -> list[Path]:
    """Real glTF files the validator reports without an error: gltf-samples (by the
    reports beside them) and every generated-real glTF/GLB (the npm validator 2.0.0-dev.3.10
    reports no error on any; the verdict test below checks that again where Node is)."""
    if not CORPUS.is_dir():
        return []
    out = []
    reports = CORPUS / "gltf-samples" / "validator-reports-generated"
    for report in sorted(reports.glob("*.report.json")):
        if json.loads(report.read_text())["issues"]["numErrors"] == 0:
            folder, name = report.name.removesuffix(".report.json").split("__")
            out.append(CORPUS / "gltf-samples" / folder / name)
    generated = CORPUS / "generated-real"
    out += sorted(p for p in generated.glob("*/*") if p.suffix in (".glb", ".gltf"))
    return out


@needs_corpus
@pytest.mark.parametrize("path", _real_valid_files(), ids=lambda p: p.parent.name)
def test_no_error_on_real_files_the_validator_calls_valid(path):
    errors = [i for i in load(path).issues if i.severity == "error"]
    assert errors == []


def _module_dir() -> str:
    local = ROOT / ".ci" / "node_modules"
    return str(local) if local.is_dir() else os.environ.get("NODE_PATH", "")


@needs_corpus
@pytest.mark.skipif(
    validators.node_validator(_module_dir())[0] is None,
    reason="node or the npm package gltf-validator is not installed (.ci/run installs them)",
)
def test_verdicts_match_the_npm_validator_on_every_shared_gltf_file():
    """The validator's verdict (an error, or a file it refuses) is assetlint's (an
    error-level load issue, or a refused file) on all 333 glTF files of ../shared."""
    paths = sorted(
        p
        for folder in ("gltf-validator", "gltf-samples", "generated-real")
        for p in (CORPUS / folder).rglob("*")
        if p.suffix in (".gltf", ".glb")
    )
    results = validators.run_gltf_validator_many(paths, _module_dir(), max_issues=0)
    assert len(results) == len(paths) == 333
    differ = {}
    for path, result in zip(paths, results, strict=True):
        theirs = "error" in result or result["report"]["issues"]["numErrors"] > 0
        ours = "error" in our_severities(path)
        if theirs != ours:
            differ[str(path.relative_to(CORPUS))] = (theirs, ours)
    assert differ == {case: (True, False) for case in VERDICT_DIFFERENT}
