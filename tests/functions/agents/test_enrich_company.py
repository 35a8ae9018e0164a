"""EnrichCompanyAgentFunction (the enrichment queue, a batch of {company_id, insight_id} messages from the
scout): each company's AI summary and tags written by the offline provider through the companies service
(a `company.updated` event by the agent and a new version); a gone company is skipped, and only a message
that cannot be handled is reported back to the queue (partial batch response)."""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import invoke, outbox, step_function
from functions.calls import company, delete, principal

from support import event


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "agents", "enrich_company")


def _batch(*bodies: dict[str, Any]) -> dict[str, Any]:
    """events/sqs/enrichment_request.json with one record per body (the sample's keys with `body`'s changes;
    a None value drops the key), message ids of their own."""
    sample = event("sqs/enrichment_request")
    records = []
    for n, body in enumerate(bodies):
        record = copy.deepcopy(sample["Records"][0])
        record["messageId"] = f"{record['messageId'][:-2]}{n:02d}"
        changed = {**json.loads(record["body"]), **body}
        record["body"] = json.dumps({k: v for k, v in changed.items() if v is not None})
        records.append(record)
    return {"Records": records}


def test_a_batch_enriches_through_the_companies_service_and_skips_a_gone_company(
    fn: ModuleType, postgres_url: str, redis_url: str, pg: Any
) -> None:
    owner = principal("company_admin")
    fields = {
        "sub_industries": ["payments", "lending"],
        "description": "Платёжный шлюз для маркетплейсов. С 2019 года.",
    }
    live = company(postgres_url, redis_url, owner, **fields)
    gone = company(postgres_url, redis_url, owner)
    delete(postgres_url, redis_url, owner, str(gone.id))
    batch = _batch({"company_id": str(live.id)}, {"company_id": str(gone.id)}, {"company_id": None})

    answer = invoke(fn, batch)
    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][2]["messageId"]}]}
    row = pg.execute("SELECT ai_summary, ai_tags, version FROM companies WHERE id = %s", (live.id,)).fetchone()
    pg.commit()
    assert row["version"] == live.version + 1
    assert row["ai_summary"] == "Платёжный шлюз для маркетплейсов." and set(row["ai_tags"]) >= {"payments", "lending"}
    updated = [m for m in outbox(postgres_url, str(live.id)) if m["type"] == "company.updated"]
    assert [(m["topic"], m["actor"]) for m in updated] == [("company.events", "agent:enrichment")]
    assert set(updated[0]["payload"]["changes"]) == {"ai_summary", "ai_tags"}
    assert [m["type"] for m in outbox(postgres_url, str(gone.id))] == ["company.created", "company.deleted"]


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
    assert invoke(fn, {"Records": []}) == {}
