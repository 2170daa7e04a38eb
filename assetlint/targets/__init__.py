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

The package holds one job a module: :mod:`.packs` (what a pack is, where packs come
from), :mod:`.resolution`, :mod:`.running`, :mod:`.sizes` (a stated size or category),
:mod:`.table` (the table of targets) and :mod:`.cli`; everything public is re-exported here.
"""

from __future__ import annotations

from assetlint.targets.cli import add_cli_arguments, add_targets_command, cmd_targets, main
from assetlint.targets.packs import (
    DEFAULT_PACK,
    FAMILIES,
    PACK_KEYS,
    SELECTOR,
    Pack,
    PackError,
    ResolvedTarget,
    builtin_pack_dir,
    discover,
    load_pack_file,
    pack_from_mapping,
    unsourced_numbers,
)
from assetlint.targets.resolution import effective_names, resolve, resolve_pack, split_names
from assetlint.targets.running import chosen_codes, enabled_codes, run_target, run_targets
from assetlint.targets.sizes import category_overrides, parse_size, size_overrides
from assetlint.targets.table import (
    README_END,
    README_START,
    all_targets,
    key_numbers,
    readme_block,
    table,
    update_readme,
)

__all__ = [
    "DEFAULT_PACK",
    "FAMILIES",
    "PACK_KEYS",
    "Pack",
    "PackError",
    "README_END",
    "README_START",
    "ResolvedTarget",
    "SELECTOR",
    "add_cli_arguments",
    "add_targets_command",
    "all_targets",
    "builtin_pack_dir",
    "category_overrides",
    "chosen_codes",
    "cmd_targets",
    "discover",
    "effective_names",
    "enabled_codes",
    "key_numbers",
    "load_pack_file",
    "main",
    "pack_from_mapping",
    "parse_size",
    "readme_block",
    "resolve",
    "resolve_pack",
    "run_target",
    "run_targets",
    "size_overrides",
    "split_names",
    "table",
    "unsourced_numbers",
    "update_readme",
]
