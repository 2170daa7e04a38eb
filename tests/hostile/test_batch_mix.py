"""A mixed batch, good files among every hostile case of issue 22, with the cache on (the
default): it finishes within its limits, every good file gets the findings it gets alone,
and (where strace is installed) nothing outside the folder is opened and nothing is
connected to; the main process parses no asset: it opens one only to hash it for the cache,
as a regular file that cannot block (O_NONBLOCK, checked on the open descriptor)."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.fuzz.seeds import write_seeds
from tests.hostile.cases import outside_secret, run_cli, write_hostile_batch

# What a hostile file names outside the folder; none of it may be opened.
FORBIDDEN = re.compile(r"secret\.obj|/etc/passwd|/etc/hosts|/dev/zero|pipe\.png|trap\.glb")


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mix")
    secret = outside_secret(root / "private")
    write_hostile_batch(root / "lint" / "hostile", secret)
    write_seeds(root / "lint" / "good")
    return root / "lint"


def _by_file(stdout: str, prefix: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in json.loads(stdout)["findings"]:
        if f["path"].startswith(prefix):
            out.setdefault(f["path"], []).append((f["code"], f["message"]))
    return {path: sorted(found) for path, found in out.items()}  # UsdValidation's order varies


def test_a_mixed_hostile_batch_reports_every_good_file(batch_folder):
    alone = run_cli(["check", "--no-cache", "--format", "json", "good"], batch_folder)
    expected = _by_file(alone.stdout, "good/")
    assert expected  # the seeds have findings (info ones at least)
    for run in ("cold", "warm"):
        start = time.monotonic()
        done = run_cli(["check", "--timeout", "30", "--format", "json", "."], batch_folder, 180)
        assert time.monotonic() - start < 120, run
        assert done.returncode == 2, done.stderr  # hostile files that do not read
        assert _by_file(done.stdout, "good/") == expected, run
        codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
        assert "X001" not in codes and "SECRET" not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_the_batch_opens_nothing_it_must_not_and_connects_nowhere(batch_folder, tmp_path):
    for run in ("cold", "warm"):
        log = tmp_path / f"{run}.log"
        args = ["-f", "-qq", "-e", "trace=open,openat,connect", "-o", str(log)]
        done = run_cli(["check", "--timeout", "30", "."], batch_folder, 180, strace=args)
        assert done.returncode == 2, done.stderr
        lines = log.read_text().splitlines()
        assert not [line for line in lines if "connect(" in line]
        opened = [line for line in lines if "ENOENT" not in line]
        assert not [line for line in opened if FORBIDDEN.search(line)], run
        main_pid = lines[0].split()[0]
        assets = re.compile(
            r'"(?:[^"]*/)?(?:good|hostile)/[^"/]+\.(?:glb|gltf|obj|stl|usd[acz]?|fbx|png|mtl|bin)"'
        )
        in_main = [x for x in opened if x.startswith(main_pid + " ") and assets.search(x)]
        assert in_main, run  # the cache lookup hashes them here (no worker when cached)
        assert [line for line in in_main if "O_NONBLOCK" not in line] == [], run
