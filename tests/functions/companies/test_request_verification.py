"""POST /v1/companies/{company_id}/verify (RequestVerificationFunction): the owner asks for a ЕГРЮЛ check of their
company's INN; the request goes to the verification queue (SQS, here the emulator's) and the answer is 202 with
where to watch the result. A company without an INN is 422 naming inn."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, cold_start, company, identity, principal, request

from localcloud.runtime import boto_session
from shared.companies.model import Company
from shared.identity.guard import Principal


@pytest.fixture(scope="module")
def queue(aws_endpoint: str) -> Iterator[tuple[Any, str]]:
    """A verification queue of this module's own: (SQS client, queue URL)."""
    sqs = boto_session(aws_endpoint).client("sqs")
    url = sqs.create_queue(QueueName=f"verification-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    yield sqs, url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, queue: tuple[Any, str]
) -> ModuleType:
    return cold_start(
        monkeypatch, "companies", "request_verification", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, verification_queue_url=queue[1],
    )  # fmt: skip


@pytest.fixture
def owner() -> Principal:
    return principal("paid_user")


def at(c: Company | str) -> str:
    return f"/v1/companies/{c.id if isinstance(c, Company) else c}/verify"


def received(queue: tuple[Any, str], wait: int = 1) -> list[dict[str, Any]]:
    sqs, url = queue
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in messages]


def test_the_owner_queues_a_check_of_the_inn(
    fn: ModuleType, owner: Principal, postgres_url: str, redis_url: str, queue: tuple[Any, str]
) -> None:
    inn, _ = identity()
    mine = company(postgres_url, redis_url, owner, inn=inn)
    ask = request("request_verification", owner, path=at(mine))
    answer = call(fn, ask)
    assert answer.status == 202, answer.body
    assert answer.body == {"company_id": str(mine.id), "status": "queued"}
    assert answer.headers["Location"] == f"/v1/companies/{mine.id}"
    (message,) = received(queue)
    assert (message["company_id"], message["inn"]) == (str(mine.id), inn)
    assert message["correlation_id"] == ask["requestContext"]["requestId"]


def test_a_company_without_an_inn_is_422_naming_inn(
    fn: ModuleType, owner: Principal, postgres_url: str, redis_url: str, queue: tuple[Any, str]
) -> None:
    mine = company(postgres_url, redis_url, owner)
    assert_problem(call(fn, request("request_verification", owner, path=at(mine))), 422, "inn")
    assert received(queue, wait=0) == []


def test_another_users_company_is_403(fn: ModuleType, postgres_url: str, redis_url: str, owner: Principal) -> None:
    theirs = company(postgres_url, redis_url, owner, inn=identity()[0])
    assert_problem(call(fn, request("request_verification", principal("paid_user"), path=at(theirs))), 403)


def test_an_unknown_company_is_404(fn: ModuleType, owner: Principal) -> None:
    assert_problem(call(fn, request("request_verification", owner, path=at(str(uuid.uuid4())))), 404)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("request_verification")), 401)
