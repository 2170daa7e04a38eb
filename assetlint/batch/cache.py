"""The results cache: a file's result keyed by the SHA-256 of its bytes, the resolved
settings and the installed rules, and valid while every file its loader resolved
(``Asset.dependencies``) hashes the same.

An unchanged asset is answered in the main process, without a worker (a pre-commit run
on one file forks nothing): hashing a regular file is bounded work, and only regular
files are opened (a FIFO or a device named anywhere is never read). What is larger than
:data:`LOOKUP_BYTES` is looked up in the worker instead, under its time and memory
limits. Reading an asset to find what it depends on is the loaders' job, in the workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetlint import __version__
from assetlint import targets as target_packs
from assetlint.batch.plans import FileResult, Plan, lint_file
from assetlint.engine import Engine
from assetlint.loaders import NotRegularFile, open_regular, within
from assetlint.plugins import ENTRY_POINT_GROUP
from assetlint.rules import Rule

# Files past this size are not hashed: their result is not cached (a hash must read it all).
MAX_HASHED_BYTES = 4 << 30
# Bytes the main process reads to answer one file from the cache (the asset and its
# dependencies, about 0.05 s of hashing); past them a worker looks the file up.
LOOKUP_BYTES = 64 << 20
# A cache entry larger than this is not ours (the findings are capped per file).
MAX_ENTRY_BYTES = 64 << 20
# Markers in place of a hash for what is not a readable regular file.
MISSING, NOT_REGULAR, UNREADABLE, TOO_LARGE = "missing", "not-regular", "unreadable", "too-large"
ENTRY_FORMAT = 2


def content_hash(path: Path, limit: int = MAX_HASHED_BYTES) -> str:
    """SHA-256 of a regular file's bytes, read in 1 MiB chunks (bounded memory), or a marker
    (:data:`MISSING`...; :data:`TOO_LARGE` past ``limit`` bytes). A FIFO, device or socket
    is never opened."""
    return _hash(path, limit)[0]


def _hash(path: Path, limit: int) -> tuple[str, int]:
    """(:func:`content_hash`, the bytes read)."""
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > limit:
                return TOO_LARGE, 0
            digest = hashlib.sha256()
            read = 0
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > limit:  # it grew while being read
                    return TOO_LARGE, read
                digest.update(chunk)
            return digest.hexdigest(), read
    except FileNotFoundError:
        return MISSING, 0
    except NotRegularFile:
        return NOT_REGULAR, 0
    except OSError:
        return UNREADABLE, 0


def _keyable(digest: str) -> bool:
    """Whether a file's result can be keyed by this digest of it (else the loader says why
    the file cannot be read, and nothing is cached)."""
    return digest not in (MISSING, NOT_REGULAR, UNREADABLE, TOO_LARGE)


def _hashable(digest: str) -> bool:
    return digest not in (TOO_LARGE, UNREADABLE)


def rules_fingerprint(engine: Engine | None = None) -> str:
    """What a cached result depends on besides the file and its plan: assetlint's version,
    the size and mtime of its modules and packs, and the rule packs installed (names and
    versions of their distributions: installing or upgrading one invalidates the cache).
    Read from files, not from the rules: a cached run imports no rule module for its key.
    ``engine``: one already built, whose plugin list saves a scan of the installed
    distributions."""
    if engine is not None and engine.runnable:  # a catalogue's engine has no plugins
        dists = [f"{d.project_name}=={d.version}" for _, d in engine.pm.list_plugin_distinfo()]
    else:
        dists = [f"{d.name}=={d.version}" for d in _pack_distributions()]
    return hashlib.sha256(repr((__version__, sorted(dists), _source_stamp())).encode()).hexdigest()


def _pack_distributions() -> list[Any]:
    """The installed distributions that declare an assetlint rule pack (entry points)."""
    if not _may_declare_packs():
        return []  # importlib.metadata, a sixth of a cached run's CPU to import, finds none
    from importlib.metadata import entry_points

    found = {ep.dist.name: ep.dist for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.dist}
    return list(found.values())


def _may_declare_packs() -> bool:
    """Whether an installed distribution may declare an assetlint rule pack: the metadata
    folders on ``sys.path`` are scanned for an entry_points.txt naming the group (what
    importlib.metadata reads, without importing it). True whenever the scan cannot tell:
    a zip on the path, or a finder of distributions besides the standard one."""
    from importlib.machinery import PathFinder

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return True
    header = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        folder = entry or "."
        try:
            with os.scandir(folder) as found:
                names = [e.name for e in found if e.name.lower().endswith(_METADATA)]
        except NotADirectoryError:
            return True  # a zip file: importlib.metadata reads inside it
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as fh:
                    if header.encode() in fh.read():
                        return True
            except OSError:
                continue
    return False


_METADATA = (".dist-info", ".egg-info")


def _source_stamp() -> list[tuple[str, int, int]]:
    """Size and mtime of assetlint's own modules and packs: in a source checkout the version
    does not change when a rule's code does, and a stale cache would hide the change."""
    package = Path(__file__).parents[1]
    files = [*package.rglob("*.py"), *target_packs.builtin_pack_dir().glob("*.toml")]
    out = []
    for f in sorted(files):
        st = f.stat()
        out.append((str(f), st.st_size, st.st_mtime_ns))
    return out


@dataclass(frozen=True)
class CacheRef:
    """What a worker needs to look a file up in the cache: picklable, no open state.
    ``key``: the file's key when the main process computed it and found no valid entry
    (the worker then only lints and hashes what the loader resolved)."""

    folder: str
    salt: str
    key: str | None = None


def entry_key(salt: str, plan: Plan, digest: str) -> str:
    """The cache key of a file whose bytes hash to ``digest``, linted by ``plan``."""
    return hashlib.sha256(f"{salt}\n{plan.fingerprint()}\n{digest}".encode()).hexdigest()


def lint_job(path: str, plan: Plan, cache: CacheRef | None = None) -> FileResult:
    """One file in a worker: its cached result if the asset's bytes and those of every file
    it depended on last time are unchanged (content hashes, re-read here), else
    :func:`lint_file` with the hashes of what the loader resolved, for the parent to store.
    All the hashing happens here, under the worker's time and memory limits."""
    if cache is None:
        return lint_file(path, plan)
    key = cache.key
    note = None
    if key is None:
        digest = content_hash(Path(path))
        if not _keyable(digest):  # the loader says why
            return lint_file(path, plan)
        key = entry_key(cache.salt, plan, digest)
        if not plan.keep_asset:  # a kept asset needs a load: the cache has no Asset
            hit, note, _ = _lookup(Path(cache.folder), key, path)
        else:
            hit = None
        if hit is not None:
            return hit
    result = lint_file(path, plan)
    result.cache_note = note
    if not result.cacheable:
        return result
    folder = Path(path).parent.resolve()
    hashes = []
    for dep in result.depends_on:
        found = within(folder, dep)
        digest = content_hash(found) if found is not None else UNREADABLE
        if not _hashable(digest):
            return result  # not keyed: never stored
        hashes.append((dep, digest))
    result.key, result.dependencies = key, hashes
    return result


def _lookup(
    folder: Path, key: str, path: str, budget: int | None = None
) -> tuple[FileResult | None, str | None, bool]:
    """(the cached result, None, False) on a hit; (None, why, False) when the entry is
    damaged or foreign (the caller warns once and overwrites it); (None, None, False) on a
    plain miss; (None, None, True) when the dependencies hold more than ``budget`` bytes
    (None: each file up to :data:`MAX_HASHED_BYTES`) and the lookup was left undone."""
    entry = folder / key[:2] / f"{key}.json"
    try:
        with open_regular(entry) as fh:
            text = fh.read(MAX_ENTRY_BYTES + 1)
    except FileNotFoundError:
        return None, None, False
    except OSError as exc:
        return None, f"cache entry {entry} is unreadable ({exc.strerror or exc}); ignored", False
    try:
        data = json.loads(text)
        if len(text) > MAX_ENTRY_BYTES or data.get("format") != ENTRY_FORMAT:
            raise ValueError("not an entry of this assetlint")
        deps = [(str(rel), str(digest)) for rel, digest in data["dependencies"]]
        result = FileResult.from_dict(data["result"])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None, f"cache entry {entry} is damaged or foreign; ignored and rebuilt", False
    base = Path(path).parent.resolve()
    for rel, digest in deps:
        found = within(base, rel)
        if found is None:
            return None, None, False  # the entry names no file of ours
        now, read = _hash(found, MAX_HASHED_BYTES if budget is None else budget)
        if budget is not None:
            if now == TOO_LARGE:
                return None, None, True
            budget -= read
        if now != digest:
            return None, None, False  # a dependency changed
    result.path, result.cached = path, True
    for f in result.findings:
        f.path = path
    return result, None, False


def _stderr_warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Cache:
    """Results by content key, one JSON file per key under ``folder``, written atomically
    so an interrupted run never leaves a truncated entry.

    The key is the SHA-256 of the asset's bytes, the resolved settings and the installed
    rules; the entry lists every file the loader resolved (``Asset.dependencies``) with its
    content hash, and is a hit only while each hashes the same (never size and mtime
    alone: ``cp -p``, tar and rsync keep those across a change). Lookups run in this
    process (:meth:`probe`) up to :data:`LOOKUP_BYTES`, in the workers past them
    (:func:`lint_job`); results are stored here. A damaged or foreign cache (an entry that
    is a folder or not our JSON, a ``folder`` that is a file) is ignored with one warning
    per run."""

    def __init__(
        self,
        folder: Path,
        engine: Engine | None = None,
        warn: Callable[[str], None] = _stderr_warning,
    ):
        self.folder = Path(folder)
        self.salt = rules_fingerprint(engine)
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

    def probe(self, path: str, plan: Plan) -> tuple[FileResult | None, CacheRef | None]:
        """In this process: (the cached result, None) when the file and all it depends on
        are unchanged; else (None, what its worker needs: the key when it was computed
        here, so the worker does not hash the asset again)."""
        ref = self.ref()
        if ref is None:
            return None, None
        if plan.keep_asset:  # the front end needs the loaded Asset, which no entry holds
            return None, ref
        digest, read = _hash(Path(path), LOOKUP_BYTES)
        if not _keyable(digest):  # too large to hash here, or the loader will say why
            return None, ref
        key = entry_key(ref.salt, plan, digest)
        hit, note, undone = _lookup(self.folder, key, path, LOOKUP_BYTES - read)
        if note:
            self.warning(note)
        if hit is not None:
            return hit, None
        return None, ref if undone else dataclasses.replace(ref, key=key)

    def _catalogue_file(self) -> Path:
        return self.folder / f"rules-{self.salt}.json"  # beside the entries' folders

    def catalogue(self) -> dict[str, Rule] | None:
        """The rules' metadata stored by a run under the same sources and installed packs
        (the key's salt), for :meth:`Engine.from_catalogue`: a run answered from the cache
        then imports no rule module, yet resolves and checks its settings against the
        same rules. None when there is none or it cannot be read (the caller builds the
        engine)."""
        if not self.enabled:
            return None
        try:
            with open_regular(self._catalogue_file()) as fh:
                data = json.loads(fh.read(MAX_ENTRY_BYTES))
            if data.get("format") != ENTRY_FORMAT:
                return None
            rules = [Rule.from_metadata(d) for d in data["rules"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        return {r.code: r for r in rules}

    def keep_catalogue(self, engine: Engine) -> None:
        """Store ``engine``'s rule metadata for :meth:`catalogue`, unless it is there or
        cannot be stored exactly: an engine with other rules than the built-in and
        installed ones (its ``extra`` plugins are in no key), packs from plugins (read
        through the plugins) or a parameter JSON does not give back as it was (a tuple, a
        non-string key)."""
        target = self._catalogue_file()
        if not self.enabled or not engine.stock or target.exists():
            return
        if engine.pm.hook.assetlint_packs.get_hookimpls():
            return
        data = {"format": ENTRY_FORMAT, "rules": [r.metadata() for r in engine.rules.values()]}
        try:
            text = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError):
            return
        if json.loads(text) != data:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, text)
            self._ignored()
        except OSError as exc:
            self.warning(f"cannot write the rule catalogue {target}: {exc.strerror or exc}")

    def _ignored(self) -> None:
        """Git ignores the cache folder."""
        gitignore = self.folder / ".gitignore"
        if not gitignore.exists():
            write_atomic(gitignore, "*\n")

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
            self._ignored()
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
