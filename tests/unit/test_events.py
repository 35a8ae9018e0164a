"""Typed events: the registry, the payload models, the one parse step, and the wire format they keep."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import KafkaEvent

from localcloud.triggers import Record, kafka_event
from shared.companies import aggregate
from shared.companies.aggregate import CompanyState, StoredEvent
from shared.companies.events import CompanyCreated, CompanyDocument, company_payload
from shared.discovery.events import CrmSyncRequested, Deal, FollowUpDrafted, OutreachReviewRequested, ReviewLinks
from shared.events import (
    EVENTS,
    TOPICS,
    EventEnvelope,
    EventPayload,
    InvalidEvent,
    UnreadableRecord,
    parse_batch,
    parse_event,
    parse_record,
    spec_of,
)
from shared.partnerships.events import PartnershipStatusChanged, partnership_payload
from shared.partnerships.model import Partnership
from support import event

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
USER = "7c1e0b2a-3d4f-4a5b-8c6d-9e0f1a2b3c4d"


def _sample(name: str) -> bytes:
    (records,) = event(f"kafka/{name}")["records"].values()
    return base64.b64decode(records[0]["value"])


SAMPLES = {"company_created": CompanyCreated, "partnership_status_changed": PartnershipStatusChanged}
COMPANY: dict[str, Any] = json.loads(_sample("company_created"))["payload"]["company"]
PARTNERSHIP: dict[str, Any] = json.loads(_sample("partnership_status_changed"))["payload"]["partnership"]
LEGAL = {"legal_name": 'ООО "ЯНДЕКС"', "legal_address": "г Москва", "ogrn": "1027700229193", "kpp": "770401001"}

# One realistic payload per registered event type, as its producer writes it (delta first).
EXAMPLES: dict[str, dict[str, Any]] = {
    "company.created": {"fields": {"name": COMPANY["name"], "industry": "fintech"}, "company": COMPANY},
    "company.updated": {"changes": {"employees_count": 40}, "previous": {"employees_count": None}, "company": COMPANY},
    "company.deleted": {"company": COMPANY, "deleted": True},
    "company.restored": {"company": COMPANY, "deleted": False},
    "company.verified": {"legal": {**LEGAL, "legal_status": "active"}, "source": "dadata", "company": COMPANY},
    "company.verification_failed": {"reason": "ИНН не найден в ЕГРЮЛ/ЕГРИП", "company": COMPANY},
    "partnership.matched": {
        "match_id": PARTNERSHIP["id"],
        "company_a": PARTNERSHIP["company_a_id"],
        "company_b": PARTNERSHIP["company_b_id"],
        "compatibility_score": 0.87,
        "partnership": PARTNERSHIP,
    },
    "partnership.status_changed": {"from": "suggested", "to": "contacted", "partnership": PARTNERSHIP},
    "partnership.updated": {
        "changes": {"deal_value": 100},
        "previous": {"deal_value": None},
        "partnership": PARTNERSHIP,
    },
    "partnership.follow_up_drafted": {
        "kind": "follow_up_drafted",
        "draft_id": str(uuid.uuid4()),
        "partnership_id": PARTNERSHIP["id"],
        "company_id": PARTNERSHIP["company_a_id"],
        "partner_company_id": PARTNERSHIP["company_b_id"],
        "days_stalled": 14,
        "user_ids": [USER],
        "subject": "Напоминание",
    },
    "outreach.review_requested": {
        "kind": "outreach_review_requested",
        "discovery_id": str(uuid.uuid4()),
        "company_id": PARTNERSHIP["company_a_id"],
        "partner_company_id": None,
        "user_ids": [USER],
        "subject": None,
        "review_deadline": "2026-11-27T10:00:00.123456+00:00",
        "links": {"review": "/v1/discoveries/x"},
    },
    "discovery.no_match": {
        "kind": "discovery_no_match",
        "discovery_id": str(uuid.uuid4()),
        "company_id": PARTNERSHIP["company_a_id"],
        "user_ids": [USER],
        "threshold": 0.6,
        "candidates": 4,
        "best_score": 0.41,
    },
    "crm.sync_requested": {
        "company_id": PARTNERSHIP["company_a_id"],
        "partner_company_id": PARTNERSHIP["company_b_id"],
        "partnership_id": PARTNERSHIP["id"],
        "discovery_id": str(uuid.uuid4()),
        "crm_type": None,
        "sync_direction": "push",
        "deal": {"stage": "contacted", "subject": "Здравствуйте", "body": "Предлагаем интеграцию"},
    },
}


def _wire(event_type: str, payload: dict[str, Any]) -> bytes:
    """An envelope as the outbox stores it, with the payload as a producer wrote it before the models."""
    spec = EVENTS.get(event_type)
    if spec is not None and issubclass(spec.model(), CompanyDocument):
        payload = {"deleted": False, **payload}  # every company payload has `deleted`; keep the delta first
        payload = {
            k: payload[k] for k in [*(k for k in payload if k not in ("company", "deleted")), "company", "deleted"]
        }
    document = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "aggregate_type": spec.aggregate_type if spec else event_type.split(".", maxsplit=1)[0],
        "aggregate_id": str(uuid.uuid4()),
        "version": 3,
        "timestamp": "2026-11-24T10:00:00Z",
        "correlation_id": "req-1",
        "causation_id": None,
        "actor": USER,
        "payload": payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def test_every_registered_type_has_a_topic_a_payload_model_and_an_example() -> None:
    assert set(EXAMPLES) == set(EVENTS)
    for event_type, spec in EVENTS.items():
        assert spec.topic in TOPICS, event_type
        model = spec.model()
        assert issubclass(model, EventPayload) and model.__doc__, event_type
        assert f"`{event_type}`" in model.__doc__, f"{model.__name__}'s docstring says when it is emitted"
        for name, field in model.model_fields.items():
            assert field.description or name in ("links", "deal"), f"{model.__name__}.{name} has no description"
    assert {spec.topic for spec in EVENTS.values()} == set(TOPICS) - {"user.events"}  # nothing emits user events


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_every_registered_type_round_trips_byte_for_byte(event_type: str) -> None:
    raw = _wire(event_type, EXAMPLES[event_type])
    envelope = parse_record(raw)
    assert isinstance(envelope.payload, spec_of(event_type).model())
    assert envelope.model_dump_json().encode() == raw
    assert parse_event(json.loads(raw)) == envelope
    assert envelope.topic == spec_of(event_type).topic


@pytest.mark.parametrize(("name", "model"), SAMPLES.items())
def test_the_sample_kafka_events_parse_into_their_models(name: str, model: type[EventPayload]) -> None:
    (envelope,) = parse_batch(KafkaEvent(event(f"kafka/{name}")).records)
    assert isinstance(envelope.payload, model)
    assert envelope.model_dump_json().encode() == _sample(name)  # nothing lost or reordered


def test_a_bad_record_names_the_event_type_the_event_and_the_field() -> None:
    document = json.loads(_sample("company_created"))
    del document["payload"]["company"]["name"]
    document["payload"]["fields"] = "not a map"
    with pytest.raises(InvalidEvent) as err:
        parse_record(json.dumps(document))
    message = str(err.value)
    assert message.startswith(f"company.created event {document['event_id']} is invalid: ")
    assert (
        "payload.company.name: Field required" in message
        and "payload.fields: Input should be a valid dictionary" in message
    )
    assert err.value.event_type == "company.created" and len(err.value.problems) == 2


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{not json", "event without an event_type (no event_id) is invalid: not JSON"),
        (b"[1]", "not a JSON object but list"),
        (b'{"event_type": "company.created"}', "company.created event (no event_id) is invalid: aggregate_type: Field"),
        (
            b'{"event_type": "company.created"}',
            "; aggregate_id: Field required; version: Field required; payload: Field",
        ),
        (b'{"event_type": "Created!"}', "Created! event (no event_id) is invalid: event_type: String should match"),
    ],
)
def test_records_that_are_not_envelopes_say_why(raw: bytes, says: str) -> None:
    with pytest.raises(InvalidEvent, match="is invalid") as err:
        parse_record(raw)
    assert says in str(err.value)


def test_a_bad_record_in_a_batch_names_where_it_is() -> None:
    good, bad = _sample("company_created"), _wire("partnership.status_changed", {"from": "nowhere", "to": "active"})
    records = [
        Record("partnership.events", 2, 40 + i, b"k", value, 1700000000000) for i, value in enumerate([good, bad])
    ]
    with pytest.raises(UnreadableRecord) as err:
        parse_batch(KafkaEvent(kafka_event(records, "127.0.0.1:9092")).records)
    message = str(err.value)
    assert message.startswith("partnership.events-2@41 is not an event envelope: partnership.status_changed event ")
    assert "payload.from: Input should be" in message and "payload.partnership: Field required" in message
    assert err.value.where == "partnership.events-2@41" and err.value.event_type == "partnership.status_changed"


def test_an_unregistered_event_type_keeps_its_payload_as_it_came() -> None:
    raw = _wire("company.renamed_twice", {"any": ["thing", 1]})
    envelope = parse_record(raw)
    assert envelope.payload == {"any": ["thing", 1]} and envelope.topic == "company.events"
    assert envelope.model_dump_json().encode() == raw


def test_extra_payload_fields_survive_a_round_trip() -> None:
    raw = _wire("crm.sync_requested", {**EXAMPLES["crm.sync_requested"], "priority": "high"})
    envelope = parse_record(raw)
    assert envelope.payload.model_extra == {"priority": "high"}
    assert envelope.model_dump_json().encode() == raw


def test_a_payload_of_another_event_type_is_refused_where_it_is_built() -> None:
    payload = CompanyCreated.model_validate(EXAMPLES["company.created"])
    with pytest.raises(ValueError, match=r"company\.updated carries shared\.companies\.events:CompanyUpdated"):
        EventEnvelope(
            event_type="company.updated", aggregate_type="company", aggregate_id="x", version=2, payload=payload
        )


# --- the producers write what they wrote before the models -------------------------------------------------


def _old_and_new(event_type: str, old: Any, new: EventPayload) -> tuple[str, str]:
    meta: dict[str, Any] = {"event_type": event_type, "aggregate_type": spec_of(event_type).aggregate_type}
    meta |= {"aggregate_id": "a", "version": 1, "event_id": uuid.uuid4(), "timestamp": AT}
    return EventEnvelope(**meta, payload=old).model_dump_json(), EventEnvelope(**meta, payload=new).model_dump_json()


@pytest.mark.parametrize(
    ("event_type", "delta"),
    [
        (aggregate.CREATED, {"fields": {"name": "Облачная Бухгалтерия", "industry": "fintech", "slug": "ob"}}),
        (aggregate.UPDATED, {"changes": {"name": "Новое имя"}, "previous": {"name": "Облачная Бухгалтерия"}}),
        (aggregate.VERIFIED, {"legal": {**LEGAL, "legal_status": "active"}, "source": "dadata"}),
        (aggregate.VERIFICATION_FAILED, {"reason": "ОГРН не совпадает с ЕГРЮЛ (1027700229193)"}),
        (aggregate.DELETED, {}),
    ],
)
def test_company_payloads_are_the_bytes_the_service_wrote_before(event_type: str, delta: dict[str, Any]) -> None:
    state = CompanyState(id=COMPANY["id"])
    created = {"fields": {"name": "Облачная Бухгалтерия", "industry": "fintech", "slug": "ob", "ai_tags": ["b2b"]}}
    state = aggregate.apply(state, StoredEvent(uuid.uuid4(), aggregate.CREATED, 1, created, AT))
    if event_type != aggregate.CREATED:
        state = aggregate.apply(state, StoredEvent(uuid.uuid4(), event_type, 2, delta, AT + timedelta(hours=1)))
    view = state.view()
    old = {**delta, "company": view.model_dump(mode="json"), "deleted": state.deleted}
    before, after = _old_and_new(event_type, old, company_payload(event_type, delta, view, state.deleted))
    assert after == before


def test_partnership_payloads_are_the_bytes_the_service_wrote_before() -> None:
    view = Partnership.model_validate(PARTNERSHIP)
    matched = {k: EXAMPLES["partnership.matched"][k] for k in ("match_id", "company_a", "company_b")}
    deltas: dict[str, dict[str, Any]] = {
        "partnership.status_changed": {"from": "suggested", "to": "contacted"},
        "partnership.updated": {"changes": {"revenue_generated": 5}, "previous": {"revenue_generated": 0}},
        "partnership.matched": {**matched, "compatibility_score": 0.87},
    }
    for event_type, delta in deltas.items():
        old = {**delta, "partnership": view.model_dump(mode="json")}
        before, after = _old_and_new(event_type, old, partnership_payload(event_type, delta, view))
        assert after == before, event_type


def test_discovery_messages_are_the_bytes_the_steps_wrote_before() -> None:
    deadline = datetime.now(UTC) + timedelta(days=3)
    ids = [str(uuid.uuid4()) for _ in range(4)]
    old_review = {
        "kind": "outreach_review_requested", "discovery_id": ids[0], "company_id": ids[1], "partner_company_id": ids[2],
        "user_ids": [USER], "subject": "Тема", "review_deadline": deadline.isoformat(),
        "links": {"review": f"/v1/discoveries/{ids[0]}"},
    }  # fmt: skip
    review = OutreachReviewRequested(
        kind="outreach_review_requested", discovery_id=ids[0], company_id=ids[1], partner_company_id=ids[2],
        user_ids=[USER], subject="Тема", review_deadline=deadline,
        links=ReviewLinks(review=f"/v1/discoveries/{ids[0]}"),
    )  # fmt: skip
    before, after = _old_and_new("outreach.review_requested", old_review, review)
    assert after == before and "+00:00" in after  # isoformat, as before, not pydantic's Z
    old_sync = {
        "company_id": ids[1], "partner_company_id": ids[2], "partnership_id": ids[3], "discovery_id": ids[0],
        "crm_type": None, "sync_direction": "push", "deal": {"stage": "contacted", "subject": "Тема", "body": None},
    }  # fmt: skip
    sync = CrmSyncRequested(
        company_id=ids[1], partner_company_id=ids[2], partnership_id=ids[3], discovery_id=ids[0], crm_type=None,
        sync_direction="push", deal=Deal(stage="contacted", subject="Тема", body=None),
    )  # fmt: skip
    before, after = _old_and_new("crm.sync_requested", old_sync, sync)
    assert after == before
    old_nudge = {
        "kind": "follow_up_drafted", "draft_id": ids[0], "partnership_id": ids[3], "company_id": ids[1],
        "partner_company_id": ids[2], "days_stalled": 9, "user_ids": [USER], "subject": "Напоминание",
    }  # fmt: skip
    nudge = FollowUpDrafted(
        kind="follow_up_drafted", draft_id=ids[0], partnership_id=ids[3], company_id=ids[1], partner_company_id=ids[2],
        days_stalled=9, user_ids=[USER], subject="Напоминание",
    )  # fmt: skip
    before, after = _old_and_new("partnership.follow_up_drafted", old_nudge, nudge)
    assert after == before
