"""The LLM as a second source of a company's kinds (shared.companies.kind_agent, classification.store_llm,
migration 0013) on a real Postgres, asking the YandexGPT stand-in over a real socket: its answer is stored
with source `llm` and merged with the nearest-neighbour proposals only while it read the company's current
text; an older event's answer never replaces a newer one; companies with codes of their own, or no provider
configured, cost no model call; a provider outage costs the LLM opinion, not the batch."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from localcloud.servers.llm_providers import FakeYandexGPT
from shared.commands import Context
from shared.companies import service as companies
from shared.companies.classification import Proposal, classify, store_llm
from shared.companies.enrichment import company_text, content_hash
from shared.companies.kind_agent import classify_with_llm
from shared.companies.model import CompanyCreate
from shared.embeddings.vectors import to_literal
from shared.events import EventEnvelope, parse_event
from shared.llm.runtime import LLMRuntime, build_runtime
from shared.llm.tasks import classify_kinds
from shared.settings import Settings

pytestmark = pytest.mark.integration

FOLDER = "b1g" + secrets.token_hex(8)
KEY = "AQVN" + secrets.token_hex(16)
STORE_BUILDER = CompanyCreate(
    name=f"Витрина {uuid.uuid4().hex[:6]}",
    industry="ecommerce",
    description="Конструктор интернет-магазинов для малого бизнеса: каталог, корзина, онлайн-оплата и доставка.",
    integrations=["yookassa", "cdek"],
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeYandexGPT]:
    with FakeYandexGPT(FOLDER, KEY) as server:
        yield server


@pytest.fixture
def settings(postgres_url: str, fake: FakeYandexGPT) -> Settings:
    fake.reset()
    return Settings(
        database_url=postgres_url,
        redis_url="redis://127.0.0.1:9",
        yandex_folder_id=FOLDER,
        llm_yandexgpt_api_key_secret="algoarts/llm-yandexgpt",
        llm_yandexgpt_url=fake.url,
        llm_attempts=1,
        llm_record_calls=False,
    )


@pytest.fixture
def runtime(settings: Settings) -> LLMRuntime:
    return build_runtime(settings, secret=lambda name: KEY)


def created(settings: Settings, pg: Any, command: CompanyCreate = STORE_BUILDER) -> EventEnvelope[Any]:
    """A company created through the service, as its `company.created` event reaches the agent."""
    company = companies.create_company(
        settings, command.model_copy(update={"name": f"{command.name} {uuid.uuid4().hex[:4]}"}), Context()
    )
    row = pg.execute("SELECT envelope FROM outbox WHERE message_key = %s ORDER BY id", (str(company.id),)).fetchone()
    pg.rollback()
    return parse_event(row["envelope"])


def row_of(pg: Any, company_id: str) -> dict[str, Any]:
    row = pg.execute(
        "SELECT proposed_sub_industries, model_proposals, llm_proposals, llm_classified_version, "
        "model_sub_industries, matching_sub_industries FROM companies WHERE id = %s",
        (company_id,),
    ).fetchone()
    pg.rollback()
    return dict(row)


def embedded(pg: Any, envelope: EventEnvelope[Any], text_hash: str) -> None:
    """The embedding function stored a vector of this text (a one-hot one of a model of this test's own)."""
    vector = [0.0] * 384
    vector[7] = 1.0
    pg.execute(
        "UPDATE companies SET embedding = %s::vector, embedding_model = %s, embedding_content_hash = %s WHERE id = %s",
        (to_literal(vector), f"test/{uuid.uuid4().hex[:8]}", text_hash, str(envelope.aggregate_id)),
    )
    pg.commit()


def test_the_models_answer_is_stored_as_llm_and_merged_once_the_text_is_embedded(
    settings: Settings, runtime: LLMRuntime, fake: FakeYandexGPT, pg: Any
) -> None:
    envelope = created(settings, pg)
    company_id = str(envelope.aggregate_id)
    fake.answer_next(
        1, {"kinds": [{"code": "store_builder", "confidence": 0.92}, {"code": "payments", "confidence": 0.3}]}
    )
    assert classify_with_llm(settings, pg, [envelope, envelope], runtime=runtime) == {"stored": 1}  # once per company
    (call,) = fake.completions()
    prompt = json.dumps(call.body, ensure_ascii=False)
    assert str(STORE_BUILDER.description) in prompt and "<company_data>" in prompt  # the text fenced as data
    assert (
        "store_builder — Конструкторы интернет-магазинов" in prompt and "payroll —" in prompt
    )  # the taxonomy's list, every industry
    row = row_of(pg, company_id)
    assert row["llm_proposals"] == [
        {"code": "store_builder", "confidence": 0.92, "source": "llm"},
        {"code": "payments", "confidence": 0.3, "source": "llm"},
    ]
    assert row["llm_classified_version"] == envelope.version
    # No vector of this text yet: what is shown and matched waits for it.
    assert row["proposed_sub_industries"] == [] and row["matching_sub_industries"] == []

    embedded(pg, envelope, content_hash(company_text(envelope.payload.company.model_dump(mode="json"))))
    merged = classify(pg, [company_id])[company_id]  # the embedding function's run, right after the vector
    assert merged[0] == Proposal("store_builder", 0.92, "llm")
    row = row_of(pg, company_id)
    assert row["proposed_sub_industries"][0] == {"code": "store_builder", "confidence": 0.92, "source": "llm"}
    assert row["matching_sub_industries"] == ["store_builder"]  # 0.3 is not close enough to 0.92 for a second


def test_an_answer_about_another_text_is_kept_but_not_shown(settings: Settings, pg: Any) -> None:
    envelope = created(settings, pg)
    company_id = str(envelope.aggregate_id)
    embedded(pg, envelope, "0" * 64)  # the vector is of a newer text than the one the LLM read
    stored = store_llm(pg, company_id, envelope.version, "f" * 64, [Proposal("store_builder", 0.9, "llm")])
    assert stored == []  # merge of the model's (none yet) alone
    row = row_of(pg, company_id)
    assert row["llm_proposals"] == [{"code": "store_builder", "confidence": 0.9, "source": "llm"}]
    assert row["proposed_sub_industries"] == [] and row["matching_sub_industries"] == []


def test_an_older_events_answer_never_replaces_a_newer_one(settings: Settings, pg: Any) -> None:
    envelope = created(settings, pg)
    company_id = str(envelope.aggregate_id)
    text_hash = "a" * 64
    embedded(pg, envelope, text_hash)
    assert store_llm(pg, company_id, envelope.version + 1, text_hash, [Proposal("payments", 0.8, "llm")]) is not None
    assert store_llm(pg, company_id, envelope.version, text_hash, [Proposal("store_builder", 0.9, "llm")]) is None
    row = row_of(pg, company_id)
    assert [p["code"] for p in row["llm_proposals"]] == ["payments"] == row["matching_sub_industries"]


def test_own_codes_and_no_provider_ask_no_model(
    settings: Settings, runtime: LLMRuntime, fake: FakeYandexGPT, pg: Any
) -> None:
    own = created(settings, pg, STORE_BUILDER.model_copy(update={"sub_industries": ["store_builder"]}))
    assert classify_with_llm(settings, pg, [own], runtime=runtime) == {"own_codes": 1}
    offline = Settings(database_url=settings.database_url, redis_url=settings.redis_url)
    plain = created(settings, pg)
    assert classify_kinds(offline, plain.payload.company.model_dump(mode="json")) is None
    assert classify_with_llm(offline, pg, [plain]) == {"no_provider": 1}
    assert fake.completions() == []
    assert row_of(pg, str(plain.aggregate_id))["llm_proposals"] == []


def test_an_outage_or_an_unknown_code_costs_the_opinion_not_the_batch(
    settings: Settings, runtime: LLMRuntime, fake: FakeYandexGPT, pg: Any
) -> None:
    down, confused = created(settings, pg), created(settings, pg)
    fake.fail_next(1, 503)
    # The second company's answer names a code the taxonomy does not have, twice (the chain asks once more).
    fake.answer_next(2, {"kinds": [{"code": "online_shops", "confidence": 0.9}]})
    assert classify_with_llm(settings, pg, [down, confused], runtime=runtime) == {"unavailable": 2}
    for envelope in (down, confused):
        row = row_of(pg, str(envelope.aggregate_id))
        assert row["llm_proposals"] == [] and row["llm_classified_version"] is None
