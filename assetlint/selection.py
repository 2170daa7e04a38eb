"""Which rules run on one file, with which thresholds and severities: one resolution that
`check`, `fix`, `render`, `watch` and the Python API all use, so that they agree.

What comes in is the same wherever it comes from (a config file, then the command line or
the API on top, see :mod:`assetlint.config`): the targets named (else the default pack),
``select`` / ``extend-select`` / ``ignore``, per-file-ignores, rule tables and a stated
size or category. The selection follows ruff's, per target:

- with no ``select`` the target's pack decides what runs;
- ``select`` replaces that and ``extend-select`` adds to it: ALL or a prefix picks the
  rules in the target's scope (declared for its destination, or for every destination),
  a full code picks its rule whatever its targets, so ``--target unity --select S`` never
  runs the print-only S004 but ``--select S004`` does;
- between them and ``ignore`` the more specific selector wins, a tie goes to ignore;
- per-file-ignores remove their codes whatever selects them.

Every rule parameter is checked once, where it is read (:func:`assetlint.rules.param_problem`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetlint import targets as target_packs
from assetlint.engine import Engine
from assetlint.findings import Finding
from assetlint.model import Asset

if TYPE_CHECKING:
    from assetlint.config import Config


@dataclass(frozen=True)
class Selection:
    """The resolved targets and the user's selectors for one file."""

    targets: tuple[target_packs.ResolvedTarget, ...]
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # per-file-ignores

    def _selectors(self) -> tuple[Any, ...]:
        return (self.select, self.ignore, self.extend_select, self.drop)

    def codes(self, engine: Engine) -> set[str]:
        """The rule codes this selection can report, over all its targets."""
        return target_packs.enabled_codes(engine, self.targets, *self._selectors())

    def run(self, engine: Engine, asset: Asset) -> list[Finding]:
        """The findings of every target on ``asset`` (merged as
        :func:`assetlint.targets.run_targets` says)."""
        return target_packs.run_targets(engine, asset, self.targets, *self._selectors())


def resolve(
    engine: Engine,
    targets: Sequence[str] = (),
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    drop: Sequence[str] = (),
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    size: str | None = None,
    category: str | None = None,
) -> Selection:
    """The one resolution: targets (the default pack when none is named) with the stated
    size or category and the rule tables applied over every pack, and the selectors checked against
    the installed rules. Raises SelectionError, PackError or ValueError (a bad size)."""
    overrides: dict[str, dict[str, Any]] = {}
    if size:
        overrides = {k: dict(v) for k, v in target_packs.size_overrides(size).items()}
    if category:
        for sel, table in target_packs.category_overrides(category).items():
            overrides.setdefault(sel, {}).update(table)
    for sel, table in (rules or {}).items():
        overrides.setdefault(sel, {}).update(table)
    resolved = target_packs.resolve(target_packs.effective_names(targets), engine, overrides)
    chosen = Selection(
        targets=tuple(resolved),
        select=None if select is None else tuple(select),
        extend_select=tuple(extend_select),
        ignore=tuple(ignore),
        drop=tuple(drop),
    )
    chosen.codes(engine)  # checks every selector against the installed rules
    return chosen


def for_config(engine: Engine, config: Config, path: Path | None = None) -> Selection:
    """The selection a resolved :class:`~assetlint.config.Config` gives ``path`` (its
    per-file-ignores included)."""
    return resolve(
        engine,
        targets=config.target,
        select=config.select,
        extend_select=config.extend_select,
        ignore=config.ignore,
        drop=config.per_file_ignores_for(path) if path is not None else (),
        rules=config.rules,
        size=config.size,
        category=config.category,
    )
