"""What a target pack is (:class:`Pack`, :class:`ResolvedTarget`) and where packs come
from: the built-in TOML files, a file named on the command line, the ``assetlint_packs``
hook; every number in a built-in pack carries its source."""

from __future__ import annotations

import importlib.resources
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from assetlint.findings import SEVERITIES
from assetlint.plugins import PluginError
from assetlint.rules import ALL, TARGETS, Rule

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


def builtin_pack_dir() -> Path:
    """Where the built-in packs are: ``assetlint/_packs`` in an installed wheel, else the
    repository's ``rules/`` folder beside the package (a source checkout or an editable
    install)."""
    installed = importlib.resources.files("assetlint") / "_packs"
    if installed.is_dir():
        return Path(str(installed))
    checkout = Path(__file__).resolve().parents[2] / "rules"
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
