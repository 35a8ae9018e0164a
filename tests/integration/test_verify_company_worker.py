"""VerifyCompanyFunction's handler against a real Postgres, Redis and the DaData stand-in over a socket:
found, not found, outages retried with backoff, parked after the last attempt or a refused key, and
one bad message never failing the others. The two SQS calls (delay, park) are recorded instead of sent:
the queue itself is exercised by the e2e tests on the emulator."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from localcloud.servers.dadata import FakeDadata, load_records
from shared.commands import Context
from shared.companies import service, verification_worker
from shared.companies.legal import inn_check_digits
from shared.companies.model import CompanyCreate
from shared.legal_registry.dadata import DadataRegistry
from shared.settings import Settings, get_settings
from support import LambdaContext, event, load_function

pytestmark = pytest.mark.integration
TOKEN = "worker-test-key"


@pytest.fixture(scope="module")
def registry_server() -> Iterator[FakeDadata]:
    with FakeDadata(TOKEN, load_records()) as server:
        yield server


@dataclass
class Worker:
    """The handler, and the SQS calls it made instead of sending them."""

    handler: Callable[[dict[str, Any], Any], dict[str, Any]]
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    delays: list[int] = field(default_factory=list)


@pytest.fixture
def worker(
    postgres_url: str, redis_url: str, registry_server: FakeDadata, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    registry_server.reset()
    for name, value in {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "VERIFICATION_QUEUE_URL": "https://sqs.local/verification",
        "VERIFICATION_DEAD_LETTER_URL": "https://sqs.local/verification-dead-letters",
    }.items():
        monkeypatch.setenv(f"ALGOARTS_{name}", value)
    get_settings.cache_clear()
    module = load_function("companies", "verify_company")
    worker = Worker(module.handler)
    monkeypatch.setattr(verification_worker, "send_json", lambda url, body: worker.sent.append((url, body)))
    monkeypatch.setattr(verification_worker, "delay_retry", lambda url, receipt, seconds: worker.delays.append(seconds))
    client = DadataRegistry(registry_server.url, TOKEN, timeout=0.5, attempts=2, backoff=0.01)
    monkeypatch.setattr(verification_worker, "registry", lambda: client)
    yield worker
    get_settings.cache_clear()


def _company(settings: Settings, inn: str) -> str:
    command = CompanyCreate(name=f"Проверка {uuid.uuid4().hex[:8]}", industry="fintech", inn=inn)
    return str(service.create_company(settings, command, Context()).id)


def _fresh_inn() -> str:
    body = "77" + f"{uuid.uuid4().int % 10**7:07d}"
    return body + inn_check_digits(body)


def _sqs(*requests: dict[str, Any] | str, attempt: int = 1) -> dict[str, Any]:
    template = event("sqs/verification_request")["Records"][0]
    records = []
    for request in requests:
        record = copy.deepcopy(template)
        record["messageId"] = str(uuid.uuid4())
        record["body"] = request if isinstance(request, str) else json.dumps(request)
        record["attributes"]["ApproximateReceiveCount"] = str(attempt)
        records.append(record)
    return {"Records": records}


def _request(company_id: str, inn: str) -> dict[str, Any]:
    return {"company_id": company_id, "inn": inn, "requested_at": "2026-11-24T10:00:00Z"}


def _settings() -> Settings:
    return get_settings()


def test_a_found_company_is_verified(worker: Any) -> None:
    settings = _settings()
    yandex_id = _delete_holder_and_create(settings, "7736207543")
    result = worker.handler(_sqs(_request(yandex_id, "7736207543")), LambdaContext())
    assert result == {"batchItemFailures": []}
    company = service.get_company(settings, yandex_id)
    assert company.is_verified and company.legal_name == 'ООО "ЯНДЕКС"' and company.ogrn == "1027700229193"
    assert worker.sent == [] and worker.delays == []


def _delete_holder_and_create(settings: Settings, inn: str) -> str:
    """The shared test database may hold this INN already (another test made it): free it first."""
    from shared.db import connect

    with connect(settings.database_url) as conn:
        row = conn.execute(
            "SELECT id::text AS id FROM companies WHERE inn = %s AND deleted_at IS NULL", (inn,)
        ).fetchone()
    if row:
        service.delete_company(settings, row["id"], Context())  # type: ignore[call-overload]
    return _company(settings, inn)


def test_an_unknown_inn_is_a_recorded_failure(worker: Any) -> None:
    settings = _settings()
    inn = _fresh_inn()
    company_id = _company(settings, inn)
    assert worker.handler(_sqs(_request(company_id, inn)), LambdaContext()) == {"batchItemFailures": []}
    company = service.get_company(settings, company_id)
    assert not company.is_verified and "не найден" in (company.verification_error or "")


def test_an_outage_fails_only_that_message_and_delays_its_retry(worker: Any, registry_server: FakeDadata) -> None:
    settings = _settings()
    inn = _fresh_inn()
    company_id = _company(settings, inn)
    registry_server.fail_next(100, status=503)
    records = _sqs(_request(company_id, inn), attempt=3)
    result = worker.handler(records, LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": records["Records"][0]["messageId"]}]}
    assert worker.delays == [40] and worker.sent == []  # third attempt: 10 * 2^2 seconds
    assert service.get_company(settings, company_id).verified_at is None


def test_the_last_attempt_parks_the_request_with_the_reason(worker: Any, registry_server: FakeDadata) -> None:
    settings = _settings()
    inn = _fresh_inn()
    company_id = _company(settings, inn)
    registry_server.fail_next(100, status=503)
    records = _sqs(_request(company_id, inn), attempt=5)
    assert worker.handler(records, LambdaContext()) == {"batchItemFailures": []}
    ((url, parked),) = worker.sent
    assert url.endswith("verification-dead-letters") and "unavailable 5 times" in parked["reason"]
    assert json.loads(parked["body"])["company_id"] == company_id  # the request itself, to redrive


def test_a_refused_key_and_an_unreadable_message_are_parked_at_once(worker: Any, registry_server: FakeDadata) -> None:
    settings = _settings()
    inn = _fresh_inn()
    company_id = _company(settings, inn)
    registry_server.fail_next(1, status=403)
    assert worker.handler(_sqs(_request(company_id, inn)), LambdaContext()) == {"batchItemFailures": []}
    assert worker.handler(_sqs("{not json"), LambdaContext()) == {"batchItemFailures": []}
    reasons = [body["reason"] for _, body in worker.sent]
    assert "refused" in reasons[0] and "unreadable" in reasons[1]
    assert TOKEN not in json.dumps(worker.sent)


def test_one_bad_message_does_not_fail_the_batch(worker: Any, registry_server: FakeDadata) -> None:
    settings = _settings()
    good_inn, slow_inn = _fresh_inn(), _fresh_inn()
    good, slow = _company(settings, good_inn), _company(settings, slow_inn)
    registry_server.delay_next(0, 0)
    registry_server.reset()
    registry_server.fail_next(2, status=502)  # the first message's two tries; the second goes through
    records = _sqs(_request(slow, slow_inn), _request(good, good_inn))
    result = worker.handler(records, LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": records["Records"][0]["messageId"]}]}
    assert service.get_company(settings, good).verified_at is not None
    assert service.get_company(settings, slow).verified_at is None
