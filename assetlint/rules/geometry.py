"""Geometry and topology rules (G).

Topology is judged per mesh, in mesh-local canonical metres, on positions welded within
``weld_tolerance`` (a fraction of the mesh's bounding-box diagonal): generators split
vertices at every UV seam, and an unwelded seam is not a hole.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from assetlint.findings import Finding
from assetlint.model import Asset
from assetlint.plugins import hookimpl
from assetlint.rules import RuleContext, RuleGroup, iter_meshes

group = RuleGroup(family="geometry")


@hookimpl
def assetlint_rules():
    return group.rules


@group.rule(
    "G009",
    "non-finite-coordinate",
    severity="error",
    summary="vertex positions that are NaN or infinite",
    fix="Delete or re-create the affected vertices in the source tool and re-export.",
)
def non_finite_coordinate(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A NaN or infinite coordinate has no place in space: bounds, normals, physics and
    slicing all break on it, and most engines either reject the mesh or draw garbage
    triangles across the screen. It usually comes from a division by zero in an exporter
    or a corrupt file."""
    for _, mesh, label in iter_meshes(asset):
        bad = np.flatnonzero(~np.isfinite(mesh.positions).all(axis=1))
        if len(bad):
            yield ctx.finding(
                f"{len(bad):,} of {mesh.vertex_count:,} vertices have NaN or infinite "
                "coordinates (limit 0)",
                subject=label,
                subject_type="mesh",
                count=len(bad),
                value=len(bad),
                limit=0,
                sample={"vertices": bad},
            )


@group.rule(
    "G010",
    "index-out-of-range",
    severity="error",
    summary="triangles that reference vertices that do not exist",
    fix="Re-export the mesh; the file's index data is corrupt.",
)
def index_out_of_range(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A triangle index that is negative or past the last vertex makes readers crash,
    reject the file, or read memory that is not the mesh. Loaders keep such triangles so
    that they can be reported here; every other rule ignores them."""
    for _, mesh, label in iter_meshes(asset):
        tris = mesh.triangles
        bad = np.flatnonzero(((tris < 0) | (tris >= mesh.vertex_count)).any(axis=1))
        if len(bad):
            yield ctx.finding(
                f"{len(bad):,} of {mesh.triangle_count:,} triangles reference a vertex index "
                f"outside 0..{mesh.vertex_count - 1} (limit 0)",
                subject=label,
                subject_type="mesh",
                count=len(bad),
                value=len(bad),
                limit=0,
                sample={"faces": bad},
            )
