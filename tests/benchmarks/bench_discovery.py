"""A whole partner-discovery run to the review step, through Step Functions on the local cloud, beside the
same steps called in process (the baseline: what the chain costs without orchestration).

Run: .venv/bin/python tests/benchmarks/bench_discovery.py [--runs 8] [--state DIR]
(about 3 minutes with its own cloud: one embedded `local up`, the runs, `local down`; --state uses a
 running cloud instead, e.g. `make dev`'s .state/local)

Chain: the demo company admin starts a discovery for their catalog company (`POST /v1/discoveries`,
threshold 0.5); the time is from that request to the `discoveries` row reaching `awaiting_review` (polled
in Postgres every 50 ms: FindCandidates -> Map of CompatibilityAnalyzer over the candidates, 3 at a time ->
CollectMatches -> WriteOutreach -> HumanReview storing the task token). Each run is then rejected, so
the next one finds the same candidates. Baseline: `shared.discovery.steps` find_candidates ->
analyze_candidate for each candidate -> write_outreach, called one after the other in this process against
the same database (a recording double stands for Step Functions at the start). Both use the offline AI
provider (no keys), so the difference is the orchestration: Lambda invocations, the Map's fan-out and
Step Functions' state transitions in MiniStack.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "localstack", ROOT / "tests", ROOT / "tests" / "e2e"):
    sys.path.insert(0, str(path))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from e2e_cloud import Cloud, run_cli  # noqa: E402
from localcloud.runtime import CloudState  # noqa: E402


class _NoWorkflow:
    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        self.payload = payload
        return f"arn:aws:states:local:000000000000:execution:bench:{name}"

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        raise NotImplementedError


def _status(cloud: Cloud, discovery_id: str) -> str:
    with psycopg.connect(cloud.database_url) as conn:
        row = conn.execute("SELECT status FROM discoveries WHERE id = %s", (discovery_id,)).fetchone()
    return str(row[0]) if row else ""


def _chain_run(cloud: Cloud, company_id: str) -> float:
    started = time.perf_counter()
    response = cloud.http.post("/v1/discoveries", json={"company_id": company_id, "threshold": 0.5})
    response.raise_for_status()
    discovery_id = response.json()["id"]
    while (status := _status(cloud, discovery_id)) != "awaiting_review":
        if status in {"failed", "no_match", "expired"} or time.perf_counter() - started > 120:
            raise RuntimeError(f"discovery {discovery_id} ended {status!r}")
        time.sleep(0.05)
    took = time.perf_counter() - started
    cloud.http.post(f"/v1/outreach/{discovery_id}/reject", json={"reason": "benchmark"}).raise_for_status()
    return took


def _in_process_run(cloud: Cloud, company_id: str) -> float:
    from shared.commands import Context
    from shared.discovery import service, steps
    from shared.discovery.model import StartDiscovery
    from shared.settings import Settings

    settings = Settings(
        database_url=cloud.database_url,
        redis_url="redis://127.0.0.1:9",
        discovery_state_machine_arn="arn:aws:states:local:000000000000:stateMachine:bench",
    )
    workflow = _NoWorkflow()
    started = time.perf_counter()
    service.start(settings, Context(), StartDiscovery(company_id=company_id, threshold=0.5), workflow)
    payload = workflow.payload
    found = steps.find_candidates(settings, payload)["candidates"]
    analysed = [steps.analyze_candidate(settings, {**payload, "candidate": c}) for c in found]
    matches = [m for a in analysed for m in a["passed"]]
    steps.write_outreach(settings, {**payload, "matches": matches})
    return time.perf_counter() - started


def _summary(name: str, seconds: list[float]) -> float:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    print(f"  {name:<34} median {median * 1000:8.0f} ms   p95 {p95 * 1000:8.0f} ms   (n={len(ordered)})")
    return median


def _bench(cloud: Cloud, runs: int) -> None:
    company_id = cloud.http.get("/v1/users/me").json()["company_id"]
    _chain_run(cloud, company_id)  # warm: every function of the chain has a worker
    _in_process_run(cloud, company_id)
    chain, direct = [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        chain.append(_chain_run(cloud, company_id))
        direct.append(_in_process_run(cloud, company_id))
    print(f"discovery to the review step, {runs} runs each, company {company_id}:")
    base = _summary("steps in process (baseline)", direct)
    full = _summary("Step Functions chain on MiniStack", chain)
    print(f"  ratio chain / baseline (medians): {full / base:.1f}x; orchestration ~{(full - base) * 1000:.0f} ms")


def main() -> None:
    import logging

    logging.getLogger("algoarts").setLevel(logging.WARNING)  # the in-process steps' per-call log lines
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--state", type=Path, help="a running cloud's state folder (default: start one)")
    args = parser.parse_args()
    if args.state:
        state = CloudState.load(args.state)
        assert state is not None, f"no cloud in {args.state}"
        with httpx.Client(base_url=state.api_url, timeout=30) as client:
            _bench(Cloud(args.state, state, client), args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="bench-discovery-") as folder:
        state_dir = Path(folder)
        try:
            run_cli(state_dir, "local", "up", "--profile", "embedded")
            state = CloudState.load(state_dir)
            assert state is not None
            with httpx.Client(base_url=state.api_url, timeout=30) as client:
                _bench(Cloud(state_dir, state, client), args.runs)
        finally:
            run_cli(state_dir, "local", "down", check=False)


if __name__ == "__main__":
    main()
