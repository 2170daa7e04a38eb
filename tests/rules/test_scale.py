"""Scale and unit rules (S): plausible size, unit slips, authored units, build volume."""

from __future__ import annotations

import numpy as np
import pytest

from assetlint.rules import scale
from assetlint.rules.scale import format_length, measure, size_verdict, unit_name
from tests.rules.pack_assets import box, make_asset, messages, run

RANGE = {"min_size": 1.0, "max_size": 2.0}


def cube_of(size: float, **kw):
    return make_asset(box((size, size, size)), **kw)


def test_measure_reads_unitless_files_in_the_assumed_unit():
    stl = cube_of(50.0, fmt="stl", mpu=None)
    m = measure(stl, "mm")
    assert m.size == pytest.approx(0.05)
    assert m.assumption == "STL read in millimetres"
    glb = measure(cube_of(50.0), "mm")  # glTF states metres: the assumption does not apply
    assert (glb.size, glb.assumption) == (50.0, "")
    with pytest.raises(ValueError, match="unitless_unit 'yd'"):
        measure(stl, "yd")


def test_size_inside_the_range_passes_and_just_outside_fails():
    assert run(scale, "S001", cube_of(2.0), **RANGE) == []
    assert run(scale, "S001", cube_of(1.0), **RANGE) == []
    [f] = run(scale, "S001", cube_of(7.0), **RANGE)
    assert (f.message, f.value, f.limit) == ("7 m across, plausible 1 m to 2 m", 7.0, 2.0)
    assert messages(run(scale, "S001", cube_of(0.9), **RANGE)) == [
        "90 cm across, plausible 1 m to 2 m"
    ]
    assert run(scale, "S002", cube_of(7.0), **RANGE) == []  # no unit slip explains 7 m


def test_stated_size_within_tolerance():
    stated = {"expected_size": 0.3, "tolerance": 1.5}
    assert run(scale, "S001", cube_of(0.44), **stated) == []
    assert messages(run(scale, "S001", cube_of(0.46), **stated)) == [
        "46 cm across, expected about 30 cm"
    ]
    assert messages(run(scale, "S001", cube_of(1.2), **stated)) == [
        "1.2 m across, expected about 30 cm"
    ]


def test_millimetres_read_as_metres_against_a_stated_size():
    stated = {"expected_size": 0.3}
    [f] = run(scale, "S002", cube_of(300.0), **stated)
    assert f.message == (
        "300 m across, expected about 30 cm: looks like millimetres read as metres (would be 30 cm)"
    )
    assert run(scale, "S001", cube_of(300.0), **stated) == []  # S002 reports it


def test_a_unitless_stl_is_read_in_the_one_unit_its_size_is_plausible_in():
    # A 5 cm object written in metres (0.05): in the print pack's millimetres it would be
    # 0.05 mm, smaller than anything printable, so it is read in metres, and said once.
    stl = cube_of(0.05, fmt="stl", mpu=None)
    params = {"min_size": 0.002, "max_size": 1.0, "unitless_unit": "mm"}
    assert run(scale, "S001", stl, **params) == run(scale, "S002", stl, **params) == []
    [f] = run(scale, "S007", stl, unitless_unit="mm")
    assert f.message == (
        "STL states no units; read as metres: 5 cm across (in millimetres, the target's "
        "reading, it would be 0.05 mm)"
    )
    assert (f.severity, f.value) == ("info", 1.0)
    # 89.6 units is plausible in millimetres: the target's unit is kept
    [f] = run(scale, "S007", cube_of(89.6, fmt="stl", mpu=None), unitless_unit="mm")
    assert f.message == "STL states no units; read as millimetres: 89.6 mm across"
    assert f.value == 0.001
    # 500 units read as metres would be 500 m: millimetres are the first plausible unit
    [f] = run(scale, "S007", cube_of(500.0, fmt="obj", mpu=None))
    assert f.message == (
        "OBJ states no units; read as millimetres: 500 mm across (in metres, the target's "
        "reading, it would be 500 m)"
    )
    # nothing plausible (a 1e-9 speck): the target's unit, and S001 judges the size
    tiny = cube_of(1e-9, fmt="stl", mpu=None)
    assert scale.assumed_unit(tiny, "mm").unit == "mm"
    assert run(scale, "S007", cube_of(2.0)) == []  # glTF states metres


def test_size_verdict_orders_slips_by_closeness():
    v = size_verdict(155.0, {"min_size": 0.01, "max_size": 100.0, "tolerance": 1.5})
    assert v.off and v.slips[:2] == [("cm", "m"), ("in", "m")]
    assert not size_verdict(1.0, {"expected_size": 1.2, "tolerance": 1.5}).off


def test_authored_units():
    cm = cube_of(1.0, mpu=0.01)
    assert messages(run(scale, "S003", cm, expected_unit="m")) == [
        "authored in centimetres; the target works in metres, so the importer must scale by 0.01"
    ]
    assert run(scale, "S003", cm, expected_unit="cm") == []
    assert run(scale, "S003", cube_of(1.0, mpu=None, fmt="obj"), expected_unit="m") == []
    assert messages(run(scale, "S003", cube_of(1.0, mpu=1.0), expected_unit="cm")) == [
        "authored in metres; the target works in centimetres, so the importer must scale by 100"
    ]
    assert unit_name(0.5) == "0.5 m per unit"


def test_build_volume_upright_with_the_footprint_turned():
    vol = {"build_volume_mm": [220.0, 300.0, 250.0]}
    fits = make_asset(box((0.3, 0.25, 0.22)))  # 300 wide, 250 tall, 220 deep: turned 90 deg
    assert run(scale, "S004", fits, **vol) == []
    too_tall = make_asset(box((0.3, 0.2501, 0.22)))
    assert messages(run(scale, "S004", too_tall, **vol)) == [
        "300.0 x 220.0 mm footprint, 250.1 mm tall does not fit the build volume 220 x 300 x 250 mm"
    ]
    lies = make_asset(box((0.2, 0.26, 0.22)))  # 260 tall fits the 300 mm depth lying down
    [f] = run(scale, "S004", lies, **vol)
    assert f.message == (
        "200.0 x 220.0 mm footprint, 260.0 mm tall does not fit the build volume "
        "220 x 300 x 250 mm; it fits if laid on another side"
    )
    assert (f.value, f.limit) == pytest.approx((260.0, 300.0))


def test_build_volume_of_a_unitless_stl_names_the_assumption():
    stl = make_asset(box((100.0, 300.0, 100.0)), fmt="stl", mpu=None)
    vol = {"build_volume_mm": [220.0, 220.0, 250.0], "unitless_unit": "mm"}
    assert messages(run(scale, "S004", stl, **vol)) == [
        "100.0 x 100.0 mm footprint, 300.0 mm tall does not fit the build volume "
        "220 x 220 x 250 mm (STL read in millimetres)"
    ]
    assert run(scale, "S004", stl, **{**vol, "build_volume_mm": [220.0, 220.0, 300.0]}) == []


def test_format_length():
    assert [format_length(x) for x in (2.5, 0.3, 0.004, 0.0)] == ["2.5 m", "30 cm", "4 mm", "0 m"]


def test_empty_asset_gives_no_size_findings():
    empty = make_asset()
    assert run(scale, "S001", empty) == run(scale, "S002", empty) == run(scale, "S004", empty) == []


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (100.0, "node 'box' is scaled by 100, the conversion from metres to centimetres"),
        (0.01, "node 'box' is scaled by 0.01, the conversion from centimetres to metres"),
        (2.54, "node 'box' is scaled by 2.54, the conversion from inches to centimetres"),
        (100.09, "node 'box' is scaled by 100.1, the conversion from metres to centimetres"),
        (100.2, None),
        (1.0, None),
        (3.0, None),
    ],
)
def test_unit_scale_left_on_a_node(factor, message):
    asset = make_asset(box())
    asset.nodes[0].world = np.diag([factor, factor, factor, 1.0])
    found = messages(run(scale, "S005", asset))
    expected = [f"{message}: a unit conversion left on the transform"] if message else []
    assert found == expected


def test_unit_scale_on_many_nodes_is_one_finding():
    asset = make_asset(box(name="a"), box(name="b"), box(name="c"), box(name="d"))
    for node in asset.nodes:
        node.world = np.diag([100.0, 100.0, 100.0, 1.0])
    [f] = run(scale, "S005", asset)
    assert f.message == (
        "4 mesh nodes ('a', 'b', 'c', ...) are scaled by 100, the conversion from metres to "
        "centimetres: a unit conversion left on the transform"
    )
    assert (f.subject, f.count) == ("a", 4)


def test_build_volume_reads_a_unitless_stl_z_up_when_told():
    # 100 x 100 mm footprint in x and y, 300 mm along z: z is the height for a slicer.
    stl = make_asset(box((100.0, 100.0, 300.0)), fmt="stl", mpu=None)
    vol = {"build_volume_mm": [220.0, 220.0, 250.0], "unitless_unit": "mm", "unitless_up": "+Z"}
    assert messages(run(scale, "S004", stl, **vol)) == [
        "100.0 x 100.0 mm footprint, 300.0 mm tall does not fit the build volume "
        "220 x 220 x 250 mm (STL read in millimetres; STL states no axes; read Z up)"
    ]
    assert messages(run(scale, "S004", stl, **{**vol, "unitless_up": "+Y"})) == [
        "100.0 x 300.0 mm footprint, 100.0 mm tall does not fit the build volume "
        "220 x 220 x 250 mm (STL read in millimetres)"
    ]
    # glTF states Y up: the assumption does not apply (read Z up this would be 240 mm deep)
    glb = make_asset(box((0.1, 0.24, 0.1)))
    assert run(scale, "S004", glb, **vol) == []
    with pytest.raises(ValueError, match="unitless_up must be"):
        run(scale, "S004", stl, **{**vol, "unitless_up": "-Z"})
