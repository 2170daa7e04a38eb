"""assetlint: decide, with hard pass/fail criteria, whether a 3D asset is ready for its
destination."""

__version__ = "0.1.0"
