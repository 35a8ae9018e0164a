"""OpenSearch `companies` index with Russian morphology, behind a versioned alias.

Documents use external versioning (the aggregate version), so OpenSearch itself refuses a stale
write: repeated or reordered events cannot move the index backwards.

Matching (`match`): every word of the query must match name (boosted 3x) or description, each word
analysed by the ``russian`` analyzer (stemming, stop words) with ``fuzziness: AUTO`` (one edit for 3-5
letters, two beyond); a stop word requires nothing. Only when that finds nothing does any one word
suffice (a misspelt or foreign word then does not empty the text side). BM25 ranks; ties go by slug.
The catalog filters are the list's (shared/companies/filters.py) as filter clauses on keyword fields:
``headquarters_city.lower`` compares without letter case as the list's ``lower(headquarters_city)``.

Mapping changes reach a live index only through ``algoarts rebuild search`` (a new ``companies_v{n+1}``
with this MAPPING, then the alias moves): `ensure_index` logs a warning naming the fields whose live
mapping differs (an index created before the search filters maps funding_stage and the like as text).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from typing import Any

from shared.companies.model import Company, CompanyFilters, SearchHit
from shared.search.highlight import MARK_END, MARK_START, render_highlight
from shared.search.model import Candidate, Highlight, TextMatches

LOG = logging.getLogger(__name__)

ALIAS = "companies"
INDEX_V1 = "companies_v1"

MAPPING: dict[str, Any] = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {"normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}}},
    },
    "mappings": {
        "properties": {
            "name": {"type": "text", "analyzer": "russian", "fields": {"raw": {"type": "keyword"}}},
            "description": {"type": "text", "analyzer": "russian"},
            "industry": {"type": "keyword"},
            "sub_industries": {"type": "keyword"},
            "business_model": {"type": "keyword"},
            "headquarters_country": {"type": "keyword"},
            "headquarters_city": {
                "type": "keyword",
                "fields": {"lower": {"type": "keyword", "normalizer": "lowercase"}},
            },
            "employees_count": {"type": "integer"},
            "funding_stage": {"type": "keyword"},
            "is_verified": {"type": "boolean"},
            "ai_tags": {"type": "keyword"},
            "integrations": {"type": "keyword"},
            "slug": {"type": "keyword"},
            "version": {"type": "integer"},
            "deleted": {"type": "boolean"},
        }
    },
}

TEXT_FIELDS = ["name^3", "description"]
MAX_QUERY_WORDS = 12
_SOURCE = ["name", "industry", "slug", "funding_stage", "business_model", "headquarters_city"]
_WORD = re.compile(r"\w+")


def query_words(query: str) -> list[str]:
    """The words of a query as the standard tokenizer would split them (letters and digits), at most 12."""
    return _WORD.findall(query)[:MAX_QUERY_WORDS]


def _word_clause(word: str) -> dict[str, Any]:
    return {"multi_match": {"query": word, "fields": TEXT_FIELDS, "fuzziness": "AUTO", "zero_terms_query": "all"}}


def text_query(query: str, *, every_word: bool) -> dict[str, Any]:
    """Every word (or, with ``every_word=False``, at least one) matches name or description, typos tolerated."""
    clauses = [_word_clause(w) for w in query_words(query)]
    if every_word:
        return {"bool": {"must": clauses}}
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def filter_clauses(filters: CompanyFilters) -> list[dict[str, Any]]:
    """The list's filters (shared/companies/filters.py) as OpenSearch filter clauses, with the same meaning."""
    clauses: list[dict[str, Any]] = [{"bool": {"must_not": {"term": {"deleted": True}}}}]
    if filters.industry:
        clauses.append({"terms": {"industry": filters.industry}})
    if filters.sub_industry:
        clauses.append({"terms": {"sub_industries": filters.sub_industry}})  # any of them
    if filters.business_model:
        clauses.append({"term": {"business_model": filters.business_model}})
    if filters.country:
        clauses.append({"term": {"headquarters_country": filters.country}})
    if filters.city:
        clauses.append({"term": {"headquarters_city.lower": filters.city.lower()}})
    if filters.employees_min is not None or filters.employees_max is not None:
        bounds = {"gte": filters.employees_min, "lte": filters.employees_max}
        clauses.append({"range": {"employees_count": {k: v for k, v in bounds.items() if v is not None}}})
    if filters.funding_stage:
        clauses.append({"terms": {"funding_stage": filters.funding_stage}})
    if filters.verified is not None:
        clauses.append({"term": {"is_verified": filters.verified}})
    for tag in filters.tag or ():  # all of them
        clauses.append({"term": {"ai_tags": tag}})
    for integration in filters.integration or ():  # all of them
        clauses.append({"term": {"integrations": integration}})
    return clauses


class OpenSearchIndex:
    backend = "opensearch"

    def __init__(self, url: str, *, alias: str = ALIAS) -> None:
        """``alias``: the name searched and written (`ALIAS`; tests use their own), created over
        ``{alias}_v1`` when missing."""
        from opensearchpy import OpenSearch

        self._client = OpenSearch(hosts=[url], timeout=5)
        self.alias = alias
        self._ready = False

    def ensure_index(self) -> None:
        if self._ready:
            return
        if not self._client.indices.exists_alias(name=self.alias):
            first = INDEX_V1 if self.alias == ALIAS else f"{self.alias}_v1"
            if not self._client.indices.exists(index=first):
                self._client.indices.create(index=first, body=MAPPING)
            self._client.indices.put_alias(index=first, name=self.alias)
        stale = self._stale_fields()
        if stale:
            LOG.warning(
                "the %s index maps %s differently from MAPPING: filters on them may miss; run `algoarts rebuild "
                "search` to build an index with the current mapping",
                self.alias,
                ", ".join(stale),
            )
        self._ready = True

    def _stale_fields(self) -> list[str]:
        """Fields whose live mapping (type, or a missing sub-field) is not MAPPING's; absent ones are fine
        (they are mapped as MAPPING says when the first document carrying them arrives)."""
        live = self._client.indices.get_mapping(index=self.alias)
        stale: set[str] = set()
        for index in live.values():
            properties = index.get("mappings", {}).get("properties", {})
            for name, wanted in MAPPING["mappings"]["properties"].items():
                found = properties.get(name)
                if found is None:
                    continue
                if found.get("type") != wanted.get("type") or not set(wanted.get("fields", {})) <= set(
                    found.get("fields", {})
                ):
                    stale.add(name)
        return sorted(stale)

    def upsert(self, company: Company, *, deleted: bool = False) -> bool:
        return self.upsert_many([(company, deleted)]) == 1

    def upsert_many(self, companies: list[tuple[Company, bool]]) -> int:
        """One bulk request and one refresh per batch (a refresh per document made a 100-event batch
        take 4-15 s); a stale version is a per-item 409, which is what idempotence means here."""
        if not companies:
            return 0
        self.ensure_index()
        body: list[dict[str, Any]] = []
        for company, deleted in companies:
            body.append({"index": {"_index": self.alias, "_id": str(company.id), "version": company.version,
                                   "version_type": "external"}})  # fmt: skip
            body.append({**company.model_dump(mode="json"), "deleted": deleted})
        result = self._client.bulk(body=body, refresh=True)
        applied = 0
        for item in result["items"]:
            status = item["index"]["status"]
            if status in (200, 201):
                applied += 1
            elif status != 409:
                raise RuntimeError(f"OpenSearch refused {item['index'].get('_id')}: {item['index'].get('error')}")
        return applied

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        matches = self.match(query, CompanyFilters(), limit)
        return [
            SearchHit(id=uuid.UUID(c.id), name=c.name, industry=c.industry, score=c.score) for c in matches.candidates
        ]

    def match(self, query: str, filters: CompanyFilters, limit: int) -> TextMatches:
        if not query_words(query):
            return TextMatches([], 0)
        self.ensure_index()
        result = self._match(query, filters, limit, every_word=True)
        fuzzy = _total(result) == 0
        if fuzzy:
            result = self._match(query, filters, limit, every_word=False)
        hits = result["hits"]["hits"]
        candidates = [
            Candidate(
                id=h["_id"],
                name=h["_source"]["name"],
                industry=h["_source"]["industry"],
                slug=h["_source"].get("slug"),
                funding_stage=h["_source"].get("funding_stage"),
                business_model=h["_source"].get("business_model"),
                city=h["_source"].get("headquarters_city"),
                score=float(h["_score"] or 0.0),
            )
            for h in hits
        ]
        return TextMatches(candidates, _total(result), fuzzy=fuzzy and bool(candidates))

    def _match(self, query: str, filters: CompanyFilters, limit: int, *, every_word: bool) -> dict[str, Any]:
        body = {
            "size": limit,
            "track_total_hits": True,
            "_source": _SOURCE,
            "query": {"bool": {"must": text_query(query, every_word=every_word), "filter": filter_clauses(filters)}},
            "sort": ["_score", {"slug": {"order": "asc", "missing": "_last", "unmapped_type": "keyword"}}],
        }
        result: dict[str, Any] = self._client.search(index=self.alias, body=body)
        return result

    def highlight(self, query: str, ids: Sequence[str]) -> dict[str, Highlight]:
        if not ids:
            return {}
        self.ensure_index()
        words = query_words(query)
        body = {
            "size": len(ids),
            "_source": False,
            "query": {"bool": {"filter": {"ids": {"values": list(ids)}}, "should": [_word_clause(w) for w in words]}},
            "highlight": {
                "pre_tags": [MARK_START],
                "post_tags": [MARK_END],
                "fields": {
                    "name": {"number_of_fragments": 0, "no_match_size": 500},
                    "description": {"fragment_size": 160, "number_of_fragments": 2, "no_match_size": 160},
                },
            },
        }
        result = self._client.search(index=self.alias, body=body)
        marks: dict[str, Highlight] = {}
        for hit in result["hits"]["hits"]:
            found = hit.get("highlight", {})
            name = found.get("name")
            description = found.get("description")
            marks[hit["_id"]] = Highlight(
                name=render_highlight(name[0]) if name else None,
                description=render_highlight(" … ".join(description)) if description else None,
            )
        return marks

    def ping(self) -> None:
        if not self._client.ping():
            raise ConnectionError("OpenSearch did not answer ping")


def _total(result: dict[str, Any]) -> int:
    total = result["hits"]["total"]
    return int(total["value"] if isinstance(total, dict) else total)
