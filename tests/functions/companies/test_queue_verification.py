"""QueueVerificationFunction (Kafka `company.events` -> the verification queue): a new company with an INN, or
a changed INN, gets a ЕГРЮЛ check request on the queue (SQS, here the emulator's); other events queue nothing.
A batch with an unreadable record fails naming the record, the event and the field, and queues nothing."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from functions.calls import cold_start, company, identity, principal
from functions.stream_calls import WARMUP_KAFKA, Queue, kafka_batch, outbox_events, queue, sample_envelope, update

from shared.events import UnreadableRecord
from support import LambdaContext


@pytest.fixture(scope="module")
def requests(aws_endpoint: str) -> Iterator[Queue]:
    with queue(aws_endpoint, "verification") as q:
        yield q


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, aws_endpoint: str, requests: Queue) -> ModuleType:
    return cold_start(monkeypatch, "companies", "queue_verification", aws=aws_endpoint,
                      database_url="postgresql://unused", redis_url="redis://unused",
                      verification_queue_url=requests.url)  # fmt: skip


def test_a_new_company_with_an_inn_is_queued_for_a_check(
    fn: ModuleType, requests: Queue, postgres_url: str, redis_url: str
) -> None:
    inn, _ = identity()
    created = company(postgres_url, redis_url, principal("paid_user"), inn=inn)
    (envelope,) = outbox_events(postgres_url, created.id)
    assert fn.handler(kafka_batch(envelope), LambdaContext()) == {"records": 1, "queued": 1}
    (message,) = requests.received()
    assert (message["company_id"], message["inn"]) == (str(created.id), inn)
    assert message["correlation_id"] == (envelope["correlation_id"] or envelope["event_id"])


def test_only_a_changed_inn_is_queued_again(fn: ModuleType, requests: Queue, postgres_url: str, redis_url: str) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner)  # no INN: nothing to check
    update(postgres_url, redis_url, owner, created.id, description="Эквайринг для малого бизнеса")
    new_inn, _ = identity()
    update(postgres_url, redis_url, owner, created.id, inn=new_inn)
    batch = kafka_batch(*outbox_events(postgres_url, created.id))
    assert fn.handler(batch, LambdaContext()) == {"records": 3, "queued": 1}
    assert [(m["company_id"], m["inn"]) for m in requests.received()] == [(str(created.id), new_inn)]


def test_an_unreadable_record_fails_the_batch_naming_event_and_field(fn: ModuleType, requests: Queue) -> None:
    good = sample_envelope()
    good["payload"]["company"]["inn"] = identity()[0]
    bad = sample_envelope()
    del bad["payload"]["company"]["name"]
    with pytest.raises(UnreadableRecord) as failed:
        fn.handler(kafka_batch(good, bad), LambdaContext())
    message = str(failed.value)
    assert "company.events-0@1" in message and "company.created" in message and bad["event_id"] in message
    assert "payload.company.name" in message
    assert requests.received(wait=0) == []  # the good record is not queued either: the whole batch is retried


def test_the_warm_up_batch_sends_nothing(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    fn = cold_start(monkeypatch, "companies", "queue_verification", aws=f"http://127.0.0.1:{closed_port}",
                    database_url="postgresql://unused", redis_url="redis://unused",
                    verification_queue_url=f"http://127.0.0.1:{closed_port}/000000000000/nowhere")  # fmt: skip
    assert fn.handler(WARMUP_KAFKA, LambdaContext()) == {"records": 0, "queued": 0}
