"""Running resolved targets on one asset and merging their findings."""

from __future__ import annotations

from collections.abc import Sequence

from assetlint.engine import Engine
from assetlint.findings import Finding
from assetlint.model import Asset
from assetlint.targets.packs import ResolvedTarget


def chosen_codes(
    engine: Engine,
    target: ResolvedTarget,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> list[str]:
    """The codes that run for one target: the pack's choice, or the user's ``select``
    in the target's scope (see :meth:`Engine.selected`), with ``extend_select`` and
    ``ignore`` on top; ``drop`` (per-file-ignores) removes codes whatever selects them."""
    rules = engine.selected(select, ignore, target.family, extend_select, base=target.select)
    return [r.code for r in rules if not r.code.startswith(tuple(drop))]


def run_target(
    engine: Engine,
    asset: Asset,
    target: ResolvedTarget,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    drop: Sequence[str] = (),
    keep_caches: bool = False,
) -> list[Finding]:
    """The findings of one target on one asset, with the codes :func:`chosen_codes` picks
    (thresholds and severities stay the pack's); ``keep_caches`` when another target runs
    on the asset next (see :meth:`Engine.run`)."""
    codes = chosen_codes(engine, target, select, ignore, extend_select, drop)
    findings = engine.run(
        asset,
        codes,
        [*ignore, *drop],  # an ignored X001 also silences rule crashes
        target.family,
        target.params,
        severities=target.severities,
        keep_caches=keep_caches,
    )
    for f in findings:
        f.target = [target.name]
    return findings


def run_targets(
    engine: Engine,
    asset: Asset,
    targets: Sequence[ResolvedTarget],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> list[Finding]:
    """The findings of several targets on one asset. With more than one target each
    message starts with the targets that report it ("[unity, print] ..."), and a finding
    several targets report alike (same rule, severity, subject and message) is listed
    once."""
    if len(targets) == 1:
        return run_target(engine, asset, targets[0], select, ignore, extend_select, drop)
    merged: dict[tuple, tuple[Finding, list[str]]] = {}
    for n, target in enumerate(targets, 1):
        keep = n < len(targets)  # what the rules derived serves the next target too
        for f in run_target(engine, asset, target, select, ignore, extend_select, drop, keep):
            key = (f.code, f.severity, f.subject, f.message, f.count, f.value, f.limit)
            merged.setdefault(key, (f, []))[1].append(target.name)
    out = []
    for f, names in merged.values():
        f.message = f"[{', '.join(names)}] {f.message}"
        f.target = names
        out.append(f)
    return out


def enabled_codes(
    engine: Engine,
    targets: Sequence[ResolvedTarget],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> set[str]:
    """The rule codes a run over these targets can report (to know, for instance, whether
    an unreadable file's L001 is wanted)."""
    return {
        code
        for t in targets
        for code in chosen_codes(engine, t, select, ignore, extend_select, drop)
    }
