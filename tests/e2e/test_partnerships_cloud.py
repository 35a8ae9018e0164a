"""Partnerships as a BD manager meets them on `make dev`: partners suggested for the demo company (a
sample-catalog company), the reasons read, a pair analysed, a partnership proposed, moved along, a 409
on a skipped step, 403 for another user, read-only for a free user, outcomes recorded; every write's
event waits in the outbox for `partnership.events`. Polls the database, never the API, when waiting."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

import slice_checks as checks
from e2e_cloud import Cloud

PROBLEM = "application/problem+json"


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


# --- companies a user enters: descriptions and integrations, no sub-industry codes ---------------------

# What the three forms share (one market), so only what the products do tells them apart.
SAME_MARKET = {
    "business_model": "B2B",
    "headquarters_country": "RU",
    "headquarters_city": "Казань",
}
STORE_BUILDER = {
    **SAME_MARKET,
    "industry": "ecommerce",
    "employees_count": 60,
    "api_available": True,
    "description": (
        "{name} — конструктор интернет-магазинов для малого бизнеса: шаблоны витрин, каталог товаров, корзина и "
        "личный кабинет покупателя. Подключает платёжные сервисы и службы доставки в пару кликов."
    ),
    "integrations": ["yookassa", "cdek", "moysklad"],
}
PAYMENT_SERVICE = {
    **SAME_MARKET,
    "industry": "fintech",
    "employees_count": 45,
    "api_available": True,
    "description": (
        "{name} — сервис приёма онлайн-платежей для интернет-магазинов: банковские карты, СБП и рассрочка, "
        "чеки по 54-ФЗ. Готовые модули для конструкторов интернет-магазинов и CMS ставятся без программиста."
    ),
    "integrations": ["tilda", "insales", "1c_bitrix"],
}
RIVAL_BUILDER = {
    **SAME_MARKET,
    "industry": "ecommerce",
    "employees_count": 30,
    "description": (
        "{name} — платформа для создания интернет-магазина без программиста: дизайн, каталог, заказы. "
        "Принимайте оплату онлайн и отправляйте заказы через службы доставки."
    ),
    "integrations": ["cloudpayments", "boxberry"],
}


def _enter(cloud: Cloud, name: str, form: dict[str, Any]) -> dict[str, Any]:
    body = {**form, "name": name, "description": str(form["description"]).format(name=name)}
    response = cloud.http.post("/v1/companies", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["sub_industries"] == []
    return dict(response.json())


def _classified(cloud: Cloud, *company_ids: str) -> bool:
    """The classifier has stored proposals for every one (polls the database: the API's rate limit is the tests')."""
    with psycopg.connect(cloud.database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM companies WHERE id = ANY(%s::uuid[]) AND classified_version >= version",
            (list(company_ids),),
        ).fetchone()
    return bool(row and row[0] == len(company_ids))


def _partners(cloud: Cloud, company_id: str) -> dict[str, Any]:
    response = cloud.http.get(f"/v1/companies/{company_id}/partners", params={"limit": 10})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_companies_entered_without_codes_find_their_partner_not_their_rival(embedded: Cloud) -> None:
    """Done means of issue 11: a store builder and a payment service entered as a user fills the form are
    in each other's top 10 within seconds, with reasons naming the fit; a rival store builder is not."""
    tag = uuid.uuid4().hex[:4]
    builder = _enter(embedded, f"Витринка {tag}", STORE_BUILDER)
    payments = _enter(embedded, f"ПлатиЛегко {tag}", PAYMENT_SERVICE)
    rival = _enter(embedded, f"МагазинЗаВечер {tag}", RIVAL_BUILDER)
    seconds = checks.wait_for(lambda: _classified(embedded, builder["id"], payments["id"], rival["id"]), timeout=20)
    assert seconds < 10

    for me, partner in ((builder, payments), (payments, builder)):
        answer = _partners(embedded, me["id"])
        ranked = [s["company"]["id"] for s in answer["items"]]
        assert partner["id"] in ranked, (me["name"], [s["company"]["name"] for s in answer["items"]])
        fit = answer["items"][ranked.index(partner["id"])]
        reasons = " ".join(fit["match_reasons"])
        assert "дополняют" in reasons or "интегрируется" in reasons, reasons

    rival_kinds = _partners(embedded, rival["id"])["kinds"]
    assert "store_builder" in rival_kinds["matched"], rival_kinds
    builders_partners = [s["company"]["id"] for s in _partners(embedded, builder["id"])["items"]]
    assert rival["id"] not in builders_partners  # a rival of the builder, though a partner of the payments

    kinds = _partners(embedded, builder["id"])["kinds"]
    assert kinds["source"] == "model" and kinds["matched"] == ["store_builder"], kinds
    top = kinds["proposals"][0]
    assert top["code"] == "store_builder" and top["source"] == "model" and 0 < top["confidence"] <= 1
    assert top["label"] == "Конструкторы интернет-магазинов"


def test_the_users_own_codes_win_over_the_proposals(embedded: Cloud) -> None:
    """Accepting or correcting a proposal is a PATCH of sub_industries; matching then reads the user's codes."""
    company = _enter(embedded, f"ПлатёжныйШлюз {uuid.uuid4().hex[:4]}", PAYMENT_SERVICE)
    checks.wait_for(lambda: _classified(embedded, company["id"]), timeout=20)
    assert _partners(embedded, company["id"])["kinds"]["source"] == "model"
    changed = embedded.http.patch(
        f"/v1/companies/{company['id']}",
        json={"sub_industries": ["payments", "lending"]},
        headers={"If-Match": f'"{company["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    kinds = _partners(embedded, company["id"])["kinds"]
    assert kinds["source"] == "user" and kinds["matched"] == ["lending", "payments"], kinds
    assert kinds["proposals"], "the proposals stay visible beside the user's choice"
