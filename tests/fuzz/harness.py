"""The fuzz property, shared by the short run in the tests and the long run by hand.

A mutated file must end as an Asset the rules check without an internal error (X001), or
as a :class:`LoadError` with a clear reason, within a time and memory bound. A LoadError
that only wraps a Python exception from inside a loader ("reader failed: KeyError: ...")
or says it ran out of memory counts as a failure too: both are loader bugs a clear check
should have caught first.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assetlint.engine import Engine
from assetlint.loaders import load
from assetlint.model import LoadError
from tests.fuzz.mutations import mutated

# Bounds for one case: seeds are a few KiB, so anything near these is a blow-up.
CASE_SECONDS = 30.0
CASE_MEMORY = 2 << 30  # bytes of address space on top of what the process already maps

# Python exceptions that, wrapped in a LoadError, mean a loader missed a check.
_LOADER_BUGS = (
    "AttributeError", "IndexError", "KeyError", "TypeError", "ValueError", "ZeroDivisionError",
    "OverflowError", "UnboundLocalError", "NameError", "AssertionError", "struct.error",
    "error:", "LinAlgError", "UnicodeDecodeError", "UnicodeEncodeError", "BadZipFile",
)  # fmt: skip


class Hang(BaseException):
    """Raised by the alarm; a BaseException so no loader's ``except Exception`` hides it."""


@contextmanager
def bounded(seconds: float = CASE_SECONDS, memory: int = CASE_MEMORY) -> Iterator[None]:
    """Run the body under a wall-clock alarm and a lowered address-space limit (Linux), so
    an absurd count fails fast as MemoryError instead of swapping the machine."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = mapped + memory if hard == resource.RLIM_INFINITY else min(hard, mapped + memory)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)


def check_file(path: Path, engine: Engine) -> str:
    """'loaded' or the LoadError's message; AssertionError when the property fails."""
    try:
        with bounded():
            try:
                asset = load(path)
            except LoadError as exc:
                message = str(exc)
                assert "out of memory" not in message, f"memory blow-up: {message}"
                assert "reader failed" not in message or not any(
                    bug in message for bug in _LOADER_BUGS
                ), f"uncaught loader exception: {message}"
                return message
            findings = engine.run(asset)
    except Hang as exc:
        raise AssertionError(f"hang: {exc}") from None
    crashes = [f"{f.subject}: {f.message}" for f in findings if f.code == "X001"]
    assert not crashes, f"rules crashed on the loaded asset: {crashes}"
    return "loaded"


class Case:
    """Writes each mutation beside the seed (so its buffers, textures and layers resolve)
    under a new name (USD caches layers by path) and checks it."""

    def __init__(self, seed: Path, engine: Engine):
        self.seed, self.engine = seed, engine
        self.data = seed.read_bytes()
        self._names = itertools.count()
        self.outcomes: dict[str, int] = {}

    def __call__(self, data: bytes) -> str:
        path = self.seed.with_name(f"case{next(self._names)}{self.seed.suffix}")
        path.write_bytes(data)
        try:
            outcome = check_file(path, self.engine)
        except AssertionError:
            keep = os.environ.get("ASSETLINT_FUZZ_KEEP")
            if keep:  # the failing input, to rerun by hand
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, Path(keep) / f"{self.seed.stem}{path.suffix}")
            raise
        finally:
            path.unlink()
        kind = "loaded" if outcome == "loaded" else "load error"
        self.outcomes[kind] = self.outcomes.get(kind, 0) + 1
        return outcome


def fuzz(fmt: str, case: Case, config: settings) -> Callable[[], None]:
    """A Hypothesis test that runs ``case`` on mutations of its seed."""

    @config
    @given(st.data())
    def run(data: st.DataObject) -> None:
        case(data.draw(mutated(fmt, case.data), label="mutated"))

    return run
