"""The company catalog as a new user meets it on `make dev`: create with a real INN, see it verified
against the ЕГРЮЛ stand-in, change it twice, read its history, get 409 on a stale write, find it
through the list filters; plus the sample catalog, slugs, soft delete, ownership and ru/en errors."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import uuid
from typing import Any

import psycopg
import pytest

import slice_checks as checks
from e2e_cloud import Cloud
from localcloud import process
from localcloud.servers import dadata
from shared.companies.legal import inn_check_digits

YANDEX_INN = "7736207543"
PROBLEM = "application/problem+json"


def _wait_verified(cloud: Cloud, company_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Polls the database, not the API: the demo account's 100 requests a minute are for the tests."""

    def answered() -> bool:
        with psycopg.connect(cloud.database_url) as conn:
            row = conn.execute("SELECT verified_at FROM companies WHERE id = %s", (company_id,)).fetchone()
        return bool(row and row[0])

    checks.wait_for(answered, timeout=timeout, interval=0.3)
    return dict(cloud.http.get(f"/v1/companies/{company_id}").json())


def _fresh_inn() -> str:
    body = "77" + f"{uuid.uuid4().int % 10**7:07d}"
    return body + inn_check_digits(body)


@pytest.fixture(scope="module")
def yandex(embedded: Cloud) -> dict[str, Any]:
    """The walkthrough's company: created with a real INN, then verified by the queue-triggered worker."""
    created = checks.create_company(
        embedded.http,
        name=f"Поиск и Реклама {uuid.uuid4().hex[:6]}",
        industry="martech",
        inn=YANDEX_INN,
        headquarters_city="Москва",
        employees_count=40,
        description="Поисковая реклама и аналитика для интернет-магазинов",
    )
    assert created["is_verified"] is False and created["version"] == 1
    return _wait_verified(embedded, created["id"])


def test_a_company_with_a_real_inn_is_verified_from_the_register(yandex: dict[str, Any]) -> None:
    assert yandex["is_verified"] is True
    assert yandex["legal_name"] == 'ООО "ЯНДЕКС"'
    assert yandex["ogrn"] == "1027700229193" and yandex["kpp"] == "770401001"
    assert yandex["legal_status"] == "active" and "Льва Толстого" in yandex["legal_address"]
    assert yandex["version"] == 2


def test_two_changes_a_stale_write_and_the_history(embedded: Cloud, yandex: dict[str, Any]) -> None:
    path = f"/v1/companies/{yandex['id']}"
    etag = embedded.http.get(path).headers["etag"]
    assert etag == '"2"'
    first = embedded.http.patch(path, json={"employees_count": 55}, headers={"If-Match": etag})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == '"3"' and first.json()["employees_range"] == "51-200"
    second = embedded.http.patch(path, json={"headquarters_city": "Санкт-Петербург"}, headers={"If-Match": '"3"'})
    assert second.status_code == 200 and second.json()["version"] == 4

    stale = embedded.http.patch(path, json={"employees_count": 1}, headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_version"] == 4
    assert embedded.http.get(path).json()["employees_count"] == 55

    history = embedded.http.get(f"{path}/history")
    assert history.status_code == 200
    events = history.json()["events"]
    assert [e["event_type"] for e in events] == [
        "company.created",
        "company.verified",
        "company.updated",
        "company.updated",
    ]
    assert events[3]["payload"] == {
        "changes": {"headquarters_city": "Санкт-Петербург"},
        "previous": {"headquarters_city": "Москва"},
    }


def test_the_company_is_found_through_the_list_filters(embedded: Cloud, yandex: dict[str, Any]) -> None:
    def listed(**params: Any) -> list[str]:
        response = embedded.http.get("/v1/companies", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    checks.wait_for(lambda: yandex["id"] in listed(industry="martech", verified="true"), timeout=5, interval=0.5)
    assert yandex["id"] in listed(industry="martech", employees_min=10, employees_max=60)
    assert yandex["id"] not in listed(industry="martech", employees_min=1000)
    assert yandex["id"] not in listed(industry="fintech")


def test_the_sample_catalog_has_hundreds_of_companies_verified_in_the_background(embedded: Cloud) -> None:
    with psycopg.connect(embedded.database_url) as conn:
        total = conn.execute("SELECT count(*) FROM companies WHERE deleted_at IS NULL").fetchone()
        industries = conn.execute("SELECT count(DISTINCT industry) FROM companies").fetchone()
    assert total is not None and total[0] >= 300
    assert industries is not None and industries[0] >= 10

    def verified_in_database() -> int:
        with psycopg.connect(embedded.database_url) as conn:
            row = conn.execute("SELECT count(*) FROM companies WHERE is_verified").fetchone()
        return int(row[0]) if row else 0

    checks.wait_for(lambda: verified_in_database() >= 100, timeout=60, interval=1)
    page = embedded.http.get("/v1/companies", params={"verified": "true", "country": "RU", "limit": 100})
    assert len(page.json()["items"]) == 100


def test_cursor_pagination_walks_a_filtered_list_without_repeats(embedded: Cloud) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"industry": "fintech,ecommerce", "sort": "name", "limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = embedded.http.get("/v1/companies", params=params).json()
        seen += [c["name"].lower() for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) > 14
    assert seen == sorted(seen)


def test_each_read_counts_a_view(embedded: Cloud, yandex: dict[str, Any]) -> None:
    first = embedded.http.get(f"/v1/companies/{yandex['id']}").json()["view_count"]
    assert embedded.http.get(f"/v1/companies/{yandex['slug']}").json()["view_count"] == first + 1


def test_unknown_inn_is_recorded_as_a_failed_verification(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http, inn=_fresh_inn())
    result = _wait_verified(embedded, company["id"])
    assert result["is_verified"] is False and "не найден" in result["verification_error"]
    again = embedded.http.post(f"/v1/companies/{company['id']}/verify")
    assert again.status_code == 202 and again.json() == {"company_id": company["id"], "status": "queued"}


def test_duplicate_inn_is_a_409_naming_the_existing_company(embedded: Cloud) -> None:
    inn = _fresh_inn()
    first = checks.create_company(embedded.http, inn=inn)
    duplicate = embedded.http.post("/v1/companies", json={"name": "Дубликат", "industry": "fintech", "inn": inn})
    assert duplicate.status_code == 409 and duplicate.headers["content-type"] == PROBLEM
    assert duplicate.json()["existing_id"] == first["id"]
    assert duplicate.json()["errors"][0]["field"] == "inn"


def test_a_renamed_company_keeps_its_old_link(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http, name=f"Склад Онлайн {uuid.uuid4().hex[:6]}")
    renamed = embedded.http.patch(f"/v1/companies/{company['id']}", json={"name": f"Склад Про {uuid.uuid4().hex[:6]}"})
    assert renamed.status_code == 200 and renamed.json()["slug"].startswith("sklad-pro-")
    old = embedded.http.get(f"/v1/companies/{company['slug']}", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == renamed.json()["slug"]  # relative to /v1/companies/
    assert embedded.http.get(f"/v1/companies/{company['slug']}", follow_redirects=True).json()["id"] == company["id"]


def test_deleted_company_is_404_until_restored(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http)
    path = f"/v1/companies/{company['id']}"
    assert embedded.http.delete(path, headers={"If-Match": '"1"'}).status_code == 204
    for key in (company["id"], company["slug"]):
        gone = embedded.http.get(f"/v1/companies/{key}")
        assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM
    assert embedded.http.get(f"{path}/history").status_code == 404
    restored = embedded.http.post(f"{path}/restore")
    assert restored.status_code == 200 and restored.json()["version"] == 3
    assert embedded.http.get(path).status_code == 200


def test_another_owners_company_is_403(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http)
    with embedded.client_for("paid_user") as stranger:
        for method, suffix, body in (
            ("PATCH", "", {"description": "чужое"}),
            ("DELETE", "", None),
            ("POST", "/verify", None),
        ):
            response = stranger.request(method, f"/v1/companies/{company['id']}{suffix}", json=body)
            assert response.status_code == 403, (method, response.text)
            assert response.headers["content-type"] == PROBLEM


def test_validation_errors_speak_russian_or_english(embedded: Cloud) -> None:
    bad = {"name": "Ok", "industry": "fintech", "inn": "7736207544", "employees_count": 0, "business_model": "B3B"}
    ru = embedded.http.post("/v1/companies", json=bad)
    assert ru.status_code == 422 and ru.headers["content-language"] == "ru"
    errors = {e["field"]: e for e in ru.json()["errors"]}
    assert set(errors) == {"inn", "employees_count", "business_model"}
    assert errors["inn"]["label"] == "ИНН" and "контрольн" in errors["inn"]["message"]
    assert "B2B" in errors["business_model"]["message"]
    en = embedded.http.post("/v1/companies", json=bad, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert en.status_code == 422 and en.headers["content-language"] == "en"
    assert "check digit" in {e["field"]: e for e in en.json()["errors"]}["inn"]["message"]
    ogrn = {**bad, "inn": YANDEX_INN, "employees_count": 5, "business_model": "B2B", "ogrn": "1027700229194"}
    assert [e["field"] for e in embedded.http.post("/v1/companies", json=ogrn).json()["errors"]] == ["ogrn"]


def test_the_taxonomy_is_published_and_company_codes_are_checked_against_it(embedded: Cloud) -> None:
    """GET /v1/taxonomy is public and cacheable (304 for a current copy); a company naming a code it lacks is a
    422 naming the item and offering the nearest code, in the caller's language; its codes write."""
    published = embedded.anonymous.get("/v1/taxonomy")
    assert published.status_code == 200, published.text
    assert published.headers["cache-control"] == "public, max-age=3600"
    etag = published.headers["etag"]
    fintech = next(i for i in published.json()["industries"] if i["key"] == "fintech")
    payments = {"key": "payments", "label": {"ru": "Платежи и эквайринг", "en": "Payments and acquiring"}}
    assert payments in fintech["sub_industries"]
    assert {"a", "b", "synergy"} == set(published.json()["complements"][0])
    signed_in = embedded.http.get("/v1/taxonomy")
    assert (signed_in.status_code, signed_in.headers["etag"], signed_in.json()) == (200, etag, published.json())
    current = embedded.anonymous.get("/v1/taxonomy", headers={"If-None-Match": etag})
    assert (current.status_code, current.content, current.headers["etag"]) == (304, b"", etag)

    body = {"name": f"ВитринаПэй {uuid.uuid4().hex[:6]}", "industry": "ecommerce"}
    unknown = embedded.http.post("/v1/companies", json={**body, "sub_industries": ["store_builder", "paymnts"]})
    assert unknown.status_code == 422 and unknown.headers["content-type"] == PROBLEM, unknown.text
    (error,) = unknown.json()["errors"]
    assert (error["field"], error["label"]) == ("sub_industries.1", "Подотрасли, элемент 2")
    assert error["message"] == (
        "Неизвестная подотрасль «paymnts» — возможно, вы имели в виду payments (Платежи и эквайринг)"
    )
    english = embedded.http.post(
        "/v1/companies", json={**body, "industry": "FinTech"}, headers={"Accept-Language": "en"}
    )
    assert english.status_code == 422 and english.headers["content-language"] == "en"
    assert [(e["field"], e["message"]) for e in english.json()["errors"]] == [
        ("industry", "Unknown industry 'FinTech': did you mean fintech (Fintech)?")
    ]

    # A sub-industry of another industry is fine (an online store selling a payment product).
    created = checks.create_company(embedded.http, **body, sub_industries=["store_builder", "payments"])
    assert (created["industry"], created["sub_industries"]) == ("ecommerce", ["store_builder", "payments"])
    patch = embedded.http.patch(f"/v1/companies/{created['id']}", json={"sub_industries": ["платежи"]})
    assert patch.status_code == 422 and "payments" in patch.json()["errors"][0]["message"], patch.text


def test_a_registry_outage_loses_no_request(embedded: Cloud) -> None:
    """With the register down the request waits in the queue (retried with backoff); once the register
    is back the company gets its answer."""
    part = embedded.state.parts["dadata"]
    assert part.port is not None
    process.stop(part.pid)
    company = checks.create_company(embedded.http, inn=_fresh_inn())
    time.sleep(3)  # the worker has met the outage by now
    with psycopg.connect(embedded.database_url) as conn:
        row = conn.execute("SELECT verified_at FROM companies WHERE id = %s", (company["id"],)).fetchone()
    assert row == (None,)
    folder, log = embedded.state_dir / "dadata", embedded.state_dir / "logs" / "dadata-again.log"
    argv = [sys.executable, "-m", "localcloud.servers.dadata", "--port", str(part.port)]
    pid = process.spawn([*argv, "--token-file", str(folder / "token"), "--records", str(folder / "records.json")], log)
    # The register stays up for the later tests; the cloud's teardown stops it by this pid.
    state = embedded.reload()
    state.parts["dadata"] = dataclasses.replace(part, pid=pid, log=str(log))
    state.save(embedded.state_dir)
    process.wait_ready("dadata", pid, log, lambda: dadata.is_ready(part.port or 0), 30)
    result = _wait_verified(embedded, company["id"], timeout=90)
    assert "не найден" in result["verification_error"]  # answered, not lost


# --- read models: rebuild from the event store, dead letters listed and redriven -----------------


def _dead_letters(cloud: Cloud, queue: str) -> list[dict[str, Any]]:
    listed = json.loads(cloud.cli("dead-letters", "list", queue, "--json").stdout)
    return list(listed[0]["messages"])


def test_a_parked_verification_is_redriven_to_the_register(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http, inn=_fresh_inn())
    _wait_verified(embedded, company["id"], timeout=90)  # answered once: not found (after any poison retries)
    request = {
        "company_id": company["id"],
        "inn": company["inn"],
        "correlation_id": "e2e-redrive",
        "requested_at": "2026-11-24T10:00:00Z",
    }
    sqs = embedded.boto().client("sqs")
    sqs.send_message(
        QueueUrl=embedded.state.queues["CompanyVerificationDeadLetters"],
        MessageBody=json.dumps({"reason": "e2e: parked", "message_id": "e2e-1", "body": json.dumps(request)}),
    )
    letters = [
        m
        for m in _dead_letters(embedded, "CompanyVerificationDeadLetters")
        if m.get("request", {}).get("company_id") == company["id"]
    ]
    assert letters and letters[0]["reason"] == "e2e: parked"
    done = embedded.cli(
        "dead-letters", "redrive", "CompanyVerificationDeadLetters", "--message-id", letters[0]["message_id"]
    )
    assert "1 redriven" in done.stdout
    assert not [
        m
        for m in _dead_letters(embedded, "CompanyVerificationDeadLetters")
        if m["message_id"] == letters[0]["message_id"]
    ]


def test_rebuilt_read_models_equal_the_event_store(embedded: Cloud) -> None:
    company = checks.create_company(embedded.http, name=f"Перестройка {uuid.uuid4().hex[:6]}")
    checks.wait_for(lambda: company["id"] in checks.search_ids(embedded.http, company["name"]), timeout=5, interval=0.5)
    with psycopg.connect(embedded.database_url) as conn:
        conn.execute("UPDATE companies SET name = 'испорчено' WHERE id = %s", (company["id"],))
        conn.execute("DELETE FROM company_search WHERE company_id = %s", (company["id"],))
    # The full-text read model lost it (the semantic side reads the vectors kept on `companies`).
    assert company["id"] not in checks.search_ids(embedded.http, company["name"], mode="text")

    rebuilt = embedded.cli("rebuild", "companies")
    assert "differed" in rebuilt.stdout
    embedded.cli("rebuild", "search")
    embedded.cli("rebuild", "cache")
    assert company["id"] in checks.search_ids(embedded.http, company["name"], mode="text")
    assert embedded.http.get(f"/v1/companies/{company['id']}").json()["name"] == company["name"]


# Last: after a poison batch the failed functions' workers restart cold in MiniStack, which slows
# every later delivery of this cloud for a while (AWS keeps a worker after a handled failure).
def test_a_poison_event_is_listed_with_its_reason_and_its_redrive_keeps_it(embedded: Cloud) -> None:
    checks.insert_poison_event(embedded.database_url)
    found: list[dict[str, Any]] = []

    def listed() -> bool:
        found[:] = [
            m
            for m in _dead_letters(embedded, "ProjectCompanyDeadLetters")
            if any(e.get("event_type") == checks.POISON_EVENT_TYPE for e in m["events"])
        ]
        return bool(found)

    checks.wait_for(listed, timeout=60, interval=2)
    letter = found[0]
    assert checks.POISON_EVENT_TYPE in letter["reason"] and letter["redrivable"]
    again = embedded.cli(
        "dead-letters", "redrive", "ProjectCompanyDeadLetters", "--message-id", letter["message_id"], check=False
    )
    assert again.returncode == 1 and "kept" in again.stdout  # still poison: not deleted
    assert any(m["message_id"] == letter["message_id"] for m in _dead_letters(embedded, "ProjectCompanyDeadLetters"))
