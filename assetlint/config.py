"""Project configuration: ``[tool.assetlint]`` in pyproject.toml or the top level of an
``assetlint.toml``, found by walking up from each asset, as ruff finds its settings.

Teams keep lint settings beside their assets so that a pre-commit hook, CI and a studio
import script judge alike. In one folder ``assetlint.toml`` wins over ``pyproject.toml``; a
pyproject.toml without a ``[tool.assetlint]`` table is passed over. Command-line flags
override the file. Every key and code is checked: a typo stops the run (exit 2) with the
file, the key and what is allowed, instead of silently linting with defaults::

    [tool.assetlint]
    target = ["unity", "print"]
    extend-select = ["T009"]
    ignore = ["M"]
    exclude = ["third_party/**"]
    fail-on = "error"          # warnings are shown but do not fail the run
    size = "30cm"
    category = "chair"         # or judge the size against a category's range
    timeout = 120              # seconds per file before it becomes an X001 finding
    memory-limit = 2048        # MiB one file may allocate before it becomes an X002 finding
    [tool.assetlint.per-file-ignores]
    "props/legacy_*.fbx" = ["S001", "O"]
    [tool.assetlint.rules.B001]
    max_triangles = 5000
"""

from __future__ import annotations

import fnmatch
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from assetlint import categories
from assetlint.findings import SEVERITIES
from assetlint.rules import Rule, param_problem, unmatched
from assetlint.targets import parse_size

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the tomli dependency is installed only on Python 3.10
    import tomli as tomllib

CONFIG_FILES = ("assetlint.toml", "pyproject.toml")
FAIL_ON = ("error", "warning")
DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY_LIMIT = 4096  # MiB
KEYS = {
    "target": "a target name or a list of them (see `assetlint targets`)",
    "select": "a list of rule codes or prefixes",
    "extend-select": "a list of rule codes or prefixes",
    "ignore": "a list of rule codes or prefixes",
    "per-file-ignores": "a table of glob -> list of rule codes or prefixes",
    "exclude": "a list of globs (relative to the config file's folder)",
    "rules": "tables [rules.CODE] of rule parameters and 'severity'",
    "fail-on": "'error' or 'warning'",
    "size": "the object's largest dimension ('30cm') or a category ('helmet')",
    "category": "what the object is ('chair'), to judge its size against the category",
    "timeout": "seconds one file may take (a positive number)",
    "memory-limit": "MiB of memory one file may allocate (a positive integer; 0: no limit)",
}


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """The settings for one asset: a config file's, then the command line's on top."""

    source: str | None = None  # the file read, None for defaults
    root: str = "."  # globs and the cache are relative to this folder
    target: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fail_on: str = "warning"
    size: str | None = None
    category: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    memory_limit: int = DEFAULT_MEMORY_LIMIT  # MiB, 0 for none

    def relative(self, path: Path) -> str | None:
        """The path relative to the config's folder (posix), None when outside it."""
        try:
            return path.resolve().relative_to(Path(self.root).resolve()).as_posix()
        except ValueError:
            return None

    def is_excluded(self, path: Path) -> bool:
        if not self.exclude:
            return False
        rel = self.relative(path)
        return rel is not None and any(_glob(rel, g) for g in self.exclude)

    def per_file_ignores_for(self, path: Path) -> tuple[str, ...]:
        """The codes per-file-ignores removes from this file (whatever selects them, as in
        ruff)."""
        if not self.per_file_ignores:
            return ()
        rel = self.relative(path)
        if rel is None:
            return ()
        codes = [c for g, cs in self.per_file_ignores if _glob(rel, g) for c in cs]
        return tuple(dict.fromkeys(codes))

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as `check --show-config` prints it (config file keys)."""
        d = asdict(self)
        d["per-file-ignores"] = {g: list(c) for g, c in self.per_file_ignores}
        d["extend-select"] = d.pop("extend_select")
        d["fail-on"] = d.pop("fail_on")
        d["memory-limit"] = d.pop("memory_limit")
        del d["per_file_ignores"]
        return json.loads(json.dumps(d))


def _glob(rel: str, pattern: str) -> bool:
    """A gitignore-like match: a pattern without '/' matches the file name anywhere."""
    if "/" not in pattern:
        return fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")


def _table(path: Path) -> dict[str, Any] | None:
    """The assetlint settings a file holds, None when it holds none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        return tool.get("assetlint") if isinstance(tool, dict) else None
    return data


def find_config_file(start: Path) -> Path | None:
    """The nearest assetlint.toml or pyproject.toml with [tool.assetlint], walking up from
    ``start`` (a file or a folder)."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for d in (folder, *folder.parents):
        for name in CONFIG_FILES:
            candidate = d / name
            if candidate.is_file() and _table(candidate) is not None:
                return candidate
    return None


def _codes(value: Any, key: str, where: str, rules: Mapping[str, Rule]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be {KEYS.get(key, 'a list of rule codes')}")
    out = tuple(v.strip().upper() for v in value)
    code = unmatched(out, rules)
    if code is not None:
        if where == "command line":
            raise ConfigError(f"{key} {code!r} matches no rule code")
        raise ConfigError(
            f"{where}: '{key}' names {code!r}, which matches no rule code "
            "(`assetlint rules` lists them)"
        )
    return out


def _check_rule_tables(value: Any, where: str, rules: Mapping[str, Rule]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'rules' must be {KEYS['rules']}")
    out: dict[str, dict[str, Any]] = {}
    for selector, table in value.items():
        sel = selector.upper()
        (_,) = _codes([sel], f"rules.{selector}", where, rules)
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: 'rules.{selector}' must be a table of parameters")
        matched = [r for c, r in rules.items() if c.startswith(sel)]
        for key, v in table.items():
            if key == "severity":
                if v not in SEVERITIES:
                    raise ConfigError(
                        f"{where}: 'rules.{selector}.severity' = {v!r}; allowed: "
                        + ", ".join(SEVERITIES)
                    )
                continue
            takers = [r for r in matched if key in r.params]
            if not takers:
                allowed = sorted({p for r in matched for p in r.params}) + ["severity"]
                raise ConfigError(
                    f"{where}: 'rules.{selector}' has no parameter {key!r}; allowed: "
                    + ", ".join(allowed)
                )
            for rule in takers:
                problem = param_problem(rule, key, v)
                if problem is not None:
                    raise ConfigError(f"{where}: 'rules.{selector}.{key}' = {problem}")
        out[sel] = dict(table)
    return out


def _setting(key: str, value: Any, where: str) -> Any:
    """One of the run's settings, checked alike from a file, the command line and the API
    (a NaN time limit would never expire)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if key == "fail-on" and value not in FAIL_ON:
        raise ConfigError(f"{where}: 'fail-on' = {value!r}; allowed: error, warning")
    if key in ("size", "category") and not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be {KEYS[key]}")
    if key == "category":
        try:
            return categories.lookup(value).name
        except ValueError as exc:
            named = "--category" if where == "command line" else f"{where}: 'category'"
            raise ConfigError(f"{named}: {exc}") from None
    if key == "size":  # named as it was given: the config key, or --size
        try:
            parse_size(value, "--size" if where == "command line" else f"{where}: 'size' =")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if key == "timeout":
        if not number or not math.isfinite(value) or value <= 0:
            raise ConfigError(f"{where}: 'timeout' = {value!r}; must be {KEYS[key]}")
        return float(value)
    if key == "memory-limit" and (
        not isinstance(value, int) or isinstance(value, bool) or value < 0
    ):
        raise ConfigError(f"{where}: 'memory-limit' = {value!r}; must be {KEYS[key]}")
    return value


def parse(data: Mapping[str, Any], source: str, root: Path, rules: Mapping[str, Rule]) -> Config:
    """Check a settings table key by key; ``source`` names it in messages."""
    where = source if source.endswith("assetlint.toml") else f"{source} [tool.assetlint]"
    kw: dict[str, Any] = {"source": source, "root": str(root)}
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; allowed: " + ", ".join(sorted(KEYS)))
        if key == "target":
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(f"{where}: 'target' must be {KEYS['target']}")
            kw["target"] = tuple(names)
        elif key in ("select", "extend-select", "ignore"):
            kw[key.replace("-", "_")] = _codes(value, key, where, rules)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'per-file-ignores' must be {KEYS[key]}")
            kw["per_file_ignores"] = tuple(
                (g, _codes(c, f"per-file-ignores.{g}", where, rules)) for g, c in value.items()
            )
        elif key == "exclude":
            if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
                raise ConfigError(f"{where}: 'exclude' must be {KEYS[key]}")
            kw["exclude"] = tuple(value)
        elif key == "rules":
            kw["rules"] = _check_rule_tables(value, where, rules)
        else:
            kw[key.replace("-", "_")] = _setting(key, value, where)
    return Config(**kw)


def load_file(path: Path, rules: Mapping[str, Rule]) -> Config:
    """The settings of one config file."""
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.assetlint] table")
    return parse(table, str(path), path.parent, rules)


@dataclass
class Overrides:
    """What the command line (or the API) says, on top of any file."""

    target: Sequence[str] | None = None
    select: Sequence[str] | None = None
    extend_select: Sequence[str] | None = None
    ignore: Sequence[str] | None = None  # added to the file's ignore, as ruff's --extend-ignore
    fail_on: str | None = None
    size: str | None = None
    category: str | None = None
    timeout: float | None = None
    memory_limit: int | None = None
    rules: Mapping[str, Mapping[str, Any]] | None = None

    def apply(self, config: Config, rules: Mapping[str, Rule]) -> Config:
        where = "command line"
        changes: dict[str, Any] = {}
        if self.target is not None:
            changes["target"] = tuple(self.target)
        if self.select is not None:
            changes["select"] = _codes(list(self.select), "--select", where, rules)
        if self.extend_select is not None:
            extra = _codes(list(self.extend_select), "--extend-select", where, rules)
            changes["extend_select"] = (*config.extend_select, *extra)
        if self.ignore is not None:
            extra = _codes(list(self.ignore), "--ignore", where, rules)
            changes["ignore"] = tuple(dict.fromkeys((*config.ignore, *extra)))
        for key, value in (
            ("fail-on", self.fail_on),
            ("size", self.size),
            ("category", self.category),
            ("timeout", self.timeout),
            ("memory-limit", self.memory_limit),
        ):
            if value is not None:
                changes[key.replace("-", "_")] = _setting(key, value, where)
        if self.rules:
            merged = {k: dict(v) for k, v in config.rules.items()}
            for sel, table in _check_rule_tables(dict(self.rules), where, rules).items():
                merged.setdefault(sel, {}).update(table)
            changes["rules"] = merged
        return replace(config, **changes)


class Resolver:
    """Configs by folder, so a batch of assets walks up and parses each file once."""

    def __init__(
        self,
        rules: Mapping[str, Rule],
        overrides: Overrides | None = None,
        config_file: Path | None = None,
        isolated: bool = False,
    ):
        self.rules = rules
        self.overrides = overrides or Overrides()
        self.fixed = load_file(config_file, rules) if config_file else None
        self.isolated = isolated
        self._by_file: dict[Path | None, Config] = {}
        self._by_folder: dict[Path, Path | None] = {}

    def for_path(self, path: Path) -> Config:
        if self.fixed is not None or self.isolated:
            key = None
            base = self.fixed or Config(root=str(Path.cwd()))
        else:
            folder = path.parent
            if folder not in self._by_folder:
                self._by_folder[folder] = find_config_file(folder.resolve())
            key = self._by_folder[folder]
            base = None
        if key not in self._by_file:
            if base is None:
                base = load_file(key, self.rules) if key else Config(root=str(Path.cwd()))
            self._by_file[key] = self.overrides.apply(base, self.rules)
        return self._by_file[key]
