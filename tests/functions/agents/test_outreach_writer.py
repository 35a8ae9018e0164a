"""WriterFunction (the WriteOutreach task): a first message to the best match above the threshold, written
by the offline provider from the stored analysis; the draft and the partner go on the run's row, and the
output's `partner_company_id` is what the state keeps for HumanReview."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import analysing, discovery_row, invoke, started_run, step_function, task_input
from functions.partnership_calls import catalog_companies

KINDS = (("fintech", "payments"), ("ecommerce", "store_builder"), ("ecommerce", "store_builder"))


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "agents", "outreach_writer")


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, *KINDS) as found:
        yield found


def test_the_best_match_gets_a_draft_on_the_run(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, weaker, best = companies
    run = started_run(postgres_url, redis_url, own["id"])
    matches = [
        {"company_id": weaker["id"], "name": weaker["name"], "score": 0.65},
        {"company_id": best["id"], "name": best["name"], "score": 0.82},
    ]
    analysing(postgres_url, run, *({**m, "passed": True, "synergy_areas": ["интеграция"]} for m in matches))
    output = invoke(fn, task_input("discovery_write_outreach", discovery_id=run, company_id=own["id"], matches=matches))
    row = discovery_row(postgres_url, run)
    assert output == {"partner_company_id": best["id"], "subject": row["draft"]["subject"]}
    assert str(row["partner_company_id"]) == best["id"] and row["current_step"] == "HumanReview"
    assert row["draft"]["subject"] and row["draft"]["body"] and row["draft"]["made_by"]["offline"] is True


def test_a_gone_partner_fails_the_step_for_its_catch(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own = companies[0]
    run = started_run(postgres_url, redis_url, own["id"])
    gone = [{"company_id": "00000000-0000-4000-8000-000000000000", "name": "Нет такой", "score": 0.9}]
    with pytest.raises(LookupError):
        invoke(fn, task_input("discovery_write_outreach", discovery_id=run, company_id=own["id"], matches=gone))
    assert discovery_row(postgres_url, run)["draft"] is None


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
