"""`assetlint watch DIR`: lint each asset as it lands in (or changes in) a studio drop
folder, and print or write one report per file.

File events come from watchdog (inotify, FSEvents, ReadDirectoryChangesW; ``--poll`` for
network shares, whose changes those do not see). An upload or a copy arrives in pieces, so
a file is linted only once it has stopped changing: the same size and modification time
for ``--settle`` seconds. A texture, buffer or .mtl that lands after its model sends the
models already seen in that folder through again, so a glTF dropped before its .bin is
judged complete. Each file is linted as `check` lints it (a worker process with the time
and memory limits, the nearest config, the default pack without --target), without the
cache, so nothing is ever written in the watched folder: reports go to stdout or to
``--output-dir``, which must lie outside it.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetlint import batch, reporters
from assetlint import config as cfg
from assetlint import targets as target_packs
from assetlint.engine import Engine, SelectionError
from assetlint.loaders import REFERENCED_EXTENSIONS, is_asset_path, within
from assetlint.reporters.encoding import json_safe

# Formats a per-file report is written in, with the file extension of --output-dir.
FORMATS = {"text": "txt", "json": "json"}
DEFAULT_SETTLE = 1.0  # seconds; convention: a local copy writes faster than that per chunk


def add_watch_command(
    subparsers: Any, positive: Callable[..., Callable[[str], Any]]
) -> argparse.ArgumentParser:
    """`assetlint watch` (the command line adds its selection options to the parser
    returned); ``positive`` builds the command line's number validators."""
    p = subparsers.add_parser("watch", help="lint each asset as it lands in a folder")
    p.add_argument("folder", metavar="DIR", help="the folder to watch (with its subfolders)")
    p.add_argument("--format", choices=tuple(FORMATS), default="text")
    p.add_argument(
        "--output-dir",
        metavar="OUT",
        help="write each report to OUT/<path in DIR>.txt|.json instead of stdout "
        "(OUT must be outside DIR)",
    )
    p.add_argument(
        "--settle",
        type=positive(float),
        default=DEFAULT_SETTLE,
        metavar="SECONDS",
        help=f"lint a file once it has not changed for this long (default {DEFAULT_SETTLE:g})",
    )
    p.add_argument(
        "--poll",
        type=positive(float),
        metavar="SECONDS",
        help="poll the folder every SECONDS instead of OS events (network shares)",
    )
    p.add_argument("--existing", action="store_true", help="also lint the assets already there")
    p.add_argument("--max-reports", type=positive(int), metavar="N", help="stop after N reports")
    p.add_argument("--duration", type=positive(float), metavar="SECONDS", help="stop after SECONDS")
    p.add_argument("--show-info", action="store_true", help="also print info findings")
    p.add_argument("--config", metavar="FILE", help="use this config file, not the nearest one")
    p.add_argument(
        "--extend-select", action="append", metavar="CODES", help="rules to add to the selection"
    )
    p.add_argument("--fail-on", choices=cfg.FAIL_ON, help="lowest severity that fails a file")
    p.add_argument("--timeout", type=positive(float), metavar="SECONDS", help="per file (300)")
    p.add_argument(
        "--memory-limit", type=positive(int, zero=True), metavar="MIB", help="per file (4096)"
    )
    target_packs.add_cli_arguments(p)
    return p


@dataclass
class Pending:
    """Files seen changing, by path: their last (size, mtime) and when it last changed."""

    settle: float
    seen: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)

    def touch(self, path: Path, now: float) -> None:
        self.seen[path] = ((-1, -1), now)

    def settled(self, now: float) -> list[Path]:
        """The files unchanged for ``settle`` seconds (removed from the pending set); files
        that vanished are dropped."""
        ready = []
        for path, (stamp, since) in list(self.seen.items()):
            try:
                st = path.stat()
            except OSError:
                del self.seen[path]
                continue
            current = (st.st_size, st.st_mtime_ns)
            if current != stamp:
                self.seen[path] = (current, now)
            elif now - since >= self.settle:
                del self.seen[path]
                ready.append(path)
        return sorted(ready)


def _observer(folder: Path, events: queue.Queue[Path], poll: float | None) -> Any:
    """A started watchdog observer that puts every created, modified or moved-in file's
    path on ``events``."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.is_directory or event.event_type not in ("created", "modified", "moved"):
                return
            target = event.dest_path if event.event_type == "moved" else event.src_path
            events.put(Path(target if isinstance(target, str) else target.decode()))

    observer = PollingObserver(timeout=poll) if poll else Observer()
    observer.schedule(Handler(), str(folder), recursive=True)
    observer.start()
    return observer


def _hidden(path: Path, folder: Path) -> bool:
    """Whether the file is in a hidden folder (or is hidden) below ``folder``, as `check`
    skips them (editors' and uploaders' temporary files)."""
    try:
        parts = path.relative_to(folder).parts
    except ValueError:
        return True
    return any(part.startswith(".") for part in parts)


def cmd_watch(ns: argparse.Namespace, overrides: cfg.Overrides) -> int:
    """Watch until Ctrl-C, ``--duration`` or ``--max-reports``; 0, or 2 on a usage error."""
    folder = Path(ns.folder)
    if not folder.is_dir():
        print(f"error: {ns.folder}: not a folder", file=sys.stderr)
        return 2
    out_dir = Path(ns.output_dir) if ns.output_dir else None
    if out_dir is not None and within(folder, out_dir.absolute()) is not None:
        print(f"error: --output-dir {ns.output_dir} is inside {ns.folder}", file=sys.stderr)
        return 2
    try:
        engine = Engine.default()
        resolver = cfg.Resolver(engine.rules, overrides, Path(ns.config) if ns.config else None)
        first = resolver.for_path(folder / "_")
        batch.prepare(batch.Plan.for_file(first, folder / "_"), engine)
    except (cfg.ConfigError, SelectionError, target_packs.PackError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    events: queue.Queue[Path] = queue.Queue()
    try:
        observer = _observer(folder, events, ns.poll)
    except OSError as exc:  # inotify watch limit, a folder that cannot be read...
        print(f"error: cannot watch {ns.folder}: {exc}; try --poll SECONDS", file=sys.stderr)
        return 2
    pending = Pending(ns.settle)
    known: set[Path] = set()  # assets seen, to relint when a file they may reference lands
    start = time.monotonic()
    if ns.existing:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and is_asset_path(p)):
            pending.touch(path, start)
    checked = ", ".join(target_packs.effective_names(first.target))
    print(f"watching {folder} (checked against: {checked}; Ctrl-C stops)", file=sys.stderr)
    sys.stderr.flush()
    reports = 0
    try:
        while ns.duration is None or time.monotonic() - start < ns.duration:
            try:
                path = events.get(timeout=min(0.2, ns.settle / 2))
            except queue.Empty:
                path = None
            now = time.monotonic()
            if path is not None and not _hidden(path, folder):
                if is_asset_path(path):
                    known.add(path)
                    pending.touch(path, now)
                elif path.suffix.lower() in REFERENCED_EXTENSIONS:
                    for asset in known:
                        if asset.parent == path.parent:
                            pending.touch(asset, now)
            for ready in pending.settled(now):
                reports += _report(ready, folder, resolver, engine, ns, out_dir)
                if ns.max_reports is not None and reports >= ns.max_reports:
                    return 0
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)
    return 0


def _report(
    path: Path,
    folder: Path,
    resolver: cfg.Resolver,
    engine: Engine,
    ns: argparse.Namespace,
    out_dir: Path | None,
) -> bool:
    """Lint one settled file in a worker and print or write its report (True); a broken
    config file in its folder is reported for that file and the watch goes on (False), and
    a file the config excludes is passed over (False), as is a symlink leading out of
    ``folder`` (as `check` refuses it)."""
    if within(folder, path.absolute()) is None:
        print(f"error: {path}: a symlink that leads out of {folder}; not linted", file=sys.stderr)
        return False
    try:
        config = resolver.for_path(path)
        plan = batch.Plan.for_file(config, path)
        batch.prepare(plan, engine)
    except (cfg.ConfigError, SelectionError, target_packs.PackError, ValueError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return False
    if config.is_excluded(path):
        return False
    (result,) = batch.run(
        [(str(path), plan)], processes=1, timeout=config.timeout, memory=config.memory_limit
    )
    report = reporters.Report(
        [result],
        rules=engine.rules,
        fail_on=config.fail_on,
        show_info=ns.show_info,
        targets=list(plan.target),
    )
    if out_dir is None:
        if ns.format == "json":  # one document per line (JSON Lines) on a stream
            text = json.dumps(json_safe(report.to_dict())) + "\n"
        else:
            text = reporters.render(ns.format, report)
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    relative = path.relative_to(folder)  # the name in DIR, not a symlink's target
    destination = out_dir / relative.parent / f"{relative.name}.{FORMATS[ns.format]}"
    destination.parent.mkdir(parents=True, exist_ok=True)
    reporters.write(ns.format, report, destination)
    print(f"{path}: report written to {destination}", file=sys.stderr)
    return True
