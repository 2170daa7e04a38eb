"""assetlint: decide, with hard pass/fail criteria, whether a 3D asset is ready for its
destination.

``assetlint.lint(path, target=...)`` is the Python API (see assetlint/api.py); it returns a
:class:`Report` of :class:`Finding` objects. The package is typed (``py.typed``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["FileResult", "Finding", "Report", "__version__", "lint"]

if TYPE_CHECKING:
    from assetlint.api import lint
    from assetlint.batch import FileResult
    from assetlint.findings import Finding
    from assetlint.reporters import Report

# Imported on first use, so that ``import assetlint`` stays cheap for the loaders and the
# worker processes; type checkers see the real objects above.
_LAZY = {
    "lint": "assetlint.api",
    "Report": "assetlint.reporters",
    "FileResult": "assetlint.batch",
    "Finding": "assetlint.findings",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'assetlint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
