"""Resolving a target: its inheritance chain applied, its selectors and parameters
checked against the installed rules, then the user's overrides on top."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assetlint.engine import Engine
from assetlint.findings import SEVERITIES
from assetlint.rules import Rule, keeps, param_problem, unmatched
from assetlint.targets.packs import (
    DEFAULT_PACK,
    FAMILIES,
    SELECTOR,
    Pack,
    PackError,
    ResolvedTarget,
    discover,
)


def _chain(name: str, packs: Mapping[str, Pack]) -> list[Pack]:
    chain: list[Pack] = []
    current: str | None = name
    while current is not None:
        if current not in packs:
            known = ", ".join(sorted(packs))
            if not chain:
                raise PackError(f"unknown target {current!r} (known: {known})")
            raise PackError(f"pack {chain[-1].name!r} extends unknown pack {current!r}")
        if any(p.name == current for p in chain):
            raise PackError(f"packs extend each other in a cycle through {current!r}")
        chain.append(packs[current])
        current = packs[current].extends
    return chain[::-1]


def _check_selectors(selectors: Iterable[str], rules: Mapping[str, Rule], where: str) -> None:
    sel = unmatched(selectors, rules)
    if sel is not None:
        raise PackError(f"{where}: {sel!r} matches no rule code")


def _check_value(where: str, key: str, rule: Rule, value: Any) -> None:
    """A parameter value of the same kind as the rule's default, in its declared range."""
    problem = param_problem(rule, key, value)
    if problem is not None:
        raise PackError(f"{where}: {key} = {problem}")


def _apply(
    tables: Mapping[str, Mapping[str, Any]],
    selected: Sequence[str],
    rules: Mapping[str, Rule],
    severities: dict[str, str],
    params: dict[str, dict[str, Any]],
    where: str,
) -> None:
    """Apply one layer of [rules.X] tables, prefixes before codes."""
    for selector in sorted(tables, key=len):
        table = tables[selector]
        _check_selectors([selector], rules, f"{where}: [rules.{selector}]")
        codes = [c for c in selected if c.startswith(selector)]
        for key, value in table.items():
            if key == "severity":
                if value not in SEVERITIES:
                    raise PackError(f"{where}: [rules.{selector}] severity {value!r}")
                for code in codes:
                    severities[code] = value
                continue
            takers = [c for c in codes if key in rules[c].params]
            owners = [c for c in rules if c.startswith(selector) and key in rules[c].params]
            if not owners:
                raise PackError(f"{where}: [rules.{selector}] no rule has a parameter {key!r}")
            for code in owners:  # checked even where this target does not select it
                _check_value(f"{where}: [rules.{selector}]", key, rules[code], value)
            for code in takers:
                params.setdefault(code, {})[key] = value


def _rules_of(engine_or_rules: Engine | Mapping[str, Rule]) -> Mapping[str, Rule]:
    return engine_or_rules.rules if isinstance(engine_or_rules, Engine) else engine_or_rules


def resolve_pack(
    name: str,
    packs: Mapping[str, Pack],
    rules: Engine | Mapping[str, Rule],
    overrides: Mapping[str, Any] | None = None,
) -> ResolvedTarget:
    """One target: inheritance applied, selectors checked against the installed rules,
    parameters type-checked, then ``overrides`` (see :func:`resolve`)."""
    rules = _rules_of(rules)
    chain = _chain(name, packs)
    family = next((p.family for p in reversed(chain) if p.family), None)
    if family is None:
        raise PackError(f"pack {name!r} has no 'family' ({', '.join(FAMILIES)}), nor does its base")
    chosen: set[str] = set()
    ignore: list[str] = []
    for depth, pack in enumerate(chain):
        where = f"pack {pack.name!r}"
        for key, sels in (
            ("select", pack.select or ()),
            ("extend-select", pack.extend_select),
            ("ignore", pack.ignore),
        ):
            _check_selectors(sels, rules, f"{where} {key}")
        fresh = depth == 0 or pack.select is not None  # this layer decides from scratch
        chosen = {
            code
            for code, rule in rules.items()
            if keeps(
                code,
                pack.select if fresh else None,
                pack.ignore,
                pack.extend_select,
                # the family's rules count as selected by ALL, as inherited ones do
                default=rule.applies_to(family) if fresh else code in chosen,
            )
        }
        ignore += pack.ignore
    selected = sorted(chosen)
    severities: dict[str, str] = {}
    params: dict[str, dict[str, Any]] = {}
    for pack in chain:
        _apply(pack.rules, selected, rules, severities, params, f"pack {pack.name!r}")
    if overrides:
        general = {k: v for k, v in overrides.items() if SELECTOR.match(k)}
        specific = overrides.get(name, {})
        _apply(general, selected, rules, severities, params, "override")
        _apply(specific, selected, rules, severities, params, f"override for {name!r}")
    return ResolvedTarget(
        name=name,
        description=chain[-1].description,
        family=family,
        chain=tuple(p.name for p in chain),
        select=selected,
        ignore=ignore,
        severities=severities,
        params=params,
    )


def split_names(names: Iterable[str]) -> list[str]:
    """'unity,print' and ['unity', 'print'] alike, without duplicates, in order."""
    out: list[str] = []
    for item in names:
        for name in item.split(","):
            name = name.strip()
            if name and name not in out:
                out.append(name)
    return out


def effective_names(names: Iterable[str]) -> list[str]:
    """The targets a run judges against: those named, else the default pack."""
    return split_names(names) or [DEFAULT_PACK]


def resolve(
    names: Iterable[str],
    engine: Engine | None = None,
    overrides: Mapping[str, Any] | None = None,
    extra_packs: Iterable[Path] = (),
) -> list[ResolvedTarget]:
    """The targets named (``["unity,print"]`` works), ready for :func:`run_target`.

    ``overrides`` come from the user or a project's config and win over every pack:
    ``{"S": {"expected_size": 0.3}, "B001": {"max_triangles": 5000, "severity": "error"}}``
    applies to all targets, ``{"unity": {"B001": {...}}}`` to one."""
    engine = engine or Engine.default()
    packs = discover(engine.pm, extra_packs)
    return [resolve_pack(n, packs, engine, overrides) for n in split_names(names)]
