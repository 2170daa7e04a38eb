"""The one lint run every front end makes: files, their settings (the config files, with
the command line or the API on top), :func:`assetlint.batch.run` (load, then the rules of
the resolved selection, findings grouped and capped as reported, in worker processes under
the time and memory limits, cached by content), and a :class:`~assetlint.reporters.Report`.

`check`, the Python API, `render`, `fix` and the HTML report all lint through :func:`lint`
(:func:`lint_one` for one file named on the command line), so they read the same config,
run the same rules and report the same findings. A front end that draws or repairs the
asset asks for it (``keep_assets``): the worker sends the Asset it loaded back with the
findings, which then carry every element to draw (:attr:`Finding.elements`); no front end
loads a file a second time nor runs a rule of its own.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from assetlint import batch
from assetlint import config as cfg
from assetlint.engine import Engine
from assetlint.loaders import EXTENSIONS, is_asset_path
from assetlint.reporters import Report


def collect_paths(
    args: Iterable[str], allow_empty: bool = True
) -> tuple[list[Path], list[str], list[str]]:
    """Files to lint from files and folders (folders recurse by known extensions, hidden
    folders skipped), in a stable order; plus error lines for arguments that do not exist
    and, unless ``allow_empty``, for folders holding no asset (a typo in a CI path must not
    pass green); and, apart, lines for symlinks in a folder that lead out of it (not
    linted: a folder's content is what is checked, never a file elsewhere that a link in it
    names; the rest of the folder still is)."""
    files: list[Path] = []
    errors: list[str] = []
    refused: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = []
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    path = Path(dirpath) / name
                    if not is_asset_path(path):
                        continue
                    if path.is_symlink() and root not in path.resolve().parents:
                        refused.append(f"{path}: a symlink that leads out of {arg}; not linted")
                        continue
                    found.append(path)
            if not found and not allow_empty:
                errors.append(
                    f"{arg}: no assets in this folder ({', '.join(sorted(EXTENSIONS))}); "
                    "pass --allow-empty to accept that"
                )
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{arg}: no such file or folder")
    return files, errors, refused


CACHE_FOLDER = ".assetlint_cache"


def cache_folder(first: Path | None, config_file: Path | None = None) -> Path:
    """The project's cache folder, where :func:`lint` keeps it (``cache=True``): beside
    the config file that applies to ``first`` (the first file linted; None: none) or
    ``config_file`` when one is named, else in the working folder. Found without reading
    the settings (which need the rules): a cached run looks its rule catalogue up there."""
    if config_file is not None:
        return config_file.parent / CACHE_FOLDER
    found = cfg.find_config_file(first.parent.resolve()) if first is not None else None
    return (found.parent if found is not None else Path.cwd()) / CACHE_FOLDER


def lint(
    files: Sequence[Path],
    resolver: cfg.Resolver,
    engine: Engine,
    *,
    jobs: int = 1,
    cache: Path | bool | batch.Cache = False,
    keep_assets: bool = False,
    excluded: bool = False,
    settings_of: Path | None = None,
    errors: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    executor: Callable[..., None] | None = None,
    show_info: bool = False,
    quiet: bool = False,
) -> Report:
    """Lint ``files`` with the settings ``resolver`` gives each, in ``jobs`` workers; the
    Report lists them in order. ``cache``: False for none, True for the project's
    ``.assetlint_cache``, or a folder. ``keep_assets``: each result keeps its loaded Asset
    (``FileResult.asset``) and its findings every element they are about. ``excluded``:
    lint files the config excludes too (a file named on its own, as `render FILE`).
    ``settings_of``: lint with this path's settings, not each file's own (`fix` judges
    the file it wrote as it judged its input, wherever it was written).
    ``errors``: lines for arguments that gave no file (they make the exit code 2).
    Raises ConfigError, SelectionError, PackError or ValueError for bad settings, before
    any file is read; batch.ExecutorError when the executor cannot run."""
    configs = [(settings_of or path, resolver.for_path(settings_of or path)) for path in files]
    work = [
        (str(path), dataclasses.replace(batch.Plan.for_file(c, where), keep_asset=keep_assets))
        for path, (where, c) in zip(files, configs, strict=True)
        if excluded or not c.is_excluded(where)
    ]
    plans = batch.unique_plans(work)
    for plan in plans:
        batch.prepare(plan, engine)  # a bad plan raises here, before any file is read
    first = configs[0][1] if configs else resolver.for_path(Path.cwd() / "_")
    store = cache if isinstance(cache, batch.Cache) else None
    if cache is not False and store is None:
        folder = cache if isinstance(cache, Path) else Path(first.root) / CACHE_FOLDER
        store = batch.Cache(folder, engine)
    if store is not None:
        store.keep_catalogue(engine)

    def rules_to_run() -> None:
        """An engine from the catalogue cannot run: the files not answered from the cache
        are linted by one built now, before the workers fork, so that they inherit it."""
        if not engine.runnable:
            runnable = Engine.default()
            for plan in plans:
                batch.prepare(plan, runnable)

    results = batch.run(
        work,
        processes=jobs,
        timeout=first.timeout,
        memory=first.memory_limit,
        cache=store,
        progress=progress,
        executor=executor,
        setup=rules_to_run,
    )
    return Report(
        results,
        rules=engine.rules,
        fail_on="warning" if any(c.fail_on == "warning" for _, c in configs) else "error",
        show_info=show_info,
        errors=list(errors),
        targets=list(dict.fromkeys(name for _, plan in work for name in plan.target)),
        quiet=quiet,
    )


def lint_one(
    path: Path,
    resolver: cfg.Resolver,
    engine: Engine,
    keep_asset: bool = True,
    settings_of: Path | None = None,
) -> batch.FileResult:
    """One file named on the command line, as `check` lints it (excluded by the config or
    not), with its Asset kept unless told otherwise (``result.asset`` is None when it did
    not load: its findings say why). ``settings_of`` as for :func:`lint`."""
    report = lint(
        [path], resolver, engine, keep_assets=keep_asset, excluded=True, settings_of=settings_of
    )
    return report.results[0]
