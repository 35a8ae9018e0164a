"""The DaData adapter of the legal-register port against the local DaData stand-in, over a real socket.

Why: verification of companies asks DaData's findById/party whether an INN/OGRN exists in ЕГРЮЛ and in what
state. These tests run the real `DadataRegistry` (httpx, retries, error mapping) against `FakeDadata`, which
speaks the same protocol, loaded with the real companies in ``dadata_registry.json``; faults (5xx, 429 with
Retry-After, slow answers, DaData's 403 body that quotes the API key) are injected per test. The last test
starts the fake as the local cloud does (``python -m localcloud.servers.dadata``) and stops it with SIGTERM.
The check-digit test of the fixture needs no server and is not marked integration.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from localcloud.servers.dadata import PATH, RECORDS_FILE, FakeDadata, load_records, suggestion
from shared.companies.legal import inn_check_digits, is_valid_inn, is_valid_kpp, is_valid_ogrn, ogrn_check_digit
from shared.legal_registry import LegalRecord, LegalRegistry, LegalStatus, RegistryRejected, RegistryUnavailable
from shared.legal_registry.dadata import DadataRegistry, epoch_ms_to_date

integration = pytest.mark.integration

TOKEN = secrets.token_hex(20)
ROOT = Path(__file__).resolve().parents[2]

YANDEX_INN, YANDEX_OGRN = "7736207543", "1027700229193"
# Synthetic (not a real company): numbers built with valid check digits from unassigned-looking bodies.
GONE_INN = "770000000" + inn_check_digits("770000000")
GONE_OGRN = "110770000000" + ogrn_check_digit("110770000000")
GONE = suggestion(
    GONE_INN,
    GONE_OGRN,
    "770001001",
    'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ТЕСТОВАЯ ЛИКВИДИРОВАННАЯ"',
    'ООО "ТЕСТОВАЯ ЛИКВИДИРОВАННАЯ"',
    "101000, г Москва, ул Мясницкая, д 1",
    status="LIQUIDATED",
    registration_date=date(2010, 3, 15),
    liquidation_date=date(2019, 11, 20),
)
UNKNOWN_INN = "770000001" + inn_check_digits("770000001")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeDadata]:
    with FakeDadata(TOKEN, [*load_records(), GONE]) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    if "fake" in request.fixturenames:
        request.getfixturevalue("fake").reset()


@pytest.fixture
def make_registry(fake: FakeDadata) -> Iterator[Callable[..., DadataRegistry]]:
    made: list[DadataRegistry] = []

    def make(**kw: Any) -> DadataRegistry:
        kw.setdefault("timeout", 2.0)
        kw.setdefault("attempts", 3)
        kw.setdefault("backoff", 0.01)
        registry = DadataRegistry(kw.pop("base_url", fake.url), kw.pop("token", TOKEN), **kw)
        made.append(registry)
        return registry

    yield make
    for registry in made:
        registry.close()


def recording_sleep() -> tuple[list[float], Callable[[float], None]]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    return slept, sleep


# -- found, not found, mapping --------------------------------------------------------------------------------


@integration
def test_finds_yandex_by_inn_and_maps_every_field(
    fake: FakeDadata, make_registry: Callable[..., DadataRegistry]
) -> None:
    registry = make_registry()
    assert isinstance(registry, LegalRegistry)

    record = registry.find(YANDEX_INN)

    assert record == LegalRecord(
        inn=YANDEX_INN,
        ogrn=YANDEX_OGRN,
        kpp="770401001",
        legal_name='ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЯНДЕКС"',
        short_name='ООО "ЯНДЕКС"',
        legal_address="119021, г Москва, ул Льва Толстого, д 16",
        status=LegalStatus.active,
        kind="legal",
        registration_date=None,  # not in the fixture: public sources disagree on the day
        liquidation_date=None,
        source="dadata",
    )
    assert record.is_operating
    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", PATH)
    assert sent.content_type == "application/json" and sent.accept == "application/json" and sent.authorized
    assert sent.body == {"query": YANDEX_INN, "branch_type": "MAIN", "count": 1, "type": "LEGAL"}


@integration
def test_unknown_inn_is_none(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    assert is_valid_inn(UNKNOWN_INN)
    assert make_registry().find(UNKNOWN_INN) is None
    assert fake.request_count == 1


@integration
def test_finds_by_ogrn_and_registration_date_from_epoch_ms(make_registry: Callable[..., DadataRegistry]) -> None:
    record = make_registry().find("1027739642281")  # АО "ТБАНК"
    assert record is not None
    assert (record.inn, record.kpp, record.short_name) == ("7710140679", "771301001", 'АО "ТБАНК"')
    assert record.registration_date == date(1994, 1, 28)
    assert record.legal_address == "127287, г Москва, ул Хуторская 2-я, д 38А стр 26"


@integration
def test_kpp_narrows_the_lookup(make_registry: Callable[..., DadataRegistry]) -> None:
    registry = make_registry()
    assert registry.find(YANDEX_INN, kpp="770401001") is not None
    assert registry.find(YANDEX_INN, kpp="770401002") is None


@integration
def test_liquidated_company(make_registry: Callable[..., DadataRegistry]) -> None:
    record = make_registry().find(GONE_OGRN)
    assert record is not None
    assert record.status is LegalStatus.liquidated and not record.is_operating
    assert (record.registration_date, record.liquidation_date) == (date(2010, 3, 15), date(2019, 11, 20))


@integration
def test_malformed_identifier_is_refused_before_any_request(
    fake: FakeDadata, make_registry: Callable[..., DadataRegistry]
) -> None:
    with pytest.raises(ValueError, match="INN"):
        make_registry().find("77362075")
    assert fake.request_count == 0


# -- rejected: not worth retrying -------------------------------------------------------------------------------


@integration
def test_wrong_token_is_rejected_without_retry(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    wrong = secrets.token_hex(20)
    with pytest.raises(RegistryRejected) as caught:
        make_registry(token=wrong).find(YANDEX_INN)
    assert caught.value.status == 401
    assert "API key" in str(caught.value) and wrong not in str(caught.value)
    assert fake.request_count == 1 and not fake.requests[0].authorized


@integration
def test_403_body_quoting_the_key_never_reaches_the_exception(
    fake: FakeDadata, make_registry: Callable[..., DadataRegistry], caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next(1, 403)  # DaData: "Feature 'SUGGESTIONS' disabled for token '<key>'"
    with caplog.at_level(logging.DEBUG), pytest.raises(RegistryRejected) as caught:
        make_registry().find(YANDEX_INN)
    text = f"{caught.value} {caught.value!r} {caught.value.args}"
    assert caught.value.status == 403 and "disabled for token '***'" in text
    assert TOKEN not in text and TOKEN not in caplog.text
    assert TOKEN not in repr(make_registry())


# -- unavailable: retried in process, then raised ------------------------------------------------------------


@integration
def test_503_twice_then_success(
    fake: FakeDadata, make_registry: Callable[..., DadataRegistry], caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next(2, 503)
    with caplog.at_level(logging.WARNING, logger="shared.legal_registry.dadata"):
        record = make_registry(attempts=3).find(YANDEX_INN)
    assert record is not None and record.inn == YANDEX_INN
    assert fake.request_count == 3
    assert caplog.text.count("HTTP 503") == 2 and YANDEX_INN not in caplog.text  # the number is not logged


@integration
def test_503_every_time_gives_up_after_attempts(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    fake.fail_next(10, 503, body={"family": "SERVER_ERROR", "reason": "Service Unavailable", "message": TOKEN})
    with pytest.raises(RegistryUnavailable) as caught:
        make_registry(attempts=4).find(YANDEX_INN)
    assert fake.request_count == 4
    assert caught.value.status == 503 and "after 4 attempt(s)" in str(caught.value)
    assert TOKEN not in str(caught.value)


@integration
def test_429_retry_after_is_honoured_and_capped(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    slept, sleep = recording_sleep()
    fake.fail_next(1, 429, retry_after=0.3)
    started = time.monotonic()
    assert make_registry(sleep=sleep, backoff=5.0).find(YANDEX_INN) is not None
    assert slept == [0.3] and time.monotonic() - started >= 0.3
    assert fake.request_count == 2

    slept.clear()
    fake.fail_next(2, 429, retry_after=3600)
    with pytest.raises(RegistryUnavailable) as caught:
        make_registry(sleep=sleep, attempts=2, max_retry_after=0.2).find(YANDEX_INN)
    assert slept == [0.2]
    assert caught.value.status == 429 and caught.value.retry_after == 3600  # the caller may wait that long


@integration
def test_slow_answer_times_out_and_is_retried(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    fake.delay_next(1, 1.5)
    started = time.monotonic()
    assert make_registry(timeout=0.3, attempts=2).find(YANDEX_INN) is not None
    assert fake.request_count == 2 and time.monotonic() - started < 1.5


@integration
def test_always_slow_gives_up(fake: FakeDadata, make_registry: Callable[..., DadataRegistry]) -> None:
    fake.delay_next(2, 1.5)
    with pytest.raises(RegistryUnavailable, match="timed out") as caught:
        make_registry(timeout=0.2, attempts=2).find(YANDEX_INN)
    assert caught.value.status is None and fake.request_count == 2


@integration
def test_connection_refused_is_unavailable(make_registry: Callable[..., DadataRegistry]) -> None:
    with FakeDadata(TOKEN) as gone:
        url = gone.url
    with pytest.raises(RegistryUnavailable, match="connection failed"):
        make_registry(base_url=url, attempts=2).find(YANDEX_INN)


# -- the fake's own protocol ----------------------------------------------------------------------------------


@integration
def test_fake_speaks_dadatas_error_bodies(fake: FakeDadata) -> None:
    with httpx.Client(base_url=fake.url) as client:
        unkeyed = client.post(PATH, json={"query": YANDEX_INN})
        no_query = client.post(PATH, json={"count": 1}, headers={"Authorization": f"Token {TOKEN}"})
        not_json = client.post(PATH, content=b"{", headers={"Authorization": f"Token {TOKEN}"})
        wrong_method = client.get(PATH)
        found = client.post(PATH, json={"query": YANDEX_OGRN}, headers={"Authorization": f"Token {TOKEN}"})
    assert unkeyed.status_code == 401 and unkeyed.json()["family"] == "CLIENT_ERROR"
    assert unkeyed.json()["reason"] == "Unauthorized"
    assert no_query.status_code == 400 and not_json.status_code == 400
    assert wrong_method.status_code == 405
    [hit] = found.json()["suggestions"]
    assert hit["data"]["inn"] == YANDEX_INN and hit["data"]["address"]["data"]["city"] == "Москва"
    assert hit["data"]["address"]["data"]["postal_code"] == "119021"


@integration
def test_fake_runs_as_a_process_until_sigterm(tmp_path: Path) -> None:
    token_file = tmp_path / "dadata.token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud.servers.dadata", "--port", "0", "--token-file", str(token_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "localstack"), str(ROOT)])},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        port = int(line.split()[1])
        with DadataRegistry(f"http://127.0.0.1:{port}", TOKEN, timeout=2.0) as registry:
            record = registry.find("7713140469")
        assert record is not None and record.short_name == 'АО "ЛАБОРАТОРИЯ КАСПЕРСКОГО"'
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert TOKEN not in line + out + err


# -- no server needed -------------------------------------------------------------------------------------------


def test_every_fixture_record_has_valid_identifiers() -> None:
    records = json.loads(RECORDS_FILE.read_text(encoding="utf-8"))
    assert len(records) >= 5
    inns = [r["data"]["inn"] for r in records]
    assert len(set(inns)) == len(inns)
    assert YANDEX_INN in inns
    for record in records:
        data = record["data"]
        assert is_valid_inn(data["inn"]), data["inn"]
        assert is_valid_ogrn(data["ogrn"]), data["ogrn"]
        assert (len(data["inn"]) == 10) == (len(data["ogrn"]) == 13), data["inn"]
        assert data["kpp"] is None or is_valid_kpp(data["kpp"]), data["kpp"]
        assert data["branch_type"] == "MAIN" and data["state"]["status"] in {"ACTIVE", "LIQUIDATED"}
        assert data["address"]["unrestricted_value"].startswith(data["address"]["data"]["postal_code"])


def test_dates_are_read_as_the_day_in_moscow() -> None:
    assert epoch_ms_to_date(759715200000) == date(1994, 1, 28)  # midnight UTC, as DaData stamps
    assert epoch_ms_to_date(759704400000) == date(1994, 1, 28)  # midnight Moscow (21:00 UTC the day before)
    assert epoch_ms_to_date(None) is None
