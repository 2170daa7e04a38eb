"""What to run on one file (a :class:`Plan`), running it in whatever process holds it, and
what comes back (a :class:`FileResult`)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetlint import selection
from assetlint import targets as target_packs
from assetlint.batch.memory import limit_memory, memory_limited
from assetlint.config import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT, Config
from assetlint.engine import Engine
from assetlint.findings import Finding, as_reported, load_failure
from assetlint.loaders import ReaderFailure, recording, run_forked
from assetlint.rules import Rule
from assetlint.rules.internal import INTERNAL_ERROR, MEMORY_LIMIT


@dataclass(frozen=True)
class Plan:
    """What to run on one file, resolved from its Config; picklable, so a worker process or
    a Dask worker can run it, and hashable into the cache key."""

    target: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # per-file-ignores: removed whatever selects them
    rules: tuple[tuple[str, str], ...] = ()  # (selector, JSON of its table), sorted
    size: str | None = None
    category: str | None = None
    # Send the loaded Asset back with the result (FileResult.asset), for a front end that
    # draws or repairs it: the one load serves the lint and them. Not part of the settings
    # (nor of the cache key); a cached result is not looked up, so that the findings carry
    # every element to draw (Finding.elements), but is still stored.
    keep_asset: bool = field(default=False, compare=False, repr=False)

    @classmethod
    def for_file(cls, config: Config, path: Path) -> Plan:
        return cls(
            target=tuple(target_packs.effective_names(config.target)),
            select=config.select,
            extend_select=config.extend_select,
            ignore=config.ignore,
            drop=config.per_file_ignores_for(path),
            rules=tuple(
                sorted((k, json.dumps(v, sort_keys=True)) for k, v in config.rules.items())
            ),
            size=config.size,
            category=config.category,
        )

    def fingerprint(self) -> str:
        return _fingerprint(self)


@functools.lru_cache(maxsize=64)
def _fingerprint(plan: Plan) -> str:
    return hashlib.sha256(repr(plan).encode()).hexdigest()


def unique_plans(jobs: Iterable[tuple[str, Plan]]) -> list[Plan]:
    return list(dict.fromkeys(plan for _, plan in jobs))


@dataclass
class FileResult:
    """One file's outcome: its findings, the rules that ran, the loader's summary numbers."""

    path: str
    findings: list[Finding]
    rules: list[str]  # codes of the rules that ran (for JUnit testcases)
    stats: dict[str, Any] = field(default_factory=dict)  # empty when the file did not load
    loaded: bool = True
    cached: bool = False
    seconds: float = 0.0  # time to load and lint it in this run (0 from the cache)
    # Files the loader resolved, relative to the asset's folder (Asset.dependencies).
    depends_on: list[str] = field(default_factory=list, repr=False)
    # Set by a worker for the cache (see cache.lint_job): the key, the dependencies' hashes.
    key: str | None = field(default=None, repr=False)
    dependencies: list[tuple[str, str]] = field(default_factory=list, repr=False)
    cache_note: str | None = field(default=None, repr=False)  # a damaged entry met
    cacheable: bool = field(default=True, repr=False)  # False: says nothing lasting
    truncated: int = 0  # findings past the per-file cap, counted and not listed (X003)
    # The loaded Asset, when the plan asked to keep it (Plan.keep_asset); never serialized.
    asset: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "rules": self.rules,
            "stats": self.stats,
            "loaded": self.loaded,
            "truncated": self.truncated,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FileResult:
        return cls(
            path=d["path"],
            findings=[Finding(**f) for f in d["findings"]],
            rules=list(d["rules"]),
            stats=dict(d["stats"]),
            loaded=bool(d["loaded"]),
            truncated=int(d.get("truncated", 0)),
        )


_PREPARED: dict[Plan, tuple[Engine, selection.Selection]] = {}


def prepare(plan: Plan, engine: Engine | None = None) -> tuple[Engine, selection.Selection]:
    """The engine and the resolved selection of a plan, once per process. Raises
    SelectionError/PackError/ValueError for a bad plan. With an engine that cannot run
    (:meth:`Engine.from_catalogue`) the plan is only checked: nothing is kept, and the
    process that lints it prepares it again with an engine that runs."""
    light = engine is not None and not engine.runnable
    if plan in _PREPARED and not light:
        return _PREPARED[plan]
    engine = engine or next((p[0] for p in _PREPARED.values()), None) or Engine.default()
    chosen = selection.resolve(
        engine,
        targets=plan.target,
        select=plan.select,
        extend_select=plan.extend_select,
        ignore=plan.ignore,
        drop=plan.drop,
        rules={sel: json.loads(table) for sel, table in plan.rules},
        size=plan.size,
        category=plan.category,
    )
    if light:
        return engine, chosen
    _PREPARED[plan] = (engine, chosen)
    return _PREPARED[plan]


def lint_file(path: str, plan: Plan) -> FileResult:
    """Load and lint one file (in whatever process runs it)."""
    from assetlint.loaders import OutOfMemory, load
    from assetlint.model import LoadError
    from assetlint.summary import summarize

    start = time.perf_counter()
    engine, chosen = prepare(plan)
    enabled = chosen.codes(engine)
    rules = sorted(enabled)
    folder = Path(path).parent.resolve()
    with recording() as seen:  # also what was resolved before a load failed
        try:
            asset = load(Path(path))
        except OutOfMemory:
            if memory_limited():
                raise MemoryError from None  # the worker's limit reached: X002, not a bad file
            raise
        except LoadError as exc:
            findings = [load_failure(str(exc), path)] if "L001" in enabled else []
            result = FileResult(
                path, findings, rules, loaded=False, seconds=time.perf_counter() - start
            )
            result.depends_on = _relative(folder, seen)
            result.cacheable = not isinstance(exc, ReaderFailure)  # timeout, crash: retried
            return result
    findings, truncated = as_reported(chosen.run(engine, asset), path)
    stats = summarize(asset)
    kept = None
    if plan.keep_asset:
        asset.clear_caches()  # what the rules memoized: not worth sending
        kept = asset
    else:  # nothing draws them: a run of many scans does not hold every face id
        for f in findings:
            f.elements = {}
    del asset  # unless kept, its arrays are not needed for the report: free them now
    seconds = time.perf_counter() - start
    result = FileResult(path, findings, rules, stats=stats, truncated=truncated, seconds=seconds)
    result.depends_on = _relative(folder, seen)
    result.asset = kept
    return result


def _relative(folder: Path, paths: Iterable[Path]) -> list[str]:
    """The paths inside the asset's folder, relative to it, sorted (the loaders resolve
    nothing outside it; what a loader reads for itself, as usd-core's warm-up stage, is
    not the asset's)."""
    return sorted(os.path.relpath(p, folder) for p in paths if folder in p.parents)


def load_limited(
    path: str | Path, timeout: float = DEFAULT_TIMEOUT, memory: int | None = DEFAULT_MEMORY_LIMIT
) -> Any:
    """The Asset of one file, read as a check's worker reads it: in a forked child under
    the time limit (seconds) and the memory limit (MiB), so that ``info``, ``render``,
    ``fix`` and the HTML report neither hang on a hostile file nor take the machine's
    memory. Raises LoadError (a timeout, a crash or the limit included)."""
    return run_forked(_load_within, (str(path), memory), "reading", timeout)


def _load_within(path: str, memory: int | None) -> Any:
    from assetlint.loaders import load

    if memory:
        limit_memory(memory)
    return load(path)


def worker_failure(path: str, plan: Plan, what: str, rule: Rule = INTERNAL_ERROR) -> FileResult:
    """The result of a file whose worker crashed or ran out of time (an X001 finding) or
    of memory (X002)."""
    finding = Finding(rule.code, rule.severity, f"not checked: {what}", path, "worker", "process")
    return FileResult(path, [finding], [rule.code], loaded=False)


# Codes of results that say nothing lasting about the file: never cached.
NOT_CACHED = (INTERNAL_ERROR.code, MEMORY_LIMIT.code)
