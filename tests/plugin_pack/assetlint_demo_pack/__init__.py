"""A third-party rule pack: rules with the prefix DP, declared exactly as assetlint's own
modules declare theirs."""

from __future__ import annotations

from collections.abc import Iterator

from assetlint.findings import Finding
from assetlint.model import Asset
from assetlint.plugins import hookimpl
from assetlint.rules import RuleContext, RuleGroup, iter_meshes

group = RuleGroup(family="demo")


@hookimpl
def assetlint_rules():
    return group.rules


@group.rule(
    "DP001",
    "short-mesh-name",
    severity="warning",
    summary="meshes whose name is shorter than the studio's convention",
    fix="Name every mesh after the convention in the source tool.",
    params={"min_length": 8},
)
def short_mesh_name(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Pipelines that look meshes up by a naming convention cannot find the others."""
    for _, mesh, label in iter_meshes(asset):
        if len(mesh.name) < ctx.params["min_length"]:
            yield ctx.finding(
                f"mesh name {mesh.name!r} is shorter than {ctx.params['min_length']}",
                subject=label,
                subject_type="mesh",
                value=len(mesh.name),
                limit=ctx.params["min_length"],
            )
