"""The `assetlint` command line.

Exit codes, as ruff's: 0 clean, 1 findings, 2 usage error or an asset that could not be
read (or an internal error). One unreadable file never stops the batch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from assetlint.findings import Finding, from_load_issue, load_failure
from assetlint.loaders import is_asset_path, load
from assetlint.model import LoadError
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


def _cmd_check(ns: argparse.Namespace) -> int:
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
            findings.append(load_failure(str(exc), str(path)))
            continue
        findings.extend(from_load_issue(i, str(path)) for i in asset.issues)
    if ns.format == "json":
        json.dump(
            {"files": [str(f) for f in files], "findings": [f.to_dict() for f in findings]},
            sys.stdout,
            indent=2,
        )
        print()
    else:
        for f in findings:
            subject = f" [{f.subject}]" if f.subject else ""
            print(f"{f.path}: {f.code} {f.severity}{subject}: {f.message}")
        counted = [f for f in findings if f.severity in ("error", "warning")]
        if counted:
            print(f"Found {len(counted)} problem(s) in {len(files)} file(s).")
        else:
            print(f"All checks passed ({len(files)} file(s)).")
    if unreadable:
        return EXIT_ERROR
    return (
        EXIT_FINDINGS if any(f.severity in ("error", "warning") for f in findings) else EXIT_CLEAN
    )


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    handler = {"info": _cmd_info, "check": _cmd_check}[ns.command]
    try:
        return handler(ns)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
