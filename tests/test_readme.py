"""The README's first commands and docs/ci.md say what the tool does: the first command
installs the package alone and its quoted output is what `check corpus/` prints; the test
command is the one CI runs; no tag or repository URL that does not exist is named."""

from __future__ import annotations

import re
from pathlib import Path

from assetlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_first_command_installs_the_package_alone_and_lints_the_corpus():
    first = blocks(README, "sh")[0].strip()
    assert first == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/assetlint check corpus/"
    )


def test_quoted_output_is_what_the_corpus_gives(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["check", "--no-cache", "corpus/"])
    out = capsys.readouterr().out.splitlines()
    quoted = blocks(README, "text")[0].strip().splitlines()
    assert code == 2
    assert quoted[0] == out[0]
    assert out[1].startswith(quoted[1].removesuffix("..."))
    assert quoted[-1] == out[-1] and "checked against: default." in out[-1]


def test_test_command_is_the_one_ci_runs():
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest -n auto\n" in README
    assert ".venv/bin/pip install --quiet -e '.[test]'" in CI_RUN
    assert "\n.venv/bin/python -m pytest -n auto\n" in CI_RUN
    assert "\n.venv/bin/mypy\n" in CI_RUN


def test_auto_starts_one_worker_per_core_and_none_on_one_core(monkeypatch):
    """`-n auto` on one core runs the tests in pytest's own process (a lone worker would
    only add its start-up); four workers at most; xdist's own variable is obeyed."""
    from tests import conftest

    counts = {}
    for cpus in (1, 2, 3, 16):
        monkeypatch.setattr(conftest, "usable_cpus", lambda n=cpus: n)
        counts[cpus] = conftest.pytest_xdist_auto_num_workers(None)
    assert counts == {1: 0, 2: 2, 3: 3, 16: 4}
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "1")
    assert conftest.pytest_xdist_auto_num_workers(None) is None


def test_ci_doc_names_no_tag_or_repository_that_does_not_exist():
    assert not re.search(r"rev:\s*v\d", CI_DOC)  # the repository has no release tags
    assert "github.com/assetlint" not in CI_DOC and "github.com/assetlint" not in README
    assert "pip install assetlint\n" not in CI_DOC  # not on PyPI
    assert "pre-commit autoupdate --freeze" in CI_DOC  # the one stated way to pin the hook
