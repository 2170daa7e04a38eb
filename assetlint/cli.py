"""The `assetlint` command line.

Exit codes, as ruff's: 0 clean, 1 findings, 2 usage error or an asset that could not be
read (or an internal error). One unreadable file never stops the batch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assetlint import targets as target_packs
from assetlint.engine import Engine, SelectionError
from assetlint.findings import Finding, load_failure
from assetlint.loaders import is_asset_path, load
from assetlint.model import LoadError
from assetlint.plugins import PluginError
from assetlint.rules import Rule
from assetlint.rules.internal import INTERNAL_ERROR
from assetlint.summary import format_summary, summarize

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def collect_paths(args: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files to lint from files and folders (folders recurse by known extensions, hidden
    folders skipped), in a stable order; plus error lines for arguments that do not exist."""
    files: list[Path] = []
    errors: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                files.extend(Path(dirpath) / f for f in sorted(filenames) if is_asset_path(Path(f)))
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{arg}: no such file or folder")
    return files, errors


def _cmd_info(ns: argparse.Namespace) -> int:
    files, errors = collect_paths(ns.paths)
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    summaries = []
    failed = bool(errors)
    for path in files:
        try:
            asset = load(path)
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


def format_finding(f: Finding) -> str:
    """One line per finding, as ruff prints: ``path: CODE (severity) subject: message``."""
    subject = f"{f.subject}: " if f.subject else ""
    return f"{f.path}: {f.code} ({f.severity}) {subject}{f.message}"


def _cmd_check(ns: argparse.Namespace) -> int:
    engine = _engine()
    if engine is None:
        return EXIT_ERROR
    select, ignore = _split(ns.select), _split(ns.ignore) or []
    try:
        if ns.size and not ns.target:
            raise ValueError("--size needs --target (the size is judged against a target)")
        overrides = target_packs.size_overrides(ns.size) if ns.size else None
        chosen = target_packs.resolve(ns.target, engine, overrides) if ns.target else []
        if chosen:
            enabled = target_packs.enabled_codes(engine, chosen, select, ignore)
        else:
            enabled = {r.code for r in engine.selected(select, ignore)}
    except (SelectionError, target_packs.PackError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    files, errors = collect_paths(ns.paths)
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    findings: list[Finding] = []
    unreadable = bool(errors)
    for path in files:
        try:
            asset = load(path)
        except LoadError as exc:
            unreadable = True
            if "L001" in enabled:
                findings.append(load_failure(str(exc), str(path)))
            continue
        if chosen:
            findings.extend(target_packs.run_targets(engine, asset, chosen, select, ignore))
        else:
            findings.extend(engine.run(asset, select, ignore))
    if ns.format == "json":
        json.dump(
            {"files": [str(f) for f in files], "findings": [f.to_dict() for f in findings]},
            sys.stdout,
            indent=2,
        )
        print()
    else:
        for f in findings:
            if ns.show_info or f.severity != "info":
                print(format_finding(f))
        counted = sum(f.severity in ("error", "warning") for f in findings)
        hidden = 0 if ns.show_info else sum(f.severity == "info" for f in findings)
        note = f" ({hidden} info finding(s) not shown; --show-info)" if hidden else ""
        if counted:
            print(f"Found {counted} problem(s) in {len(files)} file(s).{note}")
        else:
            print(f"All checks passed ({len(files)} file(s)).{note}")
    if unreadable or any(f.code == INTERNAL_ERROR.code for f in findings):
        return EXIT_ERROR
    return (
        EXIT_FINDINGS if any(f.severity in ("error", "warning") for f in findings) else EXIT_CLEAN
    )


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "severity": rule.severity,
        "summary": rule.summary,
        "rationale": rule.rationale,
        "fix": rule.fix,
        "autofix": rule.autofix,
        "targets": list(rule.targets),
        "params": dict(rule.params),
        "origin": rule.origin,
    }


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
        json.dump([_rule_dict(r) for r in rules], sys.stdout, indent=2)
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
        f"Fixable automatically: {'yes' if rule.autofix else 'no'}",
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
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("info", "print the normalized summary of each asset"),
        ("check", "lint files and folders"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("paths", nargs="+", metavar="PATH")
        p.add_argument("--format", choices=("text", "json"), default="text")
        if name == "check":
            _add_selection(p)
            target_packs.add_cli_arguments(p)
            p.add_argument(
                "--show-info",
                action="store_true",
                help="also print info findings (seams, part counts, totals) in text output",
            )
    target_packs.add_targets_command(sub)
    p = sub.add_parser("rules", help="list the rules (built-in and from installed packs)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _add_selection(p)
    p = sub.add_parser("explain", help="explain one rule: rationale, fix, parameters")
    p.add_argument("code", metavar="CODE", help="a rule code (G003) or name (open-boundary)")
    return parser


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="only these rule codes or prefixes (comma-separated; ALL for every rule)",
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        help="skip these rule codes or prefixes (comma-separated)",
    )


def main(argv: Sequence[str] | None = None) -> int:
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
