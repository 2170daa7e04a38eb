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


def test_rules_page_is_current_and_has_a_section_per_rule():
    page = docs.RULES_PAGE.read_text(encoding="utf-8")
    assert page == docs.rules_page(docs.builtin_rules()), (
        "docs/rules.md is stale: run `python -m assetlint.docs`"
    )
    g003 = Engine.default(entry_points=False).rules["G003"]
    assert docs.anchor(g003) == "g003-open-boundary"
    assert "\n## G003 open-boundary\n" in page
    assert "repaired by `assetlint fix`: yes (its `holes` step)" in page


def test_main_checks_and_updates(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{docs.START}\nstale\n{docs.END}\n")
    page = ["--rules-page", str(tmp_path / "rules.md")]
    assert docs.main([str(readme), *page, "--check"]) == 1
    assert "stale" in readme.read_text()
    assert docs.main([str(readme), *page]) == 0
    assert docs.main([str(readme), *page, "--check"]) == 0
    assert (tmp_path / "rules.md").read_text().startswith("# Rules\n")
    assert "| G001 | `non-manifold-edge` | error | all | yes |" in readme.read_text()
