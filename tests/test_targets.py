"""Target packs as data: loading, inheritance, selection, parameters, overrides, sizes,
plugins, and running a target."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assetlint import targets
from assetlint.plugins import hookimpl
from assetlint.targets import (
    Pack,
    PackError,
    discover,
    pack_from_mapping,
    parse_size,
    resolve_pack,
    run_target,
    size_overrides,
    split_names,
    unsourced_numbers,
)
from tests.rules.pack_assets import engine, make_asset, triangles

ENGINE = engine()


def packs(*mappings) -> dict[str, Pack]:
    return {m["name"]: pack_from_mapping(m, "test") for m in mappings}


BASE = {
    "name": "base",
    "family": "game",
    "ignore": ["T", "B008"],
    "rules": {"B": {"severity": "error"}, "B001": {"max_triangles": 10}},
}


def test_defaults_are_the_family_rules_less_ignores():
    t = resolve_pack("base", packs(BASE), ENGINE)
    expected = sorted(
        c
        for c, r in ENGINE.rules.items()
        if r.applies_to("game") and not c.startswith("T") and c != "B008"
    )
    assert t.select == expected
    assert "P001" not in t.select  # printing rules are not the game family's
    assert t.params == {"B001": {"max_triangles": 10}}
    assert {t.severities[c] for c in t.select if c.startswith("B")} == {"error"}
    assert t.param("B001", "max_triangles", ENGINE.rules) == 10
    assert t.param("B002", "max_triangles", ENGINE.rules) == 300_000  # the rule's default
    assert t.param("T004", "max_size", ENGINE.rules) is None  # not selected


def test_child_overrides_and_re_enables_what_its_base_ignored():
    child = {
        "name": "child",
        "extends": "base",
        "extend-select": ["T004"],
        "ignore": ["B0"],
        "rules": {"T004": {"max_size": 2048}, "B": {"severity": "warning"}},
    }
    t = resolve_pack("child", packs(BASE, child), ENGINE)
    assert t.chain == ("base", "child")
    assert "T004" in t.select and "T003" not in t.select
    assert not [c for c in t.select if c.startswith("B0")]  # "B0" beats the base's defaults
    assert t.params == {"T004": {"max_size": 2048}}  # B001's parameter is not selected any more


def test_select_replaces_the_inherited_selection():
    child = {"name": "only", "extends": "base", "select": ["B001", "S"], "ignore": ["S004"]}
    t = resolve_pack("only", packs(BASE, child), ENGINE)
    assert t.select == ["B001", "S001", "S002", "S003", "S005", "S006", "S007"]
    assert t.family == "game"


def test_specificity_ties_go_to_ignore():
    p = {"name": "p", "family": "print", "extend-select": ["B001"], "ignore": ["B001", "G"]}
    t = resolve_pack("p", packs(p), ENGINE)
    assert "B001" not in t.select and not [c for c in t.select if c.startswith("G")]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"name": "x", "family": "game", "extend-select": ["Q123"]},
            "pack 'x' extend-select: 'Q123' matches no rule code",
        ),
        (
            {"name": "x", "family": "game", "rules": {"B001": {"max_tris": 5}}},
            "no rule has a parameter 'max_tris'",
        ),
        (
            {"name": "x", "family": "game", "rules": {"B001": {"max_triangles": "many"}}},
            "max_triangles = 'many' is not a int",
        ),
        (
            {"name": "x", "family": "game", "rules": {"O006": {"tolerance": True}}},
            "tolerance = True is not a float",
        ),
        (
            {"name": "x", "family": "game", "rules": {"Z9": {"severity": "error"}}},
            "'Z9' matches no rule code",
        ),
        ({"name": "x"}, "pack 'x' has no 'family'"),
        (
            {"name": "x", "extends": "nowhere", "family": "game"},
            "pack 'x' extends unknown pack 'nowhere'",
        ),
    ],
)
def test_resolution_errors(mapping, message):
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_pack("x", packs(mapping), ENGINE)


def test_unknown_target_and_cycles():
    with pytest.raises(PackError, match="unknown target 'unty' \\(known: base\\)"):
        resolve_pack("unty", packs(BASE), ENGINE)
    a = {"name": "a", "extends": "b", "family": "game"}
    b = {"name": "b", "extends": "a"}
    with pytest.raises(PackError, match="cycle"):
        resolve_pack("a", packs(a, b), ENGINE)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"name": "x", "colour": "red"}, "unknown key(s) ['colour']"),
        ({"name": "Unity"}, "'name' must be a lowercase name"),
        ({"name": "x", "family": "tv"}, "'family' must be one of"),
        ({"name": "x", "select": "B001"}, "'select' must be a list"),
        ({"name": "x", "ignore": ["b001"]}, "'b001' in 'ignore' is not a rule code or prefix"),
        ({"name": "x", "rules": {"B001": {"severity": "fatal"}}}, "severity 'fatal'"),
        ({"name": "x", "rules": {"B001": 3}}, "'rules' must be tables"),
        ({"name": "x", "extends": ["a", "b"]}, "'extends' must be the name of one pack"),
    ],
)
def test_malformed_packs(mapping, message):
    with pytest.raises(
        PackError,
        match=message.replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ):
        pack_from_mapping(mapping, "test")


def test_overrides_win_over_every_pack():
    ps = packs(BASE, {"name": "child", "extends": "base"})
    overrides = {
        "B001": {"max_triangles": 99, "severity": "info"},
        "child": {"B001": {"max_triangles": 7}},
        "S": {"expected_size": 0.3},
    }
    base = resolve_pack("base", ps, ENGINE, overrides)
    child = resolve_pack("child", ps, ENGINE, overrides)
    assert base.params["B001"] == {"max_triangles": 99}
    assert base.severities["B001"] == "info"
    assert child.params["B001"] == {"max_triangles": 7}
    assert base.params["S001"] == base.params["S002"] == {"expected_size": 0.3}
    assert "S003" not in base.params  # a prefix sets a parameter only where it exists


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0.3m", (0.3, None)),
        ("30 cm", (0.3, None)),
        ("300mm", (0.3, None)),
        ("12in", (0.3048, None)),
        ("1ft", (0.3048, None)),
        ("0.3", (0.3, None)),
        ("3e-1m", (0.3, None)),
        ("Helmet", (0.3, "helmet")),
        ("car", (4.4, "car")),
        ("fox", (0.9, "small animal")),
    ],
)
def test_parse_size(text, size):
    metres, category = parse_size(text)
    assert (metres, category) == (pytest.approx(size[0]), size[1])


@pytest.mark.parametrize(
    "text", ["big", "0m", "-1m", "1 yard", "", "1e400m", "1e-400m", "1e999999999m"]
)
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="--size"):
        parse_size(text)


def test_size_overrides_reach_the_size_rules():
    assert size_overrides("helmet") == {"S": {"category": "helmet"}}  # as --category helmet
    t = resolve_pack("base", packs(BASE), ENGINE, size_overrides("0.3m"))
    asset = make_asset(triangles(1))
    asset.meshes[0].positions[:] = [[0, 0, 0], [300, 0, 0], [0, 1, 0]]
    [f] = [f for f in run_target(ENGINE, asset, t) if f.code.startswith("S")]
    assert f.code == "S002"
    assert "expected about 30 cm: looks like millimetres read as metres" in f.message


def test_run_target_applies_pack_severities_and_user_ignores():
    t = resolve_pack("base", packs(BASE), ENGINE)
    asset = make_asset(triangles(11, name="rock"))
    found = {f.code: f for f in run_target(ENGINE, asset, t)}
    assert found["B001"].severity == "error"  # the pack's, over the rule's warning
    assert found["B001"].message == "11 triangles (limit 10 per mesh)"
    assert "B001" not in {f.code for f in run_target(ENGINE, asset, t, ignore=["B"])}
    only = run_target(ENGINE, asset, t, select=["B001"])
    assert [f.code for f in only] == ["B001"]


def test_plugin_packs_through_the_hook(tmp_path):
    pack_file = tmp_path / "studio.toml"
    pack_file.write_text('name = "studio"\nextends = "unity"\n', encoding="utf-8")

    class Plugin:
        @hookimpl
        def assetlint_packs(self):
            return [pack_file, {"name": "kiosk", "extends": "web", "ignore": ["B008"]}]

    pm = ENGINE.pm
    plugin = Plugin()
    pm.register(plugin)
    try:
        found = discover(pm)
        assert {"studio", "kiosk", "unity", "web"} <= set(found)
        assert found["kiosk"].source == f"plugin {pm.get_name(plugin)}"
        kiosk = resolve_pack("kiosk", found, ENGINE)
        assert kiosk.chain == ("web", "kiosk") and "B008" not in kiosk.select
    finally:
        pm.unregister(plugin)


def test_a_pack_defined_twice_is_an_error(tmp_path):
    again = tmp_path / "unity.toml"
    again.write_text('name = "unity"\nfamily = "game"\n', encoding="utf-8")
    with pytest.raises(PackError, match="pack 'unity' is defined twice"):
        discover(None, [again])


def test_toml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nfamily = \n', encoding="utf-8")
    with pytest.raises(PackError, match="bad.toml: not valid TOML"):
        targets.load_pack_file(bad)
    with pytest.raises(PackError, match="cannot read"):
        targets.load_pack_file(tmp_path / "missing.toml")


def test_unsourced_numbers():
    text = "\n".join(
        [
            "[rules.B001]",
            "# https://example.com/limits",
            "max_triangles = 1",
            "# convention: see above",
            "# (continued)",
            "max_vertices = 2",
            "max_size = 3  # convention: inline",
            'allowed = ["png"]',
            "flag = true",
            "# a comment that names nothing",
            "size = [1, 2]",
            "",
            "# https://example.com",
            "",
            "gap = 4",
        ]
    )
    assert unsourced_numbers(text) == [(11, "size = [1, 2]"), (15, "gap = 4")]


def test_split_names():
    assert split_names(["unity,print", " web ", "unity"]) == ["unity", "print", "web"]


def test_builtin_packs_are_found_in_the_checkout():
    assert targets.builtin_pack_dir() == Path(__file__).resolve().parents[1] / "rules"


def test_several_targets_share_identical_findings_and_name_their_targets():
    ps = packs(BASE, {"name": "other", "extends": "base", "rules": {"B001": {"max_triangles": 5}}})
    base, other = (resolve_pack(n, ps, ENGINE) for n in ("base", "other"))
    asset = make_asset(triangles(11, name="rock"))
    asset.authored.up_axis = "+Z"
    found = targets.run_targets(ENGINE, asset, [base, other], select=["B001", "O001"])
    assert sorted(f.message for f in found) == [
        "[base, other] authored +Z up; the target is +Y up, so the importer must rotate it",
        "[base] 11 triangles (limit 10 per mesh)",
        "[other] 11 triangles (limit 5 per mesh)",
    ]
    assert targets.enabled_codes(ENGINE, [base, other], ignore=["B"]) == set(base.select) - {
        c for c in base.select if c.startswith("B")
    }
    assert targets.enabled_codes(ENGINE, [base], select=["B001"]) == {"B001"}


def test_targets_command_prints_the_table(capsys):
    assert targets.cmd_targets(argparse.Namespace(format="markdown"), ENGINE) == 0
    out = capsys.readouterr().out
    assert out.startswith("| Target | Extends | Triangles / mesh |")
    assert "| `roblox` | game | 20,000 |" in out
    assert targets.cmd_targets(argparse.Namespace(format="text"), ENGINE) == 0
    text = capsys.readouterr().out
    assert "unreal: Unreal Engine 5" in text and "cm, +Z" in text
    assert targets.cmd_targets(argparse.Namespace(format="json"), ENGINE) == 0
    data = {t["name"]: t for t in json.loads(capsys.readouterr().out)}
    assert data["print-resin"]["extends"] == ["print"]
    assert data["print-resin"]["params"]["P002"] == {"min_thickness": 0.0004, "unitless_unit": "mm"}


def test_a_stated_size_does_not_loosen_other_size_rules():
    # --size sets tolerance on the S rules that have it; S005's own tolerance is another
    t = resolve_pack("base", packs(BASE), ENGINE, size_overrides("helmet"))
    asset = make_asset(triangles(1))
    asset.meshes[0].positions[:] = [[0, 0, 0], [0.3, 0, 0], [0, 0.3, 0]]
    assert run_target(ENGINE, asset, t, select=["S001", "S002", "S005"]) == []
