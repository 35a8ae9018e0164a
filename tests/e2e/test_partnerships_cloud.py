"""Partnerships as a BD manager meets them on `make dev`: partners suggested for the demo company (a
sample-catalog company), the reasons read, a pair analysed, a partnership proposed, moved along, a 409
on a skipped step, 403 for another user, read-only for a free user, outcomes recorded; every write's
event waits in the outbox for `partnership.events`. Polls the database, never the API, when waiting."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from e2e_cloud import Cloud

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def embedded(shared_embedded: Cloud) -> Cloud:
    """The cloud this module shares with the other catalog modules (conftest.py)."""
    return shared_embedded


@pytest.fixture(scope="module")
def demo_company(embedded: Cloud) -> dict[str, Any]:
    """The catalog company the demo company admin belongs to (seed.py makes it so)."""
    me = embedded.http.get("/v1/users/me")
    assert me.status_code == 200, me.text
    company_id = me.json()["company_id"]
    assert company_id
    company = embedded.http.get(f"/v1/companies/{company_id}")
    assert company.status_code == 200
    return dict(company.json())


@pytest.fixture(scope="module")
def suggestions(embedded: Cloud, demo_company: dict[str, Any]) -> list[dict[str, Any]]:
    response = embedded.http.get(f"/v1/companies/{demo_company['id']}/partners", params={"limit": 10})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_partners_are_suggested_with_reasons_and_no_rival(
    demo_company: dict[str, Any], suggestions: list[dict[str, Any]]
) -> None:
    assert len(suggestions) == 10
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.5
    for s in suggestions:
        other = s["company"]
        assert other["id"] != demo_company["id"]
        rival = other["industry"] == demo_company["industry"] and set(other["sub_industries"]) & set(
            demo_company["sub_industries"]
        )
        assert not rival, other
        assert {c["name"] for c in s["criteria"]} == {"complementarity", "audience", "technology", "no_competition"}
    top = suggestions[0]
    assert any("дополняют" in r for r in top["match_reasons"]) and top["synergy_areas"]


def test_a_pair_is_analysed_with_an_explanation_and_nothing_is_written(
    embedded: Cloud, demo_company: dict[str, Any], suggestions: list[dict[str, Any]]
) -> None:
    body = {"company_a_id": demo_company["id"], "company_b_id": suggestions[0]["company"]["id"]}
    response = embedded.http.post("/v1/partnerships/analyze", json=body)
    assert response.status_code == 200, response.text
    analysis = response.json()
    assert analysis["score"] == suggestions[0]["score"]
    assert demo_company["name"] in analysis["ai_explanation"]
    assert analysis["analysis_method"] in {"ai", "offline"}
    with psycopg.connect(embedded.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM partnerships").fetchone()
    assert row is not None and row[0] == 0


def test_a_partnership_is_proposed_moved_and_guarded(
    embedded: Cloud, demo_company: dict[str, Any], suggestions: list[dict[str, Any]]
) -> None:
    partner = suggestions[1]["company"]
    body = {"company_a_id": demo_company["id"], "company_b_id": partner["id"]}
    created = embedded.http.post("/v1/partnerships", json=body)
    assert created.status_code == 201, created.text
    p = created.json()
    assert p["status"] == "suggested" and p["ai_explanation"] and p["match_reasons"]
    assert created.headers["location"] == f"/v1/partnerships/{p['id']}"
    again = embedded.http.post("/v1/partnerships", json=body)
    assert again.status_code == 200 and again.json()["id"] == p["id"]

    path = f"/v1/partnerships/{p['id']}"
    skipped = embedded.http.post(f"{path}/status", json={"status": "active"})
    assert skipped.status_code == 409 and skipped.headers["content-type"] == PROBLEM
    assert skipped.json()["current_status"] == "suggested"
    assert skipped.json()["allowed_moves"] == ["contacted", "rejected", "paused"]

    contacted = embedded.http.post(f"{path}/status", json={"status": "contacted"})
    assert contacted.status_code == 200 and contacted.json()["contacted_at"]
    assert embedded.http.post(f"{path}/status", json={"status": "in_discussion"}).status_code == 200
    active = embedded.http.post(f"{path}/status", json={"status": "active"}).json()
    assert active["status"] == "active" and active["partnership_started_at"]

    outcome = embedded.http.patch(path, json={"deal_value": 2_000_000, "revenue_generated": 350_000})
    assert outcome.status_code == 200 and outcome.json()["deal_value"] == 2_000_000
    negative = embedded.http.patch(path, json={"revenue_generated": -1})
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "revenue_generated"

    listed = embedded.http.get("/v1/partnerships", params={"status": "active"}).json()["items"]
    assert [x["id"] for x in listed] == [p["id"]]
    assert embedded.http.get(path).json()["version"] == 5

    with embedded.client_for("paid_user") as stranger:
        for method, suffix, payload in (
            ("GET", "", None),
            ("POST", "/status", {"status": "paused"}),
            ("PATCH", "", {"deal_value": 1}),
        ):
            response = stranger.request(method, f"{path}{suffix}", json=payload)
            assert response.status_code == 403, (method, response.text)
            assert response.headers["content-type"] == PROBLEM
        assert stranger.get("/v1/partnerships").json()["items"] == []
        foreign = stranger.post("/v1/partnerships", json={**body, "company_b_id": suggestions[2]["company"]["id"]})
        assert foreign.status_code == 403
    with embedded.client_for("free_user") as free:
        assert free.get(f"/v1/companies/{demo_company['id']}/partners").status_code == 200
        assert free.post("/v1/partnerships", json=body).status_code == 403  # read-only plan
    assert embedded.anonymous.get("/v1/partnerships").status_code == 401

    with psycopg.connect(embedded.database_url) as conn:
        events = conn.execute(
            "SELECT envelope->>'event_type', topic FROM outbox WHERE message_key = %s ORDER BY id", (p["id"],)
        ).fetchall()
    assert [e[0] for e in events] == [
        "partnership.matched",
        "partnership.status_changed",
        "partnership.status_changed",
        "partnership.status_changed",
        "partnership.updated",
    ]
    assert {e[1] for e in events} == {"partnership.events"}


def test_a_dismissed_suggestion_does_not_come_back_until_undone(
    embedded: Cloud, demo_company: dict[str, Any], suggestions: list[dict[str, Any]]
) -> None:
    partners = f"/v1/companies/{demo_company['id']}/partners"

    def suggested() -> list[str]:
        response = embedded.http.get(partners, params={"limit": 50})
        assert response.status_code == 200, response.text
        return [s["company"]["id"] for s in response.json()["items"]]

    partner = suggestions[3]["company"]
    path = f"{partners}/{partner['id']}/dismiss"
    dismissed = embedded.http.post(path, json={"reason": "Не наш сегмент"})
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["partner_id"] == partner["id"] and dismissed.json()["reason"] == "Не наш сегмент"
    assert partner["id"] not in suggested()
    assert embedded.http.post(path).status_code == 200  # again: the first dismissal stands
    assert partner["id"] not in suggested()
    with embedded.client_for("paid_user") as stranger:
        assert stranger.post(path).status_code == 403
        assert stranger.delete(path).status_code == 403

    undone = embedded.http.delete(path)
    assert undone.status_code == 204, undone.text
    assert partner["id"] in suggested()
    assert embedded.http.delete(path).status_code == 204
