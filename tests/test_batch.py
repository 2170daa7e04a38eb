"""Batches: stable order across workers, time limits and crashes as findings, the cache,
interrupted runs, the Dask executor."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

import assetlint.loaders
from assetlint import batch
from assetlint.cli import main
from assetlint.config import Config
from tests.rules.meshes import cube
from tests.test_cli import write_obj

PLAN = batch.Plan(select=("G003", "G015", "L001"))


def textured_obj(folder: Path, name: str, holes: bool = False) -> Path:
    pos, tris = cube()
    if holes:
        tris = tris[2:]
    path = write_obj(folder / f"{name}.obj", pos, tris)
    path.write_text(f"mtllib {name}.mtl\n" + path.read_text())
    (folder / f"{name}.mtl").write_text(f"newmtl m\nmap_Kd tex_{name}.png\n")
    (folder / f"tex_{name}.png").write_bytes(b"not really a png " + name.encode())
    return path


@pytest.fixture
def many(tmp_path, monkeypatch) -> list[Path]:
    monkeypatch.chdir(tmp_path)
    return [textured_obj(tmp_path, f"a{i}", holes=i % 3 == 0) for i in range(7)]


def summary(results: list[batch.FileResult]) -> list[tuple[str, list[str]]]:
    return [(Path(r.path).name, [f.code for f in r.findings]) for r in results]


def test_two_workers_give_the_order_and_findings_of_one(many):
    jobs = [(str(p), PLAN) for p in many]
    one = batch.run(jobs, processes=1)
    two = batch.run(jobs, processes=2)
    assert summary(one) == summary(two)
    assert summary(one)[:2] == [("a0.obj", ["G003", "G015"]), ("a1.obj", ["G015"])]
    assert [f.to_dict() for r in one for f in r.findings] == [
        f.to_dict() for r in two for f in r.findings
    ]


def _misbehaving_load(real):
    def load(path: Path):
        if path.name == "hang.obj":
            time.sleep(60)
        if path.name == "crash.obj":
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path)

    return load


def test_hung_and_crashed_workers_become_findings(many, monkeypatch, capsys):
    folder = many[0].parent
    for name in ("hang", "crash"):
        write_obj(folder / f"{name}.obj", *cube())
    monkeypatch.setattr(assetlint.loaders, "load", _misbehaving_load(assetlint.loaders.load))
    start = time.monotonic()
    code = main(["check", "--no-cache", "--timeout", "3", "-j", "2", "--select", "G003", "."])
    assert time.monotonic() - start < 20
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    assert [line.split(":")[0] for line in out[:-1]] == [
        "a0.obj",
        "a3.obj",
        "a6.obj",
        "crash.obj",
        "hang.obj",
    ]
    assert (
        "crash.obj: X001 (error) worker: not checked: "
        "the worker process crashed (signal 11, SIGSEGV)" in out
    )
    assert (
        "hang.obj: X001 (error) worker: not checked: linting took longer than the 3 s time limit"
        in out
    )
    assert out[-1] == (  # a0, a3, a6: warnings; crash, hang: errors
        "Found 5 problems (2 errors, 3 warnings) in 5 files; 9 files checked against: default."
    )


def test_cache_hits_and_a_changed_texture_relints_only_its_asset(many, tmp_path):
    cache = batch.Cache(tmp_path / "cache")
    jobs = [(str(p), PLAN) for p in many]
    cold = batch.run(jobs, processes=2, cache=cache)
    assert not any(r.cached for r in cold)
    warm = batch.run(jobs, processes=2, cache=batch.Cache(tmp_path / "cache"))
    assert all(r.cached for r in warm) and summary(warm) == summary(cold)
    (tmp_path / "tex_a2.png").write_bytes(b"edited")
    again = batch.run(jobs, processes=2, cache=batch.Cache(tmp_path / "cache"))
    assert [Path(r.path).name for r in again if not r.cached] == ["a2.obj"]
    other_plan = [(str(many[0]), batch.Plan(select=("G003",)))]
    assert not batch.run(other_plan, processes=1, cache=batch.Cache(tmp_path / "cache"))[0].cached
    assert (tmp_path / "cache" / ".gitignore").read_text() == "*\n"


def test_cached_files_are_answered_without_a_worker(many, tmp_path, monkeypatch):
    """A pre-commit run on unchanged files forks nothing; a changed texture sends only its
    asset to a worker, with the key computed here (the worker does not hash it again)."""
    jobs = [(str(p), PLAN) for p in many]
    cold = batch.run(jobs, processes=2, cache=batch.Cache(tmp_path / "cache"))
    sent: list[list[tuple[str, batch.Plan, batch.CacheRef | None]]] = []
    real = batch.run_local

    def counting(work, *args, **kwargs):
        sent.append(list(work))
        return real(work, *args, **kwargs)

    monkeypatch.setattr(batch, "run_local", counting)
    warm = batch.run(jobs, processes=2, cache=batch.Cache(tmp_path / "cache"))
    assert sent == [] and all(r.cached for r in warm) and summary(warm) == summary(cold)
    (tmp_path / "tex_a4.png").write_bytes(b"edited")
    again = batch.run(jobs, processes=2, cache=batch.Cache(tmp_path / "cache"))
    assert [[(Path(path).name, ref is not None and ref.key is not None) for path, _, ref in work]
            for work in sent] == [[("a4.obj", True)]]  # fmt: skip
    assert [Path(r.path).name for r in again if not r.cached] == ["a4.obj"]
    assert summary(again) == summary(cold)


def test_a_file_too_large_to_hash_here_is_looked_up_in_its_worker(many, tmp_path, monkeypatch):
    """Past LOOKUP_BYTES (the asset with what it depends on) the lookup runs in the worker,
    under its time limit, and still hits."""
    jobs = [(str(p), PLAN) for p in many[:2]]
    batch.run(jobs, processes=1, cache=batch.Cache(tmp_path / "cache"))
    monkeypatch.setattr(batch.cache, "LOOKUP_BYTES", many[0].stat().st_size + 4)
    sent: list[str] = []
    real = batch.run_local

    def counting(work, *args, **kwargs):
        sent.extend(Path(path).name for path, _, _ in work)
        return real(work, *args, **kwargs)

    monkeypatch.setattr(batch, "run_local", counting)
    warm = batch.run(jobs, processes=1, cache=batch.Cache(tmp_path / "cache"))
    assert sent == ["a0.obj", "a1.obj"]  # the .mtl and the texture do not fit in 4 bytes
    assert all(r.cached for r in warm)


def test_second_cli_run_reads_the_cache(many, capsys, tmp_path):
    args = ["check", "--select", "G003", "--format", "json", "--cache-dir", "c", "."]
    assert main(args) == 1
    first = capsys.readouterr().out
    assert main(args) == 1
    assert capsys.readouterr().out == first
    entries = list((tmp_path / "c").glob("*/*.json"))
    assert len(entries) == 7


def test_interrupt_leaves_previous_outputs_whole(many, monkeypatch, capsys, tmp_path):
    report = tmp_path / "report.xml"
    report.write_text("previous")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "run", interrupted)
    assert main(["check", "--no-cache", ".", "--output", f"junit={report}"]) == 2
    assert report.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert capsys.readouterr().err == "interrupted\n"


def test_config_plan_separates_per_file_ignores(tmp_path):
    config = Config(root=str(tmp_path), ignore=("G0",), per_file_ignores=(("a*.obj", ("G015",)),))
    assert batch.Plan.for_file(config, tmp_path / "a1.obj").drop == ("G015",)
    assert batch.Plan.for_file(config, tmp_path / "b.obj").drop == ()


def test_dask_cluster_gives_the_local_findings(many):
    distributed = pytest.importorskip("distributed")
    jobs = [(str(p), PLAN) for p in many]
    local = batch.run(jobs, processes=1)
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = batch.run(jobs, executor=batch.dask_executor(client))
    assert [r.to_dict() for r in remote] == [r.to_dict() for r in local]


def test_cli_dask_executor_prints_what_the_local_run_prints(many, capsys):
    distributed = pytest.importorskip("distributed")
    args = ["check", "--no-cache", "--select", "G003,G015", "--show-info", "."]
    assert main(args) == 1
    local = capsys.readouterr().out
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        assert main([*args, "--executor", "dask", "--scheduler", cluster.scheduler_address]) == 1
    assert capsys.readouterr().out == local
    assert main([*args, "--executor", "dask"]) == 2
    assert "--executor dask needs --scheduler ADDRESS" in capsys.readouterr().err
    unreachable = ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--timeout", "2"]
    assert main([*args, *unreachable]) == 2
    assert "error: cannot reach the Dask scheduler tcp://127.0.0.1:9: " in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal_outside_ci(many, monkeypatch, capsys):
    args = ["check", "--no-cache", "--select", "G003", "."]
    monkeypatch.delenv("CI", raising=False)
    main(args)
    assert capsys.readouterr().err == ""  # piped: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(args)
    err = capsys.readouterr().err
    assert "linting" in err and "7/7" in err
    monkeypatch.setenv("CI", "true")
    main(args)
    assert capsys.readouterr().err == ""


def test_a_file_past_the_memory_limit_is_an_x002_finding_and_the_batch_goes_on(
    many, monkeypatch, capsys, tmp_path
):
    """A loader that asks for 2 GiB under a 300 MiB limit: that file gets X002 (never
    cached), the others are checked as usual."""
    import numpy as np

    import assetlint.loaders.obj

    real = assetlint.loaders.obj.load

    def hungry(path: Path):
        if path.name == "hog.obj":
            np.ones(2 << 30, dtype=np.uint8)
        return real(path)

    write_obj(tmp_path / "hog.obj", *cube())
    monkeypatch.setattr(assetlint.loaders.obj, "load", hungry)
    args = ["check", "--cache-dir", "c", "--memory-limit", "300", "-j", "2", "--select", "G003"]
    assert main([*args, "."]) == 2
    out = capsys.readouterr().out.splitlines()
    assert (
        "hog.obj: X002 (error) worker: not checked: it needed more than the 300 MiB memory limit"
        in out
    )
    assert [line.split(":")[0] for line in out[:-1]] == ["a0.obj", "a3.obj", "a6.obj", "hog.obj"]
    assert len(list((tmp_path / "c").glob("*/*.json"))) == 7  # the X002 result is not cached
    monkeypatch.setattr(assetlint.loaders.obj, "load", real)
    assert main([*args, "--memory-limit", "0", "."]) == 1  # relinted (not cached), no limit
    assert "hog.obj" not in capsys.readouterr().out


# `assetlint check` whose read of g11.obj, the last file, lasts until the run is stopped:
# the workers are forked, so they read through this loader, and the batch cannot finish
# before the SIGINT arrives, however late a starved poll sends it.
HOLD_LAST = """\
import pathlib, runpy, time
import assetlint.loaders
real = assetlint.loaders.load
def load(path, *args, **kwargs):
    if pathlib.Path(path).name == "g11.obj":
        time.sleep(600)  # the interrupted run kills its workers
    return real(path, *args, **kwargs)
assetlint.loaders.load = load
runpy.run_module("assetlint", run_name="__main__", alter_sys=True)
"""


def _sigint_as_from_a_shell() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_mid_batch_leaves_no_report_no_corrupt_cache_and_inputs_untouched(tmp_path):
    """SIGINT to a running `assetlint check` over 12 files: exit 2, no report file (not
    even a partial one), no temporary files, every cache entry whole JSON; and the inputs'
    bytes and modification times are those from before the runs."""
    import hashlib
    import subprocess

    from tests.loaders.make_obj import grid
    from tests.loaders.make_obj import write_obj as write_grid

    folder = tmp_path / "assets"
    folder.mkdir()
    pos, tris = grid(60)
    for i in range(12):
        write_grid(folder / f"g{i:02d}.obj", pos + i, tris)
    before = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
              for p in folder.iterdir()}  # fmt: skip
    report = f"junit={tmp_path / 'r.xml'}"
    args = ["check", str(folder), "-j", "2", "--cache-dir", str(tmp_path / "c"),
            "--output", report]  # fmt: skip
    held = [sys.executable, "-c", HOLD_LAST, *args]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}  # SIGABRT prints where a stuck run is
    # as from a shell: SIGINT neither ignored nor blocked, whatever an earlier test in
    # this process left (both are inherited; in full runs the SIGINT was sometimes lost)
    inherited = (signal.getsignal(signal.SIGINT), signal.pthread_sigmask(signal.SIG_BLOCK, []))
    proc = subprocess.Popen(
        held, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        preexec_fn=_sigint_as_from_a_shell,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list((tmp_path / "c").glob("*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # seen once under load: say where it waits
        exited = proc.poll()  # not None: a worker left behind holds the output pipes
        if exited is None:
            proc.send_signal(signal.SIGABRT)
        try:
            err = proc.communicate(timeout=10)[1]
        except subprocess.TimeoutExpired:
            err = b""
        pytest.fail(f"no end 60 s after SIGINT (exit code {exited}; here SIGINT: {inherited})"
                    f":\n{err.decode()[-6000:]}")  # fmt: skip
    assert proc.returncode == 2 and err.decode().endswith("interrupted\n"), err
    assert not (tmp_path / "r.xml").exists()
    entries = list((tmp_path / "c").glob("*/*.json"))
    assert 0 < len(entries) < 12  # stopped part-way
    for entry in entries:
        json.loads(entry.read_text())
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    command = [sys.executable, "-m", "assetlint", *args]  # a full run, the loader as shipped
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300)
    assert (tmp_path / "r.xml").read_text().startswith("<?xml")
    after = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
             for p in folder.iterdir()}  # fmt: skip
    assert after == before


def test_the_rule_catalogue_gives_back_the_rules_less_their_checks(tmp_path):
    """What a cached run resolves its settings against is the installed rules, exactly
    (each field but the check); what JSON would not give back exactly is not stored, and
    an unreadable catalogue is no catalogue (the rules are built instead)."""
    import dataclasses

    from assetlint.engine import Engine

    engine = Engine.default()
    cache = batch.Cache(tmp_path / "c", engine)
    assert cache.catalogue() is None
    cache.keep_catalogue(engine)
    stored = batch.Cache(tmp_path / "c").catalogue()  # the salt read from files: the same
    assert stored == {c: dataclasses.replace(r, check=None) for c, r in engine.rules.items()}
    light = Engine.from_catalogue(stored)
    with pytest.raises(RuntimeError):
        light.run(assetlint.loaders.load(textured_obj(tmp_path, "x")))
    (tmp_path / "c" / f"rules-{cache.salt}.json").write_text("{not json")
    assert batch.Cache(tmp_path / "c").catalogue() is None
    tupled = dataclasses.replace(engine.rules["G001"], params={"weld_tolerance": (1e-6,)})
    engine.rules["G001"] = tupled
    other = batch.Cache(tmp_path / "d", engine)
    other.keep_catalogue(engine)
    assert other.catalogue() is None


def test_an_engine_with_extra_plugins_stores_no_rule_catalogue(tmp_path):
    """A catalogue stands for the built-in and installed rules (what `check` builds): the
    rules of an API caller's extra plugins are in no key, so they are never stored."""
    from assetlint.engine import Engine
    from assetlint.plugins import hookimpl
    from assetlint.rules import Rule

    class Extra:
        @hookimpl
        def assetlint_rules(self):
            return [Rule("Q001", "extra", "geometry", "info", "s", "r", "f")]

    cache = batch.Cache(tmp_path / "c")
    cache.keep_catalogue(Engine.default(extra=[Extra()]))
    cache.keep_catalogue(Engine.default(entry_points=False))
    assert cache.catalogue() is None
    cache.keep_catalogue(Engine.default())
    assert cache.catalogue() is not None


def test_workers_keep_freed_memory_where_malloc_is_glibc():
    """glibc takes the setting (its large arrays then reuse touched pages); any other C
    library is left alone and says so."""
    import platform

    from assetlint.batch.memory import keep_freed_memory

    assert keep_freed_memory() == (platform.libc_ver()[0] == "glibc")


def test_several_workers_share_the_imports_the_rules_make_on_first_use(many):
    """With two forked workers the parent imports what the rules import on first use
    (scipy), once, before forking, so the workers do not each pay it; with one it does
    not (the lone worker imports what its files need)."""
    import subprocess

    code = (
        "import sys; from assetlint import batch; "
        f"jobs = [(p, batch.Plan(select=('G003',))) for p in {[str(p) for p in many]!r}]; "
        "batch.run(jobs[:1], processes=2); print('scipy.spatial' in sys.modules); "
        "batch.run(jobs, processes=2); print('scipy.spatial' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["False", "True"]
