"""AnalyzerFunction (the AnalyzeCandidates Map item): one candidate scored against the company by the
offline analysis, merged into its entry on the run's row; `passed` is [the match] at or above the
threshold, else [] (CollectMatches flattens every item's `passed`)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import analysing, discovery_row, invoke, started_run, step_function, task_input
from functions.partnership_calls import catalog_companies


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "agents", "compatibility_analyzer")


@pytest.fixture(scope="module")
def run(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as (own, shop):
        discovery_id = started_run(postgres_url, redis_url, own["id"])
        candidate = {"company_id": shop["id"], "name": shop["name"]}
        analysing(postgres_url, discovery_id, candidate)
        yield {"id": discovery_id, "own": own, "candidate": candidate}


def _item(run: dict[str, Any], threshold: float) -> dict[str, Any]:
    return task_input(
        "discovery_analyze_item",
        discovery_id=run["id"], company_id=run["own"]["id"], threshold=threshold, candidate=run["candidate"],
    )  # fmt: skip


def test_a_candidate_at_the_threshold_passes_and_its_analysis_is_stored(
    fn: ModuleType, run: dict[str, Any], postgres_url: str
) -> None:
    output = invoke(fn, _item(run, 0.0))
    shop = run["candidate"]
    assert set(output) == {"company_id", "score", "passed"} and output["company_id"] == shop["company_id"]
    assert 0.0 <= output["score"] <= 1.0
    assert output["passed"] == [{**shop, "score": output["score"]}]
    (entry,) = discovery_row(postgres_url, run["id"])["candidates"]
    assert entry["company_id"] == shop["company_id"] and entry["score"] == output["score"]
    assert entry["passed"] is True and entry["criteria"] and "explanation" in entry


def test_a_candidate_below_the_threshold_passes_nothing(fn: ModuleType, run: dict[str, Any], postgres_url: str) -> None:
    output = invoke(fn, _item(run, 1.0))
    assert output["score"] < 1.0 and output["passed"] == []
    (entry,) = discovery_row(postgres_url, run["id"])["candidates"]
    assert entry["passed"] is False


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
