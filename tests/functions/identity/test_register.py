"""POST /v1/auth/register (RegisterFunction): anyone may open a free account; a taken email is 409 and a weak
password 422 naming the rule it breaks. The account is written to Postgres, so it can log in at once."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import PASSWORD, assert_problem, call, cold_start, request, row, unique_email


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "register", database_url=postgres_url, redis_url=redis_url)


def test_a_new_account_is_201_on_the_free_plan(fn: ModuleType, postgres_url: str) -> None:
    email = unique_email("ivan")
    answer = call(fn, request("register", body={"email": email, "password": PASSWORD, "full_name": "Иван Петров"}))
    assert answer.status == 201, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    user = answer.body
    assert (user["email"], user["full_name"], user["roles"], user["is_active"]) == (
        email, "Иван Петров", ["free_user"], True,
    )  # fmt: skip
    assert user["id"] and user["company_id"] is None and "password" not in str(user)
    stored = row(postgres_url, "SELECT email, password_hash FROM users WHERE id = %s", user["id"])
    assert stored["email"] == email and stored["password_hash"].startswith("$argon2")


def test_the_same_email_again_is_409_naming_email(fn: ModuleType) -> None:
    body = {"email": unique_email("twice"), "password": PASSWORD}
    assert call(fn, request("register", body=body)).status == 201
    assert_problem(call(fn, request("register", body=body)), 409, "email")


def test_a_weak_password_is_422_naming_password(fn: ModuleType) -> None:
    answer = call(fn, request("register", body={"email": unique_email("weak"), "password": "12345678"}))
    assert_problem(answer, 422, "password")


def test_a_malformed_email_and_an_unknown_field_are_422_naming_each(fn: ModuleType) -> None:
    answer = call(fn, request("register", body={"email": "ivan", "password": PASSWORD, "roles": ["platform_admin"]}))
    assert_problem(answer, 422, "email", "roles")
