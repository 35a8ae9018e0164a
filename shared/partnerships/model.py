"""Partnership views, commands and queries exposed through the API (seed: "partnerships table")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.partnerships.analysis import Criterion, PairAnalysis
from shared.partnerships.lifecycle import Status

__all__ = [
    "AnalyzeRequest",
    "CompanyKinds",
    "Criterion",
    "KindProposal",
    "OutcomesPatch",
    "PairAnalysis",
    "Partnership",
    "PartnershipCreate",
    "PartnershipListQuery",
    "PartnershipPage",
    "StatusChange",
    "Suggestion",
    "SuggestionList",
]


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    company_a_id: uuid.UUID
    company_b_id: uuid.UUID


class PartnershipCreate(AnalyzeRequest):
    """Company A is the caller's company (they must own or administer it); B is the suggested partner."""


class StatusChange(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    status: Status


class OutcomesPatch(BaseModel):
    """What the partnership brought, in roubles; omitted fields stay as they are."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    deal_value: int | None = Field(default=None, ge=0, le=9_000_000_000_000_000_000)
    revenue_generated: int | None = Field(default=None, ge=0, le=9_000_000_000_000_000_000)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class CompanyBrief(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: uuid.UUID
    slug: str
    name: str
    industry: str
    sub_industries: list[str] = Field(default_factory=list)
    business_model: str | None = None
    headquarters_city: str | None = None


class Suggestion(BaseModel):
    """A ranked candidate partner with the per-criterion breakdown."""

    model_config = ConfigDict(defer_build=True)

    company: CompanyBrief
    score: float
    criteria: list[Criterion]
    match_reasons: list[str]
    synergy_areas: list[str]


class KindProposal(BaseModel):
    """A kind of product (sub-industry) proposed for the company from what it says about itself."""

    model_config = ConfigDict(defer_build=True)

    code: str
    label: str = Field(description="the taxonomy's Russian label")
    confidence: float = Field(ge=0, le=1)
    source: Literal["model", "llm"]


class CompanyKinds(BaseModel):
    """The kinds of product matching read for the company, and where they came from.

    `source` is `user` when the company's own `sub_industries` are set (proposals never override them),
    `model` when matching reads the confident proposals, `none` when neither exists yet (then it falls
    back to industries). To accept or correct a proposal, PATCH the company's `sub_industries`."""

    model_config = ConfigDict(defer_build=True)

    matched: list[str]
    source: Literal["user", "model", "none"]
    proposals: list[KindProposal] = Field(default_factory=list)


class SuggestionList(BaseModel):
    model_config = ConfigDict(defer_build=True)
    company_id: uuid.UUID
    kinds: CompanyKinds
    items: list[Suggestion]
    candidates_scored: int = Field(description="how many candidates the SQL prefilter passed to scoring")


class Partnership(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: uuid.UUID
    company_a_id: uuid.UUID
    company_b_id: uuid.UUID
    compatibility_score: float
    match_reasons: list[str] = Field(default_factory=list)
    synergy_areas: list[str] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    analysis_method: str
    analyzed_by_agent: str | None = None
    analysis_timestamp: datetime
    ai_explanation: str | None = None
    status: Status
    paused_from: Status | None = None
    allowed_moves: list[Status] = Field(default_factory=list)
    contacted_at: datetime | None = None
    partnership_started_at: datetime | None = None
    deal_value: int | None = None
    revenue_generated: int = 0
    version: int
    created_at: datetime
    updated_at: datetime


class PartnershipListQuery(BaseModel):
    model_config = ConfigDict(defer_build=True)
    status: Status | None = None
    company_id: uuid.UUID | None = Field(default=None, description="only this one of the caller's companies")
    limit: int = Field(default=50, ge=1, le=200)


class PartnershipPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    items: list[Partnership]
