"""`assetlint fix FILE --target T --output OUT`: repair a copy and prove it by relinting.

The input is never written. Every output file (the model, its .mtl, its textures) is
written into a private folder beside the output and renamed into place once all are
whole, so a kill leaves the old files or the new ones, never a partial one; a rename
replaces a symlink at the destination rather than writing through it; no output replaces
a file the input reads (the input itself, its .mtl, its textures). ``--in-place`` keeps
the original as ``FILE.orig`` (``FILE.orig.1``, ``.2``... when that exists: a backup is
never overwritten) and renames the new file over the input. Files get the mode the umask
gives. The input is read as ``check`` reads it, in a child process under the time and
memory limits. ``--dry-run`` fixes in memory and prints what would change.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from assetlint import config as cfg
from assetlint import selection
from assetlint import targets as target_packs
from assetlint.batch import new_file_mode
from assetlint.engine import Engine, SelectionError
from assetlint.findings import Finding
from assetlint.fix import FixContext, allowed, apply_fixes
from assetlint.model import Asset
from assetlint.plugins import PluginError
from assetlint.rules import mesh_label, plural
from assetlint.rules.scale import UNITS
from assetlint.runner import lint_one
from assetlint.writers import WriteError, texture_bytes, write, writer_for
from assetlint.writers.obj import finite_colours

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# formats written as one file, which --in-place can replace atomically
SINGLE_FILE = (".glb", ".stl", ".usdz")


def add_fix_command(subparsers: Any) -> None:
    """Register `assetlint fix` on the CLI's subparsers."""
    p = subparsers.add_parser(
        "fix", help="repair what can be repaired safely, into a new file, and relint it"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--target", required=True, metavar="NAME", help="the destination (one pack)")
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--output", "-o", metavar="OUT", help="where to write (.glb, .usd[a|c|z], .obj, .stl)"
    )
    out.add_argument(
        "--in-place",
        action="store_true",
        help="replace FILE (through a temporary file; the original is kept as FILE.orig)",
    )
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("--select", action="append", metavar="CODES", help="fix only these codes")
    p.add_argument("--ignore", action="append", metavar="CODES", help="do not fix these codes")
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--size", metavar="SIZE", help="scale so the largest dimension is SIZE (0.3m)"
    )
    size.add_argument("--height", metavar="SIZE", help="scale so the height is SIZE (1.75m)")
    size.add_argument(
        "--category",
        metavar="NAME",
        help="what the object is (chair, car...): scale to the category's typical size when "
        "its size is outside the category's range",
    )


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip().upper() for v in values for part in v.split(",") if part.strip()]


def _length(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    metres, category = target_packs.parse_size(text)
    if category is not None:
        raise ValueError(
            f"{option} {text!r}: give a length (0.3m), not a category (--category {category})"
        )
    return metres


def writer_options(path: Path, asset: Asset, ctx: FixContext) -> dict[str, Any]:
    """Units and axes to write: unitless formats (STL, OBJ) in the unit and up axis the
    target reads them with; USD with the up axis the target expects."""
    kind = writer_for(path)
    if kind in ("stl", "obj"):
        unit = ctx.param("S001", "unitless_unit") or "m"
        up = ctx.param("O008", "unitless_up") or "+Y"
        options = {"meters_per_unit": UNITS[unit], "up_axis": up}
        return {**options, "stem": path.stem} if kind == "obj" else options
    if kind == "usd":
        up = asset.authored.up_axis if asset.authored.up_axis == "+Z" else "+Y"
        return {"up_axis": up, "stem": path.stem}
    return {}


def _unread(findings: list[Finding]) -> str:
    """Why a file did not load, as its lint said."""
    return "; ".join(f.message for f in findings) or "cannot be read"


def _problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_outputs(
    asset: Asset, dest: Path, options: dict[str, Any], inputs: Iterable[Path], in_place: bool
) -> list[Path]:
    """Write ``asset`` to ``dest`` and the files beside it, all or none: into a private
    folder in ``dest``'s folder first, then each renamed into place (the model last).
    Refused (WriteError, nothing written) when a file would replace one of ``inputs``
    (except ``dest`` itself with ``in_place``). The files written, in order."""
    folder = dest.parent
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder))
    try:
        write(asset, staging / dest.name, **options)
        produced = sorted(p for p in staging.iterdir() if p.name != dest.name)
        produced.append(staging / dest.name)
        inputs = list(inputs)
        for made in produced:
            final = folder / made.name
            if in_place and made.name == dest.name:
                continue
            if any(_same_file(final, i) for i in inputs):
                raise WriteError(f"{made.name} would replace a file the input reads")
        mode = new_file_mode()
        for made in produced:
            os.chmod(made, mode)
        for made in produced:
            os.replace(made, folder / made.name)  # replaces a symlink, never follows it
        return [folder / made.name for made in produced]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def keep_backup(source: Path) -> Path:
    """A copy of ``source`` as ``source.orig``, or ``.orig.1``, ``.orig.2``... when that
    name is taken (by anything, a symlink included): an earlier backup, maybe the only
    copy of the original, is never replaced, and nothing is written through a link."""
    fd, tmp = tempfile.mkstemp(prefix=f".{source.name}.", suffix=".tmp", dir=source.parent)
    os.close(fd)
    try:
        shutil.copy2(source, tmp)
        for n in itertools.count():
            backup = source.with_name(f"{source.name}.orig" + (f".{n}" if n else ""))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, backup)  # fails on any existing name, never follows it
                return backup
    finally:
        os.unlink(tmp)


def cmd_fix(ns: argparse.Namespace) -> int:
    """Fix ``ns.file`` for ``ns.target``; 0 when the fixed file has no error or warning
    left, 1 when some remain (not fixable, or ignored), 2 on a usage or read error."""
    source = Path(ns.file)
    try:
        engine = Engine.default()
        select, ignore = _split(ns.select), _split(ns.ignore) or []
        engine.check_selectors(select or (), "--select")
        engine.check_selectors(ignore, "--ignore")
        size, height = _length(ns.size, "--size"), _length(ns.height, "--height")
        # the lint before and after fixing is the one `check` runs: the project's config
        # (its ignores, per-file-ignores and rule tables) with the target and size given here
        stated = cfg.Overrides(
            target=target_packs.split_names([ns.target]), size=ns.size, category=ns.category
        )
        resolver = cfg.Resolver(engine.rules, stated)
        config = resolver.for_path(source)
        lint = selection.for_config(engine, config, source)
        category = None if ns.size else config.category  # --size is a length here
        if len(lint.targets) != 1:
            raise ValueError("--target: fix for one target at a time")
        if ns.in_place:
            dest = source
        elif ns.output:
            dest = Path(ns.output)
        elif not ns.dry_run:
            raise ValueError("give --output OUT (or --in-place, or --dry-run)")
        else:  # a dry run judges the fixed asset as it would be written back
            dest = source
        if not ns.in_place and not ns.dry_run and dest.resolve() == source.resolve():
            raise ValueError("--output is the input file: use --in-place to replace it")
        if ns.in_place and dest.suffix.lower() not in SINGLE_FILE:
            raise ValueError(
                f"--in-place rewrites one file, and {dest.suffix} is written with files "
                "beside it (.mtl, textures): use --output"
            )
        writer_for(dest)
        # the one lint run `check` makes: the fixes plan from its findings, on its asset
        linted = lint_one(source, resolver, engine)
    except (SelectionError, target_packs.PackError, PluginError, ValueError, WriteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if linted.asset is None:
        print(f"error: {source}: {_unread(linted.findings)}", file=sys.stderr)
        return EXIT_ERROR
    asset, before = linted.asset, linted.findings
    ctx = FixContext(
        before,
        engine.rules,
        lint.targets[0].params,
        size=size,
        height=height,
        category=category,
        judged=frozenset(c for c in lint.codes(engine) if allowed(c, select, ignore)),
    )
    applied = apply_fixes(asset, ctx, select, ignore)
    for line in ctx.read:
        print(f"read: {line}")
    for item in applied:
        for change in item.changes:
            codes = f" ({', '.join(item.codes)})" if item.codes else ""
            print(f"{item.fix.name}{codes}: {change}")
    if not applied:
        print("nothing to fix")
    for texture in asset.textures:
        if texture_bytes(texture) is None:
            print(
                f"note: texture {texture.name!r} is missing or unreadable and is left out "
                "of the written file (its material keeps its factors)"
            )
    for index, mesh in enumerate(asset.meshes):
        if mesh.colors is None:
            continue
        bad = ~np.isfinite(mesh.colors).all(axis=1)
        if bad.any():
            mesh.colors = finite_colours(mesh.colors).astype(np.float32)
            print(
                f"note: {mesh_label(asset, index)}: {plural(int(bad.sum()), 'vertex colour')} "
                "not a number (NaN or infinite) written as white, the colour of a vertex "
                "without one"
            )
    coloured = [m.name for m in asset.meshes if m.colors is not None]
    if writer_for(dest) == "stl" and (coloured or asset.textures):
        print(
            "note: STL carries no colour: the vertex colours and textures are not written "
            "(write .obj or .glb to keep them)"
        )
    options = writer_options(dest, asset, ctx)
    if ns.dry_run:
        after = lint.run(engine, asset)
    else:
        try:
            if ns.in_place:
                print(f"kept the original as {keep_backup(source)}")
            inputs = [source, *asset.dependencies]
            write_outputs(asset, dest, options, inputs, ns.in_place)
        except (OSError, WriteError) as exc:
            print(f"error: cannot write {dest}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        relinted = lint_one(dest, resolver, engine, keep_asset=False, settings_of=source)
        if not relinted.loaded:
            print(f"error: cannot write {dest}: {_unread(relinted.findings)}", file=sys.stderr)
            return EXIT_ERROR
        after = relinted.findings
    repaired = {code for item in applied if not item.undone for code in item.codes}
    return report(
        before,
        after,
        dest,
        ns.dry_run,
        repaired,
        sized=size is not None or height is not None or category is not None,
    )


def report(
    before: list[Finding],
    after: list[Finding],
    dest: Path,
    dry_run: bool,
    repaired: set[str] | None = None,
    sized: bool = False,
) -> int:
    """Print which codes went away, which remain and any that are new; the exit code.
    A code counts as fixed only when a fix ran for it (``repaired``): one that went away
    as a side effect (baked light no longer measured because a step changed the colour)
    is listed apart, not claimed. S006 remaining without a size
    stated (``sized``) is explained: only the user knows the real size."""
    was = {f.code for f in _problems(before)}
    now = {f.code for f in _problems(after)}
    gone, new = sorted(was - now), sorted(now - was)
    if repaired is not None:
        fixed = [c for c in gone if c in repaired]
        aside = [c for c in gone if c not in repaired]
    else:
        fixed, aside = gone, []
    verb = "would be fixed" if dry_run else "fixed"
    print(f"{verb}: {', '.join(fixed) if fixed else 'nothing'}")
    if aside:
        print(f"no longer reported, though no fix ran for them: {', '.join(aside)}")
    if now:
        print(f"remaining: {', '.join(sorted(now))}")
    if "S006" in now and not sized:
        print(
            "S006 is not fixed: fix scales only to a size stated with --size (e.g. --size "
            "1.2m) or --height, or to the typical size of --category NAME"
        )
    for f in _problems(after):
        if f.code in new:
            print(f"new: {f.code} ({f.severity}) {f.message}")
    if not dry_run:
        print(f"wrote {dest}")
    return EXIT_FINDINGS if now else EXIT_CLEAN
