"""Printability rules (P): what a 3D printer's slicer needs beyond a closed surface.

Both rules are expensive (a pairwise triangle test, a ray cast per sample), so they are
declared for the "print" target only: they run with ``--target print`` or when selected
by code (``--select P``), never by default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from assetlint.arrays import row_matrix
from assetlint.findings import SAMPLE_LIMIT, Finding
from assetlint.geometry.intersections import IntersectionTooCostly, self_intersections
from assetlint.geometry.thickness import (
    DEFAULT_SAMPLES,
    ThicknessResult,
    ThicknessUnavailable,
    wall_thickness,
)
from assetlint.geometry.topology import DEFAULT_WELD_TOLERANCE, topology
from assetlint.model import Asset, transform_points
from assetlint.plugins import hookimpl
from assetlint.rules import AT_LEAST_ZERO, SHARE, Range, RuleContext, RuleGroup, iter_meshes, plural
from assetlint.rules.scale import assumed_unit

group = RuleGroup(family="printability", stage="mesh inspection")

# 0.8 mm: two perimeters of the standard 0.4 mm FDM nozzle, the minimum printing services
# publish for supported walls (e.g. rigidprints.co.uk/design-guide/wall-thickness: "safe
# down to 0.8 mm (2 perimeters)", PLA minimum 0.8 mm; fabb-it.de FDM design rules:
# "Minimum Wall Thickness 0.8 - 1 mm"). Resin printers go lower: lower the parameter.
DEFAULT_MIN_THICKNESS = 0.0008


@hookimpl
def assetlint_rules():
    return group.rules


def _instances(asset: Asset, mesh_index: int) -> list[np.ndarray]:
    """World matrices of the nodes drawing a mesh (identity for a mesh no node draws)."""
    worlds = [node.world for index, node in asset.placed_instances() if index == mesh_index]
    return worlds or [np.eye(4)]


def _point(p: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:.4g}" for x in p) + ")"


@group.rule(
    "P001",
    "self-intersection",
    severity="error",
    mark="intersection",
    summary="triangles that pass through other triangles of the same mesh",
    fix="Remesh or boolean-union the overlapping parts (Blender: 3D Print Toolbox > "
    "Intersections to find them, then Remesh or Boolean Union; MeshLab: Select Self "
    "Intersecting Faces, delete, Close Holes).",
    targets=("print",),
    params={"weld_tolerance": DEFAULT_WELD_TOLERANCE},
    ranges={"weld_tolerance": AT_LEAST_ZERO},
)
def self_intersection(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A surface that passes through itself has no single inside: a slicer cannot tell
    which side of each crossing is solid, and fills, hollows or drops regions at random,
    or refuses the file. Image-to-3D meshes fold into themselves at thin parts and where
    separately reconstructed pieces overlap. Faces are compared after welding, so
    neighbours split along UV seams do not count; faces that only share an edge or a
    vertex are neighbours, not crossings. The test is MeshLab's (pymeshlab)."""
    for _, mesh, label in iter_meshes(asset):
        if not mesh.triangle_count:
            continue
        topo = topology(mesh, ctx.params["weld_tolerance"])
        key = ("self_intersections", topo.weld_tolerance)
        try:
            if key not in mesh.cache:
                hit = self_intersections(topo.welded_positions, topo.faces)
                mesh.cache[key] = topo.face_index[hit]
        except IntersectionTooCostly as exc:
            yield ctx.finding(str(exc), subject=label, subject_type="mesh", severity="info")
            continue
        faces = mesh.cache[key]
        if not len(faces):
            continue
        shown = ", ".join(str(f) for f in faces[:5]) + (", ..." if len(faces) > 5 else "")
        first = mesh.positions[mesh.triangles[faces[0]]].astype(np.float64).mean(axis=0)
        yield ctx.finding(
            f"{plural(len(faces), 'triangle')} of {mesh.triangle_count:,} intersect other "
            f"triangles of the mesh (faces {shown}; limit 0)",
            subject=label,
            subject_type="mesh",
            count=len(faces),
            value=len(faces),
            limit=0,
            sample={"faces": faces[:SAMPLE_LIMIT]},
            location=first,
            elements={"faces": faces},
        )


@group.rule(
    "P002",
    "thin-wall",
    severity="error",
    summary="walls thinner than the printer's minimum, sampled by inward rays",
    fix="Thicken the thin parts (Blender: Solidify modifier, or scale the model up; "
    "3D Print Toolbox > Thickness shows them), or print with a finer process and lower "
    "min_thickness.",
    targets=("print",),
    params={
        "min_thickness": DEFAULT_MIN_THICKNESS,
        "max_thin_share": 0.001,
        "samples": DEFAULT_SAMPLES,
        "seed": 0,
        "unitless_unit": "m",
    },
    ranges={
        "min_thickness": AT_LEAST_ZERO,
        "max_thin_share": SHARE,
        "samples": Range(1.0),
        "seed": AT_LEAST_ZERO,
    },
)
def thin_wall(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A wall thinner than the printer's minimum (0.8 mm by default: two perimeters of a
    0.4 mm FDM nozzle, the figure printing services publish) is dropped by the slicer or
    prints too weak to survive support removal. Thickness is measured in the scene's
    metres, as printed: points are sampled on the surface in proportion to area and a
    ray is cast inward from each; the distance to where it leaves the solid, through a
    side facing the sample's within 30 degrees, is the wall there (a ray that leaves
    through the neighbouring side of a blunter edge measures the edge, not a wall). The
    rule fails when more than max_thin_share of the samples (0.1% by default, so a
    single needle tip does not fail a print, but a thin wall always does) are thinner
    than min_thickness. Rays that escape through no face, or enter a surface instead of
    leaving one, show an open, inside-out or badly wound surface (see G003, G004, G005)
    and are left out. Files that state no units (STL, OBJ) are read in unitless_unit (the
    print pack says millimetres, as slicers do), and the message says so."""
    limit = float(ctx.params["min_thickness"])
    max_share = float(ctx.params["max_thin_share"])
    factor, assumption = _unitless_factor(asset, ctx.params["unitless_unit"])
    for index, mesh, label in iter_meshes(asset):
        if not mesh.triangle_count:
            continue
        try:
            measured = _measurements(asset, index, ctx)
        except ThicknessUnavailable as exc:
            yield ctx.finding(str(exc), subject=label, subject_type="mesh", severity="info")
            return
        world, result = min(measured, key=lambda m: _sort_key(m[1]))
        if not result.samples:  # no face with an area: nothing to print (see G006, G009)
            continue
        lost = result.missed + result.entered
        if not result.measured and not lost:  # every ray crossed a blunt edge: no wall
            continue
        if not result.measured:
            yield ctx.finding(
                f"wall thickness not measured: all {result.samples:,} inward rays escaped "
                "or entered another surface (open, inside-out or inconsistently wound mesh; "
                "see G003, G004, G005)",
                subject=label,
                subject_type="mesh",
                severity="warning",
            )
            continue
        share = result.share_below(limit / factor)
        if share <= max_share:
            continue
        thin = int(np.count_nonzero(result.thickness * factor < limit))
        point = result.thinnest_point
        escaped = (
            f" ({lost / result.samples:.0%} of rays not measured: open or inside-out parts)"
            if lost > 0.01 * result.samples
            else ""
        )
        yield ctx.finding(
            f"thinnest wall {result.minimum * factor * 1000:.2f} mm at {_point(point)} "
            f"{'file units' if assumption else 'm'}, below {limit * 1000:.2g} mm; "
            f"{_share(share)} of samples thinner (limit {_share(max_share)}){escaped}"
            f"{assumption}",
            subject=label,
            subject_type="mesh",
            count=thin,
            value=result.minimum * factor,
            limit=limit,
            sample={"faces": [result.thinnest_face]},
            location=transform_points(point[None], np.linalg.inv(world))[0],
        )


def _unitless_factor(asset: Asset, unit: str) -> tuple[float, str]:
    """Metres per file unit for a file that states no units (the unit S007 states, the
    one every S rule reads it in), and the note saying so when it is not metres."""
    assumed = assumed_unit(asset, unit)
    if assumed is None or assumed.unit == "m":
        return 1.0, ""
    return assumed.factor, f"; {assumed.note}"


def _share(x: float) -> str:
    """12.4%, 0.105%: enough digits to tell a share from a limit just below it."""
    return f"{x * 100:.3g}%"


def _sort_key(result: ThicknessResult) -> float:
    """Thinnest first; unmeasured results last."""
    return result.minimum if result.measured else np.inf


def _measurements(
    asset: Asset, index: int, ctx: RuleContext
) -> list[tuple[np.ndarray, ThicknessResult]]:
    """(world matrix, thickness with points in that world) for every instance of a mesh
    whose stretch differs. An instance's linear part is a rotation (perhaps a mirror)
    times a stretch (polar decomposition); only the stretch changes distances, so the
    measurement is made once per stretch, on stretched but unrotated positions (which
    keeps the winding outward even under a mirror), and memoised on the mesh."""
    mesh = asset.meshes[index]
    samples, seed = int(ctx.params["samples"]), int(ctx.params["seed"])
    measured: dict[tuple, tuple[np.ndarray, ThicknessResult]] = {}
    for world in _instances(asset, index):
        u, s, vt = np.linalg.svd(world[:3, :3])
        stretch, rotation = (vt.T * s) @ vt, u @ vt
        key = ("wall_thickness", np.round(stretch, 9).tobytes(), samples, seed)
        if key in measured:
            continue
        result = mesh.cache.get(key)
        if result is None:
            points = mesh.positions.astype(np.float64)
            # instances are told apart by their stretch to 9 digits (the key), so a
            # stretch that rounds to none leaves the positions as they are; multiplying
            # 1M vertices by the identity cost 0.2 s of CPU
            if not np.array_equal(np.round(stretch, 9), np.eye(3)):
                with np.errstate(invalid="ignore", over="ignore"):  # NaN corners: not sampled
                    points = points @ row_matrix(stretch)
            result = mesh.cache[key] = wall_thickness(points, mesh.triangles, samples, seed)
        placed = result.points @ row_matrix(rotation) + world[:3, 3]
        measured[key] = (world, dataclasses.replace(result, points=placed))
    return list(measured.values())
