"""Recall of assetlint on the Khronos glTF-Validator's own test suite.

Every case of ../shared/corpus/gltf-validator that the validator reports with an ERROR is
malformed input. It is *caught* when assetlint, with its default rules (no target, no
V001), gives at least one error or warning finding, or refuses the file with a LoadError.
Recall is counted per issue family: a case counts once in each family of its error codes.

    python -m tests.conformance.gltf_recall               # print the table
    python -m tests.conformance.gltf_recall --update-docs # rewrite it in docs/conformance.md
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assetlint.engine import Engine
from assetlint.loaders import load
from assetlint.model import LoadError

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / ".." / "shared" / "corpus" / "gltf-validator"
DOC = ROOT / "docs" / "conformance.md"
START, END = "<!-- gltf-recall:start -->", "<!-- gltf-recall:end -->"

# Validator codes that name their object by prefix; the rest are grouped by kind below.
_PREFIXES = (
    "ACCESSOR",
    "ANIMATION",
    "BUFFER_VIEW",
    "BUFFER",
    "CAMERA",
    "GLB",
    "IMAGE",
    "MESH",
    "NODE",
    "SCENE",
    "SKIN",
    "TEXTURE",
)
_GROUPS = {
    "SCHEMA (JSON shape)": {
        "ARRAY_TYPE_MISMATCH",
        "DUPLICATE_ELEMENTS",
        "EMPTY_ENTITY",
        "INVALID_JSON",
        "ONE_OF_MISMATCH",
        "PATTERN_MISMATCH",
        "TYPE_MISMATCH",
        "UNDEFINED_PROPERTY",
        "UNSATISFIED_DEPENDENCY",
        "VALUE_NOT_IN_RANGE",
    },
    "REFERENCE (index to nothing)": {"UNRESOLVED_REFERENCE"},
    "IO / URI": {"IO_ERROR", "INVALID_URI"},
    "ASSET (version)": {"ASSET_MIN_VERSION_GREATER_THAN_VERSION", "UNKNOWN_ASSET_MAJOR_VERSION"},
    "EXTENSION (declaration, placement, KHR_* rules)": {
        "NON_REQUIRED_EXTENSION",
        "UNDECLARED_EXTENSION",
        "UNEXPECTED_EXTENSION_OBJECT",
        "UNUSED_EXTENSION_REQUIRED",
    },
}
_ALIASES = {"ROTATION_NON_UNIT": "NODE", "INVALID_IBM_ACCESSOR_COUNT": "SKIN"}


def family(code: str) -> str:
    """The issue family of a validator code (its object prefix, or a kind of check)."""
    if code in _ALIASES:
        return _ALIASES[code]
    for name, codes in _GROUPS.items():
        if code in codes:
            return name
    if code.startswith(("KHR_", "EXT_")):
        return "EXTENSION (declaration, placement, KHR_* rules)"
    for prefix in _PREFIXES:
        if code.startswith(prefix + "_"):
            return prefix
    return "OTHER"


@dataclass(frozen=True)
class Outcome:
    case: str
    codes: tuple[str, ...]  # the validator's error codes
    caught_by: tuple[str, ...]  # our codes (L001 for a LoadError); empty when missed


def error_cases() -> list[tuple[str, tuple[str, ...]]]:
    """(case, error codes) for every case the validator reports with an ERROR."""
    with open(CASES / "MANIFEST.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(r["file"], tuple(r["error_codes"].split(","))) for r in rows if int(r["errors"]) > 0]


def run() -> list[Outcome]:
    """Lint every error case with the default rules."""
    engine = Engine.default(entry_points=False)
    outcomes = []
    for case, codes in error_cases():
        try:
            asset = load(CASES / case)
        except LoadError:
            outcomes.append(Outcome(case, codes, ("L001",)))
            continue
        # L008 (no triangle) says nothing about conformance: most cases carry no mesh
        found = engine.run(asset, ignore=["L008"])
        ours = sorted({f.code for f in found if f.severity in ("error", "warning")})
        outcomes.append(Outcome(case, codes, tuple(ours)))
    return outcomes


def _by_loader(o: Outcome) -> bool:
    """Whether the loader itself flagged the case (LoadError or a load issue)."""
    return any(code.startswith("L") for code in o.caught_by)


def table(outcomes: list[Outcome]) -> str:
    """The Markdown block: recall per family, overall, and the cases not caught."""
    cases: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for fam in sorted({family(c) for c in o.codes}):
            cases[fam].append(o)
    caught = sum(bool(o.caught_by) for o in outcomes)
    by_load = sum(o.caught_by == ("L001",) for o in outcomes)
    lines = [
        START,
        "| Issue family | Cases with an error | Caught | Recall | Caught by the loader (L) |",
        "|---|---:|---:|---:|---:|",
    ]
    order = sorted(cases, key=lambda f: (-len(cases[f]), f))
    for fam in order:
        n, k = len(cases[fam]), sum(bool(o.caught_by) for o in cases[fam])
        by_l = sum(_by_loader(o) for o in cases[fam])
        lines.append(f"| {fam} | {n} | {k} | {100 * k / n:.0f}% | {by_l} |")
    loader = sum(_by_loader(o) for o in outcomes)
    lines.append(
        f"| **all cases** | **{len(outcomes)}** | **{caught}** | "
        f"**{100 * caught / len(outcomes):.0f}%** | **{loader}** |"
    )
    lines += [
        "",
        f"Caught by a load error (L001): {by_load}; by findings: {caught - by_load}, of which "
        f"{loader - by_load} include a load-issue finding (L002-L007). The other "
        f"{caught - loader} are caught only by rules that judge the content (often G: the "
        "suite's one-triangle models are open surfaces), so they would pass if the model were "
        "closed: they are not evidence that the structural error itself was seen. A case with "
        "codes of several families counts in each.",
        "",
        "Not caught (validator error codes in brackets):",
        "",
    ]
    for o in outcomes:
        if not o.caught_by:
            lines.append(f"- `{o.case}` [{', '.join(o.codes)}]")
    lines.append(END)
    return "\n".join(lines) + "\n"


def current_block(text: str) -> str:
    """The generated block as it stands in the document."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end] + "\n"


def update_docs(block: str) -> bool:
    """Rewrite the block in docs/conformance.md; True when it changed."""
    text = DOC.read_text()
    new = text.replace(current_block(text), block)
    if new != text:
        DOC.write_text(new)
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite the table in {DOC}")
    ns = parser.parse_args(argv)
    block = table(run())
    if ns.update_docs:
        print("updated" if update_docs(block) else "already current", DOC)
    else:
        sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
