"""The per-process memory limit of a worker (Linux's RLIMIT_DATA): a file that asks for
gigabytes fails with MemoryError in its worker (an X002 finding) instead of swapping the
machine."""

from __future__ import annotations

try:
    import resource
except ImportError:  # Windows: no per-process memory limit
    resource = None  # type: ignore[assignment]

_limit: int | None = None  # MiB, in a process that set one


def data_size() -> int | None:
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
    global _limit
    used = data_size()
    if resource is None or not hasattr(resource, "RLIMIT_DATA") or used is None:
        return False
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = hard
    if mib:
        soft = used + mib * 1024 * 1024
        soft = soft if hard == resource.RLIM_INFINITY else min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    _limit = mib
    return True


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_KEEP_FREED = 1 << 30


def keep_freed_memory() -> bool:
    """Have malloc serve large blocks from the heap and keep what is freed (glibc only;
    False elsewhere). By default glibc maps every block past its threshold (at most 32
    MB) afresh and unmaps it when freed, so each large numpy array of a big mesh pays its
    page faults again (4M triangles: 1.4-2.3 s of system time for 3.2 s of user time in
    the G rules); kept, the next array reuses pages already touched. One arena for all
    threads: with one per rule thread, what one thread frees the other cannot reuse, and
    the kept memory of both adds up (1M-triangle GLB on two rule threads: 548 MB peak
    against 418 MB unkept). With one arena, what is freed is reused, not added to."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without it)
        return False
    return bool(
        mallopt(_M_ARENA_MAX, 1)
        and mallopt(_M_MMAP_THRESHOLD, _KEEP_FREED)
        and mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED)
    )


def memory_limited() -> bool:
    """Whether this process runs under a limit set by :func:`limit_memory`."""
    return bool(_limit)
