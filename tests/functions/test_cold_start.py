"""Every function of template.yaml starts (imports and initialises) within FLOOR_BUDGET x the pydantic floor.

The floor is the benchmark's one-route powertools handler plus one pydantic model built and validated
(bench_cold_start.FLOOR): every function validates its settings at cold start, so it pays that much
before any code of its own (2.1-2.2x the bare handler, measured 2026-12-03: the reason issue 10's 2x
target against the bare handler is out of reach). What a function adds beyond the floor is its own:
boto3 at import adds ~0.45x of the floor (a function then measures 1.5-1.6x) and this test names the
function and its ratio; smaller additions (jinja2 or httpx at import, ~0.15x each) show in the bench's
table and its import trees, below this test's resolution on a noisy machine.

Each ratio is paired (bench_cold_start.paired_ratios): the floor is sampled before and after every few
functions, so a slow minute of a shared CI machine falls on both sides of the ratio, and the lowest of
the rounds decides: a function that imports too much is slow in every round, while interference only
ever adds time (timeit's reasoning for its minimum). The previous design, one baseline median per run
against each function's median, failed in CI at 1.65x the floor for functions that measure 1.0-1.2x.
Fresh interpreter per sample, bytecode cached, the layer's dependencies on the path, as
bench_cold_start.Runner runs them. The full table with each function's import tree is
`python tests/benchmarks/bench_cold_start.py`.
"""

from __future__ import annotations

import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_cold_start", ROOT / "tests/benchmarks/bench_cold_start.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(900)
def test_every_function_starts_within_its_budget_over_the_pydantic_floor() -> None:
    bench = _bench()
    budget = bench.FLOOR_BUDGET  # one budget: the bench's verdict and this test's (0.9-1.23x measured 2026-12-03)
    work = Path(tempfile.mkdtemp(prefix="cold-start-"))
    try:
        (work / "floor").mkdir()
        (work / "floor" / "app.py").write_text(bench.FLOOR)
        python, _ = bench.runtime_python()
        runner = bench.Runner(python, bench.layer_dependencies(), work)
        floor = bench.Target("floor", work / "floor", kind="floor")
        functions = []
        for logical, resource in sorted(bench.tpl.functions(bench.tpl.load(ROOT / "template.yaml")).items()):
            module, attr = resource["Properties"].get("Handler", "app.handler").rsplit(".", 1)
            code = runner.snap(ROOT / resource["Properties"]["CodeUri"])
            functions.append(bench.Target(logical, code, module=module, attr=attr))
        for target in [floor, *functions]:
            runner.run(target, "pyc", write=True)  # prime the bytecode cache; an import error shows here
        assert not floor.error, floor.error
        crashed = {t.name: t.error for t in functions if t.error}
        assert not crashed, f"functions that fail to import: {crashed}"
        ratios = bench.paired_ratios(runner, floor, functions, ROUNDS)
        lowest = {name: min(values) for name, values in ratios.items()}
        over = {name: round(ratio, 2) for name, ratio in sorted(lowest.items()) if ratio > budget}
        floor_ms = statistics.median(floor.samples["pyc"])
        assert not over, f"over {budget}x the pydantic floor ({floor_ms:.0f} ms in this run): {over}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
