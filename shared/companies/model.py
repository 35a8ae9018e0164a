"""Company commands and views exposed through the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

BusinessModel = Literal["B2B", "B2C", "B2B2C"]


class CompanyCreate(BaseModel):
    """The minimal create command; the full catalog schema grows with the companies issue."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=500, description="Brand name as users know it")
    industry: str = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9_]+$", examples=["fintech"])
    description: str | None = Field(default=None, max_length=10_000)
    website: HttpUrl | None = None
    business_model: BusinessModel | None = None
    headquarters_city: str | None = Field(default=None, max_length=255)
    integrations: list[str] = Field(default_factory=list, max_length=100)


class Company(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    industry: str
    description: str | None = None
    website: str | None = None
    business_model: BusinessModel | None = None
    headquarters_city: str | None = None
    integrations: list[str] = Field(default_factory=list)
    is_verified: bool = False
    version: int
    created_at: datetime
    updated_at: datetime


class SearchHit(BaseModel):
    id: uuid.UUID
    name: str
    industry: str
    score: float


class SearchResult(BaseModel):
    query: str
    backend: str
    hits: list[SearchHit]
