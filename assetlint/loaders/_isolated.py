"""Native readers in a child process, so that a crash, an abort or a hang costs one file.

usd-core aborts on some corrupt files and ufbx's bindings can segfault; either would
take the whole process with it (``assetlint info``, the Python API, the fuzzer).
:func:`run_forked` runs a reader in a forked child that sends its result back through a
pipe, and words the child's death as a one-line :class:`~assetlint.model.LoadError`.

The child dies with the process that forked it (PR_SET_PDEATHSIG on Linux): a batch
worker killed at its time limit must not leave a reader running on, holding memory and
the output pipe. What the child's reader resolved (:func:`~._refs.recording`) is sent
back with its result and recorded here, so an asset read in a child keeps its
dependencies.

Fault injection for tests: the environment variable named by :data:`FAULT_ENV` set to
``crash`` makes a forked child die of SIGSEGV, ``hang`` makes it sleep and ``garbage``
makes it send bytes that are not a result, all before it runs the reader.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

from assetlint.loaders._refs import record, recording
from assetlint.model import LoadError

FAULT_ENV = "ASSETLINT_READER_FAULT"

# A child that fails outside the reader (its result does not pickle, the pipe breaks).
_CHILD_FAILED = 70
# prctl(2) option: the signal a process gets when the thread that forked it dies.
_PR_SET_PDEATHSIG = 1


class ReaderFailure(LoadError):
    """The reader did not finish: it ran past its time limit, crashed, or (in
    :func:`~assetlint.loaders.load`) raised an unexpected exception. That says nothing
    lasting about the file (a loaded machine is slower, a child may be killed for memory,
    a bug gets fixed), so such a result is never cached."""


T = TypeVar("T")


def exit_reason(returncode: int) -> str:
    """How a child process ended, for a message: "crashed (signal 6, SIGABRT)" when a
    signal killed it (``returncode`` < 0), else "failed (exit code N)"."""
    if returncode < 0:
        try:
            name = f"signal {-returncode}, {signal.Signals(-returncode).name}"
        except ValueError:
            name = f"signal {-returncode}"
        return f"crashed ({name})"
    return f"failed (exit code {returncode})"


def run_forked(target: Callable[..., T], args: tuple[Any, ...], what: str, timeout: float) -> T:
    """``target(*args)`` run in a forked child: its return value, or the exception it
    raised, re-raised here. A child that crashes, hangs past ``timeout`` seconds or sends
    something unreadable becomes a LoadError naming ``what``. Forking costs milliseconds
    (the child has every module already imported); where there is no fork the target
    runs in this process."""
    if not hasattr(os, "fork"):
        return target(*args)
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_end)
        _die_with(parent)
        _child(write_end, target, args)
    os.close(write_end)
    status: int | None = None
    try:
        data = _read_all(read_end, time.monotonic() + timeout)
        if data is None:
            raise ReaderFailure(f"{what} timed out after {timeout:g} s")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        if status is None:  # timed out, or interrupted here (Ctrl-C, an alarm)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    try:
        outcome, value, seen = pickle.loads(data)
        record(seen)
    except Exception:  # nothing (it died first) or not our pickle
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise ReaderFailure(f"{what} {exit_reason(code)}") from None
        raise ReaderFailure(f"{what} returned unreadable output") from None
    if outcome == "raise":
        raise value
    return value


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything written to the pipe until the child closes it; None past the deadline."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(fd: int, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run the target and send ("ok", value) or ("raise", exception); never returns."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        faulthandler.disable()  # a crash is the parent's LoadError, not a dump on stderr
        _inject_fault(os.environ.get(FAULT_ENV, ""), fd)
        with recording() as seen:
            try:
                result: tuple[str, Any, Any] = ("ok", target(*args), seen)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
                result = ("raise", _portable(exc), seen)
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle is a bug
            data = pickle.dumps(("raise", RuntimeError(f"result not sendable: {exc}"), set()))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:  # noqa: BLE001 - the parent reports the exit code
        code = _CHILD_FAILED
    finally:
        os._exit(code)  # no interpreter teardown: native destructors can crash too


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere the
    parent's own timeout still applies), and exit now if the parent is already gone."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(_CHILD_FAILED)


def _portable(exc: BaseException) -> BaseException:
    """The exception, or a RuntimeError with its type and message if it does not pickle."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception type may refuse
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _inject_fault(fault: str, fd: int) -> None:
    if fault == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif fault == "hang":
        time.sleep(3600)
    elif fault == "garbage":
        os.write(fd, b"\x00not a pickle")
        os._exit(0)
