"""The Python API for studio import scripts: lint files from code, get a report object.

    import assetlint
    report = assetlint.lint("props/chair.glb", target="unity")
    if not report.ok:
        for f in report.findings:
            print(f.code, f.severity, f.message)

It reads the same configuration files as the command line (walking up from each asset)
unless ``config=False``; keyword arguments override them, as flags do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from assetlint import config as cfg
from assetlint import runner
from assetlint.engine import Engine
from assetlint.reporters import Report


def lint(
    paths: str | Path | Iterable[str | Path],
    target: str | Iterable[str] | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    size: str | None = None,
    category: str | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    fail_on: str | None = None,
    config: bool | str | Path = True,
    jobs: int = 1,
    cache_dir: str | Path | None = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
    allow_empty: bool = False,
    keep_assets: bool = False,
) -> Report:
    """Lint files and folders; the :class:`~assetlint.reporters.Report` has ``findings``,
    ``results`` (per file, in order), ``ok`` and ``exit_code``. ``config`` is True (nearest
    config file), False (defaults only) or a config file's path. No cache unless
    ``cache_dir`` is given. With no ``target`` the default pack runs (``report.targets``
    says which ran). A path that does not exist, or a folder with no asset unless
    ``allow_empty``, or a symlink in a folder leading out of it, is listed in
    ``report.errors`` and makes ``exit_code`` 2, as on the command line.
    Raises ``ValueError`` (ConfigError, SelectionError, PackError) for bad
    settings, as the command line exits 2. With ``keep_assets`` each result keeps the
    Asset it was linted from (``result.asset``) and the findings every element they are
    about, for drawing them (``reporters.render("html", report)``) without reading the
    files again; the cache is then written but not read."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files, errors, refused = runner.collect_paths((str(p) for p in paths), allow_empty=allow_empty)
    errors += refused  # symlinks leading out of a folder: not linted, listed
    engine = Engine.default()
    overrides = cfg.Overrides(
        target=[target] if isinstance(target, str) else (list(target) if target else None),
        select=list(select) if select is not None else None,
        ignore=list(ignore) if ignore is not None else None,
        fail_on=fail_on,
        size=size,
        category=category,
        timeout=timeout,
        memory_limit=memory_limit,
        rules=rules,
    )
    resolver = cfg.Resolver(
        engine.rules,
        overrides,
        config_file=Path(config) if isinstance(config, (str, Path)) else None,
        isolated=config is False,
    )
    return runner.lint(
        files,
        resolver,
        engine,
        jobs=jobs,
        cache=Path(cache_dir) if cache_dir else False,
        keep_assets=keep_assets,
        errors=errors,
    )
