"""The long fuzz run, by hand: ``python -m tests.fuzz [--minutes M] [FORMAT...]``.

Runs random (not derandomized) Hypothesis mutations of each format's seed for the given
time, in rounds of 200 cases, and prints per loader the cases run, how many loaded or
ended as a load error, the time taken and any failure (its input is kept in the folder
named by ``ASSETLINT_FUZZ_KEEP``, default ``fuzz-failures/``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, settings

from assetlint.engine import Engine
from tests.fuzz.harness import Case, fuzz
from tests.fuzz.mutations import FORMAT_OPS
from tests.fuzz.seeds import write_seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("formats", nargs="*", help=f"some of {', '.join(sorted(FORMAT_OPS))}")
    parser.add_argument("--minutes", type=float, default=2.0, help="per format (default 2)")
    ns = parser.parse_args(argv)
    unknown = set(ns.formats) - set(FORMAT_OPS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    os.environ.setdefault("ASSETLINT_FUZZ_KEEP", "fuzz-failures")
    engine = Engine.default()
    failed = False
    with tempfile.TemporaryDirectory(prefix="assetlint-fuzz-") as tmp:
        seeds = write_seeds(Path(tmp))
        for fmt in ns.formats or sorted(FORMAT_OPS):
            if fmt not in seeds:
                print(f"{fmt:<11} skipped: no seed (the shared corpus is absent)")
                continue
            case = Case(seeds[fmt], engine)
            config = settings(
                max_examples=200,
                deadline=None,
                database=None,
                derandomize=False,
                suppress_health_check=list(HealthCheck),
            )
            start = time.monotonic()
            error = ""
            while time.monotonic() - start < ns.minutes * 60 and not error:
                try:
                    fuzz(fmt, case, config)()
                except Exception as exc:  # noqa: BLE001 - reported, the next format runs
                    error = _describe(exc)
            seconds = time.monotonic() - start
            counts = ", ".join(f"{v} {k}" for k, v in sorted(case.outcomes.items()))
            print(
                f"{fmt:<11} {sum(case.outcomes.values()):>6} cases in {seconds:6.0f} s"
                f" ({counts}){'  FAILED ' + error if error else ''}",
                flush=True,
            )
            failed |= bool(error)
    return 1 if failed else 0


def _describe(exc: BaseException) -> str:
    """One line for a failure; for Hypothesis's Flaky (a case that failed once and not
    on replay, as a hang or a memory limit can), the first failure it saw as well."""
    line = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    inner = getattr(exc, "exceptions", None)
    return f"{line} (first: {_describe(inner[0])})" if inner else line


if __name__ == "__main__":
    sys.exit(main())
