"""Industry and sub-industry codes checked against the taxonomy on write, an unknown one proposing the nearest
known codes (shared/taxonomy/codes.py), and the 422 the API answers for it (the create function in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from shared.companies.model import CompanyCreate, CompanyImport, CompanyPatch
from shared.taxonomy import codes, taxonomy
from shared.taxonomy.published import etag, fresh, published
from support import LambdaContext, event, load_function

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("code", "nearest"),
    [
        ("paymnts", ["payments"]),  # a typo of the key
        ("платежи", ["payments"]),  # a word of the Russian label
        ("Платёж", ["payments"]),  # ё, capitals, another form
        ("Open banking", ["banking_api"]),  # the English label
        ("payments ", ["payments"]),
    ],
)
def test_the_nearest_sub_industries(code: str, nearest: list[str]) -> None:
    assert [s.key for s in codes.nearest_sub_industries(code)] == nearest


@pytest.mark.parametrize(
    ("code", "nearest"),
    [
        ("FinTech", ["fintech"]),
        ("Финтех", ["fintech"]),
        ("hr-tech", ["hrtech"]),
        ("payments", ["fintech"]),  # a sub-industry names its industry
    ],
)
def test_the_nearest_industries(code: str, nearest: list[str]) -> None:
    assert [s.key for s in codes.nearest_industries(code)][: len(nearest)] == nearest


def test_nothing_near_proposes_nothing_and_at_most_three_are_proposed() -> None:
    assert codes.nearest_industries("zzzz") == [] and codes.nearest_sub_industries("") == []
    assert 1 <= len(codes.nearest_sub_industries("marketplace")) <= codes.LIMIT
    suggestion = codes.nearest_sub_industries("paymnts")[0]
    assert suggestion.as_dict() == {"key": "payments", "ru": "Платежи и эквайринг", "en": "Payments and acquiring"}


def test_every_code_of_the_taxonomy_is_known() -> None:
    for industry in taxonomy().industries:
        assert codes.is_industry(industry.key)
        for sub in industry.sub_industries:
            assert codes.is_sub_industry(sub.key)
    assert codes.unknown_sub_industries(["payments", "paymnts", "wms", "x"]) == [(1, "paymnts"), (3, "x")]


def _errors(model: type[CompanyCreate | CompanyPatch], data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [dict(e) for e in info.value.errors(include_url=False)]


@pytest.mark.parametrize("model", [CompanyCreate, CompanyPatch, CompanyImport])
def test_unknown_codes_are_refused_on_write_naming_the_item(model: type[CompanyCreate]) -> None:
    errors = _errors(model, {"name": "ПлатёжПро", "industry": "fintech", "sub_industries": ["payments", "paymnts"]})
    assert [(e["loc"], e["type"]) for e in errors] == [(("sub_industries", 1), "unknown_sub_industry")]
    assert errors[0]["ctx"]["suggestions"][0]["key"] == "payments"
    errors = _errors(model, {"name": "ПлатёжПро", "industry": "saas"})
    assert [(e["loc"], e["type"], e["ctx"]["suggestions"]) for e in errors] == [(("industry",), "unknown_industry", [])]


def test_known_codes_pass_and_a_sub_industry_of_another_industry_is_fine() -> None:
    company = CompanyCreate(name="МагазинПро", industry="ecommerce", sub_industries=["store_builder", "payments"])
    assert company.sub_industries == ["store_builder", "payments"]
    assert CompanyPatch.model_validate({"sub_industries": []}).changes() == {"sub_industries": []}
    assert CompanyPatch.model_validate({"description": "x"}).changes() == {"description": "x"}  # nothing to check


def test_a_malformed_code_like_a_known_one_is_refused_as_unknown_else_by_its_format() -> None:
    (error,) = _errors(CompanyCreate, {"name": "ПлатёжПро", "industry": "FinTech"})
    assert (error["type"], error["ctx"]["suggestions"][0]["key"]) == ("unknown_industry", "fintech")
    (error,) = _errors(CompanyCreate, {"name": "ПлатёжПро", "industry": "Q!"})
    assert error["type"] == "string_pattern_mismatch"
    (error,) = _errors(CompanyCreate, {"name": "ПлатёжПро", "industry": 7})
    assert error["type"] == "string_type"


def _create(payload: dict[str, Any], language: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    ev = event("http/create_company", body=json.dumps(payload, ensure_ascii=False))
    if language is not None:
        ev["headers"]["accept-language"] = language
    response = load_function("companies", "create_company").handler(ev, LambdaContext())
    return response["statusCode"], response["headers"], json.loads(response["body"])


def test_the_api_answers_422_naming_the_item_and_offering_the_nearest_code() -> None:
    payload = {"name": "ПлатёжПро", "industry": "fintech", "sub_industries": ["payments", "paymnts"]}
    status, headers, body = _create(payload)
    assert (status, headers["Content-Type"], headers["Content-Language"]) == (422, PROBLEM, "ru")
    assert body["title"] == "Ошибка проверки данных"
    assert body["detail"] == "Проверьте поле: Подотрасли, элемент 2 (sub_industries.1)"
    assert body["errors"] == [
        {
            "field": "sub_industries.1",
            "in": "body",
            "label": "Подотрасли, элемент 2",
            "message": "Неизвестная подотрасль «paymnts» — возможно, вы имели в виду payments (Платежи и эквайринг)",
        }
    ]
    status, headers, body = _create(payload, "en")
    assert (status, headers["Content-Language"]) == (422, "en")
    assert body["errors"][0]["message"] == (
        "Unknown sub-industry 'paymnts': did you mean payments (Payments and acquiring)?"
    )
    _, _, body = _create({"name": "ПлатёжПро", "industry": "saas"}, "en")
    assert body["errors"][0]["field"] == "industry"
    assert body["errors"][0]["message"] == "Unknown industry 'saas': the known codes are listed at GET /v1/taxonomy"


def test_the_published_taxonomy_and_its_etag() -> None:
    view = published()
    assert [i.key for i in view.industries] == [i.key for i in taxonomy().industries]
    assert set(view.model_dump()["industries"][0]["sub_industries"][0]) == {"key", "label"}
    tag = etag()
    assert fresh(tag) and fresh(f'W/{tag}, "x"') and fresh("*")
    assert not fresh(None) and not fresh('"x"')
