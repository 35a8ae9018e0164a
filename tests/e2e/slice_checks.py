"""The checks one slice through every hop must pass, whichever profile serves it."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

PROBLEM = "application/problem+json"


def wait_for(predicate: Any, timeout: float = 2.0, interval: float = 0.05) -> float:
    """Seconds until predicate() is truthy, measured when the check that saw it began (what became true is
    the state, not the check's own latency); fails after `timeout`."""
    started = time.monotonic()
    while (asked := time.monotonic()) - started < timeout:
        if predicate():
            return asked - started
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")


def create_company(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Тест {uuid.uuid4().hex[:6]}", "industry": "fintech", **fields}
    response = http.post("/v1/companies", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/companies/{response.json()['id']}"
    return dict(response.json())


def search_ids(http: httpx.Client, query: str, **params: Any) -> set[str]:
    response = http.get("/v1/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def company_is_found_by_meaning_within_two_seconds(http: httpx.Client, limit: float = 2.0) -> None:
    """An English query finds a new company whose Russian description says the same thing, through the
    semantic side alone (no English word is in the catalog), among the first ten results."""
    unique = uuid.uuid4().hex[:8]
    company = create_company(
        http,
        name=f"Бригадир {unique}",
        description="Учёт рабочего времени и табели смен для строительных бригад: прорабы отмечают выходы "
        "рабочих на объекте с телефона, бухгалтерия получает табель для расчёта зарплаты.",
    )
    query = "timesheets for construction site workers"
    elapsed = wait_for(lambda: company["id"] in search_ids(http, query, page_size=10), timeout=limit, interval=0.1)
    assert elapsed < limit
    page = http.get("/v1/search", params={"q": query, "page_size": 10}).json()
    assert page["mode"] == "hybrid" and not page.get("degraded")


def company_is_searchable_within_two_seconds(
    http: httpx.Client, backend: str, limit: float = 2.0, interval: float = 0.05
) -> None:
    unique = uuid.uuid4().hex[:8]
    company = create_company(
        http,
        name=f"Платёжный шлюз {unique}",
        description=f"Платежные сервисы и эквайринг для интернет-магазинов {unique}",
    )
    query = f"платёжный сервис {unique}"
    elapsed = wait_for(lambda: company["id"] in search_ids(http, query), timeout=limit, interval=interval)
    assert elapsed < limit
    assert http.get("/v1/search", params={"q": unique}).json()["backend"] == backend


def errors_are_problem_json(http: httpx.Client) -> None:
    """`http` must be signed in with company:write."""
    unknown = http.get("/v1/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM
    malformed = http.post("/v1/companies", content=b'{"name": ', headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == PROBLEM
    invalid = http.post("/v1/companies", json={"name": "Ok name", "industry": "Not Valid"})
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["industry"]
    missing = http.get(f"/v1/companies/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


POISON_EVENT_TYPE = "company.exploded"


def insert_poison_event(database_url: str) -> None:
    """An outbox row no projection can apply, as a buggy writer would leave it."""
    import psycopg

    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": POISON_EVENT_TYPE,
        "aggregate_type": "company",
        "aggregate_id": str(uuid.uuid4()),
        "version": 1,
        "timestamp": "2026-11-24T10:00:00Z",
        "payload": {},
    }
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO outbox (event_id, topic, message_key, envelope) VALUES (%s, 'company.events', %s, %s)",
            (envelope["event_id"], envelope["aggregate_id"], json.dumps(envelope)),
        )


def dead_letter_messages(boto: Any, queue_url: str, timeout: float = 20.0) -> list[dict[str, Any]]:
    sqs = boto.client("sqs")
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not found:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        found = [json.loads(m["Body"]) for m in reply.get("Messages", [])]
    return found
