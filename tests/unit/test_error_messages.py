"""Error messages in the caller's language: Russian by default, English for Accept-Language: en.

A tiny api() app with a body carrying the legal identifiers is driven in-process with sample events.
"""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator

from shared.companies import model as company_model
from shared.companies.legal import Inn, Kpp, Ogrn, check_identity_pair
from shared.errors import Conflict, NotFound, TooManyRequests
from shared.http import api, messages
from shared.http.messages import CATALOG, LABELS, describe, label, plural_ru, preferred_language
from shared.http.params import Query
from shared.identity import model as identity_model
from shared.search import model as search_model
from support import LambdaContext, event

NBSP = "\u00a0"
VALID_INN = "7707083893"
VALID_OGRN = "1027700132195"
SOLE_TRADER_INN = "500301234503"
SOLE_TRADER_OGRNIP = "304500116000016"


class Stack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list, max_length=5)


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=5)
    inn: Inn | None = None
    ogrn: Ogrn | None = None
    kpp: Kpp | None = None
    business_model: Literal["B2B", "B2C", "B2B2C"] | None = None
    headquarters_city: str | None = Field(default=None, max_length=1)
    description: str | None = Field(default=None, max_length=3)
    integrations: list[str] | None = Field(default=None, min_length=2, max_length=5)
    roles: list[str] | None = Field(default=None, min_length=1)
    employees_count: int | None = Field(default=None, ge=1, le=10_000_000)
    website: HttpUrl | None = None
    tech_stack: Stack | None = None

    @field_validator("ogrn")
    @classmethod
    def _ogrn_matches_inn(cls, ogrn: str | None, info: ValidationInfo) -> str | None:
        check_identity_pair(info.data.get("inn"), ogrn, None)
        return ogrn

    @field_validator("kpp")
    @classmethod
    def _kpp_only_for_organisations(cls, kpp: str | None, info: ValidationInfo) -> str | None:
        check_identity_pair(info.data.get("inn"), None, kpp)
        return kpp


app = api()


@app.post("/things")
def create(thing: Thing) -> dict[str, Any]:
    return thing.model_dump(mode="json", exclude_none=True)


@app.get("/things")
def search(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    return {"limit": limit}


@app.put("/things/conflict")
def conflict() -> dict[str, Any]:
    raise Conflict(
        "version 2 is stale: the company is at version 3",
        ru="Версия 2 устарела: компания уже в версии 3 — обновите страницу",
        field="version",
        extensions={"current_version": 3, "status": 500},
    )


@app.get("/things/missing")
def missing() -> dict[str, Any]:
    raise NotFound("company 42 not found", field="id")


@app.get("/things/busy")
def busy() -> dict[str, Any]:
    raise TooManyRequests("more than 5 requests per minute", retry_after=30, ru="Больше 5 запросов в минуту")


def call(
    method: str, path: str, *, body: str | None = None, language: str | None = None, header: str = "accept-language"
) -> tuple[int, dict[str, str], dict[str, Any]]:
    ev = event("http/create_company", rawPath=path, routeKey=f"{method} {path}", body=body)
    ev["requestContext"]["http"]["method"] = method
    ev["requestContext"]["http"]["path"] = path
    if language is not None:
        ev["headers"][header] = language
    context: Any = LambdaContext()
    response = app.resolve(ev, context)
    return response["statusCode"], response["headers"], json.loads(response["body"])


def post(payload: dict[str, Any], language: str | None = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    return call("POST", "/things", body=json.dumps(payload, ensure_ascii=False), language=language)


def error_for(body: dict[str, Any], field: str) -> dict[str, Any]:
    found = [e for e in body["errors"] if e["field"] == field]
    assert found, f"no error for {field}: {body['errors']}"
    item: dict[str, Any] = found[0]
    return item


# --- the language -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "ru"),
        ("", "ru"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, ru;q=0.9", "ru"),
        ("ru;q=0.4, en;q=0.6", "en"),
        ("en, ru", "en"),
        ("ru, en", "ru"),
        ("ru;q=0.5, en;q=0.5", "ru"),
        ("*", "ru"),
        ("en;q=0.5, *", "ru"),
        ("ru;q=0, *", "en"),
        ("en;q=0", "ru"),
        ("de, fr;q=0.9", "ru"),
        ("de, en;q=0.3", "en"),
        ("uk, be", "ru"),
        ("en;q=banana, ru;q=0.1", "ru"),
        ("  en-US ; q=1.0 ,ru;q=0.99", "en"),
        (",,;", "ru"),
    ],
)
def test_preferred_language_parses_q_values(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_russian_is_the_default() -> None:
    status, headers, body = post({"name": "X"})
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Content-Language"] == "ru"
    assert body["title"] == "Ошибка проверки данных"
    assert body["errors"] == [{"field": "name", "in": "body", "label": "Название", "message": "Не короче 2 символов"}]
    assert body["detail"] == "Проверьте поле: Название (name)"


def test_english_for_accept_language_en() -> None:
    status, headers, body = post({"name": "X"}, language="en-US,en;q=0.9")
    assert status == 422
    assert headers["Content-Language"] == "en"
    assert body["title"] == "Validation failed"
    assert body["errors"] == [{"field": "name", "in": "body", "label": "Name", "message": "At least 2 characters"}]
    assert body["detail"] == "Check this field: Name (name)"


def test_header_name_is_case_insensitive() -> None:
    status, headers, body = call("POST", "/things", body='{"name": "X"}', language="en", header="Accept-Language")
    assert status == 422
    assert headers["Content-Language"] == "en"
    assert body["errors"][0]["message"] == "At least 2 characters"


def test_q_values_pick_the_language_of_the_answer() -> None:
    _, headers, body = post({"name": "X"}, language="en;q=0.5, ru;q=0.9")
    assert headers["Content-Language"] == "ru"
    assert body["errors"][0]["message"] == "Не короче 2 символов"
    _, headers, _ = post({"name": "X"}, language="*")
    assert headers["Content-Language"] == "ru"


def test_several_fields_are_listed_in_the_detail() -> None:
    _, _, body = post({"inn": "123"})
    assert [e["field"] for e in body["errors"]] == ["name", "inn"]
    assert body["detail"] == "Проверьте поля: Название (name), ИНН (inn)"
    assert error_for(body, "name")["message"] == "Обязательное поле"
    _, _, body = post({"inn": "123"}, language="en")
    assert body["detail"] == "Check these fields: Name (name), INN (inn)"
    assert error_for(body, "name")["message"] == "This field is required"


# --- the legal identifiers ----------------------------------------------------------------------------


def test_inn_checksum_is_explained_in_russian() -> None:
    status, _, body = post({"name": "Сбер", "inn": VALID_INN[:-1] + "4"})
    assert status == 422
    item = error_for(body, "inn")
    assert item["label"] == "ИНН"
    assert item["message"] == "ИНН: неверная контрольная сумма — проверьте номер"
    assert "ИНН" in body["detail"]


def test_inn_checksum_in_english() -> None:
    _, _, body = post({"name": "Sber", "inn": VALID_INN[:-1] + "4"}, language="en")
    item = error_for(body, "inn")
    assert item["label"] == "INN"
    assert item["message"].startswith("INN: the check digit does not match")


def test_valid_identifiers_pass_even_with_spaces() -> None:
    status, _, body = post({"name": "Сбер", "inn": "7707 083 893", "ogrn": VALID_OGRN, "kpp": "773601001"})
    assert status == 200
    assert body["inn"] == VALID_INN


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"inn": "12345"}, "inn", "ИНН: нужно 10 цифр (организация) или 12 цифр (физическое лицо, ИП)"),
        ({"ogrn": "123"}, "ogrn", "ОГРН: нужно 13 цифр (у ИП — ОГРНИП из 15 цифр)"),
        ({"ogrn": VALID_OGRN[:-1] + "6"}, "ogrn", "ОГРН: неверная контрольная сумма — проверьте номер"),
        ({"kpp": "12"}, "kpp", "КПП: 9 символов — 4 цифры, затем 2 цифры или латинские буквы, затем 3 цифры"),
        (
            {"inn": VALID_INN, "ogrn": SOLE_TRADER_OGRNIP},
            "ogrn",
            messages.message({"type": "ogrn_kind_mismatch"}, "ru"),
        ),
        ({"inn": SOLE_TRADER_INN, "kpp": "773601001"}, "kpp", messages.message({"type": "kpp_for_individual"}, "ru")),
    ],
)
def test_legal_identifier_errors_in_russian(payload: dict[str, Any], field: str, message: str) -> None:
    status, _, body = post({"name": "Сбер", **payload})
    assert status == 422
    assert error_for(body, field)["message"] == message


def test_identity_pair_messages_name_both_numbers() -> None:
    assert messages.message({"type": "ogrn_kind_mismatch"}, "ru").startswith("ОГРН не соответствует ИНН")
    assert "КПП" in messages.message({"type": "kpp_for_individual"}, "ru")
    assert "lower bound" in messages.message({"type": "range_inverted"}, "en")


# --- plural forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "символов"),
        (1, "символ"),
        (2, "символа"),
        (4, "символа"),
        (5, "символов"),
        (11, "символов"),
        (12, "символов"),
        (14, "символов"),
        (21, "символ"),
        (22, "символа"),
        (25, "символов"),
        (101, "символ"),
        (111, "символов"),
        (112, "символов"),
        (122, "символа"),
        (1_000_001, "символ"),
    ],
)
def test_plural_ru(n: int, form: str) -> None:
    assert plural_ru(n, "символ", "символа", "символов") == form


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"headquarters_city": "ab"}, "headquarters_city", "Не длиннее 1 символа"),
        ({"description": "abcd"}, "description", "Не длиннее 3 символов"),
        ({"name": "abcdefg"}, "name", "Не длиннее 5 символов"),
        ({"roles": []}, "roles", "Нужно хотя бы 1 элемент (сейчас 0)"),
        ({"integrations": ["a"]}, "integrations", "Нужно хотя бы 2 элемента (сейчас 1)"),
        ({"integrations": list("abcdef")}, "integrations", "Не больше 5 элементов (сейчас 6)"),
        ({"employees_count": 0}, "employees_count", "Не меньше 1"),
        ({"employees_count": 20_000_000}, "employees_count", f"Не больше 10{NBSP}000{NBSP}000"),
        ({"employees_count": "много"}, "employees_count", "Должно быть целым числом"),
        ({"employees_count": 1.5}, "employees_count", "Должно быть целым числом, без дробной части"),
        ({"website": "ftp://example.com"}, "website", "Адрес должен начинаться с http:// или https://"),
        ({"website": "not a url"}, "website", messages.message({"type": "url_parsing"}, "ru")),
        ({"owner": "me"}, "owner", "Неизвестное поле — уберите его из запроса"),
    ],
)
def test_russian_messages_use_the_constraints(payload: dict[str, Any], field: str, message: str) -> None:
    _, _, body = post({"name": "Сбер", **payload})
    assert error_for(body, field)["message"] == message


def test_english_counts() -> None:
    _, _, body = post({"name": "Sber", "headquarters_city": "ab", "roles": [], "integrations": ["a"]}, language="en")
    assert error_for(body, "headquarters_city")["message"] == "At most 1 character"
    assert error_for(body, "roles")["message"] == "At least 1 item (got 0)"
    assert error_for(body, "integrations")["message"] == "At least 2 items (got 1)"


def test_an_unknown_field_is_labelled_by_its_path() -> None:
    _, _, body = post({"name": "Сбер", "owner": "me"})
    assert error_for(body, "owner")["label"] == "owner"
    assert "owner" in body["detail"]


# --- choices and nested fields ------------------------------------------------------------------------


def test_literal_error_lists_the_allowed_values() -> None:
    _, _, body = post({"name": "Сбер", "business_model": "P2P"})
    item = error_for(body, "business_model")
    assert item["label"] == "Бизнес-модель"
    assert item["message"] == "Допустимые значения: B2B, B2C, B2B2C"
    _, _, body = post({"name": "Sber", "business_model": "P2P"}, language="en")
    assert error_for(body, "business_model")["message"] == "Allowed values: B2B, B2C, B2B2C"


def test_nested_field_label() -> None:
    _, _, body = post({"name": "Сбер", "tech_stack": {"languages": ["python", ""]}})
    item = error_for(body, "tech_stack.languages.1")
    assert item["in"] == "body"
    assert item["label"] == "Технологический стек → языки, элемент 2"
    assert item["message"] == "Не может быть пустым"
    _, _, body = post({"name": "Sber", "tech_stack": {"languages": [""]}}, language="en")
    assert error_for(body, "tech_stack.languages.0")["label"] == "Tech stack → languages, item 1"


def test_labels_of_paths() -> None:
    assert label("tech_stack.languages.0", "ru") == "Технологический стек → языки, элемент 1"
    assert label("sub_industries.2", "ru") == "Подотрасли, элемент 3"
    assert label("tech_stack.gpu", "ru") == "Технологический стек → gpu"
    assert label("mystery.field", "ru") == "mystery.field"
    assert label("kpp", "en") == "KPP"
    assert label("If-Match", "ru") == "Заголовок If-Match"


def test_describe_names_the_location_and_label() -> None:
    items = describe(
        [{"type": "less_than_equal", "loc": ("query", "limit"), "msg": "Input should be ...", "ctx": {"le": 100}}], "ru"
    )
    assert items == [{"field": "limit", "in": "query", "label": "Количество на странице", "message": "Не больше 100"}]


def test_query_validation_through_the_resolver() -> None:
    ev = event("http/search_companies", queryStringParameters={"limit": "1000"}, rawQueryString="limit=1000")
    ev.update(rawPath="/things", routeKey="GET /things")
    ev["requestContext"]["http"].update(method="GET", path="/things")
    context: Any = LambdaContext()
    response = app.resolve(ev, context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 422
    assert body["errors"] == [
        {"field": "limit", "in": "query", "label": "Количество на странице", "message": "Не больше 100"}
    ]


# --- domain errors ------------------------------------------------------------------------------------


def test_domain_error_in_russian_with_extensions() -> None:
    status, headers, body = call("PUT", "/things/conflict")
    assert status == 409
    assert headers["Content-Language"] == "ru"
    assert body["title"] == "Конфликт"
    assert body["detail"] == "Версия 2 устарела: компания уже в версии 3 — обновите страницу"
    assert body["current_version"] == 3
    assert body["status"] == 409  # an extension never replaces a standard member
    assert body["errors"] == [{"field": "version", "label": "Версия", "message": body["detail"]}]


def test_domain_error_in_english_with_extensions() -> None:
    status, headers, body = call("PUT", "/things/conflict", language="en")
    assert status == 409
    assert headers["Content-Language"] == "en"
    assert body["title"] == "Conflict"
    assert body["detail"] == "version 2 is stale: the company is at version 3"
    assert body["current_version"] == 3


def test_domain_error_without_russian_wording_keeps_the_english_detail() -> None:
    status, _, body = call("GET", "/things/missing")
    assert status == 404
    assert body["title"] == "Не найдено"
    assert body["detail"] == "company 42 not found"
    assert body["errors"] == [{"field": "id", "label": "Идентификатор", "message": "company 42 not found"}]
    assert "current_version" not in body


def test_too_many_requests_keeps_retry_after() -> None:
    status, headers, body = call("GET", "/things/busy")
    assert status == 429
    assert headers["Retry-After"] == "30"
    assert body["title"] == "Слишком много запросов"
    assert body["detail"] == "Больше 5 запросов в минуту"
    _, _, body = call("GET", "/things/busy", language="en")
    assert body["detail"] == "more than 5 requests per minute"


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("Bad request", "Некорректный запрос"),
        ("Validation failed", "Ошибка проверки данных"),
        ("Not found", "Не найдено"),
        ("Conflict", "Конфликт"),
        ("Forbidden", "Доступ запрещён"),
        ("Unauthorized", "Требуется вход"),
        ("Too many requests", "Слишком много запросов"),
        ("Malformed precondition", "Некорректное условие запроса"),
    ],
)
def test_titles(english: str, russian: str) -> None:
    assert messages.title(english, "ru") == russian
    assert messages.title(english, "en") == english


def test_unknown_title_falls_back_to_the_status() -> None:
    assert messages.title("Gone fishing", "ru", 409) == "Конфликт"
    assert messages.title("Gone fishing", "ru", 418) == "Gone fishing"


# --- malformed JSON and unknown routes ----------------------------------------------------------------


def test_malformed_json_is_still_400_in_russian() -> None:
    status, headers, body = call("POST", "/things", body="{name:")
    assert status == 400
    assert headers["Content-Language"] == "ru"
    assert body["title"] == "Некорректный JSON"
    assert body["detail"] == "Тело запроса не является корректным JSON"
    assert body["errors"][0]["field"] == "body"
    assert body["errors"][0]["label"] == "Тело запроса"
    assert body["errors"][0]["message"].startswith("Некорректный JSON — проверьте кавычки, запятые и скобки")


def test_malformed_json_is_still_400_in_english() -> None:
    status, headers, body = call("POST", "/things", body="{name:", language="en")
    assert status == 400
    assert headers["Content-Language"] == "en"
    assert body["title"] == "Malformed JSON"
    assert body["errors"][0]["field"] == "body"


def test_unknown_route_is_answered_in_the_language() -> None:
    status, _, body = call("GET", "/nowhere")
    assert status == 404
    assert body["title"] == "Не найдено"
    assert "/nowhere" in body["detail"]


# --- the catalog covers what the schemas raise -----------------------------------------------------------

REQUIRED_TYPES = [
    "missing", "extra_forbidden", "string_too_short", "string_too_long", "string_pattern_mismatch", "string_type",
    "int_parsing", "int_type", "int_from_float", "float_parsing", "bool_parsing", "greater_than_equal",
    "less_than_equal", "greater_than", "less_than", "too_short", "too_long", "list_type", "literal_error", "enum",
    "url_parsing", "url_scheme", "url_type", "date_from_datetime_parsing", "date_parsing", "date_type",
    "datetime_parsing", "uuid_parsing", "json_invalid", "dict_type", "model_type", "value_error",
    "inn_format", "inn_checksum", "ogrn_format", "ogrn_checksum", "kpp_format", "ogrn_kind_mismatch",
    "kpp_for_individual", "range_inverted", "page_beyond_results", "unknown_industry", "unknown_sub_industry",
]  # fmt: skip


@pytest.mark.parametrize("kind", REQUIRED_TYPES)
def test_every_required_type_has_both_wordings(kind: str) -> None:
    ctx = {"min_length": 2, "max_length": 5, "ge": 1, "le": 9, "gt": 0, "lt": 10, "expected": "'a' or 'b'",
           "pattern": "^x$", "error": "reason", "actual_length": 1}  # fmt: skip
    error = {"type": kind, "msg": "pydantic says no", "ctx": ctx}
    ru, en = messages.message(error, "ru"), messages.message(error, "en")
    assert kind == "string_pattern_mismatch" or kind in CATALOG
    assert ru != "pydantic says no"
    assert en != "pydantic says no"
    assert any("а" <= ch <= "я" for ch in ru.lower()), ru
    assert ru != en


def test_unknown_type_falls_back_to_pydantic_message() -> None:
    error = {"type": "something_new", "msg": "Something is off", "loc": ("body", "name")}
    assert messages.message(error, "ru") == "Something is off"
    assert messages.message(error, "en") == "Something is off"


def test_known_patterns_are_worded() -> None:
    error = {"type": "string_pattern_mismatch", "ctx": {"pattern": r"^[a-z0-9_]+$"}}
    assert messages.message(error, "ru").startswith("Только строчные латинские буквы")
    assert messages.message({"type": "string_pattern_mismatch", "ctx": {"pattern": "^x$"}}, "ru") == "Неверный формат"


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_schema_fields_have_labels() -> None:
    company = (
        _fields(company_model.CompanyCreate)
        | _fields(company_model.CompanyListQuery)
        | _fields(search_model.SearchQuery)
    )
    identity = {
        name
        for model in (
            identity_model.RegisterCommand,
            identity_model.LoginCommand,
            identity_model.RefreshCommand,
            identity_model.UpdateMeCommand,
            identity_model.SetRolesCommand,
        )
        for name in _fields(model)
    }
    missing = sorted(name for name in company | identity if name not in LABELS)
    assert not missing, f"add labels to shared/http/messages.LABELS for {missing}"
    stack = {f"tech_stack.{name}" for name in company_model.TechStack.model_fields}
    assert stack <= set(LABELS)
    assert typing.get_args(messages.Language) == ("ru", "en")
