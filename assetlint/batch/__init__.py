"""Linting many files: worker processes, a per-file time limit, a content-hash cache.

A studio lints thousands of assets per commit, and one bad file must neither stop nor hang
the batch. Each file is linted in a worker process; a worker that crashes, or takes more
than the time limit, is killed and replaced, and the file gets an X001 finding saying so.
Results come back in the order the files were given, whatever order they finish in.

The cache keys a file's result by the SHA-256 of its bytes, the resolved settings and the
assetlint version, and checks the content hash of every file its loader resolved
(``Asset.dependencies``), so an unchanged asset is never loaded twice and a changed texture
relints only the assets that use it. An unchanged file is answered here, without starting
a worker; everything else is read in the workers, under their time and memory limits.
This package holds no format code: what an asset depends on is what its loader opened.

Modules: :mod:`.plans` (what runs on one file, and its result), :mod:`.pool` (local
worker processes), :mod:`.cache`, :mod:`.cluster` (Dask), :mod:`.memory` (the per-process
memory limit).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from assetlint.batch.cache import (
    ENTRY_FORMAT,
    LOOKUP_BYTES,
    MAX_ENTRY_BYTES,
    MAX_HASHED_BYTES,
    MISSING,
    NOT_REGULAR,
    TOO_LARGE,
    UNREADABLE,
    Cache,
    CacheRef,
    content_hash,
    entry_key,
    lint_job,
    new_file_mode,
    rules_fingerprint,
    write_atomic,
)
from assetlint.batch.cluster import ExecutorError, dask_executor
from assetlint.batch.memory import limit_memory
from assetlint.batch.plans import (
    NOT_CACHED,
    FileResult,
    Plan,
    lint_file,
    load_limited,
    prepare,
    unique_plans,
    worker_failure,
)
from assetlint.batch.pool import default_jobs, run_local

__all__ = [
    "ENTRY_FORMAT",
    "LOOKUP_BYTES",
    "MAX_ENTRY_BYTES",
    "MAX_HASHED_BYTES",
    "MISSING",
    "NOT_CACHED",
    "NOT_REGULAR",
    "TOO_LARGE",
    "UNREADABLE",
    "Cache",
    "CacheRef",
    "ExecutorError",
    "FileResult",
    "Plan",
    "content_hash",
    "dask_executor",
    "default_jobs",
    "entry_key",
    "limit_memory",
    "lint_file",
    "lint_job",
    "load_limited",
    "new_file_mode",
    "prepare",
    "rules_fingerprint",
    "run",
    "run_local",
    "unique_plans",
    "worker_failure",
    "write_atomic",
]


def run(
    jobs: Sequence[tuple[str, Plan]],
    processes: int | None = None,
    timeout: float = 300.0,
    cache: Cache | None = None,
    progress: Callable[[int], None] | None = None,
    executor: Callable[..., None] | None = None,
    memory: int | None = None,
    setup: Callable[[], None] | None = None,
) -> list[FileResult]:
    """The results of ``jobs`` ((path, plan) pairs) in their order. A file whose cached
    result still holds is answered here (:meth:`Cache.probe`); every other file goes to
    ``executor`` (default :func:`run_local`; same signature, each job a (path, plan,
    cache reference) triple), whose worker loads and lints it (:func:`lint_job`): this
    process parses no asset, and starts no worker when every file is cached.
    ``progress(n)`` is called as files complete. ``memory`` (MiB per file, the local
    workers only: a Dask cluster sets its own worker limits)."""
    results: list[FileResult | None] = [None] * len(jobs)

    def done(i: int, result: FileResult) -> None:
        results[i] = result
        if cache is not None:
            if result.cache_note:
                cache.warning(result.cache_note)
            # a crash or a time limit says nothing lasting about the file: never cached
            failed = any(f.code in NOT_CACHED for f in result.findings)
            if not failed and not result.cached and result.cacheable:
                cache.put(result)
        if progress:
            progress(1)

    work: list[tuple[str, Plan, CacheRef | None]] = []
    where: list[int] = []  # the index in ``jobs`` of each entry of ``work``
    for i, (path, plan) in enumerate(jobs):
        ref = None
        if cache is not None:
            hit, ref = cache.probe(path, plan)
            if hit is not None:
                done(i, hit)
                continue
        work.append((path, plan, ref))
        where.append(i)
    if work:
        if setup is not None:
            setup()

        def finished(k: int, result: FileResult) -> None:
            done(where[k], result)

        workers = processes or os.cpu_count() or 1
        if executor is None:
            run_local(work, workers, timeout, finished, memory)
        else:
            executor(work, workers, timeout, finished)
    return [r for r in results if r is not None]
