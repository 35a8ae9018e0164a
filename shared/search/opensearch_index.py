"""OpenSearch `companies` index with Russian morphology, behind a versioned alias.

Documents use external versioning (the aggregate version), so OpenSearch itself refuses a stale
write: repeated or reordered events cannot move the index backwards.
"""

from __future__ import annotations

from typing import Any

from shared.companies.model import Company, SearchHit

ALIAS = "companies"
INDEX_V1 = "companies_v1"

MAPPING: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {
        "properties": {
            "name": {"type": "text", "analyzer": "russian", "fields": {"raw": {"type": "keyword"}}},
            "description": {"type": "text", "analyzer": "russian"},
            "industry": {"type": "keyword"},
            "business_model": {"type": "keyword"},
            "headquarters_city": {"type": "keyword"},
            "integrations": {"type": "keyword"},
            "slug": {"type": "keyword"},
            "version": {"type": "integer"},
            "deleted": {"type": "boolean"},
        }
    },
}


class OpenSearchIndex:
    backend = "opensearch"

    def __init__(self, url: str) -> None:
        from opensearchpy import OpenSearch

        self._client = OpenSearch(hosts=[url], timeout=5)
        self._ready = False

    def ensure_index(self) -> None:
        if self._ready:
            return
        if not self._client.indices.exists_alias(name=ALIAS):
            if not self._client.indices.exists(index=INDEX_V1):
                self._client.indices.create(index=INDEX_V1, body=MAPPING)
            self._client.indices.put_alias(index=INDEX_V1, name=ALIAS)
        self._ready = True

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
            body.append({"index": {"_index": ALIAS, "_id": str(company.id), "version": company.version,
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
        self.ensure_index()
        body = {
            "size": limit,
            "query": {
                "bool": {
                    "must": {"multi_match": {"query": query, "fields": ["name^3", "description"], "fuzziness": "AUTO"}},
                    "must_not": {"term": {"deleted": True}},
                }
            },
        }
        result = self._client.search(index=ALIAS, body=body)
        return [
            SearchHit(id=h["_id"], name=h["_source"]["name"], industry=h["_source"]["industry"], score=h["_score"])
            for h in result["hits"]["hits"]
        ]

    def ping(self) -> None:
        if not self._client.ping():
            raise ConnectionError("OpenSearch did not answer ping")
