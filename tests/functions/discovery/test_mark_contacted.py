"""MarkContactedFunction (the MarkContacted task, after an approval): the pair's partnership is created and
moved to `contacted` through the partnerships service, the run ends `contacted`, and the CRM hub is asked
once to push the approved message (crm.integration.events); a retried step changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import discovery_row, invoke, outbox, step_function, task_input
from functions.partnership_calls import awaiting_review, catalog_companies, count


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "discovery", "mark_contacted")


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as found:
        yield found


def test_the_partnership_is_contacted_and_the_crm_sync_requested_once(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, shop = companies
    run = awaiting_review(postgres_url, redis_url, own["id"], shop["id"], "token-contacted")
    ev = task_input("discovery_mark_contacted", discovery_id=run)
    ev["review"]["reviewed_by"] = own["owner_id"]
    output = invoke(fn, ev)
    assert set(output) == {"status", "partnership_id"} and output["status"] == "contacted"
    partnership = output["partnership_id"]
    moved = "SELECT count(*) FROM partnerships WHERE id = %s AND status = 'contacted' AND company_a_id = %s"
    assert count(postgres_url, moved, partnership, own["id"]) == 1
    row = discovery_row(postgres_url, run)
    assert (row["status"], row["current_step"], str(row["partnership_id"])) == ("contacted", "Contacted", partnership)
    (sync,) = [m for m in outbox(postgres_url, run) if m["type"] == "crm.sync_requested"]
    assert sync["topic"] == "crm.integration.events" and sync["payload"]["partnership_id"] == partnership
    assert (sync["payload"]["deal"]["subject"], sync["payload"]["deal"]["body"]) == (
        ev["review"]["subject"], ev["review"]["body"],
    )  # fmt: skip

    assert invoke(fn, ev) == output  # the state machine's retry
    assert [m["type"] for m in outbox(postgres_url, run)].count("crm.sync_requested") == 1


def test_an_unknown_run_fails_the_step(fn: ModuleType) -> None:
    with pytest.raises(LookupError):
        invoke(fn, task_input("discovery_mark_contacted", discovery_id="00000000-0000-4000-8000-000000000000"))


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
