"""The README's rule table is generated from the rules' metadata and must be current."""

from __future__ import annotations

import pytest

from assetlint import docs
from assetlint.engine import Engine


def test_readme_rule_table_is_current():
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.render(readme, docs.builtin_table()) == readme, (
        "README.md's rule table is stale: run `python -m assetlint.docs`"
    )


def test_every_builtin_rule_has_a_row():
    table = docs.builtin_table()
    for code, rule in Engine.default(entry_points=False).rules.items():
        assert f"| {code} | `{rule.name}` | {rule.severity} |" in table


def test_render_replaces_only_the_block(tmp_path):
    text = f"intro\n{docs.START}\nold table\n{docs.END}\noutro\n"
    assert docs.render(text, "NEW") == f"intro\n{docs.START}\nNEW\n{docs.END}\noutro\n"
    with pytest.raises(ValueError, match="no <!-- rules:start -->"):
        docs.render("no markers", "NEW")


def test_main_checks_and_updates(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{docs.START}\nstale\n{docs.END}\n")
    assert docs.main([str(readme), "--check"]) == 1
    assert "stale" in readme.read_text()
    assert docs.main([str(readme)]) == 0
    assert docs.main([str(readme), "--check"]) == 0
    assert "| G001 | `non-manifold-edge` | error | all | no |" in readme.read_text()
