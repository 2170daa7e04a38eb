"""Plugin hooks: how rules reach the engine.

Built-in rule modules and third-party packs use the same hook. A third-party package
declares an entry point in the group ``assetlint``::

    [project.entry-points.assetlint]
    mypack = "mypack.rules"

and the module it names implements ``assetlint_rules`` with :data:`hookimpl`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pluggy

from assetlint.rules import Rule

PROJECT = "assetlint"
ENTRY_POINT_GROUP = "assetlint"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# The built-in rule modules: the one list to extend when a rule family is added.
BUILTIN_RULE_MODULES = (
    "assetlint.rules.internal",
    "assetlint.rules.load",
    "assetlint.rules.geometry",
    "assetlint.rules.printability",
    "assetlint.rules.budgets",
    "assetlint.rules.scale",
    "assetlint.rules.orientation",
    "assetlint.rules.materials",
    "assetlint.rules.textures",
    "assetlint.rules.validators",
    "assetlint.rules.heuristics",
)


class PluginError(Exception):
    """A rule pack that cannot be used (bad metadata, a code already taken)."""


class HookSpecs:
    @hookspec
    def assetlint_rules(self) -> Iterable[Rule]:  # type: ignore[empty-body]
        """Return the rules this plugin provides."""

    @hookspec
    def assetlint_packs(self) -> Iterable[Any]:  # type: ignore[empty-body]
        """Return target packs: paths of TOML files, or mappings with the same keys."""


def plugin_manager(entry_points: bool = True, extra: Iterable[object] = ()) -> pluggy.PluginManager:
    """A manager with the built-in rules, the installed packs (``entry_points``) and any
    ``extra`` plugin objects (modules or instances implementing the hooks)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(HookSpecs)
    for name in BUILTIN_RULE_MODULES:
        pm.register(importlib.import_module(name), name=name)
    if entry_points:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:  # a broken third-party pack must not look like our crash
            raise PluginError(f"cannot load a rule pack from entry points: {exc}") from None
    for plugin in extra:
        pm.register(plugin)
    return pm
