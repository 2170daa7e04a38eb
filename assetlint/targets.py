"""Target packs: what "ready" means for one destination, as data.

A pack is a TOML file (``rules/<name>.toml`` in the repository, ``assetlint/_packs/`` in an
installed wheel) or a mapping a third-party package returns from the ``assetlint_packs``
pluggy hook. It names the rules it enables, their severities and thresholds::

    name = "unreal"
    description = "Unreal Engine 5"
    extends = "game"            # start from another pack
    family = "game"             # the rules declared for this destination run by default
    extend-select = ["T009"]    # and these as well
    ignore = ["B008"]           # but not these
    [rules.T004]                # a code or a prefix: every selected rule it matches
    severity = "error"
    # Texture Format Support and Settings (Unreal Engine 5.0): up to 8192x8192
    max_size = 8192

Selection follows ruff: the family's default rules count as selected by ``ALL``, and
between ``extend-select`` and ``ignore`` the more specific selector wins (a tie goes to
ignore); ``select`` replaces everything inherited. Parameters and severities apply from the
base pack to the most derived, and within a pack from prefixes to codes. Every number in a
built-in pack carries its source in a comment: a vendor page, or "convention:" when no
vendor publishes one (tests/test_packs.py enforces it).

Packs are read with ``tomllib`` (the ``tomli`` backport on Python 3.10).
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from assetlint import categories
from assetlint.engine import Engine
from assetlint.findings import SEVERITIES, Finding
from assetlint.model import Asset
from assetlint.plugins import PluginError
from assetlint.rules import ALL, TARGETS, Rule, keeps, param_problem, unmatched
from assetlint.rules.scale import UNITS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli dependency is installed only on Python 3.10
    import tomli as tomllib

PACK_KEYS = frozenset(
    {"name", "description", "extends", "family", "select", "extend-select", "ignore", "rules"}
)
SELECTOR = re.compile(r"^(?:ALL|[A-Z]{1,3}[0-9]{0,3})$")
# A pack's family: a destination, or "all" for the rules declared for every destination
# (the default pack's base).
FAMILIES = (*TARGETS, "all")
# The pack that runs when no target is given (rules/default.toml).
DEFAULT_PACK = "default"
README_START, README_END = "<!-- targets:start -->", "<!-- targets:end -->"


class PackError(ValueError):
    """A pack that cannot be used: unreadable, malformed, or naming rules that do not
    exist. The message names the pack and the offending entry."""


@dataclass(frozen=True)
class Pack:
    """One pack as written, before inheritance is applied."""

    name: str
    description: str
    source: str  # the file, or "plugin <name>"
    family: str | None = None
    extends: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ResolvedTarget:
    """A pack with its inheritance applied, against the rules installed: what
    ``Engine.run`` needs (``select`` lists exact codes, so ``ignore`` is already applied
    and is kept for display)."""

    name: str
    description: str
    family: str
    chain: tuple[str, ...]  # base pack first
    select: list[str]
    ignore: list[str]
    severities: dict[str, str]
    params: dict[str, dict[str, Any]]

    def param(self, code: str, key: str, rules: Mapping[str, Rule]) -> Any:
        """The value a selected rule runs with (the pack's, else the rule's default);
        None when the rule is not selected."""
        if code not in self.select or code not in rules:
            return None
        return self.params.get(code, {}).get(key, rules[code].params.get(key))


# --- loading -------------------------------------------------------------------------


def builtin_pack_dir() -> Path:
    """Where the built-in packs are: ``assetlint/_packs`` in an installed wheel, else the
    repository's ``rules/`` folder beside the package (a source checkout or an editable
    install)."""
    installed = importlib.resources.files("assetlint") / "_packs"
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise PackError("built-in target packs not found (neither assetlint/_packs nor rules/)")


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PackError(f"{where}: {key!r} must be a list of rule codes or prefixes")
    for v in value:
        if not SELECTOR.match(v):
            raise PackError(f"{where}: {v!r} in {key!r} is not a rule code or prefix")
    return tuple(value)


def pack_from_mapping(data: Mapping[str, Any], source: str) -> Pack:
    """Validate a pack's keys and types (not yet its rule codes: see :func:`resolve`)."""
    unknown = set(data) - PACK_KEYS
    if unknown:
        raise PackError(f"{source}: unknown key(s) {sorted(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9-]*$", name):
        raise PackError(f"{source}: 'name' must be a lowercase name like 'unity'")
    where = f"pack {name!r} ({source})"
    description = data.get("description", "")
    extends = data.get("extends")
    family = data.get("family")
    if not isinstance(description, str):
        raise PackError(f"{where}: 'description' must be a string")
    if extends is not None and not isinstance(extends, str):
        raise PackError(f"{where}: 'extends' must be the name of one pack")
    if family is not None and family not in FAMILIES:
        raise PackError(f"{where}: 'family' must be one of {list(FAMILIES)}")
    rules = data.get("rules", {})
    if not isinstance(rules, Mapping) or not all(isinstance(v, Mapping) for v in rules.values()):
        raise PackError(f"{where}: 'rules' must be tables like [rules.B001]")
    for selector, table in rules.items():
        if not SELECTOR.match(selector) or selector == ALL:
            raise PackError(f"{where}: [rules.{selector}] is not a rule code or prefix")
        severity = table.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise PackError(
                f"{where}: [rules.{selector}] severity {severity!r} is not one of "
                f"{list(SEVERITIES)}"
            )
    return Pack(
        name=name,
        description=description,
        source=source,
        family=family,
        extends=extends,
        select=_strings(data["select"], "select", where) if "select" in data else None,
        extend_select=_strings(data.get("extend-select", []), "extend-select", where),
        ignore=_strings(data.get("ignore", []), "ignore", where),
        rules={k: dict(v) for k, v in rules.items()},
    )


def load_pack_file(path: Path) -> Pack:
    """Read one TOML pack; a syntax error names the file and line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML: {exc}") from None
    return pack_from_mapping(data, str(path))


def _plugin_packs(pm: pluggy.PluginManager) -> list[Pack]:
    """Packs third-party plugins provide through the ``assetlint_packs`` hook."""
    packs = []
    for impl in pm.hook.assetlint_packs.get_hookimpls():
        try:
            provided = list(impl.function())
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} failed to list its packs: {exc}"
            ) from None
        for item in provided:
            if isinstance(item, (str, Path)):
                packs.append(load_pack_file(Path(item)))
            elif isinstance(item, Mapping):
                packs.append(pack_from_mapping(item, f"plugin {impl.plugin_name}"))
            else:
                raise PluginError(f"plugin {impl.plugin_name!r} returned {item!r} as a pack")
    return packs


def discover(pm: pluggy.PluginManager | None = None, extra: Iterable[Path] = ()) -> dict[str, Pack]:
    """Every pack by name: the built-in ones, the plugins' (when ``pm`` is given) and the
    ``extra`` files (a project's own packs). A name defined twice is an error."""
    packs: dict[str, Pack] = {}
    found = [load_pack_file(p) for p in sorted(builtin_pack_dir().glob("*.toml"))]
    if pm is not None:
        found += _plugin_packs(pm)
    found += [load_pack_file(Path(p)) for p in extra]
    for pack in found:
        if pack.name in packs:
            raise PackError(
                f"pack {pack.name!r} is defined twice: {packs[pack.name].source} and {pack.source}"
            )
        packs[pack.name] = pack
    return packs


_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=\s*(.*)$")


def _is_sourced(comment: str) -> bool:
    text = comment.lower()
    return "http://" in text or "https://" in text or "convention:" in text


def unsourced_numbers(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every numeric value in a pack's TOML text that has no source:
    neither an inline comment nor the comment lines right above it name a web page
    (http...) or say "convention:". Built-in packs must return nothing."""
    missing = []
    comments: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            comments = []
            continue
        value, _, inline = match.group(2).partition("#")
        try:
            parsed = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = None  # a string or table containing '#': not a number
        items = parsed if isinstance(parsed, list) else [parsed]
        numeric = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items)
        if numeric and not _is_sourced(" ".join(comments + [inline])):
            missing.append((number, line))
        comments = []
    return missing


# --- resolution ----------------------------------------------------------------------


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


# --- running -------------------------------------------------------------------------


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
) -> list[Finding]:
    """The findings of one target on one asset, with the codes :func:`chosen_codes` picks
    (thresholds and severities stay the pack's)."""
    codes = chosen_codes(engine, target, select, ignore, extend_select, drop)
    findings = engine.run(
        asset,
        codes,
        [*ignore, *drop],  # an ignored X001 also silences rule crashes
        target.family,
        target.params,
        severities=target.severities,
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
    for target in targets:
        for f in run_target(engine, asset, target, select, ignore, extend_select, drop):
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


# --- sizes ---------------------------------------------------------------------------

_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([-+]?\d+))?\s*(mm|cm|m|in|ft)?\s*$", re.I)


def parse_size(text: str, option: str = "--size") -> tuple[float, str | None]:
    """'0.3m', '30 cm', '12in', '0.3' (metres) -> (metres, None); a category ('helmet',
    see assetlint/categories.py) -> (its typical size, the category's name). ``option``
    names where the text came from in the ValueError (a config file's key, or --size)."""
    try:
        category = categories.lookup(text)
    except ValueError:
        category = None
    if category is not None:
        return category.typical, category.name
    match = _SIZE.match(text.strip())
    if not match:
        raise ValueError(
            f"{option} {text!r}: give a length like 0.3m, 30cm, 12in, or a category: "
            + ", ".join(categories.names())
        )
    # parsed as one float: 10 ** int(exponent) overflows a float past 1e308 (a traceback)
    # and takes minutes for an exponent of a billion
    value = float(f"{match.group(1)}e{match.group(2) or 0}")
    metres = value * UNITS[(match.group(3) or "m").lower()]
    if not (metres > 0 and math.isfinite(metres)):
        raise ValueError(f"{option} {text!r}: the size must be positive and finite")
    return metres, None


def size_overrides(text: str) -> dict[str, dict[str, Any]]:
    """Overrides (for :func:`resolve`) stating the asset's real size for the S rules; a
    category given as a size (--size chair) is a category (--category chair)."""
    metres, category = parse_size(text)
    if category is not None:
        return category_overrides(category)
    return {"S": {"expected_size": metres}}


def category_overrides(name: str) -> dict[str, dict[str, Any]]:
    """Overrides (for :func:`resolve`) naming the object's category for the S rules: S001
    judges the size against the category's range, S006 is silenced."""
    return {"S": {"category": categories.lookup(name).name}}


# --- the table of targets ------------------------------------------------------------


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return " x ".join(_fmt(v) for v in value) + unit
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value}{unit}"


def key_numbers(target: ResolvedTarget, rules: Mapping[str, Rule]) -> dict[str, str]:
    """The numbers that characterize a target, as the table shows them."""

    def p(code: str, key: str) -> Any:
        return target.param(code, key, rules)

    units = p("S003", "expected_unit")
    up = p("O001", "expected_up")
    thickness = p("P002", "min_thickness")
    return {
        "Triangles / mesh": _fmt(p("B001", "max_triangles")),
        "Triangles / scene": _fmt(p("B002", "max_triangles")),
        "Vertices / mesh": _fmt(p("B003", "max_vertices")),
        "Materials / mesh": _fmt(p("B004", "max_materials")),
        "Max texture": _fmt(p("T004", "max_size"), " px"),
        "File size": _fmt(p("B008", "max_mb"), " MB"),
        "Units, up": f"{units or '–'}, {up or '–'}",
        "Build volume": _fmt(p("S004", "build_volume_mm"), " mm"),
        "Min wall": "–" if thickness is None else f"{thickness * 1000:g} mm",
    }


def table(targets: Sequence[ResolvedTarget], rules: Mapping[str, Rule]) -> str:
    """A Markdown table of the targets and their key numbers."""
    rows = [
        {
            "Target": f"`{t.name}`",
            "Extends": t.chain[-2] if len(t.chain) > 1 else "–",
            **key_numbers(t, rules),
        }
        for t in targets
    ]
    if not rows:
        return ""
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r[h] for h in head) + " |" for r in rows]
    return "\n".join(lines)


def all_targets(engine: Engine | None = None) -> list[ResolvedTarget]:
    engine = engine or Engine.default()
    packs = discover(engine.pm)
    return [resolve_pack(n, packs, engine) for n in sorted(packs)]


def readme_block(engine: Engine | None = None) -> str:
    """The generated README section between the targets markers."""
    engine = engine or Engine.default()
    targets = all_targets(engine)
    descriptions = "\n".join(f"- `{t.name}`: {t.description}" for t in targets)
    return (
        f"{README_START}\n<!-- generated by `python -m assetlint.targets --update-readme`; "
        f"do not edit -->\n\n{table(targets, engine.rules)}\n\n{descriptions}\n{README_END}"
    )


def update_readme(path: Path, engine: Engine | None = None) -> bool:
    """Rewrite the README's targets block; True if it changed. The markers must exist."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise PackError(f"{path}: no {README_START} ... {README_END} block")
    new = text[:start] + readme_block(engine) + text[end + len(README_END) :]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# --- command line --------------------------------------------------------------------


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `assetlint check` takes for targets."""
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAMES",
        help="destinations to judge for, comma-separated (unity,print); see `assetlint targets`",
    )
    parser.add_argument(
        "--size",
        metavar="SIZE",
        help="the object's real size (largest dimension: 0.3m, 30cm, 12in) or a category "
        "(helmet, chair, car)",
    )
    parser.add_argument(
        "--category",
        metavar="NAME",
        help="what the object is, to judge its size against the category's range: "
        + ", ".join(categories.names()),
    )


def add_targets_command(subparsers: Any) -> None:
    """`assetlint targets`: the packs and their key numbers."""
    p = subparsers.add_parser("targets", help="list the target packs and their key numbers")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def cmd_targets(ns: argparse.Namespace, engine: Engine | None = None) -> int:
    """Print the targets table; 0, or 2 when a pack is broken."""
    try:
        engine = engine or Engine.default()
        targets = all_targets(engine)
    except (PackError, PluginError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if ns.format == "json":
        json.dump(
            [
                {
                    "name": t.name,
                    "description": t.description,
                    "family": t.family,
                    "extends": list(t.chain[:-1]),
                    "rules": t.select,
                    "severities": t.severities,
                    "params": t.params,
                }
                for t in targets
            ],
            sys.stdout,
            indent=2,
        )
        print()
    elif ns.format == "markdown":
        print(table(targets, engine.rules))
    else:
        rows = [{"target": t.name, **key_numbers(t, engine.rules)} for t in targets]
        head = list(rows[0]) if rows else []
        widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in head}
        print("  ".join(h.ljust(widths[h]) for h in head).rstrip())
        for r in rows:
            print("  ".join(r[h].ljust(widths[h]) for h in head).rstrip())
        print()
        for t in targets:
            print(f"{t.name}: {t.description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assetlint.targets --update-readme [README.md]` regenerates the table."""
    parser = argparse.ArgumentParser(prog="python -m assetlint.targets")
    parser.add_argument("--update-readme", metavar="README", nargs="?", const="README.md")
    ns = parser.parse_args(argv)
    if ns.update_readme:
        changed = update_readme(Path(ns.update_readme))
        print(f"{ns.update_readme}: {'updated' if changed else 'up to date'}")
        return 0
    return cmd_targets(argparse.Namespace(format="text"))


if __name__ == "__main__":
    sys.exit(main())
