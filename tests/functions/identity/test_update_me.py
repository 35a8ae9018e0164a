"""PATCH /v1/users/me (UpdateMeFunction): change one's name, or one's password given the current one; a new
password signs out every session (the tokens issued before stop working)."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import PASSWORD, account, assert_problem, call, cold_start, principal, request

from shared.identity.model import User


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "update_me", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def user(postgres_url: str) -> User:
    return account(postgres_url, "paid_user")


def test_a_new_name_is_saved(fn: ModuleType, user: User) -> None:
    answer = call(fn, request("update_me", principal(user=user)))
    assert answer.status == 200, answer.body
    assert (answer.body["id"], answer.body["full_name"]) == (str(user.id), "Иван Сергеевич Петров")
    again = call(fn, request("update_me", principal(user=user), body={}))  # nothing to change: the account as is
    assert again.body["full_name"] == "Иван Сергеевич Петров"


def test_a_new_password_needs_the_current_one_and_ends_older_sessions(fn: ModuleType, user: User) -> None:
    caller = principal(user=user)
    wrong = call(
        fn, request("update_me", caller, body={"current_password": "nope", "new_password": "Ne0n-forest-7731"})
    )
    assert_problem(wrong, 422, "current_password")
    answer = call(
        fn, request("update_me", caller, body={"current_password": PASSWORD, "new_password": "Ne0n-forest-7731"})
    )
    assert answer.status == 200, answer.body
    assert_problem(call(fn, request("update_me", caller, body={})), 401)  # the token from before the change


def test_a_weak_new_password_is_422_naming_new_password(fn: ModuleType, user: User) -> None:
    body = {"current_password": PASSWORD, "new_password": "qwerty"}
    assert_problem(call(fn, request("update_me", principal(user=user), body=body)), 422, "new_password")


def test_fields_one_cannot_change_oneself_are_422_naming_them(fn: ModuleType, user: User) -> None:
    answer = call(fn, request("update_me", principal(user=user), body={"roles": ["platform_admin"]}))
    assert_problem(answer, 422, "roles")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("update_me")), 401)
