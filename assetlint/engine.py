"""Running rules over an asset: the registry of rules from all plugins, ``--select`` /
``--ignore``, resolved parameters, and rule crashes turned into findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pluggy

from assetlint.findings import Finding, from_load_issue
from assetlint.model import Asset
from assetlint.plugins import PluginError, plugin_manager
from assetlint.rules import Rule, RuleContext
from assetlint.rules.internal import INTERNAL_ERROR, TRUNCATED

ALL = "ALL"


class SelectionError(ValueError):
    """A --select/--ignore/params entry that names no rule (a usage error)."""


def _specificity(selector: str, code: str) -> int:
    """How specifically ``selector`` names ``code``: -1 not at all, 0 for ALL, else its
    length (so "G001" beats "G0" beats "G", as in ruff)."""
    if selector == ALL:
        return 0
    return len(selector) if code.startswith(selector) else -1


class Engine:
    """The rules of every registered plugin, by code."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        self.rules: dict[str, Rule] = {}
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
        self.rules = dict(sorted(self.rules.items()))

    @classmethod
    def default(cls, entry_points: bool = True, extra: Iterable[object] = ()) -> Engine:
        """Built-in rules, plus installed packs and ``extra`` plugin objects."""
        return cls(plugin_manager(entry_points=entry_points, extra=extra))

    def _check_selectors(self, selectors: Iterable[str], option: str) -> None:
        for sel in selectors:
            if sel != ALL and not any(code.startswith(sel) for code in self.rules):
                raise SelectionError(f"{option} {sel!r} matches no rule code")

    def selected(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        target: str | None = None,
    ) -> list[Rule]:
        """The rules that run. Without ``select``, every rule that applies to ``target``
        (rules for all targets when none is given); with it, the rules it names, whatever
        their targets. The most specific selector wins; on a tie, ignore wins."""
        self._check_selectors(select or (), "--select")
        self._check_selectors(ignore, "--ignore")
        chosen = []
        for rule in self.rules.values():
            if select is None:
                sel = 0 if rule.applies_to(target) else -1
            else:
                sel = max((_specificity(s, rule.code) for s in select), default=-1)
            ign = max((_specificity(s, rule.code) for s in ignore), default=-1)
            if sel >= 0 and sel > ign:
                chosen.append(rule)
        return chosen

    def resolve_params(
        self, rule: Rule, overrides: Mapping[str, Mapping[str, Any]] | None = None
    ) -> dict[str, Any]:
        """The rule's declared defaults, overridden by ``overrides`` (selector -> {param:
        value}), less specific selectors first, so {"G": ..., "G003": ...} ends with G003's."""
        params = dict(rule.params)
        matching = sorted(
            (spec, sel, values)
            for sel, values in (overrides or {}).items()
            if (spec := _specificity(sel, rule.code)) >= 0
        )
        for _, sel, values in matching:
            for key, value in values.items():
                if key in params:
                    params[key] = value
                elif sel == rule.code:
                    raise SelectionError(f"rule {rule.code} has no parameter {key!r}")
        return params

    def run(
        self,
        asset: Asset,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        target: str | None = None,
        params: Mapping[str, Mapping[str, Any]] | None = None,
        severities: Mapping[str, str] | None = None,
    ) -> list[Finding]:
        """All findings of the selected rules on one asset, load issues first. A rule that
        raises gives an X001 finding naming it (unless X001 is ignored); the others still
        run. ``severities`` (code -> severity, from a target pack) replaces a rule's default
        severity."""
        rules = self.selected(select, ignore, target)
        enabled = {r.code for r in rules}
        # a crash is reported even when X001 is not selected, unless it is ignored
        report_crashes = all(_specificity(s, INTERNAL_ERROR.code) < 0 for s in ignore)
        path = str(asset.path)
        # X003 (load issues past the per-file cap) is stated whatever is selected
        findings = [
            from_load_issue(issue, path)
            for issue in asset.issues
            if issue.code in enabled or issue.code not in self.rules or issue.code == TRUNCATED.code
        ]
        for rule in rules:
            if rule.check is None:
                continue
            ctx = RuleContext(
                rule=rule,
                path=path,
                params=self.resolve_params(rule, params),
                severity=(severities or {}).get(rule.code, rule.severity),
                target=target,
            )
            try:
                # overflow to inf and NaN from hostile values are data the rules judge
                # (G009, O009...), not numpy warnings for the user's terminal
                with np.errstate(all="ignore"):
                    findings.extend(rule.check(asset, ctx))
            except Exception as exc:  # noqa: BLE001 - any rule bug becomes a finding
                if report_crashes:
                    findings.append(internal_error(rule, exc, path))
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
