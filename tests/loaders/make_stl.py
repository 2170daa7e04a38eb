"""Writing STL files for tests, binary or ASCII, from indexed geometry."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_RECORD = np.dtype([("normal", "<f4", 3), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])


def facet_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Unit normals from the winding (zero for degenerate faces), as STL writers store."""
    p = np.asarray(positions, dtype=np.float64)[np.asarray(triangles).reshape(-1, 3)]
    n = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return np.divide(n, length, out=np.zeros_like(n), where=length > 0)


def write_stl(
    path: Path,
    positions: np.ndarray,
    triangles: np.ndarray,
    *,
    binary: bool = True,
    name: str = "assetlint",
    header: bytes | None = None,
) -> None:
    """An STL of the triangles, with facet normals from the winding. ``header`` (binary
    only) replaces the default 80-byte header text."""
    triangles = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
    corners = np.asarray(positions, dtype=np.float32)[triangles]
    normals = facet_normals(positions, triangles)
    if binary:
        records = np.zeros(len(triangles), dtype=_RECORD)
        records["normal"] = normals
        records["vertices"] = corners
        head = (header if header is not None else f"assetlint test {name}".encode()).ljust(80)
        count = np.array([len(triangles)], dtype="<u4").tobytes()
        Path(path).write_bytes(head[:80] + count + records.tobytes())
        return
    facet = (
        "  facet normal %.9g %.9g %.9g\n    outer loop\n"
        + "      vertex %.9g %.9g %.9g\n" * 3
        + "    endloop\n  endfacet\n"
    )
    rows = np.column_stack([normals, corners.reshape(-1, 9).astype(np.float64)])
    body = (facet * len(rows)) % tuple(rows.ravel())
    Path(path).write_text(f"solid {name}\n{body}endsolid {name}\n")
