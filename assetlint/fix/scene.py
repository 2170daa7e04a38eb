"""Fixes on the whole scene: units and size, axes, pivot."""

from __future__ import annotations

import numpy as np

from assetlint import categories
from assetlint.fix import FixContext, fix
from assetlint.model import Asset, conversion_matrix
from assetlint.rules.orientation import (
    facing,
    facing_direction,
    facing_fault,
    lying_flat,
    lying_pose,
    up_rotation,
    y_rotation,
)
from assetlint.rules.scale import UNITS, assumed_unit, format_length, measure, scale_evidence


def read_as_target(asset: Asset, ctx: FixContext) -> list[str]:
    """Give a file that states no units or axes (STL, OBJ) the ones the target reads it
    with: the unit S007 states (the S rules' ``unitless_unit`` when the size is plausible
    in it, as :func:`~assetlint.rules.scale.assumed_unit` decides) and O008's
    ``unitless_up`` (millimetres and Z up for printing), so that the model holds true
    metres and +Y up before anything is fixed and every writer can state its frame. Not a
    repair: the same file written back in the same format is unchanged, unless it was read
    in another unit than the target's (a 0.6-unit OBJ is 0.6 m, not 0.6 mm, for print):
    then it is written in the target's unit, which is the repair."""
    preferred = ctx.param("S001", "unitless_unit") or "m"
    assumed = assumed_unit(asset, preferred)
    if assumed is None:
        return []
    unit = assumed.unit
    up = ctx.param("O008", "unitless_up") or ctx.param("S004", "unitless_up") or "+Y"
    asset.convert_to_canonical(conversion_matrix(UNITS[unit], up))
    asset.authored.meters_per_unit = UNITS[unit]
    asset.authored.up_axis = up
    changes = []
    if unit != preferred:
        changes.append(f"read {asset.format.upper()} in {unit}, {up} up: {assumed.statement}")
    elif unit != "m" or up != "+Y":
        changes.append(f"read {asset.format.upper()} in {unit}, {up} up, as the target does")
    return changes


def rotate_scene(asset: Asset, rotation: np.ndarray) -> None:
    """Rotate the whole scene about the centre of its bounds: root node transforms (and
    every world transform) are premultiplied, mesh data and hierarchy stay as they are."""
    bounds = asset.bounds()
    centre = np.zeros(3) if bounds is None else bounds.mean(axis=0)
    move = np.eye(4)
    move[:3, :3] = rotation
    move[:3, 3] = centre - rotation @ centre
    _move_roots(asset, move)


@fix(
    "orientation",
    ("O010", "O011"),
    "stand a lying object up (the rotation O010 names), then turn it to face the target's "
    "front (O011)",
)
def fix_orientation(asset: Asset, ctx: FixContext) -> list[str]:
    """Rotate an object that O010 found lying so that the end it stands on is at the
    bottom; when O010 could not tell which end that is, nothing is rotated (a wrong guess
    would turn it upside down). Then, when O011 found it facing away from the target's
    front, turn it about the vertical axis; only when O011 knew which end is the front
    (with the sign uncertain, a turn could leave it facing backwards). An object that lay
    is turned only on a second run: its facing was not judged before it stood."""
    changes = []
    pose = lying_pose(asset) if "O010" in ctx.running else None
    if pose is not None and pose.base != 0.0:
        rotation, how = up_rotation(pose.axis)
        rotate_scene(asset, rotation)
        changes.append(f"{how}: it lay on its {'side' if pose.kind == 'side' else 'back or front'}")
    flat = lying_flat(asset) if "O010" in ctx.running and pose is None else None
    if flat is not None:
        rotation, how = up_rotation(flat.axis)
        rotate_scene(asset, rotation)
        changes.append(f"{how}: it lay flat, its length along Z (a Z-up generator's frame)")
    # O011 does not judge an object that lies: once this step stood it up, it is judged
    # here as the rule would, when the lint ran the rule, so one run also turns it
    if "O011" not in ctx.running and not (changes and "O011" in ctx.judged):
        return changes
    face = facing(asset)
    turn = facing_fault(asset, ctx.param("O011", "expected_front") or "")
    if face is None or turn is None or not turn.sign:
        return changes
    rotate_scene(asset, y_rotation(turn.degrees))
    judged = "" if "O011" in ctx.running else " (O011, judged once it stood)"
    return changes + [
        f"rotate {turn.degrees:+.0f}° about Y: it faced {facing_direction(face.axis)}{judged}"
    ]


def _scale(asset: Asset, factor: float) -> None:
    """Scale geometry and node translations (not node scales, which S005 would flag)."""
    matrix = np.eye(4)
    matrix[:3, :3] *= factor
    asset.convert_to_canonical(matrix)


@fix(
    "units",
    ("S001", "S002"),
    "scale to the size stated (--size/--height), to the category's typical size "
    "(--category), or undo a unit slip",
)
def fix_units(asset: Asset, ctx: FixContext) -> list[str]:
    """With a stated size, scale uniformly so that the largest dimension (or the height) is
    that size; with a category whose range S001 found the size outside, scale the largest
    dimension to the category's typical size; otherwise undo the unit slip S002 named
    first. S001 and S006 without a stated size or category are left alone: only the user
    knows how big the object is. Each change says which it followed."""
    bounds = asset.bounds()
    if bounds is None:
        return []
    extents = bounds[1] - bounds[0]
    if ctx.height is not None or ctx.size is not None:
        current = float(extents[1] if ctx.height is not None else extents.max())
        wanted = float(ctx.height if ctx.height is not None else ctx.size)  # type: ignore[arg-type]
        if current <= 0 or np.isclose(current, wanted, rtol=1e-6):
            return []
        what = "height" if ctx.height is not None else "largest dimension"
        flag = "--height" if ctx.height is not None else "--size"
        _scale(asset, wanted / current)
        return [
            f"scaled by {wanted / current:.6g}: {what} {format_length(current)} -> "
            f"{format_length(wanted)}, as stated ({flag})"
        ]
    if ctx.category is not None and ctx.found("S001"):
        category = categories.lookup(ctx.category)
        current = float(extents.max())
        if current <= 0:
            return []
        _scale(asset, category.typical / current)
        return [
            f"scaled by {category.typical / current:.6g}: largest dimension "
            f"{format_length(current)} -> {format_length(category.typical)}, the typical size "
            f"of the category (--category {category.name}: {category.describe()})"
        ]
    if not ctx.found("S002"):
        return []
    from assetlint.rules.scale import size_verdict

    params = {**ctx.rules["S002"].params, **ctx.params.get("S002", {})}
    measured = measure(asset, params["unitless_unit"])
    if measured is None:
        return []
    verdict = size_verdict(measured.size, params)
    if not verdict.slips:
        return []
    written, read = verdict.slips[0]
    factor = UNITS[written] / UNITS[read]
    _scale(asset, factor)
    return [
        f"scaled by {factor:.6g}: numbers written in {written} had been read as {read} "
        f"({format_length(measured.size)} -> {format_length(measured.size * factor)})"
    ]


@fix("axes", ("O001",), "write the up axis the target expects")
def fix_axes(asset: Asset, ctx: FixContext) -> list[str]:
    """The model is already +Y up (loaders convert); this records the target's up axis so
    that the writer states it (USD can be Y or Z up; glTF is always Y up)."""
    expected = ctx.param("O001", "expected_up")
    authored = asset.authored.up_axis
    if not expected or authored == expected or not ctx.found("O001"):
        return []
    asset.authored.up_axis = expected
    return [f"up axis {authored} -> {expected}"]


def _move_roots(asset: Asset, move: np.ndarray) -> None:
    """Premultiply every world transform and the roots' local ones by ``move``."""
    for node in asset.nodes:
        node.world = move @ node.world
        if node.parent is None:
            node.local = move @ node.local


@fix("pivot", ("O003", "O004", "O007"), "move the origin to the bottom centre or centre")
def fix_pivot(asset: Asset, ctx: FixContext) -> list[str]:
    """Translate the roots so that the bottom centre (or the centre, per the target's
    O003 ``expected``) of the bounds is the origin; mesh data and hierarchy stay as
    they are. Not when S006 found no real-world scale, no size or category was stated,
    and the move would erase S006's only evidence (a Tripo file's names and its centring
    in height; grounded, it cannot be told from Meshy's real-size output): a fix must not
    hide a defect it did not repair."""
    bounds = asset.bounds()
    if bounds is None:
        return []
    expected = ctx.param("O003", "expected") or "bottom-center"
    point = bounds.mean(axis=0)
    if expected == "bottom-center":
        point[1] = bounds[0, 1]
    if np.allclose(point, 0.0, atol=1e-9 * max(float(np.ptp(bounds, axis=0).max()), 1e-30)):
        return []
    move = np.eye(4)
    move[:3, 3] = -point
    _move_roots(asset, move)
    where = "bottom centre" if expected == "bottom-center" else "centre"
    s006 = {**ctx.rules["S006"].params, **ctx.params.get("S006", {})} if "S006" in ctx.rules else {}
    unstated = ctx.size is None and ctx.height is None and ctx.category is None
    if s006 and unstated and ctx.found("S006") and scale_evidence(asset, s006) is None:
        _move_roots(asset, np.linalg.inv(move))
        return [
            f"not moved: with the {where} at the origin nothing would show any more that it "
            "has no real-world scale (S006's evidence rests on its centring); state its size "
            "(--size) or --category, and fix scales and moves it"
        ]
    return [
        f"moved by ({-point[0]:.4g}, {-point[1]:.4g}, {-point[2]:.4g}) m: the {where} is the origin"
    ]
