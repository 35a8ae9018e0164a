"""The synthetic sample catalog: the committed file is what the generator makes, and every row is plausible."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest

from localcloud.catalog.generate import (
    DEFAULT_OUT,
    INDUSTRIES,
    INTEGRATIONS,
    STAGES,
    generate,
)
from shared.companies.legal import is_valid_inn, is_valid_kpp, is_valid_ogrn
from shared.companies.model import CompanyImport

KEYS = [
    "name",
    "description",
    "website",
    "logo_url",
    "industry",
    "sub_industries",
    "business_model",
    "founded_year",
    "headquarters_country",
    "headquarters_city",
    "employees_count",
    "funding_total",
    "funding_stage",
    "last_funding_date",
    "inn",
    "ogrn",
    "kpp",
    "legal_name",
    "legal_address",
    "tech_stack",
    "integrations",
    "api_available",
    "api_documentation_url",
    "ai_tags",
    "ai_summary",
]
REGION_OF_CITY = {
    "Москва": "77",
    "Санкт-Петербург": "78",
    "Новосибирск": "54",
    "Екатеринбург": "66",
    "Казань": "16",
    "Нижний Новгород": "52",
    "Иннополис": "16",
    "Томск": "70",
    "Краснодар": "23",
    "Самара": "63",
    "Пермь": "59",
    "Ростов-на-Дону": "61",
}
CAPITALS = {"KZ": {"Алматы", "Астана"}, "BY": {"Минск"}, "AM": {"Ереван"}, "UZ": {"Ташкент"}}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)


@pytest.fixture(scope="module")
def catalog() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEFAULT_OUT.read_text("utf-8"))
    return rows


def test_committed_file_is_what_the_generator_makes(catalog: list[dict[str, Any]]) -> None:
    # Regenerate with `python -m localcloud.catalog.generate` after changing the generator.
    assert catalog == generate(320, 2026)


def test_generation_is_deterministic_and_seeded() -> None:
    assert generate(40, 7) == generate(40, 7)
    assert generate(40, 7) != generate(40, 8)


def test_size_keys_and_uniqueness(catalog: list[dict[str, Any]]) -> None:
    assert len(catalog) >= 300
    assert all(list(row) == KEYS for row in catalog)
    for key in ("name", "website", "inn", "ogrn"):
        values = [row[key] for row in catalog if row[key] is not None]
        duplicates = [value for value, n in Counter(values).items() if n > 1]
        assert not duplicates, f"duplicate {key}: {duplicates}"


def test_every_industry_has_competitors_and_complements(catalog: list[dict[str, Any]]) -> None:
    industries = Counter(row["industry"] for row in catalog)
    assert set(industries) == {industry.key for industry in INDUSTRIES}
    assert min(industries.values()) >= 8, industries
    for industry in INDUSTRIES:
        primaries = Counter(row["sub_industries"][0] for row in catalog if row["industry"] == industry.key)
        # Several sub-industries serving the same customers, most with more than one company.
        assert len(primaries) == len(industry.subs)
        assert sum(1 for n in primaries.values() if n >= 2) >= len(industry.subs) // 2


def test_legal_identifiers_are_valid_and_match_the_city(catalog: list[dict[str, Any]]) -> None:
    for row in catalog:
        if row["headquarters_country"] != "RU":
            assert row["headquarters_city"] in CAPITALS[row["headquarters_country"]]
            assert row["inn"] is None and row["ogrn"] is None and row["kpp"] is None
            continue
        inn, ogrn, kpp = row["inn"], row["ogrn"], row["kpp"]
        assert len(inn) == 10 and is_valid_inn(inn), row["name"]
        assert len(ogrn) == 13 and is_valid_ogrn(ogrn), row["name"]
        region = REGION_OF_CITY[row["headquarters_city"]]
        assert inn[:2] == region and ogrn[3:5] == region
        assert ogrn[0] in "15" and ogrn[1:3] == f"{row['founded_year'] % 100:02d}"
        assert is_valid_kpp(kpp) and kpp == inn[:4] + "01001"
        assert re.match(r'^(ООО|АО|ПАО) "[^"]+"$', row["legal_name"])
        assert row["legal_name"].split('"')[1] == row["legal_name"].split('"')[1].upper()
        assert re.match(r"^\d{6}, ", row["legal_address"]) and row["headquarters_city"] in row["legal_address"]


def test_descriptions_are_russian_prose(catalog: list[dict[str, Any]]) -> None:
    for row in catalog:
        text = row["description"]
        assert len(CYRILLIC.findall(text)) > 3 * len(LATIN.findall(text)), text
        assert 2 <= len(SENTENCE_END.findall(text)) <= 4, text
        assert CYRILLIC.search(row["ai_summary"]) and len(SENTENCE_END.findall(row["ai_summary"])) == 1
    cyrillic_names = sum(1 for row in catalog if CYRILLIC.search(row["name"]))
    assert cyrillic_names > len(catalog) / 2


def test_fields_are_in_range(catalog: list[dict[str, Any]]) -> None:
    subs_of = {industry.key: {sub.key for sub in industry.subs} for industry in INDUSTRIES}
    for row in catalog:
        assert set(row["sub_industries"]) <= subs_of[row["industry"]] and 1 <= len(row["sub_industries"]) <= 3
        assert all(SNAKE.match(s) for s in [row["industry"], *row["sub_industries"]])
        assert row["business_model"] in ("B2B", "B2C", "B2B2C")
        assert 2005 <= row["founded_year"] <= 2024
        assert 5 <= row["employees_count"] <= 5000
        assert row["funding_stage"] in STAGES
        if row["funding_stage"] == "bootstrapped":
            assert row["funding_total"] == 0 and row["last_funding_date"] is None
        else:
            assert row["funding_total"] > 0
            funded = date.fromisoformat(row["last_funding_date"])
            assert row["founded_year"] <= funded.year <= 2025
        assert re.match(r"^https://[a-z0-9-]+\.(ru|io|com|kz|by|am|uz)$", row["website"])
        domain = row["website"].removeprefix("https://")
        assert row["logo_url"] in (None, f"https://{domain}/logo.png")
        assert row["api_documentation_url"] == (f"https://{domain}/docs/api" if row["api_available"] else None)
        assert 2 <= len(row["integrations"]) <= 8 and set(row["integrations"]) <= set(INTEGRATIONS)
        assert len(set(row["integrations"])) == len(row["integrations"])
        assert 3 <= len(row["ai_tags"]) <= 6 and len(set(row["ai_tags"])) == len(row["ai_tags"])
        assert all(tag == tag.lower() for tag in row["ai_tags"])
        stack = row["tech_stack"]
        assert list(stack) == ["languages", "frameworks", "databases", "cloud"]
        assert all(stack[key] for key in stack), row["name"]


def test_shares_are_roughly_as_specified(catalog: list[dict[str, Any]]) -> None:
    n = len(catalog)
    models = Counter(row["business_model"] for row in catalog)
    assert 0.6 < models["B2B"] / n < 0.8
    assert 0.85 < sum(row["headquarters_country"] == "RU" for row in catalog) / n < 0.95
    assert 0.35 < sum(row["headquarters_city"] == "Москва" for row in catalog) / n < 0.55
    assert 0.55 < sum(row["api_available"] for row in catalog) / n < 0.75
    assert sorted(row["employees_count"] for row in catalog)[n // 2] < 300  # skewed small


def test_rows_pass_the_import_command(catalog: list[dict[str, Any]]) -> None:
    # The local cloud seeds the catalog through the bulk import, which validates each row with CompanyImport.
    for row in catalog:
        CompanyImport.model_validate(row)


def test_hundred_thousand_companies_stay_unique() -> None:
    started = time.perf_counter()
    rows = generate(100_000)
    elapsed = time.perf_counter() - started
    print(f"generate(100_000): {elapsed:.1f} s")
    assert len(rows) == 100_000
    inns = [row["inn"] for row in rows if row["inn"] is not None]
    ogrns = [row["ogrn"] for row in rows if row["ogrn"] is not None]
    assert len(inns) > 80_000 and len(set(inns)) == len(inns)
    assert len(set(ogrns)) == len(ogrns)
    assert len({row["name"] for row in rows}) == len(rows)
    assert len({row["website"] for row in rows}) == len(rows)
    assert all(is_valid_inn(inn) for inn in inns[:5000]) and all(is_valid_ogrn(o) for o in ogrns[:5000])
