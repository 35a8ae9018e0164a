"""ClassifyCompanyAgentFunction (Kafka `company.events` -> `companies.llm_proposals`): with YandexGPT
configured (its key in the emulator's Secrets Manager, the stand-in on loopback) a new company without codes
gets the model's kinds stored with source `llm`; without a provider, or for a company with codes of its own,
no model is asked; an unreadable record fails the batch naming it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from types import ModuleType

import pytest
from functions.calls import cold_start, company, principal, row
from functions.stream_calls import kafka_batch, outbox_events

from localcloud.runtime import boto_session
from localcloud.servers.llm_providers import FakeYandexGPT
from shared.events import UnreadableRecord
from support import LambdaContext

FOLDER = "b1g" + secrets.token_hex(8)
KEY = "AQVN" + secrets.token_hex(16)
SECRET = "algoarts/test-llm-yandexgpt-" + secrets.token_hex(4)
DESCRIPTION = "Сервис приёма онлайн-платежей для интернет-магазинов: карты, СБП, платёжные ссылки."


@pytest.fixture(scope="module")
def yandexgpt(aws_endpoint: str) -> Iterator[FakeYandexGPT]:
    boto_session(aws_endpoint).client("secretsmanager").create_secret(Name=SECRET, SecretString=KEY)
    with FakeYandexGPT(FOLDER, KEY) as server:
        yield server


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, yandexgpt: FakeYandexGPT
) -> ModuleType:
    yandexgpt.reset()
    return cold_start(
        monkeypatch,
        "agents",
        "classify_company",
        aws=aws_endpoint,
        database_url=postgres_url,
        redis_url=redis_url,
        yandex_folder_id=FOLDER,
        llm_yandexgpt_api_key_secret=SECRET,
        llm_yandexgpt_url=yandexgpt.url,
        llm_record_calls="false",
    )


def test_a_company_without_codes_gets_the_models_kinds(
    fn: ModuleType, yandexgpt: FakeYandexGPT, postgres_url: str, redis_url: str
) -> None:
    created = company(postgres_url, redis_url, principal("paid_user"), description=DESCRIPTION)
    own = company(postgres_url, redis_url, principal("paid_user"), description=DESCRIPTION, sub_industries=["payments"])
    yandexgpt.answer_next(1, {"kinds": [{"code": "payments", "confidence": 0.95}]})
    batch = kafka_batch(*outbox_events(postgres_url, created.id), *outbox_events(postgres_url, own.id))
    assert fn.handler(batch, LambdaContext()) == {"records": 2, "outcomes": {"stored": 1, "own_codes": 1}}
    assert len(yandexgpt.completions()) == 1
    stored = row(postgres_url, "SELECT llm_proposals, llm_classified_version FROM companies WHERE id = %s", created.id)
    assert stored == {
        "llm_proposals": [{"code": "payments", "confidence": 0.95, "source": "llm"}],
        "llm_classified_version": created.version,
    }
    # Redelivered: this text was answered, so the model is not asked again.
    assert fn.handler(batch, LambdaContext())["outcomes"] == {"answered": 1, "own_codes": 1}
    assert len(yandexgpt.completions()) == 1


def test_without_a_provider_nothing_is_asked(
    monkeypatch: pytest.MonkeyPatch, yandexgpt: FakeYandexGPT, postgres_url: str, redis_url: str
) -> None:
    yandexgpt.reset()
    offline = cold_start(monkeypatch, "agents", "classify_company", database_url=postgres_url, redis_url=redis_url)
    created = company(postgres_url, redis_url, principal("paid_user"), description=DESCRIPTION)
    batch = kafka_batch(*outbox_events(postgres_url, created.id))
    assert offline.handler(batch, LambdaContext()) == {"records": 1, "outcomes": {"no_provider": 1}}
    assert yandexgpt.completions() == []


def test_an_unreadable_record_fails_the_batch_naming_it(fn: ModuleType) -> None:
    with pytest.raises(UnreadableRecord, match=r"company\.events"):
        fn.handler(kafka_batch(b"not json"), LambdaContext())
