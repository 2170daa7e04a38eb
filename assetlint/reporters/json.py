"""JSON: every finding with its numbers, per-file stats and the exit code; the shape is
schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assetlint.reporters.encoding import json_safe

if TYPE_CHECKING:
    from assetlint.reporters import Report


def render(report: Report) -> str:
    return json.dumps(json_safe(report.to_dict()), indent=2) + "\n"
