"""DELETE /v1/companies/{id}/partners/{partner_id}/dismiss (RestoreSuggestionFunction): a dismissal undone, so
the partner is suggested again; 204 whether or not it was dismissed; who may is who may dismiss."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count

ROWS = "SELECT count(*) FROM suggestion_dismissals WHERE company_id = %s"


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "restore_suggestion")


@pytest.fixture
def dismissed(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    """A store builder that dismissed a payment provider (through the service, as its owner)."""
    from shared.commands import Context
    from shared.partnerships import feedback
    from shared.settings import Settings

    with catalog_companies(postgres_url, ("ecommerce", "store_builder"), ("fintech", "payments")) as (me, partner):
        settings = Settings(database_url=postgres_url, redis_url=redis_url)
        feedback.dismiss(settings, me["id"], partner["id"], Context(principal=principal(user_id=me["owner_id"])))
        path = f"/v1/companies/{me['id']}/partners/{partner['id']}/dismiss"
        yield {"me": me, "partner": partner, "path": path, "settings": settings}


def _suggested(known: dict[str, Any]) -> set[str]:
    from shared.partnerships import service

    return {str(s.company.id) for s in service.suggest_partners(known["settings"], known["me"]["id"], limit=50)}


def test_the_owner_undoes_it_and_the_partner_is_suggested_again(
    fn: ModuleType, dismissed: dict[str, Any], postgres_url: str
) -> None:
    me, partner = dismissed["me"], dismissed["partner"]
    assert partner["id"] not in _suggested(dismissed)
    owner = principal(user_id=me["owner_id"])
    answer = call(fn, request("restore_suggestion", owner, path=dismissed["path"]))
    assert answer.status == 204, answer.body
    assert answer.body is None
    assert partner["id"] in _suggested(dismissed)
    assert count(postgres_url, ROWS, me["id"]) == 0
    again = call(fn, request("restore_suggestion", principal(company_id=me["id"]), path=dismissed["path"]))
    assert again.status == 204  # nothing dismissed: nothing to do
    audited = "SELECT count(*) FROM audit_log WHERE action = 'partnership.suggestion_restored' AND resource_id = %s"
    assert count(postgres_url, audited, me["id"]) == 1


def test_a_stranger_and_a_free_user_are_403(fn: ModuleType, dismissed: dict[str, Any], postgres_url: str) -> None:
    assert_problem(call(fn, request("restore_suggestion", principal(), path=dismissed["path"])), 403)
    free = principal("free_user", company_id=dismissed["me"]["id"])
    assert_problem(call(fn, request("restore_suggestion", free, path=dismissed["path"])), 403)
    assert count(postgres_url, ROWS, dismissed["me"]["id"]) == 1


def test_an_unknown_partner_is_404(fn: ModuleType, dismissed: dict[str, Any]) -> None:
    path = f"/v1/companies/{dismissed['me']['id']}/partners/no-such-company/dismiss"
    assert_problem(call(fn, request("restore_suggestion", principal("platform_admin"), path=path)), 404, "partner_id")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("restore_suggestion")), 401)
