"""EmbedCompanyFunction (Kafka `company.events` -> `companies.embedding`, with the in-process multilingual-e5-small):
a new company and each change of its embedded text (name, description, tags, integrations...) leave one
vector of the newest text; a change of anything else, a redelivered or an older event rewrite nothing. A batch
with an unreadable record fails naming the record, the event and the field. A company without sub-industries gets
the kinds of its nearest labelled companies proposed (shared.companies.classification)."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
from functions.calls import cold_start, company, principal, row
from functions.partnership_calls import catalog_companies
from functions.stream_calls import WARMUP_KAFKA, kafka_batch, outbox_events, sample_envelope, update

from shared.companies.classification import Proposal, confident
from shared.companies.enrichment import company_text, embed_company
from shared.db import connect
from shared.embeddings.local import LocalE5Embedder
from shared.events import UnreadableRecord
from shared.partnerships.mentions import described_as
from support import LambdaContext


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "search", "embed_company", database_url=postgres_url, redis_url=redis_url)


def embedding(postgres_url: str, company_id: object) -> dict[str, Any]:
    with connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT vector_dims(embedding) AS dims, embedding::text AS vector, embedding_model, "
            "embedding_source_version, embedding_content_hash, last_ai_enrichment FROM companies WHERE id = %s",
            (str(company_id),),
        ).fetchone()
    assert row is not None
    return dict(row)


def test_the_newest_text_is_embedded_once(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner, description="платёжный сервис для интернет-магазинов")
    update(postgres_url, redis_url, owner, created.id, employees_count=40)  # not in the embedded text
    update(postgres_url, redis_url, owner, created.id, integrations=["yookassa"])
    batch = kafka_batch(*outbox_events(postgres_url, created.id))
    assert fn.handler(batch, LambdaContext()) == {"records": 3, "embedded": 1, "outcomes": {"stale": 1, "embedded": 1}}
    stored = embedding(postgres_url, created.id)
    assert stored["dims"] == 384 and stored["embedding_source_version"] == 3
    assert "e5" in stored["embedding_model"]
    again = fn.handler(batch, LambdaContext())  # redelivered
    assert again == {"records": 3, "embedded": 0, "outcomes": {"stale": 1, "unchanged": 1}}
    assert embedding(postgres_url, created.id) == stored
    first = kafka_batch(outbox_events(postgres_url, created.id)[0])  # the creation, arriving late
    assert fn.handler(first, LambdaContext())["embedded"] == 0
    assert embedding(postgres_url, created.id) == stored


def test_a_change_outside_the_text_costs_nothing(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner)
    update(postgres_url, redis_url, owner, created.id, headquarters_city="Казань")
    (_, moved) = outbox_events(postgres_url, created.id)
    assert fn.handler(kafka_batch(moved), LambdaContext()) == {"records": 1, "embedded": 0}
    assert embedding(postgres_url, created.id)["vector"] is None


def test_a_company_without_sub_industries_gets_the_kind_of_the_catalogs_companies_like_it(
    fn: ModuleType, postgres_url: str, redis_url: str
) -> None:
    kinds = [("fintech", "payments")] * 3 + [("hrtech", "recruiting")] * 2 + [("ecommerce", "store_builder")]
    with catalog_companies(postgres_url, *kinds) as labelled:
        e5 = LocalE5Embedder.shared()
        with connect(postgres_url) as conn:  # the catalog's vectors, as this function wrote them
            for c in labelled:
                assert embed_company(conn, c["id"], company_text(c), e5).status == "embedded"
        name = f"Ромашка {uuid.uuid4().hex[:6]}"
        description = (
            "Ромашка помогает магазинам получать деньги от покупателей. Приём платежей по СБП и банковским "
            "картам, платёжные ссылки и QR-коды, рекуррентные списания для подписок."
        )
        assert described_as(name, description) == ()  # its name and first sentence name no kind: the kNN decides
        created = company(postgres_url, redis_url, principal("paid_user"), name=name, description=description)
        assert created.sub_industries == []
        batch = kafka_batch(*outbox_events(postgres_url, created.id))
        assert fn.handler(batch, LambdaContext()) == {"records": 1, "embedded": 1, "outcomes": {"embedded": 1}}
        stored = row(
            postgres_url,
            "SELECT proposed_sub_industries, model_sub_industries, matching_sub_industries, sub_industries, "
            "classified_version FROM companies WHERE id = %s",
            str(created.id),
        )
    proposals = [Proposal(p["code"], p["confidence"], p["source"]) for p in stored["proposed_sub_industries"]]
    # The three payment services are its nearest: payments first, from the model, ahead of every other kind.
    assert proposals and proposals[0].code == "payments" and proposals[0].source == "model", proposals
    assert all(p.confidence < proposals[0].confidence for p in proposals[1:])
    # What matching reads is the confident proposals, the user having chosen no codes.
    assert stored["model_sub_industries"] == confident(proposals) == stored["matching_sub_industries"]
    assert stored["sub_industries"] == [] and stored["classified_version"] == created.version


def test_an_unreadable_record_fails_the_batch_naming_event_and_field(fn: ModuleType) -> None:
    bad = sample_envelope()
    bad["payload"]["company"]["integrations"] = "1c"
    with pytest.raises(UnreadableRecord) as failed:
        fn.handler(kafka_batch(sample_envelope(), bad), LambdaContext())
    message = str(failed.value)
    assert "company.events-0@1" in message and "company.created" in message
    assert "payload.company.integrations" in message


def test_the_warm_up_batch_touches_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    nowhere = f"127.0.0.1:{closed_port}"
    fn = cold_start(monkeypatch, "search", "embed_company",
                    database_url=f"postgresql://u:p@{nowhere}/db", redis_url=f"redis://{nowhere}/0")  # fmt: skip
    assert fn.handler(WARMUP_KAFKA, LambdaContext()) == {"records": 0, "embedded": 0}
