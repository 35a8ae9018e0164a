"""POST /v1/companies (CreateCompanyFunction): a paid user or company admin adds a company they then own; 201 with
Location and ETag, written with its event and its outbox message (the real INN is verified from that message, in
the background). A free user cannot write (403); an INN another live company holds is 409."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, identity, principal, request, rows


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "create_company", database_url=postgres_url, redis_url=redis_url)


def test_a_paid_user_creates_a_company_they_own(fn: ModuleType, postgres_url: str) -> None:
    caller = principal("paid_user")
    inn, ogrn = identity()
    name = f"ПлатёжПро {uuid.uuid4().hex[:6]}"
    body = {"name": name, "industry": "fintech", "inn": inn, "ogrn": ogrn, "headquarters_city": "Москва"}
    answer = call(fn, request("create_company", caller, body=body))
    assert answer.status == 201, answer.body
    created = answer.body
    assert answer.headers["Location"] == f"/v1/companies/{created['id']}"
    assert answer.headers["ETag"] == '"1"'
    assert (created["name"], created["inn"], created["owner_id"], created["version"]) == (name, inn, caller.user_id, 1)
    assert created["slug"].startswith("platyozhpro-") and created["is_verified"] is False
    events = rows(postgres_url, "SELECT event_type FROM company_events WHERE aggregate_id = %s", created["id"])
    outbox = rows(postgres_url, "SELECT topic FROM outbox WHERE message_key = %s", created["id"])
    assert [r["event_type"] for r in events] == ["company.created"]
    assert [r["topic"] for r in outbox] == ["company.events"]  # what queues the ЕГРЮЛ check


def test_the_sample_request_creates_a_company(fn: ModuleType) -> None:
    answer = call(fn, request("create_company", principal("company_admin")))
    assert answer.status == 201, answer.body
    assert (answer.body["name"], answer.body["business_model"]) == ("ПлатёжПро", "B2B")


def test_an_inn_a_live_company_holds_is_409_naming_inn(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    inn, _ = identity()
    company(postgres_url, redis_url, principal("paid_user"), inn=inn)
    body = {"name": "Двойник", "industry": "fintech", "inn": inn}
    answer = call(fn, request("create_company", principal("paid_user"), body=body))
    assert_problem(answer, 409, "inn")


def test_an_inn_with_a_wrong_check_digit_is_422_naming_inn(fn: ModuleType) -> None:
    body = {"name": "Опечатка", "industry": "fintech", "inn": "7736207544"}
    answer = call(fn, request("create_company", principal("paid_user"), body=body, headers={"Accept-Language": "en"}))
    assert_problem(answer, 422, "inn")


def test_a_free_user_is_403(fn: ModuleType) -> None:
    assert_problem(call(fn, request("create_company", principal("free_user"))), 403)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("create_company")), 401)
