"""POST /v1/admin/users/{user_id}/deactivate (DeactivateUserFunction): the account can no longer log in or use
the tokens it holds. An admin cannot deactivate themselves (409), nor an account outside their company (403)."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, company, principal, request, row

from shared.identity.model import User


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "deactivate_user", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def team(postgres_url: str, redis_url: str) -> tuple[User, User]:
    """A company's admin and one of its paid users."""
    company_id = str(company(postgres_url, redis_url, None).id)
    return account(postgres_url, "company_admin", company_id=company_id), account(
        postgres_url, "paid_user", company_id=company_id
    )


def path(user_id: object) -> str:
    return f"/v1/admin/users/{user_id}/deactivate"


def test_the_account_is_deactivated_and_its_token_refused(
    fn: ModuleType, team: tuple[User, User], postgres_url: str
) -> None:
    admin, member = team
    theirs = principal(user=member)
    answer = call(fn, request("deactivate_user", principal(user=admin), path=path(member.id)))
    assert answer.status == 200, answer.body
    assert (answer.body["id"], answer.body["is_active"]) == (str(member.id), False)
    assert row(postgres_url, "SELECT is_active FROM users WHERE id = %s", member.id)["is_active"] is False
    assert_problem(call(fn, request("deactivate_user", theirs, path=path(admin.id))), 401)  # disabled in Redis too


def test_oneself_is_409_naming_user_id(fn: ModuleType, team: tuple[User, User]) -> None:
    admin = team[0]
    assert_problem(call(fn, request("deactivate_user", principal(user=admin), path=path(admin.id))), 409, "user_id")


def test_an_account_of_another_company_is_403(fn: ModuleType, team: tuple[User, User], postgres_url: str) -> None:
    stranger = account(postgres_url, "free_user")
    assert_problem(call(fn, request("deactivate_user", principal(user=team[0]), path=path(stranger.id))), 403)


def test_a_free_user_lacks_the_permission(fn: ModuleType, team: tuple[User, User]) -> None:
    assert_problem(call(fn, request("deactivate_user", principal("free_user"), path=path(team[1].id))), 403)


def test_an_unknown_user_is_404_and_a_malformed_id_422(fn: ModuleType) -> None:
    admin = principal("platform_admin")
    assert_problem(call(fn, request("deactivate_user", admin, path=path(uuid.uuid4()))), 404, "user_id")
    assert_problem(call(fn, request("deactivate_user", admin, path=path("42"))), 422, "user_id")


def test_without_a_caller_is_401(fn: ModuleType, team: tuple[User, User]) -> None:
    assert_problem(call(fn, request("deactivate_user", path=path(team[1].id))), 401)
