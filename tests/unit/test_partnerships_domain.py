"""Partnerships without I/O: the compatibility score on labelled pairs, the map, the status machine."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest

from localcloud.catalog.generate import DEFAULT_OUT, INDUSTRIES
from shared.partnerships.compatibility import (
    COMPETITOR_CAP,
    INDUSTRY_OF_SUB,
    WEIGHTS,
    analyze_pair,
    complementary_industries,
    complementary_subs,
)
from shared.partnerships.lifecycle import Status, allowed_moves, can_move
from shared.partnerships.model import OutcomesPatch


def company(name: str, industry: str, subs: list[str], **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": name,
        "name": name,
        "industry": industry,
        "sub_industries": subs,
        "business_model": "B2B",
        "headquarters_country": "RU",
        "headquarters_city": "Москва",
        "employees_count": 120,
        "integrations": ["1c", "telegram"],
        "api_available": True,
        "tech_stack": {"languages": ["Python"], "databases": ["PostgreSQL"]},
        "description": "",
        "ai_tags": [],
    }
    return {**base, **kw}


# Realistic companies, as the catalog describes them.
AMO = company(
    "СделкаCRM",
    "crm",
    ["sales_crm"],
    description="CRM для отделов продаж: воронка сделок, задачи менеджеров, карточка клиента и отчёты по продажам.",
    ai_tags=["crm", "воронка", "продажи"],
    integrations=["telegram", "mango_office", "1c", "google_sheets"],
)
AMO_RIVAL = company(
    "ВоронкаПро",
    "crm",
    ["sales_crm"],
    description="CRM для отделов продаж: воронка сделок, задачи и напоминания менеджерам, отчёты по продажам.",
    ai_tags=["crm", "воронка", "продажи"],
    integrations=["telegram", "1c", "whatsapp"],
)
PBX = company(
    "ЗвонокОблако",
    "communications",
    ["virtual_pbx"],
    description="Виртуальная АТС: запись разговоров, IVR, коллтрекинг и интеграция с CRM для отделов продаж.",
    ai_tags=["телефония", "атс", "продажи"],
    integrations=["amocrm", "bitrix24", "mango_office", "telegram"],
)
PBX_RIVAL = company(
    "ТелефонияПлюс",
    "communications",
    ["virtual_pbx"],
    description="Облачная АТС: запись разговоров, голосовое меню и коллтрекинг, интеграция с CRM.",
    ai_tags=["телефония", "атс"],
    integrations=["amocrm", "bitrix24", "telegram"],
)
EMAIL = company(
    "Рассыльщик",
    "martech",
    ["email_marketing"],
    description="Сервис email-рассылок: триггерные письма, сегментация базы и A/B-тесты.",
    ai_tags=["email", "рассылки", "маркетинг"],
    integrations=["amocrm", "tilda", "1c", "telegram"],
)
SHOP = company(
    "МагазинЗаМинуту",
    "ecommerce",
    ["store_builder"],
    description="Конструктор интернет-магазинов с каталогом, корзиной и личным кабинетом покупателя.",
    ai_tags=["интернет-магазины", "конструктор сайтов"],
    integrations=["yookassa", "cdek", "moysklad", "1c"],
)
SHOP_RIVAL = company(
    "ВитринаОнлайн",
    "ecommerce",
    ["store_builder"],
    description="Конструктор интернет-магазинов: шаблоны, каталог товаров, корзина и приём заказов.",
    ai_tags=["интернет-магазины", "конструктор сайтов"],
    integrations=["yookassa", "cdek", "1c"],
)
PAY = company(
    "ПлатиЛегко",
    "fintech",
    ["payments"],
    description="Платёжный шлюз: приём оплаты по СБП и картам, онлайн-касса по 54-ФЗ для интернет-магазинов.",
    ai_tags=["платежи", "сбп", "интернет-магазины"],
    integrations=["sbp", "1c", "tilda", "moysklad"],
)
DELIVERY = company(
    "ДоставкаВсем",
    "logistics",
    ["delivery_aggregator"],
    description="Агрегатор служб доставки: расчёт тарифов СДЭК и Boxberry, печать этикеток, трекинг заказов.",
    ai_tags=["доставка", "интернет-магазины"],
    integrations=["cdek", "boxberry", "moysklad", "1c"],
)
HR = company(
    "НаймБыстро",
    "hrtech",
    ["recruiting"],
    description="ATS для рекрутеров: вакансии, воронка кандидатов, интеграция с hh.ru.",
    ai_tags=["рекрутинг", "hr"],
    integrations=["hh_ru", "telegram", "1c"],
)
PAYROLL = company(
    "ЗарплатаОнлайн",
    "hrtech",
    ["payroll"],
    description="Расчёт зарплаты, отпускных и НДФЛ, выплаты сотрудникам и отчётность.",
    ai_tags=["зарплата", "hr"],
    integrations=["1c", "sbis", "kontur_extern"],
)
BOOKKEEPING = company(
    "Счетовод",
    "fintech",
    ["accounting"],
    description="Облачная бухгалтерия: налоги по УСН, отчётность в ФНС, сверка с банковской выпиской.",
    ai_tags=["бухгалтерия", "налоги"],
    integrations=["1c", "kontur_extern", "sbis", "diadoc"],
)
FARM = company(
    "АгроСтадо",
    "agritech",
    ["livestock"],
    description="Учёт поголовья КРС, надоев и ветеринарных обработок на ферме.",
    ai_tags=["животноводство", "агро"],
    integrations=["1c"],
    api_available=False,
    headquarters_city="Краснодар",
)
TESTING = company(
    "ТестЛаб",
    "devtools",
    ["testing"],
    description="Платформа автотестов: запуск UI- и API-тестов, отчёты о регрессиях.",
    ai_tags=["тестирование", "qa"],
    integrations=["jira", "slack"],
    tech_stack={"languages": ["Kotlin"]},
    headquarters_city="Новосибирск",
)

PARTNERS = [(AMO, PBX), (AMO, EMAIL), (SHOP, PAY), (SHOP, DELIVERY), (HR, PAYROLL), (PAYROLL, BOOKKEEPING)]
COMPETITORS = [(AMO, AMO_RIVAL), (PBX, PBX_RIVAL), (SHOP, SHOP_RIVAL)]
UNRELATED = [(AMO, FARM), (SHOP, TESTING), (FARM, TESTING), (HR, FARM), (PAY, TESTING)]


def test_weights_sum_to_one() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(("a", "b"), PARTNERS, ids=lambda c: c["name"])
def test_partners_score_high_with_reasons_and_synergy(a: dict[str, Any], b: dict[str, Any]) -> None:
    result = analyze_pair(a, b)
    assert result.score >= 0.7 and not result.competitor
    assert {c.name for c in result.criteria} == set(WEIGHTS)
    assert result.synergy_areas and result.match_reasons
    assert any("дополняют" in r for r in result.match_reasons)
    assert analyze_pair(b, a).score == result.score  # symmetric


@pytest.mark.parametrize(("a", "b"), COMPETITORS, ids=lambda c: c["name"])
def test_competitors_are_gated(a: dict[str, Any], b: dict[str, Any]) -> None:
    result = analyze_pair(a, b)
    assert result.competitor and result.score <= COMPETITOR_CAP
    no_competition = next(c for c in result.criteria if c.name == "no_competition")
    assert no_competition.score == 0 and "конкуренты" in no_competition.reasons[0]
    assert result.synergy_areas == []


def test_every_partner_outranks_every_competitor_and_unrelated_pair() -> None:
    partners = [analyze_pair(a, b).score for a, b in PARTNERS]
    others = [analyze_pair(a, b).score for a, b in COMPETITORS + UNRELATED]
    assert min(partners) > max(others)
    competitors = [analyze_pair(a, b).score for a, b in COMPETITORS]
    unrelated = [analyze_pair(a, b).score for a, b in UNRELATED]
    assert max(competitors) < min(unrelated)  # a rival is a worse match than a stranger


def test_for_one_company_the_ranking_is_partner_then_stranger_then_rival() -> None:
    ranked = sorted([PBX, EMAIL, FARM, TESTING, AMO_RIVAL], key=lambda o: -analyze_pair(AMO, o).score)
    assert {o["name"] for o in ranked[:2]} == {PBX["name"], EMAIL["name"]}
    assert ranked[-1]["name"] == AMO_RIVAL["name"]


def test_same_words_in_another_industry_is_a_partial_overlap_not_a_gate() -> None:
    twin = {**PBX, "name": "Двойник", "industry": "crm", "sub_industries": ["helpdesk"]}
    result = analyze_pair(PBX, twin)
    assert not result.competitor
    assert next(c for c in result.criteria if c.name == "no_competition").score == 0.5


def test_scores_are_bounded_and_two_decimals() -> None:
    for a, b in PARTNERS + COMPETITORS + UNRELATED:
        score = analyze_pair(a, b).score
        assert 0 <= score <= 1 and round(score, 2) == score


def test_the_map_uses_the_catalogs_real_industries_and_sub_industries() -> None:
    catalog = {i.key: {s.key for s in i.subs} for i in INDUSTRIES}
    assert {(INDUSTRY_OF_SUB[s], s) for s in INDUSTRY_OF_SUB} == {(i, s) for i, subs in catalog.items() for s in subs}
    assert all(complementary_subs([s]) for s in INDUSTRY_OF_SUB)  # every product has partners
    assert {"communications", "martech", "analytics"} <= complementary_industries("crm")
    assert {"fintech", "logistics"} <= complementary_industries("ecommerce")
    assert "fintech" in complementary_industries("hrtech")


def test_on_the_catalog_rivals_never_reach_a_companys_top_ten() -> None:
    rows = json.loads(DEFAULT_OUT.read_text("utf-8"))
    for i, row in enumerate(rows[:40]):
        me = {**row, "id": str(i)}
        others = [{**r, "id": str(j)} for j, r in enumerate(rows) if j != i]
        top = sorted(others, key=lambda o: -analyze_pair(me, o).score)[:10]
        for o in top:
            assert not (o["industry"] == me["industry"] and set(o["sub_industries"]) & set(me["sub_industries"]))


# --- the lifecycle -------------------------------------------------------------------------------------

S = Status
MOVES = {
    S.SUGGESTED: {S.CONTACTED, S.REJECTED, S.PAUSED},
    S.CONTACTED: {S.IN_DISCUSSION, S.REJECTED, S.PAUSED},
    S.IN_DISCUSSION: {S.ACTIVE, S.REJECTED, S.PAUSED},
    S.ACTIVE: {S.PAUSED},
    S.REJECTED: set(),
}


@pytest.mark.parametrize("current", list(MOVES))
def test_transitions_table(current: Status) -> None:
    assert set(allowed_moves(current)) == MOVES[current]
    for target in Status:
        assert can_move(current, target) == (target in MOVES[current])


@pytest.mark.parametrize("before", [S.SUGGESTED, S.CONTACTED, S.IN_DISCUSSION, S.ACTIVE])
def test_paused_goes_back_where_it_was_or_is_rejected(before: Status) -> None:
    assert set(allowed_moves(S.PAUSED, before)) == {before, S.REJECTED}
    assert not can_move(S.PAUSED, S.ACTIVE, S.SUGGESTED)  # no skipping through a pause


def test_the_happy_path_is_one_step_at_a_time() -> None:
    path = [S.SUGGESTED, S.CONTACTED, S.IN_DISCUSSION, S.ACTIVE]
    assert all(can_move(a, b) for a, b in pairwise(path))
    assert not can_move(S.SUGGESTED, S.ACTIVE) and not can_move(S.SUGGESTED, S.IN_DISCUSSION)


def test_outcomes_must_not_be_negative() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        OutcomesPatch.model_validate({"deal_value": -1})
    assert caught.value.errors()[0]["loc"] == ("deal_value",)
    assert OutcomesPatch(revenue_generated=5).changes() == {"revenue_generated": 5}


# --- the HTTP contract of the functions (validation answers before any server is reached) --------------


def _call(function: str, method: str, path: str, body: object | None = None) -> tuple[int, dict[str, Any]]:
    from support import LambdaContext, event, load_function

    ev = event("http/change_partnership_status", rawPath=path, body=json.dumps(body) if body is not None else None)
    ev["requestContext"]["http"].update(method=method, path=path)
    response = load_function("partnerships", function).handler(ev, LambdaContext())
    return response["statusCode"], json.loads(response["body"])


PID = "3f1c2a64-7a0e-4d55-9a51-1f7f0c2b9e10"


@pytest.mark.parametrize("field", ["deal_value", "revenue_generated"])
def test_negative_outcomes_are_422_naming_the_field(field: str) -> None:
    status, body = _call("update_partnership", "PATCH", f"/v1/partnerships/{PID}", {field: -5})
    assert status == 422 and [e["field"] for e in body["errors"]] == [field]


def test_an_unknown_status_is_422_listing_the_statuses() -> None:
    status, body = _call("change_status", "POST", f"/v1/partnerships/{PID}/status", {"status": "won"})
    assert status == 422 and body["errors"][0]["field"] == "status"


def test_anonymous_callers_get_401() -> None:
    status, body = _call("change_status", "POST", f"/v1/partnerships/{PID}/status", {"status": "contacted"})
    assert status == 401 and body["status"] == 401
    status, _ = _call("list_partnerships", "GET", "/v1/partnerships")
    assert status == 401


def test_the_sample_kafka_event_is_a_valid_envelope_and_partnership() -> None:
    import base64

    from shared.events import parse_record
    from shared.partnerships.events import PartnershipStatusChanged
    from support import event

    record = event("kafka/partnership_status_changed")["records"]["partnership.events-0"][0]
    envelope = parse_record(base64.b64decode(record["value"]))
    assert envelope.topic == record["topic"] and base64.b64decode(record["key"]).decode() == envelope.aggregate_id
    assert isinstance(envelope.payload, PartnershipStatusChanged)
    partnership = envelope.payload.partnership
    assert partnership.version == envelope.version and partnership.status == envelope.payload.to_status
