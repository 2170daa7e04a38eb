"""Local worker processes: each file is linted in a worker; a worker that crashes, or takes
more than the time limit, is killed and replaced, and the file gets an X001 finding saying
so."""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assetlint.batch.cache import CacheRef, lint_job
from assetlint.batch.memory import keep_freed_memory, limit_memory
from assetlint.batch.plans import FileResult, Plan, worker_failure
from assetlint.loaders import exit_reason
from assetlint.rules.internal import MEMORY_LIMIT

if TYPE_CHECKING:  # multiprocessing is imported where workers start, not at CLI start-up
    from multiprocessing.connection import Connection

Job = tuple[str, Plan, CacheRef | None]


def _worker_main(conn: Connection, memory: int | None = None) -> None:
    """A worker: lint the files it is sent until it is sent None, each under the memory
    limit (MiB beyond what the worker holds when the file starts)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    faulthandler.disable()  # a crash is reported as a finding, not a stack dump on stderr
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # its own process group: killing it kills what it started
    keep_freed_memory()  # its large arrays reuse pages rather than fault them in again
    while True:
        job = conn.recv()
        if job is None:
            return
        index, path, plan, cache = job
        if memory:
            limit_memory(memory)
        try:
            result: FileResult | str = lint_job(path, plan, cache)
        except MemoryError:
            limit_memory(None)  # room to build and send the finding
            what = f"it needed more than the {memory} MiB memory limit"
            result = worker_failure(path, plan, what, MEMORY_LIMIT)
        except Exception as exc:  # noqa: BLE001 - reported as X001 by the parent
            result = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        conn.send((index, result))


class _Worker:
    def __init__(self, ctx: Any, memory: int | None = None):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, memory), daemon=True)
        self.proc.start()
        child.close()
        self.job: tuple[int, str, Plan, CacheRef | None] | None = None
        self.deadline = 0.0

    def give(self, job: tuple[int, str, Plan, CacheRef | None], timeout: float) -> None:
        self.job, self.deadline = job, time.monotonic() + timeout
        self.conn.send(job)

    def kill(self) -> None:
        """Kill the worker and its process group: a reader it forked (usd-core, ufbx)
        must not run on, holding memory and the output pipe."""
        if hasattr(os, "killpg") and self.proc.pid is not None:
            with contextlib.suppress(OSError):  # not its own group yet, or gone
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.kill()
        self.proc.join()
        self.conn.close()


def _context() -> Any:
    """fork where the platform has it: workers start in milliseconds, with the rules
    already imported."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_local(
    jobs: Sequence[Job],
    processes: int,
    timeout: float,
    done: Callable[[int, FileResult], None],
    memory: int | None = None,
) -> None:
    """Lint ``jobs`` in ``processes`` workers; ``done(index, result)`` for each file.
    ``memory``: MiB each file may allocate (Linux; elsewhere only the time limit holds)."""
    from multiprocessing.connection import wait

    from assetlint.engine import set_rule_threads

    ctx = _context()
    pending = list(enumerate(jobs))[::-1]
    count = max(1, min(processes, len(jobs)))
    set_rule_threads(processes // count)  # cores the files leave idle go to their rules
    if count > 1 and ctx.get_start_method() == "fork":
        _import_for_workers()
    workers = [_Worker(ctx, memory) for _ in range(count)]
    idle = list(workers)
    try:
        while pending or len(idle) < len(workers):
            while pending and idle:
                index, (path, plan, cache) = pending.pop()
                idle.pop().give((index, path, plan, cache), timeout)
            busy = [w for w in workers if w.job is not None]
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline for w in busy) - now)
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], wait_for)
            for i, w in enumerate(workers):
                if w.job is None:
                    continue
                index, path, plan, _ = w.job
                failure = None
                if w.conn in ready:
                    try:
                        _, result = w.conn.recv()
                    except (EOFError, OSError):
                        failure = _death(w)
                    else:
                        if isinstance(result, str):
                            result = worker_failure(path, plan, f"the worker failed: {result}")
                        w.job = None
                        idle.append(w)
                        done(index, result)
                        continue
                elif w.proc.sentinel in ready:
                    failure = _death(w)
                elif time.monotonic() >= w.deadline:
                    failure = f"linting took longer than the {timeout:g} s time limit"
                if failure:
                    w.kill()
                    workers[i] = _Worker(ctx, memory)
                    idle.append(workers[i])
                    done(index, worker_failure(path, plan, failure))
    finally:
        for w in workers:
            if w.proc.is_alive() and w.job is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
            w.proc.join(timeout=0.5 if w.job is None else 0)
            if w.proc.is_alive():
                w.kill()


# What the rules import on first use (kept out of the CLI's start-up): with several forked
# workers it is imported once, here, rather than once in each (scipy alone is ~0.35 s of
# CPU per process).
WORKER_IMPORTS = ("scipy.ndimage", "scipy.spatial", "scipy.sparse.csgraph", "PIL.Image")


def _import_for_workers() -> None:
    import importlib

    for name in WORKER_IMPORTS:
        with contextlib.suppress(ImportError):  # the worker that needs it says so
            importlib.import_module(name)


def _death(w: _Worker) -> str:
    w.proc.join(timeout=1)
    code = w.proc.exitcode
    if code is None:
        return "the worker process closed its pipe and did not exit"
    return f"the worker process {exit_reason(code)}"


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
