"""Scale and unit rules (S): is the asset as big as the thing it depicts, in the units the
destination works in?

Sizes are world-space bounds in metres (every instance, finite vertices only); "size" is
the largest extent of the bounding box, so it does not depend on how the object lies.
Formats without units (STL, OBJ) are read by the loaders as metres; rules take a
``unitless_unit`` parameter that says what such files are assumed to be in (the print
pack says millimetres) and name that assumption in their messages.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from assetlint import categories
from assetlint.findings import Finding
from assetlint.model import UNITLESS_FORMATS, Asset
from assetlint.plugins import hookimpl
from assetlint.rules import ABOVE_ZERO, AT_LEAST_ZERO, SHARE, Range, RuleContext, RuleGroup

group = RuleGroup(family="scale", stage="engine import")


@hookimpl
def assetlint_rules():
    return group.rules


# Metres per unit of the units people author in.
UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "ft": 0.3048}
UNIT_NAMES = {
    "m": "metres",
    "cm": "centimetres",
    "mm": "millimetres",
    "in": "inches",
    "ft": "feet",
}
# Positions are float32: sizes within this relative error of a limit are at the limit.
FLOAT_SLACK = 1e-6

# Unit slips to look for, as (unit the numbers were written in, unit they were read as).
# The factors 10, 100, 1000 and 2.54, each way, plus inches <-> metres (FBX
# exports from inch-based scenes). A size off by measured/true = read/written is explained.
SLIPS = [
    ("mm", "m"),
    ("cm", "m"),
    ("mm", "cm"),
    ("m", "mm"),
    ("m", "cm"),
    ("cm", "mm"),
    ("cm", "in"),
    ("in", "cm"),
    ("in", "m"),
    ("m", "in"),
]


def unit_name(meters_per_unit: float) -> str:
    """'centimetres' for 0.01; '0.5 m per unit' for anything unnamed."""
    for key, value in UNITS.items():
        if math.isclose(meters_per_unit, value, rel_tol=1e-6):
            return UNIT_NAMES[key]
    return f"{meters_per_unit:g} m per unit"


@dataclass(frozen=True)
class Measured:
    """The asset's bounding-box extents in metres, and the unit assumption behind them."""

    extents: np.ndarray  # (3,) x, y, z in metres
    assumption: str  # "" or "STL read in millimetres" (S007 states it in full)

    @property
    def size(self) -> float:
        return float(self.extents.max())


def vertical_axis(asset: Asset, unitless_up: str) -> tuple[int, str]:
    """Which canonical axis is up (1 = Y, as loaded, or 2 = Z), and the assumption named:
    files that state no axes (STL, OBJ) are read as ``unitless_up`` ("+Z" for printing,
    as slicers read them)."""
    if unitless_up not in ("+Y", "+Z"):
        raise ValueError(f"unitless_up must be '+Y' or '+Z', not {unitless_up!r}")
    if unitless_up == "+Z" and asset.authored.up_axis is None and asset.format in UNITLESS_FORMATS:
        return 2, f"{asset.format.upper()} states no axes; read Z up"
    return 1, ""


# The sizes an object read from a unitless file may plausibly have: from the 2 mm
# minimum feature an FDM printer makes (the print pack's min_size, hycubeworks.in design
# guide) to S001's default plausible maximum, 100 m. A reading outside it means the
# numbers are in another unit.
UNITLESS_RANGE = (0.002, 100.0)
# The units tried, after the target's own, when its reading is implausible: metres first
# (glTF-minded tools and generators write metres into OBJ/STL/PLY), then millimetres
# (CAD and slicers), centimetres, inches.
UNIT_PREFERENCE = ("m", "mm", "cm", "in")


@dataclass(frozen=True)
class AssumedUnit:
    """The one unit a unitless file is read in, for every rule and report."""

    unit: str  # a key of UNITS
    statement: str  # "OBJ states no units; read as millimetres: 89.6 mm across", for S007
    note: str  # "OBJ read in millimetres", for the other messages

    @property
    def factor(self) -> float:
        """Metres per file unit."""
        return UNITS[self.unit]

    def length(self, number: float) -> str:
        """A length the file gives as ``number`` (file units), in the assumed unit."""
        return f"{number:.4g} {self.unit}"


def assumed_unit(asset: Asset, preferred: str) -> AssumedUnit | None:
    """The unit a file that cannot state one (STL, OBJ) is read in: the target's
    ``preferred`` unit (the print pack's millimetres, as slicers read them; metres
    elsewhere) when the size it gives lies in :data:`UNITLESS_RANGE`, else the first of
    :data:`UNIT_PREFERENCE` whose reading does, else the preferred unit after all. None for
    a file that states its unit (or has no geometry). The same file and target always get
    the same unit, so S001, S002, S004, S007, G003 and P002 speak of one object."""
    if preferred not in UNITS:
        raise ValueError(f"unitless_unit {preferred!r} is not one of {sorted(UNITS)}")
    if not asset.unitless:
        return None
    bounds = asset.bounds()
    if bounds is None:
        return None
    size = float((bounds[1] - bounds[0]).max())
    lo, hi = UNITLESS_RANGE
    order = [preferred, *(u for u in UNIT_PREFERENCE if u != preferred)]
    unit = next(
        (u for u in order if lo * (1 - FLOAT_SLACK) <= size * UNITS[u] <= hi * (1 + FLOAT_SLACK)),
        preferred,
    )
    statement = (
        f"{asset.format.upper()} states no units; read as {UNIT_NAMES[unit]}: "
        f"{_in_unit(size, unit)} across"
    )
    if unit != preferred:
        statement += (
            f" (in {UNIT_NAMES[preferred]}, the target's reading, it would be "
            f"{_in_unit(size, preferred)})"
        )
    return AssumedUnit(unit, statement, f"{asset.format.upper()} read in {UNIT_NAMES[unit]}")


def _in_unit(number: float, unit: str) -> str:
    """A file's number as a length in ``unit`` ('89.6 mm'); metres as a person says them."""
    if unit == "m":
        return format_length(number)
    return f"{number:.4g} {unit}"


def measure(asset: Asset, unitless_unit: str) -> Measured | None:
    """Extents in metres, reading a file that states no units in the unit
    :func:`assumed_unit` picks (``unitless_unit`` first); None for an asset without
    finite geometry."""
    bounds = asset.bounds()
    if bounds is None:
        return None
    extents = bounds[1] - bounds[0]
    assumed = assumed_unit(asset, unitless_unit)
    if assumed is None:
        return Measured(extents, "")
    return Measured(extents * assumed.factor, assumed.note)


def format_length(metres: float) -> str:
    """A length in the unit a person would say it in."""
    if metres >= 1.0 or metres == 0.0:
        return f"{metres:.3g} m"
    if metres >= 0.01:
        return f"{metres * 100:.3g} cm"
    return f"{metres * 1000:.3g} mm"


@dataclass(frozen=True)
class SizeVerdict:
    """How the measured size compares with the reference (a stated size or a range)."""

    size: float
    reference: str  # "expected about 0.3 m" or "plausible 0.01 m to 100 m"
    ratio: float  # measured / reference (1 when inside a range)
    slips: list[tuple[str, str]]  # unit slips that bring the size back to the reference

    @property
    def off(self) -> bool:
        return self.ratio != 1.0


def size_verdict(size: float, params: dict) -> SizeVerdict:
    """Compare a size with ``expected_size`` (within ``tolerance`` either way) when given,
    else with the range of the ``category`` when one is named, else with the plausible
    range [``min_size``, ``max_size``]; list the unit slips that would explain a mismatch,
    best first."""
    expected = float(params.get("expected_size") or 0.0)
    tolerance = float(params["tolerance"])
    category = params.get("category") or ""
    if expected > 0:
        lo, hi = expected / tolerance, expected * tolerance
        reference = f"expected about {format_length(expected)}"
        target = expected
    elif category:
        cat = categories.lookup(category)
        lo, hi, target = cat.min_size, cat.max_size, cat.typical
        reference = f"outside {cat.describe()}"
    else:
        lo, hi = float(params["min_size"]), float(params["max_size"])
        reference = f"plausible {format_length(lo)} to {format_length(hi)}"
        target = math.sqrt(lo * hi)
    lo, hi = lo * (1 - FLOAT_SLACK), hi * (1 + FLOAT_SLACK)
    if lo <= size <= hi:
        return SizeVerdict(size, reference, 1.0, [])
    fits = []
    for written, read in SLIPS:
        factor = UNITS[read] / UNITS[written]  # measured / true
        true = size / factor
        if lo <= true <= hi:
            fits.append((abs(math.log(true / target)), written, read))
    fits.sort()
    return SizeVerdict(size, reference, size / target, [(w, r) for _, w, r in fits])


def real_size(size: float, params: dict) -> bool:
    """Whether a size outside the target's range is still one a real object has, when it
    is measured against the target's range rather than a stated size or category: a
    1.73 m character in a glTF (metres by its spec) is too big for a desktop printer, not
    inches read as metres. The same holds for a file without units read in the unit
    :func:`assumed_unit` picks, so the object fix writes as an STL in millimetres gets the
    verdict its glTF got."""
    if float(params.get("expected_size") or 0.0) > 0 or params.get("category"):
        return False
    lo = min(WORLD_RANGE[0], float(params["min_size"])) * (1 - FLOAT_SLACK)
    hi = max(WORLD_RANGE[1], float(params["max_size"])) * (1 + FLOAT_SLACK)
    return lo <= size <= hi


def _slip_text(slips: list[tuple[str, str]], size: float) -> str:
    """The two likeliest slips, in words."""
    parts = []
    for written, read in slips[:2]:
        true = size * UNITS[written] / UNITS[read]
        parts.append(
            f"{UNIT_NAMES[written]} read as {UNIT_NAMES[read]} (would be {format_length(true)})"
        )
    return " or ".join(parts)


# The sizes real objects people model have, from about 1 cm to 100 m (default.toml's
# range). A target may narrow its own plausible range (print: at most 1 m, a desktop
# printer's reach), but a size inside this one is a real object's, which no unit slip
# explains (S002 leaves it to S001).
WORLD_RANGE = (0.01, 100.0)

SIZE_PARAMS = {
    "min_size": WORLD_RANGE[0],
    "max_size": WORLD_RANGE[1],
    "expected_size": 0.0,
    "tolerance": 1.5,
    "category": "",
    "unitless_unit": "m",
}
SIZE_RANGES = {
    "min_size": ABOVE_ZERO,
    "max_size": ABOVE_ZERO,
    "expected_size": AT_LEAST_ZERO,  # 0: not stated
    "tolerance": Range(1.0),  # a factor either way
}
# S001 and S002 heed S006's evidence of a generator's cube with S006's settings
CUBE_SETTINGS = dict.fromkeys(
    (
        "normalized_extents",
        "short_of_cube",
        "beyond_cube",
        "centre_tolerance",
        "primitive_tolerance",
        "placed_tolerance",
    ),
    "S006",
)


@group.rule(
    "S001",
    "implausible-size",
    severity="warning",
    summary="the asset's size is outside the target's plausible range, or far from the "
    "size stated for it",
    fix="Scale the asset to its real size in the source tool (or state the real size with "
    "--size if assetlint's range is wrong for this object).",
    targets=("game", "web", "print"),
    params=SIZE_PARAMS,
    ranges=SIZE_RANGES,
    shared=CUBE_SETTINGS,
)
def implausible_size(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Engines, AR viewers and slicers take the asset's numbers as real sizes: a chair 40 m
    tall breaks physics, lighting and placement, and one 4 mm tall cannot be seen. Image-to-
    3D generators output normalized sizes (often a unit cube) that say nothing about the
    real object. The size is the largest bounding-box extent; it is checked against
    ``expected_size`` (within ``tolerance`` times either way) when the user states it
    (--size), else against the range of the ``category`` the user names (--category:
    see assetlint/categories.py for the ranges and their sources), else against the
    target's plausible range. Mismatches a unit slip explains are reported by S002
    instead (but not a size some real object has, see :func:`real_size`),
    unless the asset is a generator's output fitted into its cube (S006's evidence):
    then the cube, not a unit, is why the size is wrong, and S001 says so."""
    measured = measure(asset, ctx.params["unitless_unit"])
    if measured is None:
        return
    verdict = size_verdict(measured.size, ctx.params)
    cube = fitted_cube(asset, ctx.params)
    slipped = verdict.slips and cube is None and not real_size(measured.size, ctx.params)
    if not verdict.off or slipped:
        return
    note = f" ({measured.assumption})" if measured.assumption else ""
    if cube is not None:
        note += f": the size of the {cube:g}-unit cube a generator fitted it into"
    expected = float(ctx.params["expected_size"] or 0.0)
    if not expected and ctx.params["category"]:
        cat = categories.lookup(ctx.params["category"])
        bound = cat.max_size if verdict.ratio > 1 else cat.min_size
    else:
        bound = ctx.params["max_size"] if verdict.ratio > 1 else ctx.params["min_size"]
    yield ctx.finding(
        f"{format_length(measured.size)} across, {verdict.reference}{note}",
        subject_type="scene",
        value=measured.size,
        limit=expected or float(bound),
    )


@group.rule(
    "S002",
    "unit-confusion",
    severity="warning",
    summary="the asset's size is off by a unit factor (10, 100, 1000, 2.54...): numbers "
    "written in one unit and read in another",
    fix="Re-export with the right unit setting (Blender: Unit Scale / Apply Scalings; FBX: "
    "file units), or scale by the factor named.",
    targets=("game", "web", "print"),
    params=SIZE_PARAMS,
    ranges=SIZE_RANGES,
    shared=CUBE_SETTINGS,
)
def unit_confusion(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """The commonest scale bug is not a wrong size but a wrong unit: a model written in
    millimetres and read as metres is 1000 times too big, one in centimetres read as inches
    2.54 times. When the size is implausible (or far from the stated size) and dividing
    it by such a factor makes it plausible, the finding names the slip: the two that land
    nearest the stated size (or the middle of the range, geometrically) first.
    The factors tried are 10, 100 and 1000 (mm, cm, m), 2.54 (in, cm) and 39.37 (in, m),
    each way. A generator's output fitted into its 1- or 2-unit cube (S006's evidence) is
    left to S001: no unit slip made it that size."""
    measured = measure(asset, ctx.params["unitless_unit"])
    if measured is None:
        return
    verdict = size_verdict(measured.size, ctx.params)
    if (
        not (verdict.off and verdict.slips)
        or fitted_cube(asset, ctx.params) is not None
        or real_size(measured.size, ctx.params)
    ):
        return
    note = f"; {measured.assumption}" if measured.assumption else ""
    yield ctx.finding(
        f"{format_length(measured.size)} across, {verdict.reference}: looks like "
        f"{_slip_text(verdict.slips, measured.size)}{note}",
        subject_type="scene",
        value=measured.size,
    )


@group.rule(
    "S003",
    "authored-units",
    severity="info",
    summary="the file's unit differs from the unit the target works in",
    fix="Export in the target's unit, or check that the importer's unit conversion is on "
    "(Unity: Convert Units; Unreal: Convert Scene Unit).",
    targets=("game", "web"),
    params={"expected_unit": "m"},
)
def authored_units(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Importers rescale a file whose unit differs from the engine's, but only when the
    file states its unit and the conversion option is on; FBX files from centimetre and
    inch scenes are the classic source of assets 100 or 39.37 times too big or small, and
    of a scale of 100 left on the root node. Files that state no unit are not judged here
    (their size is, by S001/S002)."""
    expected = ctx.params["expected_unit"]
    mpu = asset.authored.meters_per_unit
    if mpu is None or expected not in UNITS:
        return
    if math.isclose(mpu, UNITS[expected], rel_tol=1e-6):
        return
    factor = mpu / UNITS[expected]
    yield ctx.finding(
        f"authored in {unit_name(mpu)}; the target works in {UNIT_NAMES[expected]}, so the "
        f"importer must scale by {factor:g}",
        subject_type="file",
        value=mpu,
        limit=UNITS[expected],
    )


@group.rule(
    "S004",
    "build-volume",
    severity="error",
    summary="the model does not fit the printer's build volume at its stated size",
    fix="Scale the model down, split it into parts that fit, or print on a larger machine.",
    targets=("print",),
    params={"build_volume_mm": [220.0, 220.0, 250.0], "unitless_unit": "mm", "unitless_up": "+Y"},
    ranges={"build_volume_mm": ABOVE_ZERO},
)
def build_volume(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """A slicer refuses a model larger than the printer's bed and height. The model is
    judged standing as it is (canonical +Y up is the printer's Z), with its footprint free
    to turn 90 degrees on the bed; if it fits only lying another way, the message says so.
    STL and OBJ carry no units or axes, so their size and height depend on the assumptions
    the message names (``unitless_unit`` and ``unitless_up``; the print pack reads them in
    millimetres, Z up, as slicers do)."""
    measured = measure(asset, ctx.params["unitless_unit"])
    if measured is None:
        return
    up, axes_note = vertical_axis(asset, ctx.params["unitless_up"])
    across = [i for i in range(3) if i != up]
    vx, vy, vz = (float(v) * (1 + FLOAT_SLACK) for v in ctx.params["build_volume_mm"])
    mm = measured.extents * 1000.0
    w, d, h = (float(mm[i]) for i in (across[0], across[1], up))
    upright = h <= vz and ((w <= vx and d <= vy) or (w <= vy and d <= vx))
    if upright:
        return
    volume = " x ".join(f"{float(v):g}" for v in ctx.params["build_volume_mm"]) + " mm"
    dims = (w, d, h)
    other = any(
        dims[i] <= vx and dims[j] <= vy and dims[k] <= vz
        for i, j, k in permutations(range(3))
        if k != 2
    )
    hint = "; it fits if laid on another side" if other else ""
    notes = "; ".join(n for n in (measured.assumption, axes_note) if n)
    note = f" ({notes})" if notes else ""
    yield ctx.finding(
        f"{w:.1f} x {d:.1f} mm footprint, {h:.1f} mm tall does not fit the build volume "
        f"{volume}{hint}{note}",
        subject_type="scene",
        value=max(w, h, d),
        limit=max(float(v) for v in ctx.params["build_volume_mm"]),
    )


# Scale factors that are unit conversions (metres per unit, and their inverses).
_UNIT_FACTORS = {
    f: f"{UNIT_NAMES[a]} to {UNIT_NAMES[b]}"
    for a in UNITS
    for b in UNITS
    if a != b
    for f in [UNITS[a] / UNITS[b]]
}


@group.rule(
    "S005",
    "unit-scale-on-node",
    severity="warning",
    summary="a mesh node scaled by a unit factor (100, 0.01, 2.54...): a unit conversion left "
    "on the transform",
    fix="Apply the scale in the source tool (Blender: Apply > All Transforms; FBX export: "
    "Apply Scalings: FBX Units Scale) so that the node's scale is 1.",
    targets=("game", "web"),
    params={"factor_tolerance": 0.001},
    ranges={"factor_tolerance": AT_LEAST_ZERO},
)
def unit_scale_on_node(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """The FBX unit pitfall: an exporter converts units by scaling the root node instead of
    the vertices, so the asset has the right size but every node under that root carries a
    scale of 100 (or 0.01, 2.54...). Engines keep that scale on the imported transform:
    physics, instancing and any script that sets the scale to 1 break, and re-exports
    compound it. Judged on each mesh node's uniform world scale, within
    ``factor_tolerance`` (relative) of a conversion between metres, centimetres,
    millimetres, inches and feet."""
    tol = float(ctx.params["factor_tolerance"])
    found: dict[float, list[str]] = {}
    scales: dict[float, float] = {}
    for index, node in enumerate(asset.nodes):
        if node.mesh is None:
            continue
        linear = node.world[:3, :3]
        scale = float(np.cbrt(abs(np.linalg.det(linear))))
        if scale <= 0 or not np.allclose(linear.T @ linear, np.eye(3) * scale**2, rtol=1e-4):
            continue  # non-uniform scales are O006's
        for factor in _UNIT_FACTORS:
            if math.isclose(scale, factor, rel_tol=tol):
                found.setdefault(factor, []).append(node.name or f"node #{index}")
                scales.setdefault(factor, scale)
                break
    for factor, names in found.items():
        listed = ", ".join(repr(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
        which = (
            f"node {listed} is" if len(names) == 1 else f"{len(names)} mesh nodes ({listed}) are"
        )
        yield ctx.finding(
            f"{which} scaled by {scales[factor]:.4g}, the conversion from "
            f"{_UNIT_FACTORS[factor]}: a unit conversion left on the transform",
            subject=names[0],
            subject_type="node",
            count=len(names),
            value=scales[factor],
            limit=1.0,
        )


# What image-to-3D pipelines leave in their files: (where, pattern, words, specific).
# A specific sign names a commercial generator whose output has no fixed cube (Tripo's
# and Meshy's prefixes): with it, a box centred in height is evidence whatever its size.
# The others support the geometric evidence only: trimesh and pygltflib are general
# libraries most open-source generators export with, and Hunyuan3D's temporary-file node
# names come with its 2-unit cube, which the geometry already shows.
_PIPELINE_SIGNS = (
    ("generator", re.compile(r"trimesh", re.I), "written by trimesh", False),
    ("generator", re.compile(r"pygltflib", re.I), "written by pygltflib", False),
    (
        "name",
        re.compile(r"^tmp[a-z0-9_]{6,}\.(ply|obj|glb|off)$", re.I),
        "a mesh named after a temporary file ({})",
        False,
    ),
    ("name", re.compile(r"^tripo_", re.I), "Tripo's names ({})", True),
    ("name", re.compile(r"^meshy_", re.I), "Meshy's names ({})", True),
)


def _names(asset: Asset) -> list[str]:
    """The names a file gives itself and its parts: file, nodes, meshes, materials, then
    its folder (generators name their files mesh.glb; people name the folder)."""
    names = [asset.path.stem, *(n.name for n in asset.nodes), *(m.name for m in asset.meshes)]
    names += [m.name for m in asset.materials] + [asset.path.parent.name]
    return [n for n in names if n]


def pipeline_signs(asset: Asset) -> list[tuple[str, bool]]:
    """What in the file says a generator pipeline wrote it, in words, and whether the sign
    names one generator (see ``_PIPELINE_SIGNS``)."""
    names = _names(asset)
    out = []
    for kind, pattern, text, specific in _PIPELINE_SIGNS:
        if kind == "generator":
            if asset.authored.generator and pattern.search(asset.authored.generator):
                out.append((text, specific))
        else:
            hit = next((n for n in names if pattern.search(n)), None)
            if hit is not None:
                out.append((text.format(hit), specific))
    return out


def suggested_category(asset: Asset) -> tuple[categories.Category, str] | None:
    """The category the file's names suggest, and the word that suggests it."""
    return categories.suggest(_names(asset))


@dataclass(frozen=True)
class Placement:
    """Where an asset's bounding box sits, in file units (the canonical metres before any
    unit assumption: a unitless OBJ of side 1.0 is a 1-unit cube however it is read)."""

    size: float  # largest extent
    offset: float  # largest |centre| over the three axes, as a fraction of the size
    height_offset: float  # |centre| on the up axis (Y), as a fraction of the size
    cube: float | None  # the generator cube side the size fits, if any
    primitive: bool  # three equal sides: a modelled cube or sphere
    grounded: bool  # bottom centre of the box exactly on the origin (a tool re-pivoted it)
    typed: bool  # every side a round fraction of the longest (see TYPED_FRACTION)
    fitted: float  # the size in the unit it fits the cube in (the size when none)
    fitted_units: str  # that unit, in words ("" for file units)


def placement(asset: Asset, params: dict) -> Placement | None:
    """The asset's size and centring against the generator cubes; None without geometry.
    A file without units (OBJ, STL) fits a cube in its own numbers, or in metres as read
    in ``unitless_unit`` (fix writes a 1-unit TripoSR OBJ for printing as 1002 mm)."""
    bounds = asset.bounds()
    if bounds is None:
        return None
    extents = bounds[1] - bounds[0]
    size = float(extents.max())
    if not size > 0:
        return None
    below, above = float(params["short_of_cube"]), float(params["beyond_cube"])
    sizes = [(size, "")]
    if asset.unitless and params.get("unitless_unit"):
        assumed = assumed_unit(asset, params["unitless_unit"])
        if assumed is not None and assumed.factor != 1.0:
            sizes.append((size * assumed.factor, f"m ({assumed.note})"))
    cube, fitted, fitted_units = next(
        (
            (float(c), s, words)
            for c in params["normalized_extents"]
            for s, words in sizes
            if c * (1 - below) <= s <= c * (1 + above)
        ),
        (None, size, ""),
    )
    centre = np.abs(bounds[0] + bounds[1]) / 2 / size
    tolerance = float(params["primitive_tolerance"])
    primitive = float(extents.min()) >= size * (1 - tolerance)
    steps = extents / size * TYPED_FRACTION
    typed = bool((np.abs(steps - np.round(steps)) <= tolerance * TYPED_FRACTION).all())
    # a side stated in whole millimetres (fix --size 0.9m, --height 1.75m) to float32
    # rounding: a generated side lands there by chance about once in 500 (1e-6 x 1 m / 1 mm)
    sides = extents * fitted / size / TYPED_LENGTH
    typed |= bool((np.abs(sides - np.round(sides)) <= TYPED_SLACK * sides).any())
    exact = float(params.get("placed_tolerance", NORMALIZATION["placed_tolerance"]))
    grounded = bool(centre[[0, 2]].max() <= exact and abs(float(bounds[0, 1])) <= exact * size)
    return Placement(
        size,
        float(centre.max()),
        float(centre[1]),
        cube,
        primitive,
        grounded,
        typed,
        fitted,
        fitted_units,
    )


# Modellers type sizes, in round fractions of one another (halves, quarters, eighths,
# sixteenths, tenths: all whole multiples of 1/80); a surface extracted from a voxel grid
# ends at arbitrary fractions of a voxel, so its three sides are never all such fractions
# of the longest to ``primitive_tolerance`` (a chance of about 1 in 4,000). Blender's
# 2 x 1 x 2 half cube resting on the grid is typed; a TripoSR robot's 0.394 x 0.446 x 1.002
# is not.
TYPED_FRACTION = 80
TYPED_LENGTH = 0.001  # a size typed by a person: whole millimetres (in metres as read)
TYPED_SLACK = 1e-6  # relative: float32 keeps 6e-8, and a 1-unit side is 1,000 mm


# How S006 recognizes a generator's cube (its parameters' defaults; derivations there).
NORMALIZATION = {
    "normalized_extents": [1.0, 2.0],
    "short_of_cube": 0.1,
    "beyond_cube": 0.03,
    "centre_tolerance": 0.06,
    "primitive_tolerance": 1e-4,
    "placed_tolerance": 1e-5,
}


def fitted_cube(asset: Asset, params: dict | None = None) -> float | None:
    """The side of the generator cube the asset was fitted into (centred, or re-pivoted
    to its exact bottom centre; not a primitive), or None: S006's geometric evidence,
    which S001 and S002 also heed."""
    found = placement(asset, params or NORMALIZATION)
    if found is None or found.primitive:
        return None
    centred = found.offset <= float((params or NORMALIZATION)["centre_tolerance"])
    if not centred and not (found.grounded and not found.typed):
        return None
    return found.cube


def _cube_text(size: float, cube: float, units: str) -> str:
    off = size / cube - 1
    if abs(off) < 5e-4:
        where = "exactly"
    else:
        where = f"{abs(off) * 100:.1f}% {'over' if off > 0 else 'short of'}"
    return (
        f"its longest side is {size:.4g} {units}, {where} the {cube:g}-unit cube generators "
        "fit their output into"
    )


def _frame(params: dict) -> tuple[float, float]:
    """The sizes a generator's output takes: from the smallest cube, ``short_of_cube``
    below, to the largest, ``beyond_cube`` above (0.9 to 2.06 units by default)."""
    extents = [float(c) for c in params["normalized_extents"]]
    return (
        min(extents) * (1 - float(params["short_of_cube"])),
        max(extents) * (1 + float(params["beyond_cube"])),
    )


def _in_frame(size: float, params: dict) -> bool:
    low, high = _frame(params)
    return low <= size <= high


def scale_evidence(asset: Asset, params: dict, found: Placement | None = None) -> list[str] | None:
    """S006's evidence that the asset carries no real-world size (see
    :func:`no_real_scale`), one phrase each, or None when there is none; ``params`` are
    S006's. `fix` asks it too, so that it does not erase evidence it cannot act on."""
    found = placement(asset, params) if found is None else found
    tolerance = float(params["centre_tolerance"])
    if found is None or found.primitive:
        return None
    grounded = found.grounded and not found.typed
    if found.height_offset > tolerance and not grounded:
        return None
    signs = pipeline_signs(asset)
    units = "units" if asset.unitless else "m"
    centred = found.offset <= tolerance
    if found.cube is not None and (centred or grounded):
        size_text = _cube_text(found.fitted, found.cube, found.fitted_units or units)
    elif any(specific for _, specific in signs) and found.height_offset <= tolerance:
        size_text = (
            f"its longest side, {found.size:.4g} {units}, is the generator's, not the object's"
        )
    elif signs and centred and _in_frame(found.fitted, params):
        low, high = _frame(params)
        size_text = (
            f"its longest side, {found.fitted:.4g} {found.fitted_units or units}, is within "
            f"the span of the generators' cubes ({low:.3g} to {high:.3g} units) though it fills "
            "none: an optimizing generator (DreamGaussian) frames the object for its orbiting "
            "camera, centred on the orbit"
        )
    else:
        return None
    if centred:
        where = "it is centred on the origin (half of it below the ground)"
    elif grounded:
        where = (
            "its bounding box stands exactly on the origin at its bottom centre, as a tool "
            "that moves the pivot leaves it (no scaling since)"
        )
    else:
        where = "its middle is at the origin's height (half of it below the ground)"
    return [size_text, where, *(text for text, _ in signs)]


@group.rule(
    "S006",
    "no-real-scale",
    severity="warning",
    summary="the asset carries no real-world size: a generator fitted it into a 1- or 2-unit "
    "cube centred on the origin",
    fix="State the object's real size: --size 1.75m (check) or fix --size 1.75m, or its "
    "category (--category chair) to be judged, and scaled by fix, against the category's "
    "range.",
    targets=("all",),
    params={**NORMALIZATION, "expected_size": 0.0, "category": "", "unitless_unit": "m"},
    ranges={
        "normalized_extents": ABOVE_ZERO,
        "short_of_cube": SHARE,
        "beyond_cube": AT_LEAST_ZERO,
        "centre_tolerance": AT_LEAST_ZERO,
        "primitive_tolerance": SHARE,
        "placed_tolerance": SHARE,
        "expected_size": AT_LEAST_ZERO,
    },
)
def no_real_scale(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """Image- and text-to-3D generators learn from objects normalized into a cube (TRELLIS,
    TripoSR, SF3D, SPAR3D, Point-E: side 1, [-0.5, 0.5]; Hunyuan3D, Shap-E, InstantMesh,
    UniRig: side 2, [-1, 1]) and extract the surface from a grid over that cube, so what
    they write is as big as the cube, whatever it depicts: a bike of 1 m, a fox of 2 m, a
    banana of 1 m. Engines, viewers and AR take those numbers as metres.

    The evidence is geometric: the longest side is within ``short_of_cube`` below to
    ``beyond_cube`` above a side in ``normalized_extents`` (on the 16 normalized files of
    the shared generated-real set: 0.909 to 1.026 of the cube; extraction ends a fraction
    of a voxel inside the cube, a few generators pad it by a voxel or two), and the
    bounding box is centred on the origin on all three axes within ``centre_tolerance`` of
    the size (the same set: at most 0.053. An authored asset stands on the ground, its
    centre half its height above the origin; DamagedHelmet, a 2-unit professional model
    centred on the origin, is 0.094 off). A file whose names are a commercial generator's
    whose output has no fixed cube (Tripo's tripo_*, Meshy's) and that is centred so in
    height (half of it below the ground, where no authored asset stands) is reported
    whatever its size: those generators write no real size (a Tripo fox 79 units long, a
    Tripo fish 7.4 units long whose fins put it 0.17 of its length off centre
    front-to-back). The exporter (trimesh, pygltflib) is named as supporting evidence
    only.

    Moving the pivot keeps the size but not the centring: engines and assetlint's own fix
    put the origin at the bottom centre of the bounds. A box whose bottom centre is on the
    origin to ``placed_tolerance`` of its size (float rounding: a tool placed it there)
    with the cube's size is the same evidence, unless its sides were typed (see
    ``TYPED_FRACTION``: a modeller's box resting on the grid) or a side is a whole number
    of millimetres (a size a person stated: ``fix --size 0.9m`` leaves the chair 0.900 m
    tall, on the origin; a generated side is a whole millimetre to 1e-6 about once in
    500; UniRig's bird, fitted to exactly 2 units, is silent once re-pivoted, a miss that
    cannot be told from a stated 2 m). An authored asset standing
    on the ground is placed by hand, not to the bounds: the pirate of the glTF samples,
    1.905 m tall, stands 6e-4 of its height below the ground and 1e-3 off centre front to
    back. The
    generator's names alone are not evidence for a grounded box: Meshy writes real sizes
    with the feet on the origin (a 1.73 m character).
    A file without units is also judged in metres as read in ``unitless_unit``: fix
    writes a 1-unit OBJ for printing in millimetres (1002 mm), still the 1-unit cube.

    A bounding box with three equal sides (within ``primitive_tolerance``) is not
    reported: that is a modeller's primitive (Blender's default 2 m cube, a unit cube or
    sphere in a test file), whose size was typed, not fitted; a generated object's three
    extents do not agree to 1e-4 (a surface extracted from a grid ends at arbitrary
    fractions of a voxel). Such a 1 m test box is a debatable case: it has no real-world
    referent either, but nothing in it says its size is wrong.

    Silent when the user has stated the size (--size) or the category (--category): S001
    judges the size then."""
    if float(ctx.params["expected_size"] or 0.0) > 0 or ctx.params["category"]:
        return
    found = placement(asset, ctx.params)
    evidence = scale_evidence(asset, ctx.params, found)
    if found is None or evidence is None:
        return
    suggestion = suggested_category(asset)
    if suggestion is not None:
        cat, word = suggestion
        hint = (
            f"; the names suggest --category {shlex.quote(cat.name)} (from {word!r}: "
            f"{cat.describe()}), or state the size with --size"
        )
    else:
        hint = "; state its real size with --size (e.g. --size 1.75m) or --category"
    yield ctx.finding(
        "no real-world scale: " + "; ".join(evidence) + hint,
        subject_type="scene",
        value=found.fitted,
        limit=found.cube,
    )


@group.rule(
    "S007",
    "assumed-unit",
    severity="info",
    summary="the unit a file without units (STL, OBJ) is read in, stated once",
    fix="Nothing to fix if the unit is right; otherwise export in the unit the target reads "
    "(millimetres for printing, metres for engines) or convert the file to a format that "
    "states its unit (glTF, USD, FBX).",
    targets=("all",),
    params={"unitless_unit": "m"},
)
def stated_unit(asset: Asset, ctx: RuleContext) -> Iterator[Finding]:
    """STL, OBJ and PLY have no field for units: the same numbers are millimetres to a
    slicer and metres to a game engine. assetlint reads such a file in one unit per target
    and says which, once: the target's ``unitless_unit`` (millimetres for printing, as
    slicers do; metres elsewhere) when the size it gives is plausible for an object (2 mm
    to 100 m), else the first of metres, millimetres, centimetres and inches that is. Every
    size in the other findings (S001, S002, S004, G003 hole lengths, P002 walls), the
    JSON values and the report's scale bar use that unit; ``value`` is metres per file
    unit."""
    assumed = assumed_unit(asset, ctx.params["unitless_unit"])
    if assumed is None:
        return
    yield ctx.finding(assumed.statement, subject_type="file", value=assumed.factor)
