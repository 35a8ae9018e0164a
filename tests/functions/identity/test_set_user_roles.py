"""PUT /v1/admin/users/{user_id}/roles (SetUserRolesFunction): replace a user's roles. A company admin manages
their own company's users and cannot grant platform_admin; the user's current tokens stop working (they carry
the old roles), so they log in again."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, company, principal, request

from shared.identity.model import User


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "set_user_roles", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def team(postgres_url: str, redis_url: str) -> tuple[User, User]:
    """A company's admin and one of its free users."""
    company_id = str(company(postgres_url, redis_url, None).id)
    return account(postgres_url, "company_admin", company_id=company_id), account(
        postgres_url, "free_user", company_id=company_id
    )


def path(user_id: object) -> str:
    return f"/v1/admin/users/{user_id}/roles"


def test_a_company_admin_upgrades_their_user_whose_old_token_then_fails(
    fn: ModuleType, team: tuple[User, User]
) -> None:
    admin, member = team
    before = principal(user=member)
    answer = call(
        fn, request("set_user_roles", principal(user=admin), path=path(member.id), body={"roles": ["paid_user"]})
    )
    assert answer.status == 200, answer.body
    assert (answer.body["id"], answer.body["roles"]) == (str(member.id), ["paid_user"])
    assert_problem(call(fn, request("set_user_roles", before, path=path(admin.id))), 401)  # tokens of the old roles


def test_a_company_admin_cannot_grant_platform_admin(fn: ModuleType, team: tuple[User, User]) -> None:
    admin, member = team
    body = {"roles": ["platform_admin"]}
    assert_problem(call(fn, request("set_user_roles", principal(user=admin), path=path(member.id), body=body)), 403)


def test_a_user_of_another_company_is_403(fn: ModuleType, team: tuple[User, User], postgres_url: str) -> None:
    stranger = account(postgres_url, "free_user")
    assert_problem(call(fn, request("set_user_roles", principal(user=team[0]), path=path(stranger.id))), 403)


def test_a_paid_user_lacks_the_permission(fn: ModuleType, team: tuple[User, User]) -> None:
    assert_problem(call(fn, request("set_user_roles", principal("paid_user"), path=path(team[1].id))), 403)


def test_an_unknown_user_is_404(fn: ModuleType) -> None:
    answer = call(fn, request("set_user_roles", principal("platform_admin"), path=path(uuid.uuid4())))
    assert_problem(answer, 404, "user_id")


def test_a_role_that_does_not_exist_and_a_malformed_id_are_422_naming_each(fn: ModuleType) -> None:
    answer = call(
        fn, request("set_user_roles", principal("platform_admin"), path=path("me"), body={"roles": ["owner"]})
    )
    assert_problem(answer, 422, "user_id", "roles.0")


def test_without_a_caller_is_401(fn: ModuleType, team: tuple[User, User]) -> None:
    assert_problem(call(fn, request("set_user_roles", path=path(team[1].id))), 401)
