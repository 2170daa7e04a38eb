"""Coverage-guided fuzzing with atheris, by hand (not in the tests): ``python -m
tests.fuzz.atheris_run FORMAT [libFuzzer flags, e.g. -max_total_time=300]``.

libFuzzer mutates the format's seed with coverage feedback from the instrumented
assetlint modules; each input must pass :func:`tests.fuzz.harness.check_file`. A failure
stops the run and libFuzzer writes the input as ``crash-*`` in the current folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["assetlint"]):
    from assetlint.engine import Engine
    from tests.fuzz.harness import Case
    from tests.fuzz.seeds import write_seeds


def main() -> None:
    fmt, flags = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory(prefix="assetlint-atheris-") as tmp:
        seeds = write_seeds(Path(tmp) / "seeds")
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        (corpus / "seed").write_bytes(seeds[fmt].read_bytes())
        case = Case(seeds[fmt], Engine.default())
        atheris.Setup([sys.argv[0], *flags, str(corpus)], lambda data: case(bytes(data)))
        atheris.Fuzz()


if __name__ == "__main__":
    main()
