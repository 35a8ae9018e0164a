"""The company aggregate: its state is the fold of its events (seed: "Event Sourcing Example").

Events carry deltas (what changed), not whole documents, so a company's history says what happened;
`fold` rebuilds the state from a snapshot and the events after it. No I/O here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.companies.model import Company
from shared.errors import Conflict, NotFound

CREATED = "company.created"
UPDATED = "company.updated"
DELETED = "company.deleted"
RESTORED = "company.restored"
VERIFIED = "company.verified"
VERIFICATION_FAILED = "company.verification_failed"
EVENT_TYPES = frozenset({CREATED, UPDATED, DELETED, RESTORED, VERIFIED, VERIFICATION_FAILED})

# Fields that are never null: a null in a command means "empty".
_EMPTY: dict[str, Any] = {
    "sub_industries": [],
    "integrations": [],
    "ai_tags": [],
    "tech_stack": {},
    "funding_total": 0,
    "api_available": False,
}
_EMPLOYEE_RANGES = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (500, "201-500"), (1000, "501-1000"))
_EMPLOYEE_RANGES_LARGE = ((5000, "1001-5000"),)


def employees_range(count: int | None) -> str | None:
    if count is None:
        return None
    for upper, label in _EMPLOYEE_RANGES + _EMPLOYEE_RANGES_LARGE:
        if count <= upper:
            return label
    return "5000+"


@dataclass
class CompanyState:
    """Everything `Company` shows, plus what the history needs: the deletion time."""

    id: str
    version: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    deleted_at: str | None = None

    @property
    def exists(self) -> bool:
        return self.version > 0

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def view(self) -> Company:
        return Company.model_validate({**self.fields, "id": self.id, "version": self.version})

    def to_snapshot(self) -> dict[str, Any]:
        return {"fields": self.fields, "deleted_at": self.deleted_at}

    @classmethod
    def from_snapshot(cls, company_id: str, version: int, snapshot: dict[str, Any]) -> CompanyState:
        return cls(id=company_id, version=version, fields=dict(snapshot["fields"]), deleted_at=snapshot["deleted_at"])


@dataclass(frozen=True)
class StoredEvent:
    """An event as the store keeps it; `payload` is the delta."""

    event_id: uuid.UUID
    event_type: str
    version: int
    payload: dict[str, Any]
    occurred_at: datetime


def apply(state: CompanyState, event: StoredEvent) -> CompanyState:
    """The state after one event; versions must follow each other without gaps."""
    if event.version != state.version + 1:
        raise ValueError(f"event version {event.version} does not follow {state.version} for {state.id}")
    at = event.occurred_at.isoformat()
    fields = dict(state.fields)
    deleted_at = state.deleted_at
    payload = event.payload
    if event.event_type == CREATED:
        fields = {**payload["fields"], "created_at": at}
    elif event.event_type == UPDATED:
        fields.update(payload["changes"])
    elif event.event_type == DELETED:
        deleted_at = at
    elif event.event_type == RESTORED:
        deleted_at = None
    elif event.event_type == VERIFIED:
        fields.update(payload["legal"])
        fields.update(is_verified=True, verified_at=at, verification_error=None)
    elif event.event_type == VERIFICATION_FAILED:
        fields.update(is_verified=False, verified_at=at, verification_error=payload["reason"])
    else:
        raise ValueError(f"unknown company event {event.event_type}")
    for name, empty in _EMPTY.items():
        if fields.get(name) is None:
            fields[name] = type(empty)()
    if "employees_count" in fields:
        fields["employees_range"] = employees_range(fields["employees_count"])
    fields["updated_at"] = at
    return CompanyState(id=state.id, version=event.version, fields=fields, deleted_at=deleted_at)


def fold(state: CompanyState, events: list[StoredEvent]) -> CompanyState:
    for event in events:
        state = apply(state, event)
    return state


def check_version(state: CompanyState, expected: int | None) -> None:
    """Optimistic concurrency: a stale `If-Match` is refused with the version the caller should have."""
    if expected is not None and expected != state.version:
        raise Conflict(
            f"company {state.id} is at version {state.version}, not {expected}: reload it and retry",
            field="If-Match",
            ru=f"Компания уже изменена (версия {state.version}, а не {expected}): обновите данные и повторите",
            extensions={"current_version": state.version},
        )


def require_live(state: CompanyState | None, key: str) -> CompanyState:
    if state is None or not state.exists or state.deleted:
        raise NotFound(f"company {key} not found", field="id", ru=f"Компания {key} не найдена")
    return state


def changed_fields(state: CompanyState, changes: dict[str, Any]) -> dict[str, Any]:
    """Only what actually differs: a PATCH repeating current values appends no event."""
    return {k: v for k, v in changes.items() if state.fields.get(k) != v}
