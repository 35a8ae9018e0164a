"""GET /v1/taxonomy (GetTaxonomyFunction, public): the industries with their sub-industries and the complementary
pairs, the codes a company's `industry` and `sub_industries` must use; cacheable, with an ETag that an
If-None-Match turns into a 304."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import call, cold_start, principal, request

from shared.taxonomy import taxonomy


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "get_taxonomy", database_url=postgres_url, redis_url=redis_url)


def test_the_taxonomy_is_public_and_cacheable(fn: ModuleType) -> None:
    answer = call(fn, request("get_taxonomy"))  # no caller: public reference data
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    assert answer.headers["ETag"].startswith('"') and len(answer.headers["ETag"]) == 18
    data = taxonomy()
    assert [i["key"] for i in answer.body["industries"]] == [i.key for i in data.industries]
    fintech = next(i for i in answer.body["industries"] if i["key"] == "fintech")
    assert fintech["label"] == {"ru": "Финтех", "en": "Fintech"}
    payments = next(s for s in fintech["sub_industries"] if s["key"] == "payments")
    assert payments == {"key": "payments", "label": {"ru": "Платежи и эквайринг", "en": "Payments and acquiring"}}
    assert len(answer.body["complements"]) == len(data.complements)
    first = answer.body["complements"][0]
    assert set(first) == {"a", "b", "synergy"} and set(first["synergy"]) == {"ru", "en"}
    assert set(answer.body) == {"industries", "complements"}


def test_a_signed_in_caller_gets_the_same_answer(fn: ModuleType) -> None:
    anonymous = call(fn, request("get_taxonomy"))
    signed_in = call(fn, request("get_taxonomy", principal("free_user")))
    assert (signed_in.status, signed_in.body, signed_in.headers["ETag"]) == (200, anonymous.body,
                                                                            anonymous.headers["ETag"])  # fmt: skip


def test_if_none_match_with_the_etag_is_304_without_a_body(fn: ModuleType) -> None:
    tag = call(fn, request("get_taxonomy")).headers["ETag"]
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        answer = call(fn, request("get_taxonomy", headers={"If-None-Match": header}))
        assert (answer.status, answer.body, answer.headers["ETag"]) == (304, None, tag), header
        assert answer.headers["Cache-Control"] == "public, max-age=3600"
    stale = call(fn, request("get_taxonomy", headers={"If-None-Match": '"0000000000000000"'}))
    assert stale.status == 200 and stale.body["industries"]
