"""Running rules over an asset: the registry of rules from all plugins, ``--select`` /
``--ignore``, resolved parameters, and rule crashes turned into findings."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pluggy

from assetlint.findings import Finding, from_load_issue
from assetlint.model import Asset
from assetlint.plugins import PROJECT, HookSpecs, PluginError, plugin_manager
from assetlint.rules import Rule, RuleContext, keeps, specificity, unmatched
from assetlint.rules.internal import INTERNAL_ERROR, TRUNCATED


class SelectionError(ValueError):
    """A --select/--ignore/params entry that names no rule (a usage error)."""


class Engine:
    """The rules of every registered plugin, by code."""

    def __init__(self, pm: pluggy.PluginManager, catalogue: Mapping[str, Rule] | None = None):
        self.pm = pm
        # threads that run the rules of one asset (see run_grouped); None: the process's
        # default (set_rule_threads)
        self.threads: int | None = None
        # False for an engine that holds the rules' metadata only (see from_catalogue)
        self.runnable = catalogue is None
        # the built-in rules and the installed packs, nothing else (see default): what a
        # stored rule catalogue may stand for
        self.stock = False
        self.rules: dict[str, Rule] = dict(catalogue or {})
        self._selected: dict[tuple, list[str]] = {}  # see selected
        if catalogue is not None:
            return
        for impl in pm.hook.assetlint_rules.get_hookimpls():
            try:
                provided = list(impl.function())
            except Exception as exc:
                raise PluginError(
                    f"rule pack {impl.plugin_name!r} failed to list its rules: {exc}"
                ) from None
            for rule in provided:
                if not isinstance(rule, Rule):
                    raise PluginError(f"rule pack {impl.plugin_name!r} returned {rule!r}")
                if rule.code in self.rules:
                    other = self.rules[rule.code].origin
                    raise PluginError(
                        f"rule code {rule.code} is declared by both {other!r} and "
                        f"{impl.plugin_name!r}"
                    )
                if not impl.plugin_name.startswith("assetlint."):
                    rule = dataclasses.replace(rule, origin=impl.plugin_name)
                self.rules[rule.code] = rule
        # what `assetlint fix` repairs is declared once, by its repair steps
        from assetlint.fix import repaired_codes

        repaired = repaired_codes()
        self.rules = {
            code: dataclasses.replace(rule, autofix=code in repaired)
            for code, rule in sorted(self.rules.items())
        }

    @classmethod
    def default(cls, entry_points: bool = True, extra: Iterable[object] = ()) -> Engine:
        """Built-in rules, plus installed packs and ``extra`` plugin objects."""
        extra = tuple(extra)
        engine = cls(plugin_manager(entry_points=entry_points, extra=extra))
        engine.stock = entry_points and not extra
        return engine

    @classmethod
    def from_catalogue(cls, rules: Mapping[str, Rule]) -> Engine:
        """An engine that knows the rules' metadata (codes, targets, parameters, ranges,
        texts) but not their checks, and imports no rule module: enough to resolve and
        check a selection and to report cached results (a pre-commit run on an unchanged
        file), not to run. ``rules``: those of an engine :meth:`default` built from the
        same sources (see :meth:`assetlint.batch.Cache.catalogue`)."""
        pm = pluggy.PluginManager(PROJECT)
        pm.add_hookspecs(HookSpecs)
        return cls(pm, catalogue=rules)

    def check_selectors(self, selectors: Iterable[str], option: str) -> None:
        """Raise SelectionError for a selector that names no installed rule."""
        sel = unmatched(selectors, self.rules)
        if sel is not None:
            raise SelectionError(f"{option} {sel!r} matches no rule code")

    def selected(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        target: str | None = None,
        extend_select: Sequence[str] = (),
        base: Iterable[str] | None = None,
    ) -> list[Rule]:
        """The rules that run for ``target`` (a destination family). Without ``select``,
        the ``base`` codes (a pack's choice), else every rule declared for ``target`` (for
        all destinations when none is given); ``select`` replaces that and
        ``extend_select`` adds to it, a prefix or ALL picking only rules declared for the
        target (every rule when no target or "all" is given), a full code its rule
        whatever its targets. The most specific selector wins; on a tie, ignore wins."""
        # every file asks the same two or three questions (its plan's): answered once.
        # The key holds each rule's code and targets, all the answer depends on.
        key = (
            None if select is None else tuple(select),
            tuple(ignore),
            target,
            tuple(extend_select),
            None if base is None else frozenset(base),
            tuple((code, rule.targets) for code, rule in self.rules.items()),
        )
        codes = self._selected.get(key)
        if codes is None:
            self.check_selectors(select or (), "--select")
            self.check_selectors(extend_select, "--extend-select")
            self.check_selectors(ignore, "--ignore")
            chosen = None if base is None else set(base)
            unscoped = target in (None, "all")
            codes = [
                rule.code
                for rule in self.rules.values()
                if keeps(
                    rule.code,
                    select,
                    ignore,
                    extend_select,
                    default=rule.applies_to(target) if chosen is None else rule.code in chosen,
                    in_scope=unscoped or rule.applies_to(target),
                )
            ]
            self._selected[key] = codes
        return [self.rules[code] for code in codes]

    def resolve_params(
        self, rule: Rule, overrides: Mapping[str, Mapping[str, Any]] | None = None
    ) -> dict[str, Any]:
        """The rule's declared defaults, overridden by ``overrides`` (selector -> {param:
        value}), less specific selectors first, so {"G": ..., "G003": ...} ends with G003's."""
        params = dict(rule.params)
        matching = sorted(
            (spec, sel, values)
            for sel, values in (overrides or {}).items()
            if (spec := specificity(sel, rule.code)) >= 0
        )
        for _, sel, values in matching:
            for key, value in values.items():
                if key in params:
                    params[key] = value
                elif sel == rule.code:
                    raise SelectionError(f"rule {rule.code} has no parameter {key!r}")
        for key, owner in rule.shared.items():  # read where it is set: one value for both
            if owner in self.rules:
                params[key] = self.resolve_params(self.rules[owner], overrides)[key]
        return params

    def run(
        self,
        asset: Asset,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        target: str | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        severities: Mapping[str, str] | None = None,
        keep_caches: bool = False,
    ) -> list[Finding]:
        """All findings of the selected rules on one asset, load issues first. A rule that
        raises gives an X001 finding naming it (unless X001 is ignored); the others still
        run. ``severities`` (code -> severity, from a target pack) replaces a rule's default
        severity. On a large asset the caches of :data:`OWNED_CACHE_KEYS` are dropped once
        their rules are done, unless ``keep_caches`` (another run on the asset follows)."""
        if not self.runnable:
            raise RuntimeError("an engine built from a rule catalogue cannot run rules")
        rules = self.selected(select, ignore, target)
        enabled = {r.code for r in rules}
        # a crash is reported even when X001 is not selected, unless it is ignored
        report_crashes = all(specificity(s, INTERNAL_ERROR.code) < 0 for s in ignore)
        path = str(asset.path)
        # X003 (load issues past the per-file cap) is stated whatever is selected
        findings = [
            from_load_issue(issue, path)
            for issue in asset.issues
            if issue.code in enabled or issue.code not in self.rules or issue.code == TRUNCATED.code
        ]
        checked = [r for r in rules if r.check is not None]
        contexts = [
            RuleContext(
                rule=rule,
                path=path,
                params=self.resolve_params(rule, params),
                severity=(severities or {}).get(rule.code, rule.severity),
                target=target,
            )
            for rule in checked
        ]

        def check(i: int) -> list[Finding]:
            rule = checked[i]
            try:
                # overflow to inf and NaN from hostile values are data the rules judge
                # (G009, O009...), not numpy warnings for the user's terminal
                with np.errstate(all="ignore"):
                    return list(rule.check(asset, contexts[i]))  # type: ignore[misc]
            except Exception as exc:  # noqa: BLE001 - any rule bug becomes a finding
                return [internal_error(rule, exc, path)] if report_crashes else []

        threads = self.threads if self.threads is not None else _RULE_THREADS
        large = max((m.triangle_count for m in asset.meshes), default=0) >= LARGE_MESH

        def done(family: str) -> None:
            if large and not keep_caches and family in OWNED_CACHE_KEYS:
                for mesh in asset.meshes:
                    mesh.cache.release(OWNED_CACHE_KEYS[family])

        with single_threaded_blas():
            for found in run_grouped(checked, check, threads, large, done):
                findings.extend(found)
        return relative_messages(findings, asset.path)


_RULE_THREADS = 1


def set_rule_threads(threads: int) -> None:
    """The threads :meth:`Engine.run` spreads one asset's rules over, in this process and
    the workers it forks afterwards: the batch gives the cores that its files leave idle
    (``--jobs 4`` on one file: 4)."""
    global _RULE_THREADS
    _RULE_THREADS = max(1, int(threads))


# Families whose rules share expensive per-mesh structures (the topology of
# geometry/topology.py): run in one task so that it is built once, not once per thread.
SHARED_FAMILIES = {"printability": "geometry"}

# Per-mesh caches (keys, or the first item of tuple keys) that only the rules of one such
# task read: the welded topology and the shells built on it (G and P rules). On a large
# mesh they are dropped once those rules are done: ~150 MB per million triangles that
# would otherwise sit under the other families' peaks.
OWNED_CACHE_KEYS = {"geometry": ("topology", "nesting")}

# A mesh from this many triangles makes an asset large: its memory-heavy families run one
# at a time (each peaks at a few hundred bytes per triangle), and the caches above are
# dropped after use.
LARGE_MESH = 200_000


def run_grouped(
    rules: Sequence[Rule],
    check: Callable[[int], list[Finding]],
    threads: int,
    large: bool = False,
    done: Callable[[str], None] | None = None,
) -> list[list[Finding]]:
    """``check(i)`` for every rule, results in the rules' order whatever the threads. The
    rules of a family (and of the families that share its caches) run one after another
    in one task, so that the evidence they share (surface samples, one occlusion cast,
    topology) is computed once, and ``done(family)`` is called when a task ends; tasks
    run the costliest first, side by side on ``threads`` threads (numpy does the work on
    large arrays outside the GIL). On a ``large`` asset the memory-heavy tasks run one
    after another on one thread (their peaks would add up), beside the light ones."""
    tasks: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        family = SHARED_FAMILIES.get(rule.family, rule.family)
        tasks.setdefault(family, []).append(i)
    order = sorted(tasks.items(), key=lambda task: -sum(_weight(rules[i]) for i in task[1]))
    results: list[list[Finding]] = [[] for _ in rules]

    def run(chain: list[tuple[str, list[int]]]) -> None:
        for family, ids in chain:
            for i in ids:
                results[i] = check(i)
            if done is not None:
                done(family)

    if threads <= 1 or len(order) <= 1:
        run(order)
        return results
    chains = [[task] for task in order]
    if large:
        heavy = [task for task in order if max(_weight(rules[i]) for i in task[1]) > 1]
        chains = [heavy, *([task] for task in order if task not in heavy)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(threads, len(chains))) as pool:
        for future in [pool.submit(run, chain) for chain in chains]:
            future.result()
    return results


def _weight(rule: Rule) -> int:
    """A rough cost, to start the slow families first (above 1: memory-heavy too)."""
    return {"heuristics": 8, "printability": 8, "geometry": 4, "orientation": 2}.get(rule.family, 1)


def single_threaded_blas() -> contextlib.AbstractContextManager[object]:
    """BLAS limited to one thread (threadpoolctl), where it is installed. The rules
    multiply tall (n, 3) arrays by 3 x 3 matrices: OpenBLAS's threads gain nothing there
    and their start and spin cost up to 80 times the product itself on a busy machine
    (1M points: 0.23 s of CPU against 3 ms), and our threads (set_rule_threads) and the
    batch's processes already use the cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def relative_messages(
    findings: list[Finding], asset_path: str | os.PathLike | None
) -> list[Finding]:
    """The findings with the asset's folder cut from their messages, however it is spelt:
    loaders, rules and native libraries (usd-core) name files by the absolute path as given,
    which may run through symlinks, or by the resolved one. A report must not depend on
    where the checkout lives, nor show it. An asset built in memory has no folder."""
    if not asset_path:
        return findings
    folder = Path(asset_path).parent
    spellings = {os.path.abspath(folder), os.path.realpath(folder)}
    # longest first, so that a resolved path inside the given one is cut whole; never "/"
    prefixes = sorted(
        (s.rstrip(os.sep) + os.sep for s in spellings if s.rstrip(os.sep)), key=len, reverse=True
    )
    for f in findings:
        for prefix in prefixes:
            f.message = f.message.replace(prefix, "")
    return findings


def internal_error(rule: Rule, exc: BaseException, path: str) -> Finding:
    """The X001 finding for a rule that raised."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return Finding(
        code=INTERNAL_ERROR.code,
        severity=INTERNAL_ERROR.severity,
        message=f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}"
        + (f": {detail}" if detail else ""),
        path=path,
        subject=rule.code,
        subject_type="rule",
    )
