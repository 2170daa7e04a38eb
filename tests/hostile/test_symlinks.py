"""A symlink inside a linted folder that leads out of it is not linted (and is reported
as such), so nothing of the file it names reaches the report (issue 22 item 12)."""

from __future__ import annotations

import os

from assetlint.cli import main
from tests.hostile.cases import good_obj


def test_a_symlink_leaving_the_folder_is_reported_not_linted(tmp_path, monkeypatch, capsys):
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "secret.obj"
    secret.write_text("v 0 0 0\nSECRET-TOKEN-42 not an obj line\nf 1 1 1\n")
    folder = tmp_path / "assets"
    folder.mkdir()
    good_obj(folder, "good", flipped=True)
    os.symlink(secret, folder / "link.obj")
    os.symlink(folder / "good.obj", folder / "inside.obj")  # stays inside: linted
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", "--select", "G004,L", "assets"]) == 2
    out, err = capsys.readouterr()
    assert "SECRET" not in out + err
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == [
        "assets/good.obj",
        "assets/inside.obj",
    ]
    assert "error: assets/link.obj: a symlink that leads out of assets; not linted" in err
