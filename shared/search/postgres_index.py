"""Search served from Postgres in the embedded profile: russian text search config plus trigram names."""

from __future__ import annotations

from shared.companies.model import Company, SearchHit
from shared.db import connection

_UPSERT = """
INSERT INTO company_search (company_id, version, name, industry, document, deleted, search_vector, updated_at)
VALUES (%(id)s, %(version)s, %(name)s, %(industry)s, %(doc)s, %(deleted)s,
        setweight(to_tsvector('russian', %(name)s), 'A') ||
        setweight(to_tsvector('russian', coalesce(%(description)s, '')), 'B'), NOW())
ON CONFLICT (company_id) DO UPDATE SET
    version = EXCLUDED.version, name = EXCLUDED.name, industry = EXCLUDED.industry,
    document = EXCLUDED.document, deleted = EXCLUDED.deleted, search_vector = EXCLUDED.search_vector, updated_at = NOW()
WHERE company_search.version < EXCLUDED.version
"""

_SEARCH = """
SELECT company_id AS id, name, industry,
       ts_rank(search_vector, websearch_to_tsquery('russian', %(q)s)) + similarity(name, %(q)s) AS score
FROM company_search
WHERE NOT deleted AND (search_vector @@ websearch_to_tsquery('russian', %(q)s) OR name %% %(q)s)
ORDER BY score DESC, name
LIMIT %(limit)s
"""


class PostgresIndex:
    backend = "postgres"

    def __init__(self, database_url: str) -> None:
        self._url = database_url

    def upsert(self, company: Company, *, deleted: bool = False) -> bool:
        return self.upsert_many([(company, deleted)]) == 1

    def upsert_many(self, companies: list[tuple[Company, bool]]) -> int:
        conn = connection(self._url)
        applied = 0
        with conn.transaction():
            for company, deleted in companies:
                cur = conn.execute(
                    _UPSERT,
                    {
                        "id": company.id,
                        "version": company.version,
                        "name": company.name,
                        "industry": company.industry,
                        "description": company.description,
                        "doc": company.model_dump_json(),
                        "deleted": deleted,
                    },
                )
                applied += cur.rowcount
        return applied

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        conn = connection(self._url)
        rows = conn.execute(_SEARCH, {"q": query, "limit": limit}).fetchall()
        conn.rollback()
        return [SearchHit.model_validate(r) for r in rows]

    def ping(self) -> None:
        conn = connection(self._url)
        conn.execute("SELECT 1 FROM company_search LIMIT 1")
        conn.rollback()
