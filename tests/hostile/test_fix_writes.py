"""`fix` writes only its outputs, whole, through renames: never through a symlink, never
over an input or an earlier backup, with the umask's mode, and nothing partial when it
stops half way (issue 22 item 5)."""

from __future__ import annotations

import argparse
import os
import stat

import pytest

import assetlint.writers.obj
from assetlint.fix.cli import add_fix_command, cmd_fix
from assetlint.writers import write
from tests.fix.assets import textured_sphere


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_fix_command(parser.add_subparsers(dest="command"))
    return cmd_fix(parser.parse_args(["fix", *argv]))


@pytest.fixture
def glb(tmp_path):
    (tmp_path / "in").mkdir()
    src = tmp_path / "in" / "m.glb"
    write(textured_sphere(rows=4, cols=8), src)
    return src


def test_in_place_never_writes_through_a_symlinked_backup(glb, tmp_path, capsys):
    """`m.glb.orig` a symlink to a file elsewhere: its target was overwritten."""
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    os.symlink(outside, glb.with_name("m.glb.orig"))
    original = glb.read_bytes()
    assert run(str(glb), "--target", "unity", "--in-place") in (0, 1)
    assert outside.read_text() == "keep me"
    assert glb.with_name("m.glb.orig").is_symlink()
    assert glb.with_name("m.glb.orig.1").read_bytes() == original
    assert "kept the original as " in capsys.readouterr().out


def test_a_second_in_place_keeps_the_first_backup(glb):
    """The second run silently replaced the backup with the already-fixed file."""
    original = glb.read_bytes()
    run(str(glb), "--target", "unity", "--in-place")
    once = glb.read_bytes()
    run(str(glb), "--target", "unity", "--in-place")
    assert glb.with_name("m.glb.orig").read_bytes() == original
    assert glb.with_name("m.glb.orig.1").read_bytes() == once
    assert sorted(p.name for p in glb.parent.iterdir()) == ["m.glb", "m.glb.orig", "m.glb.orig.1"]


def test_obj_side_files_replace_a_symlink_instead_of_following_it(glb, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "fixed.mtl")
    os.symlink(outside, out / "fixed_tex0.png")
    assert run(str(glb), "--target", "unity", "--output", str(out / "fixed.obj")) in (0, 1)
    assert outside.read_text() == "keep me"
    assert not (out / "fixed.mtl").is_symlink() and "newmtl" in (out / "fixed.mtl").read_text()
    assert not (out / "fixed_tex0.png").is_symlink()


def test_an_output_that_would_replace_an_input_file_is_refused(tmp_path, capsys):
    """The input `a.obj` reads `out.mtl`; `--output out.obj` beside it wrote over it."""
    write(textured_sphere(rows=4, cols=8), tmp_path / "out.obj")
    (tmp_path / "out.obj").rename(tmp_path / "a.obj")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["a.obj", "out.mtl", "out_tex0.png"]
    out = str(tmp_path / "out.obj")
    assert run(str(tmp_path / "a.obj"), "--target", "unity", "--output", out) == 2
    err = capsys.readouterr().err
    assert "out.mtl would replace a file the input reads" in err, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_outputs_get_the_umask_mode(glb, tmp_path, umask):
    """Every output was 0600 whatever the umask."""
    old = os.umask(umask)
    try:
        assert run(str(glb), "--target", "unity", "--output", str(tmp_path / "o.obj")) in (0, 1)
        glb_out = tmp_path / "g.glb"
        assert run(str(glb), "--target", "unity", "--output", str(glb_out)) in (0, 1)
    finally:
        os.umask(old)
    for name in ("o.obj", "o.mtl", "o_tex0.png", "g.glb"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name


def test_a_write_that_stops_half_way_leaves_no_partial_file(glb, tmp_path, monkeypatch, capsys):
    """The .mtl and textures were written in place before the model: a kill between left
    them behind (and a half-written model)."""
    real = assetlint.writers.obj.np.savetxt

    def dies(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(assetlint.writers.obj.np, "savetxt", dies)
    out = tmp_path / "out"
    out.mkdir()
    assert run(str(glb), "--target", "unity", "--output", str(out / "o.obj")) == 2
    monkeypatch.setattr(assetlint.writers.obj.np, "savetxt", real)
    assert "No space left on device" in capsys.readouterr().err
    assert list(out.iterdir()) == []
