"""assetlint: decide, with hard pass/fail criteria, whether a 3D asset is ready for its
destination.

``assetlint.lint(path, target=...)`` is the Python API (see assetlint/api.py)."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def lint(*args: Any, **kwargs: Any) -> Any:
    """Lint files; see :func:`assetlint.api.lint` (imported on first use, so that
    ``import assetlint`` stays cheap for the loaders and workers)."""
    from assetlint.api import lint as _lint

    return _lint(*args, **kwargs)
