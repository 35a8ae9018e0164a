"""Verification of a company's legal identity against ЕГРЮЛ/ЕГРИП, as a queue of requests.

A request is queued when `company.created` (or an INN change) arrives and when a user asks;
the worker asks the registry and records `company.verified` or `company.verification_failed`.
A registry outage never loses a request: the message comes back with a growing delay, and after
the last attempt it is parked in the dead-letter queue with the reason, to be redriven.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.companies.events import CompanyCreated, CompanyUpdated
from shared.companies.model import Company
from shared.events import EventEnvelope

MAX_ATTEMPTS = 5
_BASE_DELAY_SECONDS = 10
_MAX_DELAY_SECONDS = 900


class VerificationRequest(BaseModel):
    """The queue message: which company, which INN was asked about (a later change makes it stale)."""

    company_id: str = Field(min_length=36, max_length=36)
    inn: str = Field(pattern=r"^\d{10}$|^\d{12}$")
    correlation_id: str | None = None
    requested_at: datetime


def verification_request(company: Company, correlation_id: str | None) -> dict[str, Any]:
    if company.inn is None:
        raise ValueError("a company without an INN cannot be verified")
    request = VerificationRequest(
        company_id=str(company.id), inn=company.inn, correlation_id=correlation_id, requested_at=datetime.now(UTC)
    )
    return request.model_dump(mode="json")


def request_for_event(event: EventEnvelope[Any]) -> dict[str, Any] | None:
    """The request a company event calls for: a new company with an INN, or a changed INN."""
    match event.payload:
        case CompanyCreated(company=company):
            pass
        case CompanyUpdated(changes=changes, company=company) if "inn" in changes:
            pass
        case _:
            return None
    if company.inn is None:
        return None
    return verification_request(company, event.correlation_id or str(event.event_id))


def retry_delay(receive_count: int) -> int:
    """Seconds before the next attempt: 10, 20, 40, ... capped at 15 minutes."""
    return int(min(_MAX_DELAY_SECONDS, _BASE_DELAY_SECONDS * 2 ** max(0, receive_count - 1)))
