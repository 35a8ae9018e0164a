"""What the discovery HTTP API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Status = Literal[
    "started", "finding_candidates", "analysing", "writing", "awaiting_review",
    "contacted", "rejected", "expired", "no_match", "failed",
]  # fmt: skip


class DiscoveryFilters(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    industries: list[str] = Field(default_factory=list, max_length=20)
    exclude_company_ids: list[str] = Field(default_factory=list, max_length=200)
    limit: int = Field(default=5, ge=1, le=20, description="How many candidates to analyse.")


class StartDiscovery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    company_id: str = Field(pattern=UUID_PATTERN, description="The company looking for partners (yours).")
    threshold: float = Field(default=0.6, ge=0, le=1, description="Lowest compatibility score worth an outreach.")
    filters: DiscoveryFilters = Field(default_factory=DiscoveryFilters)


class DiscoveryStarted(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: str
    status: Status


class Candidate(BaseModel):
    model_config = ConfigDict(defer_build=True)
    company_id: str
    name: str | None = None
    score: float | None = None
    passed: bool | None = None
    synergy_areas: list[str] = Field(default_factory=list)
    explanation: str | None = None


class Draft(BaseModel):
    model_config = ConfigDict(defer_build=True)
    subject: str
    body: str
    made_by: dict[str, Any] | None = None


class Review(BaseModel):
    model_config = ConfigDict(defer_build=True)
    state: Literal["pending", "approved", "rejected", "expired"] | None = None
    deadline: datetime | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None
    final: Draft | None = None


class Failure(BaseModel):
    model_config = ConfigDict(defer_build=True)
    step: str
    error: str
    cause: str
    at: str


class Discovery(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: str
    company_id: str
    status: Status
    current_step: str | None
    execution_arn: str | None
    threshold: float
    trigger: dict[str, Any]
    candidates: list[Candidate]
    partner_company_id: str | None
    partnership_id: str | None
    draft: Draft | None
    review: Review
    failures: list[Failure]
    created_at: datetime
    updated_at: datetime


class ApproveOutreach(BaseModel):
    """Optional edits: what is given replaces the draft's text."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    subject: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=10_000)


class RejectOutreach(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
