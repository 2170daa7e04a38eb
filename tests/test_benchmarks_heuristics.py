"""benchmarks.heuristics on a Cycles set of three splits: the scoring and held-out splits
both reach the summary, and the held-out one is printed in totals only (no file named),
so that nobody reads its cases while choosing a detector."""

from pathlib import Path

from benchmarks import heuristics


def row(name: str, split: str, h001: bool, found: list[str]) -> dict:
    label = {"split": split, "mesh": name.split("-")[0], "H001": h001, "H002": False}
    return {
        "name": name,
        "split": split,
        "labels": {code: label.get(code) for code in heuristics.CODES},
        "label": label,
        "codes": found,
        "error": None,
        "evidence": {"H001": 0.5 if found else 0.0, "H002": 0.0},
    }


ROWS = [
    row("sphere-sun-0-lit.glb", "tuning", True, ["H001"]),
    row("sphere-sun-0-clean.glb", "tuning", False, []),
    row("box-sun-1-lit.glb", "scoring", True, ["H001"]),
    row("box-sun-1-clean.glb", "scoring", False, ["H001"]),
    row("gear-sun-2-lit.glb", "holdout", True, []),
    row("gear-sun-2-clean.glb", "holdout", False, ["H001"]),
]


def test_the_held_out_split_is_scored_and_names_no_file(monkeypatch, capsys):
    monkeypatch.setattr(heuristics, "cycles_rows", lambda folder, workers: ROWS)
    figures = heuristics.cycles_set(Path("set"), 1, verbose=True)
    out = capsys.readouterr().out
    assert set(figures) == {"scoring", "holdout"}
    assert figures["scoring"]["rules"]["H001"] == (0.5, 1.0)
    assert figures["scoring"]["clean"] == (1, 1)
    precision, recall = figures["holdout"]["rules"]["H001"]
    assert precision == 0.0 and recall == 0.0
    assert figures["holdout"]["clean"] == (1, 1)
    assert "holdout split" in out and "box-sun-1-clean" in out
    assert "gear-sun-2" not in out


def test_the_summary_has_a_line_per_split(monkeypatch, capsys):
    monkeypatch.setattr(heuristics, "cycles_rows", lambda folder, workers: ROWS)
    heuristics.main(["--cycles", "set", "--only-cycles", "--workers", "1"])
    summary = capsys.readouterr().out.split("summary:")[1]
    assert "set, scoring split" in summary and "set, holdout split" in summary
    assert summary.count("H001: precision") == 2


def test_the_second_tuning_split_is_printed_like_tuning_and_chooses_with_it(monkeypatch, capsys):
    # tuning2 (hard-surface meshes) is named case by case and is no result; alone in a
    # set, it still chooses that set's thresholds
    rows = [
        row("crate-sun-3-lit.glb", "tuning2", True, ["H001"]),
        row("crate-sun-3-clean.glb", "tuning2", False, []),
    ]
    monkeypatch.setattr(heuristics, "cycles_rows", lambda folder, workers: rows)
    figures = heuristics.cycles_set(Path("set"), 1, verbose=True)
    out = capsys.readouterr().out
    assert figures == {}
    assert "tuning2 split" in out and "crate-sun-3-clean" in out
    assert "no tuning split in this set" not in out
