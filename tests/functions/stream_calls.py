"""What the tests of the event-triggered functions share: trigger events built from the samples of events/
the way each trigger delivers them (a Kafka batch of base64 envelopes, SQS Records, the EventBridge
Scheduled Event, the local cloud's warm-up pings), the events a write really produced read back from the
outbox, and a queue of the emulator's SQS to send to and read from.

    created = company(postgres_url, redis_url, principal("paid_user"), inn=identity()[0])
    batch = kafka_batch(*outbox_events(postgres_url, created.id))
    fn.handler(batch, LambdaContext())
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from support import event

if TYPE_CHECKING:
    from shared.identity.guard import Principal

WARMUP_KAFKA: dict[str, Any] = {"eventSource": "SelfManagedKafka", "records": {}}  # localcloud.cloud.WARMUP_KAFKA_EVENT
WARMUP: dict[str, Any] = {}  # what the local cloud sends a function that is neither HTTP- nor Kafka-triggered
Envelope = dict[str, Any] | bytes  # an envelope as JSON, or a record value as it came (say, not JSON)


# --- Kafka ---------------------------------------------------------------------------------------------


def kafka_batch(
    *values: Envelope, topic: str = "company.events", partition: int = 0, offset: int = 0
) -> dict[str, Any]:
    """events/kafka/company_created.json carrying these values, one record each at consecutive offsets of
    one partition, keyed by the envelope's aggregate id, base64-encoded as the event source mapping does."""
    sample = event("kafka/company_created")
    template = sample["records"]["company.events-0"][0]
    records = []
    for n, value in enumerate(values):
        record = copy.deepcopy(template)
        raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode()
        key = value.get("aggregate_id", "") if isinstance(value, dict) else ""
        record.update(
            topic=topic,
            partition=partition,
            offset=offset + n,
            key=base64.b64encode(str(key).encode()).decode(),
            value=base64.b64encode(raw).decode(),
        )
        records.append(record)
    sample["records"] = {f"{topic}-{partition}": records}
    return sample


def sample_envelope() -> dict[str, Any]:
    """The envelope events/kafka/company_created.json carries."""
    record = event("kafka/company_created")["records"]["company.events-0"][0]
    envelope: dict[str, Any] = json.loads(base64.b64decode(record["value"]))
    return envelope


def outbox_events(postgres_url: str, aggregate_id: object) -> list[dict[str, Any]]:
    """Every envelope the aggregate's writes appended to the outbox, in order: what the relay publishes."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        rows = conn.execute(
            "SELECT envelope FROM outbox WHERE message_key = %s ORDER BY id", (str(aggregate_id),)
        ).fetchall()
    return [r["envelope"] for r in rows]  # type: ignore[call-overload]


# --- SQS -----------------------------------------------------------------------------------------------


def sqs_batch(*bodies: dict[str, Any] | str, attempt: int = 1) -> dict[str, Any]:
    """events/sqs/verification_request.json with one record per body (a dict is sent as JSON), each with a
    message id of its own, delivered for the `attempt`-th time."""
    sample = event("sqs/verification_request")
    template = sample["Records"][0]
    records = []
    for body in bodies:
        record = copy.deepcopy(template)
        record["messageId"] = str(uuid.uuid4())
        record["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        record["attributes"]["ApproximateReceiveCount"] = str(attempt)
        records.append(record)
    sample["Records"] = records
    return sample


@dataclass(frozen=True)
class Queue:
    """A queue of the emulator's SQS: its client and URL."""

    sqs: Any
    url: str

    def received(self, *, wait: int = 1) -> list[dict[str, Any]]:
        """Every message now visible, deleted from the queue; each body read as JSON."""
        found: list[dict[str, Any]] = []
        while messages := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get(
            "Messages", []
        ):
            for m in messages:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
                found.append(json.loads(m["Body"]))
            wait = 0
        return found

    def delivered(self, body: dict[str, Any], *, attempt: int = 1) -> dict[str, Any]:
        """`body` sent to the queue and received back as the event source mapping delivers it: an SQS event
        whose record has the real message id and receipt handle (so the function can change its visibility)."""
        self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps(body, ensure_ascii=False))
        (message,) = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=1, WaitTimeSeconds=1, VisibilityTimeout=0
        )["Messages"]
        ev = sqs_batch(message["Body"], attempt=attempt)
        ev["Records"][0].update(messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"])
        return ev


@contextmanager
def queue(aws_endpoint: str, name: str) -> Iterator[Queue]:
    """A new queue `name-<random>` in the emulator, deleted afterwards."""
    from localcloud.runtime import boto_session

    sqs = boto_session(aws_endpoint).client("sqs")
    url = sqs.create_queue(QueueName=f"{name}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        yield Queue(sqs, url)
    finally:
        sqs.delete_queue(QueueUrl=url)


# --- EventBridge ---------------------------------------------------------------------------------------


def scheduled_event() -> dict[str, Any]:
    """events/schedule/every_minute.json with an id of its own."""
    return event("schedule/every_minute", id=str(uuid.uuid4()))


# --- writes whose events the functions consume ---------------------------------------------------------


def update(postgres_url: str, redis_url: str, owner: Principal | None, company_id: object, **changes: Any) -> None:
    """The company changed through the service as `owner` (None: the system), as UpdateCompanyFunction does."""
    from shared.cache import company_cache
    from shared.commands import Context
    from shared.companies import service
    from shared.companies.model import CompanyPatch
    from shared.settings import Settings

    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    patch = CompanyPatch.model_validate(changes)
    service.update_company(
        settings, str(company_id), patch, Context(principal=owner), cache=company_cache(redis_url, 300)
    )
