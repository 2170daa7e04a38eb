"""The `assetlint` command line.

Exit codes, as ruff's: 0 clean, 1 findings, 2 usage error or an asset that could not be
read (or an internal error). One unreadable file never stops the batch.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assetlint import __version__, batch, reporters, runner
from assetlint import config as cfg
from assetlint import targets as target_packs
from assetlint.engine import Engine, SelectionError
from assetlint.fix.cli import add_fix_command, cmd_fix
from assetlint.model import LoadError
from assetlint.plugins import PluginError
from assetlint.render import add_render_command, cmd_render
from assetlint.rules import Rule
from assetlint.runner import collect_paths
from assetlint.summary import format_summary, summarize
from assetlint.watch import add_watch_command, cmd_watch

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _cmd_info(ns: argparse.Namespace) -> int:
    files, errors, refused = collect_paths(ns.paths)
    errors += refused
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    summaries = []
    failed = bool(errors)
    for path in files:
        try:
            asset = batch.load_limited(path)  # a child with check's time and memory limits
        except LoadError as exc:
            failed = True
            summaries.append({"path": str(path), "error": str(exc)})
            if ns.format == "text":
                print(f"{path}: error: {exc}")
            continue
        s = summarize(asset)
        summaries.append(s)
        if ns.format == "text":
            print(format_summary(s))
    if ns.format == "json":
        json.dump(summaries, sys.stdout, indent=2)
        print()
    return EXIT_ERROR if failed else EXIT_CLEAN


def _split(values: Sequence[str] | None) -> list[str] | None:
    """'G001,G003' and repeated options into one list of codes or prefixes."""
    if values is None:
        return None
    return [part.strip().upper() for v in values for part in v.split(",") if part.strip()]


def _engine() -> Engine | None:
    try:
        return Engine.default()
    except PluginError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _progress(total: int) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal (never in CI or when piped)."""
    if total < 2 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("linting", total=total)
    bar.start()
    return (lambda n: bar.advance(task, n)), bar.stop


def _overrides(ns: argparse.Namespace) -> cfg.Overrides:
    return cfg.Overrides(
        target=target_packs.split_names(ns.target) if ns.target else None,
        select=_split(ns.select),
        extend_select=_split(ns.extend_select),
        ignore=_split(ns.ignore),
        fail_on=ns.fail_on,
        size=ns.size,
        category=ns.category,
        timeout=ns.timeout,
        memory_limit=ns.memory_limit,
    )


def _check_cache(ns: argparse.Namespace, files: Sequence[Path]) -> batch.Cache | bool:
    """The cache `check` uses: False with --no-cache; True when its folder cannot be told
    before the settings are read (runner.lint finds it then)."""
    if ns.no_cache:
        return False
    if ns.cache_dir:
        return batch.Cache(Path(ns.cache_dir))
    try:
        folder = runner.cache_folder(
            files[0] if files else None, Path(ns.config) if ns.config else None
        )
    except (cfg.ConfigError, OSError, ValueError):  # reading the settings says what is wrong
        return True
    return batch.Cache(folder)


def _cmd_check(ns: argparse.Namespace) -> int:
    try:
        outputs = [reporters.parse_output(spec, ns.format) for spec in ns.output or ()]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    to_stdout = not any(name == ns.format for name, _ in outputs)
    files, errors, refused = collect_paths(ns.paths, allow_empty=ns.allow_empty)
    if errors:  # a usage error: nothing is linted, nothing says "passed"
        for line in errors:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_ERROR
    cache = _check_cache(ns, files)
    # the rules as a run under the same sources stored them: an unchanged file is then
    # answered without importing a rule (runner.lint builds the rules for the others)
    catalogue = cache.catalogue() if isinstance(cache, batch.Cache) else None
    engine = Engine.from_catalogue(catalogue) if catalogue else _engine()
    if engine is None:
        return EXIT_ERROR
    for line in refused:  # the rest is still linted; the run exits 2 (Report.errors)
        print(f"error: {line}", file=sys.stderr)
    try:
        resolver = cfg.Resolver(
            engine.rules, _overrides(ns), Path(ns.config) if ns.config else None
        )
        if ns.show_config:
            where = Path(ns.paths[0])
            config = resolver.for_path(where / "_" if where.is_dir() else where)
            shown = config.to_dict()
            shown["target"] = target_packs.effective_names(config.target)  # what runs
            json.dump(shown, sys.stdout, indent=2)
            print()
            return EXIT_CLEAN
    except (cfg.ConfigError, SelectionError, target_packs.PackError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    executor = None
    if ns.executor == "dask":
        if not ns.scheduler:
            print("error: --executor dask needs --scheduler ADDRESS", file=sys.stderr)
            return EXIT_ERROR
        try:
            executor = batch.dask_executor(ns.scheduler)
        except ImportError:
            print("error: --executor dask needs `pip install assetlint[dask]`", file=sys.stderr)
            return EXIT_ERROR
    # the HTML report draws the assets: the run that lints them keeps them for it
    drawn = any(name == "html" for name, _ in outputs) or (
        to_stdout and ns.format == "html" and not ns.statistics
    )
    advance, stop = _progress(0 if ns.quiet else len(files))
    try:
        report = runner.lint(
            files,
            resolver,
            engine,
            jobs=ns.jobs or batch.default_jobs(),
            cache=cache,
            keep_assets=drawn,
            errors=refused,
            progress=advance,
            executor=executor,
            show_info=ns.show_info,
            quiet=ns.quiet,
        )
    except (
        cfg.ConfigError,
        SelectionError,
        target_packs.PackError,
        ValueError,
        batch.ExecutorError,
        PluginError,  # the rules built for the files the cache did not answer
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        stop()
    for name, path in outputs:
        reporters.write(name, report, path)
    if to_stdout:
        report.color = ns.format == "text" and reporters.use_color(sys.stdout)
        if ns.statistics:
            sys.stdout.write(reporters.statistics(report, as_json=ns.format == "json"))
        else:
            sys.stdout.write(reporters.render(ns.format, report))
    return EXIT_CLEAN if ns.exit_zero else report.exit_code


def _cmd_rules(ns: argparse.Namespace) -> int:
    engine = _engine()
    if engine is None:
        return EXIT_ERROR
    try:
        rules = engine.selected(_split(ns.select) or ["ALL"], _split(ns.ignore) or [])
    except SelectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if ns.format == "json":
        json.dump([r.metadata() for r in rules], sys.stdout, indent=2)
        print()
        return EXIT_CLEAN
    width = max((len(r.name) for r in rules), default=0)
    for r in rules:
        targets = "" if "all" in r.targets else f"  [{', '.join(r.targets)}]"
        print(f"{r.code}  {r.severity:<7}  {r.name:<{width}}  {r.summary}{targets}")
    return EXIT_CLEAN


def explain(rule: Rule) -> str:
    """The full text `assetlint explain` prints for one rule."""
    targets = "all destinations" if "all" in rule.targets else ", ".join(rule.targets)
    lines = [
        f"{rule.code} {rule.name} ({rule.family})",
        "",
        f"Severity: {rule.severity}    Targets: {targets}    "
        f"Auto-fix: {'yes' if rule.autofix else 'no'}",
        f"Stage: {rule.stage}    Drawn as: {rule.mark}",
        f"Detects: {rule.summary}",
        "",
        textwrap.fill(rule.rationale, 88),
        "",
        textwrap.fill(f"Fix: {rule.fix}", 88),
    ]
    if rule.params:
        lines += ["", "Parameters:"]
        lines += [f"  {name} = {value!r}" for name, value in rule.params.items()]
    if rule.origin != "assetlint":
        lines += ["", f"Provided by: {rule.origin}"]
    return "\n".join(lines)


def _cmd_explain(ns: argparse.Namespace) -> int:
    engine = _engine()
    if engine is None:
        return EXIT_ERROR
    wanted = ns.code.strip()
    rule = engine.rules.get(wanted.upper()) or next(
        (r for r in engine.rules.values() if r.name == wanted.lower()), None
    )
    if rule is None:
        print(f"error: no rule {wanted!r}; `assetlint rules` lists them", file=sys.stderr)
        return EXIT_ERROR
    print(explain(rule))
    return EXIT_CLEAN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetlint", description="Lint 3D assets against the needs of their destination."
    )
    parser.add_argument("--version", action="version", version=f"assetlint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("info", "print the normalized summary of each asset"),
        ("check", "lint files and folders"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("paths", nargs="+", metavar="PATH")
        if name == "info":
            p.add_argument("--format", choices=("text", "json"), default="text")
        else:
            _add_check_arguments(p)
    target_packs.add_targets_command(sub)
    _add_selection(add_watch_command(sub, _positive))
    add_fix_command(sub)
    add_render_command(sub)
    p = sub.add_parser("rules", help="list the rules (built-in and from installed packs)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_selection(p)
    p = sub.add_parser("explain", help="explain one rule: rationale, fix, parameters")
    p.add_argument("code", metavar="CODE", help="a rule code (G003) or name (open-boundary)")
    return parser


def _add_check_arguments(p: argparse.ArgumentParser) -> None:
    formats = tuple(reporters.REPORTERS)
    p.add_argument(
        "--format",
        "--output-format",
        choices=formats,
        default="text",
        help="what to print on stdout (default text)",
    )
    p.add_argument(
        "-o",
        "--output",
        action="append",
        metavar="[FORMAT=]FILE",
        help="also write FORMAT to FILE (repeatable: --output junit=report.xml --output "
        "sarif=report.sarif); a bare FILE takes the --format output instead of stdout",
    )
    _add_selection(p)
    p.add_argument(
        "--extend-select", action="append", metavar="CODES", help="rules to add to the selection"
    )
    target_packs.add_cli_arguments(p)
    p.add_argument(
        "--show-info",
        action="store_true",
        help="also print info findings (seams, part counts, totals) in text output",
    )
    p.add_argument(
        "--fail-on", choices=cfg.FAIL_ON, help="lowest severity that fails the run (warning)"
    )
    p.add_argument("--config", metavar="FILE", help="use this config file, not the nearest one")
    p.add_argument(
        "--show-config", action="store_true", help="print the resolved configuration for PATH"
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings fail the run (usage errors still exit 2)",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule made, instead of the findings",
    )
    p.add_argument(
        "-q", "--quiet", action="store_true", help="print the findings only: no summary line"
    )
    p.add_argument(
        "-j", "--jobs", type=_positive(int), metavar="N", help="worker processes (core count)"
    )
    p.add_argument(
        "--timeout",
        type=_positive(float),
        metavar="SECONDS",
        help="time limit per file (default 300)",
    )
    p.add_argument(
        "--memory-limit",
        type=_positive(int, zero=True),
        metavar="MIB",
        help="memory one file may allocate, in MiB (default 4096; 0: none; Linux only)",
    )
    p.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a folder holding no asset (by default a usage error, exit 2)",
    )
    p.add_argument("--no-cache", action="store_true", help="lint every file, ignore the cache")
    p.add_argument("--cache-dir", metavar="DIR", help="cache folder (.assetlint_cache)")
    p.add_argument("--executor", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)")


def _positive(kind: type, zero: bool = False) -> Callable[[str], Any]:
    """An argparse type for a finite number above zero (or zero too): `--jobs 0` or
    `--timeout -1` is a usage error, not a run that hangs or never starts."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            whole = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {whole}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(
                f"{text!r}: must be {'zero or more' if zero else 'more than zero'}"
            )
        return value

    return parse


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rule codes or prefixes (comma-separated; ALL for every rule); with "
        "--target, ALL and prefixes pick the rules of those targets, a full code any rule",
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="skip these rule codes or prefixes (comma-separated)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 console must not end the run
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    handler = {
        "info": _cmd_info,
        "check": _cmd_check,
        "rules": _cmd_rules,
        "explain": _cmd_explain,
        "targets": target_packs.cmd_targets,
        "fix": cmd_fix,
        "render": cmd_render,
        "watch": lambda ns: cmd_watch(ns, _overrides(ns)),
    }[ns.command]
    try:
        return handler(ns)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
