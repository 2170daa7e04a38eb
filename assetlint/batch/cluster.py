"""Sending the files of a batch to a Dask distributed cluster instead of local workers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from assetlint.batch.cache import CacheRef, lint_job
from assetlint.batch.plans import FileResult, Plan, worker_failure


class ExecutorError(RuntimeError):
    """The executor cannot run at all (an unreachable cluster): a usage error, exit 2."""


def dask_executor(address: Any) -> Callable[..., None]:
    """An executor for :func:`assetlint.batch.run` that sends each file to a Dask
    distributed cluster (``address``: a scheduler address or a ``distributed.Client``). A
    worker that dies is retried by Dask, then the file gets X001; the per-file time limit
    applies to waiting for each result."""
    from distributed import Client, as_completed

    def execute(
        jobs: Sequence[tuple[str, Plan, CacheRef | None]],
        processes: int,
        timeout: float,
        done: Callable[[int, FileResult], None],
    ) -> None:
        own = not isinstance(address, Client)  # a client made here is closed here
        try:
            client = Client(address, timeout=timeout) if own else address
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler {address}: {exc}") from None
        futures = {
            client.submit(lint_job, path, plan, cache, pure=False, key=f"assetlint-{i}-{path}"): i
            for i, (path, plan, cache) in enumerate(jobs)
        }
        try:
            for future in as_completed(list(futures)):
                i = futures[future]
                path, plan, _ = jobs[i]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost task becomes X001
                    result = worker_failure(path, plan, f"the Dask task failed: {exc}")
                done(i, result)
        finally:
            client.cancel(list(futures))
            if own:
                client.close()

    return execute
