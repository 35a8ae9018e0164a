"""The event envelope every domain event travels in (seed: "Event Types"), the registry of event types,
and the one typed parse step consumers use.

The envelope has the seed's fields (event_type, aggregate_id, timestamp, payload) plus what a consumer
needs to be idempotent and traceable: a unique event_id, the aggregate version, and correlation/causation
ids. It is generic over its payload: `EventEnvelope[CompanyCreated]` is a `company.created` event.

`EVENTS` is the one place that says which event types exist: for each, the topic it is published to,
the aggregate it belongs to, and its payload model (a pydantic model next to the context that owns it,
named as "module:Class" and imported on first use, so a consumer of `company.events` never imports the
partnership models). Producers build payload models; `outbox.append` takes the topic from here. The
AsyncAPI document (`algoarts asyncapi`) is generated from the same registry.

Consumers call `parse_record(raw)` (a Kafka record's value) or `parse_event(document)` (an outbox row):
the envelope's `event_type` picks the payload model, and a record that does not fit raises `InvalidEvent`,
whose message names the event type, the event id and every field at fault (the trigger hands that message
to the on-failure destination as the reason). An event type missing from the registry keeps its payload
as a plain dict: the analytics recorder stores every event, and the other consumers ignore or refuse what
they do not know, as before.

Wire format: the payload models reproduce, field for field and in the same order, the dicts the producers
wrote before they existed, so stored outbox rows, Kafka records and the sample events of `events/kafka/`
read back unchanged. Payload models allow extra fields (a tolerant reader: a producer may add a field
before every consumer knows it) and keep them when dumped again.
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# Seed: "Kafka Topics Structure"; one topic per aggregate type, keyed by aggregate id, plus the shared
# topics that commands and integration messages go to. The description is the AsyncAPI channel's.
TOPICS: dict[str, str] = {
    "company.events": "Every change of a company aggregate, keyed by the company id, in version order.",
    "partnership.events": "Every change of a partnership (the pair, its status, its outcomes), keyed by its id.",
    "user.events": (
        "Reserved for the user aggregate. Nothing is published to it yet: identity changes (registration, "
        "logins, roles, deactivation) are recorded in the audit log, not as events."
    ),
    "notification.events": (
        "Requests to tell people something (a draft to review, a partnership gone quiet); the notification "
        "workers deliver them by email, Telegram or push to the users listed in each message."
    ),
    "crm.integration.events": "Requests to the CRM hub to push a deal to the company's connected CRM.",
}

# Where an aggregate's events go when their type is not registered (see `EventEnvelope.topic`).
TOPIC_BY_AGGREGATE = {
    "company": "company.events",
    "partnership": "partnership.events",
    "user": "user.events",
}


@dataclass(frozen=True)
class EventSpec:
    """One event type: where it is published, which aggregate emits it, and its payload model."""

    topic: str
    aggregate_type: str
    payload: str  # "module:Class", imported on first use

    def model(self) -> type[EventPayload]:
        return _import(self.payload)


_COMPANY = "shared.companies.events"
_PARTNERSHIP = "shared.partnerships.events"
_DISCOVERY = "shared.discovery.events"

EVENTS: dict[str, EventSpec] = {
    "company.created": EventSpec("company.events", "company", f"{_COMPANY}:CompanyCreated"),
    "company.updated": EventSpec("company.events", "company", f"{_COMPANY}:CompanyUpdated"),
    "company.deleted": EventSpec("company.events", "company", f"{_COMPANY}:CompanyDeleted"),
    "company.restored": EventSpec("company.events", "company", f"{_COMPANY}:CompanyRestored"),
    "company.verified": EventSpec("company.events", "company", f"{_COMPANY}:CompanyVerified"),
    "company.verification_failed": EventSpec("company.events", "company", f"{_COMPANY}:CompanyVerificationFailed"),
    "partnership.matched": EventSpec("partnership.events", "partnership", f"{_PARTNERSHIP}:PartnershipMatched"),
    "partnership.status_changed": EventSpec(
        "partnership.events", "partnership", f"{_PARTNERSHIP}:PartnershipStatusChanged"
    ),
    "partnership.updated": EventSpec("partnership.events", "partnership", f"{_PARTNERSHIP}:PartnershipUpdated"),
    "partnership.follow_up_drafted": EventSpec("notification.events", "partnership", f"{_DISCOVERY}:FollowUpDrafted"),
    "outreach.review_requested": EventSpec("notification.events", "discovery", f"{_DISCOVERY}:OutreachReviewRequested"),
    "discovery.no_match": EventSpec("notification.events", "discovery", f"{_DISCOVERY}:DiscoveryNoMatch"),
    "crm.sync_requested": EventSpec("crm.integration.events", "discovery", f"{_DISCOVERY}:CrmSyncRequested"),
}


# An id as the producers write it (Postgres' text form of a uuid), documented as a uuid.
UuidText = Annotated[str, Field(json_schema_extra={"format": "uuid"})]


class EventPayload(BaseModel):
    """Base of every registered payload model (see the module docstring on extra fields).

    Built on first use (defer_build): a function builds the payload models it reads or writes, not the
    whole registry."""

    model_config = ConfigDict(extra="allow", defer_build=True)


class EventEnvelope[P](BaseModel):
    """A domain event as it is stored in the outbox and published to Kafka; `P` is its payload model
    (a plain dict for an event type the registry does not know)."""

    model_config = ConfigDict(defer_build=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, description="unique; consumers deduplicate on it")
    event_type: str = Field(
        pattern=r"^[a-z_]+(\.[a-z_]+)+$", description="`<aggregate>.<what happened>`", examples=["company.created"]
    )
    aggregate_type: str = Field(description="the kind of aggregate that emitted it", examples=["company"])
    aggregate_id: str = Field(description="the aggregate's id; also the Kafka message key")
    version: int = Field(ge=1, description="the aggregate's version after this event (per-aggregate order)")
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC), description="when it happened (UTC)")
    correlation_id: str | None = Field(default=None, description="the request or run this event is part of")
    causation_id: str | None = Field(default=None, description="the message that caused it, when there was one")
    actor: str | None = Field(default=None, description="who acted: a user id, or `system:…` / `agent:…`")
    payload: P

    @model_validator(mode="after")
    def _payload_fits_the_event_type(self) -> Self:
        """A producer's mistake (a payload model of another event type) fails where it is made."""
        spec = EVENTS.get(self.event_type)
        if spec is not None and isinstance(self.payload, EventPayload) and not isinstance(self.payload, spec.model()):
            raise ValueError(f"{self.event_type} carries {spec.payload}, not {type(self.payload).__name__}")
        return self

    @property
    def topic(self) -> str:
        spec = EVENTS.get(self.event_type)
        return spec.topic if spec is not None else TOPIC_BY_AGGREGATE[self.aggregate_type]


class InvalidEvent(ValueError):
    """A record that is not a valid event: the message names the event type, the event id and each field at
    fault (`payload.company.name: Field required`), and is what reaches the dead-letter destination."""

    def __init__(self, event_type: str | None, event_id: str | None, problems: list[str]) -> None:
        self.event_type = event_type
        self.event_id = event_id
        self.problems = problems
        what = f"{event_type} event" if event_type else "event without an event_type"
        super().__init__(f"{what} {event_id or '(no event_id)'} is invalid: {'; '.join(problems)}")


def spec_of(event_type: str) -> EventSpec:
    """The registered event type, or KeyError naming it."""
    try:
        return EVENTS[event_type]
    except KeyError:
        raise KeyError(f"{event_type} is not a registered event type (shared/events.py EVENTS)") from None


def envelope_type(event_type: str | None) -> type[EventEnvelope[Any]]:
    """`EventEnvelope[<its payload model>]`, or `EventEnvelope[dict]` for an unregistered type."""
    spec = EVENTS.get(event_type or "")
    return _typed(spec.payload) if spec is not None else EventEnvelope[dict[str, Any]]


def parse_event(document: Mapping[str, Any]) -> EventEnvelope[Any]:
    """An envelope (as a JSON document already read, e.g. an outbox row) with its payload model."""
    event_type = document.get("event_type")
    kind = event_type if isinstance(event_type, str) else None
    try:
        return envelope_type(kind).model_validate(document)
    except ValidationError as exc:
        event_id = document.get("event_id")
        raise InvalidEvent(kind, str(event_id) if event_id else None, _problems(exc)) from None


def parse_record(raw: bytes | str) -> EventEnvelope[Any]:
    """A Kafka record's value (the envelope's JSON) with its payload model; InvalidEvent when it is not
    JSON, not an envelope, or its payload does not fit its event type's model."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise InvalidEvent(None, None, [f"not JSON: {exc}"]) from None
    if not isinstance(document, dict):
        raise InvalidEvent(None, None, [f"not a JSON object but {type(document).__name__}"])
    return parse_event(document)


class KafkaRecord(Protocol):
    """What `parse_batch` reads of a record (powertools' `KafkaEventRecord` has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def decoded_value(self) -> bytes: ...


class UnreadableRecord(InvalidEvent):
    """A record of a Kafka batch that is not a valid event; the message starts with where it is
    (`company.events-0@41 is not an event envelope: ...`), so the batch's dead letter says which record
    and why."""

    def __init__(self, where: str, cause: InvalidEvent) -> None:
        ValueError.__init__(self, f"{where} is not an event envelope: {cause}")
        self.event_type, self.event_id, self.problems = cause.event_type, cause.event_id, cause.problems
        self.where = where


def parse_batch(records: Iterable[KafkaRecord]) -> list[EventEnvelope[Any]]:
    """Every record of a Kafka batch, parsed (`parse_record`); the first unreadable one raises
    `UnreadableRecord`, failing the batch (the trigger retries it, then dead-letters it with the reason)."""
    envelopes = []
    for record in records:
        try:
            envelopes.append(parse_record(record.decoded_value))
        except ValueError as exc:  # not base64 (binascii.Error), not JSON, not an envelope, a bad payload
            cause = exc if isinstance(exc, InvalidEvent) else InvalidEvent(None, None, [f"unreadable value: {exc}"])
            raise UnreadableRecord(f"{record.topic}-{record.partition}@{record.offset}", cause) from exc
    return envelopes


def _problems(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in error['loc']) or '(envelope)'}: {error['msg']}" for error in exc.errors()]


@cache
def _import(path: str) -> type[EventPayload]:
    module, _, name = path.partition(":")
    model = getattr(importlib.import_module(module), name)
    if not (isinstance(model, type) and issubclass(model, EventPayload)):
        raise TypeError(f"{path} is not an EventPayload model")
    return model


@cache
def _typed(path: str) -> type[EventEnvelope[Any]]:
    model = _import(path)
    return EventEnvelope[model]  # type: ignore[valid-type]
