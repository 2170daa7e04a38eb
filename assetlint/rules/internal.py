"""Internal rules (X): assetlint's own failures, reported as findings so that one broken
rule never hides the others."""

from __future__ import annotations

from assetlint.plugins import hookimpl
from assetlint.rules import Rule

INTERNAL_ERROR = Rule(
    code="X001",
    name="internal-error",
    family="internal",
    stage="export",
    severity="error",
    summary="a rule failed while checking the asset",
    rationale=(
        "A rule raised an exception instead of returning findings, so what it checks is "
        "unknown for this asset. The other rules still ran. This is a bug in the rule (or "
        "in the rule pack that provides it), not necessarily in the asset."
    ),
    fix=(
        "Report it with the asset and the message; meanwhile `--ignore` the failing rule's "
        "code to silence it."
    ),
)

MEMORY_LIMIT = Rule(
    code="X002",
    name="memory-limit",
    family="internal",
    stage="export",
    severity="error",
    summary="the file needed more memory than the per-file limit and was not checked",
    rationale=(
        "Reading or checking the file asked for more memory than the per-file limit "
        "(`memory-limit`, `--memory-limit`), so it was stopped and not checked; the other "
        "files of the batch were. A small file that asks for gigabytes usually states an "
        "absurd count (an accessor, a header or an index claiming billions of elements)."
    ),
    fix=(
        "Re-export the asset; if it is genuinely that large, raise `memory-limit` (MiB) "
        "for its folder."
    ),
)

TRUNCATED = Rule(
    code="X003",
    name="findings-truncated",
    family="internal",
    stage="export",
    severity="warning",
    summary="the file had more findings than are listed per file; the rest were counted",
    rationale=(
        "A file had more findings than assetlint lists for one file (after grouping "
        "findings alike), so the most severe are listed and this finding says how many "
        "were left out. Thousands of findings on one file nearly always come from one "
        "defect repeated (a generator bug, a corrupt index buffer)."
    ),
    fix="Fix the listed findings and lint again; the others show once these are gone.",
)


@hookimpl
def assetlint_rules() -> list[Rule]:
    return [INTERNAL_ERROR, MEMORY_LIMIT, TRUNCATED]
