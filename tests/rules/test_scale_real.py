"""The S rules on real files of the shared corpus: generator output without a real size
(S006), categories (S001 --category), and one assumed unit per unitless file.

Sizes of rigged files depend on how skinned meshes are placed (by their joints, as glTF
says, or by their node): their tests assert the code and the evidence, not the size."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetlint.cli import main
from assetlint.engine import Engine
from assetlint.loaders import is_asset_path, load
from assetlint.model import LoadError
from assetlint.rules import geometry, scale
from assetlint.targets import resolve, run_targets
from tests.rules.pack_assets import run

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
GENERATED = SHARED / "generated-real"
pytestmark = pytest.mark.skipif(not GENERATED.is_dir(), reason="shared corpus not present")

# Every generated-real file whose size is the generator's cube: (file, cube, size as the
# message writes it, units).
NORMALIZED = [
    ("spar3d_speakandsee-blank-audio/mesh.glb", "1.011 m, 1.1% over the 1-unit cube"),
    ("sf3d_prnyc-chair/mesh.glb", "0.9422 m, 5.8% short of the 1-unit cube"),
    ("sf3d_teckshun-shirt/mesh.glb", "0.9087 m, 9.1% short of the 1-unit cube"),
    ("trellis_joeywu-character/sample.glb", "0.9994 m, 0.1% short of the 1-unit cube"),
    ("trellis_gendb-ornament/mesh.glb", "0.9921 m, 0.8% short of the 1-unit cube"),
    ("hunyuan3d2_bravesailor-penguin/mesh.glb", "1.995 m, 0.3% short of the 2-unit cube"),
    ("hunyuan3d2_ryanedward-car-white/white_mesh.glb", "1.957 m, 2.1% short of the 2-unit cube"),
    (
        "hunyuan3d2_devmechanica-bunker-textured/textured_mesh.glb",
        "1.972 m, 1.4% short of the 2-unit cube",
    ),
    ("hunyuan3d1_vernon-banana/mesh.glb", "1.026 m, 2.6% over the 1-unit cube"),
    ("hunyuan3d1_vernon-banana/mesh_vertex_colors.obj", "1.026 units, 2.6% over the 1-unit cube"),
    ("dreamgaussian_coconut-set-square/set_square_DG_mesh.glb", None),
    ("triposr_anik81-chibi-boy/output_model.glb", "1.005 m, 0.5% over the 1-unit cube"),
    ("triposr_speakandsee-robot/mesh.obj", "1.002 units, 0.2% over the 1-unit cube"),
    ("meshgpt_vsekai-person/output.glb", "0.9844 m, 1.6% short of the 1-unit cube"),
    ("instantmesh_artsousa-sword/sword.obj", "1.977 units, 1.2% short of the 2-unit cube"),
    ("shap-e_vengelstad-sword/swordmesh.obj", "1.952 units, 2.4% short of the 2-unit cube"),
    ("point-e_mesieeeee-human/human.obj", "1.001 units, 0.1% over the 1-unit cube"),
]


def s006(path: Path, **params) -> list:
    return run(scale, "S006", load(path), **params)


@pytest.mark.parametrize("name, size", NORMALIZED)
def test_generator_output_has_no_real_scale(name, size):
    found = s006(GENERATED / name)
    if size is None:
        # DreamGaussian's set square is 1.34 units: its stage-1 mesh fills no cube side;
        # see test_a_centred_pipeline_output_between_the_cubes
        return
    [f] = found
    assert f.message.startswith(f"no real-world scale: its longest side is {size} generators ")
    assert "it is centred on the origin (half of it below the ground)" in f.message
    assert (f.code, f.severity, f.subject_type) == ("S006", "warning", "scene")


def test_a_centred_pipeline_output_between_the_cubes():
    """DreamGaussian's stage-1 mesh keeps the frame it was optimized in: centred on the
    orbit of its camera (0.035 of its size off), 1.34 units, between the 1- and 2-unit
    cubes but filling neither. Written by pygltflib (a script, not a modelling tool) it
    is reported; centred authored models of such sizes (fandisk 1.69 units from
    Meshlab, Suzanne 2.73 from Blender) name no pipeline and stay silent."""
    [f] = s006(GENERATED / "dreamgaussian_coconut-set-square/set_square_DG_mesh.glb")
    assert f.message == (
        "no real-world scale: its longest side, 1.34 m, is within the span of the "
        "generators' cubes (0.9 to 2.06 units) though it fills none: an optimizing generator "
        "(DreamGaussian) frames the object for its orbiting camera, centred on the orbit; it "
        "is centred on the origin (half of it below the ground); written by pygltflib; state "
        "its real size with --size (e.g. --size 1.75m) or --category"
    )
    assert (f.value, f.limit) == (pytest.approx(1.33997, abs=1e-5), None)
    assert s006(SHARED / "meshes/fandisk.obj") == []


def test_fix_keeps_the_set_square_centred_and_its_writer_named(tmp_path, capsys):
    """Without a size, fix neither moves the set square (its centring is the evidence) nor
    drops the name of what wrote it: the relint still reports S006."""
    out = tmp_path / "fixed.glb"
    main(
        [
            "fix",
            str(GENERATED / "dreamgaussian_coconut-set-square/set_square_DG_mesh.glb"),
            "--target",
            "unity",
            "-o",
            str(out),
        ]
    )
    assert "pivot (O003, O007): not moved" in capsys.readouterr().out
    fixed = load(out)
    assert fixed.authored.generator == "assetlint fix (from pygltflib@v1.16.1)"
    [f] = s006(out)
    assert "written by pygltflib" in f.message
    # a stated size is a real size: scaled and moved, nothing left to report
    sized = tmp_path / "sized.glb"
    main(
        [
            "fix",
            str(GENERATED / "dreamgaussian_coconut-set-square/set_square_DG_mesh.glb"),
            "--target",
            "unity",
            "--size",
            "0.3m",
            "-o",
            str(sized),
        ]
    )
    assert s006(sized) == []


def test_the_message_names_the_evidence_and_the_fix():
    [f] = s006(GENERATED / "hunyuan3d2_bravesailor-penguin/mesh.glb")
    assert (f.value, f.limit) == (pytest.approx(1.9945, abs=1e-4), 2.0)
    assert f.message == (
        "no real-world scale: its longest side is 1.995 m, 0.3% short of the 2-unit cube "
        "generators fit their output into; it is centred on the origin (half of it below the "
        "ground); written by trimesh; a mesh named after a temporary file (tmp2er33tt5.ply); "
        "the names suggest --category 'small animal' (from 'penguin': the small animal range "
        "(20 cm to 1.5 m)), or state the size with --size"
    )
    # with nothing in the names to go by, the message asks for either
    [f] = s006(GENERATED / "spar3d_speakandsee-blank-audio/mesh.glb")
    assert f.message.endswith("; state its real size with --size (e.g. --size 1.75m) or --category")


def test_a_category_is_suggested_from_the_names_never_applied():
    [f] = s006(GENERATED / "instantmesh_artsousa-sword/sword.obj")
    assert f.message.endswith(
        "; the names suggest --category sword (from 'sword': the sword range (60 cm to "
        "1.5 m)), or state the size with --size"
    )
    [f] = s006(GENERATED / "point-e_mesieeeee-human/human.obj")
    assert "--category character (from 'human': the character range (1.45 m to 2.1 m))" in (
        f.message
    )


def test_rigged_generator_output():
    # UniRig normalizes the mesh it rigs to exactly 2 units: an exact size with three
    # unequal sides is still a fitted object.
    [f] = s006(GENERATED / "unirig_bird-rigged/bird.fbx")
    assert "the 2-unit cube generators fit their output into" in f.message
    # Tripo's names and a centred box: its size (a fox 79 units long) is the generator's.
    fox = next((GENERATED / "tripo_raptureio-fox-rigged").glob("*.gltf"))
    [f] = s006(fox)
    assert "is the generator's, not the object's" in f.message
    assert "Tripo's names (tripo_convert_" in f.message
    # Tripo's fish: its fins put it 0.17 of its length off centre front to back, but it
    # is centred in height, which no authored asset is
    [f] = s006(GENERATED / "tripo_fishabe-fish-rigged/fishanim.glb")
    assert "is the generator's, not the object's; its middle is at the origin's height" in (
        f.message
    )
    assert "Tripo's names (tripo_" in f.message
    # Meshy's character stands on the ground at its size: no finding.
    assert s006(GENERATED / "meshy_dahee-character-animated/Meshy_Merged_Animations.glb") == []


def test_a_stated_size_or_category_silences_it():
    path = GENERATED / "sf3d_prnyc-chair/mesh.glb"
    assert s006(path, expected_size=0.9) == []
    assert s006(path, category="chair") == []


PROFESSIONAL = ["gltf-samples", "meshes", "usd", "fbx", "fbx-extra"]


def _assets(folder: str) -> list[Path]:
    return sorted(p for p in (SHARED / folder).rglob("*") if p.is_file() and is_asset_path(p))


@pytest.mark.parametrize("folder", PROFESSIONAL)
def test_professional_assets_keep_their_scale(folder):
    """Zero S006 on the professional sets, which include unit cubes, Blender's 2 m default
    cube and spheres centred on the origin (three equal sides: primitives) and
    DamagedHelmet, exactly 2 units but 0.094 of its size off centre."""
    reported = []
    for path in _assets(folder):
        try:
            asset = load(path)
        except LoadError:
            continue
        if run(scale, "S006", asset):
            reported.append(path.name)
    assert reported == []


@pytest.mark.parametrize("target", [None, "unity", "web", "ecommerce", "unreal", "godot"])
def test_it_runs_without_a_target_and_under_the_targets(target):
    engine = Engine.default(entry_points=False)
    chair = load(GENERATED / "sf3d_prnyc-chair/mesh.glb")
    if target is None:
        findings = engine.run(chair)
    else:
        findings = run_targets(engine, chair, resolve([target], engine))
    assert [f.code for f in findings if f.code.startswith("S") and f.severity != "info"] == ["S006"]


def test_with_a_category_s001_judges_the_size_against_its_range():
    car = load(GENERATED / "hunyuan3d2_ryanedward-car-white/white_mesh.glb")
    [f] = run(scale, "S001", car, category="car")
    assert f.message == (
        "1.96 m across, outside the car range (2.5 m to 6 m): the size of the 2-unit cube a "
        "generator fitted it into"
    )
    assert (f.value, f.limit) == (pytest.approx(1.957, abs=1e-3), 2.5)
    # 1.96 / 2.54 would be a car: no unit slip made a generator's cube that size
    assert run(scale, "S002", car, category="car") == []
    chair = load(GENERATED / "sf3d_prnyc-chair/mesh.glb")
    assert run(scale, "S001", chair, category="chair") == []  # 94 cm is a chair's size


def test_a_unit_slip_is_still_named_when_the_size_is_not_a_cube():
    # The Tripo fox, 79 units long: centimetres written as metres, as the reviewer noted.
    # 79 m is a size some real object has, so only the fox's category shows the slip.
    fox = load(next((GENERATED / "tripo_raptureio-fox-rigged").glob("*.gltf")))
    [f] = run(scale, "S002", fox, category="fox")
    assert "looks like centimetres read as metres" in f.message
    assert run(scale, "S002", fox, max_size=10.0) == []  # a narrower range is no evidence


def test_a_real_size_character_is_too_big_to_print_not_a_unit_slip():
    """Meshy's character is 1.73 m tall in its skinned bind pose, in a glTF (metres by the
    spec): beyond the print pack's 1 m, but a person's size, so no unit slip (it was
    "inches read as metres", and fix scaled it by 0.0254); S001 and S004 say it is too big."""
    meshy = load(GENERATED / "meshy_dahee-character-animated/Meshy_Merged_Animations.glb")
    engine = Engine.default(entry_points=False)
    found = run_targets(engine, meshy, resolve(["print"], engine))
    assert [(f.code, f.message) for f in found if f.code in ("S001", "S002")] == [
        ("S001", "1.73 m across, plausible 2 mm to 1 m")
    ]
    assert [f.code for f in found if f.code == "S004"] == ["S004"]
    # the same size with a stated expectation is still a slip: 1.73 m for a 4 cm figurine
    [f] = run(scale, "S002", meshy, expected_size=0.04)
    assert "looks like inches read as metres (would be 4.39 cm)" in f.message


def test_fix_scales_to_the_category_and_says_so(tmp_path, capsys):
    out = tmp_path / "car.glb"
    src = GENERATED / "hunyuan3d2_ryanedward-car-white/white_mesh.glb"
    assert main(["fix", str(src), "--target", "unity", "--category", "car", "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert (
        "units (S001): scaled by 2.24832: largest dimension 1.96 m -> 4.4 m, the typical size "
        "of the category (--category car: the car range (2.5 m to 6 m))"
    ) in printed
    assert "fixed: O007, O011, S001" in printed and "remaining: M002" in printed
    bounds = load(out).bounds()
    assert (bounds[1] - bounds[0]).max() == pytest.approx(4.4, rel=1e-5)
    # relinted without any flag, the scale findings are gone: 4.4 m, standing on the ground
    assert (
        main(["check", "--no-cache", "--select", "S001,S002,S006", "--target", "unity", str(out)])
        == 0
    )


def test_fix_scales_to_a_stated_size_and_says_so(tmp_path, capsys):
    out = tmp_path / "chair.glb"
    src = GENERATED / "sf3d_prnyc-chair/mesh.glb"
    assert main(["fix", str(src), "--target", "unity", "--size", "0.9m", "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "units: scaled by 0.955216: largest dimension 94.2 cm -> 90 cm, as stated (--size)" in (
        printed
    )
    capsys.readouterr()
    assert (
        main(["check", "--no-cache", "--select", "S001,S002,S006", "--target", "unity", str(out)])
        == 0
    )


def test_check_takes_category_from_the_command_line_and_the_config(tmp_path, capsys):
    src = GENERATED / "hunyuan3d2_ryanedward-car-white/white_mesh.glb"
    args = ["check", "--no-cache", "--select", "S", "--target", "unity", str(src)]
    assert main([*args, "--category", "car"]) == 1
    assert "S001 (warning) 1.96 m across, outside the car range" in capsys.readouterr().out
    assert main([*args, "--category", "spaceship"]) == 2
    assert "--category: category 'spaceship' is not known" in capsys.readouterr().err
    config = tmp_path / "assetlint.toml"
    config.write_text('category = "car"\n')
    assert main([*args, "--config", str(config)]) == 1
    assert "outside the car range" in capsys.readouterr().out
    config.write_text('category = "vessel"\n')
    assert main([*args, "--config", str(config)]) == 2
    assert "'category': category 'vessel' is not known" in capsys.readouterr().err


BANANA = GENERATED / "hunyuan3d1_vernon-banana"


@pytest.mark.parametrize("target", ["print", "unity"])
def test_the_same_asset_as_glb_and_as_obj_is_one_size(target):
    """Hunyuan3D-1 wrote the banana as GLB (metres by the glTF spec) and as an OBJ of the
    same numbers. Under print the OBJ would be 1.03 mm in the pack's millimetres, smaller
    than anything printable, so it is read in metres like the GLB, said once by S007, and
    the S messages agree to the word but for the note naming the reading."""
    engine = Engine.default(entry_points=False)
    chosen = resolve([target], engine)
    glb = run_targets(engine, load(BANANA / "mesh.glb"), chosen)
    obj = run_targets(engine, load(BANANA / "mesh_vertex_colors.obj"), chosen)
    [unit] = [f.message for f in obj if f.code == "S007"]
    if target == "print":
        assert unit == (
            "OBJ states no units; read as metres: 1.03 m across (in millimetres, the "
            "target's reading, it would be 1.026 mm)"
        )
    else:
        assert unit == "OBJ states no units; read as metres: 1.03 m across"
    assert not [f for f in glb if f.code == "S007"]
    sized = {"S001", "S002"}
    assert [(f.code, f.message) for f in glb if f.code in sized] == [
        (f.code, f.message.replace(" (OBJ read in metres)", "")) for f in obj if f.code in sized
    ]
    if target == "print":
        [s001] = [f.message for f in obj if f.code == "S001"]
        assert s001 == (
            "1.03 m across, plausible 2 mm to 1 m (OBJ read in metres): the size of the "
            "1-unit cube a generator fitted it into"
        )


def test_hole_lengths_speak_the_assumed_unit():
    # trimesh's teapot STL, 63 units across: millimetres for print, metres for a game
    teapot = load(SHARED / "meshes" / "teapot.stl")
    [f] = run(geometry, "G003", teapot, unitless_unit="mm")
    assert f.message == (
        "6 holes bounded by 64 open edges, 225.8 mm of open boundary in all; the "
        "largest is 86.08 mm around (16 edges; limit 0 holes); visible: see-through patch "
        "5.0% of the front view's silhouette (limit 1%)"
    )
    [f] = run(geometry, "G003", teapot)
    assert "225.8 m of open boundary in all; the largest is 86.08 m around" in f.message
    [f] = run(scale, "S007", teapot, unitless_unit="mm")
    assert f.message == "STL states no units; read as millimetres: 63.17 mm across"


def test_fix_writes_a_unitless_file_in_the_unit_it_was_read_in_for_the_target(tmp_path, capsys):
    # The banana OBJ is read in metres for print (1.03 mm in millimetres); written as STL
    # for a slicer it holds millimetres, and the relint reads the same 1026 mm.
    out = tmp_path / "banana.stl"
    main(["fix", str(BANANA / "mesh_vertex_colors.obj"), "--target", "print", "-o", str(out)])
    capsys.readouterr()
    [f] = run(scale, "S007", load(out), unitless_unit="mm")
    assert f.message == "STL states no units; read as millimetres: 1026 mm across"


def test_a_category_or_size_without_a_target_is_judged(capsys):
    car = str(GENERATED / "hunyuan3d2_ryanedward-car-white/white_mesh.glb")
    assert main(["check", "--no-cache", car]) == 1
    assert " S006 (warning) no real-world scale" in capsys.readouterr().out
    for flag in (["--category", "car"], ["--size", "4.5m"]):
        main(["check", "--no-cache", car, *flag])
        out = capsys.readouterr().out
        assert " S001 (warning) 1.96 m across, " in out and " S006 " not in out


@pytest.mark.parametrize(
    ("name", "target", "suffix", "size"),
    [
        ("hunyuan3d2_bravesailor-penguin/mesh.glb", "unity", ".glb", "1.995 m"),
        ("trellis_joeywu-character/sample.glb", "roblox", ".glb", "0.9994 m"),
        ("triposr_speakandsee-robot/mesh.obj", "print", ".obj", "1.002 m (OBJ read in milli"),
    ],
)
def test_s006_survives_a_fix_that_does_not_scale(tmp_path, capsys, name, target, suffix, size):
    """fix moves the pivot (to the bottom centre for engines; for print it writes the
    OBJ in millimetres): the asset is still its generator's cube, and the relint says so,
    as does fix."""
    out = tmp_path / f"fixed{suffix}"
    main(["fix", str(GENERATED / name), "--target", target, "-o", str(out)])
    printed = capsys.readouterr().out
    assert "S006 is not fixed: fix scales only to a size stated with --size" in printed
    assert "no longer reported, though no fix ran for them: S006" not in printed
    engine = Engine.default()
    [f] = [f for f in run_targets(engine, load(out), resolve([target], engine)) if f.code == "S006"]
    assert f.message.startswith(f"no real-world scale: its longest side is {size}")
    assert "the 1-unit cube" in f.message or "the 2-unit cube" in f.message
    if target != "print":  # print does not move the pivot: still centred
        assert "stands exactly on the origin at its bottom centre" in f.message


def test_an_authored_character_standing_on_the_ground_is_not_a_cube():
    """The pirate is 1.905 m tall, within the 2-unit cube's range, and stands on the
    origin as authored: 6e-4 of its height below, 1e-3 off centre; not placed by a tool."""
    asset = load(SHARED / "gltf-samples/pirate_meshopt/pirate.glb")
    found = scale.placement(asset, scale.NORMALIZATION)
    assert found is not None and found.cube == 2.0 and not found.grounded
    assert run(scale, "S006", asset) == []


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        (
            "tripo_fishabe-fish-rigged/fishanim.glb",
            "its longest side, 7.357 m, is the generator's, not the object's; its middle is at "
            "the origin's height (half of it below the ground); Tripo's names",
        ),
        (
            "tripo_raptureio-fox-rigged/tripo_convert_bb9794ad-fd9a-4879-84c1-be11c58f9704"
            "_idle_embedded.gltf",
            "its longest side, 78.68 m, is the generator's, not the object's; it is centred on "
            "the origin (half of it below the ground); Tripo's names",
        ),
    ],
)
def test_fix_does_not_erase_the_evidence_of_a_missing_scale(tmp_path, capsys, name, evidence):
    """The Tripo fish and fox have no generator cube: S006's evidence is their names and
    their centring in height. Grounded, they could not be told from Meshy's real-size
    output, and the relint lost S006. With no size or category stated, fix leaves their
    placement (O007 stays, saying so) and the relint still says they have no real scale."""
    out = tmp_path / "fixed.glb"
    main(["fix", str(GENERATED / name), "--target", "unity", "-o", str(out)])
    printed = capsys.readouterr().out
    assert (
        "pivot (O003, O007): not moved: with the bottom centre at the origin nothing would "
        "show any more that it has no real-world scale (S006's evidence rests on its "
        "centring); state its size (--size) or --category, and fix scales and moves it"
    ) in printed
    engine = Engine.default()
    found = {f.code: f for f in run_targets(engine, load(out), resolve(["unity"], engine))}
    assert "O007" in found
    assert found["S006"].message.startswith("no real-world scale: " + evidence)
