"""Linting many files: worker processes, a per-file time limit, a content-hash cache.

A studio lints thousands of assets per commit, and one bad file must neither stop nor hang
the batch. Each file is linted in a worker process; a worker that crashes, or takes more
than the time limit, is killed and replaced, and the file gets an X001 finding saying so.
Results come back in the order the files were given, whatever order they finish in.

The cache keys a file's result by the SHA-256 of its bytes and of every file it references
(see :func:`dependencies`), the resolved settings and the assetlint version, so an unchanged
asset is never loaded twice and a changed texture relints only the assets that use it.
"""

from __future__ import annotations

import faulthandler
import functools
import hashlib
import json
import multiprocessing
import os
import re
import signal
import struct
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from assetlint import __version__, selection
from assetlint import targets as target_packs
from assetlint.config import Config
from assetlint.engine import Engine
from assetlint.findings import Finding, load_failure
from assetlint.loaders._isolated import exit_reason
from assetlint.rules import Rule
from assetlint.rules.internal import INTERNAL_ERROR, MEMORY_LIMIT

try:
    import resource
except ImportError:  # Windows: no per-process memory limit
    resource = None  # type: ignore[assignment]

# Extensions a loader may open beside an asset (buffers, materials, images, USD layers).
REFERENCED_EXTENSIONS = frozenset(
    ".bin .mtl .png .jpg .jpeg .webp .ktx2 .dds .tga .bmp .gif .tif .tiff .exr .hdr "
    ".usd .usda .usdc .usdz".split()
)
_MTL_MAPS = re.compile(r"^\s*(?:map_\w+|bump|disp|decal|norm|refl)\s+(.+?)\s*$", re.M | re.I)
_USDA_ASSET = re.compile(rb"@([^@\n]+)@")


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "rules": self.rules,
            "stats": self.stats,
            "loaded": self.loaded,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FileResult:
        return cls(
            path=d["path"],
            findings=[Finding(**f) for f in d["findings"]],
            rules=list(d["rules"]),
            stats=dict(d["stats"]),
            loaded=bool(d["loaded"]),
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
    try:
        asset = load(Path(path))
    except OutOfMemory:
        if _MEMORY_LIMIT:
            raise MemoryError from None  # the worker's limit reached: X002, not a bad file
        raise
    except LoadError as exc:
        findings = [load_failure(str(exc), path)] if "L001" in enabled else []
        return FileResult(path, findings, rules, loaded=False, seconds=time.perf_counter() - start)
    findings = chosen.run(engine, asset)
    for f in findings:
        f.path = path  # the path as given, not as the loader normalized it
    seconds = time.perf_counter() - start
    return FileResult(path, findings, rules, stats=summarize(asset), seconds=seconds)


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
    while True:
        job = conn.recv()
        if job is None:
            return
        index, path, plan = job
        if memory:
            limit_memory(memory)
        try:
            result: FileResult | str = lint_file(path, plan)
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
        self.job: tuple[int, str, Plan] | None = None
        self.deadline = 0.0

    def give(self, job: tuple[int, str, Plan], timeout: float) -> None:
        self.job, self.deadline = job, time.monotonic() + timeout
        self.conn.send(job)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.conn.close()


def _context() -> Any:
    """fork where the platform has it: workers start in milliseconds, with the rules
    already imported."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_local(
    jobs: Sequence[tuple[str, Plan]],
    processes: int,
    timeout: float,
    done: Callable[[int, FileResult], None],
    memory: int | None = None,
) -> None:
    """Lint ``jobs`` in ``processes`` workers; ``done(index, result)`` for each file.
    ``memory``: MiB each file may allocate (Linux; elsewhere only the time limit holds)."""
    ctx = _context()
    pending = list(enumerate(jobs))[::-1]
    workers = [_Worker(ctx, memory) for _ in range(max(1, min(processes, len(jobs))))]
    idle = list(workers)
    try:
        while pending or len(idle) < len(workers):
            while pending and idle:
                index, (path, plan) = pending.pop()
                idle.pop().give((index, path, plan), timeout)
            busy = [w for w in workers if w.job is not None]
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline for w in busy) - now)
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], wait_for)
            for i, w in enumerate(workers):
                if w.job is None:
                    continue
                index, path, plan = w.job
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


def _gltf_uris(path: Path) -> list[str] | None:
    data = path.read_bytes()
    if path.suffix.lower() == ".glb":
        if len(data) < 20 or data[:4] != b"glTF":
            return []
        length, kind = struct.unpack_from("<II", data, 12)
        if kind != 0x4E4F534A:
            return []
        data = data[20 : 20 + length]
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(doc, dict):
        return []
    return [
        item["uri"]
        for key in ("buffers", "images")
        for item in (doc.get(key) or [])
        if isinstance(item, dict)
        and isinstance(item.get("uri"), str)
        and not item["uri"].startswith("data:")
    ]


def _obj_uris(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    mtls = [
        name for line in text.splitlines() if line.startswith("mtllib") for name in line.split()[1:]
    ]
    uris = list(mtls)
    for name in mtls:
        mtl = path.parent / name
        if mtl.is_file():
            body = mtl.read_text(encoding="utf-8", errors="replace")
            uris += [m.split()[-1] for m in _MTL_MAPS.findall(body) if m.split()]
    return uris


def dependencies(path: Path) -> list[Path]:
    """Files the asset references, for the cache key. glTF/GLB (buffers, images), OBJ (.mtl
    and its maps) and text USD (@layer@ paths) are parsed; for binary USD and FBX, whose
    references only their loaders can read, every file beside the asset with a referenceable
    extension counts (conservative: a change there relints them). Missing files are listed
    too, so that adding one changes the key."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".gltf", ".glb"):
            uris = _gltf_uris(path)
        elif suffix == ".obj":
            uris = _obj_uris(path)
        elif suffix == ".stl":
            uris = []
        elif suffix == ".usda" or (suffix == ".usd" and path.read_bytes()[:8] != b"PXR-USDC"):
            uris = [m.decode("utf-8", "replace") for m in _USDA_ASSET.findall(path.read_bytes())]
        elif suffix == ".usdz":
            uris = []
        else:
            return sorted(
                p
                for p in path.parent.iterdir()
                if p.suffix.lower() in REFERENCED_EXTENSIONS and p != path and p.is_file()
            )
    except OSError:
        return []
    out = []
    for uri in uris:
        rel = uri.replace("\\", "/")
        if "://" in rel or rel.startswith("/"):
            continue  # refused by the loaders, never opened
        out.append(path.parent / rel)
    return sorted(set(out))


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


class Cache:
    """Results by content key, one JSON file per key under ``folder``; written atomically
    so an interrupted run never leaves a truncated entry.

    The SHA-256 of each file is remembered with its size and modification time
    (``files.json``), as ruff and git do, so an unchanged batch is checked with one stat
    per file instead of reading every byte again."""

    INDEX = "files.json"

    def __init__(self, folder: Path, engine: Engine | None = None):
        self.folder = folder
        self.salt = __version__ + (rules_fingerprint(engine) if engine else "")
        self._index: dict[str, list] | None = None  # path -> [size, mtime_ns, sha, deps]
        self._dirty = False

    @property
    def index(self) -> dict[str, list]:
        if self._index is None:
            try:
                self._index = json.loads((self.folder / self.INDEX).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._index = {}
            if not isinstance(self._index, dict):
                self._index = {}
        return self._index

    def _record(self, path: Path) -> tuple[list | None, tuple[int, int] | None]:
        """The index record if the file is unchanged since, and its current (size, mtime)."""
        try:
            st = path.stat()
        except OSError:
            return None, None
        stamp = (st.st_size, st.st_mtime_ns)
        rec = self.index.get(str(path))
        fresh = isinstance(rec, list) and len(rec) == 4 and tuple(rec[:2]) == stamp
        return (rec if fresh else None), stamp

    def file_hash(self, path: Path) -> str:
        rec, stamp = self._record(path)
        if stamp is None:
            return "missing"
        if rec is None:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return "unreadable"
            rec = self.index[str(path)] = [*stamp, digest, None]
            self._dirty = True
        return rec[2]

    def _dependencies(self, path: Path) -> list[Path]:
        """:func:`dependencies`, remembered while the file and what it names are unchanged
        (an edited .mtl may name other maps)."""
        rec, _ = self._record(path)
        if rec is not None and rec[3] is not None:
            deps = [Path(d) for d in rec[3]]
            if all(self._record(d)[0] is not None or not d.exists() for d in deps):
                return deps
        deps = dependencies(path)
        if rec is not None:
            rec[3] = [str(d) for d in deps]
            self._dirty = True
        return deps

    def key(self, path: Path, plan: Plan) -> str:
        parts = [self.salt, plan.fingerprint(), self.file_hash(path)]
        for dep in self._dependencies(path):
            parts.append(f"{dep.name}={self.file_hash(dep)}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def save(self) -> None:
        """Write the hash index (atomically) if it changed."""
        if self._dirty and self._index is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / self.INDEX, json.dumps(self._index))
            self._dirty = False

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> FileResult | None:
        try:
            data = json.loads(self._entry(key).read_text(encoding="utf-8"))
            result = FileResult.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        result.path, result.cached = path, True
        for f in result.findings:
            f.path = path
        return result

    def put(self, key: str, result: FileResult) -> None:
        entry = self._entry(key)
        entry.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(entry, json.dumps(result.to_dict()))
        gitignore = self.folder / ".gitignore"
        if not gitignore.exists():
            write_atomic(gitignore, "*\n")


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


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
    """The results of ``jobs`` ((path, plan) pairs) in their order. Cached files are not
    linted; the rest go to ``executor`` (default :func:`run_local`) with the same
    signature. ``progress(n)`` is called as files complete. ``memory`` (MiB per file, the
    local workers only: a Dask cluster sets its own worker limits)."""
    results: list[FileResult | None] = [None] * len(jobs)
    keys: dict[int, str] = {}
    todo: list[int] = []
    for i, (path, plan) in enumerate(jobs):
        if cache is not None:
            keys[i] = cache.key(Path(path), plan)
            hit = cache.get(keys[i], path)
            if hit is not None:
                results[i] = hit
                continue
        todo.append(i)
    if progress and len(todo) < len(jobs):
        progress(len(jobs) - len(todo))

    def done(k: int, result: FileResult) -> None:
        i = todo[k]
        results[i] = result
        # a crash or a time limit says nothing lasting about the file: never cached
        failed = any(f.code in NOT_CACHED for f in result.findings)
        if cache is not None and not failed:
            cache.put(keys[i], result)
        if progress:
            progress(1)

    if cache is not None:
        cache.save()
    if todo:
        work = [jobs[i] for i in todo]
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
        jobs: Sequence[tuple[str, Plan]],
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
            client.submit(lint_file, path, plan, pure=False, key=f"assetlint-{i}-{path}"): i
            for i, (path, plan) in enumerate(jobs)
        }
        try:
            for future in as_completed(list(futures)):
                i = futures[future]
                path, plan = jobs[i]
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
