"""VerifyCompanyFunction (the SQS verification queue -> ЕГРЮЛ via DaData -> `company.verified` or
`company.verification_failed`), against DaData's stand-in over a socket, its key in the emulator's Secrets
Manager and its queues in the emulator's SQS: a registered INN verifies the company once however often the
request is delivered; an unknown one is a recorded failure; an outage fails only that message and delays
its retry; a refused key or an unreadable request is parked in the dead-letter queue with the reason."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import cold_start, company, delete, identity
from functions.stream_calls import Queue, queue, sqs_batch

from localcloud.runtime import boto_session
from localcloud.servers.dadata import FakeDadata, load_records
from shared.db import connect
from support import LambdaContext

TOKEN = "verify-fn-" + uuid.uuid4().hex
YANDEX_INN = "7736207543"  # in the stand-in's records (ООО "ЯНДЕКС")


@pytest.fixture(scope="module")
def dadata() -> Iterator[FakeDadata]:
    with FakeDadata(TOKEN, load_records()) as server:
        yield server


@pytest.fixture(scope="module")
def token_secret(aws_endpoint: str) -> str:
    name = f"algoarts/dadata-token-{uuid.uuid4().hex[:8]}"
    boto_session(aws_endpoint).client("secretsmanager").create_secret(Name=name, SecretString=TOKEN)
    return name


@pytest.fixture(scope="module")
def requests(aws_endpoint: str) -> Iterator[Queue]:
    with queue(aws_endpoint, "verification") as q:
        yield q


@pytest.fixture(scope="module")
def parked(aws_endpoint: str) -> Iterator[Queue]:
    with queue(aws_endpoint, "verification-dead-letters") as q:
        yield q


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, dadata: FakeDadata,
    token_secret: str, requests: Queue, parked: Queue,
) -> ModuleType:  # fmt: skip
    dadata.reset()
    return cold_start(monkeypatch, "companies", "verify_company", aws=aws_endpoint, database_url=postgres_url,
                      redis_url=redis_url, dadata_url=dadata.url, dadata_token_secret=token_secret,
                      verification_queue_url=requests.url, verification_dead_letter_url=parked.url)  # fmt: skip


def ask(company_id: object, inn: str) -> dict[str, Any]:
    return {
        "company_id": str(company_id),
        "inn": inn,
        "correlation_id": "req-1",
        "requested_at": "2026-11-24T10:00:00Z",
    }


def events_of(postgres_url: str, company_id: object) -> list[str]:
    with connect(postgres_url) as conn:
        rows = conn.execute(
            "SELECT event_type FROM company_events WHERE aggregate_id = %s ORDER BY version", (str(company_id),)
        ).fetchall()
    return [r["event_type"] for r in rows]  # type: ignore[call-overload]


def company_row(postgres_url: str, company_id: object) -> dict[str, Any]:
    with connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT is_verified, verified_at, legal_name, ogrn, verification_error FROM companies WHERE id = %s",
            (str(company_id),),
        ).fetchone()
    assert row is not None
    return dict(row)


def holding_yandex_inn(postgres_url: str, redis_url: str) -> str:
    """A new company with Yandex's INN (a live company of an earlier test holding it is deleted first)."""
    with connect(postgres_url) as conn:
        rows = conn.execute("SELECT id::text AS id FROM companies WHERE inn = %s AND deleted_at IS NULL", (YANDEX_INN,))
        for row in rows.fetchall():
            delete(postgres_url, redis_url, None, row["id"])  # type: ignore[call-overload]
    return str(company(postgres_url, redis_url, None, inn=YANDEX_INN).id)


def test_a_registered_inn_verifies_the_company_once(
    fn: ModuleType, postgres_url: str, redis_url: str, parked: Queue
) -> None:
    company_id = holding_yandex_inn(postgres_url, redis_url)
    batch = sqs_batch(ask(company_id, YANDEX_INN))
    assert fn.handler(batch, LambdaContext()) == {"batchItemFailures": []}
    row = company_row(postgres_url, company_id)
    assert row["is_verified"] and row["legal_name"] == 'ООО "ЯНДЕКС"' and row["ogrn"] == "1027700229193"
    assert events_of(postgres_url, company_id) == ["company.created", "company.verified"]
    assert fn.handler(batch, LambdaContext()) == {"batchItemFailures": []}  # redelivered
    assert events_of(postgres_url, company_id) == ["company.created", "company.verified"]
    assert parked.received(wait=0) == []


def test_an_unknown_inn_is_a_recorded_failure(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    inn, _ = identity()
    created = company(postgres_url, redis_url, None, inn=inn)
    assert fn.handler(sqs_batch(ask(created.id, inn)), LambdaContext()) == {"batchItemFailures": []}
    row = company_row(postgres_url, created.id)
    assert not row["is_verified"] and "не найден" in (row["verification_error"] or "")
    assert events_of(postgres_url, created.id) == ["company.created", "company.verification_failed"]


def test_an_outage_fails_only_that_message_and_delays_its_retry(
    fn: ModuleType, postgres_url: str, redis_url: str, dadata: FakeDadata, requests: Queue
) -> None:
    down_inn, up_inn = identity()[0], identity()[0]
    down, up = (company(postgres_url, redis_url, None, inn=inn).id for inn in (down_inn, up_inn))
    dadata.fail_next(3, status=503)  # every try of the first message; the second one goes through
    batch = requests.delivered(ask(down, down_inn))
    batch["Records"] += sqs_batch(ask(up, up_inn))["Records"]
    result = fn.handler(batch, LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    assert company_row(postgres_url, down)["verified_at"] is None
    assert company_row(postgres_url, up)["verified_at"] is not None
    assert requests.received(wait=0) == []  # kept invisible for its backoff (10 s after the first attempt)


def test_a_refused_key_and_an_unreadable_request_are_parked_with_the_reason(
    fn: ModuleType, postgres_url: str, redis_url: str, dadata: FakeDadata, parked: Queue
) -> None:
    inn, _ = identity()
    created = company(postgres_url, redis_url, None, inn=inn)
    dadata.fail_next(1, status=403)
    batch = sqs_batch(ask(created.id, inn), json.dumps({"company_id": str(created.id)}))
    assert fn.handler(batch, LambdaContext()) == {"batchItemFailures": []}  # both acknowledged: retrying won't help
    refused, unreadable = parked.received()
    assert "refused" in refused["reason"] and json.loads(refused["body"])["company_id"] == str(created.id)
    assert (
        unreadable["reason"].startswith("unreadable request")
        and unreadable["message_id"] == batch["Records"][1]["messageId"]
    )
    assert TOKEN not in json.dumps([refused, unreadable])
    assert events_of(postgres_url, created.id) == ["company.created"]


@pytest.mark.parametrize("warm_up", [{}, {"Records": []}])
def test_the_warm_up_touches_no_server(
    monkeypatch: pytest.MonkeyPatch, closed_port: int, warm_up: dict[str, Any]
) -> None:
    nowhere = f"127.0.0.1:{closed_port}"
    fn = cold_start(monkeypatch, "companies", "verify_company", aws=f"http://{nowhere}",
                    database_url=f"postgresql://u:p@{nowhere}/db", redis_url=f"redis://{nowhere}/0",
                    dadata_url=f"http://{nowhere}", verification_queue_url=f"http://{nowhere}/0/q",
                    verification_dead_letter_url=f"http://{nowhere}/0/dlq")  # fmt: skip
    assert fn.handler(warm_up, LambdaContext()) == {"batchItemFailures": []}
