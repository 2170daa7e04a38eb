"""Automatic fixes: safe repairs on the Asset model (canonical metres, +Y up).

A fix is named after what it does and lists the rule codes it repairs; :data:`FIXES` holds
them in the order they run, the order in which one repair prepares the next:

1. ``orientation`` (O010): stand a lying object up (first: a stated height is measured
   upright)
2. ``units`` (S001, S002): unit slips, or the size the user states (``--size``/``--height``,
   or ``--category``: the category's typical size when S001 found the size outside its range)
3. ``axes`` (O001): the up axis the target expects, recorded for the writer
4. ``weld`` (G011): vertices equal in position *and* every attribute (UV seams stay split)
5. ``cleanup`` (G006, G007, G008, G009, G010): degenerate, duplicate and invalid triangles,
   then unreferenced vertices
6. ``manifold`` (G001, G002): fins deleted, and surfaces that only touch at an edge or a
   point separated (before winding: a separated sheet is oriented on its own)
7. ``winding`` (G004, G005): consistent winding, closed shells facing outward
8. ``floaters`` (G012): small disconnected parts
9. ``hidden`` (G016): parts hidden inside a closed shell, where the target reports them
   (before holes: no fill is spent on a part that goes)
10. ``holes`` (G003): holes up to ``max_hole_edges`` edges
11. ``decimate`` (B001, B002): down to the target's triangle budgets, keeping UVs,
    material borders and vertex colours
12. ``pivot`` (O003, O004, O007): the origin at the bottom centre (or centre) of the
    bounds of the mesh that ships (decimation moves vertices, and with them the bounds)
13. ``bake`` (M007): vertex colours into a base-colour texture where the target does not
    draw them (after decimation, so the unwrap is of the mesh that ships)
14. ``textures`` (T004): textures above the target's maximum, down to a power of two

A fix runs only when the lint before fixing reported one of its codes (and the user's
``--select``/``--ignore`` keep it), so what was right is never touched. A stated size is
applied first and checked again last (deleting a floater can shrink the bounds). Each returns one
line per change it made; an empty list means it changed nothing.

Each geometry step (weld to textures) is measured before and after by
:mod:`assetlint.fix.harm` (colour over the surface, silhouette, closed shells and their
orientation, UV coverage, materials) and undone, saying so, when it lost what it was not
asked to change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetlint.findings import Finding
from assetlint.model import Asset, Cache
from assetlint.rules import Rule, keeps


@dataclass
class FixContext:
    """What a fix knows besides the asset: the findings before fixing, the target's
    parameters for each rule, and what the user stated."""

    findings: list[Finding]
    rules: Mapping[str, Rule]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code -> overrides
    size: float | None = None  # largest dimension the user asked for, metres
    height: float | None = None  # height (Y extent) the user asked for, metres
    category: str | None = None  # what the user says the object is (--category)
    running: tuple[str, ...] = ()  # the codes the running fix was selected for
    read: list[str] = field(default_factory=list)  # how a unitless file was read (units, up)
    # the codes the lint ran whose fixes the selection keeps: a fix may judge one that an
    # earlier repair made judgeable (O011 is not judged on an object that lies)
    judged: frozenset[str] = frozenset()

    def param(self, code: str, key: str) -> Any:
        """The value rule ``code`` ran with: the target's, else the rule's default."""
        value = self.params.get(code, {}).get(key)
        if value is None and code in self.rules:
            value = self.rules[code].params.get(key)
        return value

    def found(self, *codes: str) -> list[Finding]:
        return [f for f in self.findings if f.code in codes]

    def reported(self, asset: Asset, *codes: str) -> list[int]:
        """Indices of the meshes the lint reported under one of ``codes``: a repair step
        touches only what its rules found."""
        from assetlint.rules import mesh_label  # here: the CLI's start imports no rule module

        subjects = {f.subject for f in self.found(*codes)}
        return [i for i in range(len(asset.meshes)) if mesh_label(asset, i) in subjects]


FixFunction = Callable[[Asset, FixContext], list[str]]


@dataclass(frozen=True)
class Fix:
    name: str
    codes: tuple[str, ...]
    summary: str
    apply: FixFunction


ORDER = (
    "orientation",
    "units",
    "axes",
    "weld",
    "cleanup",
    "manifold",
    "winding",
    "floaters",
    "hidden",
    "holes",
    "decimate",
    "pivot",
    "bake",
    "textures",
)
_REGISTRY: dict[str, Fix] = {}


def fix(name: str, codes: Sequence[str], summary: str) -> Callable[[FixFunction], FixFunction]:
    """Register the decorated function as the fix ``name`` for ``codes``."""
    if name not in ORDER:
        raise ValueError(f"fix {name!r} has no place in ORDER")

    def register(function: FixFunction) -> FixFunction:
        _REGISTRY[name] = Fix(name, tuple(codes), summary, function)
        return function

    return register


def fixes() -> list[Fix]:
    """Every fix, in the order they run."""
    from assetlint.fix import colours, decimate, geometry, manifold, scene, textures  # noqa: F401

    return [_REGISTRY[name] for name in ORDER]


def repaired_codes() -> frozenset[str]:
    """Every code some fix repairs: the one declaration ``Rule.autofix``, the README
    table, `explain`, `rules --format json` and the reports' ``fixable`` derive from."""
    return frozenset(code for item in fixes() for code in item.codes)


def fix_for(code: str) -> str | None:
    """The name of the fix that repairs rule ``code``, if any (for `assetlint rules`)."""
    return next((f.name for f in fixes() if code in f.codes), None)


def clear_caches(asset: Asset) -> None:
    """Forget what rules memoized on the asset and its meshes: a fix changed them."""
    asset.clear_caches()


def allowed(code: str, select: Sequence[str] | None, ignore: Sequence[str]) -> bool:
    """Whether ``--select``/``--ignore`` keep fixing ``code`` (decided as for rules)."""
    return keeps(code, select, ignore)


@dataclass
class Applied:
    """What one fix did: the codes it was run for and one line per change."""

    fix: Fix
    codes: list[str]
    changes: list[str]
    undone: bool = False  # rolled back: it lost what it was not asked to change


def snapshot(asset: Asset) -> tuple[list, list, list]:
    """What a geometry step may replace (meshes, materials, textures), copied shallowly:
    fixes assign new arrays and list entries rather than writing into the old ones."""
    meshes = [
        dataclasses.replace(m, cache=Cache(), uvs=list(m.uvs), uv_names=list(m.uv_names))
        for m in asset.meshes
    ]
    materials = [dataclasses.replace(m, textures=dict(m.textures)) for m in asset.materials]
    return meshes, materials, list(asset.textures)


def restore(asset: Asset, saved: tuple[list, list, list]) -> None:
    asset.meshes, asset.materials, asset.textures = (list(x) for x in saved)
    clear_caches(asset)


def apply_fixes(
    asset: Asset,
    ctx: FixContext,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> list[Applied]:
    """Run, in order, every fix whose codes the lint reported and the selection keeps
    (``units`` also runs when a size is stated). The asset is changed in place.

    Each geometry step is measured before and after (:mod:`assetlint.fix.harm`: colour
    over the surface, silhouette, closed shells and their orientation, UV coverage,
    materials); a step that lost what it was not asked to change is undone, and its
    :class:`Applied` says so instead of listing changes."""
    from assetlint.fix import harm
    from assetlint.fix.scene import read_as_target

    ctx.read = read_as_target(asset, ctx)
    clear_caches(asset)
    found = {f.code for f in ctx.findings}
    done = []
    measured = None
    for item in fixes():
        codes = [c for c in item.codes if c in found and allowed(c, select, ignore)]
        stated = item.name == "units" and (ctx.size is not None or ctx.height is not None)
        if not codes and not stated:
            continue
        ctx.running = tuple(codes)
        guarded = item.name in harm.ASKED
        if guarded:
            measured = measured or harm.signature(asset)
            saved = snapshot(asset)
        changes = item.apply(asset, ctx)
        clear_caches(asset)
        if guarded and changes and measured is not None:
            after = harm.signature(asset, measured)
            lost = harm.harm(item.name, measured, after)
            if lost:
                restore(asset, saved)
                changes = [f"undone, it lost what it was not asked to change: {'; '.join(lost)}"]
                done.append(Applied(item, codes, changes, undone=True))
                continue
            measured = after  # its points and cameras serve the next step as well
        elif changes:
            measured = None  # the scene moved: measure again in its new frame
        if changes:
            done.append(Applied(item, codes, changes))
    if ctx.size is not None or ctx.height is not None:
        # removing floaters or closing holes can change the bounds: the size asked for is
        # the size of what is written
        units = next(f for f in fixes() if f.name == "units")
        changes = units.apply(asset, ctx)
        clear_caches(asset)
        if changes:
            done.append(Applied(units, [], changes))
    return done
