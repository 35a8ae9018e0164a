"""The payloads of `company.events`, one model per event type (registered in `shared.events.EVENTS`).

Every company event is appended by `shared.companies.service` in the command's transaction. Its delta
(what changed: the `...Delta` models here) is what the event store keeps (`company_events.payload`, the
fold's input, `GET /v1/companies/{id}/history`); the outbox message carries the same delta followed by
the whole document after the event (`company`) and whether the company is deleted (`deleted`), so no
read model has to query back. Each payload model is `CompanyDocument` plus its delta, the delta's fields
first: the order the producers have always written.

`fields`, `changes` and `previous` are keyed by the company's field names (`Company`'s), with JSON values
(dates as ISO strings); they hold whatever the command set, so they are maps rather than fixed models.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.companies.model import Company, LegalStatus
from shared.events import EventPayload, spec_of


class CompanyDocument(EventPayload):
    """What every company event carries after its delta; the base of the company payloads."""

    company: Company = Field(description="the company as readers see it after this event (the read model's document)")
    deleted: bool = Field(default=False, description="true when the company is soft-deleted after this event")


# --- the deltas (the event store's payloads) ----------------------------------------------------------------


class CreatedDelta(EventPayload):
    fields: dict[str, Any] = Field(
        description="the initial fields: the create command (or import row), the claimed slug, owner_id, "
        "and is_verified=false"
    )


class UpdatedDelta(EventPayload):
    changes: dict[str, Any] = Field(description="each changed field with its new value")
    previous: dict[str, Any] = Field(description="the same fields with their values before the change")


class LegalData(EventPayload):
    """The register's data a verification writes onto the company."""

    legal_name: str | None = Field(description='the short legal name, as on invoices (ООО "ЯНДЕКС")')
    legal_address: str | None = Field(description="the registered address, one line")
    ogrn: str | None = Field(description="ОГРН (13 digits) or ОГРНИП (15)")
    kpp: str | None = Field(description="КПП; null for sole traders")
    legal_status: LegalStatus = Field(description="the entity's status in the register")


class VerifiedDelta(EventPayload):
    legal: LegalData = Field(description="what the register says about the entity")
    source: str = Field(description="the register's provider", examples=["dadata"])


class VerificationFailedDelta(EventPayload):
    reason: str = Field(description="why, in Russian, as the company's users see it (verification_error)")


# --- the payloads -------------------------------------------------------------------------------------------


class CompanyCreated(CompanyDocument, CreatedDelta):
    """`company.created`: a company was created (POST /v1/companies, or a bulk import); version 1.
    Consumers: the verification queue (when it has an INN), the embedding, the read models, analytics."""


class CompanyUpdated(CompanyDocument, UpdatedDelta):
    """`company.updated`: fields changed: a user's PATCH (only the values that differ), the enrichment
    agent's summary and tags, or a new INN/OGRN (which also clears the legal data and `is_verified`, and
    leads to a new verification)."""


class CompanyDeleted(CompanyDocument):
    """`company.deleted`: the company was soft-deleted (DELETE /v1/companies/{id}); `deleted` is true and
    the read models drop it. The delta is empty."""


class CompanyRestored(CompanyDocument):
    """`company.restored`: a soft-deleted company was restored (POST /v1/companies/{id}/restore). The delta
    is empty."""


class CompanyVerified(CompanyDocument, VerifiedDelta):
    """`company.verified`: ЕГРЮЛ/ЕГРИП confirmed the company's INN (the verification worker, after
    `company.created` with an INN, a changed INN, or POST /v1/companies/{id}/verify); `company` has the
    legal data and is_verified=true."""


class CompanyVerificationFailed(CompanyDocument, VerificationFailedDelta):
    """`company.verification_failed`: the register has no entity with the INN, or its OGRN differs from
    the company's; `company` has is_verified=false and `verification_error` = `reason`."""


type CompanyEvent = (
    CompanyCreated | CompanyUpdated | CompanyDeleted | CompanyRestored | CompanyVerified | CompanyVerificationFailed
)


def company_payload(event_type: str, delta: dict[str, Any], company: Company, deleted: bool) -> CompanyDocument:
    """The outbox payload of a company event: its delta (as the event store keeps it), then the document
    after the event and the deletion flag."""
    model = spec_of(event_type).model()
    if not issubclass(model, CompanyDocument):
        raise TypeError(f"{event_type} is not a company event")
    return model.model_validate({**delta, "company": company, "deleted": deleted})
