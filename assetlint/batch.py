"""Linting many files: worker processes, a per-file time limit, a content-hash cache.

A studio lints thousands of assets per commit, and one bad file must neither stop nor hang
the batch. Each file is linted in a worker process; a worker that crashes, or takes more
than the time limit, is killed and replaced, and the file gets an X001 finding saying so.
Results come back in the order the files were given, whatever order they finish in.

The cache keys a file's result by the SHA-256 of its bytes, the resolved settings and the
assetlint version, and checks the content hash of every file its loader resolved
(``Asset.dependencies``), so an unchanged asset is never loaded twice and a changed texture
relints only the assets that use it. This module holds no format code: what an asset
depends on is what its loader opened, and all reading and hashing happens in the workers,
under their time and memory limits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import hashlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetlint import __version__, selection
from assetlint import targets as target_packs
from assetlint.config import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT, Config
from assetlint.engine import Engine
from assetlint.findings import Finding, cap_findings, group_findings, load_failure, truncation
from assetlint.loaders._isolated import ReaderFailure, exit_reason, run_forked
from assetlint.loaders._refs import NotRegularFile, open_regular, recording
from assetlint.rules import Rule
from assetlint.rules.internal import INTERNAL_ERROR, MEMORY_LIMIT, TRUNCATED

if TYPE_CHECKING:  # multiprocessing is imported where workers start, not at CLI start-up
    from multiprocessing.connection import Connection

try:
    import resource
except ImportError:  # Windows: no per-process memory limit
    resource = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Plan:
    """What to run on one file, resolved from its Config; picklable, so a worker process or
    a Dask worker can run it, and hashable into the cache key."""

    target: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # per-file-ignores: removed whatever selects them
    rules: tuple[tuple[str, str], ...] = ()  # (selector, JSON of its table), sorted
    size: str | None = None
    category: str | None = None

    @classmethod
    def for_file(cls, config: Config, path: Path) -> Plan:
        return cls(
            target=tuple(target_packs.effective_names(config.target)),
            select=config.select,
            extend_select=config.extend_select,
            ignore=config.ignore,
            drop=config.per_file_ignores_for(path),
            rules=tuple(
                sorted((k, json.dumps(v, sort_keys=True)) for k, v in config.rules.items())
            ),
            size=config.size,
            category=config.category,
        )

    def fingerprint(self) -> str:
        return _fingerprint(self)


@functools.lru_cache(maxsize=64)
def _fingerprint(plan: Plan) -> str:
    return hashlib.sha256(repr(plan).encode()).hexdigest()


@dataclass
class FileResult:
    """One file's outcome: its findings, the rules that ran, the loader's summary numbers."""

    path: str
    findings: list[Finding]
    rules: list[str]  # codes of the rules that ran (for JUnit testcases)
    stats: dict[str, Any] = field(default_factory=dict)  # empty when the file did not load
    loaded: bool = True
    cached: bool = False
    seconds: float = 0.0  # time to load and lint it in this run (0 from the cache)
    # Files the loader resolved, relative to the asset's folder (Asset.dependencies).
    depends_on: list[str] = field(default_factory=list, repr=False)
    # Set by a worker for the cache (see lint_job): the key, the dependencies' hashes.
    key: str | None = field(default=None, repr=False)
    dependencies: list[tuple[str, str]] = field(default_factory=list, repr=False)
    cache_note: str | None = field(default=None, repr=False)  # a damaged entry met
    cacheable: bool = field(default=True, repr=False)  # False: says nothing lasting
    truncated: int = 0  # findings past the per-file cap, counted and not listed (X003)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "rules": self.rules,
            "stats": self.stats,
            "loaded": self.loaded,
            "truncated": self.truncated,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FileResult:
        return cls(
            path=d["path"],
            findings=[Finding(**f) for f in d["findings"]],
            rules=list(d["rules"]),
            stats=dict(d["stats"]),
            loaded=bool(d["loaded"]),
            truncated=int(d.get("truncated", 0)),
        )


# --- running one file ----------------------------------------------------------------

_PREPARED: dict[Plan, tuple[Engine, selection.Selection]] = {}


def prepare(plan: Plan, engine: Engine | None = None) -> tuple[Engine, selection.Selection]:
    """The engine and the resolved selection of a plan, once per process. Raises
    SelectionError/PackError/ValueError for a bad plan."""
    if plan in _PREPARED:
        return _PREPARED[plan]
    engine = engine or next((p[0] for p in _PREPARED.values()), None) or Engine.default()
    chosen = selection.resolve(
        engine,
        targets=plan.target,
        select=plan.select,
        extend_select=plan.extend_select,
        ignore=plan.ignore,
        drop=plan.drop,
        rules={sel: json.loads(table) for sel, table in plan.rules},
        size=plan.size,
        category=plan.category,
    )
    _PREPARED[plan] = (engine, chosen)
    return _PREPARED[plan]


def lint_file(path: str, plan: Plan) -> FileResult:
    """Load and lint one file (in whatever process runs it)."""
    from assetlint.loaders import OutOfMemory, load
    from assetlint.model import LoadError
    from assetlint.summary import summarize

    start = time.perf_counter()
    engine, chosen = prepare(plan)
    enabled = chosen.codes(engine)
    rules = sorted(enabled)
    folder = Path(path).parent.resolve()
    with recording() as seen:  # also what was resolved before a load failed
        try:
            asset = load(Path(path))
        except OutOfMemory:
            if _MEMORY_LIMIT:
                raise MemoryError from None  # the worker's limit reached: X002, not a bad file
            raise
        except LoadError as exc:
            findings = [load_failure(str(exc), path)] if "L001" in enabled else []
            result = FileResult(
                path, findings, rules, loaded=False, seconds=time.perf_counter() - start
            )
            result.depends_on = _relative(folder, seen)
            result.cacheable = not isinstance(exc, ReaderFailure)  # timeout, crash: retried
            return result
    findings = chosen.run(engine, asset)
    stated = [f for f in findings if f.code == TRUNCATED.code]  # the loader's cap
    findings, left_out = cap_findings(
        group_findings([f for f in findings if f.code != TRUNCATED.code])
    )
    if left_out:
        stated.append(truncation(left_out, path))
    findings += stated
    truncated = sum(f.repeats or 0 for f in stated)
    for f in findings:
        f.path = path  # the path as given, not as the loader normalized it
    seconds = time.perf_counter() - start
    result = FileResult(
        path, findings, rules, stats=summarize(asset), truncated=truncated, seconds=seconds
    )
    result.depends_on = _relative(folder, seen)
    return result


def _relative(folder: Path, paths: Iterable[Path]) -> list[str]:
    """The paths inside the asset's folder, relative to it, sorted (the loaders resolve
    nothing outside it; what a loader reads for itself, as usd-core's warm-up stage, is
    not the asset's)."""
    return sorted(os.path.relpath(p, folder) for p in paths if folder in p.parents)


def load_limited(
    path: str | Path, timeout: float = DEFAULT_TIMEOUT, memory: int | None = DEFAULT_MEMORY_LIMIT
) -> Any:
    """The Asset of one file, read as a check's worker reads it: in a forked child under
    the time limit (seconds) and the memory limit (MiB), so that ``info``, ``render``,
    ``fix`` and the HTML report neither hang on a hostile file nor take the machine's
    memory. Raises LoadError (a timeout, a crash or the limit included)."""
    return run_forked(_load_within, (str(path), memory), "reading", timeout)


def _load_within(path: str, memory: int | None) -> Any:
    from assetlint.loaders import load

    if memory:
        limit_memory(memory)
    return load(path)


def worker_failure(path: str, plan: Plan, what: str, rule: Rule = INTERNAL_ERROR) -> FileResult:
    """The result of a file whose worker crashed or ran out of time (an X001 finding) or
    of memory (X002)."""
    finding = Finding(rule.code, rule.severity, f"not checked: {what}", path, "worker", "process")
    return FileResult(path, [finding], [rule.code], loaded=False)


# Codes of results that say nothing lasting about the file: never cached.
NOT_CACHED = (INTERNAL_ERROR.code, MEMORY_LIMIT.code)


# --- worker processes ----------------------------------------------------------------


_MEMORY_LIMIT: int | None = None  # MiB, in a worker that set one


def _data_size() -> int | None:
    """Bytes of the process's data segment (heap and private mappings), as RLIMIT_DATA
    counts them; None where /proc does not say (not Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            line = next(x for x in fh if x.startswith("VmData:"))
    except (OSError, StopIteration):
        return None
    return int(line.split()[1]) * 1024


def limit_memory(mib: int | None) -> bool:
    """Let this process allocate at most ``mib`` MiB more than it holds now (RLIMIT_DATA,
    which covers malloc and numpy's large mmaps; Linux only). Past it, an allocation fails
    with MemoryError (std::bad_alloc in a native library) instead of swapping the machine.
    False where it cannot be enforced; None or 0 lifts the limit."""
    global _MEMORY_LIMIT
    used = _data_size()
    if resource is None or not hasattr(resource, "RLIMIT_DATA") or used is None:
        return False
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = hard
    if mib:
        soft = used + mib * 1024 * 1024
        soft = soft if hard == resource.RLIM_INFINITY else min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    _MEMORY_LIMIT = mib
    return True


def _worker_main(conn: Connection, memory: int | None = None) -> None:
    """A worker: lint the files it is sent until it is sent None, each under the memory
    limit (MiB beyond what the worker holds when the file starts)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    faulthandler.disable()  # a crash is reported as a finding, not a stack dump on stderr
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # its own process group: killing it kills what it started
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
    jobs: Sequence[tuple[str, Plan, CacheRef | None]],
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


def _death(w: _Worker) -> str:
    w.proc.join(timeout=1)
    code = w.proc.exitcode
    if code is None:
        return "the worker process closed its pipe and did not exit"
    return f"the worker process {exit_reason(code)}"


# --- cache ---------------------------------------------------------------------------

# Files past this size are not hashed: their result is not cached (a hash must read it all).
MAX_HASHED_BYTES = 4 << 30
# A cache entry larger than this is not ours (the findings are capped per file).
MAX_ENTRY_BYTES = 64 << 20
# Markers in place of a hash for what is not a readable regular file.
MISSING, NOT_REGULAR, UNREADABLE, TOO_LARGE = "missing", "not-regular", "unreadable", "too-large"
ENTRY_FORMAT = 2


def content_hash(path: Path) -> str:
    """SHA-256 of a regular file's bytes, read in 1 MiB chunks (bounded memory), or a marker
    (:data:`MISSING`...). A FIFO, device or socket is never opened."""
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > MAX_HASHED_BYTES:
                return TOO_LARGE
            digest = hashlib.sha256()
            read = 0
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > MAX_HASHED_BYTES:  # it grew while being read
                    return TOO_LARGE
                digest.update(chunk)
            return digest.hexdigest()
    except FileNotFoundError:
        return MISSING
    except NotRegularFile:
        return NOT_REGULAR
    except OSError:
        return UNREADABLE


def _hashable(digest: str) -> bool:
    return digest not in (TOO_LARGE, UNREADABLE)


def _inside(folder: Path, rel: str) -> Path | None:
    """``folder / rel`` if ``rel`` is a relative path that stays inside ``folder``, symlinks
    resolved; None otherwise (a cache entry is data from disk, not trusted)."""
    if not rel or os.path.isabs(rel) or "\0" in rel:
        return None
    candidate = (folder / rel).resolve()
    return candidate if folder in candidate.parents else None


def rules_fingerprint(engine: Engine) -> str:
    """The installed rules (code, origin, defaults) and the versions of the plugin
    distributions that provide them: installing or upgrading a pack invalidates the cache."""
    rules = [
        (c, r.origin, r.severity, repr(sorted(r.params.items()))) for c, r in engine.rules.items()
    ]
    dists = sorted(f"{d.project_name}=={d.version}" for _, d in engine.pm.list_plugin_distinfo())
    return hashlib.sha256(repr((rules, dists, _source_stamp())).encode()).hexdigest()


def _source_stamp() -> list[tuple[str, int, int]]:
    """Size and mtime of assetlint's own modules and packs: in a source checkout the version
    does not change when a rule's code does, and a stale cache would hide the change."""
    package = Path(__file__).parent
    files = [*package.rglob("*.py"), *target_packs.builtin_pack_dir().glob("*.toml")]
    out = []
    for f in sorted(files):
        st = f.stat()
        out.append((f.name, st.st_size, st.st_mtime_ns))
    return out


@dataclass(frozen=True)
class CacheRef:
    """What a worker needs to look a file up in the cache: picklable, no open state."""

    folder: str
    salt: str


def lint_job(path: str, plan: Plan, cache: CacheRef | None = None) -> FileResult:
    """One file in a worker: its cached result if the asset's bytes and those of every file
    it depended on last time are unchanged (content hashes, re-read here), else
    :func:`lint_file` with the hashes of what the loader resolved, for the parent to store.
    All the hashing happens here, under the worker's time and memory limits."""
    if cache is None:
        return lint_file(path, plan)
    digest = content_hash(Path(path))
    if digest in (MISSING, NOT_REGULAR, UNREADABLE, TOO_LARGE):  # the loader says why
        return lint_file(path, plan)
    key = hashlib.sha256(f"{cache.salt}\n{plan.fingerprint()}\n{digest}".encode()).hexdigest()
    hit, note = _lookup(Path(cache.folder), key, path)
    if hit is not None:
        return hit
    result = lint_file(path, plan)
    result.cache_note = note
    if not result.cacheable:
        return result
    folder = Path(path).parent.resolve()
    hashes = []
    for dep in result.depends_on:
        found = _inside(folder, dep)
        digest = content_hash(found) if found is not None else UNREADABLE
        if not _hashable(digest):
            return result  # not keyed: never stored
        hashes.append((dep, digest))
    result.key, result.dependencies = key, hashes
    return result


def _lookup(folder: Path, key: str, path: str) -> tuple[FileResult | None, str | None]:
    """(the cached result, None) on a hit; (None, why) when the entry is damaged or foreign
    (the caller warns once and overwrites it); (None, None) on a plain miss."""
    entry = folder / key[:2] / f"{key}.json"
    try:
        with open_regular(entry) as fh:
            text = fh.read(MAX_ENTRY_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cache entry {entry} is unreadable ({exc.strerror or exc}); ignored"
    try:
        data = json.loads(text)
        if len(text) > MAX_ENTRY_BYTES or data.get("format") != ENTRY_FORMAT:
            raise ValueError("not an entry of this assetlint")
        deps = [(str(rel), str(digest)) for rel, digest in data["dependencies"]]
        result = FileResult.from_dict(data["result"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None, f"cache entry {entry} is damaged or foreign; ignored and rebuilt"
    base = Path(path).parent.resolve()
    for rel, digest in deps:
        found = _inside(base, rel)
        if found is None or content_hash(found) != digest:
            return None, None  # a dependency changed (or the entry names no file of ours)
    result.path, result.cached = path, True
    for f in result.findings:
        f.path = path
    return result, None


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Cache:
    """Results by content key, one JSON file per key under ``folder``, written atomically
    so an interrupted run never leaves a truncated entry.

    The key is the SHA-256 of the asset's bytes, the resolved settings and the installed
    rules; the entry lists every file the loader resolved (``Asset.dependencies``) with its
    content hash, and is a hit only while each hashes the same (never size and mtime
    alone: ``cp -p``, tar and rsync keep those across a change). Lookups and hashing run in
    the workers (:func:`lint_job`); this object only writes entries. A damaged or foreign
    cache (an entry that is a folder or not our JSON, a ``folder`` that is a file) is
    ignored with one warning per run."""

    def __init__(
        self,
        folder: Path,
        engine: Engine | None = None,
        warn: Callable[[str], None] = _stderr_warning,
    ):
        self.folder = Path(folder)
        self.salt = __version__ + (rules_fingerprint(engine) if engine else "")
        self._warn = warn
        self.warned = False
        self.enabled = True
        if self.folder.exists() and not self.folder.is_dir():
            self.warning(f"cache folder {self.folder} is not a folder; running without a cache")
            self.enabled = False

    def warning(self, message: str) -> None:
        """Warn once per run, whatever else goes wrong with the cache."""
        if not self.warned:
            self.warned = True
            self._warn(message)

    def ref(self) -> CacheRef | None:
        return CacheRef(str(self.folder), self.salt) if self.enabled else None

    def put(self, result: FileResult) -> None:
        """Store a result the worker keyed (see :func:`lint_job`)."""
        if not self.enabled or result.key is None:
            return
        entry = self.folder / result.key[:2] / f"{result.key}.json"
        data = {
            "format": ENTRY_FORMAT,
            "dependencies": [list(d) for d in result.dependencies],
            "result": result.to_dict(),
        }
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(entry, json.dumps(data))
            gitignore = self.folder / ".gitignore"
            if not gitignore.exists():
                write_atomic(gitignore, "*\n")
        except OSError as exc:
            self.warning(f"cannot write the cache entry {entry}: {exc.strerror or exc}")


def new_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: 0666 less the process's umask (a
    temporary file from :mod:`tempfile` is 0600, which would make outputs private)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write through a new temporary file in the same folder (never an existing file, never
    through a symlink) and rename it into place, so a reader sees the old file or the new
    one, whole, and a kill leaves no partial file. The file gets the mode a plain
    ``open(path, "w")`` would give (0666 less the umask)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), new_file_mode())
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- the batch -----------------------------------------------------------------------


def run(
    jobs: Sequence[tuple[str, Plan]],
    processes: int | None = None,
    timeout: float = 300.0,
    cache: Cache | None = None,
    progress: Callable[[int], None] | None = None,
    executor: Callable[..., None] | None = None,
    memory: int | None = None,
) -> list[FileResult]:
    """The results of ``jobs`` ((path, plan) pairs) in their order. Every file goes to
    ``executor`` (default :func:`run_local`; same signature, each job a (path, plan,
    cache reference) triple), whose worker returns the cached result when there is one
    (:func:`lint_job`): this process opens no asset. ``progress(n)`` is called as files
    complete. ``memory`` (MiB per file, the local workers only: a Dask cluster sets its
    own worker limits)."""
    results: list[FileResult | None] = [None] * len(jobs)
    ref = cache.ref() if cache is not None else None

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

    if jobs:
        work = [(path, plan, ref) for path, plan in jobs]
        if executor is None:
            run_local(work, processes or os.cpu_count() or 1, timeout, done, memory)
        else:
            executor(work, processes or os.cpu_count() or 1, timeout, done)
    return [r for r in results if r is not None]


class ExecutorError(RuntimeError):
    """The executor cannot run at all (an unreachable cluster): a usage error, exit 2."""


def dask_executor(address: Any) -> Callable[..., None]:
    """An executor for :func:`run` that sends each file to a Dask distributed cluster
    (``address``: a scheduler address or a ``distributed.Client``). A worker that dies is
    retried by Dask, then the file gets X001; the per-file time limit applies to waiting
    for each result."""
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


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def unique_plans(jobs: Iterable[tuple[str, Plan]]) -> list[Plan]:
    return list(dict.fromkeys(plan for _, plan in jobs))
