"""Only regular files are opened, and a worker killed at its time limit takes what it
forked with it (issue 22 items 2 and 4)."""

from __future__ import annotations

import os
import socket
import time

import pytest

from assetlint.loaders import load
from assetlint.loaders._isolated import FAULT_ENV
from assetlint.model import LoadError
from tests.hostile.cases import fifo, good_obj, run_cli, textured_gltf
from tests.hostile.test_cache import DEEP_LAYER
from tests.loaders.make_usd import write_text


def test_a_usd_reader_child_dies_with_its_worker(tmp_path):
    """`check --timeout 3 x.usda | cat` took 279 s: the forked usd-core child outlived its
    killed worker and held the output pipe. Now the pipe closes with the worker."""
    write_text(tmp_path / "x.usda", DEEP_LAYER)
    start = time.monotonic()
    done = run_cli(["check", "--timeout", "3", "x.usda"], tmp_path, 60, **{FAULT_ENV: "hang"})
    assert time.monotonic() - start < 30
    assert "X001" in done.stdout and "3 s time limit" in done.stdout


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_special_files_are_refused_without_being_opened(tmp_path, kind):
    if kind == "fifo":
        path = fifo(tmp_path / "x.glb")
    elif kind == "socket":
        path = tmp_path / "x.obj"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    else:
        path = tmp_path / "x.stl"
        os.symlink("/dev/zero", path)
    with pytest.raises(LoadError) as raised:
        load(path)
    what = {"fifo": "a FIFO (named pipe)", "socket": "a socket", "device": "a character device"}
    assert str(raised.value) == f"is {what[kind]}, not a regular file; not opened"


def test_a_fifo_named_by_a_reference_is_not_opened(tmp_path):
    textured_gltf(tmp_path, "g", "pipe.png")
    fifo(tmp_path / "pipe.png")
    asset = load(tmp_path / "g.gltf")
    assert [(i.code, i.message) for i in asset.issues] == [
        (
            "L002",
            "image 'pipe.png': 'pipe.png' is a FIFO (named pipe), not a regular file; not opened",
        ),
        # the glTF specification's view of the same image (the Khronos validator's code)
        ("L007", "images[0].uri: the file cannot be read"),
    ]
    assert asset.dependencies == [tmp_path / "pipe.png"]


def test_info_on_a_fifo_does_not_hang(tmp_path):
    fifo(tmp_path / "x.glb")
    good_obj(tmp_path, "good")
    done = run_cli(["info", "x.glb", "good.obj"], tmp_path, 60)
    assert done.returncode == 2
    assert "x.glb: error: is a FIFO (named pipe), not a regular file; not opened" in done.stdout


def test_front_ends_read_within_time_and_memory_limits(tmp_path, monkeypatch):
    """`info`, `render`, `fix` and the HTML report read through batch.load_limited: a
    hanging reader or a 2 GiB allocation is a LoadError there, and this process goes on."""
    import numpy as np

    import assetlint.loaders.obj
    from assetlint.batch import load_limited

    write_text(tmp_path / "x.usda", DEEP_LAYER)
    monkeypatch.setenv(FAULT_ENV, "hang")
    start = time.monotonic()
    with pytest.raises(LoadError, match="^reading timed out after 2 s$"):
        load_limited(tmp_path / "x.usda", timeout=2)
    assert time.monotonic() - start < 10
    monkeypatch.delenv(FAULT_ENV)
    real = assetlint.loaders.obj.load

    def hungry(path):
        np.ones(2 << 30, dtype=np.uint8)
        return real(path)

    monkeypatch.setattr(assetlint.loaders.obj, "load", hungry)
    with pytest.raises(LoadError, match="out of memory"):
        load_limited(good_obj(tmp_path, "hog"), timeout=60, memory=300)
    monkeypatch.setattr(assetlint.loaders.obj, "load", real)
    assert load_limited(tmp_path / "hog.obj").meshes[0].triangle_count == 12
