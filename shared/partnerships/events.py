"""The payloads of `partnership.events`, one model per event type (registered in `shared.events.EVENTS`).

`shared.partnerships.service` appends each in the command's transaction: the delta goes to
`partnership_events` (the status history) and the audit log, and the outbox message carries the same
delta followed by the whole partnership after the event (`partnership`). Each payload model is
`PartnershipDocument` plus its delta, the delta's fields first: the order the producers have always
written. Messages are keyed by the partnership id, so a partnership's events arrive in version order.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from shared.events import EventPayload, UuidText, spec_of
from shared.partnerships.lifecycle import Status
from shared.partnerships.model import Partnership


class PartnershipDocument(EventPayload):
    """What every partnership event carries after its delta; the base of the partnership payloads."""

    partnership: Partnership = Field(description="the partnership as readers see it after this event")


class MatchedDelta(EventPayload):
    match_id: UuidText = Field(description="the new partnership's id")
    company_a: UuidText = Field(description="the proposing company")
    company_b: UuidText = Field(description="the suggested partner")
    compatibility_score: float = Field(description="the pair analysis' overall score, 0..1")


class StatusChangedDelta(EventPayload):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_status: Status = Field(alias="from", description="the status before the move")
    to_status: Status = Field(alias="to", description="the status after it")


class UpdatedDelta(EventPayload):
    changes: dict[str, int | None] = Field(
        description="each changed outcome (deal_value, revenue_generated; roubles) with its new value"
    )
    previous: dict[str, int | None] = Field(description="the same outcomes with their values before")


class PartnershipMatched(PartnershipDocument, MatchedDelta):
    """`partnership.matched`: a pair was proposed (POST /v1/partnerships, or the discovery chain after an
    approved outreach); the partnership starts in `suggested` with the analysis' score and reasons."""


class PartnershipStatusChanged(PartnershipDocument, StatusChangedDelta):
    """`partnership.status_changed`: the partnership moved along its lifecycle (POST
    /v1/partnerships/{id}/status, or the discovery chain moving it to `contacted`)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class PartnershipUpdated(PartnershipDocument, UpdatedDelta):
    """`partnership.updated`: its outcomes changed (PATCH /v1/partnerships/{id}/outcomes); only values that
    differ are in `changes`."""


type PartnershipEvent = PartnershipMatched | PartnershipStatusChanged | PartnershipUpdated


def partnership_payload(event_type: str, delta: dict[str, Any], partnership: Partnership) -> PartnershipDocument:
    """The outbox payload of a partnership event: its delta (as `partnership_events` keeps it), then the
    partnership after the event."""
    model = spec_of(event_type).model()
    if not issubclass(model, PartnershipDocument):
        raise TypeError(f"{event_type} is not a partnership event")
    return model.model_validate({**delta, "partnership": partnership})
