"""Rules: metadata every rule declares, and the context a rule runs with.

A rule is a function ``check(asset, ctx) -> Iterable[Finding]`` wrapped with its metadata
by :func:`rule`. A module (built-in or a third-party package) collects its rules in a
:class:`RuleGroup` and hands them to the engine through the ``assetlint_rules`` pluggy hook
(see :mod:`assetlint.plugins`)::

    from assetlint.plugins import hookimpl
    from assetlint.rules import RuleGroup

    group = RuleGroup(family="geometry")

    @group.rule("G001", "non-manifold-edge", severity="error", summary="...", fix="...",
                params={"weld_tolerance": 1e-6}, ranges={"weld_tolerance": AT_LEAST_ZERO})
    def non_manifold_edge(asset, ctx):
        \"\"\"Rationale paragraph (shown by `assetlint explain G001`).\"\"\"
        yield ctx.finding("3 edges shared by more than two faces", subject="Body")

    @hookimpl
    def assetlint_rules():
        return group.rules

Codes are stable: one family prefix of capital letters and three digits, like ruff's.
Reserved prefixes: L load, G geometry & topology, P printability, S scale & units,
O orientation & pivot, M materials, T textures, B budgets, H image-to-3D heuristics,
X internal errors. Third-party packs choose another prefix.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetlint.findings import SAMPLE_LIMIT, SEVERITIES, Finding
from assetlint.model import Asset, Mesh

# Destinations a rule can be about. "all" means every destination.
TARGETS = ("game", "web", "print")

CODE_PATTERN = re.compile(r"^[A-Z]{1,3}[0-9]{3}$")
ALL = "ALL"  # the selector naming every rule

Check = Callable[[Asset, "RuleContext"], Iterable[Finding]]

# What a rule's findings are drawn as on the renders, declared by the rule (``mark=``):
# the elements a finding carries (edges as segments, faces painted, vertices as points,
# parts ringed) in the colour of its mark. "spot" (the default) puts a dot at a located
# finding's location, "none" draws nothing (a seam or a soup is not a defect at a spot),
# "light" draws a baked light's direction (``Finding.direction``), "highlight" rings the
# UVs a finding samples on its texture's thumbnail.
MARKS = (
    *("hole", "non-manifold", "flipped", "floater", "intersection"),
    *("light", "highlight", "spot", "none"),
)
# Where in an asset's life a rule's findings bite, declared by its group (``stage=``): the
# HTML report groups findings by it, in this order. Third-party packs that declare none
# are "other".
STAGES = ("mesh inspection", "materials and textures", "export", "engine import", "other")


@dataclass(frozen=True)
class Range:
    """The values a numeric parameter can take (each element, for a list of numbers),
    declared beside its default: a bound of None is open, ``above`` excludes ``low`` (a
    divisor or a factor that must be positive)."""

    low: float | None = None
    high: float | None = None
    above: bool = False

    def __contains__(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def __str__(self) -> str:
        low = None if self.low is None else f"{'>' if self.above else '>='} {self.low:g}"
        high = None if self.high is None else f"<= {self.high:g}"
        return " and ".join(b for b in (low, high) if b) or "any finite number"


AT_LEAST_ZERO = Range(0.0)  # a count, a size or a tolerance that may be zero
ABOVE_ZERO = Range(0.0, above=True)  # a divisor, a factor or a size that must be positive
SHARE = Range(0.0, 1.0)  # a fraction of a whole


@dataclass(frozen=True)
class Rule:
    """A rule's metadata and its check. Everything `assetlint rules`/`explain` and the README
    table show comes from here, so it is written once."""

    code: str
    name: str  # kebab-case, stable like the code
    family: str  # "geometry", "load", "printability"...
    severity: str  # default severity: "error", "warning" or "info"
    summary: str  # one line: what it detects
    rationale: str  # one paragraph: why it matters
    fix: str  # how to fix it by hand
    # whether `assetlint fix` repairs it: set by the engine from the repair steps'
    # declarations (assetlint.fix), never by the rule itself
    autofix: bool = False
    targets: tuple[str, ...] = ("all",)
    params: Mapping[str, Any] = field(default_factory=dict)  # name -> default value
    ranges: Mapping[str, Range] = field(default_factory=dict)  # name -> its valid values
    # name -> the code whose parameter of that name this rule reads (one setting, set there)
    shared: Mapping[str, str] = field(default_factory=dict)
    check: Check | None = None  # None for rules whose findings come from elsewhere (load)
    origin: str = "assetlint"  # the plugin that declared it
    mark: str = "spot"  # what the renders draw for its findings: one of MARKS
    stage: str = "other"  # where its findings bite, for the reports: one of STAGES

    def metadata(self) -> dict[str, Any]:
        """Everything but the check, as JSON data: what `rules --format json` prints and
        what the cache's catalogue stores (:meth:`from_metadata` reads it back)."""
        return {
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "severity": self.severity,
            "summary": self.summary,
            "rationale": self.rationale,
            "fix": self.fix,
            "autofix": self.autofix,
            "targets": list(self.targets),
            "params": dict(self.params),
            "ranges": {k: [r.low, r.high, r.above] for k, r in self.ranges.items()},
            "shared": dict(self.shared),
            "origin": self.origin,
            "stage": self.stage,
            "mark": self.mark,
        }

    @classmethod
    def from_metadata(cls, data: Mapping[str, Any]) -> Rule:
        """The rule :meth:`metadata` describes, without its check."""
        return cls(
            **{
                **data,
                "targets": tuple(data["targets"]),
                "ranges": {k: Range(*bounds) for k, bounds in data["ranges"].items()},
            }
        )

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"rule code {self.code!r} is not a prefix and three digits")
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.code}: unknown severity {self.severity!r}")
        if self.mark not in MARKS:
            raise ValueError(f"rule {self.code}: mark {self.mark!r} is not one of {MARKS}")
        if self.stage not in STAGES:
            raise ValueError(f"rule {self.code}: stage {self.stage!r} is not one of {STAGES}")
        unknown = set(self.targets) - set(TARGETS) - {"all"}
        if unknown:
            raise ValueError(f"rule {self.code}: unknown targets {sorted(unknown)}")
        for key in self.ranges:
            if key not in self.params:
                raise ValueError(f"rule {self.code}: a range for no parameter {key!r}")
            problem = param_problem(self, key, self.params[key])
            if problem is not None:
                raise ValueError(f"rule {self.code}: default {key} = {problem}")
        clash = set(self.shared) & set(self.params)
        if clash:
            raise ValueError(f"rule {self.code}: {sorted(clash)} both declared and shared")

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")

    def applies_to(self, target: str | None) -> bool:
        """Whether the rule runs by default: for every target, or for the one chosen."""
        return "all" in self.targets or (target is not None and target in self.targets)


def param_problem(rule: Rule, key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for ``rule``'s parameter ``key`` (None when it can be
    used): the same kind as the default; a number finite, since NaN compares false with
    everything and would silently switch the rule off, and inside the range the rule
    declares for it (``tolerance = 0`` would divide by zero); and for the S rules' named
    values (``category``, ``unitless_unit``) a name they can look up, since a wrong one
    would fail every S rule on every file. Config files, the command line, the API and
    target packs all check values through this one function, in one wording."""
    default = rule.params[key]
    valid = rule.ranges.get(key)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            return _number_problem(value, default, valid)
    elif isinstance(default, (list, tuple)):
        ok = isinstance(value, (list, tuple))
        numbers = [v for v in default if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if ok and default and len(numbers) == len(default):
            for item in value:
                if not isinstance(item, (int, float)) or isinstance(item, bool):
                    return f"{value!r} is not a list of numbers (default {default!r})"
                problem = _number_problem(item, default, valid)
                if problem is not None:
                    return f"{value!r}: {problem}"
    else:
        ok = isinstance(value, type(default))
    if ok:
        if key in ("category", "unitless_unit") and isinstance(value, str):
            return _name_problem(key, value)
        return None
    return f"{value!r} is not a {type(default).__name__} (default {default!r})"


def _number_problem(value: float, default: Any, valid: Range | None) -> str | None:
    if not math.isfinite(value):
        return f"{value!r} is not a finite number (default {default!r})"
    if valid is not None and value not in valid:
        return f"{value!r} is out of range: must be {valid} (default {default!r})"
    return None


def _name_problem(key: str, value: str) -> str | None:
    """A ``category`` (empty: none) or ``unitless_unit`` that names nothing known."""
    from assetlint import categories
    from assetlint.rules.scale import UNITS  # here: scale imports this module

    if key == "unitless_unit":
        return None if value in UNITS else f"{value!r} is not one of {sorted(UNITS)}"
    if not value:
        return None
    try:
        categories.lookup(value)
    except ValueError as exc:
        return str(exc)
    return None


def specificity(selector: str, code: str, in_scope: bool = True) -> int:
    """How specifically ``selector`` names ``code``: -1 not at all, 0 for ALL, else its
    length (so "G001" beats "G0" beats "G", as in ruff). ALL and a prefix name only the
    rules in the chosen target's scope (``in_scope``); a full code names its rule anyway."""
    if selector == ALL:
        return 0 if in_scope else -1
    if not code.startswith(selector) or (selector != code and not in_scope):
        return -1
    return len(selector)


def unmatched(selectors: Iterable[str], codes: Iterable[str]) -> str | None:
    """The first selector that names no rule code (a prefix of none, ALL naming every
    one), or None: the one test behind every "matches no rule code" of the command line,
    config files, target packs and the API."""
    known = tuple(codes)
    for sel in selectors:
        if sel != ALL and not any(code.startswith(sel) for code in known):
            return sel
    return None


def keeps(
    code: str,
    select: Sequence[str] | None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    default: bool = True,
    in_scope: bool = True,
) -> bool:
    """Whether the selectors keep ``code``: ``default`` says whether it is chosen when
    nothing is selected (a pack chose it, or it is declared for the target); ``select``
    replaces that and ``extend_select`` adds to it; between them and ``ignore`` the most
    specific selector wins, a tie goes to ignore. Every front end decides through this."""
    if select is None:
        sel = 0 if default else -1
    else:
        sel = max((specificity(s, code, in_scope) for s in select), default=-1)
    sel = max([sel, *(specificity(s, code, in_scope) for s in extend_select)])
    ign = max((specificity(s, code) for s in ignore), default=-1)
    return sel >= 0 and sel > ign


class RuleGroup:
    """The rules one module declares; ``group.rules`` is what its hook returns. ``stage``:
    where the group's findings bite (one of STAGES), unless a rule declares its own."""

    def __init__(self, family: str, origin: str = "assetlint", stage: str = "other"):
        self.family = family
        self.origin = origin
        self.stage = stage
        self.rules: list[Rule] = []

    def rule(
        self,
        code: str,
        name: str,
        *,
        severity: str,
        summary: str,
        fix: str,
        targets: tuple[str, ...] = ("all",),
        params: Mapping[str, Any] | None = None,
        ranges: Mapping[str, Range] | None = None,
        shared: Mapping[str, str] | None = None,
        rationale: str | None = None,
        mark: str = "spot",
        stage: str | None = None,
    ) -> Callable[[Check], Check]:
        """Declare the decorated function as a rule; its docstring is the rationale.
        ``mark``: what the renders draw for its findings (one of MARKS)."""

        def register(check: Check) -> Check:
            text = rationale or inspect.getdoc(check)
            if not text:
                raise ValueError(f"rule {code} needs a rationale (the check's docstring)")
            self.rules.append(
                Rule(
                    code=code,
                    name=name,
                    family=self.family,
                    severity=severity,
                    summary=summary,
                    rationale=" ".join(text.split()),
                    fix=fix,
                    targets=tuple(targets),
                    params=dict(params or {}),
                    ranges=dict(ranges or {}),
                    shared=dict(shared or {}),
                    check=check,
                    origin=self.origin,
                    mark=mark,
                    stage=stage or self.stage,
                )
            )
            return check

        return register


@dataclass
class RuleContext:
    """What one rule sees besides the asset: its resolved thresholds and how to report."""

    rule: Rule
    path: str
    params: dict[str, Any]
    severity: str
    target: str | None = None  # the destination being checked for, if one was chosen

    def finding(
        self,
        message: str,
        *,
        subject: str | None = None,
        subject_type: str | None = None,
        count: int | None = None,
        value: float | None = None,
        limit: float | None = None,
        sample: Mapping[str, Any] | None = None,
        location: Iterable[float] | None = None,
        severity: str | None = None,
        elements: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule. ``sample`` maps "faces"/"edges"/"vertices" to element
        indices (edges as vertex pairs) and is cut to SAMPLE_LIMIT entries each.
        ``elements``: every element the finding is about, in the same terms (and "parts",
        the part of each face), for the renders to draw them all; never serialized."""
        bounded: dict[str, list] = {}
        for kind, items in (sample or {}).items():
            arr = np.asarray(items)[:SAMPLE_LIMIT]
            if len(arr):
                bounded[kind] = arr.tolist()
        return Finding(
            code=self.rule.code,
            severity=severity or self.severity,
            message=message,
            path=self.path,
            subject=subject,
            subject_type=subject_type,
            count=None if count is None else int(count),
            value=None if value is None else float(value),
            limit=None if limit is None else float(limit),
            sample=bounded,
            location=None if location is None else [float(x) for x in location],
            elements={kind: np.asarray(items) for kind, items in (elements or {}).items()},
        )

    def none_allowed(
        self,
        message: str,
        *,
        bad: Sized,
        subject: str | None,
        sample: Mapping[str, Any],
        subject_type: str = "mesh",
        location: Iterable[float] | None = None,
        elements: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding about ``bad`` elements where the limit is none: how many is both the
        count and the measured value, and the limit is 0."""
        return self.finding(
            message,
            subject=subject,
            subject_type=subject_type,
            count=len(bad),
            value=len(bad),
            limit=0,
            sample=sample,
            location=location,
            elements=elements,
        )


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 hole', '3 holes', '1,204 vertices' (with ``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def mesh_label(asset: Asset, index: int) -> str:
    """How a finding names a mesh: its name, or its index when it has none."""
    name = asset.meshes[index].name
    return name if name else f"mesh #{index}"


def iter_meshes(asset: Asset) -> Iterator[tuple[int, Mesh, str]]:
    """(index, mesh, label) for every mesh, the usual loop of a per-mesh rule."""
    for index, mesh in enumerate(asset.meshes):
        yield index, mesh, mesh_label(asset, index)
