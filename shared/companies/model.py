"""Company commands, views and queries exposed through the API (seed: "companies table").

Users write the catalog fields; legal data from ЕГРЮЛ (legal name, address, status) and the AI
fields are filled by the verification and enrichment functions, never by a request body.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetPydanticSchema,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError, ValidationError, core_schema

from shared.companies.legal import Inn, Kpp, Ogrn, check_identity_pair

BusinessModel = Literal["B2B", "B2C", "B2B2C"]
FundingStage = Literal["bootstrapped", "pre_seed", "seed", "series_a", "series_b", "series_c", "late_stage", "ipo"]
LegalStatus = Literal["active", "liquidating", "liquidated", "bankrupt", "reorganizing"]
Code = Annotated[str, Field(min_length=2, max_length=100, pattern=r"^[a-z0-9_]+$")]
Label = Annotated[str, Field(min_length=1, max_length=100)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2", examples=["RU"])]


def _known_code(kind: Literal["industry", "sub_industry"]) -> WrapValidator:
    """A code of the taxonomy (shared/taxonomy): an unknown one is the error `unknown_<kind>` proposing the
    nearest known codes (ctx: code, suggestions [{key, ru, en}], nearest). A malformed value ("FinTech",
    "платежи") that resembles a known code gets that error too, else the format's own error."""

    def check(value: object, handler: ValidatorFunctionWrapHandler) -> str:
        from shared.taxonomy import codes

        known, nearest = (
            (codes.is_industry, codes.nearest_industries)
            if kind == "industry"
            else (codes.is_sub_industry, codes.nearest_sub_industries)
        )
        try:
            code: str = handler(value)
        except ValidationError:
            if not isinstance(value, str) or not (suggestions := nearest(value)):
                raise
            raise _unknown(kind, value.strip(), suggestions) from None
        if not known(code):
            raise _unknown(kind, code, nearest(code))
        return code

    return WrapValidator(check)


def _unknown(kind: str, code: str, suggestions: list[Any]) -> PydanticCustomError:
    what = "industry" if kind == "industry" else "sub-industry"
    nearest = ", ".join(s.key for s in suggestions)
    hint = f": did you mean {nearest}?" if suggestions else ": the known codes are listed at GET /v1/taxonomy"
    return PydanticCustomError(
        f"unknown_{kind}",
        f"unknown {what} '{{code}}'{hint}",
        {"code": code, "nearest": nearest, "suggestions": [s.as_dict() for s in suggestions]},
    )


_INDUSTRY = "An industry key of GET /v1/taxonomy"
_SUB_INDUSTRIES = "Sub-industry keys of GET /v1/taxonomy (of any industry)"
# An industry / sub-industry key of GET /v1/taxonomy, checked when a company is written (not in the filters:
# a filter naming an unknown code simply matches nothing).
IndustryCode = Annotated[Code, _known_code("industry")]
SubIndustryCode = Annotated[Code, _known_code("sub_industry")]


def _csv(value: object) -> object:
    # HTTP API joins a repeated query parameter with commas; "a,b" and ["a", "b"] mean the same.
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# pydantic's HttpUrl validation (the same core `url` schema: http(s), at most 2083 characters, the same error
# types), kept as the normalised string: HttpUrl's module (pydantic.networks) costs every company function's
# cold start ~10 ms of imports (ipaddress, its email support).
WebUrl = Annotated[
    str,
    GetPydanticSchema(
        lambda _type, _handler: core_schema.no_info_after_validator_function(
            str,
            core_schema.url_schema(max_length=2083, allowed_schemes=["http", "https"]),
            serialization=core_schema.to_string_ser_schema(),
        ),
        lambda _schema, _handler: {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083},
    ),
]


class TechStack(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    languages: list[Label] = Field(default_factory=list, max_length=30)
    frameworks: list[Label] = Field(default_factory=list, max_length=30)
    databases: list[Label] = Field(default_factory=list, max_length=30)
    cloud: list[Label] = Field(default_factory=list, max_length=30)


class _CompanyFields(BaseModel):
    """The catalog fields a user may set, all optional: the shape of a partial update."""

    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=2, max_length=500, description="Brand name as users know it")
    description: str | None = Field(default=None, max_length=10_000)
    website: WebUrl | None = None
    logo_url: WebUrl | None = None
    industry: IndustryCode | None = Field(default=None, examples=["fintech"], description=_INDUSTRY)
    sub_industries: list[SubIndustryCode] | None = Field(
        default=None, max_length=10, examples=[["payments"]], description=_SUB_INDUSTRIES
    )
    business_model: BusinessModel | None = None
    founded_year: int | None = Field(default=None, ge=1800, le=2100)
    headquarters_country: CountryCode | None = None
    headquarters_city: str | None = Field(default=None, max_length=255)
    employees_count: int | None = Field(default=None, ge=1, le=10_000_000)
    funding_total: int | None = Field(default=None, ge=0, description="Roubles raised in total")
    funding_stage: FundingStage | None = None
    last_funding_date: date | None = None
    inn: Inn | None = Field(default=None, description="ИНН: 10 digits (organisation) or 12 (sole trader)")
    ogrn: Ogrn | None = Field(default=None, description="ОГРН (13 digits) or ОГРНИП (15)")
    kpp: Kpp | None = Field(default=None, description="КПП of an organisation")
    tech_stack: TechStack | None = None
    integrations: list[Code] | None = Field(default=None, max_length=100)
    api_available: bool | None = None
    api_documentation_url: WebUrl | None = None

    @field_validator("ogrn")
    @classmethod
    def _ogrn_matches_inn(cls, ogrn: str | None, info: ValidationInfo) -> str | None:
        check_identity_pair(info.data.get("inn"), ogrn, None)
        return ogrn

    @field_validator("kpp")
    @classmethod
    def _kpp_only_for_organisations(cls, kpp: str | None, info: ValidationInfo) -> str | None:
        check_identity_pair(info.data.get("inn"), None, kpp)
        return kpp


class CompanyCreate(_CompanyFields):
    name: str = Field(min_length=2, max_length=500, description="Brand name as users know it")
    industry: IndustryCode = Field(examples=["fintech"], description=_INDUSTRY)


class CompanyPatch(_CompanyFields):
    """Only the fields present change; an explicit null clears an optional field."""

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class CompanyImport(CompanyCreate):
    """A catalog row for bulk import: the create command plus what enrichment would have filled."""

    legal_name: str | None = Field(default=None, max_length=500)
    legal_address: str | None = None
    ai_tags: list[Label] = Field(default_factory=list, max_length=30)
    ai_summary: str | None = Field(default=None, max_length=2_000)


class Company(BaseModel):
    """The company as readers see it (the read model's document)."""

    model_config = ConfigDict(defer_build=True)

    id: uuid.UUID
    slug: str
    name: str
    description: str | None = None
    website: str | None = None
    logo_url: str | None = None
    industry: str
    sub_industries: list[str] = Field(default_factory=list)
    business_model: BusinessModel | None = None
    founded_year: int | None = None
    headquarters_country: str | None = None
    headquarters_city: str | None = None
    employees_count: int | None = None
    employees_range: str | None = None
    funding_total: int = 0
    funding_stage: str | None = None
    last_funding_date: date | None = None
    inn: str | None = None
    ogrn: str | None = None
    kpp: str | None = None
    legal_name: str | None = None
    legal_address: str | None = None
    legal_status: LegalStatus | None = None
    tech_stack: dict[str, list[str]] = Field(default_factory=dict)
    integrations: list[str] = Field(default_factory=list)
    api_available: bool = False
    api_documentation_url: str | None = None
    ai_summary: str | None = None
    ai_tags: list[str] = Field(default_factory=list)
    ai_sentiment_score: float | None = None
    embedding_model: str | None = None
    is_verified: bool = False
    verified_at: datetime | None = None
    verification_error: str | None = Field(default=None, description="why the last ЕГРЮЛ check failed")
    is_active: bool = True
    view_count: int = 0
    owner_id: uuid.UUID | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class CompanyEvent(BaseModel):
    """One entry of `GET /v1/companies/{id}/history`."""

    model_config = ConfigDict(defer_build=True)

    event_id: uuid.UUID
    version: int
    event_type: str
    payload: dict[str, Any]
    actor: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    occurred_at: datetime


class CompanyHistory(BaseModel):
    model_config = ConfigDict(defer_build=True)
    company_id: uuid.UUID
    version: int
    events: list[CompanyEvent]


SortKey = Literal[
    "created_at", "-created_at", "name", "-name", "employees_count", "-employees_count", "funding_total",
    "-funding_total", "founded_year", "-founded_year", "updated_at", "-updated_at",
]  # fmt: skip
CsvCodes = Annotated[list[Code], BeforeValidator(_csv)]
CsvLabels = Annotated[list[Label], BeforeValidator(_csv)]


class CompanyFilters(BaseModel):
    """The catalog filters (seed: industry, size, funding, verification, tags): the same names and meaning in
    `GET /v1/companies` and `GET /v1/search` (SQL in shared/companies/filters.py, OpenSearch in
    shared/search/opensearch_index.py)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    industry: CsvCodes | None = Field(default=None, description="one or more, comma-separated")
    sub_industry: CsvCodes | None = Field(default=None, description="any of these, comma-separated")
    business_model: BusinessModel | None = None
    country: CountryCode | None = None
    city: str | None = Field(default=None, max_length=255, description="headquarters city, any letter case")
    employees_min: int | None = Field(default=None, ge=0)
    employees_max: int | None = Field(default=None, ge=0)
    funding_stage: Annotated[list[FundingStage], BeforeValidator(_csv)] | None = None
    verified: bool | None = None
    tag: CsvLabels | None = Field(default=None, description="all of these tags, comma-separated")
    integration: CsvCodes | None = Field(default=None, description="all of these integrations")

    @field_validator("employees_max")
    @classmethod
    def _range(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("employees_min")
        if value is not None and low is not None and value < low:
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError("range_inverted", "must not be less than employees_min")
        return value

    def filters(self) -> CompanyFilters:
        """Only the filters (a query model's paging and sorting left out)."""
        return CompanyFilters.model_validate(self.model_dump(include=set(CompanyFilters.model_fields)))

    def applied(self) -> dict[str, Any]:
        """The filters that are set, JSON-ready (for analytics and logs)."""
        return self.filters().model_dump(mode="json", exclude_none=True)


class CompanyListQuery(CompanyFilters):
    """`GET /v1/companies`: the filters, a sort order and a cursor."""

    sort: SortKey = "-created_at"
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=500)


class CompanyPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    items: list[Company]
    next_cursor: str | None = None
    limit: int


class VerificationRequested(BaseModel):
    model_config = ConfigDict(defer_build=True)
    company_id: uuid.UUID
    status: Literal["queued"] = "queued"


class SearchHit(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: uuid.UUID
    name: str
    industry: str
    score: float
