"""The messages the discovery chain and its agents publish (registered in `shared.events.EVENTS`):
notifications for the company's BD managers on `notification.events`, and the CRM hub's sync request on
`crm.integration.events`. They are commands to other contexts rather than changes of an aggregate's
state, so nothing keeps them but the outbox; each is written once per run step (the steps are
idempotent) in the transaction that records the step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer

from shared.events import EventPayload, UuidText

# `datetime.isoformat()` (`+00:00`), as the producers have always written it, not pydantic's `Z`.
IsoDatetime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]
UserIds = Annotated[list[str], Field(description="who to tell: the company's active users and its owner")]


class ReviewLinks(EventPayload):
    review: str = Field(description="the API path where the draft is read and approved or rejected")


class OutreachReviewRequested(EventPayload):
    """`outreach.review_requested` (notification.events, aggregate `discovery`): the discovery chain's
    HumanReview step stored a first message to the best match and waits for a BD manager to approve or
    reject it (POST /v1/outreach/{id}/approve|reject) before `review_deadline`; then the run expires."""

    kind: Literal["outreach_review_requested"] = Field(description="the notification template to use")
    discovery_id: UuidText = Field(description="the discovery run")
    company_id: UuidText = Field(description="the company the run is for")
    partner_company_id: UuidText | None = Field(description="the suggested partner the draft is addressed to")
    user_ids: UserIds
    subject: str | None = Field(description="the draft's subject line")
    review_deadline: IsoDatetime = Field(description="when the run expires without an answer")
    links: ReviewLinks


class DiscoveryNoMatch(EventPayload):
    """`discovery.no_match` (notification.events, aggregate `discovery`): a discovery run ended with no
    candidate at or above its threshold; the company's BD managers are told, with the best score it saw, so
    they can lower the threshold or complete the company's card."""

    kind: Literal["discovery_no_match"] = Field(description="the notification template to use")
    discovery_id: UuidText = Field(description="the discovery run")
    company_id: UuidText = Field(description="the company the run was for")
    user_ids: UserIds
    threshold: float = Field(ge=0, le=1, description="the compatibility score a candidate had to reach")
    candidates: int = Field(ge=0, description="how many candidates were analysed")
    best_score: float | None = Field(description="the best candidate's score, null when there was none")


class FollowUpDrafted(EventPayload):
    """`partnership.follow_up_drafted` (notification.events, aggregate `partnership`): the daily follow-up
    agent drafted a nudge for a partnership left in `contacted` or `in_discussion` for
    `follow_up_after_days`; once per partnership and silence."""

    kind: Literal["follow_up_drafted"] = Field(description="the notification template to use")
    draft_id: UuidText = Field(description="the stored draft (follow_up_drafts.id)")
    partnership_id: UuidText = Field(description="the quiet partnership")
    company_id: UuidText = Field(description="the initiating company, whose users are told")
    partner_company_id: UuidText = Field(description="the other company")
    days_stalled: int = Field(ge=1, description="days since the partnership last moved")
    user_ids: UserIds
    subject: str = Field(description="the draft's subject line")


class Deal(EventPayload):
    stage: Literal["contacted"] = Field(description="the deal's stage in the CRM")
    subject: str | None = Field(description="the approved message's subject")
    body: str | None = Field(description="the approved message's text")


class CrmSyncRequested(EventPayload):
    """`crm.sync_requested` (crm.integration.events, aggregate `discovery`): an approved outreach moved the
    partnership to `contacted`; the CRM hub pushes the deal to whichever CRM the company connected."""

    company_id: UuidText = Field(description="the company whose CRM gets the deal")
    partner_company_id: UuidText = Field(description="the partner the deal is with")
    partnership_id: UuidText = Field(description="the partnership, now `contacted`")
    discovery_id: UuidText = Field(description="the discovery run that led to it")
    crm_type: str | None = Field(description="a specific CRM (amocrm, bitrix24), or null: the company's connected one")
    sync_direction: Literal["push"] = Field(description="we push to the CRM")
    deal: Deal
