"""The forked reader child: results and exceptions come back, deaths become LoadErrors."""

from __future__ import annotations

import os
import threading

import pytest

from assetlint.loaders._isolated import FAULT_ENV, run_forked
from assetlint.model import LoadError


def _double(x: int) -> int:
    return 2 * x


def _raise_key_error() -> None:
    raise KeyError("missing")


def _raise_unpicklable() -> None:
    class Local(Exception):  # a local class does not pickle
        pass

    raise Local("odd")


def _exit_3() -> None:
    os._exit(3)


def _abort() -> None:
    os.abort()


def _return_unpicklable() -> threading.Lock:
    return threading.Lock()


def test_the_result_comes_back():
    assert run_forked(_double, (21,), "reader", 10) == 42


def test_an_exception_is_raised_here_as_it_was_there():
    with pytest.raises(KeyError, match="missing"):
        run_forked(_raise_key_error, (), "reader", 10)


def test_an_exception_that_does_not_pickle_keeps_its_name_and_message():
    with pytest.raises(RuntimeError, match="^Local: odd$"):
        run_forked(_raise_unpicklable, (), "reader", 10)


def test_a_result_that_does_not_pickle_is_an_error():
    with pytest.raises(RuntimeError, match="^result not sendable: cannot pickle '_thread.lock"):
        run_forked(_return_unpicklable, (), "reader", 10)


def test_an_exit_code_is_a_load_error():
    with pytest.raises(LoadError, match=r"^reader failed \(exit code 3\)$"):
        run_forked(_exit_3, (), "reader", 10)


def test_an_abort_is_a_load_error_naming_the_signal():
    with pytest.raises(LoadError, match=r"^reader crashed \(signal 6, SIGABRT\)$"):
        run_forked(_abort, (), "reader", 10)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("crash", r"^reader crashed \(signal 11, SIGSEGV\)$"),
        ("garbage", "^reader returned unreadable output$"),
        ("hang", r"^reader timed out after 0.5 s$"),
    ],
)
def test_a_dead_hung_or_garbled_child_is_a_load_error(monkeypatch, fault, message):
    monkeypatch.setenv(FAULT_ENV, fault)
    with pytest.raises(LoadError, match=message):
        run_forked(_double, (1,), "reader", 0.5)
    monkeypatch.delenv(FAULT_ENV)
    assert run_forked(_double, (1,), "reader", 10) == 2  # and this process goes on
