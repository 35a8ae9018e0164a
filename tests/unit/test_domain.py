from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import KafkaEvent

from localcloud.triggers import Record, kafka_event
from shared.companies.events import CompanyCreated
from shared.companies.slugs import slugify
from shared.events import EventEnvelope, parse_record
from support import event


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("ПлатёжПро", "platyozhpro"),
        ("Облачная Бухгалтерия", "oblachnaya-buhgalteriya"),
        ("Чат-Мастер", "chat-master"),
        ("ЛегалТех Бюро!!", "legalteh-byuro"),
        ("Acme CRM 2.0", "acme-crm-2-0"),
        ("???", "company"),
    ],
)
def test_slugs_transliterate_cyrillic(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_envelope_topic_follows_the_aggregate() -> None:
    envelope: EventEnvelope[dict[str, Any]] = EventEnvelope(
        event_type="company.created", aggregate_type="company", aggregate_id="x", version=1, payload={}
    )
    assert envelope.topic == "company.events"


def test_envelope_rejects_bad_event_type() -> None:
    with pytest.raises(ValueError, match="event_type"):
        EventEnvelope(event_type="Created!", aggregate_type="company", aggregate_id="x", version=1, payload={})


def test_bridge_events_read_back_like_aws_kafka_events() -> None:
    records = [
        Record("company.events", 3, 41 + i, b"key-1", json.dumps({"n": i}).encode(), 1700000000000) for i in range(3)
    ]
    parsed = KafkaEvent(kafka_event(records, "127.0.0.1:9092"))
    got = list(parsed.records)
    assert [r.offset for r in got] == [41, 42, 43]
    assert got[0].partition == 3
    assert got[1].json_value == {"n": 1}
    assert base64.b64decode(got[0].key or "") == b"key-1"


def test_sample_kafka_event_carries_a_valid_envelope() -> None:
    parsed = KafkaEvent(event("kafka/company_created"))
    envelope = parse_record(next(iter(parsed.records)).decoded_value)
    assert envelope.event_type == "company.created"
    assert isinstance(envelope.payload, CompanyCreated)
    assert envelope.payload.company.name == "ПлатёжПро"
