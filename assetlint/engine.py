"""Running rules over an asset: the registry of rules from all plugins, ``--select`` /
``--ignore``, resolved parameters, and rule crashes turned into findings."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pluggy

from assetlint.findings import Finding, from_load_issue
from assetlint.model import Asset
from assetlint.plugins import PluginError, plugin_manager
from assetlint.rules import Rule, RuleContext, keeps, specificity, unmatched
from assetlint.rules.internal import INTERNAL_ERROR, TRUNCATED


class SelectionError(ValueError):
    """A --select/--ignore/params entry that names no rule (a usage error)."""


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
        return cls(plugin_manager(entry_points=entry_points, extra=extra))

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
        self.check_selectors(select or (), "--select")
        self.check_selectors(extend_select, "--extend-select")
        self.check_selectors(ignore, "--ignore")
        chosen = None if base is None else set(base)
        unscoped = target in (None, "all")
        return [
            rule
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
    ) -> list[Finding]:
        """All findings of the selected rules on one asset, load issues first. A rule that
        raises gives an X001 finding naming it (unless X001 is ignored); the others still
        run. ``severities`` (code -> severity, from a target pack) replaces a rule's default
        severity."""
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
        return relative_messages(findings, asset.path)


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
