"""FindCandidatesFunction (the FindCandidates task): the company's partner candidates, narrowed by the run's
filters, recorded on the run's row; the output's `candidates` is what AnyCandidates and the Map read."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import discovery_row, invoke, started_run, step_function, task_input
from functions.partnership_calls import catalog_companies


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "discovery", "find_candidates")


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as found:
        yield found


def _payload(run: str, company_id: str, **filters: Any) -> dict[str, Any]:
    """FindCandidates' Parameters: the execution input's discovery_id, company_id and filters."""
    execution = task_input("discovery_start", discovery_id=run, company_id=company_id)
    execution["filters"].update(filters)
    return {k: execution[k] for k in ("discovery_id", "company_id", "filters")}


def test_candidates_are_returned_and_recorded_on_the_run(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, shop = companies
    run = started_run(postgres_url, redis_url, own["id"])
    output = invoke(fn, _payload(run, own["id"], industries=["ecommerce"], limit=3))
    assert list(output) == ["candidates"]
    candidates = output["candidates"]
    assert 1 <= len(candidates) <= 3 and all(set(c) == {"company_id", "name"} for c in candidates)
    assert {"company_id": shop["id"], "name": shop["name"]} in candidates and own["id"] not in str(candidates)
    row = discovery_row(postgres_url, run)
    assert (row["status"], row["current_step"], row["candidates"]) == ("analysing", "AnalyzeCandidates", candidates)


def test_no_candidate_leaves_an_empty_list_for_the_no_match_branch(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, _ = companies
    run = started_run(postgres_url, redis_url, own["id"])
    assert invoke(fn, _payload(run, own["id"], industries=["no-such-industry"])) == {"candidates": []}
    assert discovery_row(postgres_url, run)["status"] == "finding_candidates"


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
