"""`GET /v1/search`: the query (filters shared with `GET /v1/companies`), the answer, and the search limits.

The limits (see shared/search/hybrid.py for why):

* `TEXT_WINDOW`: the full-text side ranks at most this many matches (the best ones) for the fusion;
* `SEMANTIC_WINDOW`: the semantic side contributes the nearest this many companies (k of the k-NN);
* `SEMANTIC_EF_SEARCH`: how many candidates pgvector's HNSW scan keeps for them (``hnsw.ef_search``):
  at 100,000 companies 50 (k itself) found 91% of the exact 50 nearest, 100 finds more for a few ms
  (tests/benchmarks/bench_search.py);
* `MAX_RESULTS`: the fused list is cut here; pages reach no further (page * page_size <= MAX_RESULTS);
* `RRF_K`: the constant of reciprocal rank fusion, 60 as in Cormack et al. (2009) and in OpenSearch's and
  Elasticsearch's own RRF.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.companies.model import CompanyFilters

TEXT_WINDOW = 200
SEMANTIC_WINDOW = 50
SEMANTIC_EF_SEARCH = 100
MAX_RESULTS = 200
RRF_K = 60

SearchMode = Literal["hybrid", "text", "semantic"]


class SearchQuery(CompanyFilters):
    """Free text, how to search it, which page; and the catalog filters of `GET /v1/companies`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(min_length=1, max_length=200, description="free text, Russian or English; typos are tolerated")
    mode: SearchMode = Field(
        default="hybrid",
        description="hybrid: full-text and semantic results fused by reciprocal rank; text: full-text only; "
        "semantic: nearest neighbours of the query's embedding only",
    )
    page_size: int = Field(default=20, ge=1, le=50)
    page: int = Field(
        default=1, ge=1, description=f"1-based; the results end at {MAX_RESULTS} (page * page_size <= {MAX_RESULTS})"
    )

    @field_validator("page")
    @classmethod
    def _within_results(cls, page: int, info: ValidationInfo) -> int:
        size = info.data.get("page_size")
        if isinstance(size, int) and (page - 1) * size >= MAX_RESULTS:
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError(
                "page_beyond_results",
                "search results end at {max_results}: a page must start before it",
                {"max_results": MAX_RESULTS},
            )
        return page


class Highlight(BaseModel):
    """Snippets with the matched words in ``<mark>…</mark>``; everything else in them is HTML-escaped."""

    model_config = ConfigDict(defer_build=True)

    name: str | None = None
    description: str | None = Field(default=None, description="up to two fragments joined by ' … '")


class SearchItem(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: uuid.UUID
    name: str
    slug: str | None = None
    industry: str
    score: float = Field(description="reciprocal rank fusion score: the sum of 1 / (60 + rank) over the sides")
    text_rank: int | None = Field(default=None, description="1-based rank on the full-text side; null: not matched")
    semantic_rank: int | None = Field(default=None, description="1-based rank on the semantic side; null: not among")
    highlight: Highlight = Field(default_factory=Highlight)


class FacetValue(BaseModel):
    model_config = ConfigDict(defer_build=True)
    value: str
    count: int


class SearchFacets(BaseModel):
    """Counts over all the results (every page), most frequent first: each value's count is how many results have it."""

    model_config = ConfigDict(defer_build=True)

    industry: list[FacetValue] = Field(default_factory=list)
    funding_stage: list[FacetValue] = Field(default_factory=list)
    business_model: list[FacetValue] = Field(default_factory=list)
    city: list[FacetValue] = Field(default_factory=list)


class SearchPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    query: str
    backend: str = Field(description="full-text side: postgres or opensearch (the semantic side is always pgvector)")
    mode: SearchMode = Field(description="what was searched: the requested mode, or text when semantic was unavailable")
    degraded: str | None = Field(default=None, description="why the answer is not what the mode asked for")
    total: int = Field(description=f"results in all pages (at most {MAX_RESULTS})")
    text_matches: int | None = Field(
        default=None, description="companies the full-text side matched in all (null when it did not run)"
    )
    items: list[SearchItem]
    facets: SearchFacets
    page: int
    page_size: int


@dataclass(frozen=True)
class Candidate:
    """One company found by one side, with what the answer shows and counts."""

    id: str
    name: str
    industry: str
    slug: str | None = None
    funding_stage: str | None = None
    business_model: str | None = None
    city: str | None = None
    score: float = 0.0  # the side's own score (BM25, ts_rank, word similarity, cosine similarity)


@dataclass(frozen=True)
class TextMatches:
    """The full-text side's answer: the best `limit` matches, best first, and how many matched in all."""

    candidates: list[Candidate]
    total: int
    fuzzy: bool = False  # found by the typo fallback (nothing matched exactly)
